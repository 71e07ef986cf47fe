"""The dashboard's jobs and training figures from close-day's monthly summaries plus
the days they do not cover, counted live (``kuza.adapters.db.impact_months`` says why
the sum is exact). Without any summary (no close-day yet) everything is counted live,
in one pass over the counted events for the figures and the charts together.

Read them in one connection that sees one state of the database
(:meth:`kuza.adapters.db.engine.Database.read` with ``consistent``): the summaries,
their stale marks and the rows counted live must agree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, literal, select, union, union_all

from kuza.adapters.db.impact_months import (
    complement,
    created_enterprises,
    household_changes,
    in_ranges,
    job_rows,
    live_job_events,
    live_jobs,
    merge,
    month_end,
    month_start,
    pair_shapes,
    touched_households,
    touched_pairs,
    verified_events,
)
from kuza.adapters.db.schema import (
    enterprise,
    enterprise_check,
    household_visit,
    impact_month,
    impact_stale,
    job_event,
    job_month,
    job_month_enterprise,
    training_attendance,
    training_module,
    training_month,
    training_session,
    visit_month,
)
from kuza.domain.jobs import JobCount
from kuza.domain.training import TrainingRules, completed
from kuza.domain.visits import mean_of

SUMS = (
    "created_jobs",
    "created_fte_centi",
    "grown_events",
    "grown_jobs",
    "grown_fte_centi",
    "lost_jobs",
    "lost_fte_centi",
)


def fresh_months(conn: Connection, pid: int) -> dict[date, int]:
    """The programme's summarised months not marked stale, with their sessions."""
    m = impact_month.c
    stale = select(impact_stale.c.month).where(impact_stale.c.programme_id == pid)
    rows = conn.execute(
        select(m.month, m.sessions).where(m.programme_id == pid, m.month.not_in(stale))
    )
    return {r.month: int(r.sessions) for r in rows}


@dataclass(frozen=True)
class JobTally:
    """``count_jobs`` over a scope's events in a period, and the jobs created (counted
    as ``jobs_created``) per month, branch id and value chain id (None: no chain)."""

    count: JobCount  # its ``event_ids`` left empty: ``events`` says how many
    events: int
    by_month: dict[date, int] = field(default_factory=dict)
    by_branch: dict[int, int] = field(default_factory=dict)
    by_chain: dict[int | None, int] = field(default_factory=dict)
    months_summarised: int = 0


def _fte(centi: int, events: int) -> Decimal:
    """As ``count_jobs`` sums the column's two-decimal values: 0 when nothing counted."""
    return (Decimal(centi) / 100).quantize(Decimal("0.01")) if events else Decimal(0)


def _scope(columns: Any, branch_ids: Collection[int], chain_ids: Collection[int]) -> list[Any]:
    out = []
    if branch_ids:
        out.append(columns.branch_id.in_(list(branch_ids)))
    if chain_ids:
        out.append(columns.value_chain_id.in_(list(chain_ids)))
    return out


def _live_events(pid: int, start: date, end: date, fresh: list[date]) -> Any:
    """The verified events counted live, as a subquery: those of the days of the period
    not summarised, of the jobs summed by month; and every one of the period of the jobs
    not summed by month (``job_counted_live``). Two indexed reads, not one scan."""
    e = job_event.c
    days = in_ranges(e.on_date, complement(merge(fresh), start, end))
    if not fresh:
        return verified_events(pid, days).subquery("events")
    regular = verified_events(pid, days, e.job_id.not_in(live_jobs(pid)))
    irregular = live_job_events(pid, e.on_date >= start, e.on_date <= end)
    return union_all(regular, irregular).subquery("events")


def _in_period(
    conn: Connection, pid: int, months: dict[date, int], start: date, end: date
) -> list[date]:
    """The summarised months read for the period: those inside it, and the months it
    begins or ends in when none of their job events falls outside it."""
    inside = {m for m in months if m >= start and month_end(m) <= end}
    e = job_event.c
    for m in {month_start(start), month_start(end)} - inside:
        if m not in months:
            continue
        outside = [(m, start - timedelta(days=1)), (end + timedelta(days=1), month_end(m))]
        found = select(e.id).where(
            e.programme_id == pid, in_ranges(e.on_date, [(a, b) for a, b in outside if a <= b])
        )
        if conn.execute(found.limit(1)).first() is None:
            inside.add(m)
    return sorted(inside)


