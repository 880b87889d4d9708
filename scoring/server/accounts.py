"""Accounts, passwords, logins and the audit log, without HTTP: the pages and the
`jixiao server account` commands both call these.

Passwords are hashed with argon2id at OWASP's recommended cost (19 MiB, two passes, one
lane: about 0.13 s on a 2-core machine); only the hash is stored, and at most
CONCURRENT_HASHES hashes are computed at once per process, so a burst of logins cannot
take the machine's memory. Hashes made with other costs still verify and are
re-hashed at the next login.
A login is refused after MAX_FAILURES failures for one name from one address within
WINDOW, or MAX_ADDRESS_FAILURES for any names from one address; the failures are rows of `login_attempts`, so the count holds across server
processes. A disabled account cannot log in, and disabling it or resetting its
password raises its `session_epoch`, which ends the sessions it already had.
Every change, and every login and refusal, is a row of the append-only audit log.
"""

from __future__ import annotations

import secrets
import threading
import unicodedata
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scoring.core.issues import ScoringError
from scoring.server.models import ROLES, Account, AuditEntry, LoginAttempt, Unit, now

MAX_FAILURES = 5  # for one account name from one address
MAX_ADDRESS_FAILURES = 30  # for any names from one address: trying many names is limited too
WINDOW = timedelta(minutes=15)
MIN_PASSWORD = 10
COMMAND_LINE = "命令行"  # where an action typed on the server itself comes from

CONCURRENT_HASHES = 4

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_hashing = threading.BoundedSemaphore(CONCURRENT_HASHES)
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))  # verified against when no account has the name


class LoginRefused(ScoringError):
    """A login that did not succeed; the message is what the person sees."""


def hash_password(password: str) -> str:
    with _hashing:
        return _hasher.hash(password)


def generate_password() -> str:
    """A password to hand out once: 16 characters from letters, digits, - and _."""
    return secrets.token_urlsafe(12)


def check_new_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ScoringError(f"密码太短：至少 {MIN_PASSWORD} 个字符。")
    return password


def clean_name(name: str) -> str:
    """An account or unit name as typed, made comparable (full-width letters, spaces)."""
    text = unicodedata.normalize("NFKC", name or "").strip()
    if not text or len(text) > 100 or any(unicodedata.category(c).startswith("C") for c in text):
        raise ScoringError("名称须为 1–100 个可见字符。")
    return text


def role_code(role: str) -> str:
    """A role given as 填报人/复核人/管理员 or as its code."""
    for code, name in ROLES.items():
        if role in (code, name):
            return code
    raise ScoringError(f"没有这个角色：{role}。可用：{'、'.join(ROLES.values())}")


def audit(db: Session, by: Account | str | None, action: str, target: str = "", source: str = "",
          detail: str = "") -> None:
    """Add a row to the audit log (committed with the change it records)."""
    actor = by.name if isinstance(by, Account) else (by or "匿名")
    db.add(AuditEntry(account_id=by.id if isinstance(by, Account) else None, actor=actor,
                      action=action, target=target[:300], source=source[:100], detail=detail, at=now()))


def find_account(db: Session, name: str) -> Account:
    found = db.scalar(select(Account).where(Account.name == clean_name(name)))
    if found is None:
        raise ScoringError(f"没有名为“{name}”的账户。")
    return found


def unit_named(db: Session, name: str, create: bool = False) -> Unit:
    """The unit of that name; made when `create` and it does not exist yet."""
    wanted = clean_name(name)
    found = db.scalar(select(Unit).where(Unit.name == wanted))
    if found is None:
        if not create:
            raise ScoringError(f"没有名为“{wanted}”的单位。")
        found = Unit(name=wanted, contact="", created=now())
        db.add(found)
        db.flush()
    return found


