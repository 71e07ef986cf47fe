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
    portfolio_summary,
    programme,
    savings_group,
)
from kuza.adapters.db.scoping import Groups, in_groups
from kuza.domain.access import GroupFilter
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


def _late(programme_id: int | None, only: Groups, branch_id: int | None = None) -> list[Any]:
    a = loan_arrears.c
    where: list[Any] = [a.days_past_due > 0]
    if programme_id is not None:
        where.append(a.programme_id == programme_id)
    scope = in_groups(loan.c.group_id, only)
    if scope is not None:
        where.append(scope)
    if branch_id is not None:
        where.append(savings_group.c.branch_id == branch_id)
    return where


def arrears_count(
    db: Database,
    programme_id: int | None,
    only: Groups = None,
    branch_id: int | None = None,
) -> int:
    """How many loans :func:`arrears_list` would return without a limit (for paging)."""
    query = select(func.count()).select_from(loan_arrears)
    if only is not None or branch_id is not None:
        query = query.join(loan, loan.c.id == loan_arrears.c.loan_id)
    if branch_id is not None:
        query = query.join(savings_group, savings_group.c.id == loan.c.group_id)
    with db.read() as conn:
        return int(conn.execute(query.where(*_late(programme_id, only, branch_id))).scalar_one())


def arrears_list(
    db: Database,
    programme_id: int | None,
    only: Groups = None,
    *,
    limit: int | None = None,
    offset: int = 0,
    branch_id: int | None = None,
) -> list[ArrearsRow]:
    """Loans with something late, the latest first to fall behind last; of one programme
    (None: all) and, with ``only``, of those groups alone (``branch_id``: of that branch's
    groups). ``limit``/``offset`` page through them in that order (ties broken by loan
    id, so pages never overlap)."""
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
        .where(*_late(programme_id, only, branch_id))
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
    only: Groups = None,
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
    groups = in_groups(loan.c.group_id, only)
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
    only: Groups = None,
    *,
    live: bool = False,
    branch_id: int | None = None,
) -> Portfolio:
    """The figures a page shows, like a core banking system's close-of-business reports
    (Fineract's COB job computes arrears; its reports read what it left): those of the
    last close-day, summed from what it stored (``rates_from_close_day`` says which),
    whatever day it is now. Computed from the book as of ``today`` only when asked
    (``live``, linear in instalments: seconds on a large book) or before any close-day.

    For the whole programme (no ``only``) or one branch (``branch_id``) they come from the
    few ``portfolio_summary`` rows close-day wrote (same figures, constant in loans)."""
    if not live and only is None:
        found = summary_portfolio(db, programme_id, currency, branch_id)
        if found is not None:
            return found
    if branch_id is not None and only is None:
        only = GroupFilter(programme_id=programme_id, branch_id=branch_id)
    closed = None if live else last_close_day(db, programme_id)
    return portfolio(db, programme_id, currency, closed or today, only, stored=not live)


BUCKETS = ("current", "par1", "par30", "par90")
BUCKET_DAYS = (0, 1, 31, 91)  # a day count of each bucket, for ``par_buckets``


