"""Arrears and portfolio quality: days past due, portfolio at risk, repayment rates.

Payments are applied to instalments oldest first (the allocation rule), by total amount,
so "how late" is always the age of the oldest instalment not yet fully covered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from kuza.domain.errors import InvalidAmount


@dataclass(frozen=True)
class Scheduled:
    """An instalment's total amount and due date."""

    due_on: date
    amount: Decimal


@dataclass(frozen=True)
class Received:
    on: date
    amount: Decimal


def _paid_by(payments: Sequence[Received], day: date) -> Decimal:
    return sum((p.amount for p in payments if p.on <= day), Decimal(0))


def _ordered(dues: Sequence[Scheduled]) -> list[Scheduled]:
    if any(d.amount < 0 for d in dues):
        raise InvalidAmount("an instalment cannot be negative", field="dues")
    return sorted(dues, key=lambda d: d.due_on)


def days_past_due(dues: Sequence[Scheduled], payments: Sequence[Received], as_of: date) -> int:
    """Days since the due date of the oldest instalment not fully covered by payments
    made up to ``as_of``; 0 when nothing that has fallen due is unpaid."""
    pool = _paid_by(payments, as_of)
    covered = Decimal(0)
    for due in _ordered(dues):
        covered += due.amount
        if covered > pool:
            return max((as_of - due.due_on).days, 0)
    return 0


def repaid_on_time(
    dues: Sequence[Scheduled],
    payments: Sequence[Received],
    as_of: date,
    since: date | None = None,
) -> tuple[Decimal, Decimal]:
    """(amount repaid on time, amount fallen due) over the instalments due up to ``as_of``
    — and, with ``since``, not before it (a grading window). Each instalment's on-time
    part is what payments made on or before its due date cover, after the earlier
    instalments (inside the window or not) took their share."""
    on_time = Decimal(0)
    total_due = Decimal(0)
    before = Decimal(0)
    for due in (d for d in _ordered(dues) if d.due_on <= as_of):
        available = _paid_by(payments, due.due_on) - before
        if since is None or due.due_on >= since:
            on_time += min(due.amount, max(available, Decimal(0)))
            total_due += due.amount
        before += due.amount
    return on_time, total_due


def on_time_repayment_rate(
    dues: Sequence[Scheduled], payments: Sequence[Received], as_of: date
) -> Decimal | None:
    """On-time repayment rate = amount repaid on time ÷ amount fallen due (up to ``as_of``),
    as :func:`repaid_on_time` counts them. ``None`` when nothing has fallen due."""
    on_time, total_due = repaid_on_time(dues, payments, as_of)
    if total_due == 0:
        return None
    return on_time / total_due


def cumulative_repayment_rate(
    dues: Sequence[Scheduled], payments: Sequence[Received], as_of: date
) -> Decimal | None:
    """Cumulative repayment rate = (amount received − prepayments) ÷ amount fallen due,
    all up to ``as_of``. Prepayments (paid ahead of instalments not yet due) are left out
    so the rate cannot pass 100%; late payments count, which is how it differs from the
    on-time rate. ``None`` when nothing has fallen due."""
    total_due = sum((d.amount for d in dues if d.due_on <= as_of), Decimal(0))
    if total_due == 0:
        return None
    return min(_paid_by(payments, as_of), total_due) / total_due


@dataclass(frozen=True)
class LoanAtRisk:
    outstanding_principal: Decimal
    days_past_due: int
    renegotiated: bool = False  # rescheduled or refinanced: at risk whatever its days


def portfolio_at_risk(loans: Sequence[LoanAtRisk], more_than_days: int) -> Decimal:
    """PAR (SEEP Microfinance Financial Reporting Standards): the outstanding principal of
    every loan with an instalment more than ``more_than_days`` days late, plus every
    renegotiated loan, ÷ the gross loan portfolio (all outstanding principal). Balance-
    weighted, not a count of loans; the whole balance is at risk, not just the late part.
    A fraction (0.05 = 5%); 0 for an empty portfolio."""
    gross = sum((loan.outstanding_principal for loan in loans), Decimal(0))
    if gross == 0:
        return Decimal(0)
    at_risk = sum(
        (
            loan.outstanding_principal
            for loan in loans
            if loan.days_past_due > more_than_days or loan.renegotiated
        ),
        Decimal(0),
    )
    return at_risk / gross


def par_buckets(loans: Sequence[LoanAtRisk]) -> dict[str, Decimal]:
    """PAR1 (any day late, i.e. more than 0), PAR30 (more than 30) and PAR90 (more than 90)."""
    return {
        "PAR1": portfolio_at_risk(loans, 0),
        "PAR30": portfolio_at_risk(loans, 30),
        "PAR90": portfolio_at_risk(loans, 90),
    }
