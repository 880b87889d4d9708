"""`jixiao server backup OUT` and `restore IN`: a backup is always one SQLite file.

- SQLite server: the sqlite3 backup API copies the live file page by page (safe while
  the server runs); restoring copies a backup back the same way, after keeping the
  current file in `backups/` of the data folder.
- PostgreSQL server: every table is copied row by row through SQLAlchemy into a new
  SQLite file made by the same migrations, so one format serves both and a bureau can
  move from SQLite to PostgreSQL by restoring an SQLite backup into an empty
  PostgreSQL database. Restoring into PostgreSQL refuses a database that already has
  accounts or data (nothing is overwritten): create an empty database first. For very
  large databases pg_dump/pg_restore remain the tools (docs/server.md).

Files kept in a storage folder are not in the database: they are named by their hash
and never change, so copying the folder (cp -a, rsync) backs them up.
"""

from __future__ import annotations

import secrets
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, func, insert, select, text

from scoring.core.issues import ScoringError
from scoring.server.database import (
    Place,
    Store,
    backup_sqlite,
    current_revision,
    head_revision,
    open_store,
)
from scoring.server.models import Base

CHUNK = 500


def backup(store: Store, out: Path) -> Path:
    out = Path(out).resolve()
    if out.exists():
        raise ScoringError(f"{out} 已存在：备份不覆盖已有文件，请换一个文件名。")
    if store.place.sqlite_file is not None:
        return backup_sqlite(store.place.sqlite_file, out)
    partial = out.with_name(f".{out.name}.{secrets.token_hex(4)}.part")
    try:
        copy = open_store(Place(f"sqlite:///{partial}", out.parent, partial))
        try:
            _copy_rows(store.engine, copy.engine)
        finally:
            copy.close()
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
        for extra in ("-wal", "-shm"):
            Path(f"{partial}{extra}").unlink(missing_ok=True)
    return out


def restore(store: Store, source: Path) -> str:
    """Put the backup `source` into the store's database; says where the old data went."""
    source = Path(source).resolve()
    if not source.is_file():
        raise ScoringError(f"找不到备份文件 {source}。")
    work = store.place.data / "backups" / f".恢复_{secrets.token_hex(4)}.sqlite3"
    try:
        try:
            backup_sqlite(source, work)
            checked = open_store(Place(f"sqlite:///{work}", work.parent, work))  # an older backup is migrated
        except Exception as exc:
            raise ScoringError(f"{source} 不是 jixiao 服务器的备份（{type(exc).__name__}）。") from None
        try:
            if current_revision(checked.engine) != head_revision():
                raise ScoringError(f"{source} 不是 jixiao 服务器的备份。")
            if store.place.sqlite_file is not None:
                kept = backup_sqlite(store.place.sqlite_file, store.place.data / "backups" /
                                     f"恢复前_{datetime.now(UTC):%Y%m%dT%H%M%SZ}.sqlite3")
                store.engine.dispose()
                with closing(sqlite3.connect(work)) as src, closing(sqlite3.connect(store.place.sqlite_file)) as dst:
                    src.backup(dst)  # in place, through SQLite's locks: safe beside its WAL file
                return f"原数据库已另存为 {kept}"
            if _has_data(store.engine):
                raise ScoringError("目标数据库中已有账户或数据：恢复不覆盖已有数据。请新建一个空数据库"
                                   "（如 createdb jixiao_restored），用 --database 指向它后再恢复。")
            _copy_rows(checked.engine, store.engine)
            return "已恢复到空数据库"
        finally:
            checked.close()
    finally:
        for extra in ("", "-wal", "-shm"):
            Path(f"{work}{extra}").unlink(missing_ok=True)


def _has_data(engine: Engine) -> bool:
    with engine.connect() as connection:
        return any(connection.scalar(select(func.count()).select_from(table))
                   for table in Base.metadata.sorted_tables if table.name != "settings")


def _copy_rows(source: Engine, target: Engine) -> None:
    """Every row of every table, parents first, in one transaction on the target."""
    with source.connect() as reading, target.begin() as writing:
        for table in Base.metadata.sorted_tables:
            if table.name == "settings":
                writing.execute(table.delete())  # a fresh database made its own session key
            rows = reading.execute(select(table).order_by(*table.primary_key.columns)).mappings()
            while chunk := rows.fetchmany(CHUNK):
                writing.execute(insert(table), [dict(row) for row in chunk])
        if target.dialect.name == "postgresql":
            for table in Base.metadata.sorted_tables:
                if "id" in table.columns:
                    writing.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table.name}"))
