"""Household visits with a made-up scorecard, score history, group averages, the impact
figure, and referrals. Every answer is worked out by hand in the comments."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import audit_log, household_visit, referral, scorecard
from kuza.domain.errors import DomainError, NotFound, RuleViolation
from kuza.domain.visits import ReferralKind, ReferralStatus
from kuza.reports.impact import impact_report
from kuza.services import visits
from tests.factories import make_world

TODAY = date(2026, 6, 30)
GRID = {
    "code": "grid",
    "questions": [
        {"code": "roof", "text": "Roof", "points": {"thatch": 0, "iron": 10}},
        {"code": "school", "text": "All children at school", "points": {"no": 0, "yes": 20}},
    ],
    "lookup": [[0, "80"], [10, "50"], [30, "10"]],
}


def counts(db: Database) -> tuple[int, ...]:
    with db.read() as conn:
        return tuple(
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (scorecard, household_visit, referral, audit_log)
        )


def visit(db: Database, pid: int, mid: int, on: date, roof: str, school: str) -> int:
    new = visits.NewVisit(mid, "grid", on, "Asha", {"roof": roof, "school": school}, 4)
    return visits.record_visit(db, pid, new, TODAY).score


def test_scores_history_group_averages_and_change(db: Database) -> None:
    w = make_world(db)
    pid, (m0, m1, m2) = w.programme_id, w.member_ids
    visits.load_programme_scorecard(db, pid, json.dumps(GRID), date(2026, 1, 10))
    assert visit(db, pid, m0, date(2026, 2, 1), "thatch", "no") == 0  # 0 + 0 → 80 %
    assert visit(db, pid, m1, date(2026, 2, 1), "iron", "no") == 10  # 10 + 0 → 50 %
    assert visit(db, pid, m0, date(2026, 5, 1), "iron", "yes") == 30  # 10 + 20 → 10 %
    assert visit(db, pid, m1, date(2026, 5, 1), "iron", "no") == 10
    assert visit(db, pid, m2, date(2026, 5, 1), "thatch", "yes") == 20  # 0 + 20 → 50 %
    history = visits.score_history(db, m0)
    assert [(p.score, p.likelihood) for p in history] == [(0, Decimal(80)), (30, Decimal(10))]
    # 1 March: m0 0 and m1 10 → mean 5.00; likelihoods (80 + 50) ÷ 2 = 65.00
    march = visits.group_scores(db, w.group_id, "grid", date(2026, 3, 1))
    assert (march.households, march.average_score, march.poverty_rate) == (
        2,
        Decimal("5.00"),
        Decimal("65.00"),
    )
    # 31 May: 30, 10, 20 → 20.00; likelihoods (10 + 50 + 50) ÷ 3 = 36.666… → 36.67
    may = visits.group_scores(db, w.group_id, "grid", date(2026, 5, 31))
    assert (may.households, may.average_score, may.poverty_rate) == (
        3,
        Decimal("20.00"),
        Decimal("36.67"),
    )
    # change: m0 30 − 0 = +30, m1 10 − 10 = 0, m2 one visit only → (30 + 0) ÷ 2 = 15.00
    report = impact_report(db, pid, date(2026, 1, 1), date(2026, 5, 31))
    change = report.metric("household_score_change")
    assert change.value == Decimal("15.00")
    assert len(change.sources) == 4
    # before the second visits nobody has two visits: undefined, not zero
    early = impact_report(db, pid, date(2026, 1, 1), date(2026, 3, 31))
    assert early.metric("household_score_change").value is None


def test_bad_scorecards_and_visits_write_nothing(db: Database) -> None:
    w = make_world(db)
    pid, m0 = w.programme_id, w.member_ids[0]
    other = make_world(db, code="KE-OTHER")
    bad = dict(GRID, questions=[{"code": "roof", "points": {"iron": 1.5}}])
    before = counts(db)
    with pytest.raises(DomainError) as exc:
        visits.load_programme_scorecard(db, pid, json.dumps(bad), date(2026, 1, 10))
    assert exc.value.field == "points"
    with pytest.raises(DomainError) as exc:
        visits.load_programme_scorecard(db, pid, json.dumps(dict(GRID, extra=1)), TODAY)
    assert exc.value.field == "extra"
    assert counts(db) == before
    visits.load_programme_scorecard(db, pid, json.dumps(GRID), date(2026, 1, 10))
    before = counts(db)
    cases = [
        (visits.NewVisit(m0, "grid", TODAY, "Asha", {"roof": "iron", "car": "yes"}, 4), "car"),
        (visits.NewVisit(m0, "grid", TODAY, "Asha", {"roof": "iron"}, 4), "school"),
        (visits.NewVisit(m0, "ppi", TODAY, "Asha", {}, 4), "scorecard"),
        (
            visits.NewVisit(
                other.member_ids[0], "grid", TODAY, "Asha", {"roof": "iron", "school": "no"}, 4
            ),
            "member_id",
        ),
        (
            visits.NewVisit(
                m0, "grid", date(2026, 7, 1), "Asha", {"roof": "iron", "school": "no"}, 4
            ),
            "visited_on",
        ),
    ]
    for new, field in cases:
        with pytest.raises(DomainError) as exc:
            visits.record_visit(db, pid, new, TODAY)
        assert exc.value.field == field
    assert counts(db) == before


def test_referral_follow_up(db: Database) -> None:
    w = make_world(db)
    pid, m0 = w.programme_id, w.member_ids[0]
    rid = visits.refer(db, pid, m0, ReferralKind.HEALTH, "Thika clinic", date(2026, 3, 1))
    assert (
        visits.follow_up_referral(db, rid, ReferralStatus.IN_PROGRESS, date(2026, 3, 8))
        is ReferralStatus.IN_PROGRESS
    )
    visits.follow_up_referral(db, rid, ReferralStatus.RESOLVED, date(2026, 3, 20), "treated")
    before = counts(db)
    with pytest.raises(RuleViolation) as exc:
        visits.follow_up_referral(db, rid, ReferralStatus.DROPPED, date(2026, 3, 21))
    assert exc.value.field == "status"
    with pytest.raises(DomainError) as exc:
        visits.refer(db, pid, m0, ReferralKind.LEGAL, " ", date(2026, 3, 1))
    assert exc.value.field == "service"
    with pytest.raises(NotFound):
        visits.refer(db, pid, 999, ReferralKind.SCHOOL, "school", date(2026, 3, 1))
    assert counts(db) == before
