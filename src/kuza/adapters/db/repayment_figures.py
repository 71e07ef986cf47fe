"""Per-loan repayment figures as of a date, in one set-based query (no per-instalment
Python): the amount fallen due, the part of it repaid on time and the amount repaid in
all (prepayments left out). Shared by close-day, which stores them in
``loan_performance``, and the portfolio report, which sums them.

The figures are those of ``kuza.domain.loans.arrears`` (``repaid_on_time`` and
``cumulative_repayment_rate``) over the instalments' principal + interest + fees and the
repayments net of over-payment and penalty, reversed repayments left out:

- the instalments due up to the date and the repayments made up to it form one stream
  per loan, ordered by day with a day's repayments before that day's instalments
  (a repayment made on the due date is on time);
- a running sum of repayments gives, at each instalment, what was paid by its due date;
  a running sum of instalments gives what the earlier ones took first; the on-time part
  is ``min(amount, max(paid by due date - earlier instalments, 0))``. Instalments due the
  same day share one pool, so their order among themselves does not change the sum;
- repaid in all = ``min(paid by the date, fallen due)``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, Select, case, func, literal, select, union_all

from kuza.adapters.db.schema import journal_entry, loan, loan_instalment, loan_transaction

# Loans whose repayment counts: active, rescheduled and repaid ones (not written off).
COUNTED_STATUSES = ("disbursed", "rescheduled", "closed")


def per_loan_figures(as_of: date, *where: Any) -> Select[Any]:
    """One row per loan with something due or repaid up to ``as_of``: ``loan_id``,
    ``programme_id``, ``fallen_due``, ``paid_on_time``, ``repaid`` (minor units), over
    the loans ``where`` selects (conditions on ``loan``)."""
    i, t = loan_instalment.c, loan_transaction.c
    day = literal(as_of, Date)
    reversed_entries = select(journal_entry.c.reverses_id).where(
        journal_entry.c.reverses_id.is_not(None)
    )
    dues = (
        select(
            i.loan_id,
            loan.c.programme_id,
            i.due_on.label("day"),
            literal(1).label("kind"),
            i.id.label("seq"),
            (i.principal_minor + i.interest_minor + i.fee_minor).label("amount"),
        )
        .join(loan, loan.c.id == i.loan_id)
        .where(*where, i.due_on <= day)
    )
    paid = (
        select(
            t.loan_id,
            loan.c.programme_id,
            t.on_date.label("day"),
            literal(0).label("kind"),
            t.id.label("seq"),
            (t.amount_minor - t.overpaid_minor - t.penalty_minor).label("amount"),
        )
        .join(loan, loan.c.id == t.loan_id)
        .where(
            *where,
            t.kind == "repayment",
            t.entry_id.not_in(reversed_entries),
            t.on_date <= day,
        )
    )
    e = union_all(dues, paid).subquery("events")
    is_due = e.c.kind == 1
    order = (e.c.day, e.c.kind, e.c.seq)
    stream = select(
        e.c.loan_id,
        e.c.programme_id,
        e.c.kind,
        e.c.amount,
        func.sum(case((is_due, 0), else_=e.c.amount))
        .over(partition_by=e.c.loan_id, order_by=order, rows=(None, 0))
        .label("paid_by"),
        func.sum(case((is_due, e.c.amount), else_=0))
        .over(partition_by=e.c.loan_id, order_by=order, rows=(None, 0))
        .label("due_by"),
    ).subquery("stream")
    s = stream.c
    available = s.paid_by - (s.due_by - s.amount)  # what is left for this instalment
    on_time = case(
        (s.kind == 0, 0), (available <= 0, 0), (available >= s.amount, s.amount), else_=available
    )
    fallen = func.sum(case((s.kind == 1, s.amount), else_=0))
    received = func.sum(case((s.kind == 0, s.amount), else_=0))
    return select(
        s.loan_id,
        s.programme_id,
        fallen.label("fallen_due"),
        func.sum(on_time).label("paid_on_time"),
        case((received < fallen, received), else_=fallen).label("repaid"),
    ).group_by(s.loan_id, s.programme_id)
