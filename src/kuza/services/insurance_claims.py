"""Health insurance claims: submitted → approved (up to the cover left) → paid through the
ledger, or rejected. The officer who submits a claim does not decide it."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, insert, select, update

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import insurance_claim, insurance_dependant, insurance_enrolment
from kuza.domain.errors import DomainError, InvalidAmount, NotFound, RuleViolation
from kuza.domain.insurance import (
    ClaimEvent,
    ClaimStatus,
    check_claim_date,
    cover_left,
    membership_year,
    next_claim_status,
)
from kuza.domain.ledger import AccountCode, AccountKey, EntryBuilder
from kuza.domain.money import Money
from kuza.services import audit
from kuza.services.insurance import FUND, plan_of, plan_row
from kuza.services.ledger import post_entry
from kuza.services.loans.store import balance

CLAIMS = AccountKey(AccountCode.CLAIMS_EXPENSE)


def _enrolment(conn: Connection, enrolment_id: int) -> Any:
    row = conn.execute(
        select(insurance_enrolment).where(insurance_enrolment.c.id == enrolment_id)
    ).first()
    if row is None:
        raise NotFound(
            "no insurance enrolment %(enrolment_id)s",
            field="enrolment_id",
            enrolment_id=enrolment_id,
        )
    return row


def submit_claim(
    db: Database,
    enrolment_id: int,
    incurred_on: date,
    amount: str,
    description: str,
    today: date,
    dependant_id: int | None = None,
    submitted_on: date | None = None,
    actor: str = "system",
) -> int:
    """A claim for care the member (or one of her dependants) received."""
    submitted_on = submitted_on or today
    if submitted_on > today:
        raise RuleViolation(
            "%(submitted_on)s is in the future", field="submitted_on", submitted_on=submitted_on
        )
    if incurred_on > submitted_on:
        raise RuleViolation("the care is after the claim's submission", field="incurred_on")
    if not description.strip():
        raise DomainError("describe the care claimed for", field="description")
    with db.transaction() as conn:
        e = _enrolment(conn, enrolment_id)
        plan = plan_of(plan_row(conn, e.plan_id))
        claimed = Money.of(amount, plan.premium.currency)
        if claimed.amount <= 0:
            raise InvalidAmount("amount must be more than zero", field="amount")
        if e.ended_on is not None and incurred_on >= e.ended_on:
            raise RuleViolation(
                "the enrolment ended on %(ended_on)s", field="incurred_on", ended_on=e.ended_on
            )
        check_claim_date(e.enrolled_on, plan.waiting_days, incurred_on)
        if (
            dependant_id is not None
            and not conn.execute(
                select(insurance_dependant.c.id).where(
                    insurance_dependant.c.id == dependant_id,
                    insurance_dependant.c.enrolment_id == enrolment_id,
                )
            ).first()
        ):
            raise NotFound(
                "no dependant %(dependant_id)s on this enrolment",
                "dependant_id",
                dependant_id=dependant_id,
            )
        cid = conn.execute(
            insert(insurance_claim)
            .values(
                programme_id=e.programme_id,
                enrolment_id=enrolment_id,
                dependant_id=dependant_id,
                incurred_on=incurred_on,
                membership_year=membership_year(e.enrolled_on, incurred_on),
                description=description.strip(),
                currency=claimed.currency,
                claimed_minor=claimed.minor,
                status=ClaimStatus.SUBMITTED.value,
                submitted_on=submitted_on,
                submitted_by=actor,
            )
            .returning(insurance_claim.c.id)
        ).scalar_one()
        audit.record(
            conn,
            e.programme_id,
            actor,
            "submit",
            "insurance_claim",
            cid,
            None,
            {"enrolment_id": enrolment_id, "amount": str(claimed.amount)},
        )
        return int(cid)


def _claim(conn: Connection, claim_id: int) -> Any:
    """The claim, held for update on PostgreSQL: two decisions on one claim queue up and
    the second meets the status the first left."""
    query = select(insurance_claim).where(insurance_claim.c.id == claim_id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise NotFound("no insurance claim %(claim_id)s", field="claim_id", claim_id=claim_id)
    return row


def _decide(conn: Connection, row: Any, event: ClaimEvent, on: date, actor: str) -> ClaimStatus:
    new = next_claim_status(ClaimStatus(row.status), event)
    if actor == row.submitted_by:
        raise RuleViolation(
            "%(actor)s submitted this claim and cannot also decide it (maker-checker)",
            "actor",
            actor=actor,
        )
    if on < row.submitted_on:
        raise RuleViolation(
            "the claim was submitted on %(submitted_on)s", field="on", submitted_on=row.submitted_on
        )
    return new


def approve_claim(
    db: Database, claim_id: int, amount: str, on: date, actor: str = "system"
) -> Money:
    """Approve up to the amount claimed and the cover left in that year of membership."""
    with db.transaction() as conn:
        row = _claim(conn, claim_id)
        new = _decide(conn, row, ClaimEvent.APPROVE, on, actor)
        e = _enrolment(conn, row.enrolment_id)
        plan = plan_of(plan_row(conn, e.plan_id))
        approved = Money.of(amount, row.currency)
        if approved.amount <= 0:
            raise InvalidAmount("approve more than zero, or reject the claim", field="amount")
        if approved.minor > row.claimed_minor:
            raise RuleViolation("the approved amount is above the amount claimed", "amount")
        used = conn.execute(
            select(insurance_claim.c.approved_minor).where(
                insurance_claim.c.enrolment_id == e.id,
                insurance_claim.c.membership_year == row.membership_year,
                insurance_claim.c.status.in_([ClaimStatus.APPROVED, ClaimStatus.PAID]),
            )
        ).scalars()
        left = cover_left(plan.cover_per_year, [Money.from_minor(u, row.currency) for u in used])
        if approved > left:
            raise RuleViolation(
                "only %(left)s of cover is left in year %(membership_year)s of membership",
                field="amount",
                left=left,
                membership_year=row.membership_year,
            )
        conn.execute(
            update(insurance_claim)
            .where(insurance_claim.c.id == claim_id)
            .values(
                status=new.value, approved_minor=approved.minor, decided_on=on, decided_by=actor
            )
        )
        audit.record(
            conn,
            row.programme_id,
            actor,
            "approve",
            "insurance_claim",
            claim_id,
            {"status": row.status},
            {"status": new.value, "approved": str(approved.amount)},
        )
        return approved


def reject_claim(
    db: Database, claim_id: int, reason: str, on: date, actor: str = "system"
) -> ClaimStatus:
    if not reason.strip():
        raise DomainError("say why the claim is rejected", field="reason")
    with db.transaction() as conn:
        row = _claim(conn, claim_id)
        new = _decide(conn, row, ClaimEvent.REJECT, on, actor)
        conn.execute(
            update(insurance_claim)
            .where(insurance_claim.c.id == claim_id)
            .values(status=new.value, decided_on=on, decided_by=actor, reason=reason.strip())
        )
        audit.record(
            conn,
            row.programme_id,
            actor,
            "reject",
            "insurance_claim",
            claim_id,
            {"status": row.status},
            {"status": new.value, "reason": reason},
        )
        return new


def pay_claim(db: Database, claim_id: int, on: date, actor: str = "system") -> int:
    """Pay an approved claim from the insurance fund; returns the journal entry id."""
    with db.transaction() as conn:
        row = _claim(conn, claim_id)
        new = next_claim_status(ClaimStatus(row.status), ClaimEvent.PAY)
        if on < row.decided_on:
            raise RuleViolation(
                "the claim was approved on %(decided_on)s", field="on", decided_on=row.decided_on
            )
        paid = Money.from_minor(row.approved_minor, row.currency)
        held = balance(conn, row.programme_id, FUND, row.currency)
        if paid > held:
            raise RuleViolation(
                "the insurance fund holds only %(held)s", field="claim_id", held=held
            )
        key = f"claim:{claim_id}"
        book = EntryBuilder(on, f"Health claim {claim_id} paid", key, key)
        book.move(CLAIMS, FUND, paid, row.description)
        entry_id = post_entry(conn, row.programme_id, book.build(), actor)
        conn.execute(
            update(insurance_claim)
            .where(insurance_claim.c.id == claim_id)
            .values(status=new.value, paid_on=on, entry_id=entry_id)
        )
        audit.record(
            conn,
            row.programme_id,
            actor,
            "pay",
            "insurance_claim",
            claim_id,
            {"status": row.status},
            {"status": new.value, "entry_id": entry_id},
        )
        return entry_id
