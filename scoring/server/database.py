"""Where the server keeps its data, and the database brought up to date on start.

`place` turns the command line's `--data DIR` or `--database URL` into a `Place`:
by default an SQLite file in the data folder (nothing else to install or start), or
PostgreSQL through psycopg (`postgresql+psycopg://user:password@host/name`).
`open_store` makes the engine, applies the Alembic migrations shipped in
`migrations/` (an SQLite file is first copied into `backups/` of the data folder,
with the sqlite3 backup API, whenever a migration is about to change it) and
returns a `Store` whose sessions every route and command uses.

SQLite is opened in WAL mode with a busy timeout, so several processes on one file
wait for each other instead of failing; the driver begins a transaction at the first
write (reads before it take no lock, so a login's password check holds none), and a
migration takes the write lock before it looks, as PostgreSQL takes an advisory lock:
two processes starting together do not both apply a migration.
"""

from __future__ import annotations

import secrets
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from scoring.core.issues import ScoringError
from scoring.server.models import Setting

DEFAULT_DATA = "jixiao-data"
SQLITE_FILE = "jixiao.sqlite3"
MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATION_LOCK = 0x6A6978  # PostgreSQL advisory lock key while migrating ("jix")


@dataclass(frozen=True)
class Place:
    """The database URL, the SQLite file when it is one, and the data folder (backups
    before migrations, and the storage folder of uploaded files when one is named)."""

    url: str
    data: Path
    sqlite_file: Path | None
    storage: Path | None = None

    @property
    def shown(self) -> str:
        """The URL without its password, for messages."""
        return make_url(self.url).render_as_string(hide_password=True)


def place(data: str | Path | None = None, database: str | None = None,
          storage: str | Path | None = None) -> Place:
    folder = Path(data or DEFAULT_DATA).resolve()
    store = Path(storage).resolve() if storage else None
    if not database:
        return Place(f"sqlite:///{folder / SQLITE_FILE}", folder, folder / SQLITE_FILE, store)
    try:
        url = make_url(database)
    except ArgumentError:
        raise ScoringError(f"数据库地址无法识别：{database}。示例：postgresql+psycopg://用户:密码@主机/库名") from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if url.drivername == "sqlite":
        if not url.database or url.database == ":memory:":
            raise ScoringError("SQLite 数据库须是一个文件，如 sqlite:///jixiao-data/jixiao.sqlite3")
        file = Path(url.database).resolve()
        return Place(f"sqlite:///{file}", folder, file, store)
    if url.drivername != "postgresql+psycopg":
        raise ScoringError(f"不支持的数据库：{url.drivername}。可用 SQLite（默认，--data 文件夹）"
                           "或 PostgreSQL（postgresql+psycopg://用户:密码@主机/库名）")
    return Place(url.render_as_string(hide_password=False), folder, None, store)


class Store:
    """The engine and its sessions, for one server process or one command."""

    def __init__(self, where: Place, engine: Engine):
        self.place = where
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)

    def session(self) -> Session:
        return self.sessions()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def secret(self) -> str:
        """The key that signs session cookies, made once and shared by every process."""
        with self.session() as db:
            found = db.get(Setting, "session_key")
            if found:
                return found.value
            db.add(Setting(key="session_key", value=secrets.token_urlsafe(48)))
            try:
                db.commit()
            except IntegrityError:  # another process made it first
                db.rollback()
            return db.get(Setting, "session_key").value

    def close(self) -> None:
        self.engine.dispose()


def engine_for(where: Place) -> Engine:
    if where.sqlite_file is None:
        return create_engine(where.url, pool_pre_ping=True)
    where.sqlite_file.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(where.url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    return engine


def open_store(where: Place, migrate_now: bool = True) -> Store:
    """The store at `where`, its schema brought up to date first."""
    engine = engine_for(where)
    try:
        if migrate_now:
            migrate(engine, where)
    except Exception:
        engine.dispose()
        raise
    return Store(where, engine)


def _alembic_config(connection=None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine, where: Place) -> str | None:
    """Apply the migrations not yet applied; the revision reached, or None when there
    was nothing to do. An SQLite file with tables is copied to backups/ first."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    head = head_revision()
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        else:  # the write lock first: a second process waits here, then finds nothing to do
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        current = MigrationContext.configure(connection).get_current_revision()
        if current == head:
            connection.rollback()
            return None
        if where.sqlite_file is not None and inspect(connection).get_table_names():
            backup_sqlite(where.sqlite_file, where.data / "backups" /
                          f"迁移前_{current or '无版本'}_{datetime.now(UTC):%Y%m%dT%H%M%SZ}.sqlite3")
        command.upgrade(_alembic_config(connection), "head")
        connection.commit()
    return head


def backup_sqlite(source: Path, target: Path) -> Path:
    """A consistent copy of an SQLite file (the sqlite3 backup API: safe while other
    processes write), written beside its target and then renamed into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    try:
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(partial)) as dst:
            src.backup(dst)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def has_rows(store: Store, table) -> bool:
    with store.session() as db:
        return db.execute(select(table).limit(1)).first() is not None
