"""The page's own files: htmx 2.0.11 (BSD0, from the npm package htmx.org) and the
stylesheet are shipped in scoring/web/static, so the page needs no network. Only the
names in STATIC are served; no request names a path."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.exceptions import HTTPException

STATIC_DIR = Path(__file__).parent.parent / "static"
STATIC = {"htmx.min.js": "text/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8"}

router = APIRouter()


@router.get("/static/{name}")
def static(name: str):
    if name not in STATIC:
        raise HTTPException(404, "没有这个文件。")
    return Response((STATIC_DIR / name).read_bytes(), media_type=STATIC[name],
                    headers={"Cache-Control": "max-age=3600"})


@router.get("/favicon.ico")
def favicon():
    return Response(status_code=204)
