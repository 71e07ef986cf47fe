"""(2) ``kuza close-day`` over a loan book of a given size on PostgreSQL: seconds and
loans/s for the first run of a day and for a re-run of the same day (idempotent), next to
the database's own speed over the very same rows, measured in the same run: one
``UPDATE`` touching every instalment of the active loans once, and a bare ``count(*)``.

The book comes from ``kuza synth --loans`` without meetings (groups and members, then
external loans funded by the programme, 6 monthly instalments, 20% of borrowers stopping
early). Above ``SEED_LOANS`` loans a seed of about ``SEED_LOANS`` loans is loaded that way
and copied in SQL (``kuza.services.synth_replicate``) until the book has the loans asked
for: the bulk path builds ~150 loans/s on a busy box, the copy tens of thousands. Close-day
runs at the last day of history, when most loans are active and the stopped ones are late.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import text

from bench.common import Row, kept_database, peak_mb, scratch_database, timed
from kuza.adapters.db.engine import Database
from kuza.reports.arrears import arrears_overview, portfolio
from kuza.reports.dashboard import Scope, dashboard
from kuza.reports.dashboard_snapshot import stored_dashboard, write_snapshots
from kuza.services.loans.close_day import close_day
from kuza.services.synth import SynthSpec, synthesise
from kuza.services.synth_replicate import replicate

LOANS_PER_GROUP = 12  # measured: ~20 members, ~60% with an external loan
SEED_LOANS = 50_000  # larger books: a seed of this size, copied in SQL
FINERACT = 370 / 60  # loans per second per thread, Apache Fineract's published COB rate
AFTER = (write_snapshots,)  # as ``kuza close-day``: the dashboard's snapshot too


@contextmanager
def _fresh(backend: str) -> Iterator[tuple[Database, bool]]:
    with scratch_database(backend) as db:
        yield db, False


def latencies(call: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """p50 and p95 of ``repeat`` calls, in seconds (the first call warms the cache)."""
    call()
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    seconds.sort()
    return statistics.median(seconds), seconds[min(len(seconds) - 1, round(0.95 * len(seconds)))]


def reports(
    db: Database, pid: int, day: Any, size: str, repeat: int, closed: Any = None
) -> list[Row]:
    """(3) What the pages read, against a primary-key read in the same run: the arrears
    page (a first page of 50 late loans, their count, PAR and the repayment rates of the
    last close-day, ``closed``, from its summary rows; for a branch manager, her branch;
    and with the rates computed live, ``?live=1``), the portfolio on another day
    (``day``, computed from the book), the dashboard page (the whole programme's figures
    only, period reaching the last close-day, computed now as ``?live=1`` does, and as the
    default view reads them, stored by the last close-day; and a branch's) and the ledger
    totals from running balances."""
    with db.engine.connect() as conn:
        lines = conn.execute(text("SELECT count(*) FROM journal_line")).scalar_one()
        some = conn.execute(text("SELECT max(id) FROM loan")).scalar_one()
        branch = conn.execute(
            text("SELECT min(id) FROM branch WHERE programme_id = :p"), {"p": pid}
        ).scalar_one()
    today = (closed or day) + timedelta(days=1)

    def pk() -> None:
        with db.read() as conn:
            conn.execute(text("SELECT * FROM loan WHERE id = :id"), {"id": some}).one()

    def totals() -> None:
        with db.read() as conn:
            conn.execute(
                text(
                    "SELECT code, sum(balance_minor) FROM ledger_account "
                    "WHERE programme_id = :p GROUP BY code"
                ),
                {"p": pid},
            ).all()

    base50, base95 = latencies(pk, repeat * 3)
    rows = []
    for name, call in (
        (
            "arrears page (first 50, last close-day's figures)",
            lambda: arrears_overview(db, pid, None, today),
        ),
        (
            "arrears page of a branch manager",
            lambda: arrears_overview(db, pid, None, today, branch_id=branch),
        ),
        (
            "arrears page, rates live (?live=1)",
            lambda: arrears_overview(db, pid, None, today, live=True),
        ),
        ("portfolio on another day (from the book)", lambda: portfolio(db, pid, "KES", day)),
        (
            "dashboard page (figures only, whole programme)",
            lambda: dashboard(db, Scope(pid), None, today, figures_only=True),
        ),
        ("dashboard page (last close-day's figures)", lambda: stored(db, pid, today)),
        (
            "dashboard page of a branch manager",
            lambda: dashboard(db, Scope(pid, frozenset({branch})), None, today, figures_only=True),
        ),
        ("dashboard ledger totals (running balances)", totals),
    ):
        p50, p95 = latencies(call, repeat)
        rows.append(
            Row(
                "3 dashboard/arrears",
                db.engine.dialect.name,
                f"{lines:,} ledger lines; {size}",
                f"{name}: p50 {p50 * 1000:,.0f} ms",
                p95 * 1000,
                "ms p95",
                "primary-key read p95",
                base95 * 1000,
                note=f"PK read p50 {base50 * 1000:.2f} ms; {repeat} calls",
            )
        )
    return rows


def stored(db: Database, pid: int, today: Any) -> Any:
    """The default dashboard view: the last close-day's snapshot, computed now without."""
    return stored_dashboard(db, Scope(pid)) or dashboard(db, Scope(pid), None, today, True)


def book_spec(loans: int, months: int) -> tuple[SynthSpec, int]:
    """The spec of the book loaded through the bulk path and how many copies of it make
    ``loans`` loans (0 up to ``SEED_LOANS``)."""
    groups = max(1, -(-loans // LOANS_PER_GROUP))
    blocks = max(1, -(-loans // SEED_LOANS))
    spec = SynthSpec(groups=-(-groups // blocks), months=months, seed=5, loans=True, meetings=False)
    return spec, blocks - 1


def _book(db: Database, spec: SynthSpec, copies: int, loaded: bool) -> tuple[int, int, str]:
    """Load the book unless a kept database holds it: programme id, loans, how it came."""
    if not loaded:
        with timed() as load:
            made = synthesise(db, spec, batch_groups=200)
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE") if db.is_postgres else None
            conn.commit()
        if not copies:
            return made.programme_id, made.loans, f"book loaded in {load.seconds:.0f} s"
        with timed() as copy:
            replicate(db, made.programme_id, copies, trust_keys=True)
        how = (
            f"book: {made.loans:,}-loan seed loaded in {load.seconds:.0f} s, "
            f"{copies} SQL copies in {copy.seconds:.0f} s"
        )
        return made.programme_id, made.loans * (copies + 1), how
    with db.engine.connect() as conn:
        pid = conn.execute(text("SELECT min(id) FROM programme")).scalar_one()
        return pid, conn.execute(text("SELECT count(*) FROM loan")).scalar_one(), "kept book"


def run(
    backend: str, loans: int, months: int = 6, repeat: int = 5, keep: bool = False
) -> list[Row]:
    """``keep``: the book lives in a database kept between runs (``kuza_bench_book_N``),
    loaded on the first run only; each run closes the day after the latest one closed."""
    spec, copies = book_spec(loans, months)
    book = kept_database(f"kuza_bench_book_{loans}") if keep else None
    with book if book is not None else _fresh(backend) as (db, loaded):
        pid, count, loaded_in = _book(db, spec, copies, loaded)
        with db.engine.connect() as conn:
            latest = conn.execute(text("SELECT max(run_on) FROM close_day_run")).scalar()
        day = max(spec.end, latest + timedelta(days=1)) if latest else spec.end
        with timed() as first:
            result = close_day(db, day, "bench", AFTER)
        with timed() as again:
            close_day(db, day, "bench", AFTER)
        with timed() as later:
            next_day = close_day(db, day + timedelta(days=1), "bench", AFTER)
        with db.engine.connect() as conn:
            active = "SELECT id FROM loan WHERE status IN ('disbursed', 'rescheduled')"
            instalments = conn.execute(
                text(f"SELECT count(*) FROM loan_instalment WHERE loan_id IN ({active})")
            ).scalar_one()
            with timed() as scan:
                conn.execute(
                    text(f"SELECT count(*) FROM loan_instalment WHERE loan_id IN ({active})")
                ).scalar_one()
            with timed() as touch:
                conn.execute(
                    text(
                        "UPDATE loan_instalment SET penalty_minor = penalty_minor + 0 "
                        f"WHERE loan_id IN ({active})"
                    )
                )
            conn.rollback()
        size = f"{count:,} loans"
        report_rows = reports(db, pid, spec.end, size, repeat, closed=day + timedelta(days=1))
    size = f"{count:,} loans ({result.loans:,} active, {instalments:,} instalments)"
    base = result.loans / touch.seconds
    mb = peak_mb()
    common = dict(bench="2 close-day", backend=backend, size=size, unit="loans/s", peak_mb=mb)
    note_base = f"bare count(*) {scan.seconds:.2f} s; {loaded_in}"
    return [r.__class__(**{**r.__dict__, "peak_mb": mb}) for r in report_rows] + [
        Row(
            figure=f"close-day, first run of a day ({first.seconds:.2f} s)",
            value=result.loans / first.seconds,
            baseline="one UPDATE of the same instalments",
            baseline_value=base,
            seconds=first.seconds,
            note=f"{result.penalties_charged:,} penalties; "
            f"{result.loans / first.seconds / FINERACT:,.0f}x Fineract's 370 loans/min/thread; "
            f"{note_base}",
            **common,  # type: ignore[arg-type]
        ),
        Row(
            figure=f"close-day, same day again ({again.seconds:.2f} s)",
            value=result.loans / again.seconds,
            baseline="one UPDATE of the same instalments",
            baseline_value=base,
            seconds=again.seconds,
            note="idempotent: charges nothing",
            **common,  # type: ignore[arg-type]
        ),
        Row(
            figure=f"close-day, next day ({later.seconds:.2f} s)",
            value=next_day.loans / later.seconds,
            baseline="one UPDATE of the same instalments",
            baseline_value=base,
            seconds=later.seconds,
            note=f"{next_day.penalties_charged:,} new penalties",
            **common,  # type: ignore[arg-type]
        ),
    ]
