"""Write-off (by a checker), recovery after write-off, and rescheduling.

Interest, fees and penalties are income only when paid (cash basis), so a write-off
removes only the outstanding principal: Dr loans written off / Cr receivable. Money
recovered later is income: Dr fund cash / Cr recoveries. A reschedule books nothing: the
principal still owed is re-spread on new terms from the reschedule date; unpaid interest,
fees and penalties of the old schedule are dropped (they were never booked).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, delete, func, select, update

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import loan, loan_instalment
from kuza.adapters.db.schema import loan_transaction as loan_tx
from kuza.domain.errors import DomainError, InvalidAmount, RuleViolation
from kuza.domain.ledger import EntryBuilder
from kuza.domain.loans.book import TransactionKind, loan_terms
from kuza.domain.loans.lifecycle import LoanEvent, LoanStatus, next_status
from kuza.domain.loans.schedule import build_schedule
from kuza.domain.money import Money
from kuza.services import audit
from kuza.services.ledger import post_entry
from kuza.services.loans.disbursement import insert_instalments
from kuza.services.loans.repayments import Repaid
from kuza.services.loans.store import (
    add_transaction,
    find_transaction,
    instalment_rows,
    load_loan,
    loan_accounts,
    outstanding_principal,
    snapshot,
    status_of,
)

# Who may write a loan off: a checker above the field (DESIGN: branch manager approves
# write-offs), never the officer who recorded the loan.
CHECKER_ROLES = frozenset({"branch_manager", "country_manager", "finance", "admin"})


def _not_future(on: date, today: date) -> None:
    if on > today:
        raise RuleViolation("%(on)s is in the future", field="on", on=on)


def check_write_off(row: Any, on: date, today: date) -> LoanStatus:
    """The loan's status once written off on ``on``; refused when the date or the loan's
    state does not allow it. Run when the write-off is submitted and again when a
    checker approves it (the loan may have changed in between)."""
    _not_future(on, today)
    status = next_status(status_of(row), LoanEvent.WRITE_OFF)
    if on < row.disbursed_on:
        raise RuleViolation(
            "%(on)s is before the disbursement (%(disbursed_on)s)",
            "on",
            on=on,
            disbursed_on=row.disbursed_on,
        )
    return status


def write_off(
    db: Database, loan_id: int, on: date, reason: str, actor: str, role: str, today: date
) -> Money:
    """Write off what is still owed of the principal; returns the amount written off."""
    with db.transaction() as conn:
        return write_off_in(conn, loan_id, on, reason, actor, role, today)


def write_off_in(
    conn: Connection,
    loan_id: int,
    on: date,
    reason: str,
    actor: str,
    role: str,
    today: date,
) -> Money:
    """:func:`write_off` inside the caller's transaction (an approved pending action)."""
    if not reason.strip():
        raise DomainError("say why the loan is written off", field="reason")
    if role not in CHECKER_ROLES:
        raise RuleViolation(
            "a %(role)s cannot write a loan off: a branch manager or finance must",
            "role",
            role=role,
        )
    row = load_loan(conn, loan_id)
    status = check_write_off(row, on, today)
    if actor in (row.applied_by, row.disbursed_by):
        raise RuleViolation(
            "%(actor)s made this loan and cannot also write it off (maker-checker)",
            "actor",
            actor=actor,
        )
    amount = outstanding_principal(instalment_rows(conn, row.id), row.currency)
    acc = loan_accounts(row)
    key = f"loan:{row.id}:write-off"
    book = EntryBuilder(on, f"Loan {row.id} written off: {reason}", key, key)
    book.move(acc.write_off, acc.receivable, amount, reason)
    entry_id = None
    if book.postings:
        entry_id = post_entry(conn, row.programme_id, book.build(), actor)
    c = loan_instalment.c
    conn.execute(
        update(loan_instalment)
        .where(c.loan_id == row.id)
        .values(principal_written_off_minor=c.principal_minor - c.principal_paid_minor)
    )
    conn.execute(
        update(loan)
        .where(loan.c.id == row.id)
        .values(status=status.value, closed_on=on, closed_by=actor, note=reason)
    )
    add_transaction(
        conn,
        row,
        TransactionKind.WRITE_OFF.value,
        on,
        amount,
        key,
        actor,
        entry_id,
        principal_minor=amount.minor,
    )
    audit.record(
        conn,
        row.programme_id,
        actor,
        "write_off",
        "loan",
        row.id,
        snapshot(row),
        {"status": status.value, "amount": str(amount.amount), "reason": reason},
    )
    return amount


