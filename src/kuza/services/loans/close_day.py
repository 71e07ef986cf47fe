"""``kuza close-day --date D``: penalties and arrears for every active loan at once, in
three set-based statements (UPDATE ... FROM, DELETE, INSERT ... SELECT), never one ORM
object per loan. Same SQL on SQLite and PostgreSQL; only "days between two dates" differs.

On a date later than every close-day before it, it also accrues interest on external
loans (``kuza.services.loans.accruals``): the previous accrual entry is reversed and the
new one booked, per programme and currency.

It also stores, per loan whose repayment counts, the amounts fallen due, repaid on time
and repaid in all as of D (``loan_performance``), so the portfolio report sums rows
instead of matching every instalment and repayment.

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

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    Connection,
    Date,
    Integer,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    update,
)

from kuza.adapters.db.engine import Database
from kuza.adapters.db.repayment_figures import COUNTED_STATUSES, per_loan_figures
from kuza.adapters.db.schema import (
    close_day_run,
    loan,
    loan_arrears,
    loan_instalment,
    loan_performance,
    loan_product,
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


def _rewrite_arrears(conn: Connection, day: date) -> int:
    i = loan_instalment.c
    principal, interest, fees = _unpaid_parts()
    due = i.due_on <= literal(day, Date)
    late = and_(due, principal + interest + fees > 0)
    conn.execute(delete(loan_arrears))
    rows = select(
        loan.c.id,
        loan.c.programme_id,
        literal(day, Date),
        func.coalesce(func.max(case((late, _days_after(conn, day, i.due_on)))), 0),
        func.sum(case((due, principal), else_=0)),
        func.sum(case((due, interest), else_=0)),
        func.sum(i.penalty_minor - i.penalty_paid_minor),
        func.sum(principal),
    ).select_from(loan.join(loan_instalment, i.loan_id == loan.c.id))
    rows = rows.where(loan.c.status.in_(ACTIVE_STATUSES)).group_by(loan.c.id, loan.c.programme_id)
    a = loan_arrears.c
    conn.execute(
        insert(loan_arrears).from_select(
            [
                a.loan_id,
                a.programme_id,
                a.as_of,
                a.days_past_due,
                a.principal_in_arrears_minor,
                a.interest_in_arrears_minor,
                a.penalty_due_minor,
                a.outstanding_principal_minor,
            ],
            rows,
        )
    )
    # rowcount of INSERT ... SELECT is not reported by every driver: count instead.
    return int(conn.execute(select(func.count()).select_from(loan_arrears)).scalar_one())


def _rewrite_performance(conn: Connection, day: date) -> None:
    """Per-loan repayment figures as of ``day`` for every loan whose repayment counts,
    summed by the portfolio report (``kuza.adapters.db.repayment_figures``)."""
    conn.execute(delete(loan_performance))
    figures = per_loan_figures(day, loan.c.status.in_(COUNTED_STATUSES)).subquery()
    f, p = figures.c, loan_performance.c
    conn.execute(
        insert(loan_performance).from_select(
            [
                p.loan_id,
                p.programme_id,
                p.as_of,
                p.fallen_due_minor,
                p.paid_on_time_minor,
                p.repaid_minor,
            ],
            select(
                f.loan_id,
                f.programme_id,
                literal(day, Date),
                f.fallen_due,
                f.paid_on_time,
                f.repaid,
            ),
        )
    )


def close_day(db: Database, day: date, actor: str) -> CloseDayResult:
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
        return CloseDayResult(day, loans, charged, seen is None, accruing, accrue)
