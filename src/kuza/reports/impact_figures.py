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
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    Select,
    case,
    cast,
    distinct,
    extract,
    func,
    literal,
    or_,
    select,
    union_all,
)

from kuza.adapters.db.schema import (
    branch,
    cost_entry,
    enterprise,
    enterprise_check,
    household_visit,
    job,
    job_event,
    job_verification,
    journal_entry,
    journal_line,
    ledger_account,
    member,
    membership,
    training_attendance,
    training_module,
    training_session,
    value_chain,
)
from kuza.domain.jobs import JobCount, JobEventKind
from kuza.domain.ledger import AccountCode
from kuza.domain.training import TrainingRules, completed
from kuza.domain.visits import mean_of


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


def households(
    conn: Connection, pid: int, end: date, job_ids: Iterable[int] | Select[Any]
) -> tuple[int, int]:
    """(people in the households of the enterprises of ``job_ids``, those enterprises):
    each enterprise's latest check by ``end`` (ties: the later check), else its size at
    registration. One query for all enterprises, not one per enterprise. ``job_ids`` may
    be a query of them (:func:`counted_created_jobs`): then nothing comes back per job."""
    if isinstance(job_ids, Select):
        ids = set(
            conn.execute(
                select(job.c.enterprise_id)
                .where(job.c.id.in_(job_ids.scalar_subquery()))
                .distinct()
            ).scalars()
        )
    else:
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


# --- Jobs: the counting rules of ``kuza.domain.jobs.count_jobs`` as SQL --------------


def _valid_events(pid: int, start: date, end: date, jobs: Select[Any] | None) -> Any:
    """Events that happened in [start, end] and are verified on or after their day (one
    verification per event at most: ``job_verification.event_id`` is unique)."""
    e, v = job_event.c, job_verification.c
    query = (
        select(e.id, e.job_id, e.kind)
        .join(job_verification, v.event_id == e.id)
        .where(
            e.programme_id == pid,
            e.on_date >= start,
            e.on_date <= end,
            v.verified_on >= e.on_date,
        )
    )
    if jobs is not None:
        query = query.where(e.job_id.in_(jobs.scalar_subquery()))
    return query.subquery("valid")


def counted_events(pid: int, start: date, end: date, jobs: Select[Any] | None = None) -> Any:
    """Ids of the events ``count_jobs`` counts: per job the first (lowest id) valid
    'created' and 'lost' event, and every valid 'grown' event. ``jobs``: a query of the
    job ids to count (a narrowed scope), None for all the programme's."""
    valid = _valid_events(pid, start, end, jobs)
    once = [JobEventKind.CREATED.value, JobEventKind.LOST.value]
    first = (
        select(func.min(valid.c.id).label("id"))
        .where(valid.c.kind.in_(once))
        .group_by(valid.c.job_id, valid.c.kind)
    )
    every = select(valid.c.id).where(valid.c.kind == JobEventKind.GROWN.value)
    return union_all(first, every).subquery("counted")


def counted_created_jobs(
    pid: int, start: date, end: date, jobs: Select[Any] | None = None
) -> Select[Any]:
    """The jobs whose creation is counted (each once), as a query of job ids."""
    counted = counted_events(pid, start, end, jobs)
    return select(job_event.c.job_id).where(
        job_event.c.id.in_(select(counted.c.id)),
        job_event.c.kind == JobEventKind.CREATED.value,
    )


@dataclass(frozen=True)
class JobFigures:
    count: JobCount  # its ``event_ids`` left empty: ``events`` says how many
    events: int


def job_figures(
    conn: Connection, pid: int, start: date, end: date, jobs: Select[Any] | None = None
) -> JobFigures:
    """``count_jobs`` over the programme's events (or ``jobs``'), by aggregates: one row
    per kind and FTE change (the column's own values, so the sums are the same Decimals
    as the row-by-row count) and the distinct jobs grown."""
    counted = counted_events(pid, start, end, jobs)
    e = job_event.c
    rows = conn.execute(
        select(e.kind, e.fte_change, func.count(), func.count(distinct(e.job_id)))
        .where(e.id.in_(select(counted.c.id)))
        .group_by(e.kind, e.fte_change)
    ).all()
    n: dict[str, int] = {k.value: 0 for k in JobEventKind}
    fte: dict[str, Decimal] = {k.value: Decimal(0) for k in JobEventKind}
    for kind, change, events, _jobs in rows:
        n[kind] += int(events)
        fte[kind] += Decimal(change) * int(events)  # exact: the Decimal sum count_jobs takes
    grown_jobs = 0
    if n[JobEventKind.GROWN.value]:
        grown_jobs = int(
            conn.execute(
                select(func.count(distinct(e.job_id))).where(
                    e.id.in_(select(counted.c.id)), e.kind == JobEventKind.GROWN.value
                )
            ).scalar_one()
        )
    count = JobCount(
        jobs_created=n[JobEventKind.CREATED.value],
        fte_created=fte[JobEventKind.CREATED.value],
        jobs_grown=grown_jobs,
        fte_grown=fte[JobEventKind.GROWN.value],
        jobs_lost=n[JobEventKind.LOST.value],
        fte_lost=-fte[JobEventKind.LOST.value],
        event_ids=(),
    )
    return JobFigures(count, sum(n.values()))


