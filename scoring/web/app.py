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
"""

from __future__ import annotations

import hashlib
import secrets
import time
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qsl, quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.exceptions import HTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from scoring.core.numbers import fixed, plain
from scoring.review import report as review_report
from scoring.review.compare import compare
from scoring.review.rescore import apply_review
from scoring.review.storage import save_review
from scoring.web.catalog import Catalog, Entry
from scoring.web.reviewing import MAX_FIELDS, Outcome, evaluate, form_of, rows_of

HERE = Path(__file__).parent
STATIC = {"htmx.min.js": "text/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8"}
MAX_BODY = 1024 * 1024  # bytes in one POST: a 200-row form with long comments is well under it
TOKEN_HEADER = "X-Jixiao-Token"
ATTEMPT = "attempt"  # hidden field: the digest of the form as last saved (or refused)
PLAIN_ERRORS = {
    400: "请求无法识别，请刷新页面后重试。",
    404: "没有这个页面。请从评价列表打开评价。",
    405: "不支持这种请求方式。",
    413: f"提交的内容过大（上限 {MAX_BODY // 1024} KB）。",
}
LOCAL_HOSTS = ["127.0.0.1", "localhost", "::1", "[::1]"]  # Starlette keeps the brackets of [::1]:8000
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _num(value: Decimal | None) -> str:
    return "—" if value is None else plain(value)


def _diff(value: Decimal | None) -> str:
    if value is None or value == 0:
        return ""
    return ("+" if value > 0 else "") + plain(value)


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = _num
    env.filters["diff"] = _diff
    env.filters["fixed"] = lambda v: "" if v is None else fixed(v)
    return env


def allowed_hosts(host: str, extra: list[str] | tuple[str, ...] = ()) -> list[str]:
    """The Host headers the page answers: the loopback names, and, when it listens on
    the network, this computer's own names and addresses (and any given)."""
    import socket

    names = {*LOCAL_HOSTS, *extra}
    if host not in LOCAL_HOSTS:
        names.add(f"[{host}]" if ":" in host else host)
        if host in ("0.0.0.0", "::"):
            hostname = socket.gethostname()
            names.update({hostname, socket.getfqdn()})
            try:
                names.update(str(info[4][0]) for info in socket.getaddrinfo(hostname, None))
            except OSError:
                pass
    names.discard("0.0.0.0")
    names.discard("[::]")
    return sorted(n if ":" not in n or n.startswith("[") or n == "::1" else f"[{n}]" for n in names)