def create_account(db: Session, name: str, role: str, unit: str | None, password: str,
                   by: Account | str, source: str) -> Account:
    """A new account; a 填报人 belongs to a unit (made if the set-up has not listed it yet)."""
    code = role_code(role)
    wanted = clean_name(name)
    if db.scalar(select(Account).where(Account.name == wanted)) is not None:
        raise ScoringError(f"账户“{wanted}”已存在。")
    if code == "reporter" and not (unit or "").strip():
        raise ScoringError("填报人须属于一个单位：请给出单位名称。")
    the_unit = unit_named(db, unit, create=True) if code == "reporter" else None
    account = Account(name=wanted, role=code, unit=the_unit, password_hash=hash_password(
        check_new_password(password)), disabled=False, session_epoch=0, created=now())
    db.add(account)
    db.flush()
    audit(db, by, "account_create", wanted, source,
          f"角色 {ROLES[code]}" + (f"，单位 {the_unit.name}" if the_unit else ""))
    return account


def set_disabled(db: Session, account: Account, disabled: bool, by: Account | str, source: str) -> None:
    account.disabled = disabled
    account.session_epoch += 1
    audit(db, by, "account_disable" if disabled else "account_enable", account.name, source)


def reset_password(db: Session, account: Account, password: str, by: Account | str, source: str) -> None:
    account.password_hash = hash_password(check_new_password(password))
    account.session_epoch += 1
    audit(db, by, "password_reset", account.name, source)


def change_own_password(db: Session, account: Account, old: str, new: str, source: str) -> None:
    if not _verify(account.password_hash, old):
        raise ScoringError("当前密码不正确。")
    account.password_hash = hash_password(check_new_password(new))
    account.session_epoch += 1
    audit(db, account, "password_change", account.name, source)


def recent_failures(db: Session, name: str | None, source: str) -> int:
    """Failed logins from `source` within WINDOW, for `name` (or for every name when None)."""
    query = select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.source == source, LoginAttempt.success.is_(False), LoginAttempt.at > now() - WINDOW)
    if name is not None:
        query = query.where(LoginAttempt.name == name)
    return db.scalar(query) or 0


def authenticate(db: Session, name: str, password: str, source: str) -> Account:
    """The account whose name and password these are, or LoginRefused (committed either way)."""
    try:
        wanted = clean_name(name)
    except ScoringError:
        raise LoginRefused("账户名或密码不正确。") from None
    if (recent_failures(db, wanted, source) >= MAX_FAILURES
            or recent_failures(db, None, source) >= MAX_ADDRESS_FAILURES):
        # one audit row per name and address per window: blocked tries cost nothing to send,
        # and must not grow the append-only log without end
        since = now() - WINDOW
        logged = db.scalar(select(AuditEntry.id).where(
            AuditEntry.action == "login_blocked", AuditEntry.target == wanted, AuditEntry.source == source,
            AuditEntry.at >= since).limit(1))
        if logged is None:
            audit(db, wanted, "login_blocked", wanted, source)
            db.commit()
        minutes = int(WINDOW.total_seconds() // 60)
        raise LoginRefused(f"登录失败次数过多，请 {minutes} 分钟后再试，或请管理员重置密码。")
    account = db.scalar(select(Account).where(Account.name == wanted))
    if not _verify(account.password_hash if account else _DUMMY, password) or account is None:
        db.add(LoginAttempt(name=wanted, source=source, success=False, at=now()))
        audit(db, account or wanted, "login_failed", wanted, source)
        db.commit()
        raise LoginRefused("账户名或密码不正确。")
    if account.disabled:
        db.add(LoginAttempt(name=wanted, source=source, success=False, at=now()))
        audit(db, account, "login_refused_disabled", wanted, source)
        db.commit()
        raise LoginRefused("此账户已停用，请联系管理员。")
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    db.add(LoginAttempt(name=wanted, source=source, success=True, at=now()))
    audit(db, account, "login", wanted, source)
    db.commit()
    return account


def _verify(stored: str, password: str) -> bool:
    try:
        with _hashing:
            return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
