"""Arrears list and portfolio quality, read from the state the last close-day left.

PAR and repayment rates use the definitions of ``kuza.domain.loans.arrears`` (see
docs/credit.md): PAR is weighted by outstanding principal and counts rescheduled loans
as at risk; the repayment rates are summed over loans, weighted by the amount fallen due
(so each is a sum of amounts ÷ the amount fallen due).

Both are aggregates in the database, never rows matched in Python: PAR sums
``loan_arrears`` by bucket; the rates sum the per-loan figures close-day stored in
``loan_performance`` when asked for the date of that close-day (the book as that
close-day left it, like PAR), and otherwise compute the same per-loan figures from the
instalments and repayments in one query (``kuza.adapters.db.repayment_figures``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import case, func, or_, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.repayment_figures import COUNTED_STATUSES, per_loan_figures
from kuza.adapters.db.schema import (
    loan,
    loan_arrears,
    loan_performance,
    loan_performance_on,
    member,
    programme,
    savings_group,
)
from kuza.domain.loans.arrears import LoanAtRisk, par_buckets
from kuza.domain.loans.lifecycle import LoanStatus
from kuza.domain.money import Money


def par_bucket(days_late: int) -> str:
    if days_late > 90:
        return "PAR90"
    if days_late > 30:
        return "PAR30"
    if days_late > 0:
        return "PAR1"
    return "current"


@dataclass(frozen=True)
class ArrearsRow:
    loan_id: int
    member_id: int
    member: str
    group_id: int
    group: str
    days_late: int
    principal_in_arrears: Money
    interest_in_arrears: Money
    penalties_due: Money
    outstanding: Money
    bucket: str
    as_of: date


def _late(programme_id: int | None, only: Collection[int] | None) -> list[Any]:
    a = loan_arrears.c
    where: list[Any] = [a.days_past_due > 0]
    if programme_id is not None:
        where.append(a.programme_id == programme_id)
    if only is not None:
        where.append(loan.c.group_id.in_(list(only)))
    return where


def arrears_count(
    db: Database, programme_id: int | None, only: Collection[int] | None = None
) -> int:
    """How many loans :func:`arrears_list` would return without a limit (for paging)."""
    query = select(func.count()).select_from(loan_arrears)
    if only is not None:
        query = query.join(loan, loan.c.id == loan_arrears.c.loan_id)
    with db.read() as conn:
        return int(conn.execute(query.where(*_late(programme_id, only))).scalar_one())


def arrears_list(
    db: Database,
    programme_id: int | None,
    only: Collection[int] | None = None,
    *,
    limit: int | None = None,
    offset: int = 0,
) -> list[ArrearsRow]:
    """Loans with something late, the latest first to fall behind last; of one programme
    (None: all) and, with ``only``, of those groups alone. ``limit``/``offset`` page
    through them in that order (ties broken by loan id, so pages never overlap)."""
    a = loan_arrears.c
    query = (
        select(
            a.loan_id,
            a.as_of,
            a.days_past_due,
            a.principal_in_arrears_minor,
            a.interest_in_arrears_minor,
            a.penalty_due_minor,
            a.outstanding_principal_minor,
            loan.c.currency,
            loan.c.member_id,
            member.c.name.label("member_name"),
            loan.c.group_id,
            savings_group.c.name.label("group_name"),
        )
        .join(loan, loan.c.id == a.loan_id)
        .join(member, member.c.id == loan.c.member_id)
        .join(savings_group, savings_group.c.id == loan.c.group_id)
        .where(*_late(programme_id, only))
        .order_by(a.days_past_due.desc(), a.loan_id)
        .limit(limit)
        .offset(offset or None)
    )
    with db.read() as conn:
        rows = conn.execute(query).all()
        # close-day keeps unchanged rows with the date they were computed on; the date of
        # the stored figures as a whole is the last close-day's
        stored_on = conn.execute(select(func.max(loan_performance_on.c.as_of))).scalar()

    def m(minor: int, cur: str) -> Money:
        return Money.from_minor(int(minor), cur)

    return [
        ArrearsRow(
            r.loan_id,
            r.member_id,
            r.member_name,
            r.group_id,
            r.group_name,
            int(r.days_past_due),
            m(r.principal_in_arrears_minor, r.currency),
            m(r.interest_in_arrears_minor, r.currency),
            m(r.penalty_due_minor, r.currency),
            m(r.outstanding_principal_minor, r.currency),
            par_bucket(int(r.days_past_due)),
            stored_on or r.as_of,
        )
        for r in rows
    ]


@dataclass(frozen=True)
class Portfolio:
    loans: int
    gross: Money  # outstanding principal of active loans
    par: dict[str, Decimal]  # PAR1, PAR30, PAR90 as fractions
    on_time_rate: Decimal | None
    cumulative_rate: Decimal | None
    # the close-day whose stored per-loan figures gave the rates (the book as it left
    # it); None when they were computed from the book as it is now
    rates_from_close_day: date | None = None


def _performance_on(conn: Any, programme_id: int) -> date | None:
    """The date the stored per-loan figures of the programme's loans are as of (close-day
    keeps unchanged rows with the date they were computed on, and records the date of
    them all once), None when none is stored for it."""
    p = loan_performance.c
    if conn.execute(select(p.loan_id).where(p.programme_id == programme_id).limit(1)).first():
        return cast(
            "date | None", conn.execute(select(func.max(loan_performance_on.c.as_of))).scalar()
        )
    return None


def _closed_on(conn: Any, programme_id: int) -> date | None:
    """The date of the close-day whose figures are stored for the programme's loans (each
    close-day brings the arrears rows up to its date), None before any close-day."""
    found = _performance_on(conn, programme_id)
    if found is None:
        a = loan_arrears.c
        found = conn.execute(
            select(func.max(a.as_of)).where(a.programme_id == programme_id)
        ).scalar()
    return cast("date | None", found)


def last_close_day(db: Database, programme_id: int) -> date | None:
    """The date of the last close-day's stored figures of the programme (None: none yet)."""
    with db.read() as conn:
        return _closed_on(conn, programme_id)


