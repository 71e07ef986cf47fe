"""The arrears page's figures from close-day's ``portfolio_summary`` rows equal the
figures aggregated from one row per loan (``portfolio`` over ``loan_arrears`` and
``loan_performance``): for each programme, each branch and the late-loan count; after a
loan is rescheduled and a repayment booked since the close-day (both databases)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    branch,
    loan,
    loan_arrears,
    portfolio_summary,
    programme,
    savings_group,
)
from kuza.reports.arrears import (
    arrears_count,
    arrears_overview,
    current_portfolio,
    last_close_day,
    portfolio,
    summary_late,
    summary_portfolio,
)
from kuza.services.loans.close_day import close_day
from kuza.services.loans.repayments import repay
from kuza.services.loans.writeoff import reschedule
from kuza.services.synth import SynthSpec, synthesise

# four groups per branch: three branches per programme
SPECS = [
    SynthSpec(groups=12, months=6, seed=s, loans=True, meetings=False, groups_per_agent=2,
              agents_per_branch=2)
    for s in (4, 5)
]  # fmt: skip


def load(db: Database) -> list[int]:
    return [synthesise(db, spec).programme_id for spec in SPECS]


def groups_of(db: Database, pid: int, branch_id: int | None = None) -> list[int]:
    g = savings_group.c
    query = select(g.id).where(g.programme_id == pid)
    if branch_id is not None:
        query = query.where(g.branch_id == branch_id)
    with db.read() as conn:
        return list(conn.execute(query.order_by(g.id)).scalars())


def branches_of(db: Database, pid: int) -> list[int]:
    with db.read() as conn:
        query = select(branch.c.id).where(branch.c.programme_id == pid).order_by(branch.c.id)
        return list(conn.execute(query).scalars())


def assert_summary_is_the_aggregate(db: Database, pid: int) -> None:
    closed = last_close_day(db, pid)
    assert closed is not None
    whole = summary_portfolio(db, pid, "KES")
    assert whole is not None
    assert whole == portfolio(db, pid, "KES", closed)
    assert summary_late(db, pid) == arrears_count(db, pid)
    for bid in branches_of(db, pid):
        only = groups_of(db, pid, bid)
        assert summary_portfolio(db, pid, "KES", bid) == portfolio(db, pid, "KES", closed, only)
        assert summary_late(db, pid, bid) == arrears_count(db, pid, only)
    day = closed + timedelta(days=3)
    for bid in [None, *branches_of(db, pid)]:
        only = groups_of(db, pid, bid)
        by_rows = arrears_overview(db, pid, only, day, limit=7, offset=3)
        by_summary = arrears_overview(db, pid, None, day, limit=7, offset=3, branch_id=bid)
        assert by_summary == by_rows


def test_the_summary_gives_the_figures_of_every_loan(db: Database) -> None:
    pids = load(db)
    for pid in pids:  # before any close-day: no summary, the page aggregates
        assert summary_portfolio(db, pid, "KES") is None
        assert summary_late(db, pid) is None
    day = SPECS[0].end
    close_day(db, day, "test")
    with db.read() as conn:
        rows = conn.execute(select(portfolio_summary)).all()
        programmes = set(conn.execute(select(programme.c.id)).scalars())
    assert {r.programme_id for r in rows} == programmes
    assert len(rows) == 6  # three branches in each
    for pid in pids:
        whole = summary_portfolio(db, pid, "KES")
        assert whole is not None and whole.rates_from_close_day == day
        assert whole.par["PAR1"] > 0 and whole.on_time_rate is not None  # something late
        assert summary_late(db, pid)
        assert_summary_is_the_aggregate(db, pid)


def test_a_loan_rescheduled_and_a_repayment_since_close_day(db: Database) -> None:
    pids = load(db)
    day = SPECS[0].end
    close_day(db, day, "test")
    a = loan_arrears.c
    with db.read() as conn:
        # a loan not yet over 90 days late, with principal left: rescheduling it moves
        # it into PAR90 (as the per-loan query counts it from its status) at once
        late = conn.execute(
            select(a.loan_id)
            .join(loan, loan.c.id == a.loan_id)
            .where(
                a.programme_id == pids[0],
                a.days_past_due > 0,
                a.days_past_due <= 30,
                a.outstanding_principal_minor > 0,
            )
            .order_by(a.loan_id)
            .limit(2)
        ).scalars()
        first, second = list(late)
    today = day + timedelta(days=2)
    before = summary_portfolio(db, pids[0], "KES")
    reschedule(db, first, today, {"instalments": 6}, "harvest failed", "boss", today)
    repay(db, second, "50", today, "s-1", "agent", today)
    after = summary_portfolio(db, pids[0], "KES")
    assert before is not None and after is not None
    assert after.par["PAR90"] > before.par["PAR90"]  # moved, though close-day has not run
    assert after.on_time_rate == before.on_time_rate  # the rates: as of the close-day
    for pid in pids:
        assert_summary_is_the_aggregate(db, pid)
    close_day(db, today, "test")
    for pid in pids:
        assert_summary_is_the_aggregate(db, pid)
    assert current_portfolio(db, pids[0], "KES", today) == summary_portfolio(db, pids[0], "KES")


def test_a_re_run_of_an_earlier_date_rewrites_the_summary(db: Database) -> None:
    pids = load(db)
    end = SPECS[0].end
    close_day(db, end, "test")
    close_day(db, end - timedelta(days=40), "test")
    with db.read() as conn:
        dates = set(conn.execute(select(portfolio_summary.c.as_of)).scalars())
    assert dates == {end - timedelta(days=40)}
    for pid in pids:
        assert_summary_is_the_aggregate(db, pid)
    assert last_close_day(db, pids[0]) == date(end.year, end.month, end.day) - timedelta(days=40)
