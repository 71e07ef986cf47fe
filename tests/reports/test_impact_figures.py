"""The dashboard's figures-only report equals the full report, metric by metric: same
value, unit and definition, and a row count equal to the rows the full report lists."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import enterprise, membership
from kuza.reports.impact import impact_report
from kuza.services import enterprises, groups
from kuza.services.demo import load_demo
from tests.reports.test_impact import MARCH, TODAY, build

FIRST = date(2025, 12, 1)


def assert_same(db: Database, pid: int, start: date | None, end: date) -> None:
    full = impact_report(db, pid, start, end)
    figures = impact_report(db, pid, start, end, figures_only=True)
    assert (figures.start, figures.end, figures.currency) == (full.start, full.end, full.currency)
    assert [m.code for m in figures.metrics] == [m.code for m in full.metrics]
    for f, m in zip(figures.metrics, full.metrics, strict=True):
        assert (f.code, f.name, f.value, f.unit, f.definition) == (
            m.code,
            m.name,
            m.value,
            m.unit,
            m.definition,
        )
        assert f.row_count == len(m.sources), f.code
        assert m.counted is None  # the full report lists its rows


def varied(db: Database) -> int:
    """The hand check's programme with what aggregates get wrong: a member who left (and
    one who left after the period began), two checks of one enterprise on the same day
    (the later one counts), an enterprise with no check."""
    pid = build(db)
    with db.read() as conn:
        rows = conn.execute(select(membership.c.group_id, membership.c.member_id)).all()
        e2 = conn.execute(select(enterprise.c.id).where(enterprise.c.name == "E2")).scalar_one()
    group_id, leaver = rows[1]
    groups.leave_group(db, group_id, leaver, date(2026, 3, 25), "moved")
    enterprises.check_enterprise(db, e2, date(2026, 3, 20), "500", "400", 1, 9)
    return pid


def test_the_hand_check_figures_only(db: Database) -> None:
    pid = build(db)
    figures = impact_report(db, pid, *MARCH, figures_only=True)
    assert figures.metric("members_reached").value == 4
    assert figures.metric("savings_mobilised").value == 450
    assert figures.metric("family_members_benefiting").value == 4  # E1 only has a job
    assert figures.metric("members_reached").sources == ()  # no rows built
    assert figures.metric("members_reached").row_count == 4
    assert_same(db, pid, *MARCH)
    assert_same(db, pid, None, TODAY)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.integers(0, 150), st.integers(0, 150))
def test_any_period_gives_the_same_figures(db: Database, a: int, b: int) -> None:
    with db.read() as conn:
        pid = conn.execute(select(enterprise.c.programme_id).limit(1)).scalar()
    if pid is None:
        pid = varied(db)
    start = FIRST + timedelta(days=min(a, b))
    assert_same(db, pid, start, FIRST + timedelta(days=max(a, b)))


def test_the_demo_programmes_give_the_same_figures(db: Database) -> None:
    load_demo(db, seed=7, until=date(2026, 11, 20), months=2)
    for pid in (1, 2, 3, 4):
        assert_same(db, pid, None, date(2026, 11, 20))
        assert_same(db, pid, date(2026, 10, 1), date(2026, 10, 31))
