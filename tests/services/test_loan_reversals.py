"""Reversing repayments (standalone, maker-checker) and correcting a meeting that booked
repayments, on both databases; the ledger check stays clean throughout."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import loan_instalment, loan_transaction
from kuza.domain.errors import Conflict, DomainError, RuleViolation
from kuza.domain.ledger import AccountCode, AccountKey
from kuza.domain.loans.lifecycle import LoanStatus
from kuza.reports.arrears import portfolio
from kuza.services.ledger_check import check
from kuza.services.loans.repayments import repay
from kuza.services.loans.reversals import reverse_repayment
from kuza.services.meetings import correct_meeting, post_meeting
from tests.factories import sheet
from tests.loan_world import TODAY, bal, counts, disbursed_loan, make_loan_world

MAR1, APR1 = date(2026, 3, 1), date(2026, 4, 1)


def paid(db: Database, loan_id: int) -> list[tuple[int, int]]:
    i = loan_instalment.c
    with db.read() as conn:
        return [
            (r.principal_paid_minor, r.interest_paid_minor)
            for r in conn.execute(select(i.principal_paid_minor, i.interest_paid_minor)
                                  .where(i.loan_id == loan_id).order_by(i.n))
        ]  # fmt: skip


def test_reverse_the_latest_repayment_then_the_one_before(db: Database) -> None:
    lw = make_loan_world(db)
    cash = AccountKey(AccountCode.GROUP_CASH, lw.gid)
    owed = AccountKey(AccountCode.INTERNAL_LOANS, lw.gid, lw.m(0))
    interest = AccountKey(AccountCode.INTEREST_INCOME, lw.gid)
    loan_id = disbursed_loan(db, lw, "1000")
    repay(db, loan_id, "260", MAR1, "r1", "agent", TODAY)
    assert repay(db, loan_id, "780", APR1, "r2", "agent", TODAY).status is LoanStatus.CLOSED
    before = counts(db)
    refusals = [
        ("r2", "agent", "actor"),  # who recorded it cannot reverse it
        ("r1", "manager", "reference"),  # r2 came after it: reverse the latest first
        ("nope", "manager", "reference"),
    ]
    for ref, actor, field in refusals:
        with pytest.raises(DomainError) as err:
            reverse_repayment(db, loan_id, ref, APR1, "typed twice", actor, TODAY)
        assert err.value.field == field, ref
    with pytest.raises(DomainError) as err:
        reverse_repayment(db, loan_id, "r2", APR1, " ", "manager", TODAY)
    assert err.value.field == "reason"
    assert counts(db) == before
    done = reverse_repayment(
        db, loan_id, "r2", APR1, "receipt was for another loan", "manager", TODAY
    )
    assert (done.status, done.amount.amount) == (LoanStatus.DISBURSED, Decimal("780.00"))
    assert bal(db, lw, owed).amount == Decimal("750.00")
    assert paid(db, loan_id) == [(25000, 1000), (0, 0), (0, 0), (0, 0)]
    with pytest.raises(Conflict):
        reverse_repayment(db, loan_id, "r2", APR1, "again", "manager", TODAY)
    with pytest.raises(Conflict) as err:
        repay(db, loan_id, "780", APR1, "r2", "agent", TODAY)  # the receipt number is spent
    assert err.value.field == "reference"
    reverse_repayment(db, loan_id, "r1", APR1, "never paid", "manager", TODAY)
    assert paid(db, loan_id) == [(0, 0)] * 4
    assert bal(db, lw, owed).amount == Decimal("1000.00")
    assert bal(db, lw, cash).amount == Decimal("1000.00")  # 2000 saved - 1000 lent
    assert bal(db, lw, interest).is_zero()
    assert check(db) == []
    # reversed repayments are not money received: nothing was repaid on time
    figures = portfolio(db, lw.pid, "KES", APR1)
    assert figures.on_time_rate == 0
    assert repay(db, loan_id, "1040", APR1, "r2-bis", "agent", TODAY).status is LoanStatus.CLOSED
    assert check(db) == []


def test_reversing_a_closing_overpayment_blocks_the_guarantee_again(db: Database) -> None:
    lw = make_loan_world(db)
    blocked = AccountKey(AccountCode.GUARANTEE_DEPOSIT, lw.gid)
    held = AccountKey(AccountCode.LOAN_OVERPAYMENTS, None, lw.m(0))
    loan_id = disbursed_loan(db, lw, "2000", external=True)
    repay(db, loan_id, "2100", date(2026, 2, 15), "r1", "agent", TODAY)
    assert bal(db, lw, blocked).is_zero()
    done = reverse_repayment(db, loan_id, "r1", date(2026, 2, 16), "bounced", "manager", TODAY)
    assert done.status is LoanStatus.DISBURSED
    assert bal(db, lw, blocked).amount == Decimal("200.00")
    assert bal(db, lw, held).is_zero()
    assert bal(db, lw, AccountKey(AccountCode.EXTERNAL_LOANS, None, lw.m(0))).amount == Decimal(
        "2000.00"
    )
    assert check(db) == []


def test_correcting_a_meeting_replaces_its_repayments(db: Database) -> None:
    lw = make_loan_world(db)
    owed = AccountKey(AccountCode.INTERNAL_LOANS, lw.gid, lw.m(0))
    internal = disbursed_loan(db, lw, "1000")
    external = disbursed_loan(db, lw, "1000", external=True, member_id=lw.m(1))
    held = date(2026, 3, 2)
    post_meeting(
        db,
        sheet(
            lw.world,
            held,
            m0={"repayments": [{"loan_id": internal, "amount": "260"}]},
            m1={"repayments": [{"loan_id": external, "amount": "100"}]},
        ),
        "agent",
        TODAY,
    )
    # the secretary misread 160 as 260, and member 1 paid nothing
    fixed = sheet(lw.world, held, m0={"repayments": [{"loan_id": internal, "amount": "160"}]})
    corrected = correct_meeting(db, fixed, "misread the sheet", "agent", TODAY)
    assert bal(db, lw, owed).amount == Decimal("850.00")  # 160 = 10 interest + 150
    ext = AccountKey(AccountCode.EXTERNAL_LOANS, None, lw.m(1))
    assert bal(db, lw, ext).amount == Decimal("1000.00")
    with db.read() as conn:
        kinds = conn.execute(
            select(loan_transaction.c.kind, loan_transaction.c.meeting_id)
            .where(loan_transaction.c.kind.in_(["repayment", "reversal"]))
            .order_by(loan_transaction.c.id)
        ).all()
    assert [k for k, _ in kinds] == ["repayment", "repayment", "reversal", "reversal", "repayment"]
    assert kinds[-1].meeting_id == corrected.meeting_id
    assert check(db) == []
    # the corrected meeting can itself be corrected again
    again = sheet(lw.world, held, m0={"repayments": [{"loan_id": internal, "amount": "260"}]})
    correct_meeting(db, again, "found the receipt", "agent", TODAY)
    assert bal(db, lw, owed).amount == Decimal("750.00")
    assert check(db) == []


def test_a_later_repayment_blocks_the_meeting_correction(db: Database) -> None:
    lw = make_loan_world(db)
    internal = disbursed_loan(db, lw, "1000")
    held = date(2026, 3, 2)
    data = sheet(lw.world, held, m0={"repayments": [{"loan_id": internal, "amount": "260"}]})
    post_meeting(db, data, "agent", TODAY)
    repay(db, internal, "100", date(2026, 3, 5), "r9", "agent", TODAY)
    before = counts(db)
    with pytest.raises(RuleViolation) as err:
        correct_meeting(db, sheet(lw.world, held), "no repayment after all", "agent", TODAY)
    assert err.value.field == "reference" and "r9" in err.value.message
    with db.read() as conn:
        ref = conn.execute(
            select(loan_transaction.c.reference).where(loan_transaction.c.meeting_id.is_not(None))
        ).scalar_one()
    with pytest.raises(RuleViolation) as err:  # a meeting repayment is corrected, not reversed
        reverse_repayment(db, internal, ref, held, "wrong", "manager", TODAY)
    assert err.value.field == "reference" and "correct the meeting" in err.value.message
    assert counts(db) == before


def test_meeting_cash_check_counts_internal_repayments_coming_in(db: Database) -> None:
    lw = make_loan_world(db)  # group cash 2000; member 0 has 800 of voluntary savings
    cash = AccountKey(AccountCode.GROUP_CASH, lw.gid)
    first = disbursed_loan(db, lw, "1200", member_id=lw.m(1))
    disbursed_loan(db, lw, "800")
    external = disbursed_loan(db, lw, "500", external=True, member_id=lw.m(2))
    assert bal(db, lw, cash).amount == Decimal("0.00")
    zero = {"compulsory": "0"}
    held = date(2026, 3, 2)
    # member 0 takes out her 800 while member 1 repays 800 on her group loan
    outside = sheet(
        lw.world, held, m0={**zero, "withdrawal": "800"}, m1=zero,
        m2={**zero, "repayments": [{"loan_id": external, "amount": "800"}]},
    )  # fmt: skip
    with pytest.raises(RuleViolation) as err:  # an external repayment is not group cash
        post_meeting(db, outside, "agent", TODAY)
    assert err.value.field == "lines[0]"
    inside = sheet(
        lw.world, held, m0={**zero, "withdrawal": "800"},
        m1={**zero, "repayments": [{"loan_id": first, "amount": "800"}]}, m2=zero,
    )  # fmt: skip
    post_meeting(db, inside, "agent", TODAY)
    assert bal(db, lw, cash).amount == Decimal("0.00")
    assert check(db) == []
