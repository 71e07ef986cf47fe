"""Reversing a repayment booked by mistake.

The repayment's journal entry is reversed line by line (``reverse_entry``), the amounts it
settled on each instalment (stored on the transaction as ``allocation``) are taken off
again, and the loan's status comes back: a loan that repayment closed is active again
(its guarantee blocked again by the same reversal). A ``reversal`` transaction records
it, keyed ``reversal:<repayment id>``; the repayment row itself is never changed — it
counts as reversed because its entry is.

Only the loan's latest repayment still standing can be reversed: each repayment was
allocated after the ones before it, so undoing an older one first would leave the later
allocations wrong. Reverse the later ones first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, select, update

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import loan, loan_instalment
from kuza.adapters.db.schema import loan_transaction as loan_tx
from kuza.domain.errors import N_, Conflict, DomainError, NotFound, RuleViolation
from kuza.domain.loans.book import TransactionKind
from kuza.domain.loans.lifecycle import LoanStatus, reopened
from kuza.domain.money import Money
from kuza.services import audit
from kuza.services.ledger import reverse_entry
from kuza.services.loans.store import (
    add_transaction,
    balance,
    find_transaction,
    is_reversed,
    load_loan,
    loan_accounts,
    snapshot,
    status_of,
    unreversed,
)


@dataclass(frozen=True)
class Reversed:
    loan_id: int
    repayment_id: int
    transaction_id: int
    entry_id: int
    status: LoanStatus
    amount: Money


def _later(conn: Connection, row: Any, tx: Any) -> Any:
    """A transaction still standing that was booked on the loan after ``tx``."""
    return conn.execute(
        select(loan_tx.c.reference, loan_tx.c.kind)
        .where(
            loan_tx.c.loan_id == row.id,
            loan_tx.c.id > tx.id,
            loan_tx.c.kind != TransactionKind.REVERSAL.value,
            unreversed(),
        )
        .order_by(loan_tx.c.id)
        .limit(1)
    ).first()


def check_reversal(conn: Connection, row: Any, tx: Any, on: date) -> LoanStatus:
    """The loan's status once repayment ``tx`` is reversed on ``on``; refused when it
    cannot be. Run when the reversal is submitted and again when a checker approves it
    (the loan may have changed in between)."""
    if tx.kind != TransactionKind.REPAYMENT.value or tx.loan_id != row.id:
        raise RuleViolation(
            "%(reference)s is not a repayment of loan %(id)s",
            "reference",
            reference=repr(tx.reference),
            id=row.id,
        )
    if is_reversed(conn, tx):
        raise Conflict(
            "the repayment %(reference)s is already reversed",
            field="reference",
            reference=repr(tx.reference),
        )
    if on < tx.on_date:
        raise RuleViolation(
            "%(on)s is before the repayment (%(on_date)s)", field="on", on=on, on_date=tx.on_date
        )
    later = _later(conn, row, tx)
    if later is not None:
        raise RuleViolation(
            (
                "the %(kind)s %(reference)s was booked on loan %(id)s after "
                "this repayment: reverse the latest first"
            ),
            field="reference",
            kind=later.kind,
            reference=repr(later.reference),
            id=row.id,
        )
    rescheduled = conn.execute(
        select(loan_tx.c.id).where(
            loan_tx.c.loan_id == row.id, loan_tx.c.kind == TransactionKind.RESCHEDULE.value
        )
    ).first()
    status = reopened(status_of(row), rescheduled is not None)
    acc = loan_accounts(row)
    held = -balance(conn, row.programme_id, acc.overpaid, row.currency).minor
    if tx.overpaid_minor > held:
        raise RuleViolation(
            (
                "the over-payment of this repayment was already refunded or "
                "used (%(value)s still held)"
            ),
            field="reference",
            value=Money.from_minor(held, row.currency),
        )
    return status


def reverse_repayment_on(
    conn: Connection, row: Any, tx: Any, on: date, reason: str, actor: str
) -> Reversed:
    """Reverse repayment ``tx`` of loan ``row`` inside the caller's transaction."""
    status = check_reversal(conn, row, tx, on)
    entry_id = reverse_entry(conn, row.programme_id, tx.entry_id, on, reason, actor)
    c = loan_instalment.c
    for part in tx.allocation or []:
        conn.execute(
            update(loan_instalment)
            .where(c.loan_id == row.id, c.n == part["n"])
            .values(
                principal_paid_minor=c.principal_paid_minor - part["principal"],
                interest_paid_minor=c.interest_paid_minor - part["interest"],
                fee_paid_minor=c.fee_paid_minor - part["fees"],
                penalty_paid_minor=c.penalty_paid_minor - part["penalties"],
            )
        )
    if status.value != row.status:
        conn.execute(
            update(loan)
            .where(loan.c.id == row.id)
            .values(status=status.value, closed_on=None, closed_by=None)
        )
    amount = Money.from_minor(tx.amount_minor, row.currency)
    rev_id = add_transaction(
        conn,
        row,
        TransactionKind.REVERSAL.value,
        on,
        amount,
        f"reversal:{tx.id}",
        actor,
        entry_id,
        principal_minor=tx.principal_minor,
        interest_minor=tx.interest_minor,
        fee_minor=tx.fee_minor,
        penalty_minor=tx.penalty_minor,
        overpaid_minor=tx.overpaid_minor,
        allocation=tx.allocation,
        meeting_id=tx.meeting_id,
    )
    audit.record(
        conn,
        row.programme_id,
        actor,
        "reverse_repayment",
        "loan",
        row.id,
        snapshot(row),
        {
            "status": status.value,
            "reference": tx.reference,
            "amount": str(amount.amount),
            "entry_id": entry_id,
            "reason": reason,
        },
    )
    return Reversed(row.id, tx.id, rev_id, entry_id, status, amount)