def create_app(folder: str | Path, token: str | None = None, host: str = "127.0.0.1",
               allow_hosts: tuple[str, ...] = ()) -> FastAPI:
    """The page for one folder. `token` is made at random unless given (tests)."""
    catalog = Catalog(folder).scan()
    token = token or secrets.token_urlsafe(32)
    env = _environment()
    app = FastAPI(title="jixiao 复核", docs_url=None, redoc_url=None, openapi_url=None,
                  max_body_size=8 * MAX_BODY)  # a backstop; read_form's own limit answers in Chinese
    app.state.catalog, app.state.token = catalog, token
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts(host, allow_hosts))

    @app.middleware("http")
    async def headers(request: Request, call_next):
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    def page(name: str, code: int = 200, **context) -> HTMLResponse:
        context.setdefault("token", token)
        return HTMLResponse(env.get_template(name).render(**context), status_code=code)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        message = str(exc.detail)
        if not any("\u4e00" <= ch <= "\u9fff" for ch in message):  # Starlette's own English phrases
            message = PLAIN_ERRORS.get(exc.status_code, f"请求无法完成（{exc.status_code} {message}）。")
        if request.headers.get("HX-Request"):
            return page("_message.html", exc.status_code, message=message, kind="error")
        return page("error.html", exc.status_code, message=message, status=exc.status_code)

    def entry_or_404(entry_id: str) -> Entry:
        entry = catalog.entry(entry_id)
        if entry is None:
            raise HTTPException(404, "没有找到这份评价：文件可能已被移动、改名或删除。请返回列表重新打开。")
        return entry

    def scorable(entry_id: str) -> Entry:
        """The entry an edit or a save is for: it must still load and score."""
        entry = entry_or_404(entry_id)
        if entry.evaluation is None or entry.result is None:
            raise HTTPException(409, "评价文件在打开本页后被修改，现在有错误，无法计分；"
                                     "请修正评价文件后刷新页面（错误见评价列表）。")
        return entry

    async def read_form(request: Request) -> dict[str, str]:
        """The posted form, after the token and size checks (every POST goes through here)."""
        sent = request.headers.get(TOKEN_HEADER, "")
        if not secrets.compare_digest(sent.encode(), token.encode()):
            raise HTTPException(403, "页面已过期或来源不明（令牌不符）：复核服务可能已重新启动，请刷新页面后再操作。")
        declared = request.headers.get("content-length", "0")
        if not declared.isdigit() or int(declared) > MAX_BODY:
            raise HTTPException(413, f"提交的内容过大（上限 {MAX_BODY // 1024} KB）。")
        body = bytearray()
        async for chunk in request.stream():  # a body without a length is counted as it arrives
            body += chunk
            if len(body) > MAX_BODY:
                raise HTTPException(413, f"提交的内容过大（上限 {MAX_BODY // 1024} KB）。")
        kind = request.headers.get("content-type", "").split(";")[0].strip()
        if body and kind != "application/x-www-form-urlencoded":
            raise HTTPException(415, "只接受表单提交（application/x-www-form-urlencoded）。")
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
        except (UnicodeDecodeError, ValueError):
            raise HTTPException(400, "提交的表单无法识别，请刷新页面后重试。") from None
        return dict(pairs)

    # -------------------------------------------------------------- pages

    @app.get("/", response_class=HTMLResponse)
    def index():
        catalog.scan()
        items = sorted(catalog.entries.values(), key=lambda e: (e.relative, e.sheet))
        counts = {e.id: len(catalog.reviews_of(e)) for e in items}
        return page("index.html", root=str(catalog.root), items=items, counts=counts, skipped=catalog.skipped)

    @app.get("/static/{name}")
    def static(name: str):
        if name not in STATIC:
            raise HTTPException(404, "没有这个文件。")
        return Response((HERE / "static" / name).read_bytes(), media_type=STATIC[name],
                        headers={"Cache-Control": "max-age=3600"})

    @app.get("/favicon.ico")
    def favicon():
        return Response(status_code=204)

    @app.get("/e/{entry_id}", response_class=HTMLResponse)
    def evaluation(entry_id: str, review: str = ""):
        catalog.scan()  # a whole page: review records added or removed since are seen
        entry = entry_or_404(entry_id)
        if entry.evaluation is None or entry.result is None:
            return page("broken.html", entry=entry)
        form = {"date": date.today().isoformat(), "input_hash": entry.input_hash}
        loaded = None
        if review:
            loaded = catalog.review(entry, review)
            if loaded is None:
                raise HTTPException(404, "没有找到这份复核记录，或它不是为这份评价当前的内容所作。")
            form = form_of(entry, loaded.review)
        view = _view(entry, evaluate(entry, form), form)
        view.update(loaded=loaded, reviews=catalog.reviews_of(entry))
        return page("evaluation.html", **view)

    # -------------------------------------------------------------- edits

    @app.post("/e/{entry_id}/recompute", response_class=HTMLResponse)
    async def recompute(entry_id: str, request: Request):
        form = await read_form(request)
        entry = scorable(entry_id)
        if form.get(ATTEMPT) and form[ATTEMPT] == form_digest(form):
            # a delayed edit event with nothing new since the last save: the save's
            # answer (saved, or refused with its reasons) stays on the page
            return Response(status_code=204)
        started = time.perf_counter()
        outcome = evaluate(entry, form)
        response = page("_updates.html", **_view(entry, outcome, form))
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        return response

    @app.post("/e/{entry_id}/save", response_class=HTMLResponse)
    async def save(entry_id: str, request: Request):
        form = await read_form(request)
        entry = scorable(entry_id)
        outcome = evaluate(entry, form, saving=True)
        view = _view(entry, outcome, form)
        view["attempt"] = form_digest(form)
        if not outcome.ok:
            if not outcome.weights_ok and outcome.weight_total is not None:
                outcome.errors.append(f"复核后分值合计为 {plain(outcome.weight_total)}，应为 100："
                                      "调整分值时，请在各指标之间挪动分值，使合计仍为 100")
            if not outcome.errors and not outcome.field_errors:
                outcome.errors.append("评价文件本身有错误（见页面上方），不能保存复核；请先修正评价文件。")
            view["notice"] = "未保存：请先改正标出的问题。"
            return page("_updates.html", 422, **view)
        path = save_review(outcome.review, entry.path.parent, entry.stem)
        catalog.scan()
        record = next((r for r in catalog.reviews_of(entry) if r.path == path), None)
        view.update(saved=record, reviews=catalog.reviews_of(entry),
                    notice=f"已保存复核记录：{path.relative_to(catalog.root).as_posix()}")
        return page("_updates.html", **view)

    # ---------------------------------------------------------- downloads

    @app.get("/e/{entry_id}/reviews/{review_id}/compare.{suffix}")
    def download(entry_id: str, review_id: str, suffix: str):
        if suffix not in ("docx", "xlsx"):
            raise HTTPException(404, "只提供 .docx 和 .xlsx 两种对比表。")
        catalog.scan()
        entry = entry_or_404(entry_id)
        record = catalog.review(entry, review_id)
        if record is None or entry.evaluation is None:
            raise HTTPException(404, "没有找到这份复核记录，或它不是为这份评价当前的内容所作。")
        reviewed, issues, locator = apply_review(entry.evaluation, record.review, None,
                                                 evaluation_source=entry.source)
        if reviewed is None or any(i.severity == "error" for i in issues):
            raise HTTPException(409, "这份复核记录不能应用到当前的评价（例如分值合计不为 100），请重新复核。")
        comparison = compare(entry.evaluation, reviewed, record.review, entry.source, locator)
        if suffix == "docx":
            data = review_report.docx_bytes([comparison])
            media = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        else:
            data = review_report.xlsx_bytes([comparison])
            media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        name = f"复核对比表_{entry.title}_{record.review.reviewer}_{record.review.date.isoformat()}.{suffix}"
        disposition = f"attachment; filename=\"review.{suffix}\"; filename*=UTF-8''{quote(name)}"
        return Response(data, media_type=media, headers={"Content-Disposition": disposition})

    return app


