"""Arrears list and portfolio quality, read from the state the last close-day left.

PAR and repayment rates use the definitions of ``kuza.domain.loans.arrears`` (see
docs/credit.md): PAR is weighted by outstanding principal and counts rescheduled loans
as at risk; the repayment rates are summed over loans, weighted by the amount fallen due.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    journal_entry,
    loan,
    loan_arrears,
    loan_instalment,
    loan_transaction,
    member,
    programme,
    savings_group,
)
from kuza.domain.loans.arrears import (
    LoanAtRisk,
    Received,
    Scheduled,
    cumulative_repayment_rate,
    on_time_repayment_rate,
    par_buckets,
)
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


def arrears_list(
    db: Database, programme_id: int | None, only: Collection[int] | None = None
) -> list[ArrearsRow]:
    """Loans with something late, the latest first to fall behind last; of one programme
    (None: all) and, with ``only``, of those groups alone."""
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
        .where(a.days_past_due > 0)
        .order_by(a.days_past_due.desc(), a.loan_id)
    )
    if programme_id is not None:
        query = query.where(a.programme_id == programme_id)
    if only is not None:
        query = query.where(loan.c.group_id.in_(list(only)))
    with db.read() as conn:
        rows = conn.execute(query).all()

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
            r.as_of,
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


def portfolio(
    db: Database,
    programme_id: int,
    currency: str,
    as_of: date,
    only: Collection[int] | None = None,
) -> Portfolio:
    """PAR and repayment rates of a programme's loans (with ``only``: of those groups)."""
    a = loan_arrears.c
    groups = loan.c.group_id.in_(list(only)) if only is not None else loan.c.id.is_not(None)
    with db.read() as conn:
        at_risk = conn.execute(
            select(a.outstanding_principal_minor, a.days_past_due, loan.c.status)
            .join(loan, loan.c.id == a.loan_id)
            .where(a.programme_id == programme_id, groups)
        ).all()
        counted = [LoanStatus.DISBURSED, LoanStatus.RESCHEDULED, LoanStatus.CLOSED]
        i = loan_instalment.c
        dues = conn.execute(
            select(i.loan_id, i.due_on, i.principal_minor + i.interest_minor + i.fee_minor)
            .join(loan, loan.c.id == i.loan_id)
            .where(loan.c.programme_id == programme_id, loan.c.status.in_(counted), groups)
        ).all()
        t = loan_transaction.c
        # a reversed repayment (its entry reversed) was never received
        reversed_entries = select(journal_entry.c.reverses_id).where(
            journal_entry.c.reverses_id.is_not(None)
        )
        paid = conn.execute(
            select(t.loan_id, t.on_date, t.amount_minor - t.overpaid_minor - t.penalty_minor)
            .join(loan, loan.c.id == t.loan_id)
            .where(
                loan.c.programme_id == programme_id,
                loan.c.status.in_(counted),
                groups,
                t.kind == "repayment",
                t.entry_id.not_in(reversed_entries),
            )
        ).all()
    loans = [
        LoanAtRisk(
            Decimal(r.outstanding_principal_minor),
            int(r.days_past_due),
            r.status == LoanStatus.RESCHEDULED.value,
        )
        for r in at_risk
    ]
    scheduled: dict[int, list[Scheduled]] = defaultdict(list)
    for loan_id, due_on, amount in dues:
        scheduled[loan_id].append(Scheduled(due_on, Decimal(amount)))
    received: dict[int, list[Received]] = defaultdict(list)
    for loan_id, on, amount in paid:
        received[loan_id].append(Received(on, Decimal(amount)))
    fallen = Decimal(0)
    on_time = Decimal(0)
    cumulative = Decimal(0)
    for loan_id, its_dues in scheduled.items():
        weight = sum((d.amount for d in its_dues if d.due_on <= as_of), Decimal(0))
        rate = on_time_repayment_rate(its_dues, received[loan_id], as_of)
        if rate is None:
            continue
        fallen += weight
        on_time += rate * weight
        cumulative += (cumulative_repayment_rate(its_dues, received[loan_id], as_of) or 0) * weight
    gross = sum((x.outstanding_principal for x in loans), Decimal(0))
    return Portfolio(
        loans=len(loans),
        gross=Money.from_minor(int(gross), currency),
        par=par_buckets(loans),
        on_time_rate=on_time / fallen if fallen else None,
        cumulative_rate=cumulative / fallen if fallen else None,
    )


@dataclass(frozen=True)
class ProgrammePortfolio:
    programme_id: int
    name: str
    portfolio: Portfolio


@dataclass(frozen=True)
class ArrearsOverview:
    rows: list[ArrearsRow]
    portfolios: list[ProgrammePortfolio]


def arrears_overview(
    db: Database, programme_id: int | None, only: Collection[int] | None, as_of: date
) -> ArrearsOverview:
    """The arrears page: late loans and, per programme, PAR and repayment rates, all
    limited to the groups given (``only``; None = every group of the programme)."""
    query = select(programme.c.id, programme.c.name, programme.c.currency).order_by(programme.c.id)
    if programme_id is not None:
        query = query.where(programme.c.id == programme_id)
    with db.read() as conn:
        programmes = conn.execute(query).all()
    return ArrearsOverview(
        rows=arrears_list(db, programme_id, only),
        portfolios=[
            ProgrammePortfolio(p.id, p.name, portfolio(db, p.id, p.currency, as_of, only))
            for p in programmes
        ],
    )