def reverse_repayment(
    db: Database,
    loan_id: int,
    reference: str,
    on: date,
    reason: str,
    actor: str,
    today: date,
) -> Reversed:
    """Undo the repayment recorded under ``reference``; a different user from the one who
    recorded it must do it (maker-checker). A repayment taken at a meeting is undone by
    correcting the meeting, so that the sheet and the loan book agree."""
    with db.transaction() as conn:
        return reverse_repayment_in(conn, loan_id, reference, on, reason, actor, today)


def reversible_repayment(
    conn: Connection, loan_id: object, reference: object, lock: bool = True
) -> tuple[Any, Any]:
    """(loan, repayment) for ``reference`` on the loan, refused when it is not a
    repayment of that loan recorded outside a meeting and still standing."""
    row = load_loan(conn, loan_id, lock=lock)
    if not isinstance(reference, str) or not reference.strip():
        raise DomainError("give the repayment's receipt number", field="reference")
    tx = find_transaction(conn, row.programme_id, reference.strip())
    if tx is None or tx.loan_id != row.id or tx.kind != TransactionKind.REPAYMENT.value:
        raise NotFound(
            "no repayment %(reference)s on loan %(loan_id)s",
            field="reference",
            reference=repr(reference),
            loan_id=row.id,
        )
    if tx.meeting_id is not None:
        raise RuleViolation(
            (
                "this repayment was taken at meeting %(meeting_id)s: correct "
                "the meeting instead (kuza meeting correct)"
            ),
            field="reference",
            meeting_id=tx.meeting_id,
        )
    if is_reversed(conn, tx):  # refused when submitted, not only when a checker approves
        raise Conflict(
            "the repayment %(reference)s is already reversed",
            field="reference",
            reference=repr(tx.reference),
        )
    return row, tx


def reverse_repayment_in(
    conn: Connection,
    loan_id: int,
    reference: str,
    on: date,
    reason: str,
    actor: str,
    today: date,
) -> Reversed:
    """:func:`reverse_repayment` inside the caller's transaction (an approved pending
    action runs it as the checker)."""
    if on > today:
        raise RuleViolation("%(on)s is in the future", field="on", on=on)
    if not reason.strip():
        raise DomainError("say why the repayment is reversed", field="reason")
    row, tx = reversible_repayment(conn, loan_id, reference)
    if tx.created_by == actor:
        raise RuleViolation(
            (
                "%(actor)s recorded this repayment and cannot also reverse "
                "it: another officer must (maker-checker)"
            ),
            field="actor",
            actor=actor,
        )
    return reverse_repayment_on(conn, row, tx, on, reason, actor)


def reverse_meeting_repayments(
    conn: Connection, meeting_id: int, on: date, reason: str, actor: str
) -> list[Reversed]:
    """Every repayment still standing that a meeting booked, reversed (a correction)."""
    rows = conn.execute(
        select(loan_tx)
        .where(
            loan_tx.c.meeting_id == meeting_id,
            loan_tx.c.kind == TransactionKind.REPAYMENT.value,
            unreversed(),
        )
        .order_by(loan_tx.c.id.desc())
    ).all()
    done = []
    for tx in rows:
        try:
            done.append(
                reverse_repayment_on(conn, load_loan(conn, tx.loan_id), tx, on, reason, actor)
            )
        except DomainError as exc:
            inner = DomainError(exc.template, exc.field, **exc.values)
            exc.template = N_("loan %(loan_id)s: %(why)s")
            exc.values = {"loan_id": tx.loan_id, "why": inner}
            raise
    return done
