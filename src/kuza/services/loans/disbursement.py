"""Disbursing an approved loan: the schedule from the domain, the ledger entry, and the
optional block of part of the group fund as guarantee.

Entries (see docs/credit.md): cash loan Dr receivable (principal) / Cr fund cash (net)
and Cr fee income (fees deducted up front); guarantee Dr guarantee deposit / Cr group
cash; in-kind loan as a cash loan paid to the supplier from the loan fund; in-kind grant
Dr grant expense / Cr loan fund cash, closed at once because nothing is owed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from sqlalchemy import Connection, insert, update

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import loan, loan_instalment
from kuza.domain.errors import RuleViolation
from kuza.domain.ledger import AccountCode, AccountKey, EntryBuilder
from kuza.domain.loans.book import LoanKind, TransactionKind, loan_terms
from kuza.domain.loans.lifecycle import LoanEvent, next_status
from kuza.domain.loans.schedule import Schedule, build_schedule
from kuza.domain.money import Money
from kuza.services import audit
from kuza.services.groups import load_calendar, load_group
from kuza.services.ledger import post_entry
from kuza.services.loans.store import (
    add_transaction,
    balance,
    load_loan,
    load_product,
    loan_accounts,
    snapshot,
    status_of,
)


@dataclass(frozen=True)
class Disbursed:
    loan_id: int
    entry_id: int
    net: Money
    instalments: int
    guarantee: Money


def _meeting_dates(conn: Connection, row: Any, on: date, count: int, every: int) -> list[str]:
    """Due on every ``every``-th meeting of the group after disbursement."""
    calendar = load_calendar(conn, load_group(conn, row.group_id))
    dates = []
    for day in calendar.dates():
        if day > on:
            dates.append(day)
        if len(dates) >= count * every:
            break
    return [d.isoformat() for d in dates[every - 1 :: every]]


def schedule_for(conn: Connection, row: Any, on: date) -> tuple[Schedule, dict[str, Any]]:
    """The loan's schedule if disbursed on ``on``, and the terms snapshot that gives it.
    ``"repay_at_meetings": true`` in the terms puts the due dates on the group's meetings
    (``every.n`` = every how many meetings)."""
    terms = dict(row.terms)
    extra: dict[str, Any] = {}
    if terms.get("repay_at_meetings"):
        every = int((terms.get("every") or {}).get("n", 1))
        extra["due_dates"] = _meeting_dates(conn, row, on, int(terms["instalments"]), every)
    principal = Money.from_minor(row.principal_minor, row.currency)
    schedule = build_schedule(loan_terms(terms, principal, on, **extra))
    snapshot_terms = {**terms, "disbursed_on": on.isoformat(), **extra}
    return schedule, snapshot_terms


def insert_instalments(conn: Connection, row: Any, schedule: Schedule, first_n: int = 1) -> None:
    conn.execute(
        insert(loan_instalment),
        [
            {
                "programme_id": row.programme_id,
                "loan_id": row.id,
                "n": first_n + i.n - 1,
                "due_on": i.due_on,
                "principal_minor": i.principal.minor,
                "interest_minor": i.interest.minor,
                "fee_minor": i.fees.minor,
                "penalty_minor": 0,
                "principal_paid_minor": 0,
                "interest_paid_minor": 0,
                "fee_paid_minor": 0,
                "penalty_paid_minor": 0,
                "principal_written_off_minor": 0,
            }
            for i in schedule.instalments
        ],
    )


def disburse(db: Database, loan_id: int, on: date, actor: str, today: date) -> Disbursed:
    if on > today:
        raise RuleViolation("%(on)s is in the future", field="on", on=on)
    with db.transaction() as conn:
        row = load_loan(conn, loan_id)
        status = next_status(status_of(row), LoanEvent.DISBURSE)
        if row.decided_on is not None and on < row.decided_on:
            raise RuleViolation(
                "%(on)s is before the approval (%(decided_on)s)",
                "on",
                on=on,
                decided_on=row.decided_on,
            )
        product = load_product(conn, row.programme_id, row.product_id, active_only=False)
        acc = loan_accounts(row)
        cur = row.currency
        principal = Money.from_minor(row.principal_minor, cur)
        key = f"loan:{row.id}:disbursement"
        book = EntryBuilder(on, f"Loan {row.id} disbursed to member {row.member_id}", key, key)
        values: dict[str, Any] = {"disbursed_on": on, "disbursed_by": actor}
        guarantee = Money.zero(cur)
        count = 0
        if row.grant:
            net = principal
            book.move(AccountKey(AccountCode.GRANT_EXPENSE), acc.cash, net, "in-kind grant")
            status = next_status(status, LoanEvent.REPAY_IN_FULL)
            values |= {"closed_on": on, "closed_by": actor}
        else:
            schedule, terms = schedule_for(conn, row, on)
            net = schedule.net_disbursed
            count = len(schedule.instalments)
            what = f"goods: {row.goods_description}" if row.kind == "in_kind" else "cash"
            book.move(acc.receivable, acc.cash, net, what)
            book.move(acc.receivable, acc.fees, schedule.upfront_fees, "fees deducted")
            insert_instalments(conn, row, schedule)
            values["terms"] = terms
            if product.guarantee_percent and product.kind is not LoanKind.INTERNAL:
                group_cash = AccountKey(AccountCode.GROUP_CASH, row.group_id)
                fund = balance(conn, row.programme_id, group_cash, cur)
                share = fund.amount * product.guarantee_percent / 100
                rounded = share.quantize(Money.zero(cur).amount, ROUND_HALF_EVEN)
                guarantee = Money.of(max(rounded, Decimal(0)), cur)
                book.move(
                    AccountKey(AccountCode.GUARANTEE_DEPOSIT, row.group_id),
                    group_cash,
                    guarantee,
                    f"guarantee for loan {row.id}",
                )
                values["guarantee_minor"] = guarantee.minor
        available = balance(conn, row.programme_id, acc.cash, cur)
        if net > available:
            raise RuleViolation(
                "the fund has %(available)s in cash, less than the %(net)s to hand over",
                field="amount",
                available=available,
                net=net,
            )
        entry_id = post_entry(conn, row.programme_id, book.build(), actor)
        values["status"] = status.value
        conn.execute(update(loan).where(loan.c.id == row.id).values(**values))
        add_transaction(
            conn,
            row,
            TransactionKind.DISBURSEMENT.value,
            on,
            principal,
            key,
            actor,
            entry_id,
            principal_minor=principal.minor,
        )
        audit.record(
            conn,
            row.programme_id,
            actor,
            "disburse",
            "loan",
            row.id,
            snapshot(row),
            {
                "status": status.value,
                "net": str(net.amount),
                "instalments": count,
                "guarantee": str(guarantee.amount),
                "entry_id": entry_id,
            },
        )
        return Disbursed(row.id, entry_id, net, count, guarantee)
