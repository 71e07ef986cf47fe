"""The impact report's figures from credit, markets, family progress and insurance.

Loans disbursed come from the loan book; repayment rate and PAR30 reuse the portfolio
figures of ``kuza.reports.arrears`` (definitions in ``kuza.domain.loans.arrears``), so the
impact report and the portfolio report never disagree. Definitions: docs/impact.md.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy import Connection, distinct, func, or_, select

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
from kuza.reports.impact_months import score_tally


def _percent(fraction: Decimal | None) -> Decimal | None:
    if fraction is None:
        return None
    return (fraction * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def credit_metrics(
    conn: Connection,
    pid: int,
    currency: str,
    start: date,
    end: date,
    book: Portfolio,
    figures: bool = False,
) -> list[Metric]:
    """``book`` is :func:`kuza.reports.arrears.portfolio` as of ``end``, or as of the last
    close-day when the period reaches it (its stored figures). ``figures``: counts and sums
    in the database, no rows listed (the dashboard page)."""
    disbursed = (
        loan.c.programme_id == pid,
        loan.c.grant.is_(False),
        loan.c.disbursed_on >= start,
        loan.c.disbursed_on <= end,
    )
    late = loan_arrears.c.programme_id == pid
    src: tuple[str, ...] = ()
    at_risk: tuple[str, ...] = ()
    if figures:
        n, minor = conn.execute(
            select(func.count(), func.coalesce(func.sum(loan.c.principal_minor), 0)).where(
                *disbursed
            )
        ).one()
        n_risk = conn.execute(select(func.count()).where(late)).scalar_one()
        counted: tuple[int | None, int | None] = (int(n), int(n_risk))
    else:
        rows = conn.execute(select(loan.c.id, loan.c.principal_minor).where(*disbursed)).all()
        src = tuple(f"loan:{i}" for i in sorted(r.id for r in rows))  # ints: rows compare slowly
        n, minor = len(rows), sum(int(r.principal_minor) for r in rows)
        at_risk = tuple(
            f"loan:{i}"
            for i in conn.execute(
                select(loan_arrears.c.loan_id).where(late).order_by(loan_arrears.c.loan_id)
            ).scalars()
        )
        counted = (None, None)
    lent = Money.from_minor(int(minor), currency)
    as_of = conn.execute(select(func.max(close_day_run.c.run_on))).scalar()
    state = f"the state left by the last close-day ({as_of})" if as_of else "no close-day yet"
    return [
        Metric(
            "loans_disbursed",
            "Loans disbursed",
            Decimal(n),
            "count",
            "loans (not grants) disbursed in the period",
            src,
            counted[0],
        ),
        Metric(
            "loans_disbursed_amount",
            "Amount disbursed",
            lent.amount,
            currency,
            "principal of the loans disbursed in the period",
            src,
            counted[0],
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
            counted[0],
        ),
        Metric(
            "par30",
            "Portfolio at risk > 30 days (PAR30)",
            _percent(book.par["PAR30"]) if as_of else None,
            "percent",
            "outstanding principal of loans more than 30 days late, plus all rescheduled "
            f"loans, ÷ gross outstanding principal; balance-weighted; from {state}",
            at_risk,
            counted[1],
        ),
    ]


def market_metrics(
    conn: Connection, pid: int, start: date, end: date, figures: bool = False
) -> list[Metric]:
    running = select(market_linkage.c.id).where(
        market_linkage.c.programme_id == pid,
        market_linkage.c.started_on <= end,
        or_(market_linkage.c.ended_on.is_(None), market_linkage.c.ended_on >= start),
    )
    women_of = select(func.count(distinct(linkage_woman.c.member_id))).where(
        linkage_woman.c.linkage_id.in_(running.scalar_subquery())
    )
    if figures:
        n = int(conn.execute(select(func.count()).select_from(running.subquery())).scalar_one())
        src: tuple[str, ...] = ()
        counted = n
    else:
        active = sorted(conn.execute(running).scalars())
        src, n, counted = tuple(f"market_linkage:{i}" for i in active), len(active), None
    women = int(conn.execute(women_of).scalar_one())
    return [
        Metric(
            "linkages_active",
            "Market linkages active",
            Decimal(n),
            "count",
            "linkages (member or group ↔ buyer/supplier) running at any time in the period",
            src,
            counted,
        ),
        Metric(
            "linkage_women",
            "Women involved in market linkages",
            Decimal(women),
            "count",
            "distinct women members named on the active linkages, whatever their role",
            src,
            counted,
        ),
    ]


def insurance_metrics(conn: Connection, pid: int, end: date, figures: bool = False) -> list[Metric]:
    e = insurance_enrolment.c
    covered = select(e.id).where(
        e.programme_id == pid,
        e.enrolled_on <= end,
        or_(e.ended_on.is_(None), e.ended_on > end),
    )
    dependants = conn.execute(
        select(func.count())
        .select_from(insurance_dependant)
        .where(insurance_dependant.c.enrolment_id.in_(covered.scalar_subquery()))
    ).scalar_one()
    if figures:
        n = int(conn.execute(select(func.count()).select_from(covered.subquery())).scalar_one())
        src: tuple[str, ...] = ()
        counted: int | None = n
    else:
        enrolled = sorted(conn.execute(covered).scalars())
        src, n, counted = tuple(f"insurance_enrolment:{i}" for i in enrolled), len(enrolled), None
    return [
        Metric(
            "insurance_enrolled",
            "Members enrolled in health insurance",
            Decimal(n),
            "count",
            "enrolments in a health plan on the end date (a member in two plans counts twice)",
            src,
            counted,
        ),
        Metric(
            "insured_people",
            "People covered by health insurance",
            Decimal(n + int(dependants)),
            "count",
            "enrolled members plus their dependants on the end date",
            src,
            counted,
        ),
    ]


def household_metric(
    conn: Connection, pid: int, start: date, end: date, months: dict[date, int] | None = None
) -> Metric:
    """``months``: the summarised months (``fresh_months``) when the mean and its visits
    are counted in SQL, no visit listed; None for every visit."""
    if months is not None:
        value, visits = score_tally(conn, pid, start, end, months)
        return _household(value, (), visits)
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
    seen = {x for c in changes for x in (c.baseline.visit_id, c.latest.visit_id)}
    src = tuple(f"household_visit:{i}" for i in sorted(seen))
    return _household(mean(c.change for c in changes), src, None)


def _household(value: Decimal | None, src: tuple[str, ...], counted: int | None) -> Metric:
    return Metric(
        "household_score_change",
        "Average household score change",
        value,
        "points",
        "per household and scorecard: latest score by the end date (a visit in the period) "
        "− first (baseline) score; mean over households visited at least twice",
        src,
        counted,
    )
