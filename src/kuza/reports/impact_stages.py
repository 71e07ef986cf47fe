"""The impact report's figures from credit, markets, family progress and insurance.

Loans disbursed come from the loan book; repayment rate and PAR30 reuse the portfolio
figures of ``kuza.reports.arrears`` (definitions in ``kuza.domain.loans.arrears``), so the
impact report and the portfolio report never disagree. Definitions: docs/impact.md.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy import Connection, func, or_, select

from kuza.adapters.db.schema import (
    close_day_run,
    household_visit,
    insurance_dependant,
    insurance_enrolment,
    linkage_woman,
    loan,
    loan_arrears,
    market_linkage,
)
from kuza.domain.metrics import Metric
from kuza.domain.money import Money
from kuza.domain.visits import ScoredVisit, mean, score_changes
from kuza.reports.arrears import Portfolio


def _percent(fraction: Decimal | None) -> Decimal | None:
    if fraction is None:
        return None
    return (fraction * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def credit_metrics(
    conn: Connection, pid: int, currency: str, start: date, end: date, book: Portfolio
) -> list[Metric]:
    """``book`` is :func:`kuza.reports.arrears.portfolio` as of ``end``, or as of the last
    close-day when the period reaches it (its stored figures)."""
    rows = conn.execute(
        select(loan.c.id, loan.c.principal_minor).where(
            loan.c.programme_id == pid,
            loan.c.grant.is_(False),
            loan.c.disbursed_on >= start,
            loan.c.disbursed_on <= end,
        )
    ).all()
    src = tuple(f"loan:{i}" for i in sorted(r.id for r in rows))  # ints: rows compare slowly
    lent = Money.from_minor(sum(int(r.principal_minor) for r in rows), currency)
    as_of = conn.execute(select(func.max(close_day_run.c.run_on))).scalar()
    at_risk = tuple(
        f"loan:{i}"
        for i in conn.execute(
            select(loan_arrears.c.loan_id)
            .where(loan_arrears.c.programme_id == pid)
            .order_by(loan_arrears.c.loan_id)
        ).scalars()
    )
    state = f"the state left by the last close-day ({as_of})" if as_of else "no close-day yet"
    return [
        Metric(
            "loans_disbursed",
            "Loans disbursed",
            Decimal(len(rows)),
            "count",
            "loans (not grants) disbursed in the period",
            src,
        ),
        Metric(
            "loans_disbursed_amount",
            "Amount disbursed",
            lent.amount,
            currency,
            "principal of the loans disbursed in the period",
            src,
        ),
        Metric(
            "repayment_rate",
            "On-time repayment rate",
            _percent(book.on_time_rate),
            "percent",
            "amount repaid on or before each due date ÷ amount fallen due by the end date, "
            "summed over disbursed, rescheduled and closed loans (penalties not counted); "
            + (
                f"as of the last close-day ({book.rates_from_close_day})"
                if book.rates_from_close_day
                else "computed from the book"
            ),
            src,
        ),
        Metric(
            "par30",
            "Portfolio at risk > 30 days (PAR30)",
            _percent(book.par["PAR30"]) if as_of else None,
            "percent",
            "outstanding principal of loans more than 30 days late, plus all rescheduled "
            f"loans, ÷ gross outstanding principal; balance-weighted; from {state}",
            at_risk,
        ),
    ]


def market_metrics(conn: Connection, pid: int, start: date, end: date) -> list[Metric]:
    active = sorted(
        conn.execute(
            select(market_linkage.c.id).where(
                market_linkage.c.programme_id == pid,
                market_linkage.c.started_on <= end,
                or_(market_linkage.c.ended_on.is_(None), market_linkage.c.ended_on >= start),
            )
        ).scalars()
    )
    women = sorted(
        set(
            conn.execute(
                select(linkage_woman.c.member_id).where(
                    linkage_woman.c.linkage_id.in_(active or [-1])
                )
            ).scalars()
        )
    )
    src = tuple(f"market_linkage:{i}" for i in active)
    return [
        Metric(
            "linkages_active",
            "Market linkages active",
            Decimal(len(active)),
            "count",
            "linkages (member or group ↔ buyer/supplier) running at any time in the period",
            src,
        ),
        Metric(
            "linkage_women",
            "Women involved in market linkages",
            Decimal(len(women)),
            "count",
            "distinct women members named on the active linkages, whatever their role",
            src,
        ),
    ]


def insurance_metrics(conn: Connection, pid: int, end: date) -> list[Metric]:
    e = insurance_enrolment.c
    enrolled = sorted(
        conn.execute(
            select(e.id).where(
                e.programme_id == pid,
                e.enrolled_on <= end,
                or_(e.ended_on.is_(None), e.ended_on > end),
            )
        ).scalars()
    )
    dependants = conn.execute(
        select(func.count())
        .select_from(insurance_dependant)
        .where(insurance_dependant.c.enrolment_id.in_(enrolled or [-1]))
    ).scalar_one()
    src = tuple(f"insurance_enrolment:{i}" for i in enrolled)
    return [
        Metric(
            "insurance_enrolled",
            "Members enrolled in health insurance",
            Decimal(len(enrolled)),
            "count",
            "enrolments in a health plan on the end date (a member in two plans counts twice)",
            src,
        ),
        Metric(
            "insured_people",
            "People covered by health insurance",
            Decimal(len(enrolled) + int(dependants)),
            "count",
            "enrolled members plus their dependants on the end date",
            src,
        ),
    ]


def household_metric(conn: Connection, pid: int, start: date, end: date) -> Metric:
    v = household_visit.c
    rows = conn.execute(
        select(v.id, v.member_id, v.scorecard_id, v.visited_on, v.score).where(
            v.programme_id == pid, v.visited_on <= end
        )
    ).all()
    changes = score_changes(
        (ScoredVisit(r.id, r.member_id, r.scorecard_id, r.visited_on, r.score) for r in rows),
        start,
        end,
    )
    return Metric(
        "household_score_change",
        "Average household score change",
        mean(c.change for c in changes),
        "points",
        "per household and scorecard: latest score by the end date (a visit in the period) "
        "− first (baseline) score; mean over households visited at least twice",
        tuple(
            f"household_visit:{i}"
            for i in sorted({x for c in changes for x in (c.baseline.visit_id, c.latest.visit_id)})
        ),
    )
