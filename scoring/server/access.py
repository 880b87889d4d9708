"""Who may do what: the session cookie, the CSRF check and the role dependencies.

- Session: a cookie signed with the key every process shares (itsdangerous,
  `Store.secret`), holding the account's id, its `session_epoch` and a CSRF token;
  HttpOnly, SameSite=Lax, Secure when the request came over HTTPS. Every request
  reloads the account: a disabled account, or one whose password was reset since
  (its epoch grew), is logged out at once, in every process.
- CSRF: every request other than GET/HEAD/OPTIONS must carry the session's token,
  in the form field `csrf` or the header `X-CSRF-Token` (JSON and htmx). An
  anonymous visitor gets a session with a token too, so the login form is covered.
- Access: `guard` runs before every route of the app (an app-wide dependency), so
  a route added later is closed to anonymous visitors unless its endpoint is public;
  each route then names the roles it serves with one dependency (`Reporter`,
  `Reviewer`, `Admin`, `Anyone`), and `unit_of` keeps a 填报人 to its own unit.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import Depends, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from scoring.core.limits import size_text
from scoring.server.checking import MAX_UPLOAD
from scoring.server.models import Account, Unit

COOKIE = "jixiao_session"
SESSION_SECONDS = 12 * 3600
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
MAX_FILES = 20  # files in one upload (several target tables at once)
MAX_FORM = 64 * 1024  # bytes of a posted form or JSON body (uploads: checking.MAX_UPLOAD)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
PUBLIC_PATHS = ("/login", "/static/{name}", "/favicon.ico")
"""The only pages an anonymous visitor reaches (login and the page's own files); the app
keeps their endpoints in `app.state.public` (by function, not by path, so a router
included under a prefix cannot open a path by accident)."""


class NotLoggedIn(Exception):
    """Raised by `guard`: the app answers with the login page (or 401 for non-page requests)."""


@dataclass
class SessionData:
    account_id: int | None = None
    epoch: int = 0
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    changed: bool = False

    def login(self, account: Account) -> None:
        """A new session for `account`, with a new CSRF token (no session fixation)."""
        self.account_id, self.epoch = account.id, account.session_epoch
        self.csrf, self.changed = secrets.token_urlsafe(32), True

    def logout(self) -> None:
        self.account_id, self.epoch = None, 0
        self.csrf, self.changed = secrets.token_urlsafe(32), True


class Sessions:
    """Reads and writes the signed session cookie."""

    def __init__(self, secret: str):
        self.signer = URLSafeTimedSerializer(secret, salt="jixiao-session")

    def read(self, request: Request) -> SessionData:
        raw = request.cookies.get(COOKIE)
        if raw:
            try:
                data = self.signer.loads(raw, max_age=SESSION_SECONDS)
                return SessionData(data.get("a"), int(data.get("e", 0)), str(data["c"]))
            except (BadSignature, KeyError, TypeError, ValueError, AttributeError):
                pass
        return SessionData(changed=True)

    def write(self, request: Request, response, data: SessionData) -> None:
        value = self.signer.dumps({"a": data.account_id, "e": data.epoch, "c": data.csrf})
        response.set_cookie(COOKIE, value, max_age=SESSION_SECONDS, httponly=True, samesite="lax",
                            secure=request.url.scheme == "https", path="/")


async def session_cookie(request: Request, call_next):
    """HTTP middleware: the session read before the route and written back when it changed."""
    sessions: Sessions = request.app.state.sessions
    request.state.session = sessions.read(request)
    response = await call_next(request)
    if request.state.session.changed:
        sessions.write(request, response, request.state.session)
    return response


def database(request: Request):
    """One database session per request (FastAPI gives every dependency the same one)."""
    with request.app.state.store.session() as db:
        yield db


DB = Annotated[Session, Depends(database)]


def source(request: Request) -> str:
    """Where a request came from: the client's address (behind a reverse proxy on this
    computer, uvicorn takes it from X-Forwarded-For)."""
    return request.client.host if request.client else "未知"


def current_account(request: Request, db: DB) -> Account | None:
    """The logged-in account, or None; a disabled one or an old session is logged out."""
    data: SessionData = request.state.session
    if data.account_id is None:
        return None
    account = db.get(Account, data.account_id)
    if account is None or account.disabled or account.session_epoch != data.epoch:
        data.logout()
        return None
    return account


Current = Annotated[Account | None, Depends(current_account)]


async def read_form(request: Request) -> dict[str, str]:
    """The posted form (url-encoded) or JSON object, read once and kept on the request."""
    if hasattr(request.state, "form"):
        return request.state.form
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        return await _read_upload(request)
    body = await _body(request, MAX_FORM)
    try:
        if not body:
            form = {}
        elif kind == "application/x-www-form-urlencoded":
            form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=200))
        elif kind == "application/json":
            loaded = json.loads(body)
            if not isinstance(loaded, dict):
                raise ValueError
            form = {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in loaded.items()}
        else:
            raise HTTPException(415, "只接受表单（application/x-www-form-urlencoded）或 JSON 提交。")
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: "[[[[…" nested past Python's stack
        raise HTTPException(400, "提交的内容无法识别，请刷新页面后重试。") from None
    request.state.form = form
    return form


Form = Annotated[dict[str, str], Depends(read_form)]


async def _body(request: Request, limit: int) -> bytes:
    """The request body, refused (413) before it is read when it declares more than `limit`
    bytes, and as soon as it sends more."""
    too_large = HTTPException(413, f"提交的内容过大（上限 {size_text(limit)}）。")
    declared = request.headers.get("content-length", "0")
    if not declared.isascii() or not declared.isdigit() or int(declared) > limit:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large
    return bytes(body)


async def _read_upload(request: Request) -> dict[str, str]:
    """A multipart upload (a file, or up to MAX_FILES, and a few fields), read whole within
    MAX_UPLOAD bytes: the fields become the form, the first file `request.state.upload` (its
    name and bytes), every file `request.state.uploads`."""
    from starlette.formparsers import MultiPartException, MultiPartParser

    body = await _body(request, MAX_UPLOAD)

    async def stream():
        yield body
        yield b""

    try:
        parsed = await MultiPartParser(request.headers, stream(), max_files=MAX_FILES, max_fields=20,
                                       max_part_size=MAX_FORM).parse()
    except MultiPartException:
        raise HTTPException(400, "上传的内容无法识别，请刷新页面后重新选择文件上传。") from None
    form, uploads = {}, []
    for key, value in parsed.multi_items():
        if isinstance(value, str):
            form[key] = value
        else:
            uploads.append((value.filename or "", await value.read()))
            await value.close()
    request.state.form, request.state.upload = form, (uploads[0] if uploads else None)
    request.state.uploads = uploads
    return form


async def guard(request: Request, account: Current) -> None:
    """Before every route: anonymous visitors reach only the public endpoints, and every write
    carries the session's CSRF token."""
    public = request.scope.get("endpoint") in request.app.state.public
    if not public and account is None:
        raise NotLoggedIn()
    if public and account is None and request.headers.get("content-type", "").startswith("multipart/"):
        # an anonymous visitor sends a login form, never a file: no 20 MB body is read for it
        raise HTTPException(415, "只接受表单提交。")
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER)  # with the header the body is left to the route (uploads)
        if sent is None:
            sent = (await read_form(request)).get(CSRF_FIELD, "")
        if not secrets.compare_digest(sent.encode(), request.state.session.csrf.encode()):
            raise HTTPException(403, "页面已过期或来源不明（缺少有效的 CSRF 令牌）：请刷新页面后再操作。")


def role(*codes: str):
    """A dependency that gives the logged-in account when its role is one of `codes`."""

    def needs(account: Current) -> Account:
        if account is None:
            raise NotLoggedIn()
        if account.role not in codes:
            raise HTTPException(403, "您的账户没有权限进行此操作。")
        return account

    needs.roles = codes  # read by the access tests
    return needs


Anyone = Annotated[Account, Depends(role("reporter", "reviewer", "admin"))]
Reporter = Annotated[Account, Depends(role("reporter"))]
Reviewer = Annotated[Account, Depends(role("reviewer", "admin"))]
Admin = Annotated[Account, Depends(role("admin"))]


def unit_of(db: Session, account: Account, unit_id: int) -> Unit:
    """The unit `unit_id` when `account` may see it: a 填报人 only its own; to a 填报人
    another unit does not exist (404, so its existence is not told either)."""
    unit = db.get(Unit, unit_id)
    if unit is None or (account.role == "reporter" and account.unit_id != unit.id):
        raise HTTPException(404, "没有这个单位，或您无权查看。")
    return unit
