"""The impact report's figures by SQL aggregates, for the dashboard page.

The page shows each figure and how many rows it comes from, never the rows: here each
figure is a COUNT/SUM/GROUP BY in the database instead of every source row brought into
Python (members, savings lines by entry, one household query per enterprise). The
drill-down and the CSV/XLSX exports keep the full path of :mod:`kuza.reports.impact`;
tests/reports/test_impact_figures.py holds the two equal, metric by metric. Rounding is
the same because the same formulas (``kuza.domain.metrics``) get the same integers.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import Connection, case, distinct, func, or_, select

from kuza.adapters.db.schema import (
    enterprise,
    enterprise_check,
    job,
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


def households(conn: Connection, pid: int, end: date, job_ids: Iterable[int]) -> tuple[int, int]:
    """(people in the households of the enterprises of ``job_ids``, those enterprises):
    each enterprise's latest check by ``end`` (ties: the later check), else its size at
    registration. One query for all enterprises, not one per enterprise."""
    wanted = set(job_ids)
    of_job = conn.execute(
        select(job.c.id, job.c.enterprise_id).where(job.c.programme_id == pid)
    ).all()
    ids = {r.enterprise_id for r in of_job if r.id in wanted}
    if not ids:
        return 0, 0
    c = enterprise_check.c
    ranked = (
        select(
            c.enterprise_id,
            c.household_size,
            func.row_number()
            .over(partition_by=c.enterprise_id, order_by=(c.checked_on.desc(), c.id.desc()))
            .label("n"),
        )
        .join(enterprise, enterprise.c.id == c.enterprise_id)
        .where(enterprise.c.programme_id == pid, c.checked_on <= end)
        .subquery()
    )
    sizes = conn.execute(
        select(enterprise.c.id, func.coalesce(ranked.c.household_size, enterprise.c.household_size))
        .select_from(
            enterprise.outerjoin(
                ranked, (ranked.c.enterprise_id == enterprise.c.id) & (ranked.c.n == 1)
            )
        )
        .where(enterprise.c.programme_id == pid)
    ).all()
    return sum(int(size) for eid, size in sizes if eid in ids), len(ids)
