"""``/``: the list of the folder's evaluations, each with its total and how many review
records it has, and the files that were skipped (and why)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from scoring.web.state import State

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def index(state: State):
    catalog = state.catalog
    catalog.scan()
    items = sorted(catalog.entries.values(), key=lambda e: (e.relative, e.sheet))
    counts = {e.id: len(catalog.reviews_of(e)) for e in items}
    return state.page("index.html", root=str(catalog.root), items=items, counts=counts,
                      skipped=catalog.skipped)
