"""Read models of the loan book for pages and the API: lists, one loan with its
schedule, what each member owes at a meeting, and the arrears overview. Every list is
limited to the groups the caller may see (``only``: a filter resolved in the query, see
``kuza.adapters.db.scoping``; None = every group)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, case, func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import loan, loan_instalment, loan_product, member, savings_group
from kuza.adapters.db.scoping import Groups, in_groups
from kuza.domain.errors import NotFound
from kuza.domain.loans.lifecycle import ACTIVE, LoanStatus
from kuza.domain.money import Money


@dataclass(frozen=True)
class LoanRow:
    id: int
    group_id: int
    group: str
    member_id: int
    member: str
    product: str
    kind: str
    status: str
    principal: Money
    outstanding: Money
    applied_on: date
    applied_by: str
    purpose: str


@dataclass(frozen=True)
class InstalmentRow:
    n: int
    due_on: date
    principal: Money
    interest: Money
    fees: Money
    penalties: Money
    paid: Money
    left: Money

    @property
    def total(self) -> Money:
        return self.principal + self.interest + self.fees + self.penalties


@dataclass(frozen=True)
class CurrentTerms:
    """The loan's terms now (the last reschedule's, else the disbursement's), as the
    reschedule form spells them; ``at_meetings``: due on the group's meetings, every
    ``every_n``-th one."""

    instalments: int
    every_n: int
    every_unit: str
    rate_percent: str
    rate_per: str
    method: str
    grace_principal: int
    grace_interest: int
    at_meetings: bool

    @property
    def rate(self) -> Decimal:
        """The rate for display (a stored rate is checked, a decimal string)."""
        return Decimal(self.rate_percent)

    def fields(self) -> dict[str, str]:
        """The reschedule form's inputs, by name."""
        return {k: str(v) for k, v in asdict(self).items() if k != "at_meetings"}


def current_terms(terms: Mapping[str, Any]) -> CurrentTerms:
    """Read the stored terms with the calculator's defaults (monthly, no grace)."""

    def part(key: str) -> Mapping[str, Any]:
        value = terms.get(key)
        return value if isinstance(value, Mapping) else {}

    every, rate, grace = part("every"), part("rate"), part("grace")
    return CurrentTerms(
        instalments=int(terms.get("instalments", 0)),
        every_n=int(every.get("n", 1)),
        every_unit=str(every.get("unit", "month")),
        rate_percent=str(rate.get("percent", "")),
        rate_per=str(rate.get("per", "")),
        method=str(terms.get("method", "declining_equal_instalments")),
        grace_principal=int(grace.get("principal", 0)),
        grace_interest=int(grace.get("interest", 0)),
        at_meetings=bool(terms.get("repay_at_meetings")),
    )


@dataclass(frozen=True)
class LoanDetail:
    loan: LoanRow
    cycle: int
    source: str
    grant: bool
    monthly_revenue: Money | None
    monthly_costs: Money | None
    goods: str
    decided_on: date | None
    decided_by: str
    disbursed_on: date | None
    disbursed_by: str
    closed_on: date | None
    note: str
    instalments: list[InstalmentRow]
    terms: CurrentTerms

    @property
    def due(self) -> Money:
        """Still owed, every instalment together."""
        return sum((i.left for i in self.instalments), Money.zero(self.loan.principal.currency))


@dataclass(frozen=True)
class ProductChoice:
    id: int
    name: str
    kind: str


_OUTSTANDING = (
    select(
        loan_instalment.c.loan_id,
        func.sum(
            loan_instalment.c.principal_minor
            - loan_instalment.c.principal_paid_minor
            - loan_instalment.c.principal_written_off_minor
        ).label("owed"),
    )
    .group_by(loan_instalment.c.loan_id)
    .subquery()
)


def _query(only: Groups) -> Select[Any]:
    query = (
        select(
            loan,
            savings_group.c.name.label("group_name"),
            member.c.name.label("member_name"),
            loan_product.c.name.label("product_name"),
            func.coalesce(_OUTSTANDING.c.owed, 0).label("owed"),
        )
        .join(savings_group, savings_group.c.id == loan.c.group_id)
        .join(member, member.c.id == loan.c.member_id)
        .join(loan_product, loan_product.c.id == loan.c.product_id)
        .outerjoin(_OUTSTANDING, _OUTSTANDING.c.loan_id == loan.c.id)
    )
    scope = in_groups(loan.c.group_id, only)
    return query if scope is None else query.where(scope)


def _row(r: Any) -> LoanRow:
    cur = r.currency
    return LoanRow(
        id=r.id,
        group_id=r.group_id,
        group=r.group_name,
        member_id=r.member_id,
        member=r.member_name,
        product=r.product_name,
        kind=r.kind,
        status=r.status,
        principal=Money.from_minor(r.principal_minor, cur),
        outstanding=Money.from_minor(int(r.owed), cur),
        applied_on=r.applied_on,
        applied_by=r.applied_by,
        purpose=r.purpose or "",
    )


