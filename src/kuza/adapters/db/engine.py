"""Connecting to the database: a SQLite file by default, PostgreSQL via KUZA_DATABASE_URL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event

DEFAULT_URL = "sqlite:///kuza.sqlite3"


def database_url() -> str:
    return os.environ.get("KUZA_DATABASE_URL", DEFAULT_URL)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Hand transaction control to SQLAlchemy (see the "begin" listener below).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    # A writing transaction takes the write lock at its start (BEGIN IMMEDIATE), so two
    # posters queue instead of failing half-way; a read (Database.read) begins deferred,
    # so with WAL readers never wait for a writer nor block one.
    read_only = conn.get_execution_options().get("kuza_read_only", False)
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def make_engine(url: str | None = None) -> Engine:
    url = url or database_url()
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


class Database:
    """Owns the engine; ``transaction()`` is the unit of work of one command."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or database_url()
        self.engine = make_engine(self.url)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def read(self, consistent: bool = False) -> Iterator[Connection]:
        """A connection for queries only: it never holds SQLite's write lock.
        ``consistent``: every query sees the same state of the database (PostgreSQL's
        REPEATABLE READ; a SQLite read transaction in WAL mode always does), for figures
        summed from several tables one write may change together."""
        options: dict[str, Any] = {"kuza_read_only": True}
        if consistent and self.is_postgres:
            options["isolation_level"] = "REPEATABLE READ"
        with self.engine.connect().execution_options(**options) as conn:
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()


def sqlite_path(url: str) -> Path | None:
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///"))
    return None
