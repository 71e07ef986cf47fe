"""The loan book on both databases: lifecycle, maker-checker, refusals, idempotency."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kuza.adapters.db.engine import Database
from kuza.domain.errors import Conflict, DomainError, IllegalTransition, NotFound, RuleViolation
from kuza.domain.ledger import AccountCode, AccountKey
from kuza.domain.loans.lifecycle import LoanStatus
from kuza.services.ledger_check import check
from kuza.services.loans.applications import apply, approve, reject, withdraw
from kuza.services.loans.disbursement import disburse
from kuza.services.loans.repayments import repay
from tests.loan_world import TODAY, bal, counts, disbursed_loan, make_loan_world, request

FEB1 = date(2026, 2, 1)


def test_internal_loan_full_lifecycle(db: Database) -> None:
    lw = make_loan_world(db)
    cash = AccountKey(AccountCode.GROUP_CASH, lw.gid)
    owed = AccountKey(AccountCode.INTERNAL_LOANS, lw.gid, lw.m(0))
    interest = AccountKey(AccountCode.INTEREST_INCOME, lw.gid)
    loan_id = apply(db, request(lw, "1000"), "agent", TODAY)
    assert approve(db, loan_id, FEB1, "treasurer", TODAY) is LoanStatus.APPROVED
    result = disburse(db, loan_id, FEB1, "agent", TODAY)
    assert result.instalments == 4
    assert bal(db, lw, cash).amount == Decimal("1000.00")
    assert bal(db, lw, owed).amount == Decimal("1000.00")
    # flat 1 % a month: 250 principal + 10 interest each month
    first = repay(db, loan_id, "260", date(2026, 3, 1), "r1", "agent", TODAY)
    assert (first.principal.amount, first.interest.amount) == (Decimal("250"), Decimal("10"))
    assert first.status is LoanStatus.DISBURSED
    last = repay(db, loan_id, "780", date(2026, 4, 1), "r2", "agent", TODAY)
    assert last.status is LoanStatus.CLOSED
    assert bal(db, lw, owed).is_zero()
    assert bal(db, lw, cash).amount == Decimal("2040.00")
    assert bal(db, lw, interest).amount == Decimal("-40.00")
    assert check(db) == []


def test_external_loan_with_guarantee_fees_and_overpayment(db: Database) -> None:
    lw = make_loan_world(db)
    fund = AccountKey(AccountCode.LOAN_FUND_CASH)
    owed = AccountKey(AccountCode.EXTERNAL_LOANS, None, lw.m(0))
    blocked = AccountKey(AccountCode.GUARANTEE_DEPOSIT, lw.gid)
    loan_id = disbursed_loan(db, lw, "2000", external=True)
    assert bal(db, lw, fund).amount == Decimal("98000.00")
    assert bal(db, lw, owed).amount == Decimal("2000.00")
    assert bal(db, lw, blocked).amount == Decimal("200.00")  # 10 % of the 2000 group fund
    assert bal(db, lw, AccountKey(AccountCode.GROUP_CASH, lw.gid)).amount == Decimal("1800.00")
    # early and over-payment: 2080 owed in all, 2100 paid
    done = repay(db, loan_id, "2100", date(2026, 2, 15), "r1", "agent", TODAY)
    assert done.status is LoanStatus.CLOSED
    assert done.overpaid.amount == Decimal("20.00")
    assert bal(db, lw, blocked).is_zero()  # released at close
    assert bal(db, lw, AccountKey(AccountCode.LOAN_OVERPAYMENTS, None, lw.m(0))).amount == (
        Decimal("-20.00")
    )
    assert check(db) == []


def test_the_checker_must_not_be_the_maker(db: Database) -> None:
    lw = make_loan_world(db)
    loan_id = apply(db, request(lw, "500"), "agent", TODAY)
    before = counts(db)
    with pytest.raises(RuleViolation) as err:
        approve(db, loan_id, FEB1, "agent", TODAY)
    assert err.value.field == "actor"
    with pytest.raises(RuleViolation):
        reject(db, loan_id, FEB1, "too big", "agent", TODAY)
    assert counts(db) == before
    assert reject(db, loan_id, FEB1, "too big", "manager", TODAY) is LoanStatus.REJECTED
    with pytest.raises(IllegalTransition):
        disburse(db, loan_id, FEB1, "agent", TODAY)


def test_withdrawn_loan_cannot_be_disbursed(db: Database) -> None:
    lw = make_loan_world(db)
    loan_id = apply(db, request(lw, "500"), "agent", TODAY)
    approve(db, loan_id, FEB1, "manager", TODAY)
    assert withdraw(db, loan_id, FEB1, "changed her mind", "agent", TODAY) is LoanStatus.WITHDRAWN
    with pytest.raises(IllegalTransition):
        disburse(db, loan_id, FEB1, "agent", TODAY)


BAD_APPLICATIONS = [
    ("negative", {"amount": "-5"}, "amount"),
    ("zero", {"amount": "0"}, "amount"),
    ("not a number", {"amount": "ten"}, "amount"),
    ("above savings multiple", {"amount": "1800", "member_id_index": 1}, "amount"),
    ("above group cash", {"amount": "2500"}, "amount"),
    ("unknown product", {"product_id": 999}, "product_id"),
    ("future", {"applied_on": date(2027, 1, 1)}, "applied_on"),
]


@pytest.mark.parametrize(
    "label,change,field", BAD_APPLICATIONS, ids=[c[0] for c in BAD_APPLICATIONS]
)
def test_bad_applications_change_nothing(db: Database, label, change, field) -> None:
    lw = make_loan_world(db)
    change = dict(change)
    if "member_id_index" in change:
        change["member_id"] = lw.m(change.pop("member_id_index"))  # saved 400: cap 1200
    before = counts(db)
    with pytest.raises(DomainError) as err:
        apply(db, request(lw, change.pop("amount", "500"), **change), "agent", TODAY)
    assert err.value.field == field
    assert counts(db) == before


def test_external_ceiling_fund_and_appraisal(db: Database) -> None:
    lw = make_loan_world(db, fund="3000")
    before = counts(db)
    cases = [
        (request(lw, "6000", True), "amount"),  # above the cycle-1 ceiling of 5000
        (request(lw, "4000", True), "amount"),  # above the 3000 in the loan fund
        (request(lw, "2000", True, monthly_revenue="400"), "amount"),  # 520/month > capacity
        (request(lw, "2000", True, monthly_revenue=None, monthly_costs=None), "appraisal"),
    ]
    for req, field in cases:
        with pytest.raises(DomainError) as err:
            apply(db, req, "agent", TODAY)
        assert err.value.field == field, req
    assert counts(db) == before


def test_repayment_refusals_change_nothing(db: Database) -> None:
    lw = make_loan_world(db)
    loan_id = disbursed_loan(db, lw)
    repay(db, loan_id, "100", date(2026, 3, 1), "r1", "agent", TODAY)
    before = counts(db)
    bad = [
        (loan_id, "-1", "r2", "amount"),
        (loan_id, "0", "r2", "amount"),
        (424242, "10", "r2", "loan_id"),
        (loan_id, "50", "r1", "reference"),  # the same reference with another amount
        (loan_id, "50", "  ", "reference"),
    ]
    for lid, amount, ref, field in bad:
        with pytest.raises(DomainError) as err:
            repay(db, lid, amount, date(2026, 3, 2), ref, "agent", TODAY)
        assert err.value.field == field, (amount, ref)
    with pytest.raises(NotFound):
        repay(db, 424242, "10", date(2026, 3, 2), "r9", "agent", TODAY)
    with pytest.raises(Conflict):
        repay(db, loan_id, "50", date(2026, 3, 2), "r1", "agent", TODAY)
    again = repay(db, loan_id, "100", date(2026, 3, 1), "r1", "agent", TODAY)
    assert not again.created
    assert counts(db) == before


def test_repay_on_a_closed_loan_changes_nothing(db: Database) -> None:
    lw = make_loan_world(db)
    loan_id = disbursed_loan(db, lw)
    repay(db, loan_id, "1040", date(2026, 3, 1), "all", "agent", TODAY)
    before = counts(db)
    with pytest.raises(IllegalTransition):
        repay(db, loan_id, "10", date(2026, 3, 2), "more", "agent", TODAY)
    assert counts(db) == before
    assert check(db) == []
