"""Calling or releasing the part of a group fund blocked as guarantee of an external loan
that was written off.

At disbursement ``guarantee_percent`` of the group's cash moved to the guarantee deposit
(Dr 1030 / Cr 1000, group). A loan repaid in full releases it in its closing entry. A loan
written off keeps it blocked until a checker settles it with :func:`call_guarantee`, in
one entry keyed ``loan:<id>:guarantee``:

- the **call** covers what the programme still has to recover (written off − recovered),
  at most the deposit: the group bears it against its retained earnings
  (Dr 3000 / Cr 1030, group) and the loan fund recovers it (Dr 1020 / Cr 4400);
- the rest of the deposit (all of it with ``release=True``) goes back to the group's cash
  (Dr 1000 / Cr 1030).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, update

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import loan
from kuza.adapters.db.schema import loan_transaction as loan_tx
from kuza.domain.errors import Conflict, RuleViolation
from kuza.domain.ledger import AccountCode, AccountKey, EntryBuilder
from kuza.domain.loans.book import TransactionKind
from kuza.domain.loans.lifecycle import LoanEvent, LoanStatus, next_status
from kuza.domain.money import Money
from kuza.services import audit
from kuza.services.ledger import post_entry
from kuza.services.loans.store import (
    add_transaction,
    find_transaction,
    load_loan,
    loan_accounts,
    snapshot,
    status_of,
)
from kuza.services.loans.writeoff import CHECKER_ROLES


@dataclass(frozen=True)
class GuaranteeSettled:
    loan_id: int
    entry_id: int
    called: Money
    released: Money
    status: LoanStatus


def call_guarantee(
    db: Database,
    loan_id: int,
    on: date,
    actor: str,
    role: str,
    today: date,
    release: bool = False,
) -> GuaranteeSettled:
    """Settle the guarantee of a written-off loan once: call what covers the loss, release
    the rest (or release it all)."""
    if on > today:
        raise RuleViolation("%(on)s is in the future", field="on", on=on)
    if role not in CHECKER_ROLES:
        raise RuleViolation(
            "a %(role)s cannot call a guarantee: a branch manager or finance must",
            "role",
            role=role,
        )
    with db.transaction() as conn:
        row = load_loan(conn, loan_id)
        status = status_of(row)
        if status not in (LoanStatus.WRITTEN_OFF, LoanStatus.RECOVERED):
            raise RuleViolation(
                (
                    "loan %(id)s is %(status)s: only a written-off loan's "
                    "guarantee is called (a loan repaid in full releases it when "
                    "it closes)"
                ),
                field="loan_id",
                id=row.id,
                status=status.value,
            )
        if not row.guarantee_minor:
            raise RuleViolation("loan %(id)s has no guarantee blocked", field="loan_id", id=row.id)
        key = f"loan:{row.id}:guarantee"
        if find_transaction(conn, row.programme_id, key) is not None:
            raise Conflict("the guarantee of loan %(id)s is already settled", "loan_id", id=row.id)
        if actor in (row.applied_by, row.disbursed_by):
            raise RuleViolation(
                "%(actor)s made this loan and cannot also settle its guarantee (maker-checker)",
                field="actor",
                actor=actor,
            )
        if on < row.closed_on:
            raise RuleViolation(
                "%(on)s is before the write-off (%(closed_on)s)",
                "on",
                on=on,
                closed_on=row.closed_on,
            )
        totals = dict(
            conn.execute(
                select(loan_tx.c.kind, func.sum(loan_tx.c.amount_minor))
                .where(loan_tx.c.loan_id == row.id)
                .group_by(loan_tx.c.kind)
            ).all()
        )
        loss = int(totals.get(TransactionKind.WRITE_OFF.value) or 0) - int(
            totals.get(TransactionKind.RECOVERY.value) or 0
        )
        cur = row.currency
        deposit = Money.from_minor(row.guarantee_minor, cur)
        called = (
            Money.zero(cur) if release else Money.from_minor(min(max(loss, 0), deposit.minor), cur)
        )
        released = deposit - called
        g = row.group_id
        book = EntryBuilder(on, f"Guarantee of loan {row.id} settled", f"loan:{row.id}", key)
        blocked = AccountKey(AccountCode.GUARANTEE_DEPOSIT, g)
        book.move(AccountKey(AccountCode.FUND_EQUITY, g), blocked, called, "guarantee called")
        acc = loan_accounts(row)
        book.move(acc.cash, acc.recovery, called, f"guarantee of group {g}")
        book.move(AccountKey(AccountCode.GROUP_CASH, g), blocked, released, "guarantee released")
        entry_id = post_entry(conn, row.programme_id, book.build(), actor)
        if not called.is_zero():
            full = called.minor >= loss
            status = next_status(status, LoanEvent.RECOVER_IN_FULL if full else LoanEvent.RECOVER)
            conn.execute(update(loan).where(loan.c.id == row.id).values(status=status.value))
        kind = (
            TransactionKind.GUARANTEE_RELEASE
            if called.is_zero()
            else TransactionKind.GUARANTEE_CALL
        )
        add_transaction(conn, row, kind.value, on, called if not called.is_zero() else released,
                        key, actor, entry_id, principal_minor=called.minor)  # fmt: skip
        audit.record(
            conn,
            row.programme_id,
            actor,
            "guarantee",
            "loan",
            row.id,
            snapshot(row),
            {
                "status": status.value,
                "called": str(called.amount),
                "released": str(released.amount),
                "entry_id": entry_id,
            },
        )
        return GuaranteeSettled(row.id, entry_id, called, released, status)
