"""The portfolio report's figures from set-based SQL (live, or summed from what close-day
stored in ``loan_performance``) against the per-instalment computation it replaced, kept
here as the reference: on both databases, on many dates, before any close-day, after it,
and around a repayment reversal."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    journal_entry,
    loan,
    loan_arrears,
    loan_instalment,
    loan_transaction,
)
from kuza.domain.loans.arrears import (
    LoanAtRisk,
    Received,
    Scheduled,
    cumulative_repayment_rate,
    on_time_repayment_rate,
    par_buckets,
)
from kuza.domain.loans.lifecycle import LoanStatus
from kuza.reports.arrears import arrears_count, arrears_list, portfolio
from kuza.services.loans.close_day import close_day
from kuza.services.loans.repayments import repay
from kuza.services.loans.reversals import reverse_repayment
from kuza.services.loans.writeoff import write_off
from tests.loan_world import TODAY, disbursed_loan, make_loan_world

Figures = tuple[int, Decimal, dict[str, Decimal], Decimal | None, Decimal | None]


def reference(db: Database, programme_id: int, as_of: date) -> Figures:
    """The report as it was: every instalment and repayment read and matched in Python
    with the domain functions (one rate per loan, weighted by the amount fallen due)."""
    a = loan_arrears.c
    with db.read() as conn:
        at_risk = conn.execute(
            select(a.outstanding_principal_minor, a.days_past_due, loan.c.status)
            .join(loan, loan.c.id == a.loan_id)
            .where(a.programme_id == programme_id)
        ).all()
        counted = [LoanStatus.DISBURSED, LoanStatus.RESCHEDULED, LoanStatus.CLOSED]
        i = loan_instalment.c
        dues = conn.execute(
            select(i.loan_id, i.due_on, i.principal_minor + i.interest_minor + i.fee_minor)
            .join(loan, loan.c.id == i.loan_id)
            .where(loan.c.programme_id == programme_id, loan.c.status.in_(counted))
        ).all()
        t = loan_transaction.c
        reversed_entries = select(journal_entry.c.reverses_id).where(
            journal_entry.c.reverses_id.is_not(None)
        )
        paid = conn.execute(
            select(t.loan_id, t.on_date, t.amount_minor - t.overpaid_minor - t.penalty_minor)
            .join(loan, loan.c.id == t.loan_id)
            .where(
                loan.c.programme_id == programme_id,
                loan.c.status.in_(counted),
                t.kind == "repayment",
                t.entry_id.not_in(reversed_entries),
            )
        ).all()
    loans = [
        LoanAtRisk(
            Decimal(r.outstanding_principal_minor),
            int(r.days_past_due),
            r.status == LoanStatus.RESCHEDULED.value,
        )
        for r in at_risk
    ]
    scheduled: dict[int, list[Scheduled]] = defaultdict(list)
    for loan_id, due_on, amount in dues:
        scheduled[loan_id].append(Scheduled(due_on, Decimal(amount)))
    received: dict[int, list[Received]] = defaultdict(list)
    for loan_id, on, amount in paid:
        received[loan_id].append(Received(on, Decimal(amount)))
    fallen = on_time = cumulative = Decimal(0)
    for loan_id, its_dues in scheduled.items():
        weight = sum((d.amount for d in its_dues if d.due_on <= as_of), Decimal(0))
        rate = on_time_repayment_rate(its_dues, received[loan_id], as_of)
        if rate is None:
            continue
        fallen += weight
        on_time += rate * weight
        cumulative += (cumulative_repayment_rate(its_dues, received[loan_id], as_of) or 0) * weight
    gross = sum((x.outstanding_principal for x in loans), Decimal(0))
    return (
        len(loans),
        gross,
        par_buckets(loans),
        on_time / fallen if fallen else None,
        cumulative / fallen if fallen else None,
    )


def figures(db: Database, programme_id: int, as_of: date) -> tuple[Figures, date | None]:
    got = portfolio(db, programme_id, "KES", as_of)
    return (
        got.loans,
        got.gross.amount * 100,
        got.par,
        got.on_time_rate,
        got.cumulative_rate,
    ), got.rates_from_close_day


def same(got: Figures, want: Figures) -> None:
    """Counts, balances and PAR exactly; the rates to 1e-24: the reference rounds each
    loan's rate to 28 digits before weighting it back, the report divides the exact sums
    once."""
    assert got[:3] == want[:3]
    for mine, theirs in zip(got[3:], want[3:], strict=True):
        assert (mine is None) == (theirs is None)
        if mine is not None and theirs is not None:
            assert abs(mine - theirs) < Decimal("1e-24"), (mine, theirs)


DATES = [date(2026, 2, 1), date(2026, 2, 20), date(2026, 3, 1), date(2026, 3, 2)]
DATES += [date(2026, 4, 1), date(2026, 4, 25), date(2026, 5, 11), date(2026, 7, 1)]


def test_portfolio_is_the_per_instalment_computation(db: Database) -> None:
    lw = make_loan_world(db)
    pid = lw.pid
    closed = disbursed_loan(db, lw, "1000")  # on time, then repaid in full: closed
    for month, ref in ((3, "a1"), (4, "a2"), (5, "a3"), (6, "a4")):
        repay(db, closed, "260", date(2026, month, 1), ref, "agent", TODAY)
    late = disbursed_loan(db, lw, "1000", external=True, member_id=lw.m(1))
    repay(db, late, "260", date(2026, 3, 1), "b1", "agent", TODAY)
    repay(db, late, "300", date(2026, 4, 20), "b2", "agent", TODAY)  # late and short
    ahead = disbursed_loan(db, lw, "500", external=True, member_id=lw.m(2))
    repay(db, ahead, "400", date(2026, 2, 10), "c1", "agent", TODAY)  # prepaid, then nothing
    bounced = disbursed_loan(db, lw, "1000", external=True, member_id=lw.m(0))
    repay(db, bounced, "260", date(2026, 3, 1), "d1", "agent", TODAY)
    repay(db, bounced, "260", date(2026, 4, 1), "d2", "agent", TODAY)
    gone = disbursed_loan(db, lw, "300", external=True, member_id=lw.m(1))
    repay(db, gone, "100", date(2026, 3, 5), "e1", "agent", TODAY)
    write_off(db, gone, date(2026, 4, 10), "moved away", "boss", "branch_manager", TODAY)

    # no close-day yet: PAR is empty, the rates are computed from the book
    for day in DATES:
        got, source = figures(db, pid, day)
        assert source is None
        same(got, reference(db, pid, day))
    assert figures(db, pid, date(2026, 5, 11))[0][3] is not None

    close_day(db, date(2026, 5, 11), "system")
    got, source = figures(db, pid, date(2026, 5, 11))
    assert source == date(2026, 5, 11)  # summed from what close-day stored
    before = reference(db, pid, date(2026, 5, 11))
    same(got, before)
    assert got[2]["PAR1"] > 0
    for day in DATES:  # other dates: from the book, same figures
        same(figures(db, pid, day)[0], reference(db, pid, day))

    # a reversal after the close-day: its date keeps the book as close-day left it (like
    # PAR) until the next close-day; every other date sees the reversal at once
    reverse_repayment(db, bounced, "d2", date(2026, 5, 11), "cheque bounced", "manager", TODAY)
    assert reference(db, pid, date(2026, 5, 11))[3] != before[3]
    same(figures(db, pid, date(2026, 5, 11))[0], before)
    for day in DATES:
        if day != date(2026, 5, 11):
            same(figures(db, pid, day)[0], reference(db, pid, day))
    close_day(db, date(2026, 5, 11), "system")
    got, source = figures(db, pid, date(2026, 5, 11))
    assert source == date(2026, 5, 11)
    same(got, reference(db, pid, date(2026, 5, 11)))
    assert got[3] != before[3]
    close_day(db, date(2026, 7, 1), "system")
    same(figures(db, pid, date(2026, 7, 1))[0], reference(db, pid, date(2026, 7, 1)))


def test_hand_worked_rates(db: Database) -> None:
    """One loan of 1000, four instalments of 260 due 1 Mar - 1 Jun; 260 paid on 1 Mar, 300
    on 20 Apr. On 1 May 780 has fallen due: on time 260 (1 Mar), nothing on 1 Apr (paid
    260 by then, all taken by March), nothing on 1 May (the 300 came after 1 Apr but
    before 1 May: 560 - 520 = 40 on time for May). Repaid in all 560."""
    lw = make_loan_world(db)
    late = disbursed_loan(db, lw, "1000", external=True, member_id=lw.m(1))
    repay(db, late, "260", date(2026, 3, 1), "b1", "agent", TODAY)
    repay(db, late, "300", date(2026, 4, 20), "b2", "agent", TODAY)
    got = portfolio(db, lw.pid, "KES", date(2026, 5, 1))
    assert got.on_time_rate == Decimal(300) / Decimal(780)  # 260 + 0 + 40
    assert got.cumulative_rate == Decimal(560) / Decimal(780)
    close_day(db, date(2026, 5, 1), "system")
    stored = portfolio(db, lw.pid, "KES", date(2026, 5, 1))
    assert (stored.on_time_rate, stored.cumulative_rate, stored.rates_from_close_day) == (
        got.on_time_rate,
        got.cumulative_rate,
        date(2026, 5, 1),
    )


def test_arrears_list_pages(db: Database) -> None:
    lw = make_loan_world(db)
    disbursed_loan(db, lw, "500")
    for n in range(3):
        disbursed_loan(db, lw, "500", external=True, member_id=lw.m(n))
    close_day(db, date(2026, 5, 11), "system")
    everything = arrears_list(db, lw.pid)
    assert len(everything) == 4 == arrears_count(db, lw.pid)
    pages = [arrears_list(db, lw.pid, limit=3, offset=k) for k in (0, 3)]
    assert [len(p) for p in pages] == [3, 1]
    assert pages[0] + pages[1] == everything
    assert arrears_list(db, lw.pid, limit=2, offset=10) == []
