"""Calling or releasing a written-off loan's guarantee, and refunding or re-using a held
over-payment, on both databases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kuza.adapters.db.engine import Database
from kuza.domain.errors import Conflict, DomainError, IllegalTransition, RuleViolation
from kuza.domain.ledger import AccountCode, AccountKey
from kuza.domain.loans.lifecycle import LoanStatus
from kuza.services.ledger_check import check
from kuza.services.loans.guarantees import call_guarantee
from kuza.services.loans.overpayments import apply_overpayment, refund_overpayment
from kuza.services.loans.repayments import repay
from kuza.services.loans.reversals import reverse_repayment
from kuza.services.loans.writeoff import recover, write_off
from tests.loan_world import TODAY, bal, counts, disbursed_loan, make_loan_world

SEP1, OCT1 = date(2026, 9, 1), date(2026, 10, 1)


def test_the_guarantee_covers_what_is_left_of_the_loss_and_the_rest_is_released(
    db: Database,
) -> None:
    lw = make_loan_world(db)
    blocked = AccountKey(AccountCode.GUARANTEE_DEPOSIT, lw.gid)
    cash = AccountKey(AccountCode.GROUP_CASH, lw.gid)
    loan_id = disbursed_loan(db, lw, "2000", external=True)  # 200 of the 2000 fund blocked
    repay(db, loan_id, "520", date(2026, 3, 1), "r1", "agent", TODAY)  # 20 interest + 500
    with pytest.raises(RuleViolation) as err:  # not written off yet
        call_guarantee(db, loan_id, SEP1, "boss", "finance", TODAY)
    assert err.value.field == "loan_id"
    write_off(db, loan_id, SEP1, "moved away", "boss", "finance", TODAY)  # 1500
    recover(db, loan_id, "1400", OCT1, "rec1", "agent", TODAY)  # 100 still lost
    before = counts(db)
    for actor, role, field in (("boss", "field_agent", "role"), ("agent", "finance", "actor")):
        with pytest.raises(RuleViolation) as err:
            call_guarantee(db, loan_id, OCT1, actor, role, TODAY)
        assert err.value.field == field
    assert counts(db) == before
    done = call_guarantee(db, loan_id, OCT1, "boss", "finance", TODAY)
    assert (done.called.amount, done.released.amount) == (Decimal("100.00"), Decimal("100.00"))
    assert done.status is LoanStatus.RECOVERED
    assert bal(db, lw, blocked).is_zero()
    assert bal(db, lw, cash).amount == Decimal("1900.00")  # 1800 + 100 released
    assert bal(db, lw, AccountKey(AccountCode.FUND_EQUITY, lw.gid)).amount == Decimal("100.00")
    assert bal(db, lw, AccountKey(AccountCode.RECOVERY_INCOME)).amount == Decimal("-1500.00")
    assert bal(db, lw, AccountKey(AccountCode.LOAN_FUND_CASH)).amount == Decimal("100020.00")
    with pytest.raises(Conflict):
        call_guarantee(db, loan_id, OCT1, "boss", "finance", TODAY)
    with pytest.raises(IllegalTransition):
        recover(db, loan_id, "10", OCT1, "rec2", "agent", TODAY)
    assert check(db) == []


def test_a_call_smaller_than_the_loss_then_recovery_of_the_rest(db: Database) -> None:
    lw = make_loan_world(db)
    loan_id = disbursed_loan(db, lw, "2000", external=True)
    write_off(db, loan_id, SEP1, "business failed", "boss", "branch_manager", TODAY)
    done = call_guarantee(db, loan_id, SEP1, "boss", "branch_manager", TODAY)
    assert (done.called.amount, done.released.amount) == (Decimal("200.00"), Decimal("0.00"))
    assert done.status is LoanStatus.WRITTEN_OFF
    part = recover(db, loan_id, "1799", OCT1, "rec1", "agent", TODAY)
    assert part.status is LoanStatus.WRITTEN_OFF
    assert recover(db, loan_id, "1", OCT1, "rec2", "agent", TODAY).status is LoanStatus.RECOVERED
    assert check(db) == []


def test_the_programme_may_release_the_whole_guarantee(db: Database) -> None:
    lw = make_loan_world(db)
    loan_id = disbursed_loan(db, lw, "2000", external=True)
    write_off(db, loan_id, SEP1, "flood", "boss", "finance", TODAY)
    done = call_guarantee(db, loan_id, SEP1, "boss", "finance", TODAY, release=True)
    assert (done.called.amount, done.released.amount) == (Decimal("0.00"), Decimal("200.00"))
    assert done.status is LoanStatus.WRITTEN_OFF
    assert bal(db, lw, AccountKey(AccountCode.GROUP_CASH, lw.gid)).amount == Decimal("2000.00")
    assert check(db) == []


def test_refund_or_apply_the_held_overpayment(db: Database) -> None:
    lw = make_loan_world(db)
    held = AccountKey(AccountCode.LOAN_OVERPAYMENTS, None, lw.m(0))
    first = disbursed_loan(db, lw, "2000", external=True)
    repay(db, first, "2100", date(2026, 2, 15), "r1", "agent", TODAY)  # 20 over
    done = refund_overpayment(db, first, "5", date(2026, 2, 16), "v1", "agent", TODAY)
    assert done.created and bal(db, lw, held).amount == Decimal("-15.00")
    assert not refund_overpayment(db, first, "5", date(2026, 2, 16), "v1", "agent", TODAY).created
    before = counts(db)
    bad = [("50", "v2", "amount"), ("0", "v2", "amount"), ("5", " ", "reference"),
           ("6", "v1", "reference")]  # fmt: skip
    for amount, ref, field in bad:
        with pytest.raises(DomainError) as err:
            refund_overpayment(db, first, amount, date(2026, 2, 16), ref, "agent", TODAY)
        assert err.value.field == field, (amount, ref)
    internal = disbursed_loan(db, lw, "500")
    with pytest.raises(RuleViolation) as err:  # another fund: refund it instead
        apply_overpayment(db, first, internal, None, date(2026, 3, 1), "c1", "agent", TODAY)
    assert err.value.field == "to_loan_id"
    assert counts(db) != before  # only the internal loan was added
    second = disbursed_loan(db, lw, "1000", external=True)
    paid = apply_overpayment(db, first, second, None, date(2026, 3, 1), "c1", "agent", TODAY)
    assert (paid.interest.amount, paid.principal.amount) == (Decimal("10.00"), Decimal("5.00"))
    assert bal(db, lw, held).is_zero()
    assert bal(db, lw, AccountKey(AccountCode.EXTERNAL_LOANS, None, lw.m(0))).amount == (
        Decimal("995.00")
    )
    assert check(db) == []
    reverse_repayment(db, second, "c1", date(2026, 3, 2), "wrong loan", "manager", TODAY)
    assert bal(db, lw, held).amount == Decimal("-15.00")
    rest = refund_overpayment(db, first, None, date(2026, 3, 2), "v3", "agent", TODAY)
    assert rest.amount.amount == Decimal("15.00")
    assert bal(db, lw, held).is_zero()
    assert check(db) == []
