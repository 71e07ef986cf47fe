"""``kuza close-day --date D``: penalties and arrears for every active loan at once, in
three set-based statements (UPDATE ... FROM, DELETE, INSERT ... SELECT), never one ORM
object per loan. Same SQL on SQLite and PostgreSQL; only "days between two dates" differs.

On a date later than every close-day before it, it also accrues interest on external
loans (``kuza.services.loans.accruals``): the previous accrual entry is reversed and the
new one booked, per programme and currency.

It also stores, per loan whose repayment counts, the amounts fallen due, repaid on time
and repaid in all as of D (``loan_performance``), so the portfolio report sums rows
instead of matching every instalment and repayment. It recomputes them only for the loans
whose figures can have changed since the last close-day (something fell due or is dated
in between, a transaction or reversal was booked, the loan is new or no longer counted)
and keeps the other rows. Last, it sums both per programme and branch into
``portfolio_summary`` (PAR buckets, late loans, repayment sums): the arrears page reads
those few rows, not one per loan. And it summarises the dashboard's jobs and training
by month (``kuza.adapters.db.impact_months``) for the months ended by D not summarised
yet and those a write marked stale since. Last, the stores its caller passes
(``after``): the edges pass the whole-programme dashboard's snapshot.

Idempotent for a date: a penalty is charged at most once per instalment (it remembers
``penalty_charged_on``) and the arrears rows are recomputed from the instalments, so
running the same date again changes nothing. Run it at the end of day D: it reads the
repayments recorded so far.

Definitions (docs/credit.md): days past due = days since the due date of the oldest
instalment with principal, interest or fees unpaid; principal in arrears = unpaid
principal of instalments due on or before D. Penalty per product: once per instalment
still unpaid more than ``after_days`` after its due date, the flat amount plus the
percentage of what is unpaid on it (rounded half up to the minor unit).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Date,
    Integer,
    MetaData,
    Table,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    union,
    update,
)

from kuza.adapters.db.engine import Database
from kuza.adapters.db.impact_months import summarise_months
from kuza.adapters.db.repayment_figures import COUNTED_STATUSES, per_loan_figures
from kuza.adapters.db.schema import (
    close_day_run,
    journal_entry,
    loan,
    loan_arrears,
    loan_instalment,
    loan_performance,
    loan_performance_on,
    loan_product,
    loan_transaction,
    portfolio_summary,
    savings_group,
)
from kuza.domain.loans.lifecycle import ACTIVE
from kuza.services.ledger import now
from kuza.services.loans.accruals import accrue_interest

ACTIVE_STATUSES = sorted(s.value for s in ACTIVE)


@dataclass(frozen=True)
class CloseDayResult:
    run_on: date
    loans: int
    penalties_charged: int
    first_run: bool  # False when this date had been closed before
    loans_accruing: int = 0  # external loans with interest accrued (0 if not accrued)
    accrued: bool = False  # False on a re-run or a date before the latest close-day
    impact_months: int = 0  # (programme, month) summaries of jobs and training written


def _days_after(conn: Connection, day: date, column: Any) -> Any:
    """Whole days from ``column`` to ``day`` as an SQL integer expression."""
    if conn.dialect.name == "postgresql":
        return literal(day, Date) - column
    return cast(func.julianday(literal(day, Date)) - func.julianday(column), Integer)


def _unpaid_parts() -> tuple[Any, Any, Any]:
    i = loan_instalment.c
    principal = i.principal_minor - i.principal_paid_minor - i.principal_written_off_minor
    return principal, i.interest_minor - i.interest_paid_minor, i.fee_minor - i.fee_paid_minor


def _charge_penalties(conn: Connection, day: date) -> int:
    i, p = loan_instalment.c, loan_product.c
    principal, interest, fees = _unpaid_parts()
    unpaid = principal + interest + fees
    result = conn.execute(
        update(loan_instalment)
        .where(
            i.loan_id == loan.c.id,
            loan.c.product_id == p.id,
            loan.c.status.in_(ACTIVE_STATUSES),
            p.has_penalty.is_(True),
            i.penalty_charged_on.is_(None),
            unpaid > 0,
            _days_after(conn, day, i.due_on) > p.penalty_after_days,
        )
        .values(
            penalty_minor=i.penalty_minor
            + p.penalty_flat_minor
            + (unpaid * p.penalty_percent_bp + 5000) // 10000,
            penalty_charged_on=day,
        )
    )
    return int(result.rowcount or 0)


def _arrears_figures(conn: Connection, day: date, *where: Any) -> Any:
    """Per active loan (and ``where``): its arrears row as of ``day``, from its
    instalments."""
    i = loan_instalment.c
    principal, interest, fees = _unpaid_parts()
    due = i.due_on <= literal(day, Date)
    late = and_(due, principal + interest + fees > 0)
    return (
        select(
            loan.c.id.label("loan_id"),
            loan.c.programme_id,
            func.coalesce(func.max(case((late, _days_after(conn, day, i.due_on)))), 0).label(
                "days_past_due"
            ),
            func.sum(case((due, principal), else_=0)).label("principal_in_arrears"),
            func.sum(case((due, interest), else_=0)).label("interest_in_arrears"),
            func.sum(i.penalty_minor - i.penalty_paid_minor).label("penalty_due"),
            func.sum(principal).label("outstanding_principal"),
        )
        .select_from(loan.join(loan_instalment, i.loan_id == loan.c.id))
        .where(loan.c.status.in_(ACTIVE_STATUSES), *where)
        .group_by(loan.c.id, loan.c.programme_id)
    )


def _rewrite_arrears(conn: Connection, day: date) -> int:
    """One row per active loan as of ``day``, updated in place: rows of loans no longer
    active go, rows whose figures changed are updated (``as_of`` = ``day``), new loans get
    a row, the other rows are kept with the date they were computed on (the date of the
    stored figures is ``loan_performance_on``). Deleting and inserting every row cost a
    foreign-key check per row on loan and programme: half of the statement at 100k loans
    (BENCHMARKS.md, eighth round)."""
    a = loan_arrears.c
    conn.execute(
        delete(loan_arrears).where(
            a.loan_id.not_in(select(loan.c.id).where(loan.c.status.in_(ACTIVE_STATUSES)))
        )
    )
    f = _arrears_figures(conn, day).subquery("figures")
    figures = {
        a.days_past_due: f.c.days_past_due,
        a.principal_in_arrears_minor: f.c.principal_in_arrears,
        a.interest_in_arrears_minor: f.c.interest_in_arrears,
        a.penalty_due_minor: f.c.penalty_due,
        a.outstanding_principal_minor: f.c.outstanding_principal,
    }
    conn.execute(
        update(loan_arrears)
        .where(a.loan_id == f.c.loan_id, or_(*(old != new for old, new in figures.items())))
        .values({a.as_of: literal(day, Date), **figures})
    )
    new = _arrears_figures(conn, day, loan.c.id.not_in(select(a.loan_id))).subquery("new")
    conn.execute(
        insert(loan_arrears).from_select(
            [a.loan_id, a.programme_id, a.as_of, *figures],
            select(new.c.loan_id, new.c.programme_id, literal(day, Date), *list(new.c)[2:]),
        )
    )
    # rowcount of INSERT ... SELECT is not reported by every driver: count instead.
    return int(conn.execute(select(func.count()).select_from(loan_arrears)).scalar_one())


def _events(*where: Any) -> Any:
    """Per loan (and ``where``, conditions on ``loan_transaction``): its transactions +
    those whose journal entry is reversed. Both only grow (nothing is deleted, a reversal
    is not undone), so a loan whose number is the one stored with its figures has had no
    repayment, reversal, reschedule, write-off or disbursement booked since they were
    computed, whatever the commit order.

    Counted in two parts: every transaction per loan (an index-only scan of
    ``loan_transaction.loan_id``, grouped in index order), and the few reversed ones
    found from the reversal entries (``reverses_id`` is indexed). Counting both in one
    outer join hashed every journal entry to find the reversals: 7 s of a 1M-loan
    close-day (BENCHMARKS.md, ninth round)."""
    t, rev = loan_transaction.c, journal_entry.c
    made = select(t.loan_id, func.count().label("n")).where(*where).group_by(t.loan_id)
    undone = (
        select(t.loan_id, func.count().label("n"))
        .select_from(journal_entry.join(loan_transaction, t.entry_id == rev.reverses_id))
        .where(rev.reverses_id.is_not(None), *where)
        .group_by(t.loan_id)
    )
    m, u = made.subquery("made"), undone.subquery("undone")
    return select(m.c.loan_id, (m.c.n + func.coalesce(u.c.n, 0)).label("events")).select_from(
        m.outerjoin(u, u.c.loan_id == m.c.loan_id)
    )


def _stale(day: date, stored_on: date) -> Any:
    """The counted loans whose figures as of ``day`` can differ from those stored as of
    ``stored_on`` (not after ``day``): the figures of a loan depend only on its
    instalments due up to the date, its repayments dated up to it and its reversals, so
    they move only for a loan with an instalment falling due in (stored_on, day], a
    transaction dated in (stored_on, day] (booked before the last run, dated after it),
    an event booked since (a different number of events), no stored row, or a row marked
    stale (-1: due dates moved with a meeting, or stored before the number was kept)."""
    i, t, p = loan_instalment.c, loan_transaction.c, loan_performance.c
    after, upto = literal(stored_on, Date), literal(day, Date)
    e = _events().subquery("events")
    changed = (
        select(loan.c.id)
        .select_from(
            loan.outerjoin(e, e.c.loan_id == loan.c.id).outerjoin(
                loan_performance, p.loan_id == loan.c.id
            )
        )
        .where(
            loan.c.status.in_(COUNTED_STATUSES),
            or_(p.loan_id.is_(None), p.events != func.coalesce(e.c.events, 0)),
        )
    )
    falling_due = select(i.loan_id).where(i.due_on > after, i.due_on <= upto)
    dated = select(t.loan_id).where(t.on_date > after, t.on_date <= upto)
    return union(changed, falling_due, dated)


# The loans whose repayment figures close-day recomputes (``_stale``), kept for the
# length of one close-day: the deletion, the figures and the event counts then read these
# few ids by index instead of selecting them again over every loan (BENCHMARKS.md, ninth
# round: the repayment figures at 1M loans 15.4 s -> 3.0 s).
_recompute = Table(
    "close_day_recompute",
    MetaData(),
    Column("loan_id", Integer, primary_key=True),
    prefixes=["TEMPORARY"],
)


def _rewrite_performance(conn: Connection, day: date) -> None:
    """Per-loan repayment figures as of ``day`` for every loan whose repayment counts,
    summed by the portfolio report (``kuza.adapters.db.repayment_figures``).

    Only the loans whose figures can differ from the stored ones are recomputed
    (``_stale``); the other rows are kept with the date they were computed on, and
    ``loan_performance_on`` records ``day`` for them all. A date before the stored one,
    or nothing stored, recomputes every loan."""
    p = loan_performance.c
    stored_on = conn.execute(select(func.max(loan_performance_on.c.as_of))).scalar()
    conn.execute(delete(loan_performance_on))
    conn.execute(insert(loan_performance_on).values(id=1, as_of=day))
    counted = loan.c.status.in_(COUNTED_STATUSES)
    if stored_on is None or day < stored_on:
        conn.execute(delete(loan_performance))
        where, only = [counted], []
    else:
        _recompute.create(conn)
        stale = _stale(day, stored_on).subquery("stale")
        conn.execute(insert(_recompute).from_select(["loan_id"], select(stale.c.id)))
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("ANALYZE close_day_recompute")  # temp tables: never auto
        ids = select(_recompute.c.loan_id)
        gone = select(loan.c.id).where(loan.c.status.not_in(COUNTED_STATUSES))
        conn.execute(delete(loan_performance).where(or_(p.loan_id.in_(ids), p.loan_id.in_(gone))))
        where, only = [counted, loan.c.id.in_(ids)], [loan_transaction.c.loan_id.in_(ids)]
    figures = per_loan_figures(day, *where).subquery()
    events = _events(*only).subquery("events")
    f = figures.c
    conn.execute(
        insert(loan_performance).from_select(
            [
                p.loan_id,
                p.programme_id,
                p.as_of,
                p.fallen_due_minor,
                p.paid_on_time_minor,
                p.repaid_minor,
                p.events,
            ],
            select(
                f.loan_id,
                f.programme_id,
                literal(day, Date),
                f.fallen_due,
                f.paid_on_time,
                f.repaid,
                func.coalesce(events.c.events, 0),
            ).select_from(figures.outerjoin(events, events.c.loan_id == f.loan_id)),
        )
    )
    if only:  # the temporary table was made for this run
        _recompute.drop(conn)


BUCKETS = ("current", "par1", "par30", "par90")  # days late: 0, 1-30, 31-90, over 90


def _rewrite_summary(conn: Connection, day: date) -> None:
    """One ``portfolio_summary`` row per (programme, branch) from the arrears and
    performance rows just written: loans and outstanding principal per bucket of days
    late, and the repayment sums; the arrears page reads these instead of every loan."""
    a, p, g = loan_arrears.c, loan_performance.c, savings_group.c
    days = a.days_past_due
    bucket = case((days > 90, 3), (days > 30, 2), (days > 0, 1), else_=0)
    par = conn.execute(
        select(
            a.programme_id,
            g.branch_id,
            bucket,
            func.count(),
            func.sum(a.outstanding_principal_minor),
        )
        .select_from(
            loan_arrears.join(loan, loan.c.id == a.loan_id).join(
                savings_group, g.id == loan.c.group_id
            )
        )
        .group_by(a.programme_id, g.branch_id, bucket)
    ).all()
    rates = conn.execute(
        select(
            p.programme_id,
            g.branch_id,
            func.count(),
            func.sum(p.fallen_due_minor),
            func.sum(p.paid_on_time_minor),
            func.sum(p.repaid_minor),
        )
        .select_from(
            loan_performance.join(loan, loan.c.id == p.loan_id).join(
                savings_group, g.id == loan.c.group_id
            )
        )
        .group_by(p.programme_id, g.branch_id)
    ).all()
    rows: dict[tuple[int, int], dict[str, Any]] = {}

    def row(pid: int, bid: int) -> dict[str, Any]:
        empty = {f"{b}_{x}": 0 for b in BUCKETS for x in ("loans", "minor")}
        sums = dict.fromkeys(("counted_loans", "fallen_due_minor", "paid_on_time_minor"), 0)
        return rows.setdefault(
            (pid, bid),
            {
                "programme_id": pid,
                "branch_id": bid,
                "as_of": day,
                **empty,
                **sums,
                "repaid_minor": 0,
            },
        )

    for pid, bid, index, n, minor in par:
        r = row(pid, bid)
        r[f"{BUCKETS[index]}_loans"], r[f"{BUCKETS[index]}_minor"] = int(n), int(minor or 0)
    for pid, bid, n, fallen, on_time, repaid in rates:
        r = row(pid, bid)
        r["counted_loans"], r["fallen_due_minor"] = int(n), int(fallen or 0)
        r["paid_on_time_minor"], r["repaid_minor"] = int(on_time or 0), int(repaid or 0)
    conn.execute(delete(portfolio_summary))
    if rows:
        conn.execute(insert(portfolio_summary), list(rows.values()))


# Stores computed from what close-day has just written, in its transaction (the
# dashboard's snapshot, ``kuza.reports.dashboard_snapshot.write_snapshots``): passed in
# by the edges, as the services may not import the reports.
AfterClose = Callable[[Connection, date], object]


def close_day(
    db: Database, day: date, actor: str, after: Sequence[AfterClose] = ()
) -> CloseDayResult:
    with db.transaction() as conn:
        if conn.dialect.name == "postgresql":
            # One close-day at a time; repayments may go on meanwhile.
            conn.exec_driver_sql("LOCK TABLE close_day_run IN EXCLUSIVE MODE")
            # the per-loan figures sort every instalment and repayment: in memory, not
            # spilled to disk in 4 MB runs (measured: 2.8 s -> see BENCHMARKS.md)
            conn.exec_driver_sql("SET LOCAL work_mem = '64MB'")
        charged = _charge_penalties(conn, day)
        loans = _rewrite_arrears(conn, day)
        _rewrite_performance(conn, day)
        if conn.dialect.name == "postgresql":
            # The reports read these two tables right after: plan them on today's rows,
            # not on the statistics of before the rewrite (measured at 300k loans: PAR
            # planned on an empty table, a nested loop of 2.4 s; see BENCHMARKS.md).
            conn.exec_driver_sql("ANALYZE loan_arrears, loan_performance")
        _rewrite_summary(conn, day)  # after ANALYZE: it aggregates both tables
        # the dashboard's jobs and training by month: the months ended by the day and
        # the months a write marked stale since the last close-day
        months = summarise_months(conn, day)
        if months.months and conn.dialect.name == "postgresql":
            # the dashboard reads them next: planned on today's rows (as above)
            conn.exec_driver_sql("ANALYZE job_month, job_month_enterprise, training_month")
        seen = conn.execute(
            select(close_day_run.c.id).where(close_day_run.c.run_on == day)
        ).scalar()
        latest = conn.execute(select(func.max(close_day_run.c.run_on))).scalar()
        # Accrue only on a new, latest date: a re-run, or a date before the latest
        # close-day, leaves the accrual (and its entries) as they are.
        accrue = seen is None and (latest is None or day > latest)
        accruing = accrue_interest(conn, day, actor) if accrue else 0
        if seen is None:
            conn.execute(
                insert(close_day_run).values(
                    run_on=day, loans=loans, penalties_charged=charged, ran_at=now(), ran_by=actor
                )
            )
        for store in after:  # last: they read the day's figures, accrual included
            store(conn, day)
        return CloseDayResult(day, loans, charged, seen is None, accruing, accrue, months.months)
