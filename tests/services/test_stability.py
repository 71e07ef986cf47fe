"""Grading a group from its records on both databases."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, update
from typer.testing import CliRunner

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import meeting, programme
from kuza.domain.errors import RuleViolation
from kuza.domain.money import Money
from kuza.domain.stability import Component, Grade, Note
from kuza.services.meetings import post_meeting
from kuza.services.stability import grade_group
from tests.factories import World, make_world, sheet

AS_OF = date(2026, 3, 30)  # a Monday; weekly meetings since Monday 5 January
# 13 meetings scheduled 5 Jan .. 30 Mar; the window is the last 12: 12 Jan .. 30 Mar.
HELD = [date(2026, 1, 12) + timedelta(weeks=i) for i in range(10)]  # 12 Jan .. 16 Mar
LATE = {HELD[3], HELD[7]}  # posted 10 days after the meeting; the others the next day


def history(db: Database, w: World) -> None:
    """10 of the 12 window meetings held. Member 2 absent at 4 of them, member 1 pays
    only 50 of the 100 compulsory at 2: 30 member-meetings, 26 present, 24 paid in full.
    Savings: 10 × 300 - 4 × 100 - 2 × 50 = 2500."""
    for i, day in enumerate(HELD):
        lines: dict[str, dict[str, object]] = {}
        if i < 4:
            lines["m2"] = {"present": False}
        if i in (5, 6):
            lines["m1"] = {"compulsory": "50"}
        post_meeting(db, sheet(w, day, **lines), "agent", AS_OF)
    with db.transaction() as conn:
        for day in HELD:
            delay = 10 if day in LATE else 1
            posted = datetime(day.year, day.month, day.day, 18) + timedelta(days=delay)
            conn.execute(
                update(meeting)
                .where(meeting.c.group_id == w.group_id, meeting.c.held_on == day)
                .values(posted_at=posted)
            )


def test_grade_from_records(db: Database) -> None:
    w = make_world(db)
    history(db, w)
    result = grade_group(db, w.group_id, AS_OF)
    # regularity 10/12, attendance 26/30, savings 24/30, lending 0, repayment n/a,
    # bookkeeping 8/10: (20×10/12 + 15×26/30 + 20×0.8 + 0 + 15×0.8) / 85
    # = (16.667 + 13 + 16 + 12) / 85 = 0.67843 → 67.8 → C.
    assert result.inputs.window_start == date(2026, 1, 12)
    assert (result.inputs.meetings_scheduled, result.inputs.meetings_held) == (12, 10)
    assert result.inputs.savings == Money.of("2500", "KES")
    assert (result.score, result.grade, result.passed) == (Decimal("67.8"), Grade.C, False)
    assert [(c.percent, c.below_minimum, c.note) for c in result.components] == [
        (83, False, None),
        (86, False, None),
        (80, False, None),
        (0, False, Note.NO_INTERNAL_LOANS),
        (None, False, Note.NO_INSTALMENT_DUE),
        (80, False, None),
    ]
    assert (result.reaches_pass_mark, result.below_minimum) == (False, ())


def test_grade_with_credit_inputs(db: Database) -> None:
    w = make_world(db)
    history(db, w)
    # 625 lent on 2500 savings = 25% ÷ 50% target = 50%; all repaid on time.
    # (57.667 + 15×0.5 + 15×1) / 100 = 80.1667 → 80.2 → B, every minimum met: passes.
    result = grade_group(
        db, w.group_id, AS_OF, lent=Money.of("625", "KES"), on_time_repayment=Decimal(1)
    )
    assert (result.score, result.grade, result.passed) == (Decimal("80.2"), Grade.B, True)


def test_programme_settings_change_the_grade(db: Database) -> None:
    w = make_world(db)
    history(db, w)
    settings = {"stability": {"weights": {"lending": 0}, "minimums": {"savings": 90}}}
    with db.transaction() as conn:
        conn.execute(
            update(programme).where(programme.c.id == w.programme_id).values(settings=settings)
        )
    result = grade_group(db, w.group_id, AS_OF)
    # Lending no longer counts: 57.667 / 70 = 0.82381 → 82.4, but savings 80% < 90%.
    assert result.score == Decimal("82.4")
    savings = next(c for c in result.components if c.component is Component.SAVINGS)
    assert (savings.percent, savings.minimum, savings.below_minimum) == (80, Decimal("0.9"), True)
    assert not result.passed


def test_a_few_queries_whatever_the_number_of_meetings(db: Database) -> None:
    w = make_world(db)
    history(db, w)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        grade_group(db, w.group_id, AS_OF)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    # 7 for the meetings, members and ledger; 2 for the internal loans (dues, repayments)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) <= 9


def test_nothing_scheduled_yet_is_refused(db: Database) -> None:
    w = make_world(db)
    with pytest.raises(RuleViolation) as err:
        grade_group(db, w.group_id, date(2026, 1, 4))
    assert err.value.field == "as_of"


def test_cli_grade(sqlite_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    from kuza.cli.main import app

    monkeypatch.setenv("KUZA_DATABASE_URL", sqlite_db.url)
    w = make_world(sqlite_db)
    history(sqlite_db, w)
    result = CliRunner().invoke(app, ["group", "grade", str(w.group_id), "--as-of", "2026-03-30"])
    assert result.exit_code == 0, result.output
    assert "grade C" in result.output and "67.8" in result.output
    assert "score 67.8 < pass mark 75" in result.output
    assert "83%" in result.output and "n/a" in result.output  # the components as a table
