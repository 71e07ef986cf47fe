"""Micro health insurance on both databases: subsidy schedule, premiums through the
ledger (idempotent per period), claims with waiting period and yearly cover.

Plan: premium 100.00 a month, 50.00 per dependant, cover 1 000.00 per year of
membership, 30 days' waiting, subsidy 100 % / 66 % / 33 % in years 1 / 2 / 3.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import audit_log, insurance_claim, insurance_premium, journal_entry
from kuza.domain.errors import DomainError, RuleViolation
from kuza.domain.groups import Sex
from kuza.domain.insurance import PaysFrom, membership_year, plan_from, split_premium
from kuza.domain.ledger import AccountCode, AccountKey
from kuza.domain.money import Money
from kuza.reports.impact import impact_report
from kuza.services import insurance, insurance_claims, ledger_check, passbook
from kuza.services.loans.store import balance
from tests.factories import make_world

TODAY = date(2028, 12, 31)
ENROLLED = date(2026, 1, 10)
PLAN = {
    "name": "Afya",
    "premium": "100",
    "dependant_premium": "50",
    "period": "month",
    "cover_per_year": "1000",
    "waiting_days": 30,
    "subsidy": ["100", "66", "33"],
}
KIDS = [
    insurance.Dependant("Wanjiru", "child", Sex.FEMALE, 2018),
    insurance.Dependant("Kamau", "child", Sex.MALE, 2020),
]


def counts(db: Database) -> tuple[int, ...]:
    with db.read() as conn:
        return tuple(
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (insurance_premium, insurance_claim, journal_entry, audit_log)
        )


def test_subsidy_schedule_and_rounding() -> None:
    plan = plan_from(dict(PLAN, premium="10.01", dependant_premium="0"), "KES")
    assert [plan.subsidy_percent(y) for y in (1, 2, 3, 4)] == [100, 66, 33, 0]
    # 10.01 × 66 % = 6.6066 → 6.61; she pays the exact rest 3.40
    split = split_premium(plan, 0, 2)
    assert (split.subsidy.amount, split.member_share.amount) == (Decimal("6.61"), Decimal("3.40"))
    assert membership_year(ENROLLED, date(2027, 1, 9)) == 1
    assert membership_year(ENROLLED, date(2027, 1, 10)) == 2
    with pytest.raises(DomainError) as exc:
        plan_from(dict(PLAN, subsidy=["120"]), "KES")
    assert exc.value.field == "subsidy"


def bal(db: Database, pid: int, key: AccountKey) -> Decimal:
    with db.read() as conn:
        return balance(conn, pid, key, "KES").amount


def test_premiums_through_the_ledger_idempotent_per_period(db: Database) -> None:
    w = make_world(db)
    pid, (m0, m1, _m2) = w.programme_id, w.member_ids
    plan = insurance.create_plan(db, pid, PLAN)
    insurance.enrol(db, plan, m0, ENROLLED, PaysFrom.PASSBOOK, KIDS)
    insurance.enrol(db, plan, m1, ENROLLED, PaysFrom.CASH)
    # year 1, February 2026: m0 100 + 2 × 50 = 200, m1 100; all subsidised (100 %)
    feb = insurance.collect_premiums(db, plan, date(2026, 2, 14), TODAY)
    assert feb.period_start == date(2026, 2, 1)
    assert (feb.premiums.amount, feb.subsidies.amount, len(feb.collected)) == (300, 300, 2)
    again = insurance.collect_premiums(db, plan, date(2026, 2, 1), TODAY)
    assert again.collected == [] and len(again.already) == 2
    # year 2, February 2027 (66 %): m0 200 → 132.00 subsidy + 68.00 from her passbook
    # (100 deposited); m1 100 → 66.00 + 34.00 in cash
    passbook.move(db, m0, passbook.PassbookMove.DEPOSIT, "100", date(2027, 1, 15), "R1", "a", TODAY)
    feb27 = insurance.collect_premiums(db, plan, date(2027, 2, 1), TODAY)
    assert (feb27.premiums.amount, feb27.subsidies.amount) == (300, 198)
    fund = AccountKey(AccountCode.INSURANCE_CASH)
    assert bal(db, pid, fund) == Decimal("600.00")  # 300 + 200 + 100
    assert bal(db, pid, AccountKey(AccountCode.PREMIUM_INCOME)) == Decimal("-600.00")
    assert bal(db, pid, AccountKey(AccountCode.PREMIUM_SUBSIDY)) == Decimal("498.00")
    assert bal(db, pid, AccountKey(AccountCode.OPERATING_CASH)) == Decimal("-498.00")
    assert bal(db, pid, AccountKey(AccountCode.PASSBOOK, w.group_id, m0)) == Decimal("-32.00")
    assert bal(db, pid, AccountKey(AccountCode.PASSBOOK_CASH, w.group_id)) == Decimal("32.00")
    # March 2027: m0 owes 68.00 but her passbook holds 32.00 → nothing booked for anyone
    before = counts(db)
    with pytest.raises(RuleViolation) as exc:
        insurance.collect_premiums(db, plan, date(2027, 3, 1), TODAY)
    assert exc.value.field == "pays_from"
    assert counts(db) == before
    assert ledger_check.check(db) == []
    report = impact_report(db, pid, date(2026, 1, 1), date(2027, 3, 31))
    assert report.metric("insurance_enrolled").value == 2
    assert report.metric("insured_people").value == 4  # two members, two children


def test_claims_with_waiting_period_cover_and_maker_checker(db: Database) -> None:
    w = make_world(db)
    pid, m1 = w.programme_id, w.member_ids[1]
    plan = insurance.create_plan(db, pid, PLAN)
    e = insurance.enrol(db, plan, m1, ENROLLED, PaysFrom.CASH)
    for month in range(2, 8):  # six months of 100.00: the fund holds 600.00
        insurance.collect_premiums(db, plan, date(2026, month, 1), TODAY)
    before = counts(db)
    with pytest.raises(RuleViolation) as exc:  # covered only from 9 February (10 Jan + 30)
        insurance_claims.submit_claim(db, e, date(2026, 2, 1), "100", "clinic", TODAY)
    assert exc.value.field == "incurred_on"
    with pytest.raises(DomainError) as exc:
        insurance_claims.submit_claim(db, e, date(2026, 3, 1), "-5", "clinic", TODAY)
    assert exc.value.field == "amount"
    assert counts(db) == before
    first = insurance_claims.submit_claim(
        db,
        e,
        date(2026, 3, 1),
        "600",
        "malaria",
        TODAY,
        submitted_on=date(2026, 3, 2),
        actor="agent",
    )
    with pytest.raises(RuleViolation) as exc:
        insurance_claims.approve_claim(db, first, "600", date(2026, 3, 5), "agent")
    assert exc.value.field == "actor"
    approved = insurance_claims.approve_claim(db, first, "600", date(2026, 3, 5), "manager")
    assert approved == Money.of("600", "KES")
    second = insurance_claims.submit_claim(
        db, e, date(2026, 4, 1), "500", "x-ray", TODAY, submitted_on=date(2026, 4, 2), actor="agent"
    )
    with pytest.raises(RuleViolation) as exc:  # 1 000 − 600 = 400 left in year 1
        insurance_claims.approve_claim(db, second, "500", date(2026, 4, 5), "manager")
    assert exc.value.field == "amount"
    insurance_claims.approve_claim(db, second, "400", date(2026, 4, 5), "manager")
    insurance_claims.pay_claim(db, first, date(2026, 4, 10), "finance")
    fund = AccountKey(AccountCode.INSURANCE_CASH)
    assert bal(db, pid, fund) == Decimal("0.00")  # 600 in, 600 paid
    assert bal(db, pid, AccountKey(AccountCode.CLAIMS_EXPENSE)) == Decimal("600.00")
    with pytest.raises(RuleViolation):  # the fund is empty: 400 cannot be paid yet
        insurance_claims.pay_claim(db, second, date(2026, 4, 10), "finance")
    with pytest.raises(RuleViolation) as exc:  # paid claims cannot be rejected
        insurance_claims.reject_claim(db, first, "late", date(2026, 4, 11), "manager")
    assert exc.value.field == "status"
    assert ledger_check.check(db) == []
