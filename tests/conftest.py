"""Shared fixtures. Storage tests run against every database: a fresh SQLite file and
the local PostgreSQL (a private database per test session, emptied after each test).

Set KUZA_TEST_POSTGRES_URL to point elsewhere, or to "skip" to run SQLite only locally;
CI always runs both legs.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from kuza.adapters.db.engine import Database
from kuza.adapters.db.migrate import upgrade
from kuza.adapters.db.schema import metadata

PG_ADMIN_URL = os.environ.get(
    "KUZA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    if PG_ADMIN_URL == "skip":
        pytest.skip("PostgreSQL leg disabled with KUZA_TEST_POSTGRES_URL=skip")
    name = f"kuza_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _truncate_postgres(db: Database) -> None:
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with db.transaction() as conn:
        conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database of each kind, private to the test."""
    if request.param == "sqlite":
        path = tmp_path / "kuza.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        database = Database(f"sqlite:///{path}")
        yield database
        database.dispose()
    else:
        database = Database(request.getfixturevalue("postgres_url"))
        try:
            yield database
        finally:
            _truncate_postgres(database)
            database.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    path = tmp_path / "kuza.sqlite3"
    shutil.copy(sqlite_template, path)
    database = Database(f"sqlite:///{path}")
    yield database
    database.dispose()
