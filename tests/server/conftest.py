"""The server's tests run on SQLite and on PostgreSQL: every test that takes `store`
(or `app`, `client` …) runs once per database.

PostgreSQL's address comes from JIXIAO_TEST_POSTGRES_URL (`.ci/run` installs Debian's
postgresql, starts it and makes a role and a database). Without it the PostgreSQL
runs skip here and FAIL in CI (CI set), as the browser tests do. Each test starts
from an empty schema.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from scoring.server.database import open_store, place

POSTGRES_VARIABLE = "JIXIAO_TEST_POSTGRES_URL"
DATABASES = ("sqlite", "postgresql")
FILES = Path(__file__).resolve().parents[1] / "files"
LIBREOFFICE_XLS = FILES / "项目自评.xls"  # the 慢性病专家鉴定费 project, filled in, saved by LibreOffice
LIBREOFFICE_XLSX = FILES / "项目自评.xlsx"


def postgres_url() -> str:
    url = os.environ.get(POSTGRES_VARIABLE)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is needed: .ci/run starts it and sets {POSTGRES_VARIABLE}")
        pytest.skip(f"{POSTGRES_VARIABLE} is not set here; CI runs these tests on PostgreSQL")
    return url


def empty_postgres(url: str) -> None:
    """Drop everything a previous test made: its tables, triggers and functions (all owned
    by the test role, which need not own the schema)."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP OWNED BY CURRENT_USER")
    finally:
        engine.dispose()


@pytest.fixture(params=DATABASES)
def where(request, tmp_path):
    """Where a test's server keeps its data: an SQLite file, or the test PostgreSQL."""
    if request.param == "sqlite":
        return place(tmp_path / "data")
    url = postgres_url()
    empty_postgres(url)
    return place(tmp_path / "data", database=url)


@pytest.fixture
def store(where):
    opened = open_store(where)
    yield opened
    opened.close()
