"""The dashboard's figures-only report equals the full report, metric by metric: same
value, unit and definition, and a row count equal to the rows the full report lists."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select, update

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    branch,
    enterprise,
    enterprise_check,
    household_visit,
    job,
    job_event,
    job_verification,
    member,
    membership,
    programme,
    scorecard,
    training_attendance,
    training_module,
    training_session,
    value_chain,
)
from kuza.domain.costs import CostCategory, CostLine, Stage
from kuza.domain.jobs import JobEventKind, count_jobs
from kuza.domain.money import Money
from kuza.reports.dashboard import NO_CHAIN, Bar, Scope, dashboard
from kuza.reports.dashboard import _jobs_of_scope as dashboard_jobs
from kuza.reports.dashboard import _months as chart_months
from kuza.reports.impact import impact_report, job_events
from kuza.services import costs, enterprises, groups, programmes
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


# --- A book with many jobs, trainings, visits and costs ------------------------------
# The figures counted in SQL (jobs by count_jobs' rules, costs per stage, training
# completion, household score change, the dashboard's charts) against the row-by-row
# report, on what those aggregates could get wrong: a job created twice (the first
# counts), grown several times, lost twice; events verified before they happened (never
# counted) or not at all; sessions of odd hours; two visits of a household on one day
# (the later id is the latest); enterprises of two branches and two value chains.

SCORECARD = {"code": "rich", "questions": []}


def rich(db: Database, seed: int = 3) -> int:
    rng = random.Random(seed)
    pid = build(db)
    nyeri = programmes.create_branch(db, pid, "Nyeri")
    chains = [
        enterprises.add_value_chain(db, pid, "dairy", "Dairy"),
        enterprises.add_value_chain(db, pid, "tea", "Tea"),
        None,
    ]
    with db.transaction() as conn:
        thika = conn.execute(select(branch.c.id).where(branch.c.programme_id == pid)).scalar()
        mids = list(conn.execute(select(member.c.id).where(member.c.programme_id == pid)).scalars())
        group_id = conn.execute(select(membership.c.group_id).limit(1)).scalar_one()
        ents = [
            conn.execute(
                insert(enterprise)
                .values(
                    programme_id=pid,
                    branch_id=rng.choice([thika, nyeri]),
                    name=f"R{i}",
                    sector="trade",
                    value_chain_id=rng.choice(chains),
                    started_on=date(2026, 1, 1) + timedelta(days=rng.randint(0, 120)),
                    status=rng.choice(["active", "active", "closed"]),
                    registered=False,
                    household_size=rng.randint(1, 9),
                )
                .returning(enterprise.c.id)
            ).scalar_one()
            for i in range(8)
        ]
        for eid in ents:
            for _ in range(rng.randint(0, 2)):
                conn.execute(
                    insert(enterprise_check).values(
                        programme_id=pid, enterprise_id=eid,
                        checked_on=date(2026, 1, 1) + timedelta(days=rng.randint(0, 150)),
                        checked_by="t", currency="KES", revenue_minor=1, costs_minor=1,
                        profit_band="low", employees=1, household_size=rng.randint(1, 9),
                    )
                )  # fmt: skip
            for _ in range(rng.randint(1, 4)):
                jid = conn.execute(
                    insert(job)
                    .values(programme_id=pid, enterprise_id=eid, role="employee",
                            worker_name="W", worker_sex=rng.choice("FM"))
                    .returning(job.c.id)
                ).scalar_one()  # fmt: skip
                kinds = ["created"] * rng.randint(1, 2) + ["grown"] * rng.randint(0, 3)
                kinds += ["lost"] * rng.randint(0, 2)
                for kind in kinds:
                    on = date(2025, 12, 1) + timedelta(days=rng.randint(0, 170))
                    fte = {"created": rng.choice(["1.0", "0.5"]), "grown": "0.5"}.get(kind, "-0.5")
                    ev = conn.execute(
                        insert(job_event)
                        .values(programme_id=pid, job_id=jid, kind=kind, on_date=on,
                                fte_change=Decimal(fte), recorded_by="t")
                        .returning(job_event.c.id)
                    ).scalar_one()  # fmt: skip
                    if rng.random() < 0.8:
                        conn.execute(
                            insert(job_verification).values(
                                programme_id=pid, event_id=ev, verified_by="t", method="phone",
                                verified_on=on + timedelta(days=rng.randint(-5, 20)),
                            )
                        )  # fmt: skip
        modules = [
            conn.execute(
                insert(training_module)
                .values(programme_id=pid, code=f"m{i}", name=f"M{i}", category="business",
                        expected_hours=Decimal(hours), material_format="text")
                .returning(training_module.c.id)
            ).scalar_one()
            for i, hours in enumerate(["2.50", "3", "1.75"])
        ]  # fmt: skip
        for _ in range(12):
            sid = conn.execute(
                insert(training_session)
                .values(programme_id=pid, group_id=group_id, module_id=rng.choice(modules),
                        trainer="T", held_on=date(2026, 1, 1) + timedelta(days=rng.randint(0, 150)),
                        hours=Decimal(rng.choice(["0.75", "1", "1.25", "0.1", "2.2"])))
                .returning(training_session.c.id)
            ).scalar_one()  # fmt: skip
            for mid in rng.sample(mids, rng.randint(1, len(mids))):
                conn.execute(
                    insert(training_attendance).values(
                        programme_id=pid, session_id=sid, member_id=mid, present=rng.random() < 0.7
                    )
                )
        cards = [
            conn.execute(
                insert(scorecard)
                .values(programme_id=pid, code=code, definition=SCORECARD,
                        loaded_on=date(2026, 1, 1), loaded_by="t")
                .returning(scorecard.c.id)
            ).scalar_one()
            for code in ("a", "b")
        ]  # fmt: skip
        for mid in mids:
            for _ in range(rng.randint(0, 5)):
                conn.execute(
                    insert(household_visit).values(
                        programme_id=pid, member_id=mid, group_id=group_id,
                        scorecard_id=rng.choice(cards),
                        visited_on=date(2026, 1, 1) + timedelta(days=rng.randint(0, 20) * 7),
                        visited_by="t", answers={}, score=rng.randint(0, 100),
                        likelihood=Decimal("1.5"), household_size=4,
                    )
                )  # fmt: skip
        # two visits on one day, before and after the others: the later id is the
        # baseline's tie-break and the latest's
        for mid in mids[:3]:
            for on in (
                date(2025, 12, 29),
                date(2025, 12, 29),
                date(2026, 5, 25),
                date(2026, 5, 25),
            ):
                conn.execute(
                    insert(household_visit).values(
                        programme_id=pid, member_id=mid, group_id=group_id, scorecard_id=cards[0],
                        visited_on=on, visited_by="t", answers={}, score=rng.randint(0, 100),
                        likelihood=Decimal("1.5"), household_size=4,
                    )
                )  # fmt: skip
    for i in range(10):
        end = date(2026, 1, 31) + timedelta(days=30 * rng.randint(0, 5))
        costs.record_cost(
            db,
            pid,
            CostLine(
                f"R-{i}", rng.choice(list(Stage)), CostCategory.STAFF, date(2026, 1, 1), end,
                Money.of(f"{rng.randint(1, 9999)}.{rng.randint(0, 99):02d}", "KES"),
                rng.choice([None, "Thika", "Nyeri"]),
            ),
        )  # fmt: skip
    return pid


PERIODS = [
    (None, date(2026, 6, 30)),
    (date(2026, 1, 1), date(2026, 3, 31)),
    (date(2026, 2, 14), date(2026, 2, 20)),
    (date(2026, 3, 1), date(2026, 5, 31)),
    (date(2025, 12, 1), date(2025, 12, 31)),
]


def charts_by_rows(db: Database, scope: Scope, start: date, end: date) -> tuple[Any, ...]:
    """The dashboard's charts as they were computed before (every job event in Python)."""
    with db.read() as conn:
        names = {
            r.id: (r.b, r.v or NO_CHAIN)
            for r in conn.execute(
                select(job.c.id, branch.c.name.label("b"), value_chain.c.name.label("v"))
                .join(enterprise, enterprise.c.id == job.c.enterprise_id)
                .join(branch, branch.c.id == enterprise.c.branch_id)
                .outerjoin(value_chain, value_chain.c.id == enterprise.c.value_chain_id)
                .where(job.c.id.in_(dashboard_jobs(scope)))
            )
        }
        events = [e for e in job_events(conn, scope.programme_id) if e.job_id in names]
    counted = set(count_jobs(events, start, end).event_ids)
    created = [e for e in events if e.id in counted and e.kind is JobEventKind.CREATED]
    months = Counter((e.on.year, e.on.month) for e in created)
    return (
        tuple(Bar(f"{y}-{m:02d}", months[(y, m)]) for y, m in chart_months(start, end)),
        tuple(Bar(k, v) for k, v in sorted(Counter(names[e.job_id][0] for e in created).items())),
        tuple(Bar(k, v) for k, v in sorted(Counter(names[e.job_id][1] for e in created).items())),
    )


