"""The stability grade reads lending and on-time repayment from the loan book."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from kuza.adapters.db.engine import Database
from kuza.domain.money import Money
from kuza.domain.stability import Component, Grade
from kuza.services.loans import products
from kuza.services.loans.applications import LoanRequest, apply, approve
from kuza.services.loans.disbursement import disburse
from kuza.services.loans.repayments import repay
from kuza.services.loans.reversals import reverse_repayment
from kuza.services.stability import grade_group
from tests.factories import World, make_world
from tests.loan_world import FLAT_4_MONTHS
from tests.services.test_stability import AS_OF, history


def lend(db: Database, w: World, product: int, amount: str, on: date, member: int = 0) -> int:
    req = LoanRequest(w.group_id, w.member_ids[member], product, amount, on)
    loan_id = apply(db, req, "agent", AS_OF)
    approve(db, loan_id, on, "treasurer", AS_OF)
    disburse(db, loan_id, on, "agent", AS_OF)
    return loan_id


def test_grade_reads_lending_and_on_time_repayment_from_the_loans(db: Database) -> None:
    w = make_world(db)
    history(db, w)  # window 12 Jan .. 30 Mar; savings 2500, group cash 2500
    internal = products.create_product(
        db,
        w.programme_id,
        {"name": "Group", "kind": "internal", "terms": FLAT_4_MONTHS, "savings_multiple": "3"},
        "manager",
    )
    # 625 flat 1 % a month over 4 months from 2 Feb: 156.25 + 6.25 = 162.50 due 2 Mar,
    # then 2 Apr, 2 May, 2 Jun (after the grading day).
    loan_id = lend(db, w, internal, "625", date(2026, 2, 2))
    repay(db, loan_id, "130", date(2026, 3, 2), "on-time", "agent", AS_OF)
    repay(db, loan_id, "32.50", date(2026, 3, 9), "late", "agent", AS_OF)
    result = grade_group(db, w.group_id, AS_OF)
    # lent 625 of 2500 saved = 25 % ÷ 50 % target = 0.5; on time 130 ÷ 162.50 = 0.8.
    # 20×10/12 + 15×26/30 + 20×0.8 + 15×0.5 + 15×0.8 + 15×0.8
    # = 16.667 + 13 + 16 + 7.5 + 12 + 12 = 77.167 → 77.2, B; repayment 80 % < 90 %.
    assert result.inputs.lent == Money.of("625", "KES")
    assert result.inputs.on_time_repayment == Decimal("0.8")
    assert (result.score, result.grade, result.passed) == (Decimal("77.2"), Grade.B, False)
    (short,) = result.below_minimum
    assert (short.component, short.percent, short.minimum) == (
        Component.REPAYMENT,
        80,
        Decimal("0.9"),
    )
    # given inputs still win over the loan book
    given = grade_group(db, w.group_id, AS_OF, on_time_repayment=Decimal(1))
    assert given.inputs.lent == Money.of("625", "KES") and given.score == Decimal("80.2")


def test_only_the_window_and_standing_repayments_count(db: Database) -> None:
    w = make_world(db)
    history(db, w)
    internal = products.create_product(
        db,
        w.programme_id,
        {"name": "Group", "kind": "internal", "terms": FLAT_4_MONTHS, "savings_multiple": "3"},
        "manager",
    )
    # lent on 5 Jan, before the window (12 Jan): not "lent in the window"; its first two
    # instalments (5 Feb, 5 Mar: 2 × (100 + 4)) fall due inside it.
    early = lend(db, w, internal, "400", date(2026, 1, 5))
    repay(db, early, "104", date(2026, 2, 5), "a", "agent", AS_OF)
    repay(db, early, "104", date(2026, 3, 5), "b", "agent", AS_OF)
    record = grade_group(db, w.group_id, AS_OF).inputs
    assert (record.lent, record.on_time_repayment) == (Money.of("0", "KES"), Decimal(1))
    reverse_repayment(db, early, "b", date(2026, 3, 6), "bounced", "manager", AS_OF)
    assert grade_group(db, w.group_id, AS_OF).inputs.on_time_repayment == Decimal("0.5")
