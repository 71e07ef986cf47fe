"""Property: any sequence of sheets (some of them refused) gives, sheet by sheet, the same
answer and the same books whether posted one by one or as one sync batch."""

from __future__ import annotations

import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kuza.adapters.db.engine import Database
from kuza.domain.errors import DomainError
from kuza.services.ledger import group_accounts
from kuza.services.ledger_check import check
from kuza.services.meeting_batch import MeetingRefused, post_meetings
from kuza.services.meetings import post_meeting
from tests.factories import FORMED, World, make_world

TODAY = date(2026, 12, 31)
amount = st.integers(min_value=0, max_value=300).map(str)
sometimes = st.one_of(st.just("0"), st.just("0"), amount)  # payouts out are rarer
line = st.fixed_dictionaries(
    {
        "present": st.booleans(),
        "voluntary": amount,
        "social": amount,
        "withdrawal": sometimes,
        "social_payout": sometimes,
    }
)
# a week number per sheet: repeats post the same date twice (a duplicate or a changed sheet)
sheets_st = st.lists(
    st.tuples(st.integers(0, 5), st.lists(line, min_size=3, max_size=3)), min_size=1, max_size=8
)


def _sheet(w: World, week: int, lines: list[dict[str, Any]]) -> dict[str, Any]:
    held = FORMED + timedelta(weeks=week)
    return {
        "group_id": w.group_id,
        "held_on": held.isoformat(),
        "lines": [
            {**ln, "member_id": mid, "social_payout_reason": "illness"}
            for mid, ln in zip(w.member_ids, lines, strict=True)
        ],
    }


def _books(db: Database, w: World) -> dict[tuple[str, int | None], int]:
    index = {mid: i for i, mid in enumerate(w.member_ids)}
    with db.read() as conn:
        accounts = group_accounts(conn, w.programme_id, w.group_id)
    return {
        (k.code.value, index.get(k.member_id) if k.member_id else None): balance
        for k, (_, balance) in accounts.items()
    }


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sheets_st)
def test_a_batch_answers_and_books_as_one_by_one(sqlite_template: Path, sequence) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.sqlite3"
        shutil.copy(sqlite_template, path)
        db = Database(f"sqlite:///{path}")
        one, batch = make_world(db, compulsory="50"), make_world(db, code="KE-B", compulsory="50")
        expected: list[tuple[str, str | None]] = []
        for week, lines in sequence:
            try:
                done = post_meeting(db, _sheet(one, week, lines), "prop", TODAY)
                expected.append(("booked" if done.created else "again", None))
            except DomainError as exc:
                expected.append((exc.code, exc.field))
        results = post_meetings(db, [_sheet(batch, w, ls) for w, ls in sequence], "prop", TODAY)
        got = [
            (r.error.code, r.error.field)
            if isinstance(r, MeetingRefused)
            else ("booked" if r.created else "again", None)
            for r in results
        ]
        assert got == expected
        assert _books(db, batch) == _books(db, one)
        assert check(db) == []
        db.dispose()
