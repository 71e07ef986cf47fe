"""Read models of health insurance: a programme's plans, a member's enrolments (plan,
dependants), the claims of an enrolment and the claims queue of a user's scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    insurance_claim,
    insurance_dependant,
    insurance_enrolment,
    insurance_plan,
    member,
    membership,
)
from kuza.adapters.db.scoping import Groups, in_groups
from kuza.domain.insurance import ClaimStatus
from kuza.domain.money import Money


@dataclass(frozen=True)
class EnrolmentRow:
    id: int
    plan_id: int
    plan: str
    member_id: int
    group_id: int
    enrolled_on: date
    ended_on: date | None
    pays_from: str
    dependants: int


@dataclass(frozen=True)
class ClaimRow:
    id: int
    enrolment_id: int
    dependant_id: int | None
    incurred_on: date
    description: str
    claimed: Money
    approved: Money | None
    status: str
    submitted_on: date
    decided_on: date | None
    paid_on: date | None


def enrolment_member(db: Database, enrolment_id: int) -> int | None:
    """The member an enrolment is of (for the scope check); None if there is none."""
    with db.read() as conn:
        found = conn.execute(
            select(insurance_enrolment.c.member_id).where(insurance_enrolment.c.id == enrolment_id)
        ).scalar()
    return None if found is None else int(found)


def member_enrolments(db: Database, member_id: int) -> list[EnrolmentRow]:
    e = insurance_enrolment.c
    dependants = (
        select(func.count()).where(insurance_dependant.c.enrolment_id == e.id).scalar_subquery()
    )
    with db.read() as conn:
        rows = conn.execute(
            select(insurance_enrolment, insurance_plan.c.name, dependants.label("dependants"))
            .join(insurance_plan, insurance_plan.c.id == e.plan_id)
            .where(e.member_id == member_id)
            .order_by(e.enrolled_on, e.id)
        ).all()
    return [
        EnrolmentRow(
            r.id, r.plan_id, r.name, r.member_id, r.group_id, r.enrolled_on, r.ended_on,
            r.pays_from, int(r.dependants),
        )
        for r in rows
    ]  # fmt: skip


def enrolment_claims(db: Database, enrolment_id: int) -> list[ClaimRow]:
    c = insurance_claim.c
    with db.read() as conn:
        rows = conn.execute(
            select(insurance_claim).where(c.enrolment_id == enrolment_id).order_by(c.id)
        ).all()
    return [_claim_row(r) for r in rows]


def _claim_row(r: Any) -> ClaimRow:
    return ClaimRow(
        r.id, r.enrolment_id, r.dependant_id, r.incurred_on, r.description,
        Money.from_minor(r.claimed_minor, r.currency),
        None if r.approved_minor is None else Money.from_minor(r.approved_minor, r.currency),
        r.status, r.submitted_on, r.decided_on, r.paid_on,
    )  # fmt: skip


@dataclass(frozen=True)
class PlanRow:
    id: int
    programme_id: int
    name: str
    premium: Money
    dependant_premium: Money
    period: str
    cover_per_year: Money
    waiting_days: int
    subsidy: list[str]  # percent paid by the programme in year 1, 2, 3 ...
    active: bool
    enrolments: int


def plan_list(db: Database, programme_id: int | None) -> list[PlanRow]:
    """The plans of a programme (every programme's for None), by name."""
    p = insurance_plan.c
    enrolled = select(func.count()).where(insurance_enrolment.c.plan_id == p.id).scalar_subquery()
    query = select(insurance_plan, enrolled.label("enrolments")).order_by(p.name, p.id)
    if programme_id is not None:
        query = query.where(p.programme_id == programme_id)
    with db.read() as conn:
        rows = conn.execute(query).all()
    return [
        PlanRow(
            r.id, r.programme_id, r.name, Money.from_minor(r.premium_minor, r.currency),
            Money.from_minor(r.dependant_premium_minor, r.currency), r.period,
            Money.from_minor(r.cover_per_year_minor, r.currency), int(r.waiting_days),
            [str(x) for x in r.subsidy], bool(r.active), int(r.enrolments),
        )
        for r in rows
    ]  # fmt: skip


def plan_programme(db: Database, plan_id: int) -> int | None:
    """The programme a plan is of (for the scope check); None if there is none."""
    with db.read() as conn:
        found = conn.execute(
            select(insurance_plan.c.programme_id).where(insurance_plan.c.id == plan_id)
        ).scalar()
    return None if found is None else int(found)


@dataclass(frozen=True)
class DependantRow:
    id: int
    enrolment_id: int
    name: str
    relation: str
    sex: str
    birth_year: int | None


def enrolment_dependants(db: Database, enrolment_ids: list[int]) -> list[DependantRow]:
    d = insurance_dependant.c
    with db.read() as conn:
        rows = conn.execute(
            select(insurance_dependant).where(d.enrolment_id.in_(enrolment_ids)).order_by(d.id)
        ).all()
    return [
        DependantRow(r.id, r.enrolment_id, r.name, r.relation, r.sex, r.birth_year) for r in rows
    ]


def claim_member(db: Database, claim_id: int) -> int | None:
    """The member a claim is of (for the scope check); None if there is none."""
    with db.read() as conn:
        found = conn.execute(
            select(insurance_enrolment.c.member_id)
            .join(insurance_claim, insurance_claim.c.enrolment_id == insurance_enrolment.c.id)
            .where(insurance_claim.c.id == claim_id)
        ).scalar()
    return None if found is None else int(found)


def claim_by_id(db: Database, claim_id: int) -> ClaimRow:
    with db.read() as conn:
        row = conn.execute(select(insurance_claim).where(insurance_claim.c.id == claim_id)).one()
    return _claim_row(row)


@dataclass(frozen=True)
class QueuedClaim:
    """A claim as its decider needs it: whose, under which plan, who submitted it."""

    claim: ClaimRow
    member_id: int
    member: str
    plan: str
    submitted_by: str
    decided_by: str | None
    reason: str


def _in_scope(query: Select[Any], groups: Groups) -> Select[Any]:
    """Claims of members who belong (or belonged) to a visible group; None is every group."""
    scope = in_groups(membership.c.group_id, groups)
    if scope is None:
        return query
    members = select(membership.c.member_id).where(scope)
    return query.where(insurance_enrolment.c.member_id.in_(members))


def claim_queue(
    db: Database,
    groups: Groups,
    status: ClaimStatus | None,
    limit: int,
    offset: int,
) -> tuple[list[QueuedClaim], int]:
    """Claims in scope, oldest submission first (the order a queue is worked in)."""
    c, e = insurance_claim.c, insurance_enrolment.c
    base = select(insurance_claim.c.id).join(insurance_enrolment, e.id == c.enrolment_id)
    base = _in_scope(base, groups)
    if status is not None:
        base = base.where(c.status == status.value)
    ids = base.subquery()
    query = (
        select(
            insurance_claim,
            e.member_id,
            member.c.name.label("member_name"),
            insurance_plan.c.name.label("plan_name"),
        )
        .join(insurance_enrolment, e.id == c.enrolment_id)
        .join(member, member.c.id == e.member_id)
        .join(insurance_plan, insurance_plan.c.id == e.plan_id)
        .where(c.id.in_(select(ids.c.id)))
        .order_by(c.submitted_on, c.id)
        .limit(limit)
        .offset(offset)
    )
    with db.read() as conn:
        total = int(conn.execute(select(func.count()).select_from(ids)).scalar_one())
        rows = conn.execute(query).all()
    return [
        QueuedClaim(
            _claim_row(r), r.member_id, r.member_name, r.plan_name, r.submitted_by,
            r.decided_by, r.reason or "",
        )
        for r in rows
    ], total  # fmt: skip
