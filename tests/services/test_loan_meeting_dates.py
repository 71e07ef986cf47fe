"""Loans that repay at the group's meetings follow a moved meeting."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import loan, loan_instalment
from kuza.domain.errors import RuleViolation
from kuza.services import groups
from kuza.services.ledger_check import check
from kuza.services.loans import products
from kuza.services.loans.repayments import repay
from tests.loan_world import TODAY, counts, disbursed_loan, make_loan_world

AT_MEETINGS = {
    "rate": {"percent": "10", "per": "year"},
    "method": "flat",
    "interest_period": "daily",
    "days_in_year": 365,
    "instalments": 4,
    "every": {"n": 1, "unit": "week"},
    "repay_at_meetings": True,
}


def due_dates(db: Database, loan_id: int) -> list[date]:
    i = loan_instalment.c
    with db.read() as conn:
        return list(
            conn.execute(select(i.due_on).where(i.loan_id == loan_id).order_by(i.n)).scalars()
        )


def test_moving_a_meeting_moves_the_instalment_due_that_day(db: Database) -> None:
    lw = make_loan_world(db)  # weekly meetings on Mondays from 5 January
    at_meetings = products.create_product(
        db, lw.pid, {"name": "At meetings", "kind": "internal", "terms": AT_MEETINGS}, "manager"
    )
    weekly = disbursed_loan(db, lw, "400", product_id=at_meetings)  # disbursed Sun 1 Feb
    monthly = disbursed_loan(db, lw, "400", member_id=lw.m(1))  # due 1 Mar, 1 Apr ...
    mondays = [date(2026, 2, 2), date(2026, 2, 9), date(2026, 2, 16), date(2026, 2, 23)]
    assert due_dates(db, weekly) == mondays
    monthly_dates = due_dates(db, monthly)
    repay(db, weekly, "101", date(2026, 2, 2), "w1", "agent", TODAY)
    before = counts(db)
    with pytest.raises(RuleViolation):  # not a meeting date: nothing moves
        groups.move_meeting(db, lw.gid, date(2026, 2, 24), date(2026, 2, 25), "holiday")
    assert counts(db) == before
    groups.move_meeting(db, lw.gid, date(2026, 2, 23), date(2026, 2, 25), "public holiday")
    assert due_dates(db, weekly) == [*mondays[:3], date(2026, 2, 25)]
    assert due_dates(db, monthly) == monthly_dates  # dated by the month, not by meetings
    with db.read() as conn:
        terms = conn.execute(select(loan.c.terms).where(loan.c.id == weekly)).scalar_one()
    assert terms["due_dates"][-1] == "2026-02-25"
    # a loan disbursed after the move is scheduled on the moved date from the start
    later = disbursed_loan(db, lw, "300", product_id=at_meetings, member_id=lw.m(2))
    assert due_dates(db, later) == [*mondays[:3], date(2026, 2, 25)]
    assert check(db) == []
