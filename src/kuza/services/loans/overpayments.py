"""What happens to an over-payment held for a member (``LOAN_OVERPAYMENTS``, 2400): it is
refunded to her in cash, or applied to her next loan as a repayment.

The held amount is per member and per fund — the group's for internal loans, the
programme's loan fund for external and in-kind ones — so it is applied only to a loan of
the same fund; across funds, refund it and let her repay. Both are idempotent by
reference, like repayments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection

from kuza.adapters.db.engine import Database
from kuza.domain.errors import Conflict, DomainError, InvalidAmount, RuleViolation
from kuza.domain.ledger import EntryBuilder
from kuza.domain.loans.book import TransactionKind
from kuza.domain.money import Money
from kuza.services import audit
from kuza.services.ledger import post_entry
from kuza.services.loans.repayments import Repaid, repay_on
from kuza.services.loans.store import (
    add_transaction,
    balance,
    dues_of,
    find_transaction,
    instalment_rows,
    load_loan,
    loan_accounts,
    snapshot,
)


@dataclass(frozen=True)
class Refunded:
    loan_id: int
    transaction_id: int
    amount: Money
    created: bool


def held_overpayment(conn: Connection, row: Any) -> Money:
    """What is held for the loan's member in the loan's fund (a credit balance)."""
    return -balance(conn, row.programme_id, loan_accounts(row).overpaid, row.currency)


def _checked(on: date, today: date, reference: str) -> str:
    if on > today:
        raise RuleViolation("%(on)s is in the future", field="on", on=on)
    if not reference.strip():
        raise DomainError("reference is required (e.g. the voucher number)", field="reference")
    return reference.strip()


def _amount(raw: str | None, held: Money, cap: Money | None = None) -> Money:
    money = min(held, cap) if raw is None and cap is not None else held
    if raw is not None:
        money = Money.of(raw, held.currency)
    if money.amount <= 0:
        raise InvalidAmount(
            "nothing to refund or apply: the amount must be more than zero", "amount"
        )
    if money > held:
        raise RuleViolation(
            "%(money)s is more than the %(held)s held for the member",
            "amount",
            money=money,
            held=held,
        )
    return money


def refund_overpayment(
    db: Database,
    loan_id: int,
    amount: str | None,
    on: date,
    reference: str,
    actor: str,
    today: date,
) -> Refunded:
    """Pay the held over-payment (all of it by default) back to the member from the fund
    that holds it: Dr over-payments 2400 / Cr fund cash."""
    ref = _checked(on, today, reference)
    with db.transaction() as conn:
        row = load_loan(conn, loan_id)
        existing = find_transaction(conn, row.programme_id, ref)
        if existing is not None:
            same = existing.loan_id == row.id and existing.kind == TransactionKind.REFUND.value
            if not same or (
                amount is not None and Money.of(amount, row.currency).minor != existing.amount_minor
            ):
                raise Conflict(
                    "reference %(ref)s was already used", field="reference", ref=repr(ref)
                )
            return Refunded(
                row.id, existing.id, Money.from_minor(existing.amount_minor, row.currency), False
            )
        money = _amount(amount, held_overpayment(conn, row))
        acc = loan_accounts(row)
        cash = balance(conn, row.programme_id, acc.cash, row.currency)
        if money > cash:
            raise RuleViolation(
                "the fund has %(cash)s in cash, less than %(money)s",
                "amount",
                cash=cash,
                money=money,
            )
        book = EntryBuilder(on, f"Over-payment refunded, loan {row.id}", f"loan:{row.id}",
                            f"loan-refund:{ref}")  # fmt: skip
        book.move(acc.overpaid, acc.cash, money, "over-payment refunded to the member")
        entry_id = post_entry(conn, row.programme_id, book.build(), actor)
        tx_id = add_transaction(
            conn, row, TransactionKind.REFUND.value, on, money, ref, actor, entry_id,
            overpaid_minor=money.minor,
        )  # fmt: skip
        after = {"amount": str(money.amount), "entry_id": entry_id}
        audit.record(
            conn,
            row.programme_id,
            actor,
            "refund_overpayment",
            "loan",
            row.id,
            snapshot(row),
            after,
        )
        return Refunded(row.id, tx_id, money, True)


def apply_overpayment(
    db: Database,
    from_loan_id: int,
    to_loan_id: int,
    amount: str | None,
    on: date,
    reference: str,
    actor: str,
    today: date,
) -> Repaid:
    """Use the over-payment held from ``from_loan_id`` as a repayment of the member's
    active loan ``to_loan_id`` (by default as much as is held, at most what it owes):
    Dr over-payments 2400 / Cr receivable, interest, fees, penalties — allocated like any
    repayment, and reversible like one."""
    ref = _checked(on, today, reference)
    with db.transaction() as conn:
        source = load_loan(conn, from_loan_id)
        target = load_loan(conn, to_loan_id)
        held_in = loan_accounts(source).overpaid
        if loan_accounts(target).overpaid != held_in:
            raise RuleViolation(
                (
                    "loan %(to_loan_id)s is not the same member's loan from the "
                    "same fund: refund the over-payment instead"
                ),
                field="to_loan_id",
                to_loan_id=to_loan_id,
            )
        existing = find_transaction(conn, target.programme_id, ref)
        if existing is not None:
            money = Money.from_minor(existing.amount_minor, target.currency)
        else:
            dues = dues_of(instalment_rows(conn, target.id), target.currency)
            owed = sum((d.total for d in dues), Money.zero(target.currency))
            money = _amount(amount, held_overpayment(conn, source), owed)
            if money > owed:
                raise RuleViolation(
                    "%(money)s is more than loan %(to_loan_id)s owes (%(owed)s)",
                    "amount",
                    money=money,
                    to_loan_id=to_loan_id,
                    owed=owed,
                )
        return repay_on(conn, target, money, on, ref, actor, paid_from=held_in)
