"""``jixiao server``: the multi-unit server (FastAPI), as opposed to the one-person
reviewer page of ``jixiao serve FOLDER`` (scoring/web), whose host check, security
headers, stylesheet and htmx it reuses.

`create_app` builds the app for a `Store`: at most ACTIVE_REQUESTS requests at once
(`Admission`), the signed session cookie and CSRF check
and the app-wide login guard (access.py), the host check and headers
(scoring.web.security), Chinese error pages, and one router per page group
(routes/). `serve` runs it with uvicorn after the database was migrated.
"""

from __future__ import annotations

import asyncio
import logging

from fastapi import Depends, FastAPI, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from scoring.server.access import NotLoggedIn, Sessions, guard, session_cookie
from scoring.server.database import Store
from scoring.server.pages import environment, page
from scoring.server.routes import admin, auth, dashboard, projects, review, setup, units
from scoring.web.app import check_port
from scoring.web.routes import assets
from scoring.web.security import LOCAL_HOSTS, HostCheck, allowed_hosts, security_headers

ROUTERS = (assets.router, auth.router, units.router, projects.router, dashboard.router, review.router,
           setup.router, admin.router)
PLAIN_ERRORS = {400: "请求无法识别，请刷新页面后重试。", 404: "没有这个页面。", 405: "不支持这种请求方式。",
                413: "提交的内容过大。", 422: "请求缺少必要的内容，请从页面上的链接和按钮操作。"}


ACTIVE_REQUESTS = 8
"""Requests handled at once per process; the others wait their turn (without a thread). Each
holds at most one database connection (below the pool's 15), so a burst of 200 uploads can
never leave a request that holds a connection waiting for a worker thread while every
thread waits for a connection; it also bounds the memory of uploads being read (8 × 20 MB)."""


class Admission:
    """Pure ASGI middleware: at most `limit` HTTP requests inside the app at once."""

    def __init__(self, app, limit: int):
        self.app, self.limit, self.gate = app, limit, None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if self.gate is None:  # made inside the server's event loop
            self.gate = asyncio.Semaphore(self.limit)
        async with self.gate:
            await self.app(scope, receive, send)


def create_app(store: Store, host: str = "127.0.0.1", allow_hosts: tuple[str, ...] = ()) -> FastAPI:
    app = FastAPI(title="jixiao 服务器", docs_url=None, redoc_url=None, openapi_url=None,
                  dependencies=[Depends(guard)])
    app.state.store = store
    app.state.sessions = Sessions(store.secret())
    app.state.templates = environment()
    app.state.public = {auth.login_form, auth.login, assets.static, assets.favicon}  # access.PUBLIC_PATHS
    app.middleware("http")(session_cookie)
    app.add_middleware(Admission, limit=ACTIVE_REQUESTS)
    app.add_middleware(HostCheck, allowed_hosts=allowed_hosts(host, allow_hosts))
    app.middleware("http")(security_headers)  # outermost: refused hosts get the headers too
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(NotLoggedIn, _not_logged_in)
    app.add_exception_handler(Exception, _unexpected)
    for router in ROUTERS:
        app.include_router(router)
    return app


def _plain(exc: HTTPException) -> str:
    message = str(exc.detail)
    if any("\u4e00" <= ch <= "\u9fff" for ch in message):
        return message
    return PLAIN_ERRORS.get(exc.status_code, f"请求无法完成（{exc.status_code}）。")


async def _http_error(request: Request, exc: HTTPException) -> Response:
    if not hasattr(request.state, "session"):  # refused before the session was read
        return PlainTextResponse(_plain(exc), status_code=exc.status_code)
    return page(request, "error.html", exc.status_code, message=_plain(exc), status=exc.status_code)


async def _unexpected(request: Request, exc: Exception) -> Response:
    """A fault of ours: a Chinese answer, never a traceback; the traceback goes to the server's log."""
    logging.getLogger("jixiao.server").error("未处理的错误：%s %s", request.method, request.url.path, exc_info=exc)
    return PlainTextResponse("服务器内部错误，已记入服务器日志；请稍后重试，或联系管理员。", status_code=500)


async def _not_logged_in(request: Request, exc: NotLoggedIn) -> Response:
    """Pages send the visitor to the login form; anything else is 401."""
    if request.method in ("GET", "HEAD") and not request.headers.get("HX-Request"):
        return RedirectResponse("/login", status_code=303)
    return PlainTextResponse("请先登录。", status_code=401, headers={"HX-Redirect": "/login"})


def address(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    return f"http://{f'[{shown}]' if ':' in shown else shown}:{port}/"


def network_warning(host: str) -> str | None:
    """The warning printed when the server listens beyond this computer."""
    if host in LOCAL_HOSTS:
        return None
    return (f"注意：服务器在 {host} 上监听，网络中的其他计算机可以访问。请把它放在带 HTTPS 的反向代理"
            "（如 nginx）之后，由代理设置请求头和请求体的超时以及上传大小上限，否则密码和文件以明文传输、"
            "慢速请求可拖垮服务器。示例见 docs/server.md。")


def serve(store: Store, host: str = "127.0.0.1", port: int = 8800, allow_hosts: tuple[str, ...] = ()) -> None:
    """Run the server until Ctrl+C."""
    import uvicorn

    app = create_app(store, host=host, allow_hosts=allow_hosts)
    check_port(host, port)  # the reviewer page's own check: a clear message when the port is taken
    print(f"jixiao 服务器：{address(host, port)}", flush=True)
    print(f"数据库：{store.place.shown}", flush=True)
    warning = network_warning(host)
    if warning:
        print(warning, flush=True)
    print("按 Ctrl+C 停止。", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False,
                proxy_headers=True, forwarded_allow_ips="127.0.0.1", timeout_keep_alive=5)
