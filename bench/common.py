"""What every benchmark shares: result rows, scratch databases, timing, peak memory.

Each case runs in a fresh child process (``spawn``) so its peak resident memory
(``getrusage``'s ``ru_maxrss``) belongs to it alone; the timings are wall-clock seconds
of the measured block only (set-up such as generating a sheet is not counted).
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from kuza.adapters.db.engine import Database
from kuza.adapters.db.migrate import upgrade

PG_ADMIN_URL = os.environ.get(
    "KUZA_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = ("postgresql", "sqlite")


@dataclass(frozen=True)
class Row:
    """One measured figure next to the baseline measured in the same run."""

    bench: str
    backend: str
    size: str
    figure: str  # what was measured, e.g. "service path"
    value: float  # in ``unit``
    unit: str
    baseline: str = ""  # what it is compared with, e.g. "raw COPY"
    baseline_value: float | None = None
    peak_mb: float | None = None
    seconds: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline_value in (None, 0):
            return None
        assert self.baseline_value is not None
        return self.value / self.baseline_value


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Timer:
    seconds: float = 0.0


@contextmanager
def timed() -> Iterator[Timer]:
    timer = Timer()
    started = time.perf_counter()
    try:
        yield timer
    finally:
        timer.seconds = time.perf_counter() - started


@contextmanager
def scratch_database(backend: str) -> Iterator[Database]:
    """A migrated, empty database of ``backend``, dropped afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="kuza-bench-") as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
            upgrade(url)
            db = Database(url)
            try:
                yield db
            finally:
                db.dispose()
        return
    name = f"kuza_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        upgrade(url)
        db = Database(url)
        try:
            yield db
        finally:
            db.dispose()
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextmanager
def kept_database(name: str) -> Iterator[tuple[Database, bool]]:
    """A PostgreSQL database ``name`` kept between runs (``--keep``): created and
    migrated if absent; yields it and whether it already held data, so a large book is
    loaded once and measured many times. Drop it by hand (``DROP DATABASE``) when done."""
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        found = conn.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).scalar()
        if not found:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    db = Database(url)
    try:
        with db.engine.connect() as conn:
            loaded = bool(conn.execute(sa.text("SELECT count(*) FROM loan")).scalar_one())
        yield db, loaded
    finally:
        db.dispose()


def postgres_available() -> bool:
    try:
        engine = sa.create_engine(PG_ADMIN_URL)
        with engine.connect():
            pass
        engine.dispose()
        return True
    except sa.exc.OperationalError:
        return False


Case = Callable[..., list[Row]]
