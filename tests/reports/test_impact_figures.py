"""The dashboard's figures-only report equals the full report, metric by metric: same
value, unit and definition, and a row count equal to the rows the full report lists."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import enterprise, membership
from kuza.reports.impact import impact_report
from kuza.services import enterprises, groups
from kuza.services.demo import load_demo
from kuza.services.loans.close_day import close_day
from kuza.services.loans.repayments import repay
from tests.loan_world import TODAY as LOAN_TODAY
from tests.loan_world import disbursed_loan, make_loan_world
from tests.reports.test_impact import MARCH, TODAY, build

FIRST = date(2025, 12, 1)
NOT_COUNTED = {"savings_mobilised"}  # counting its entries would read every savings line


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
        assert (f.sources, f.listed, m.listed) == ((), False, True)
        if f.code in NOT_COUNTED:
            assert f.row_count is None
        else:
            assert f.row_count == len(m.sources), f.code


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
    # savings as of a day before the last posting: the running balances less later lines
    assert impact_report(db, pid, MARCH[0], date(2026, 3, 1), figures_only=True).metric(
        "savings_mobilised"
    ).value == Decimal("0.00")
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


def test_a_loan_book_after_a_close_day_gives_the_same_figures(db: Database) -> None:
    lw = make_loan_world(db)
    late = disbursed_loan(db, lw, "1000", external=True, member_id=lw.m(1))
    repay(db, late, "260", date(2026, 3, 1), "b1", "agent", LOAN_TODAY)
    disbursed_loan(db, lw, "800", member_id=lw.m(2))
    close_day(db, date(2026, 5, 11), "system")
    figures = impact_report(db, lw.pid, date(2026, 1, 1), date(2026, 6, 20), figures_only=True)
    assert figures.metric("loans_disbursed").value == 2
    assert figures.metric("par30").row_count >= 1  # the late loan
    for start, end in (
        (date(2026, 1, 1), date(2026, 6, 20)),
        (date(2026, 4, 1), date(2026, 4, 30)),
    ):
        assert_same(db, lw.pid, start, end)
