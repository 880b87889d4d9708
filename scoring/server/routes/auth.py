"""Logging in and out, and one's own account page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from scoring.core.issues import ScoringError
from scoring.server.access import DB, Anyone, Current, Form, source
from scoring.server.accounts import LoginRefused, audit, authenticate, change_own_password
from scoring.server.pages import page

router = APIRouter()


def _home(account) -> str:
    if account.role == "reporter" and account.unit_id is not None:
        return f"/units/{account.unit_id}"
    return "/"


@router.get("/login")
def login_form(request: Request, me: Current):
    if me is not None:
        return RedirectResponse(_home(me), status_code=303)
    return page(request, "login.html", message="", name="")


@router.post("/login")
def login(request: Request, db: DB, form: Form):
    name = form.get("name", "")
    try:
        account = authenticate(db, name, form.get("password", ""), source(request))
    except LoginRefused as refused:
        status = 429 if "次数过多" in str(refused) else 401
        return page(request, "login.html", status, message=str(refused), name=name)
    request.state.session.login(account)
    return RedirectResponse(_home(account), status_code=303)


@router.post("/logout")
def logout(request: Request, db: DB, me: Anyone):
    # ends every session of the account, so a copied cookie is worthless after 退出 (the cookie
    # itself is signed, not stored: the epoch is what the server can revoke)
    me.session_epoch += 1
    audit(db, me, "logout", me.name, source(request))
    db.commit()
    request.state.session.logout()
    return RedirectResponse("/login", status_code=303)


@router.get("/account")
def account_page(request: Request, me: Anyone):
    return page(request, "account.html", me=me, message="", kind="")


@router.post("/account/password")
def change_password(request: Request, db: DB, me: Anyone, form: Form):
    new = form.get("new", "")
    try:
        if new != form.get("again", ""):
            raise ScoringError("两次输入的新密码不一致。")
        change_own_password(db, me, form.get("old", ""), new, source(request))
    except ScoringError as exc:
        db.rollback()
        return page(request, "account.html", 400, me=me, message=str(exc), kind="error")
    db.commit()
    request.state.session.login(me)  # this session continues with the new epoch; others end
    return page(request, "account.html", me=me, message="密码已修改；其他已登录的会话已失效。", kind="ok")
