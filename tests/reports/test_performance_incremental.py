"""Close-day recomputes the stored per-loan repayment figures (``loan_performance``) only
for the loans whose figures can change, and keeps the other rows; it updates the arrears
rows (``loan_arrears``) in place, only those whose figures changed: after any sequence of
close-days with repayments (back-dated too), reversals, write-offs, reschedules, closures,
moved meetings and new disbursements in between, every stored row equals a full
recompute as of the close-day's date (both tables), and the report's rates equal the per-instalment
reference of tests/reports/test_portfolio_figures.py."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.repayment_figures import COUNTED_STATUSES, per_loan_figures
from kuza.adapters.db.schema import (
    loan,
    loan_arrears,
    loan_performance,
    loan_performance_on,
    metadata,
)
from kuza.domain.errors import DomainError
from kuza.reports.arrears import arrears_list
from kuza.services import groups
from kuza.services.loans import products
from kuza.services.loans.close_day import _arrears_figures, close_day
from kuza.services.loans.repayments import repay
from kuza.services.loans.reversals import reverse_repayment
from kuza.services.loans.writeoff import reschedule, write_off
from tests.loan_world import TODAY, LoanWorld, disbursed_loan, make_loan_world
from tests.reports.test_portfolio_figures import figures, reference, same
from tests.services.test_loan_meeting_dates import AT_MEETINGS


def stored(db: Database) -> dict[int, tuple[Any, ...]]:
    p = loan_performance.c
    with db.read() as conn:
        rows = conn.execute(
            select(p.loan_id, p.fallen_due_minor, p.paid_on_time_minor, p.repaid_minor)
        ).all()
    return {r.loan_id: tuple(r[1:]) for r in rows}


def recomputed(db: Database, day: date) -> dict[int, tuple[Any, ...]]:
    with db.read() as conn:
        rows = conn.execute(per_loan_figures(day, loan.c.status.in_(COUNTED_STATUSES))).all()
    return {r.loan_id: (r.fallen_due, r.paid_on_time, r.repaid) for r in rows}


def arrears_stored(db: Database) -> dict[int, tuple[Any, ...]]:
    with db.read() as conn:
        rows = conn.execute(select(loan_arrears)).all()
    return {r.loan_id: tuple(r[3:]) for r in rows}


def arrears_recomputed(db: Database, day: date) -> dict[int, tuple[Any, ...]]:
    with db.read() as conn:
        rows = conn.execute(_arrears_figures(conn, day)).all()
    return {r.loan_id: tuple(r[2:]) for r in rows}


def check(db: Database, lw: LoanWorld, day: date) -> None:
    """Close ``day`` and compare what is stored with everything recomputed."""
    close_day(db, day, "system")
    assert stored(db) == recomputed(db, day)
    assert arrears_stored(db) == arrears_recomputed(db, day)
    assert {r.as_of for r in arrears_list(db, lw.pid)} <= {day}  # the page's date
    with db.read() as conn:
        assert conn.execute(select(loan_performance_on.c.as_of)).scalars().all() == [day]
    got, source = figures(db, lw.pid, day)
    assert source == (day if stored(db) else None)  # nothing stored: computed live
    same(got, reference(db, lw.pid, day))


def test_each_kind_of_change_between_close_days(db: Database) -> None:
    lw = make_loan_world(db)
    a = disbursed_loan(db, lw, "1000")  # instalments of 260 due on the 1st, Mar-Jun
    b = disbursed_loan(db, lw, "1000", external=True, member_id=lw.m(1))
    c = disbursed_loan(db, lw, "500", external=True, member_id=lw.m(2))
    repay(db, a, "260", date(2026, 3, 1), "a1", "agent", TODAY)
    repay(db, b, "260", date(2026, 3, 1), "b1", "agent", TODAY)
    check(db, lw, date(2026, 3, 10))
    first = stored(db)
    # nothing happened and nothing fell due: the rows are kept as computed on 10 March
    check(db, lw, date(2026, 3, 20))
    assert stored(db) == first
    with db.read() as conn:
        kept = conn.execute(select(loan_performance.c.as_of).distinct()).scalars().all()
    assert kept == [date(2026, 3, 10)]
    with db.read() as conn:  # a's arrears row is unchanged (paid up), c's moved (late)
        dates = dict(conn.execute(select(loan_arrears.c.loan_id, loan_arrears.c.as_of)).all())
    assert dates[a] == date(2026, 3, 10) and dates[c] == date(2026, 3, 20)
    # an instalment falls due (1 Apr) with nothing else booked
    check(db, lw, date(2026, 4, 2))
    # a repayment dated before the last close-day (back-dated), booked after it
    repay(db, b, "100", date(2026, 3, 25), "b2", "agent", TODAY)
    check(db, lw, date(2026, 4, 3))
    # a repayment booked earlier but dated after the last close-day
    repay(db, c, "130", date(2026, 4, 20), "c1", "agent", TODAY)
    check(db, lw, date(2026, 4, 10))
    check(db, lw, date(2026, 4, 21))
    # a reversal of a repayment counted by the last close-day
    reverse_repayment(db, b, "b2", date(2026, 4, 22), "cheque bounced", "manager", TODAY)
    check(db, lw, date(2026, 4, 22))
    # the same date again after a repayment: recomputed, not kept
    repay(db, a, "260", date(2026, 4, 22), "a2", "agent", TODAY)
    check(db, lw, date(2026, 4, 22))
    # a write-off (no longer counted), a reschedule, a closure, a new loan
    write_off(db, c, date(2026, 4, 23), "moved away", "boss", "branch_manager", TODAY)
    reschedule(db, b, date(2026, 4, 23), {"instalments": 6}, "harvest failed", "boss", TODAY)
    for month, ref in ((5, "a3"), (6, "a4")):
        repay(db, a, "260", date(2026, month, 1), ref, "agent", TODAY)
    d = disbursed_loan(db, lw, "400", member_id=lw.m(1))
    repay(db, d, "50", date(2026, 2, 15), "d1", "agent", TODAY)
    check(db, lw, date(2026, 6, 2))
    assert c not in stored(db) and d in stored(db)
    # a date before the last close-day: everything recomputed as of it
    check(db, lw, date(2026, 5, 2))
    check(db, lw, date(2026, 8, 1))


def test_a_moved_meeting_moves_the_figures_of_loans_repaid_at_meetings(db: Database) -> None:
    """Moving a meeting moves the instalment due that day without any transaction: the
    loan's stored row is marked stale, so the next close-day recomputes it."""
    lw = make_loan_world(db)
    at_meetings = products.create_product(
        db, lw.pid, {"name": "At meetings", "kind": "internal", "terms": AT_MEETINGS}, "manager"
    )
    weekly = disbursed_loan(db, lw, "400", product_id=at_meetings)  # due Mondays 2-23 Feb
    repay(db, weekly, "101", date(2026, 2, 2), "w1", "agent", TODAY)
    check(db, lw, date(2026, 2, 24))
    before = stored(db)[weekly]
    groups.move_meeting(db, lw.gid, date(2026, 2, 23), date(2026, 2, 25), "public holiday")
    check(db, lw, date(2026, 2, 24))  # the same date: nothing dated or booked in between
    assert stored(db)[weekly][0] < before[0]  # the last instalment is not due yet


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["repay", "reverse", "close", "write_off", "new"]),
            st.integers(0, 2),  # which loan
            st.integers(-40, 40),  # days from the last close-day
            st.integers(1, 400),  # amount
        ),
        min_size=3,
        max_size=14,
    )
)
def test_any_sequence_stores_what_a_full_recompute_gives(db: Database, steps: Any) -> None:
    with db.transaction() as conn:  # each example from an empty database
        for table in reversed(metadata.sorted_tables):
            conn.execute(delete(table))
    lw = make_loan_world(db)
    loans = [disbursed_loan(db, lw, "1000", external=True, member_id=lw.m(n)) for n in (0, 1)]
    paid: dict[int, list[str]] = {}
    last = date(2026, 3, 5)
    for n, (op, which, days, amount) in enumerate(steps):
        loan_id = loans[which % len(loans)]
        on = max(date(2026, 2, 2), last + timedelta(days=days))
        try:
            if op == "repay":
                ref = f"r{n}"
                repay(db, loan_id, str(amount), on, ref, "agent", TODAY)
                paid.setdefault(loan_id, []).append(ref)
            elif op == "reverse" and paid.get(loan_id):
                ref = paid[loan_id].pop()
                reverse_repayment(db, loan_id, ref, max(on, last), "bounced", "manager", TODAY)
            elif op == "write_off":
                write_off(db, loan_id, max(on, last), "gone", "boss", "branch_manager", TODAY)
            elif op == "new" and len(loans) < 3:
                loans.append(disbursed_loan(db, lw, "800", external=True, member_id=lw.m(2)))
        except DomainError:
            pass  # refused: changes nothing
        if op == "close":
            last = max(date(2026, 2, 2), last + timedelta(days=days))
            check(db, lw, last)
    check(db, lw, last + timedelta(days=31))
