"""Repayments: allocated by the domain (default penalties → fees → interest → principal,
oldest instalment first), booked in one entry, idempotent by reference.

Early payments settle future instalments; an over-payment beyond everything owed is
held as a liability to the member (``LOAN_OVERPAYMENTS``) to refund or reuse. The same
reference with the same amount books nothing a second time; with another amount it is a
:class:`Conflict`. Paying the last cent closes the loan and releases its guarantee.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, update

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import loan, loan_instalment
from kuza.domain.errors import Conflict, DomainError, InvalidAmount, RuleViolation
from kuza.domain.ledger import AccountCode, AccountKey, EntryBuilder
from kuza.domain.loans.allocation import Allocation, allocate_repayment
from kuza.domain.loans.book import TransactionKind
from kuza.domain.loans.lifecycle import LoanEvent, LoanStatus, next_status
from kuza.domain.money import Money
from kuza.services import audit
from kuza.services.ledger import post_entry
from kuza.services.loans.store import (
    add_transaction,
    dues_of,
    find_transaction,
    instalment_rows,
    is_reversed,
    load_loan,
    load_product,
    loan_accounts,
    snapshot,
    status_of,
)


@dataclass(frozen=True)
class Repaid:
    loan_id: int
    transaction_id: int
    entry_id: int | None
    created: bool  # False when this reference was already booked with this amount
    status: LoanStatus
    principal: Money
    interest: Money
    fees: Money
    penalties: Money
    overpaid: Money


def _parts(alloc: Allocation, cur: str) -> dict[str, Money]:
    zero = Money.zero(cur)
    return {
        "principal": sum((d.principal for d in alloc.paid), zero),
        "interest": sum((d.interest for d in alloc.paid), zero),
        "fees": sum((d.fees for d in alloc.paid), zero),
        "penalties": sum((d.penalties for d in alloc.paid), zero),
    }


def _already(conn: Connection, existing: Any, row: Any, money: Money, reference: str) -> Repaid:
    if existing.kind == TransactionKind.REPAYMENT.value and is_reversed(conn, existing):
        raise Conflict(
            (
                "the repayment %(reference)s was reversed; record the "
                "payment again under a new reference (e.g. the receipt "
                "number with a suffix)"
            ),
            field="reference",
            reference=repr(reference),
        )
    same = (
        existing.loan_id == row.id
        and existing.kind == TransactionKind.REPAYMENT.value
        and existing.amount_minor == money.minor
    )
    if not same:
        raise Conflict(
            "reference %(reference)s was already used for another payment",
            field="reference",
            reference=repr(reference),
        )

    def m(minor: int) -> Money:
        return Money.from_minor(minor, row.currency)

    return Repaid(
        row.id,
        existing.id,
        existing.entry_id,
        False,
        status_of(row),
        m(existing.principal_minor),
        m(existing.interest_minor),
        m(existing.fee_minor),
        m(existing.penalty_minor),
        m(existing.overpaid_minor),
    )


def repay_on(
    conn: Connection,
    row: Any,
    money: Money,
    on: date,
    reference: str,
    actor: str,
    meeting_id: int | None = None,
    paid_from: AccountKey | None = None,
) -> Repaid:
    """Book a repayment inside the caller's transaction (a command or a meeting).
    ``paid_from`` is the account the money comes from instead of the fund's cash (the
    member's held over-payment, ``overpayments.apply_overpayment``)."""
    reference = reference.strip()
    if not reference:
        raise DomainError("reference is required (e.g. the receipt number)", field="reference")
    if money.amount <= 0:
        raise InvalidAmount("a repayment must be more than zero", field="amount")
    existing = find_transaction(conn, row.programme_id, reference)
    if existing is not None:
        return _already(conn, existing, row, money, reference)
    status = status_of(row)
    next_status(status, LoanEvent.REPAY)  # refuses closed, written-off ... loans by name
    if row.disbursed_on is not None and on < row.disbursed_on:
        raise RuleViolation(
            "%(on)s is before the disbursement (%(disbursed_on)s)",
            "on",
            on=on,
            disbursed_on=row.disbursed_on,
        )
    product = load_product(conn, row.programme_id, row.product_id, active_only=False)
    rows = instalment_rows(conn, row.id)
    alloc = allocate_repayment(money, dues_of(rows, row.currency), product.order)
    for inst, paid in zip(rows, alloc.paid, strict=True):
        if paid.total.is_zero():
            continue
        c = loan_instalment.c
        conn.execute(
            update(loan_instalment)
            .where(c.id == inst.id)
            .values(
                principal_paid_minor=c.principal_paid_minor + paid.principal.minor,
                interest_paid_minor=c.interest_paid_minor + paid.interest.minor,
                fee_paid_minor=c.fee_paid_minor + paid.fees.minor,
                penalty_paid_minor=c.penalty_paid_minor + paid.penalties.minor,
            )
        )
    parts = _parts(alloc, row.currency)
    acc = loan_accounts(row)
    book = EntryBuilder(
        on, f"Repayment of loan {row.id}", f"loan:{row.id}", f"loan-repayment:{reference}"
    )
    source = paid_from or acc.cash
    book.move(source, acc.receivable, parts["principal"], "principal")
    book.move(source, acc.interest, parts["interest"], "interest")
    book.move(source, acc.fees, parts["fees"], "fees")
    book.move(source, acc.penalties, parts["penalties"], "penalties")
    book.move(source, acc.overpaid, alloc.overpaid, "over-payment held for the member")
    paid_off = all(d.total.is_zero() for d in alloc.remaining)
    values: dict[str, Any] = {}
    if paid_off:
        status = next_status(status, LoanEvent.REPAY_IN_FULL)
        values = {"status": status.value, "closed_on": on, "closed_by": actor}
        if row.guarantee_minor:
            guarantee = Money.from_minor(row.guarantee_minor, row.currency)
            book.move(
                AccountKey(AccountCode.GROUP_CASH, row.group_id),
                AccountKey(AccountCode.GUARANTEE_DEPOSIT, row.group_id),
                guarantee,
                f"guarantee of loan {row.id} released",
            )
        conn.execute(update(loan).where(loan.c.id == row.id).values(**values))
    entry_id = post_entry(conn, row.programme_id, book.build(), actor)
    allocation = [
        {
            "n": d.n,
            "principal": d.principal.minor,
            "interest": d.interest.minor,
            "fees": d.fees.minor,
            "penalties": d.penalties.minor,
        }
        for d in alloc.paid
        if not d.total.is_zero()
    ]
    tx_id = add_transaction(
        conn,
        row,
        TransactionKind.REPAYMENT.value,
        on,
        money,
        reference,
        actor,
        entry_id,
        principal_minor=parts["principal"].minor,
        interest_minor=parts["interest"].minor,
        fee_minor=parts["fees"].minor,
        penalty_minor=parts["penalties"].minor,
        overpaid_minor=alloc.overpaid.minor,
        allocation=allocation,
        meeting_id=meeting_id,
    )
    audit.record(
        conn,
        row.programme_id,
        actor,
        "repay",
        "loan",
        row.id,
        snapshot(row),
        {
            "status": status.value,
            "amount": str(money.amount),
            "reference": reference,
            "entry_id": entry_id,
            **{k: str(v.amount) for k, v in parts.items()},
            "overpaid": str(alloc.overpaid.amount),
        },
    )
    return Repaid(row.id, tx_id, entry_id, True, status, overpaid=alloc.overpaid, **parts)


def repay(
    db: Database,
    loan_id: int,
    amount: str,
    on: date,
    reference: str,
    actor: str,
    today: date,
) -> Repaid:
    """Record a repayment once per reference (e.g. the receipt number)."""
    if on > today:
        raise RuleViolation("%(on)s is in the future", field="on", on=on)
    with db.transaction() as conn:
        row = load_loan(conn, loan_id)
        return repay_on(conn, row, Money.of(amount, row.currency), on, reference, actor)
