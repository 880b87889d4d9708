"""``jixiao serve``: the reviewer page (FastAPI, Jinja2 and htmx).

One folder is served. Its evaluations are listed with their totals; opening one
shows the official table with the reviewer's columns. Every edit posts the
form (htmx), and the answer replaces only the numbers that changed: row
scores, 一级指标 sums, the total, the grade and the sum-to-100 check, and the
errors next to the cells that caused them. Saving writes a review record
(``review.save_review``: a new file, atomically, never over an earlier one);
each record's 复核对比表 can be downloaded as .docx and .xlsx.

Safety: the page listens on 127.0.0.1 unless told otherwise and answers only
requests addressed to the host it listens on (no DNS rebinding); every POST
carries a per-start token (no cross-site requests); bodies are limited in
size; no request names a path (see catalog.py). htmx 2.0.11 (BSD0, from the
npm package htmx.org) is shipped in static/, so the page needs no network.

This module only assembles and runs the page: `create_app` builds the shared
state (state.py), installs the host check, the security headers and the Chinese
error pages (security.py, errors.py) and includes one router per page
(routes/); `running` and `serve` run it with uvicorn.
"""

from __future__ import annotations

import secrets
import socket
import time
from contextlib import contextmanager
from pathlib import Path

from fastapi import FastAPI
from starlette.exceptions import HTTPException

from scoring.core.issues import ScoringError
from scoring.web.catalog import Catalog
from scoring.web.errors import http_error
from scoring.web.rendering import environment
from scoring.web.routes import assets, downloads, evaluation, listing
from scoring.web.security import LOCAL_HOSTS, MAX_BODY, HostCheck, allowed_hosts, security_headers
from scoring.web.state import WebState

__all__ = ["MAX_BODY", "allowed_hosts", "create_app", "running", "serve"]

ROUTERS = (listing.router, assets.router, evaluation.router, downloads.router)


def create_app(folder: str | Path, token: str | None = None, host: str = "127.0.0.1",
               allow_hosts: tuple[str, ...] = ()) -> FastAPI:
    """The page for one folder. `token` is made at random unless given (tests)."""
    # No body limit of FastAPI's own (its 413 is English): every POST route reads its
    # body through security.posted_form, which stops at MAX_BODY and answers in Chinese;
    # no other route reads a body.
    app = FastAPI(title="jixiao 复核", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.web = WebState(Catalog(folder).scan(), token or secrets.token_urlsafe(32), environment())
    app.add_middleware(HostCheck, allowed_hosts=allowed_hosts(host, allow_hosts))
    app.middleware("http")(security_headers)  # added last, so outermost: refused hosts get the headers too
    app.add_exception_handler(HTTPException, http_error)
    for router in ROUTERS:
        app.include_router(router)
    return app


@contextmanager
def running(app: FastAPI, host: str = "127.0.0.1"):
    """The page served in a background thread until the block ends; yields its URL
    (the end-to-end test and the README screenshot use it)."""
    import threading

    import uvicorn

    with socket.socket() as probe:
        probe.bind((host, 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"复核页面未能在 {host}:{port} 上启动")
        time.sleep(0.02)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def serve(folder: str | Path, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False,
          allow_hosts: tuple[str, ...] = ()) -> None:
    """Run the page until Ctrl+C."""
    import uvicorn

    app = create_app(folder, host=host, allow_hosts=allow_hosts)
    check_port(host, port)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # this computer's own browser
    url = f"http://{f'[{shown}]' if ':' in shown else shown}:{port}/"
    _announce(url, app.state.web.catalog, host, allow_hosts)
    if open_browser:
        import threading
        import webbrowser

        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


def check_port(host: str, port: int) -> None:
    """A clear message instead of uvicorn's traceback when the port is taken."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.bind((host, port))
    except OSError as exc:
        raise ScoringError(f"无法在 {host}:{port} 上启动（{exc.strerror}）：端口可能已被占用，"
                           f"请用 --port 指定其他端口，如 --port {port + 1}") from None


def _announce(url: str, catalog: Catalog, host: str, allow_hosts: tuple[str, ...]) -> None:
    """What `jixiao serve` prints before it starts: where, what, and how to stop."""
    print(f"复核页面：{url}")
    print(f"评价文件夹：{catalog.root}（{len(catalog.entries)} 份评价，{len(catalog.reviews)} 份复核记录）")
    if host not in LOCAL_HOSTS:
        others = "、".join(n for n in allowed_hosts(host, allow_hosts) if n not in LOCAL_HOSTS)
        print(f"注意：页面在 {host} 上监听，同一网络中的其他计算机也可能访问；仅在可信网络中这样使用。"
              f"其他计算机须用以下名称之一访问：{others}（其他名称可用 --allow-host 加入）。")
    print("按 Ctrl+C 停止。")
