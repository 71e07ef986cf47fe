"""The impact report's figures by SQL aggregates, for the dashboard page.

The page shows each figure and how many rows it comes from, never the rows: here each
figure is a COUNT/SUM/GROUP BY in the database instead of every source row brought into
Python (members, savings lines by entry, one household query per enterprise). The
drill-down and the CSV/XLSX exports keep the full path of :mod:`kuza.reports.impact`;
tests/reports/test_impact_figures.py holds the two equal, metric by metric. Rounding is
the same because the same formulas (``kuza.domain.metrics``) get the same integers.
Jobs, families, training completion and the household score change are counted in
:mod:`kuza.reports.impact_months` (close-day's monthly summaries and the days they do
not cover).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import Connection, case, distinct, func, or_, select

from kuza.adapters.db.schema import (
    cost_entry,
    enterprise,
    journal_entry,
    journal_line,
    ledger_account,
    member,
    membership,
)
from kuza.domain.ledger import AccountCode


def reach_counts(conn: Connection, pid: int, start: date, end: date) -> tuple[int, int]:
    """(members in a group at any time in the period, of them women)."""
    row = conn.execute(
        select(
            func.count(distinct(member.c.id)),
            func.count(distinct(case((member.c.sex == "F", member.c.id)))),
        )
        .select_from(member.join(membership, membership.c.member_id == member.c.id))
        .where(
            member.c.programme_id == pid,
            membership.c.joined_on <= end,
            or_(membership.c.left_on.is_(None), membership.c.left_on > start),
        )
    ).one()
    return int(row[0]), int(row[1])


def savings_sum(conn: Connection, pid: int, codes: Iterable[AccountCode], end: date) -> int:
    """The sum of the accounts' lines posted by ``end``, in minor units: their running
    balances (kept by every posting, checked by ``kuza ledger check``) less the lines
    posted after ``end``, so only those are read, none for a period ending today."""
    accounts = select(ledger_account.c.id).where(
        ledger_account.c.programme_id == pid,
        ledger_account.c.code.in_([c.value for c in codes]),
    )
    balance = conn.execute(
        select(func.coalesce(func.sum(ledger_account.c.balance_minor), 0)).where(
            ledger_account.c.id.in_(accounts.scalar_subquery())
        )
    ).scalar_one()
    later = conn.execute(
        select(func.coalesce(func.sum(journal_line.c.amount_minor), 0))
        .select_from(
            journal_entry.join(journal_line, journal_line.c.entry_id == journal_entry.c.id)
        )
        .where(
            journal_entry.c.programme_id == pid,
            journal_entry.c.posted_on > end,
            journal_line.c.account_id.in_(accounts.scalar_subquery()),
        )
    ).scalar_one()
    return int(balance) - int(later)


def active_enterprises(conn: Connection, pid: int, end: date) -> int:
    e = enterprise.c
    return int(
        conn.execute(
            select(func.count()).where(
                e.programme_id == pid, e.status == "active", e.started_on <= end
            )
        ).scalar_one()
    )


# --- Costs ----------------------------------------------


def cost_sums(
    conn: Connection, pid: int, start: date, end: date, branch_ids: Iterable[int] | None = None
) -> dict[int, tuple[int, int]]:
    """Stage → (costs in minor units, entries) whose period ends in [start, end]."""
    c = cost_entry.c
    query = select(c.stage, func.sum(c.amount_minor), func.count()).where(
        c.programme_id == pid, c.period_end >= start, c.period_end <= end
    )
    if branch_ids is not None:
        query = query.where(c.branch_id.in_(list(branch_ids)))
    rows = conn.execute(query.group_by(c.stage)).all()
    return {int(stage): (int(minor), int(n)) for stage, minor, n in rows}