def assert_same_board(db: Database, scope: Scope, start: date | None, end: date) -> None:
    full = dashboard(db, scope, start, end)
    figures = dashboard(db, scope, start, end, figures_only=True)
    assert [m.code for m in figures.report.metrics] == [m.code for m in full.report.metrics]
    for f, m in zip(figures.report.metrics, full.report.metrics, strict=True):
        assert (f.code, f.value, f.unit, f.definition) == (m.code, m.value, m.unit, m.definition)
        if f.code not in NOT_COUNTED:
            assert (f.sources, f.row_count) == ((), len(m.sources)), f.code
    charts = charts_by_rows(db, scope, full.report.start, full.report.end)
    assert (figures.by_month, figures.by_branch, figures.by_value_chain) == charts
    assert (full.by_month, full.by_branch, full.by_value_chain) == charts
    assert sum(b.value for b in figures.by_branch) == figures.report.metric("jobs_created").value


def test_a_book_with_jobs_training_visits_and_costs_gives_the_same_figures(db: Database) -> None:
    pid = rich(db)
    full = impact_report(db, pid, None, date(2026, 6, 30))
    for code in (
        "jobs_created",
        "jobs_grown",
        "jobs_lost",
        "training_completion",
        "household_score_change",
        "programme_costs",
        "family_members_benefiting",
    ):
        assert full.metric(code).value, code  # the book exercises every figure
    for start, end in PERIODS:
        assert_same(db, pid, start, end)
    with db.transaction() as conn:  # the other completion rule, another pass mark
        conn.execute(
            update(programme)
            .where(programme.c.id == pid)
            .values(settings={"training": {"basis": "hours", "min_percent": "60"}})
        )
    for start, end in PERIODS[:2]:
        assert_same(db, pid, start, end)


