"""The whole-programme dashboard close-day stores equals the dashboard computed live as
of that day, every figure and chart bar; it is read only while it is of the programme's
last close-day, only for the whole programme, and a re-run or an earlier date rewrites
it (as ``portfolio_summary``)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import branch, dashboard_snapshot, membership
from kuza.domain.groups import Sex
from kuza.domain.metrics import Metric
from kuza.reports.dashboard import Bar, Dashboard, Scope, dashboard
from kuza.reports.dashboard_snapshot import (
    from_dict,
    stored_dashboard,
    to_dict,
    write_snapshots,
)
from kuza.reports.impact import ImpactReport
from kuza.services import groups
from kuza.services.loans.close_day import close_day
from tests.reports.test_impact_figures import rich

pytestmark = pytest.mark.storage
DAY = date(2026, 6, 30)
AFTER = (write_snapshots,)


def live(db: Database, pid: int, day: date) -> Dashboard:
    return dashboard(db, Scope(pid), None, day, figures_only=True)


def assert_stored_is_live(db: Database, pid: int, day: date) -> Dashboard:
    stored = stored_dashboard(db, Scope(pid))
    assert stored is not None and stored.as_of == day
    now = live(db, pid, day)
    assert [m.code for m in stored.report.metrics] == [m.code for m in now.report.metrics]
    for s, n in zip(stored.report.metrics, now.report.metrics, strict=True):
        assert s == n, s.code  # value, unit, names, row count: field by field
    assert (stored.by_month, stored.by_branch, stored.by_value_chain) == (
        now.by_month,
        now.by_branch,
        now.by_value_chain,
    )
    assert replace(stored, as_of=None) == now  # and nothing else differs
    return stored


def _join(db: Database, pid: int, on: date) -> None:
    with db.read() as conn:
        group_id = conn.execute(select(membership.c.group_id).limit(1)).scalar_one()
    groups.enrol_member(db, group_id, groups.NewMember("Late Comer", Sex.FEMALE, 3, True), on)


def test_close_day_stores_the_live_dashboard_of_its_day(db: Database) -> None:
    pid = rich(db)
    assert stored_dashboard(db, Scope(pid)) is None  # before any close-day: live
    close_day(db, DAY, "test", AFTER)
    board = assert_stored_is_live(db, pid, DAY)
    assert board.report.metric("jobs_created").value > 0
    assert sum(b.value for b in board.by_month) > 0
    # a write after close-day is not in the stored figures until the next one
    reached = board.report.metric("members_reached").value
    _join(db, pid, date(2026, 6, 1))
    assert live(db, pid, DAY).report.metric("members_reached").value == reached + 1
    again = stored_dashboard(db, Scope(pid))
    assert again is not None and again.report.metric("members_reached").value == reached
    close_day(db, DAY, "test", AFTER)  # a re-run of the same date rewrites it
    assert_stored_is_live(db, pid, DAY)


def test_an_earlier_date_rewrites_it_as_the_portfolio_summary(db: Database) -> None:
    pid = rich(db)
    close_day(db, DAY, "test", AFTER)
    earlier = date(2026, 4, 30)
    close_day(db, earlier, "test", AFTER)
    assert_stored_is_live(db, pid, earlier)
    with db.read() as conn:
        assert conn.execute(select(dashboard_snapshot.c.as_of)).scalars().all() == [earlier]


def test_a_close_day_that_did_not_store_it_leaves_it_unread(db: Database) -> None:
    pid = rich(db)
    close_day(db, date(2026, 5, 31), "test")  # no store passed: nothing written
    assert stored_dashboard(db, Scope(pid)) is None
    close_day(db, date(2026, 6, 15), "test", AFTER)
    assert stored_dashboard(db, Scope(pid)) is not None
    close_day(db, DAY, "test")  # a later close-day without it: the stored one is stale
    assert stored_dashboard(db, Scope(pid)) is None


def test_a_narrowed_scope_is_never_read_from_it(db: Database) -> None:
    pid = rich(db)
    close_day(db, DAY, "test", AFTER)
    with db.read() as conn:
        bid = conn.execute(select(branch.c.id).where(branch.c.programme_id == pid)).scalar()
    assert stored_dashboard(db, Scope(pid, frozenset({bid}))) is None
    donor = stored_dashboard(db, Scope(pid, personal_rows=False))  # a whole-programme donor
    assert donor is not None
    assert all(m.sources == () for m in donor.report.metrics)


def test_the_json_keeps_every_value_exactly() -> None:
    metrics = (
        Metric("a", "A", Decimal("12.50"), "KES", "d", (), 3, listed=False),
        Metric("b", "B", None, "percent", "undefined", (), None, listed=False),
        Metric("c", "C", Decimal("1E+3"), "count", "", (), 0, listed=False),
        Metric("d", "D", Decimal("0.000001"), "FTE", "é ÷", (), 7, listed=False),
    )
    report = ImpactReport(1, "KE", "KES", date(2025, 12, 31), DAY, metrics)
    board = Dashboard(
        report, Scope(1), (), (), (Bar("2026-06", 4),), (Bar("Thika", 4),), (Bar("—", 4),)
    )
    back = from_dict(json.loads(json.dumps(to_dict(board))), Scope(1))
    assert back == replace(board, as_of=DAY)
    assert [str(m.value) for m in back.report.metrics] == ["12.50", "None", "1E+3", "0.000001"]
