"""Who can reach what on the server, on SQLite and PostgreSQL.

The route tests take the list of routes from the application itself (`app.routes`),
so a route added later is covered without touching them: an anonymous visitor gets
nothing, a 填报人 of unit 甲 never sees or changes unit 乙's data, a write without
the CSRF token is refused, a disabled account is refused everywhere. A route whose
path has a parameter this file does not know fails `_fill` until it is taught one.
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import func, select
from starlette.testclient import TestClient

from scoring.server.access import PUBLIC_PATHS, SAFE_METHODS
from scoring.server.accounts import MAX_ADDRESS_FAILURES, MAX_FAILURES, create_account, set_disabled
from scoring.server.app import create_app, network_warning
from scoring.server.checking import check, record
from scoring.server.database import open_store
from scoring.server.models import (
    Account,
    AuditEntry,
    LoginAttempt,
    Project,
    Scoring,
    Submission,
    SubmitEvent,
    now,
)
from scoring.server.submissions import store_submission

from .conftest import LIBREOFFICE_XLS

PASSWORD = "pass-word-1234"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
SECRET_PROJECT = "慢性病专家鉴定费"  # the project of the workbook 乙 uploads and submits
SECRET_FILE = "乙单位_自评_第一版.xls"


@pytest.fixture
def world(store):
    """An admin, a reviewer, 填报人 of units 甲 and 乙, a project each, an upload of 乙's,
    scored and submitted (so its Word document and review view exist)."""
    with store.session() as db:
        admin = create_account(db, "管理员", "管理员", None, PASSWORD, "测试", "命令行")
        create_account(db, "复核人", "复核人", None, PASSWORD, admin, "命令行")
        a = create_account(db, "填报人甲", "填报人", "甲单位", PASSWORD, admin, "命令行")
        # 乙 is the unit whose filled-in workbook the test uploads (seed 001's 慢性病专家鉴定费, 2022):
        # a sheet of another unit or year would be refused as not this project's
        b = create_account(db, "填报人乙", "填报人", "安阳市北关区医疗保障局", PASSWORD, admin, "命令行")
        db.add(Project(unit_id=a.unit_id, year=2022, name="甲单位公开项目", template="", contact="", created=now()))
        secret = Project(unit_id=b.unit_id, year=2022, name=SECRET_PROJECT, template="", contact="", created=now())
        db.add(secret)
        db.commit()
        content = LIBREOFFICE_XLS.read_bytes()
        row = store_submission(db, secret, content, SECRET_FILE, b, "10.0.0.2")
        checked = check(content, SECRET_FILE, secret)
        assert checked.errors == 0, checked.problems
        record(db, row, checked)
        db.add(SubmitEvent(submission_id=row.id, project_id=secret.id, account_id=b.id, at=now()))
        db.commit()
        return {"unit_a": a.unit_id, "unit_b": b.unit_id, "account_b": b.id, "sha_b": row.sha256,
                "project_b": secret.id}


@pytest.fixture
def app(store):
    return create_app(store, allow_hosts=("testserver",))


def client(app, address: str = "testclient") -> TestClient:
    return TestClient(app, follow_redirects=False, client=(address, 50000))


def login(app, name: str, password: str = PASSWORD, address: str = "testclient"):
    """A client logged in as `name` (the login's answer is kept as `.answer`)."""
    c = client(app, address)
    c.answer = c.post("/login", data={"csrf": token(c), "name": name, "password": password})
    return c


def token(c: TestClient) -> str:
    page = c.get("/login")
    if page.status_code == 303:  # logged in already: any page of ours carries it
        page = c.get("/account")
    return CSRF.search(page.text)[1]


def every_route(app):
    """(method, path, public) of every route the app answers, prefixes of included routers too."""
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            for method in sorted(route.methods - {"HEAD"}):
                yield method, context.path, route.endpoint in app.state.public


def _fill(path: str, world) -> str:
    values = {"unit_id": world["unit_b"], "account_id": world["account_b"], "name": "app.css",
              "project_id": world["project_b"], "version": 1, "year": 2022}
    names = re.findall(r"{(\w+)}", path)
    unknown = [n for n in names if n not in values]
    assert not unknown, f"{path}: teach the access tests a value for {unknown}"
    return re.sub(r"{(\w+)}", lambda m: str(values[m[1]]), path)


def _send(c: TestClient, method: str, url: str, csrf: str | None):
    data = {"csrf": csrf} if csrf else {}
    return c.request(method, url, data=data if method not in SAFE_METHODS else None)


def _refused_as_anonymous(response) -> bool:
    if response.status_code == 303:
        return response.headers["location"] == "/login"
    return response.status_code == 401


def _state_of_unit_b(store, world):
    with store.session() as db:
        b = db.get(Account, world["account_b"])
        return (b.password_hash, b.disabled, b.session_epoch,
                db.scalar(select(func.count()).select_from(Submission)),
                db.scalar(select(func.count()).select_from(Scoring)),
                db.scalar(select(func.count()).select_from(SubmitEvent)),
                db.scalar(select(func.count()).select_from(Account)),
                db.scalar(select(func.count()).select_from(Project)))


def test_the_route_list_is_the_one_tested(app):
    paths = {path for _, path, _ in every_route(app)}
    assert {"/login", "/logout", "/account", "/units/{unit_id}", "/admin/accounts", "/admin/audit",
            "/admin/setup", "/projects/{project_id}/upload", "/projects/{project_id}/submit",
            "/projects/{project_id}/document", "/dashboard", "/dashboard/{year}/summary.xlsx",
            "/projects/{project_id}/versions/{version}/review"} <= paths
    assert {path for _, path, public in every_route(app) if public} == set(PUBLIC_PATHS)


def test_an_anonymous_visitor_gets_nothing_but_the_login_page(app, world):
    anonymous = client(app)
    valid = token(anonymous)  # even with the session's own CSRF token
    for method, path, public in every_route(app):
        if public:
            continue
        answer = _send(anonymous, method, _fill(path, world), valid)
        assert _refused_as_anonymous(answer), (method, path, answer.status_code)
        assert SECRET_PROJECT not in answer.text
    login_page = anonymous.get("/login")
    assert login_page.status_code == 200 and "登录" in login_page.text and "账户名" in login_page.text
    assert anonymous.get("/static/app.css").status_code == 200


def test_a_reporter_never_sees_or_changes_another_units_data(app, store, world):
    before = _state_of_unit_b(store, world)
    for method, path, public in every_route(app):
        reporter = login(app, "填报人甲")
        answer = _send(reporter, method, _fill(path, world), token(reporter))
        for secret in (SECRET_PROJECT, SECRET_FILE, world["sha_b"][:12], "乙单位", "北关区"):
            assert secret not in answer.text, (method, path, secret)
        assert answer.status_code < 500, (method, path)
    assert _state_of_unit_b(store, world) == before
    own = login(app, "填报人甲")
    assert own.answer.headers["location"] == f"/units/{world['unit_a']}"
    page = own.get(f"/units/{world['unit_a']}")
    assert page.status_code == 200 and "甲单位公开项目" in page.text
    assert own.get(f"/units/{world['unit_b']}").status_code == 404
    assert own.get("/admin/accounts").status_code == 403
    reviewer = login(app, "复核人")  # the performance office sees every unit
    assert SECRET_PROJECT in reviewer.get(f"/units/{world['unit_b']}").text
    assert reviewer.get("/admin/accounts").status_code == 403


def test_every_write_without_the_csrf_token_is_refused(app, store, world):
    admin = login(app, "管理员")
    before = _state_of_unit_b(store, world)
    writes = [(m, p) for m, p, _ in every_route(app) if m not in SAFE_METHODS]
    assert ("POST", "/admin/accounts/{account_id}/disable") in writes
    for method, path in writes:
        for csrf in (None, "forged-token"):
            answer = _send(admin, method, _fill(path, world), csrf)
            assert answer.status_code == 403 and "CSRF" in answer.text, (method, path, csrf)
    assert _state_of_unit_b(store, world) == before
    anonymous = client(app)
    assert anonymous.post("/login", data={"name": "管理员", "password": PASSWORD}).status_code == 403
    # with the token, by form and by JSON with the header, the same writes work
    made = admin.post("/admin/accounts", data={"csrf": token(admin), "name": "新复核人", "role": "reviewer"})
    assert made.status_code == 200 and "只显示这一次" in made.text
    made = admin.post("/admin/accounts", json={"name": "另一个复核人", "role": "复核人"},
                      headers={"X-CSRF-Token": token(admin)})
    assert made.status_code == 200
    with store.session() as db:
        assert {"新复核人", "另一个复核人"} <= set(db.scalars(select(Account.name)))


def test_a_disabled_account_is_refused_everywhere(app, store, world):
    reviewer = login(app, "复核人")
    assert reviewer.get(f"/units/{world['unit_b']}").status_code == 200
    with store.session() as db:
        set_disabled(db, db.scalar(select(Account).where(Account.name == "复核人")), True, "测试", "命令行")
        db.commit()
    csrf = token(client(app))
    for method, path, public in every_route(app):
        if not public:
            assert _refused_as_anonymous(_send(reviewer, method, _fill(path, world), csrf)), (method, path)
    again = login(app, "复核人")
    assert again.answer.status_code == 401 and "已停用" in again.answer.text


def test_login_attempts_are_limited_across_two_server_processes(store, where, world):
    second = open_store(where)  # another process on the same database
    try:
        one, two = create_app(store, allow_hosts=("testserver",)), create_app(second, allow_hosts=("testserver",))
        assert login(one, "填报人甲", "wrong password").answer.status_code == 401
        for app in (one, two, two, one):
            answer = login(app, "填报人甲", "wrong password").answer
            assert answer.status_code == 401 and "账户名或密码不正确" in answer.text
        blocked = login(two, "填报人甲").answer  # the right password, after MAX_FAILURES failures
        assert blocked.status_code == 429 and "次数过多" in blocked.text
        assert login(one, "填报人甲").answer.status_code == 429
        elsewhere = login(one, "填报人甲", address="10.9.9.9").answer  # another address is not blocked
        assert elsewhere.status_code == 303
        with store.session() as db:
            failures = db.scalar(select(func.count()).select_from(LoginAttempt).where(
                LoginAttempt.name == "填报人甲", LoginAttempt.success.is_(False)))
            assert failures == MAX_FAILURES
            actions = list(db.scalars(select(AuditEntry.action).where(AuditEntry.target == "填报人甲")
                                      .order_by(AuditEntry.id)))
        # two blocked tries, one audit row (once per name, address and window)
        assert actions[-MAX_FAILURES - 2:] == ["login_failed"] * MAX_FAILURES + ["login_blocked"] + ["login"]
        # a session signed by one process is honoured by the other (one key in the database)
        session = login(one, "复核人")
        other = client(two)
        other.cookies = session.cookies
        assert other.get(f"/units/{world['unit_b']}").status_code == 200
    finally:
        second.close()


def test_account_changes_and_logins_are_in_the_audit_log(app, store, world):
    admin = login(app, "管理员")
    admin.post("/admin/accounts", data={"csrf": token(admin), "name": "丙填报人", "role": "填报人", "unit": "丙单位"})
    with store.session() as db:
        new_id = db.scalar(select(Account.id).where(Account.name == "丙填报人"))
    for action in ("reset-password", "disable", "enable"):
        assert admin.post(f"/admin/accounts/{new_id}/{action}", data={"csrf": token(admin)}).status_code == 200
    with store.session() as db:
        rows = db.scalars(select(AuditEntry).where(AuditEntry.actor == "管理员", AuditEntry.source == "testclient")
                            .order_by(AuditEntry.id)).all()
    assert [(r.action, r.target, r.source) for r in rows] == [
        ("login", "管理员", "testclient"), ("account_create", "丙填报人", "testclient"),
        ("password_reset", "丙填报人", "testclient"), ("account_disable", "丙填报人", "testclient"),
        ("account_enable", "丙填报人", "testclient")]
    assert "单位 丙单位" in rows[1].detail
    page = admin.get("/admin/audit")
    assert page.status_code == 200 and "创建账户" in page.text and "停用账户" in page.text


def test_a_password_reset_ends_the_old_sessions(app, store, world):
    reporter = login(app, "填报人甲")
    assert reporter.get("/account").status_code == 200
    admin = login(app, "管理员")
    with store.session() as db:
        target = db.scalar(select(Account.id).where(Account.name == "填报人甲"))
    reset = admin.post(f"/admin/accounts/{target}/reset-password", data={"csrf": token(admin)})
    new_password = re.search(r"<b>([A-Za-z0-9_-]{16})</b>", reset.text)[1]
    assert reporter.get("/account").headers["location"] == "/login"
    assert login(app, "填报人甲", PASSWORD).answer.status_code == 401
    fresh = login(app, "填报人甲", new_password)
    assert fresh.answer.status_code == 303
    changed = fresh.post("/account/password", data={"csrf": token(fresh), "old": new_password,
                                                      "new": "my own password", "again": "my own password"})
    assert changed.status_code == 200 and "密码已修改" in changed.text
    assert fresh.get("/account").status_code == 200  # this session goes on
    assert login(app, "填报人甲", "my own password").answer.status_code == 303
    copied = client(app)
    copied.cookies.update(fresh.cookies)  # the session cookie, copied to another browser
    assert copied.get("/account").status_code == 200
    logout = fresh.post("/logout", data={"csrf": token(fresh)})
    assert logout.headers["location"] == "/login" and fresh.get("/account").status_code == 303
    assert copied.get("/account").status_code == 303  # 退出 ends the copied cookie's session too


def test_requests_to_another_host_name_are_refused_and_the_network_warning_names_https(app, world):
    assert client(app).get("/login", headers={"Host": "evil.example"}).status_code == 400
    warning = network_warning("0.0.0.0")
    assert "HTTPS" in warning and "反向代理" in warning and "超时" in warning
    assert network_warning("127.0.0.1") is None


def test_a_route_added_later_without_a_role_is_still_closed_to_anonymous_visitors(app, world):
    @app.get("/forgot-its-role")
    def forgot():
        return {"secret": SECRET_PROJECT}

    @app.post("/forgot-its-role")
    def forgot_write():
        return {"secret": SECRET_PROJECT}

    anonymous = client(app)
    assert _refused_as_anonymous(anonymous.get("/forgot-its-role"))
    assert _refused_as_anonymous(anonymous.post("/forgot-its-role", data={"csrf": token(anonymous)}))
    reviewer = login(app, "复核人")
    assert reviewer.post("/forgot-its-role").status_code == 403  # and writes still need the token
    assert reviewer.get("/forgot-its-role").json() == {"secret": SECRET_PROJECT}


def test_trying_many_names_from_one_address_is_limited_too(app, store, world):
    with store.session() as db:  # earlier failures from this address, a few for each of many names
        db.add_all(LoginAttempt(name=f"猜测{n}", source="10.6.6.6", success=False, at=now())
                   for n in range(MAX_ADDRESS_FAILURES))
        db.commit()
    assert login(app, "填报人甲", address="10.6.6.6").answer.status_code == 429
    assert login(app, "填报人甲", address="10.6.6.7").answer.status_code == 303


def test_odd_bodies_and_years_are_clear_answers_not_server_errors(app, world):
    anonymous = client(app)
    deep = anonymous.post("/login", content="[" * 60000, headers={"Content-Type": "application/json"})
    assert deep.status_code in (400, 403) and "Internal" not in deep.text
    reporter = login(app, "填报人甲")
    odd = reporter.post(f"/units/{world['unit_a']}/upload", data={"csrf": token(reporter), "year": "²"},
                        files={"file": ("x.xlsx", b"PK")})
    assert odd.status_code < 500


def test_blocked_logins_are_audited_once_a_window_and_anonymous_uploads_are_refused(app, world, store):
    from sqlalchemy import func, select

    from scoring.server.models import AuditEntry

    anonymous = client(app)
    for _ in range(12):
        anonymous.post("/login", data={"csrf": token(anonymous), "name": "填报人甲", "password": "wrong"})
    with store.session() as db:
        blocked = db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "login_blocked"))
    assert blocked == 1
    upload = client(app).post("/login", files={"file": ("big.bin", b"x" * 1000)})
    assert upload.status_code == 415
