"""Read models of a member's health insurance: her enrolments (plan, dependants) and
the claims of an enrolment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    insurance_claim,
    insurance_dependant,
    insurance_enrolment,
    insurance_plan,
)
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
    return [
        ClaimRow(
            r.id, r.enrolment_id, r.dependant_id, r.incurred_on, r.description,
            Money.from_minor(r.claimed_minor, r.currency),
            None if r.approved_minor is None else Money.from_minor(r.approved_minor, r.currency),
            r.status, r.submitted_on, r.decided_on, r.paid_on,
        )
        for r in rows
    ]  # fmt: skip