def test_the_dashboard_scopes_and_charts_from_aggregates(db: Database) -> None:
    pid = rich(db)
    with db.read() as conn:
        branches = list(conn.execute(select(branch.c.id).order_by(branch.c.id)).scalars())
        chains = list(conn.execute(select(value_chain.c.id).order_by(value_chain.c.id)).scalars())
    scopes = [
        Scope(pid),
        Scope(pid, frozenset(branches[:1])),
        Scope(pid, frozenset(branches[1:])),
        Scope(pid, value_chain_ids=frozenset(chains[:1])),
        Scope(pid, frozenset(branches[1:]), frozenset(chains[1:])),
    ]
    for scope in scopes:
        for start, end in PERIODS[:3]:
            assert_same_board(db, scope, start, end)


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.integers(0, 200), st.integers(0, 200))
def test_any_period_of_the_book_gives_the_same_figures(db: Database, a: int, b: int) -> None:
    with db.read() as conn:
        pid = conn.execute(select(programme.c.id).where(programme.c.code == "KE-TEST")).scalar()
    if pid is None:
        pid = rich(db, seed=11)
    with db.read() as conn:
        tea = conn.execute(select(value_chain.c.id).where(value_chain.c.code == "tea")).scalar_one()
    start = date(2025, 12, 1) + timedelta(days=min(a, b))
    end = date(2025, 12, 1) + timedelta(days=max(a, b))
    assert_same(db, pid, start, end)
    assert_same_board(db, Scope(pid, value_chain_ids=frozenset({tea})), start, end)
