"""The server's database: migrations, password hashes, append-only submissions and audit
log, backup and restore; each test on SQLite and on PostgreSQL (conftest.py)."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing

import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import DBAPIError

from scoring.core.issues import ScoringError
from scoring.server.accounts import audit, create_account, reset_password
from scoring.server.backup import backup, restore
from scoring.server.database import (
    _alembic_config,
    current_revision,
    engine_for,
    head_revision,
    migrate,
    open_store,
    place,
)
from scoring.server.models import (
    Account,
    AuditEntry,
    Project,
    SavedReview,
    Scoring,
    Submission,
    SubmitEvent,
    now,
)
from scoring.server.submissions import store_submission, submission_bytes, versions

from .conftest import empty_postgres

TABLES = {"settings", "units", "projects", "accounts", "submissions", "audit_log", "login_attempts", "scorings",
          "submit_events"}
PASSWORD = "correct horse battery"


def _project(db, unit_name="甲单位", project="道路养护项目"):
    admin = create_account(db, "管理员甲", "管理员", None, PASSWORD, "测试", "命令行")
    reporter = create_account(db, "填报人甲", "填报人", unit_name, PASSWORD, admin, "127.0.0.1")
    project = Project(unit_id=reporter.unit_id, year=2024, name=project, template="henan_project",
                      contact="李四 0371-12345678", created=now())
    db.add(project)
    db.commit()
    return reporter, project


def test_migrations_make_every_table_on_an_empty_database_and_do_nothing_the_second_time(store, where):
    assert TABLES <= set(inspect(store.engine).get_table_names())
    assert current_revision(store.engine) == head_revision() is not None
    assert migrate(store.engine, where) is None  # already at head: nothing applied
    again = open_store(where)  # a second process starting on the same database
    try:
        assert current_revision(again.engine) == head_revision()
        assert again.secret() == store.secret()  # every process signs cookies with one key
    finally:
        again.close()
    assert not (where.data / "backups").exists()  # nothing to migrate, so no copy was made


def test_an_sqlite_file_is_copied_before_a_migration_changes_it(tmp_path):
    where = place(tmp_path / "data")
    where.data.mkdir()
    with closing(sqlite3.connect(where.sqlite_file)) as db:
        db.execute("CREATE TABLE earlier (note TEXT)")
        db.execute("INSERT INTO earlier VALUES ('kept')")
        db.commit()
    open_store(where).close()
    copies = list((where.data / "backups").glob("迁移前_*.sqlite3"))
    assert len(copies) == 1
    with closing(sqlite3.connect(copies[0])) as copy:
        assert copy.execute("SELECT note FROM earlier").fetchall() == [("kept",)]
        assert "accounts" not in {r[0] for r in copy.execute("SELECT name FROM sqlite_master")}


def test_passwords_are_stored_only_as_argon2_hashes(store):
    with store.session() as db:
        create_account(db, "王五", "复核人", None, PASSWORD, "测试", "命令行")
        db.commit()
        stored = db.scalar(select(Account.password_hash).where(Account.name == "王五"))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    with store.engine.connect() as connection:  # nowhere in any table
        for table in TABLES:
            for row in connection.execute(text(f"SELECT * FROM {table}")):
                assert not any(PASSWORD in str(value) for value in row), table
    with store.session() as db, pytest.raises(ScoringError, match="至少 10 个字符"):
        create_account(db, "赵六", "复核人", None, "short", "测试", "命令行")


def test_a_second_upload_is_version_two_and_version_one_is_unchanged(store):
    first, second = b"PK\x03\x04 first workbook", b"PK\x03\x04 second workbook, fixed"
    with store.session() as db:
        reporter, project = _project(db)
        one = store_submission(db, project, first, "道路养护_自评.xlsx", reporter, "10.0.0.5")
        two = store_submission(db, project, second, "道路养护_自评(改).xlsx", reporter, "10.0.0.5")
    assert (one.version, two.version) == (1, 2)
    with store.session() as db:
        project = db.get(Project, project.id)
        kept = versions(db, project)
        assert [r.version for r in kept] == [1, 2]
        assert kept[0].sha256 == hashlib.sha256(first).hexdigest() and submission_bytes(kept[0]) == first
        assert kept[1].sha256 == hashlib.sha256(second).hexdigest() and submission_bytes(kept[1]) == second
        assert kept[0].original_name == "道路养护_自评.xlsx" and kept[0].uploaded_by == reporter.id
        uploads = db.scalars(select(AuditEntry).where(AuditEntry.action == "upload")).all()
        assert [u.source for u in uploads] == ["10.0.0.5", "10.0.0.5"]
        assert "第 2 版" in uploads[1].detail and hashlib.sha256(second).hexdigest() in uploads[1].detail


@pytest.mark.parametrize("statement", [
    "UPDATE submissions SET sha256 = 'x'", "DELETE FROM submissions",
    "UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log",
    "UPDATE scorings SET errors = 0", "DELETE FROM scorings",
    "UPDATE submit_events SET submission_id = 2", "DELETE FROM submit_events"])
def test_the_database_itself_refuses_to_change_submissions_scorings_submits_or_the_audit_log(store, statement):
    with store.session() as db:
        reporter, project = _project(db)
        row = store_submission(db, project, b"data", "a.xlsx", reporter, "10.0.0.5")
        db.add(Scoring(submission_id=row.id, errors=1, warnings=0, total=None, grade=None, issues="[]", scored_at=now()))
        db.add(SubmitEvent(submission_id=row.id, project_id=project.id, account_id=reporter.id, at=now()))
        db.commit()
    with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as connection:
        connection.execute(text(statement))
    with store.session() as db:
        assert db.scalar(select(func.count()).select_from(Submission)) == 1
        assert db.scalar(select(Submission.sha256)) == hashlib.sha256(b"data").hexdigest()


@pytest.mark.parametrize("table", ["submissions", "audit_log", "scorings", "submit_events", "reviews"])
def test_no_append_only_table_can_be_emptied(store, table):
    # PostgreSQL: TRUNCATE fires no row trigger, so a statement trigger refuses it (0005);
    # SQLite has no TRUNCATE, and a DELETE of every row is refused by the row triggers
    emptying = f"TRUNCATE {table} CASCADE" if store.engine.dialect.name == "postgresql" else f"DELETE FROM {table}"
    with store.session() as db:  # a row in each table, so that a row trigger has something to refuse
        reporter, project = _project(db)
        row = store_submission(db, project, b"data", "a.xlsx", reporter, "10.0.0.5")
        db.add(Scoring(submission_id=row.id, errors=0, warnings=0, total="90", grade="优", issues="[]", scored_at=now()))
        db.add(SubmitEvent(submission_id=row.id, project_id=project.id, account_id=reporter.id, at=now()))
        db.add(SavedReview(submission_id=row.id, account_id=reporter.id, at=now(), total="90", grade="优", record="{}"))
        db.commit()
    with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as connection:
        connection.execute(text(emptying))
    with store.session() as db:
        assert db.scalar(select(func.count()).select_from(Submission)) == 1


def test_files_in_a_storage_folder_are_named_by_their_hash_and_checked_when_read(store, tmp_path):
    folder = tmp_path / "files"
    content = b"uploaded bytes \x00\xff exactly"
    digest = hashlib.sha256(content).hexdigest()
    with store.session() as db:
        reporter, project = _project(db)
        row = store_submission(db, project, content, "../../etc/passwd", reporter, "10.0.0.5", storage=folder)
    assert row.content is None and row.stored_as == digest
    assert [p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()] == [f"{digest[:2]}/{digest}"]
    assert submission_bytes(row, folder) == content
    (folder / digest[:2] / digest).write_bytes(b"changed afterwards")
    with pytest.raises(ScoringError, match="SHA-256 不符"):
        submission_bytes(row, folder)


def _fill(store):
    with store.session() as db:
        reporter, project = _project(db)
        store_submission(db, project, b"version one", "v1.xlsx", reporter, "10.0.0.5")
        store_submission(db, project, b"version two", "v2.xlsx", reporter, "10.0.0.5")
        audit(db, reporter, "login", reporter.name, "10.0.0.5")
        db.commit()


def _contents(store):
    with store.session() as db:
        return (sorted((a.name, a.role, a.password_hash) for a in db.scalars(select(Account))),
                [(s.version, s.sha256, submission_bytes(s)) for s in db.scalars(select(Submission).order_by(Submission.id))],
                [(e.action, e.actor, e.source) for e in db.scalars(select(AuditEntry).order_by(AuditEntry.id))])


def test_backup_then_restore_gives_back_the_same_data(store, where, tmp_path):
    _fill(store)
    before = _contents(store)
    out = backup(store, tmp_path / "备份.sqlite3")
    with pytest.raises(ScoringError, match="已存在"):
        backup(store, out)
    if where.sqlite_file is not None:
        with store.session() as db:  # a change after the backup, undone by the restore
            reset_password(db, db.scalar(select(Account).where(Account.name == "填报人甲")), "a new password",
                           "测试", "命令行")
            db.commit()
        said = restore(store, out)
        assert "恢复前_" in said and list((where.data / "backups").glob("恢复前_*.sqlite3"))
        target = store
    else:
        with pytest.raises(ScoringError, match="已有账户或数据"):
            restore(store, out)  # never over data
        store.close()
        empty_postgres(where.url)
        target = open_store(where)
        restore(target, out)
    try:
        assert _contents(target) == before
        with target.session() as db:  # the restored database takes new rows after the old ones
            reporter = db.scalar(select(Account).where(Account.name == "填报人甲"))
            project = db.scalar(select(Project))
            assert store_submission(db, project, b"three", "v3.xlsx", reporter, "10.0.0.5").version == 3
    finally:
        target.close()


def test_restore_refuses_a_file_that_is_not_a_backup(store, tmp_path):
    bogus = tmp_path / "not-a-backup.sqlite3"
    bogus.write_bytes(b"this is not a database" * 100)
    with pytest.raises(ScoringError, match="不是 jixiao 服务器的备份"):
        restore(store, bogus)


def _start(where):
    opened = open_store(where)
    try:
        return current_revision(opened.engine)
    finally:
        opened.close()


def _upload_five(where, worker: int) -> None:
    opened = open_store(where)
    try:
        with opened.session() as db:
            reporter = db.scalar(select(Account).where(Account.name == "填报人甲"))
            project = db.scalar(select(Project))
            for n in range(5):
                store_submission(db, project, f"{worker}-{n}".encode(), f"{worker}-{n}.xlsx", reporter, "10.0.0.5")
    finally:
        opened.close()


def test_processes_starting_and_uploading_together_neither_fail_nor_mix_up(where):
    import multiprocessing

    spawn = multiprocessing.get_context("spawn")
    with spawn.Pool(3) as pool:  # three processes starting on an empty database at once
        assert pool.map(_start, [where] * 3) == [head_revision()] * 3
    store = open_store(where)
    try:
        with store.session() as db:
            _project(db)
        with spawn.Pool(3) as pool:  # three processes uploading versions of one project at once
            pool.starmap(_upload_five, [(where, w) for w in range(3)])
        with store.session() as db:
            rows = db.scalars(select(Submission).order_by(Submission.version)).all()
            assert [r.version for r in rows] == list(range(1, 16))
            assert sorted(submission_bytes(r) for r in rows) == sorted(f"{w}-{n}".encode() for w in range(3) for n in range(5))
            assert all(r.original_name == submission_bytes(r).decode() + ".xlsx" for r in rows)
    finally:
        store.close()


def test_a_database_of_the_first_schema_is_upgraded_with_its_data_kept(where):
    from alembic import command

    engine = engine_for(where)
    with engine.begin() as connection:  # a database made by the jixiao that had only 0001
        command.upgrade(_alembic_config(connection), "0001")
        connection.exec_driver_sql("INSERT INTO units (name, contact, created) VALUES ('甲单位', '', '2025-01-01')")
    engine.dispose()
    assert head_revision() != "0001"
    store = open_store(where)
    try:
        assert current_revision(store.engine) == head_revision()
        assert {"scorings", "submit_events"} <= set(inspect(store.engine).get_table_names())
        with store.session() as db:
            assert db.scalar(select(func.count()).select_from(Scoring)) == 0
            reporter, project = _project(db, unit_name="甲单位")
            assert reporter.unit.created.year == 2025  # the unit made before the upgrade
        if where.sqlite_file is not None:
            assert list((where.data / "backups").glob("迁移前_0001_*.sqlite3"))
    finally:
        store.close()
