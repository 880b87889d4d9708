"""What every route shares, handed to it as a FastAPI dependency instead of a closure.

`create_app` makes one `WebState` per app (the folder's catalog, the per-start token
and the template environment) and keeps it on ``app.state.web``; a route asks for it
with a ``state: State`` parameter, so the route modules need no app of their own and
a test or a second app never shares another's catalog or token. The state also answers
the questions several routes ask: render a page (with the token every POST needs), the
entry an address names (404 if gone), and the entry an edit or a save is for (409 if it
no longer scores).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment
from starlette.exceptions import HTTPException

from scoring.web.catalog import Catalog, Entry


@dataclass(frozen=True)
class WebState:
    """One app's shared state; the catalog itself is rescanned in place by the routes."""

    catalog: Catalog
    token: str
    env: Environment

    def page(self, name: str, code: int = 200, **context) -> HTMLResponse:
        """The template `name` rendered, with the page's token unless the context has one."""
        context.setdefault("token", self.token)
        return HTMLResponse(self.env.get_template(name).render(**context), status_code=code)

    def entry_or_404(self, entry_id: str) -> Entry:
        entry = self.catalog.entry(entry_id)
        if entry is None:
            raise HTTPException(404, "没有找到这份评价：文件可能已被移动、改名或删除。请返回列表重新打开。")
        return entry

    def scorable(self, entry_id: str) -> Entry:
        """The entry an edit or a save is for: it must still load and score."""
        entry = self.entry_or_404(entry_id)
        if entry.evaluation is None or entry.result is None:
            raise HTTPException(409, "评价文件在打开本页后被修改，现在有错误，无法计分；"
                                     "请修正评价文件后刷新页面（错误见评价列表）。")
        return entry


async def web_state(request: Request) -> WebState:
    """The app's state (async: a plain lookup, so FastAPI needs no worker thread for it)."""
    return request.app.state.web


State = Annotated[WebState, Depends(web_state)]