def _rates(
    conn: Any, programme_id: int, as_of: date, groups: Any, stored_ok: bool
) -> tuple[Any, date | None]:
    """(fallen due, repaid on time, repaid in all) summed over the programme's loans as of
    ``as_of``, and the close-day they were read from (None: computed from the book)."""
    p = loan_performance.c
    stored = _performance_on(conn, programme_id)
    if stored_ok and stored == as_of:
        query = select(
            func.sum(p.fallen_due_minor), func.sum(p.paid_on_time_minor), func.sum(p.repaid_minor)
        ).where(p.programme_id == programme_id)
        if groups is not None:
            query = query.join(loan, loan.c.id == p.loan_id).where(groups)
        return conn.execute(query).one(), stored
    if conn.dialect.name == "postgresql":  # sort the instalments in memory, not on disk
        conn.exec_driver_sql("SET LOCAL work_mem = '64MB'")
    where = [loan.c.programme_id == programme_id, loan.c.status.in_(COUNTED_STATUSES)]
    f = per_loan_figures(as_of, *where, *([groups] if groups is not None else [])).subquery()
    query = select(func.sum(f.c.fallen_due), func.sum(f.c.paid_on_time), func.sum(f.c.repaid))
    return conn.execute(query).one(), None


def portfolio(
    db: Database,
    programme_id: int,
    currency: str,
    as_of: date,
    only: Collection[int] | None = None,
    *,
    stored: bool = True,
) -> Portfolio:
    """PAR and repayment rates of a programme's loans (with ``only``: of those groups).

    PAR is as the last close-day left ``loan_arrears``. The repayment rates are as of
    ``as_of``: on the last close-day's date they are read from what that close-day stored
    (a repayment or reversal booked after it counts from the next close-day, as for PAR);
    on any other date (no close-day for it yet, a past period end), or with ``stored``
    False, they are computed from the book now, exactly, in one query."""
    a = loan_arrears.c
    groups = loan.c.group_id.in_(list(only)) if only is not None else None
    # PAR by bucket: a rescheduled loan is at risk whatever its days, as one over 90 is
    bucket = case(
        (or_(loan.c.status == LoanStatus.RESCHEDULED.value, a.days_past_due > 90), 91),
        (a.days_past_due > 30, 31),
        (a.days_past_due > 0, 1),
        else_=0,
    )
    par_query = (
        select(bucket.label("bucket"), func.count(), func.sum(a.outstanding_principal_minor))
        .join(loan, loan.c.id == a.loan_id)
        .where(a.programme_id == programme_id, *([groups] if groups is not None else []))
        .group_by(bucket)
    )
    with db.read() as conn:
        buckets = conn.execute(par_query).all()
        (fallen, on_time, repaid), from_close_day = _rates(
            conn, programme_id, as_of, groups, stored
        )
    loans = [LoanAtRisk(Decimal(int(minor or 0)), int(days)) for days, _, minor in buckets]
    gross = sum((x.outstanding_principal for x in loans), Decimal(0))
    fallen = Decimal(int(fallen or 0))
    return Portfolio(
        loans=sum(int(n) for _, n, _ in buckets),
        gross=Money.from_minor(int(gross), currency),
        par=par_buckets(loans),
        on_time_rate=Decimal(int(on_time)) / fallen if fallen else None,
        cumulative_rate=Decimal(int(repaid)) / fallen if fallen else None,
        rates_from_close_day=from_close_day,
    )