def recover(
    db: Database,
    loan_id: int,
    amount: str,
    on: date,
    reference: str,
    actor: str,
    today: date,
) -> Repaid:
    """Money received on a written-off loan; recovering the whole write-off closes it as
    recovered. Idempotent by reference like a repayment."""
    _not_future(on, today)
    if not reference.strip():
        raise DomainError("reference is required (e.g. the receipt number)", field="reference")
    with db.transaction() as conn:
        row = load_loan(conn, loan_id)
        money = Money.of(amount, row.currency)
        zero = Money.zero(row.currency)
        existing = find_transaction(conn, row.programme_id, reference.strip())
        if existing is not None:
            if existing.loan_id != row.id or existing.amount_minor != money.minor:
                raise DomainError("reference already used for another payment", "reference")
            return Repaid(row.id, existing.id, existing.entry_id, False, status_of(row),
                          zero, zero, zero, zero, zero)  # fmt: skip
        if money.amount <= 0:
            raise InvalidAmount("a recovery must be more than zero", field="amount")
        sums = conn.execute(
            select(loan_tx.c.kind, func.sum(loan_tx.c.amount_minor))
            .where(
                loan_tx.c.loan_id == row.id,
                loan_tx.c.kind.in_(
                    [
                        TransactionKind.WRITE_OFF,
                        TransactionKind.RECOVERY,
                        TransactionKind.GUARANTEE_CALL,
                    ]
                ),
            )
            .group_by(loan_tx.c.kind)
        ).all()
        totals = {kind: int(total) for kind, total in sums}
        # what the group's guarantee covered is recovered too (guarantees.call_guarantee)
        left = totals.get(TransactionKind.WRITE_OFF.value, 0) - sum(
            totals.get(k.value, 0)
            for k in (TransactionKind.RECOVERY, TransactionKind.GUARANTEE_CALL)
        )
        full = money.minor >= left
        status = next_status(
            status_of(row), LoanEvent.RECOVER_IN_FULL if full else LoanEvent.RECOVER
        )
        acc = loan_accounts(row)
        book = EntryBuilder(on, f"Recovery on written-off loan {row.id}", f"loan:{row.id}",
                            f"loan-recovery:{reference.strip()}")  # fmt: skip
        book.move(acc.cash, acc.recovery, money, reference)
        entry_id = post_entry(conn, row.programme_id, book.build(), actor)
        conn.execute(update(loan).where(loan.c.id == row.id).values(status=status.value))
        tx_id = add_transaction(
            conn, row, TransactionKind.RECOVERY.value, on, money, reference.strip(), actor, entry_id
        )
        audit.record(
            conn,
            row.programme_id,
            actor,
            "recover",
            "loan",
            row.id,
            snapshot(row),
            {"status": status.value, "amount": str(money.amount), "entry_id": entry_id},
        )
        return Repaid(row.id, tx_id, entry_id, True, status, zero, zero, zero, zero, zero)


NESTED_TERMS = ("rate", "every", "grace")


def _merged(old: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``changes`` with a partial ``rate``, ``every`` or ``grace`` completed from the
    loan's own (what is not given does not change)."""
    out = dict(changes)
    for key in NESTED_TERMS:
        before, after = old.get(key), changes.get(key)
        if isinstance(before, Mapping) and isinstance(after, Mapping):
            out[key] = {**before, **after}
    return out


@dataclass(frozen=True)
class Rescheduled:
    loan_id: int
    principal: Money
    instalments: int


def reschedule(
    db: Database,
    loan_id: int,
    on: date,
    changes: Mapping[str, Any],
    reason: str,
    actor: str,
    today: date,
) -> Rescheduled:
    """Re-spread the principal still owed on new terms (``changes`` override the loan's
    terms, e.g. ``{"instalments": 6}``; a part of ``rate``, ``every`` or ``grace``, e.g.
    ``{"every": {"n": 2}}``, keeps the rest of it), starting from ``on``. The new terms
    are checked as a product's are, each refusal naming its field (``every.n``)."""
    _not_future(on, today)
    if not reason.strip():
        raise DomainError("say why the loan is rescheduled", field="reason")
    if not changes:
        raise DomainError("say what changes in the loan's terms", field="terms")
    with db.transaction() as conn:
        row = load_loan(conn, loan_id)
        status = next_status(status_of(row), LoanEvent.RESCHEDULE)
        rows = instalment_rows(conn, row.id)
        owed = outstanding_principal(rows, row.currency)
        if owed.is_zero():
            raise RuleViolation("no principal is owed: nothing to reschedule", field="loan_id")
        terms = {**row.terms, **_merged(row.terms, changes), "repay_at_meetings": False}
        schedule = build_schedule(loan_terms(terms, owed, on))
        c = loan_instalment.c
        paid_any = (
            c.principal_paid_minor + c.interest_paid_minor + c.fee_paid_minor + c.penalty_paid_minor
        )
        conn.execute(delete(loan_instalment).where(c.loan_id == row.id, paid_any == 0))
        conn.execute(
            update(loan_instalment)
            .where(c.loan_id == row.id)
            .values(
                principal_minor=c.principal_paid_minor,
                interest_minor=c.interest_paid_minor,
                fee_minor=c.fee_paid_minor,
                penalty_minor=c.penalty_paid_minor,
            )
        )
        last = max((r.n for r in rows), default=0)
        insert_instalments(conn, row, schedule, first_n=last + 1)
        snapshot_terms = {**terms, "principal": str(owed.amount), "disbursed_on": on.isoformat()}
        values = {"status": status.value, "terms": snapshot_terms}
        conn.execute(update(loan).where(loan.c.id == row.id).values(**values))
        count = conn.execute(
            select(func.count()).select_from(loan_tx).where(loan_tx.c.loan_id == row.id)
        ).scalar_one()
        add_transaction(
            conn,
            row,
            TransactionKind.RESCHEDULE.value,
            on,
            owed,
            f"loan:{row.id}:reschedule:{count}",
            actor,
            None,
            principal_minor=owed.minor,
        )
        audit.record(
            conn,
            row.programme_id,
            actor,
            "reschedule",
            "loan",
            row.id,
            snapshot(row) | {"terms": row.terms},
            {"status": status.value, "terms": snapshot_terms, "reason": reason},
        )
        return Rescheduled(row.id, owed, len(schedule.instalments))