def job_tally(
    conn: Connection,
    pid: int,
    start: date,
    end: date,
    branch_ids: Collection[int] = (),
    chain_ids: Collection[int] = (),
    months: dict[date, int] | None = None,
) -> JobTally:
    """The whole months of the period from ``job_month``, the rest counted live; the
    figures and the three charts from the same rows. ``months``: :func:`fresh_months`."""
    fresh = _in_period(conn, pid, fresh_months(conn, pid) if months is None else months, start, end)
    totals: Counter[str] = Counter()
    by_month: Counter[date] = Counter()
    by_branch: Counter[int] = Counter()
    by_chain: Counter[int | None] = Counter()
    if fresh:
        s = job_month.c
        where = [s.programme_id == pid, s.month.in_(fresh), *_scope(s, branch_ids, chain_ids)]
        sums = [func.sum(s[name]).label(name) for name in SUMS]
        for r in conn.execute(select(s.month, *sums).where(*where).group_by(s.month)):
            totals.update({name: int(r._mapping[name]) for name in SUMS})
            by_month[r.month] += int(r.created_jobs)
        created = func.sum(s.created_jobs)
        for key, n in conn.execute(
            select(s.branch_id, created).where(*where).group_by(s.branch_id)
        ):
            by_branch[key] += int(n)
        chains = select(s.value_chain_id, created).where(*where).group_by(s.value_chain_id)
        for key, n in conn.execute(chains):
            by_chain[key] += int(n)
    live = job_rows(
        conn, _live_events(pid, start, end, fresh), *_scope(enterprise.c, branch_ids, chain_ids)
    )
    for r in conn.execute(live):
        totals.update({name: int(r._mapping[name]) for name in SUMS})
        by_month[r.month] += int(r.created_jobs)
        by_branch[r.branch_id] += int(r.created_jobs)
        by_chain[r.value_chain_id] += int(r.created_jobs)
    t = totals
    count = JobCount(
        jobs_created=t["created_jobs"],
        fte_created=_fte(t["created_fte_centi"], t["created_jobs"]),
        jobs_grown=t["grown_jobs"],
        fte_grown=_fte(t["grown_fte_centi"], t["grown_events"]),
        jobs_lost=t["lost_jobs"],
        fte_lost=-_fte(t["lost_fte_centi"], t["lost_jobs"]),
        event_ids=(),
    )
    return JobTally(
        count,
        t["created_jobs"] + t["grown_events"] + t["lost_jobs"],
        {m: n for m, n in by_month.items() if n},
        {b: n for b, n in by_branch.items() if n},
        {c: n for c, n in by_chain.items() if n},
        len(fresh),
    )


def families(
    conn: Connection, pid: int, start: date, end: date, months: dict[date, int] | None = None
) -> tuple[int, int]:
    """(people in the households of the enterprises with a job created in the period,
    those enterprises): each enterprise's latest check by ``end`` (ties: the later
    check), else its size at registration."""
    fresh = _in_period(conn, pid, fresh_months(conn, pid) if months is None else months, start, end)
    made = created_enterprises(_live_events(pid, start, end, fresh))
    ids: Any = select(made.subquery().c.enterprise_id).distinct()
    if fresh:
        j = job_month_enterprise.c
        ids = union(ids, select(j.enterprise_id).where(j.programme_id == pid, j.month.in_(fresh)))
    c = enterprise_check.c
    ranked = (
        select(
            c.enterprise_id,
            c.household_size,
            func.row_number()
            .over(partition_by=c.enterprise_id, order_by=(c.checked_on.desc(), c.id.desc()))
            .label("n"),
        )
        .where(c.programme_id == pid, c.checked_on <= end)
        .subquery()
    )
    size = func.coalesce(ranked.c.household_size, enterprise.c.household_size)
    found = ids.subquery("found")
    people, n = conn.execute(
        select(func.coalesce(func.sum(size), 0), func.count()).select_from(
            enterprise.join(found, found.c.enterprise_id == enterprise.c.id).outerjoin(
                ranked, (ranked.c.enterprise_id == enterprise.c.id) & (ranked.c.n == 1)
            )
        )
    ).one()
    return int(people), int(n)


