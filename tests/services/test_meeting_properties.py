"""Property: for any valid sequence of meetings the ledger balances and the group fund
equals contributions minus payouts, through the real services and database."""

from __future__ import annotations

import shutil
import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kuza.adapters.db.engine import Database
from kuza.domain.errors import RuleViolation
from kuza.services.ledger_check import check
from kuza.services.meetings import post_meeting
from kuza.services.views import group_view
from tests.factories import FORMED, make_world

amount = st.integers(min_value=0, max_value=500).map(lambda n: Decimal(n))
line = st.fixed_dictionaries(
    {
        "present": st.booleans(),
        "voluntary": amount,
        "social": amount,
        "fine": amount,
        "withdrawal": amount,
        "social_payout": amount,
    }
)
meetings_st = st.lists(st.lists(line, min_size=3, max_size=3), min_size=1, max_size=6)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(meetings_st)
def test_any_meeting_sequence_keeps_the_books(sqlite_template: Path, sequence) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.sqlite3"
        shutil.copy(sqlite_template, path)
        db = Database(f"sqlite:///{path}")
        w = make_world(db, compulsory="50")
        expected_cash = Decimal(0)
        expected_social = Decimal(0)
        for week, lines in enumerate(sequence):
            data_lines = []
            for mid, ln in zip(w.member_ids, lines, strict=True):
                d = {
                    "member_id": mid,
                    "present": ln["present"],
                    "voluntary": str(ln["voluntary"]),
                    "social": str(ln["social"]),
                    "withdrawal": str(ln["withdrawal"]),
                    "social_payout": str(ln["social_payout"]),
                    "social_payout_reason": "illness",
                }
                if ln["fine"]:
                    d["fines"] = [{"amount": str(ln["fine"]), "reason": "late"}]
                data_lines.append(d)
            held = FORMED + timedelta(weeks=week)
            try:
                post_meeting(
                    db,
                    {"group_id": w.group_id, "held_on": held.isoformat(), "lines": data_lines},
                    "prop",
                    date(2026, 12, 31),
                )
            except RuleViolation:
                continue  # refused sheets (withdrawal above balance ...) must write nothing
            for ln in lines:
                compulsory = Decimal(50) if ln["present"] else Decimal(0)
                expected_cash += (
                    compulsory
                    + ln["voluntary"]
                    + ln["social"]
                    + ln["fine"]
                    - ln["withdrawal"]
                    - ln["social_payout"]
                )
                expected_social += ln["social"] - ln["social_payout"]
        assert check(db) == []
        view = group_view(db, w.group_id, date(2026, 12, 31))
        assert view.fund_cash.amount == expected_cash
        assert view.social_fund.amount == expected_social
        assert not view.fund_cash.is_negative()
        db.dispose()
