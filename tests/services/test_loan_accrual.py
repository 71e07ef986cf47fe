"""Interest accrual by close-day on external loans (accrue and reverse), against a
hand-worked example, on both databases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select, update

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import journal_entry, loan_accrual
from kuza.domain.ledger import AccountCode, AccountKey
from kuza.services.ledger_check import check
from kuza.services.loans.accruals import ACCRUAL_SOURCE
from kuza.services.loans.close_day import close_day
from kuza.services.loans.repayments import repay
from tests.loan_world import TODAY, bal, counts, disbursed_loan, make_loan_world

RECEIVABLE = AccountKey(AccountCode.ACCRUED_INTEREST_RECEIVABLE)
INCOME = AccountKey(AccountCode.INTEREST_INCOME)


def accruals(db: Database) -> list[tuple]:
    a = loan_accrual.c
    with db.read() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                select(a.loan_id, a.as_of, a.currency, a.accrued_minor).order_by(a.loan_id)
            )
        ]


def accrual_entries(db: Database) -> tuple[int, int]:
    """(accrual entries, their reversals)."""
    e = journal_entry.c
    with db.read() as conn:
        booked = conn.execute(
            select(func.count()).where(e.source == ACCRUAL_SOURCE, e.reverses_id.is_(None))
        ).scalar_one()
        reversed_ = conn.execute(
            select(func.count()).where(e.source == ACCRUAL_SOURCE, e.reverses_id.is_not(None))
        ).scalar_one()
    return int(booked), int(reversed_)


def test_accrue_and_reverse_hand_worked_example(db: Database) -> None:
    # 1200 flat 1 %/month (12 %/year), 4 monthly instalments of 300 + 12.00 interest due
    # 1 Mar, 1 Apr, 1 May, 1 Jun. On 16 April, 15 of the 30 days from 1 April to 1 May
    # have elapsed: 12.00 x 15 / 30 = 6.00 accrued; on 17 April 12.00 x 16 / 30 = 6.40.
    lw = make_loan_world(db)
    ext = disbursed_loan(db, lw, "1200", external=True)
    internal = disbursed_loan(db, lw, "500", member_id=lw.m(2))  # cash basis: no accrual
    # a second external loan repaid in full (closed) accrues nothing
    closed = disbursed_loan(db, lw, "1200", external=True, member_id=lw.m(1))
    repay(db, closed, "1248", date(2026, 3, 1), "all", "agent", TODAY)
    income_before = bal(db, lw, INCOME)

    first = close_day(db, date(2026, 4, 16), "system")
    assert (first.accrued, first.loans_accruing) == (True, 1)
    assert accruals(db) == [(ext, date(2026, 4, 16), "KES", 600)]
    assert bal(db, lw, RECEIVABLE).amount == Decimal("6.00")
    assert (bal(db, lw, INCOME) - income_before).amount == Decimal("-6.00")
    assert accrual_entries(db) == (1, 0)
    assert check(db) == []

    # re-running the date changes nothing
    before = (counts(db), accruals(db))
    again = close_day(db, date(2026, 4, 16), "system")
    assert (again.accrued, again.first_run) == (False, False)
    assert (counts(db), accruals(db)) == before

    # next day: the 6.00 is reversed and 6.40 accrued
    close_day(db, date(2026, 4, 17), "system")
    assert accruals(db) == [(ext, date(2026, 4, 17), "KES", 640)]
    assert bal(db, lw, RECEIVABLE).amount == Decimal("6.40")
    assert (bal(db, lw, INCOME) - income_before).amount == Decimal("-6.40")
    assert accrual_entries(db) == (2, 1)

    # a date before the latest close-day does not move the accrual
    before = (counts(db), accruals(db))
    back = close_day(db, date(2026, 4, 10), "system")
    assert back.accrued is False
    assert accruals(db) == before[1]
    assert bal(db, lw, RECEIVABLE).amount == Decimal("6.40")

    # on a due date nothing of the new period has been earned yet: receivable back to 0
    close_day(db, date(2026, 5, 1), "system")
    assert accruals(db) == []
    assert bal(db, lw, RECEIVABLE).amount == Decimal("0.00")
    assert (bal(db, lw, INCOME) - income_before).amount == Decimal("0.00")
    assert accrual_entries(db) == (2, 2)
    assert internal != ext
    assert check(db) == []


def test_accrual_is_capped_at_the_interest_still_unpaid(db: Database) -> None:
    lw = make_loan_world(db)
    ext = disbursed_loan(db, lw, "1200", external=True)
    # 312 + 312 settle March and April; 5 more pays 5.00 of May's 12.00 interest early
    repay(db, ext, "629", date(2026, 3, 1), "r1", "agent", TODAY)
    close_day(db, date(2026, 4, 30), "system")  # 12.00 x 29 / 30 = 11.60, capped at 7.00
    assert accruals(db) == [(ext, date(2026, 4, 30), "KES", 700)]
    assert bal(db, lw, RECEIVABLE).amount == Decimal("7.00")
    assert check(db) == []


def test_ledger_check_finds_an_accrual_that_disagrees_with_the_receivable(
    db: Database,
) -> None:
    lw = make_loan_world(db)
    ext = disbursed_loan(db, lw, "1200", external=True)
    close_day(db, date(2026, 4, 16), "system")
    with db.transaction() as conn:
        conn.execute(
            update(loan_accrual).where(loan_accrual.c.loan_id == ext).values(accrued_minor=601)
        )
    assert [str(f) for f in check(db)] == [
        f"programme {lw.pid}: accrued interest receivable shows 600 minor units "
        "but the loans' accruals of the last close-day add to 601"
    ]