def created_by(
    conn: Connection, pid: int, start: date, end: date, jobs: Select[Any], key: str
) -> dict[Any, int]:
    """Counted job creations by ``key``: "month" ((year, month) of the event), "branch"
    (branch name) or "value_chain" (its name; None for an enterprise without one), of
    the jobs in ``jobs`` (a query of job ids joined to their enterprise's names)."""
    counted = counted_events(pid, start, end, jobs)
    e = job_event.c
    created = (
        select(e.job_id, e.on_date)
        .where(e.id.in_(select(counted.c.id)), e.kind == JobEventKind.CREATED.value)
        .subquery("created")
    )
    if key == "month":
        y, m = extract("year", created.c.on_date), extract("month", created.c.on_date)
        rows = conn.execute(select(y, m, func.count()).group_by(y, m)).all()
        return {(int(a), int(b)): int(c) for a, b, c in rows}
    label = branch.c.name if key == "branch" else value_chain.c.name
    query = (
        select(label, func.count())
        .select_from(
            created.join(job, job.c.id == created.c.job_id)
            .join(enterprise, enterprise.c.id == job.c.enterprise_id)
            .join(branch, branch.c.id == enterprise.c.branch_id)
            .outerjoin(value_chain, value_chain.c.id == enterprise.c.value_chain_id)
        )
        .group_by(label)
    )
    return {name: int(c) for name, c in conn.execute(query).all()}


# --- Costs, training, household scores ----------------------------------------------


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


def training_figures(
    conn: Connection, pid: int, end: date, rules: TrainingRules
) -> tuple[int, int, int]:
    """(pairs completed, (member, module) pairs taught, sessions behind them) for the
    sessions held by ``end``: each pair's sessions held, attended and hours attended
    counted in SQL, then the pairs with the same counts judged once by the domain rule."""
    a, s, m = training_attendance.c, training_session.c, training_module.c
    present = case((a.present.is_(True), 1), else_=0)
    # hours in hundredths, summed as integers (SQLite would sum the decimals as floats)
    centi = case((a.present.is_(True), cast(func.round(s.hours * 100), Integer)), else_=0)
    taught = (
        select(a.session_id)
        .join(training_session, s.id == a.session_id)
        .where(s.programme_id == pid, s.held_on <= end)
    )
    pairs = (
        select(
            a.member_id,
            s.module_id,
            func.count().label("held"),
            func.sum(present).label("came"),
            func.sum(centi).label("centi"),
        )
        .join(training_session, s.id == a.session_id)
        .where(s.programme_id == pid, s.held_on <= end)
        .group_by(a.member_id, s.module_id)
        .subquery("pairs")
    )
    p = pairs.c
    shapes = conn.execute(
        select(p.held, p.came, p.centi, m.expected_hours, func.count())
        .join(training_module, m.id == p.module_id)
        .group_by(p.held, p.came, p.centi, m.expected_hours)
    ).all()
    done = sum(
        int(n)
        for held, came, hours, expected, n in shapes
        if completed(Decimal(expected), int(held), int(came), Decimal(int(hours)) / 100, rules)
    )
    sessions = conn.execute(
        select(func.count(distinct(taught.subquery().c.session_id)))
    ).scalar_one()
    return done, sum(int(r[4]) for r in shapes), int(sessions)


def score_change(conn: Connection, pid: int, start: date, end: date) -> tuple[Decimal | None, int]:
    """(mean score change, visits behind it) as ``score_changes`` and ``mean`` give them:
    per (household, scorecard) the first visit ever and the last by ``end`` (ties on a day
    by id), counted when they differ and the last is in the period; two visits each."""
    v = household_visit.c
    key = (v.member_id, v.scorecard_id)
    ranked = (
        select(
            v.member_id,
            v.scorecard_id,
            v.score,
            v.visited_on,
            func.row_number().over(partition_by=key, order_by=(v.visited_on, v.id)).label("a"),
            func.row_number()
            .over(partition_by=key, order_by=(v.visited_on.desc(), v.id.desc()))
            .label("z"),
        )
        .where(v.programme_id == pid, v.visited_on <= end)
        .subquery("ranked")
    )
    r = ranked.c
    households = (
        select(
            func.sum(case((r.z == 1, r.score), else_=0) - case((r.a == 1, r.score), else_=0)).label(
                "change"
            ),
            func.max(case((r.z == 1, r.visited_on))).label("last_on"),
            func.count().label("visits"),
        )
        .group_by(r.member_id, r.scorecard_id)
        .subquery("households")
    )
    h = households.c
    total, n = conn.execute(
        select(func.coalesce(func.sum(h.change), 0), func.count()).where(
            h.visits > 1, h.last_on >= literal(start, h.last_on.type)
        )
    ).one()
    return mean_of(int(total), int(n)), 2 * int(n)
