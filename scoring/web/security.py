"""The page's defences, in one place: which hosts it answers, the headers on every
response, and the checks every POST passes before a route sees its form.

- Host: the page listens on 127.0.0.1 unless told otherwise and answers only requests
  addressed to a name it listens on (`allowed_hosts`), so a DNS-rebound site cannot
  reach it.
- Headers: `security_headers` adds a strict Content-Security-Policy and friends.
- POST: `posted_form` (the `PostedForm` dependency) checks the per-start token (no
  cross-site requests), limits the body to `MAX_BODY` and accepts only a url-encoded
  form, answering each refusal in Chinese.
"""

from __future__ import annotations

import secrets
import socket
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import Depends, Request
from starlette._utils import parse_host_header
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse

from scoring.web.reviewing import MAX_FIELDS
from scoring.web.state import State

MAX_BODY = 1024 * 1024  # bytes in one POST: a 200-row form with long comments is well under it
TOO_LARGE = f"提交的内容过大（上限 {MAX_BODY // 1024} KB）。"
TOKEN_HEADER = "X-Jixiao-Token"
LOCAL_HOSTS = ["127.0.0.1", "localhost", "::1", "[::1]"]  # Starlette keeps the brackets of [::1]:8000
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def allowed_hosts(host: str, extra: list[str] | tuple[str, ...] = ()) -> list[str]:
    """The Host headers the page answers: the loopback names, and, when it listens on
    the network, this computer's own names and addresses (and any given)."""
    names = {*LOCAL_HOSTS, *extra}
    if host not in LOCAL_HOSTS:
        names.add(f"[{host}]" if ":" in host else host)
        if host in ("0.0.0.0", "::"):
            names.update(_own_names())
    names.discard("0.0.0.0")
    names.discard("[::]")
    return sorted(n if ":" not in n or n.startswith("[") or n == "::1" else f"[{n}]" for n in names)


def _own_names() -> set[str]:
    """This computer's host name, full name and addresses (as far as they resolve)."""
    hostname = socket.gethostname()
    names = {hostname, socket.getfqdn()}
    try:
        names.update(str(info[4][0]) for info in socket.getaddrinfo(hostname, None))
    except OSError:
        pass
    return names


BAD_HOST = ("请求的地址（Host）不被接受：复核页面只响应发往它所监听地址的请求。"
            "请用启动时显示的地址打开页面；从其他电脑访问时，启动时用 --allow-host 加上该地址。")


class HostCheck:
    """ASGI middleware: requests addressed to any other host are refused in Chinese (the
    same matching as Starlette's TrustedHostMiddleware, whose answer is English)."""

    def __init__(self, app, allowed_hosts: list[str]):
        self.app = app
        self.allowed = {h.lower() for h in allowed_hosts}

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        parsed = parse_host_header(Headers(scope=scope).get("host"))
        if parsed is not None and parsed.host.lower() in self.allowed:
            await self.app(scope, receive, send)
            return
        await PlainTextResponse(BAD_HOST, status_code=400)(scope, receive, send)


async def security_headers(request: Request, call_next):
    """HTTP middleware: the SECURITY_HEADERS on every response that does not set its own."""
    response = await call_next(request)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


async def posted_form(request: Request, state: State) -> dict[str, str]:
    """The posted form, after the token and size checks (every POST goes through here)."""
    sent = request.headers.get(TOKEN_HEADER, "")
    if not secrets.compare_digest(sent.encode(), state.token.encode()):
        raise HTTPException(403, "页面已过期或来源不明（令牌不符）：复核服务可能已重新启动，请刷新页面后再操作。")
    body = await _body(request)
    kind = request.headers.get("content-type", "").split(";")[0].strip()
    if body and kind != "application/x-www-form-urlencoded":
        raise HTTPException(415, "只接受表单提交（application/x-www-form-urlencoded）。")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError):
        raise HTTPException(400, "提交的表单无法识别，请刷新页面后重试。") from None
    return dict(pairs)


async def _body(request: Request) -> bytearray:
    """The request body, refused (413) as soon as it is known to exceed MAX_BODY."""
    declared = request.headers.get("content-length", "0")
    if not declared.isdigit() or int(declared) > MAX_BODY:
        raise HTTPException(413, TOO_LARGE)
    body = bytearray()
    async for chunk in request.stream():  # a body without a length is counted as it arrives
        body += chunk
        if len(body) > MAX_BODY:
            raise HTTPException(413, TOO_LARGE)
    return body


PostedForm = Annotated[dict[str, str], Depends(posted_form)]