def _ended_by(
    conn: Connection, months: dict[date, int], end: date, rows: Any, day: Any
) -> list[date]:
    """The summarised months ended by ``end``, and the month of ``end`` when none of the
    ``rows`` (a query) has its ``day`` after ``end`` in that month."""
    fresh = sorted(m for m in months if month_end(m) <= end)
    last = month_start(end)
    if last in months and last not in fresh:
        later = day.between(end + timedelta(days=1), month_end(last))
        if conn.execute(rows.where(later).limit(1)).first() is None:
            fresh.append(last)
    return fresh


def training_tally(
    conn: Connection,
    pid: int,
    end: date,
    rules: TrainingRules,
    months: dict[date, int] | None = None,
) -> tuple[int, int, int]:
    """(pairs completed, (member, module) pairs taught, sessions behind them) for the
    sessions held by ``end``: the pairs whose last session is in a summarised month
    ended by then from ``training_month``, every other pair from its attendance lines;
    the pairs with the same counts judged once by the domain rule."""
    found = fresh_months(conn, pid) if months is None else months
    s = training_session.c
    fresh = _ended_by(conn, found, end, select(s.id).where(s.programme_id == pid), s.held_on)
    shapes: Counter[tuple[int, int, int, int]] = Counter()
    if fresh:
        t = training_month.c
        rows = conn.execute(
            select(t.module_id, t.held, t.came, t.centi, func.sum(t.pairs))
            .where(t.programme_id == pid, t.month.in_(fresh))
            .group_by(t.module_id, t.held, t.came, t.centi)
        )
        for module_id, held, came, centi, n in rows:
            shapes[(int(module_id), int(held), int(came), int(centi))] += int(n)
    days = complement(merge(fresh), None, None)
    pairs = pair_shapes(conn, pid, end, touched_pairs(pid, days) if fresh else None)
    p = pairs.c
    rows = conn.execute(
        select(p.module_id, p.held, p.came, p.centi, func.count())
        .where(p.held > 0, in_ranges(p.last, days))
        .group_by(p.module_id, p.held, p.came, p.centi)
    )
    for module_id, held, came, centi, n in rows:
        shapes[(int(module_id), int(held), int(came), int(centi))] += int(n)
    taught = select(training_attendance.c.session_id).where(
        training_attendance.c.session_id == s.id
    )
    live_sessions = conn.execute(
        select(func.count()).where(
            s.programme_id == pid, s.held_on <= end, in_ranges(s.held_on, days), taught.exists()
        )
    ).scalar_one()
    m = training_module.c
    expected = dict(conn.execute(select(m.id, m.expected_hours).where(m.programme_id == pid)).all())
    done = sum(
        n
        for (module_id, held, came, centi), n in shapes.items()
        if completed(Decimal(expected[module_id]), held, came, Decimal(centi) / 100, rules)
    )
    return done, sum(shapes.values()), sum(found[m] for m in fresh) + int(live_sessions)


def score_tally(
    conn: Connection, pid: int, start: date, end: date, months: dict[date, int] | None = None
) -> tuple[Decimal | None, int]:
    """(mean score change, visits behind it) as ``score_change`` gives them: households
    whose last visit is in a summarised month ended by ``end`` from ``visit_month`` (by
    the day of that visit, so a period may start on any day), every other household
    from its visits."""
    found = fresh_months(conn, pid) if months is None else months
    v = household_visit.c
    fresh = _ended_by(conn, found, end, select(v.id).where(v.programme_id == pid), v.visited_on)
    total = n = 0
    if fresh:
        m = visit_month.c
        change, households = conn.execute(
            select(
                func.coalesce(func.sum(m.change), 0), func.coalesce(func.sum(m.households), 0)
            ).where(m.programme_id == pid, m.month.in_(fresh), m.last_on >= start)
        ).one()
        total, n = int(change), int(households)
    days = complement(merge(fresh), None, None)
    h = household_changes(pid, end, touched_households(pid, days) if fresh else None).c
    change, households = conn.execute(
        select(func.coalesce(func.sum(h.change), 0), func.count()).where(
            h.visits > 1, h.last_on >= literal(start, h.last_on.type), in_ranges(h.last_ever, days)
        )
    ).one()
    total, n = total + int(change), n + int(households)
    return mean_of(total, n), 2 * n
