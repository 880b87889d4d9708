"""The 管理员's pages: accounts (create, disable, enable, reset a password) and the
audit log. A password made here is shown once, on the answer page, and never again."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import select
from starlette.exceptions import HTTPException

from scoring.core.issues import ScoringError
from scoring.server.access import DB, Admin, Form, source
from scoring.server.accounts import create_account, generate_password, reset_password, set_disabled
from scoring.server.models import Account, AuditEntry, Unit
from scoring.server.pages import page

router = APIRouter(prefix="/admin")
AUDIT_ROWS = 200


def _accounts_page(request: Request, db, me: Account, status: int = 200, message: str = "", kind: str = "",
                   shown: tuple[str, str] | None = None):
    accounts = list(db.scalars(select(Account).order_by(Account.role, Account.name)))
    units = list(db.scalars(select(Unit).order_by(Unit.name)))
    return page(request, "accounts.html", status, me=me, accounts=accounts, units=units,
                message=message, kind=kind, shown=shown)


def _account(db, account_id: int) -> Account:
    account = db.get(Account, account_id)
    if account is None:
        raise HTTPException(404, "没有这个账户。")
    return account


@router.get("/accounts")
def accounts(request: Request, db: DB, me: Admin):
    return _accounts_page(request, db, me)


@router.post("/accounts")
def add_account(request: Request, db: DB, me: Admin, form: Form):
    password = generate_password()
    try:
        account = create_account(db, form.get("name", ""), form.get("role", ""), form.get("unit") or None,
                                 password, me, source(request))
    except ScoringError as exc:
        db.rollback()
        return _accounts_page(request, db, me, 400, str(exc), "error")
    db.commit()
    return _accounts_page(request, db, me, 200, f"已创建账户“{account.name}”。", "ok", (account.name, password))


@router.post("/accounts/{account_id}/disable")
def disable(request: Request, db: DB, me: Admin, account_id: int):
    account = _account(db, account_id)
    if account.id == me.id:
        return _accounts_page(request, db, me, 400, "不能停用自己的账户。", "error")
    set_disabled(db, account, True, me, source(request))
    db.commit()
    return _accounts_page(request, db, me, 200, f"已停用账户“{account.name}”，其登录已失效。", "ok")


@router.post("/accounts/{account_id}/enable")
def enable(request: Request, db: DB, me: Admin, account_id: int):
    account = _account(db, account_id)
    set_disabled(db, account, False, me, source(request))
    db.commit()
    return _accounts_page(request, db, me, 200, f"已启用账户“{account.name}”。", "ok")


@router.post("/accounts/{account_id}/reset-password")
def reset(request: Request, db: DB, me: Admin, account_id: int):
    account = _account(db, account_id)
    password = generate_password()
    reset_password(db, account, password, me, source(request))
    db.commit()
    if account.id == me.id:
        request.state.session.login(account)
    return _accounts_page(request, db, me, 200, f"已重置账户“{account.name}”的密码。", "ok",
                          (account.name, password))


@router.get("/audit")
def audit_log(request: Request, db: DB, me: Admin):
    rows = list(db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(AUDIT_ROWS)))
    return page(request, "audit.html", me=me, rows=rows, limit=AUDIT_ROWS)