def form_digest(form: dict[str, str]) -> str:
    """What the reviewer has typed, as a short digest (the form's own ATTEMPT field left out)."""
    pairs = sorted((k, v) for k, v in form.items() if k != ATTEMPT)
    return hashlib.sha256(repr(pairs).encode("utf-8")).hexdigest()[:32]


def _view(entry: Entry, outcome: Outcome, form: dict[str, str]) -> dict:
    """What the templates need: the rows with their merges, before and after."""
    ev, before, after = entry.evaluation, entry.result, outcome.after
    rows = []
    for row in rows_of(entry):
        if row.kind == "funding":
            score_after = after.funding.score if after is not None and after.funding else None
        elif row.kind == "funds_management":
            score_after = after.funds_management[row.index].score if after is not None else None
        else:
            score_after = after.indicators[row.index].score if after is not None else None
        difference = score_after - row.score if score_after is not None and row.score is not None else None
        rows.append({"row": row, "after": score_after, "difference": difference})
    by_key = {r["row"].key: r for r in rows}
    indicators = []
    spans1: dict[int, int] = {}
    spans2: dict[int, int] = {}
    for k, (ind, res) in enumerate(zip(ev.indicators, before.indicators)):
        first1 = k == 0 or ev.indicators[k - 1].level1 != ind.level1
        first2 = first1 or ev.indicators[k - 1].level2 != ind.level2
        if first1:
            spans1[k] = 0
        if first2:
            spans2[k] = 0
        spans1[max(spans1)] += 1
        spans2[max(spans2)] += 1
        indicators.append({"ind": ind, "res": res, "view": by_key[f"i{k}"], "first1": first1, "first2": first2})
    for k, item in enumerate(indicators):
        item["span1"], item["span2"] = spans1.get(k, 0), spans2.get(k, 0)
    total_after = after.total if after is not None and after.total is not None else outcome.provisional_total
    total_difference = total_after - before.total if total_after is not None and before.total is not None else None
    return {"entry": entry, "ev": ev, "before": before, "after": after, "outcome": outcome, "form": form,
            "rows": rows, "by_key": by_key, "indicators": indicators, "total_difference": total_difference,
            "saved": None, "notice": "", "reviews": None, "attempt": None}


@contextmanager
def running(app: FastAPI, host: str = "127.0.0.1"):
    """The page served in a background thread until the block ends; yields its URL
    (the end-to-end test and the README screenshot use it)."""
    import socket
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
    import socket

    import uvicorn

    from scoring.core.issues import ScoringError

    app = create_app(folder, host=host, allow_hosts=allow_hosts)
    catalog: Catalog = app.state.catalog
    try:  # a clear message instead of uvicorn's traceback when the port is taken
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.bind((host, port))
    except OSError as exc:
        raise ScoringError(f"无法在 {host}:{port} 上启动（{exc.strerror}）：端口可能已被占用，"
                           f"请用 --port 指定其他端口，如 --port {port + 1}") from None
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # this computer's own browser
    url = f"http://{f'[{shown}]' if ':' in shown else shown}:{port}/"
    print(f"复核页面：{url}")
    print(f"评价文件夹：{catalog.root}（{len(catalog.entries)} 份评价，{len(catalog.reviews)} 份复核记录）")
    if host not in LOCAL_HOSTS:
        print(f"注意：页面在 {host} 上监听，同一网络中的其他计算机也可能访问；仅在可信网络中这样使用。"
              f"其他计算机须用以下名称之一访问：{'、'.join(n for n in allowed_hosts(host, allow_hosts) if n not in LOCAL_HOSTS)}"
              "（其他名称可用 --allow-host 加入）。")
    print("按 Ctrl+C 停止。")
    if open_browser:
        import threading
        import webbrowser

        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
