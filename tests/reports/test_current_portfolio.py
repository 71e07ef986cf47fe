"""What the arrears page and the dashboard show: the last close-day's stored figures
whatever day it is (fast at any size), the live computation only when asked or before any
close-day; each equal to the per-instalment reference of ``test_portfolio_figures`` as of
the day it says, on both databases. And the arrears page's paging."""

from __future__ import annotations

from datetime import date

from kuza.adapters.db.engine import Database
from kuza.reports.arrears import (
    arrears_list,
    arrears_overview,
    current_portfolio,
    last_close_day,
)
from kuza.reports.impact import impact_report
from kuza.services.loans.close_day import close_day
from kuza.services.loans.repayments import repay
from tests.loan_world import TODAY, disbursed_loan, make_loan_world
from tests.reports.test_portfolio_figures import Figures, reference, same

CLOSED = date(2026, 5, 11)
NOW = date(2026, 6, 20)


def shown(db: Database, pid: int, live: bool = False) -> tuple[Figures, date | None]:
    got = current_portfolio(db, pid, "KES", NOW, live=live)
    figures = (got.loans, got.gross.amount * 100, got.par, got.on_time_rate, got.cumulative_rate)
    return figures, got.rates_from_close_day


def test_pages_show_the_last_close_day_and_compute_live_only_when_asked(db: Database) -> None:
    lw = make_loan_world(db)
    late = disbursed_loan(db, lw, "1000", external=True, member_id=lw.m(1))
    repay(db, late, "260", date(2026, 3, 1), "b1", "agent", TODAY)
    slow = disbursed_loan(db, lw, "1000", external=True, member_id=lw.m(2))
    repay(db, slow, "300", date(2026, 4, 20), "c1", "agent", TODAY)

    # before any close-day: computed from the book as of today
    assert last_close_day(db, lw.pid) is None
    got, source = shown(db, lw.pid)
    assert source is None
    same(got, reference(db, lw.pid, NOW))

    close_day(db, CLOSED, "system")
    at_close = reference(db, lw.pid, CLOSED)
    # a repayment booked after the close-day (dated before it): the page keeps the
    # close-day's figures, labelled with its date
    repay(db, late, "520", date(2026, 5, 1), "b2", "agent", TODAY)
    assert reference(db, lw.pid, CLOSED)[3] != at_close[3]  # the book moved
    assert last_close_day(db, lw.pid) == CLOSED
    got, source = shown(db, lw.pid)
    assert source == CLOSED
    same(got, at_close)
    assert got[3] != reference(db, lw.pid, NOW)[3]

    # asked for live: the rates from the book as of today (PAR stays the close-day's)
    got, source = shown(db, lw.pid, live=True)
    assert source is None
    now = reference(db, lw.pid, NOW)
    same(got, now)

    # the dashboard: a period reaching the close-day shows its figures, an earlier one is
    # computed from the book as of its end
    rate = impact_report(db, lw.pid, date(2026, 1, 1), NOW).metric("repayment_rate")
    assert rate.value == (at_close[3] * 100).quantize(rate.value)  # type: ignore[operator,arg-type]
    assert str(CLOSED) in rate.definition
    april = date(2026, 4, 30)
    rate = impact_report(db, lw.pid, date(2026, 1, 1), april).metric("repayment_rate")
    want = reference(db, lw.pid, april)[3]
    assert want is not None and rate.value == (want * 100).quantize(rate.value)  # type: ignore[arg-type]
    assert "computed from the book" in rate.definition


def test_the_arrears_overview_pages_and_counts_the_late_loans(db: Database) -> None:
    lw = make_loan_world(db)
    for n in range(5):
        disbursed_loan(db, lw, "500", external=True, member_id=lw.m(n % 3))
    close_day(db, CLOSED, "system")
    everything = arrears_list(db, lw.pid)
    assert len(everything) == 5
    first = arrears_overview(db, lw.pid, None, NOW, limit=2)
    last = arrears_overview(db, lw.pid, None, NOW, offset=4, limit=2)
    assert first.late == last.late == 5
    assert first.rows == everything[:2] and last.rows == everything[4:]
    assert first.portfolios[0].portfolio.rates_from_close_day == CLOSED
    live = arrears_overview(db, lw.pid, None, NOW, live=True).portfolios[0].portfolio
    assert live.rates_from_close_day is None
