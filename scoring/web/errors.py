"""Every refusal as a page in plain Chinese: a whole error page, or, for an htmx
request, a message that replaces only the message area.

Messages the routes raise are Chinese already; Starlette's own English phrases (an
unknown address, a wrong method, a body over the backstop limit) are replaced by
PLAIN_ERRORS.
"""

from __future__ import annotations

from fastapi import Request
from starlette.exceptions import HTTPException

from scoring.web.security import TOO_LARGE
from scoring.web.state import web_state

PLAIN_ERRORS = {
    400: "请求无法识别，请刷新页面后重试。",
    404: "没有这个页面。请从评价列表打开评价。",
    405: "不支持这种请求方式。",
    413: TOO_LARGE,
}


def _plain(exc: HTTPException) -> str:
    message = str(exc.detail)
    if any("\u4e00" <= ch <= "\u9fff" for ch in message):
        return message
    return PLAIN_ERRORS.get(exc.status_code, f"请求无法完成（{exc.status_code} {message}）。")


async def http_error(request: Request, exc: HTTPException):
    """The exception handler for HTTPException, installed by create_app."""
    state = await web_state(request)
    message = _plain(exc)
    if request.headers.get("HX-Request"):
        return state.page("_message.html", exc.status_code, message=message, kind="error")
    return state.page("error.html", exc.status_code, message=message, status=exc.status_code)
