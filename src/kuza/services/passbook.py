"""A member's passbook: her own flexible savings account beside the group fund
("livret d'épargne"): deposits and withdrawals at her own pace, and a statement.

The cash she hands over is held by the programme (PASSBOOK_CASH, per group); her
balance is a liability to her (PASSBOOK). Every deposit or withdrawal carries a
reference (e.g. the receipt number); reusing it books nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import Connection, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import journal_entry, membership, savings_group
from kuza.domain.errors import Conflict, DomainError, NotFound, RuleViolation
from kuza.domain.ledger import AccountCode, AccountKey, EntryBuilder, normal_balance
from kuza.domain.money import Money
from kuza.services import audit
from kuza.services.ledger import account_lines, balances_of, load_entry, post_entry


class PassbookMove(StrEnum):
    DEPOSIT = "deposit"
    WITHDRAWAL = "withdrawal"


@dataclass(frozen=True)
class PassbookPosted:
    entry_id: int
    balance: Money
    created: bool


def _home_group(conn: Connection, member_id: int, on: date) -> tuple[int, int, str]:
    row = conn.execute(
        select(savings_group.c.id, savings_group.c.programme_id, savings_group.c.currency)
        .join(membership, membership.c.group_id == savings_group.c.id)
        .where(
            membership.c.member_id == member_id,
            membership.c.joined_on <= on,
            (membership.c.left_on.is_(None)) | (membership.c.left_on > on),
        )
        .order_by(membership.c.joined_on.desc())
    ).first()
    if row is None:
        raise NotFound(
            "member %(member_id)s has no group on %(on)s",
            field="member_id",
            member_id=member_id,
            on=on,
        )
    return row.id, row.programme_id, row.currency


def move(
    db: Database,
    member_id: int,
    kind: PassbookMove,
    amount: str,
    on: date,
    reference: str,
    actor: str,
    today: date,
) -> PassbookPosted:
    """Deposit into or withdraw from a member's passbook, once per reference."""
    if not reference.strip():
        raise DomainError("reference is required (e.g. the receipt number)", field="reference")
    if on > today:
        raise RuleViolation("date %(on)s is in the future", field="on", on=on)
    with db.transaction() as conn:
        group_id, programme_id, currency = _home_group(conn, member_id, on)
        money = Money.of(amount, currency, "amount")
        if money.amount <= 0:
            raise DomainError("amount must be more than zero", field="amount")
        key = f"passbook:{member_id}:{reference.strip()}"
        existing = conn.execute(
            select(journal_entry.c.id).where(
                journal_entry.c.programme_id == programme_id,
                journal_entry.c.idempotency_key == key,
            )
        ).scalar()
        book_key = AccountKey(AccountCode.PASSBOOK, group_id, member_id)
        cash_key = AccountKey(AccountCode.PASSBOOK_CASH, group_id)
        balance = normal_balance(
            AccountCode.PASSBOOK, balances_of(conn, programme_id, [book_key], currency)[book_key]
        )
        if existing is not None:
            booked = load_entry(conn, existing)
            mine = next(p for p in booked.postings if p.account == book_key)
            same = (kind is PassbookMove.DEPOSIT) == mine.amount.is_negative()
            if not same or abs(mine.amount.amount) != money.amount:
                raise Conflict(
                    "reference %(reference)s was already used for another amount",
                    field="reference",
                    reference=repr(reference),
                )
            return PassbookPosted(existing, balance, False)
        if kind is PassbookMove.WITHDRAWAL and money > balance:
            raise RuleViolation(
                "withdrawal %(money)s is above the passbook balance %(balance)s",
                field="amount",
                money=money,
                balance=balance,
            )
        book = EntryBuilder(on, f"Passbook {kind.value}, member {member_id}", "passbook", key)
        if kind is PassbookMove.DEPOSIT:
            book.move(cash_key, book_key, money, reference)
            balance = balance + money
        else:
            book.move(book_key, cash_key, money, reference)
            balance = balance - money
        entry_id = post_entry(conn, programme_id, book.build(), actor)
        audit.record(
            conn,
            programme_id,
            actor,
            f"passbook_{kind.value}",
            "member",
            member_id,
            None,
            {"amount": str(money.amount), "reference": reference, "entry_id": entry_id},
        )
        return PassbookPosted(entry_id, balance, True)


@dataclass(frozen=True)
class StatementLine:
    on: date
    entry_id: int
    description: str
    deposit: Money | None
    withdrawal: Money | None
    balance: Money


def statement(db: Database, member_id: int, today: date) -> list[StatementLine]:
    """Every passbook movement with a running balance, straight from the ledger."""
    with db.read() as conn:
        group_id, programme_id, currency = _home_group(conn, member_id, today)
        lines = account_lines(
            conn, programme_id, AccountKey(AccountCode.PASSBOOK, group_id, member_id)
        )
    running = Money.zero(currency)
    result = []
    for entry_id, on, memo, line_memo, minor, cur in lines:
        amount = Money.from_minor(-minor, cur)  # credit to the liability = money in
        running = running + amount
        result.append(
            StatementLine(
                on,
                entry_id,
                f"{memo} ({line_memo})" if line_memo else memo,
                amount if not amount.is_negative() else None,
                -amount if amount.is_negative() else None,
                running,
            )
        )
    return result
