"""A group's internal-lending record over a grading window, for the stability grade:
principal lent and the on-time repayment rate (``kuza.domain.loans.arrears``), read from
the loan tables in two queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, select

from kuza.adapters.db.schema import loan, loan_instalment
from kuza.adapters.db.schema import loan_transaction as loan_tx
from kuza.domain.loans.arrears import Received, Scheduled, repaid_on_time
from kuza.domain.loans.book import LoanKind, TransactionKind
from kuza.domain.money import Money
from kuza.services.loans.store import unreversed


@dataclass(frozen=True)
class LendingRecord:
    lent: Money  # principal of internal loans disbursed in the window
    on_time_repayment: Decimal | None  # None: no instalment fell due in the window


def lending_record(
    conn: Connection, group_id: int, currency: str, start: date, as_of: date
) -> LendingRecord:
    """Internal loans of the group: principal disbursed from ``start`` to ``as_of``, and
    amount repaid on time ÷ amount fallen due over their instalments due in that window
    (principal, interest and fees; penalties and over-payments are left out, reversed
    repayments do not count)."""
    i = loan_instalment.c
    internal = (
        loan.c.group_id == group_id,
        loan.c.kind == LoanKind.INTERNAL.value,
        loan.c.disbursed_on.is_not(None),
        loan.c.disbursed_on <= as_of,
    )
    dues = conn.execute(
        select(
            loan.c.id,
            loan.c.principal_minor,
            loan.c.disbursed_on,
            i.due_on,
            (i.principal_minor + i.interest_minor + i.fee_minor).label("amount"),
        )
        .join(loan_instalment, i.loan_id == loan.c.id)
        .where(*internal)
    ).all()
    t = loan_tx.c
    paid = conn.execute(
        select(t.loan_id, t.on_date, (t.amount_minor - t.overpaid_minor - t.penalty_minor))
        .join(loan, loan.c.id == t.loan_id)
        .where(*internal, t.kind == TransactionKind.REPAYMENT.value, unreversed())
    ).all()
    lent = sum({r.id: r.principal_minor for r in dues if start <= r.disbursed_on <= as_of}.values())
    scheduled: dict[int, list[Scheduled]] = defaultdict(list)
    for r in dues:
        scheduled[r.id].append(Scheduled(r.due_on, Decimal(r.amount)))
    received: dict[int, list[Received]] = defaultdict(list)
    for loan_id, on, amount in paid:
        received[loan_id].append(Received(on, Decimal(amount)))
    on_time = fallen = Decimal(0)
    for loan_id, its_dues in scheduled.items():
        good, due = repaid_on_time(its_dues, received[loan_id], as_of, since=start)
        on_time += good
        fallen += due
    return LendingRecord(
        Money.from_minor(int(lent), currency), on_time / fallen if fallen else None
    )