def summary_portfolio(
    db: Database, programme_id: int, currency: str, branch_id: int | None = None
) -> Portfolio | None:
    """The portfolio of the programme (or of one of its branches) as the last close-day
    left it, from its ``portfolio_summary`` rows: the figures :func:`current_portfolio`
    sums from one row per loan. None when close-day has written none for the programme
    (none since the table came, or no loan counted then): the caller aggregates.

    Loans rescheduled since close-day are at risk whatever their days late (as the
    bucketed query counts them from ``loan.status``): those few (``loan.status`` is
    indexed) move to the last bucket here."""
    s, a, g = portfolio_summary.c, loan_arrears.c, savings_group.c
    with db.read() as conn:
        rows = conn.execute(select(portfolio_summary).where(s.programme_id == programme_id)).all()
        if not rows or not sum(int(r.counted_loans) for r in rows):
            return None
        days = a.days_past_due
        bucket = case((days > 90, 3), (days > 30, 2), (days > 0, 1), else_=0)
        moved = (
            select(bucket, func.count(), func.sum(a.outstanding_principal_minor))
            .select_from(loan_arrears.join(loan, loan.c.id == a.loan_id))
            .where(
                a.programme_id == programme_id,
                loan.c.status == LoanStatus.RESCHEDULED.value,
            )
            .group_by(bucket)
        )
        if branch_id is not None:
            moved = moved.join(savings_group, g.id == loan.c.group_id).where(
                g.branch_id == branch_id
            )
        rescheduled = conn.execute(moved).all()
    mine = [r for r in rows if branch_id is None or r.branch_id == branch_id]
    loans = [sum(int(getattr(r, f"{b}_loans")) for r in mine) for b in BUCKETS]
    minor = [sum(int(getattr(r, f"{b}_minor")) for r in mine) for b in BUCKETS]
    for index, n, outstanding in rescheduled:
        loans[index] -= int(n)
        minor[index] -= int(outstanding or 0)
        loans[3] += int(n)
        minor[3] += int(outstanding or 0)
    at_risk = [LoanAtRisk(Decimal(m), d) for m, d in zip(minor, BUCKET_DAYS, strict=True)]
    fallen = Decimal(sum(int(r.fallen_due_minor) for r in mine))
    on_time = sum(int(r.paid_on_time_minor) for r in mine)
    repaid = sum(int(r.repaid_minor) for r in mine)
    return Portfolio(
        loans=sum(loans),
        gross=Money.from_minor(sum(minor), currency),
        par=par_buckets(at_risk),
        on_time_rate=Decimal(on_time) / fallen if fallen else None,
        cumulative_rate=Decimal(repaid) / fallen if fallen else None,
        rates_from_close_day=rows[0].as_of,
    )


def summary_late(db: Database, programme_id: int, branch_id: int | None = None) -> int | None:
    """The loans with something late as the last close-day left them (what
    :func:`arrears_count` counts), from ``portfolio_summary``; None without its rows."""
    s = portfolio_summary.c
    late = s.par1_loans + s.par30_loans + s.par90_loans
    mine = late if branch_id is None else case((s.branch_id == branch_id, late), else_=0)
    query = select(func.count(), func.sum(mine)).where(s.programme_id == programme_id)
    with db.read() as conn:
        rows, n = conn.execute(query).one()
    return int(n or 0) if rows else None


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


def programme_portfolios(
    db: Database,
    programme_id: int | None,
    only: Groups,
    as_of: date,
    *,
    live: bool = False,
    branch_id: int | None = None,
) -> list[ProgrammePortfolio]:
    """Per programme (one, or every one for None), PAR and repayment rates as the last
    close-day left them (``live``: the rates computed now, as of ``as_of``), limited to
    the groups given (``only``; None = every group of the programme) or to one branch's
    groups (``branch_id``, with ``only`` None: read from close-day's summary)."""
    query = select(programme.c.id, programme.c.name, programme.c.currency).order_by(programme.c.id)
    if programme_id is not None:
        query = query.where(programme.c.id == programme_id)
    with db.read() as conn:
        programmes = conn.execute(query).all()
    return [
        ProgrammePortfolio(
            p.id,
            p.name,
            current_portfolio(db, p.id, p.currency, as_of, only, live=live, branch_id=branch_id),
        )
        for p in programmes
    ]


def arrears_overview(
    db: Database,
    programme_id: int | None,
    only: Groups,
    as_of: date,
    *,
    live: bool = False,
    offset: int = 0,
    limit: int = PAGE,
    branch_id: int | None = None,
) -> ArrearsOverview:
    """The arrears page: one page of late loans and, per programme, PAR and repayment
    rates as the last close-day left them (``live``: the rates computed now, as of
    ``as_of``), all limited to the groups given (``only``; None = every group of the
    programme) or to one branch's groups (``branch_id``, with ``only`` None). For a whole
    programme or a branch the figures and the count of late loans are read from the
    summary close-day wrote; the page of loans is one indexed read."""
    late = None
    if only is None:
        with db.read() as conn:
            query = select(programme.c.id)
            if programme_id is not None:
                query = query.where(programme.c.id == programme_id)
            ids = conn.execute(query).scalars().all()
        counts = [summary_late(db, pid, branch_id) for pid in ids]
        if all(n is not None for n in counts):
            late = sum(n or 0 for n in counts)
    return ArrearsOverview(
        rows=arrears_list(db, programme_id, only, limit=limit, offset=offset, branch_id=branch_id),
        portfolios=programme_portfolios(
            db, programme_id, only, as_of, live=live, branch_id=branch_id
        ),
        late=arrears_count(db, programme_id, only, branch_id) if late is None else late,
        offset=offset,
        limit=limit,
        live=live,
    )