def current_portfolio(
    db: Database,
    programme_id: int,
    currency: str,
    today: date,
    only: Collection[int] | None = None,
    *,
    live: bool = False,
) -> Portfolio:
    """The figures a page shows, like a core banking system's close-of-business reports
    (Fineract's COB job computes arrears; its reports read what it left): those of the
    last close-day, summed from what it stored (``rates_from_close_day`` says which),
    whatever day it is now. Computed from the book as of ``today`` only when asked
    (``live``, linear in instalments: seconds on a large book) or before any close-day."""
    closed = None if live else last_close_day(db, programme_id)
    return portfolio(db, programme_id, currency, closed or today, only, stored=not live)


@dataclass(frozen=True)
class ProgrammePortfolio:
    programme_id: int
    name: str
    portfolio: Portfolio


PAGE = 50  # late loans per page of the arrears page


@dataclass(frozen=True)
class ArrearsOverview:
    rows: list[ArrearsRow]  # one page of them
    portfolios: list[ProgrammePortfolio]
    late: int = 0  # late loans in all (for paging)
    offset: int = 0
    limit: int = PAGE
    live: bool = False  # the rates computed from the book now, not the last close-day's


def arrears_overview(
    db: Database,
    programme_id: int | None,
    only: Collection[int] | None,
    as_of: date,
    *,
    live: bool = False,
    offset: int = 0,
    limit: int = PAGE,
) -> ArrearsOverview:
    """The arrears page: one page of late loans and, per programme, PAR and repayment
    rates as the last close-day left them (``live``: the rates computed now, as of
    ``as_of``), all limited to the groups given (``only``; None = every group of the
    programme)."""
    query = select(programme.c.id, programme.c.name, programme.c.currency).order_by(programme.c.id)
    if programme_id is not None:
        query = query.where(programme.c.id == programme_id)
    with db.read() as conn:
        programmes = conn.execute(query).all()
    return ArrearsOverview(
        rows=arrears_list(db, programme_id, only, limit=limit, offset=offset),
        portfolios=[
            ProgrammePortfolio(
                p.id, p.name, current_portfolio(db, p.id, p.currency, as_of, only, live=live)
            )
            for p in programmes
        ],
        late=arrears_count(db, programme_id, only),
        offset=offset,
        limit=limit,
        live=live,
    )