def loan_list(
    db: Database,
    only: Groups,
    status: LoanStatus | None = None,
    member_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[LoanRow], int]:
    """A page of loans, newest application first, and how many there are in all."""
    query = _query(only)
    count = select(func.count()).select_from(loan)
    scope = in_groups(loan.c.group_id, only)
    if scope is not None:
        count = count.where(scope)
    if status is not None:
        query = query.where(loan.c.status == status.value)
        count = count.where(loan.c.status == status.value)
    if member_id is not None:
        query = query.where(loan.c.member_id == member_id)
        count = count.where(loan.c.member_id == member_id)
    query = query.order_by(loan.c.applied_on.desc(), loan.c.id.desc()).limit(limit).offset(offset)
    with db.read() as conn:
        rows = conn.execute(query).all()
        total = int(conn.execute(count).scalar_one())
    return [_row(r) for r in rows], total


def loan_group(db: Database, loan_id: int) -> int | None:
    """The group a loan belongs to (for the scope check), None if there is no such loan."""
    with db.read() as conn:
        found = conn.execute(select(loan.c.group_id).where(loan.c.id == loan_id)).scalar()
    return None if found is None else int(found)


def terms_of(db: Database, loan_id: int) -> CurrentTerms:
    with db.read() as conn:
        found = conn.execute(select(loan.c.terms).where(loan.c.id == loan_id)).first()
    if found is None:
        raise NotFound("no loan %(loan_id)s", field="loan_id", loan_id=loan_id)
    return current_terms(found.terms or {})


def loan_detail(db: Database, loan_id: int) -> LoanDetail:
    with db.read() as conn:
        r = conn.execute(_query(None).where(loan.c.id == loan_id)).first()
        if r is None:
            raise NotFound("no loan %(loan_id)s", field="loan_id", loan_id=loan_id)
        inst = conn.execute(
            select(loan_instalment)
            .where(loan_instalment.c.loan_id == loan_id)
            .order_by(loan_instalment.c.n)
        ).all()
    cur = r.currency

    def m(minor: int | None) -> Money:
        return Money.from_minor(int(minor or 0), cur)

    rows = []
    for i in inst:
        paid = (
            i.principal_paid_minor + i.interest_paid_minor + i.fee_paid_minor + i.penalty_paid_minor
        )
        owed = (
            i.principal_minor
            - i.principal_written_off_minor
            + i.interest_minor
            + i.fee_minor
            + i.penalty_minor
        )
        rows.append(
            InstalmentRow(
                i.n,
                i.due_on,
                m(i.principal_minor),
                m(i.interest_minor),
                m(i.fee_minor),
                m(i.penalty_minor),
                m(paid),
                m(max(owed - paid, 0)),
            )
        )
    return LoanDetail(
        loan=_row(r),
        cycle=r.loan_cycle,
        source=r.source,
        grant=bool(r.grant),
        monthly_revenue=None if r.monthly_revenue_minor is None else m(r.monthly_revenue_minor),
        monthly_costs=None if r.monthly_costs_minor is None else m(r.monthly_costs_minor),
        goods=" · ".join(x for x in (r.goods_description, r.goods_supplier) if x),
        decided_on=r.decided_on,
        decided_by=r.decided_by or "",
        disbursed_on=r.disbursed_on,
        disbursed_by=r.disbursed_by or "",
        closed_on=r.closed_on,
        note=r.note or "",
        instalments=rows,
        terms=current_terms(r.terms or {}),
    )


def products_of(db: Database, programme_id: int) -> list[ProductChoice]:
    with db.read() as conn:
        rows = conn.execute(
            select(loan_product.c.id, loan_product.c.name, loan_product.c.kind)
            .where(loan_product.c.programme_id == programme_id, loan_product.c.active)
            .order_by(loan_product.c.name)
        ).all()
    return [ProductChoice(r.id, r.name, r.kind) for r in rows]


@dataclass(frozen=True)
class DueAtMeeting:
    loan_id: int
    product: str
    amount: Money  # instalments fallen due by the meeting and not yet paid


def dues_at_meeting(db: Database, group_id: int, on: date) -> dict[int, list[DueAtMeeting]]:
    """Per member, each of her active loans in this group with what it asks for at a
    meeting on ``on``: every instalment due on or before that day, less what was paid on
    it (zero when nothing is due yet; she may still repay early)."""
    i = loan_instalment.c
    left = (
        i.principal_minor
        - i.principal_paid_minor
        - i.principal_written_off_minor
        + i.interest_minor
        - i.interest_paid_minor
        + i.fee_minor
        - i.fee_paid_minor
        + i.penalty_minor
        - i.penalty_paid_minor
    )
    query = (
        select(
            loan.c.id,
            loan.c.member_id,
            loan.c.currency,
            loan_product.c.name,
            func.sum(case((i.due_on <= on, left), else_=0)).label("due"),
        )
        .join(loan_instalment, i.loan_id == loan.c.id)
        .join(loan_product, loan_product.c.id == loan.c.product_id)
        .where(
            loan.c.group_id == group_id,
            loan.c.status.in_([s.value for s in ACTIVE]),
        )
        .group_by(loan.c.id, loan.c.member_id, loan.c.currency, loan_product.c.name)
        .order_by(loan.c.id)
    )
    with db.read() as conn:
        rows = conn.execute(query).all()
    out: dict[int, list[DueAtMeeting]] = defaultdict(list)
    for r in rows:
        due = Money.from_minor(max(int(r.due or 0), 0), r.currency)
        out[r.member_id].append(DueAtMeeting(r.id, r.name, due))
    return dict(out)
