"""The dashboard's jobs and training figures by month: the SQL close-day writes them
with, the writers' stale marks, and the counts the dashboard reads them with.

Jobs (the rules of ``kuza.domain.jobs.count_jobs``: per job the first verified
'created' and 'lost' event of the period, every verified 'grown' one, each job grown
counted once) are summed per month, branch and value chain. A period is then whole
months read from ``job_month`` plus the days left (its first and last partial months,
months not summarised yet or marked stale) counted from the events. That is exact for
a job with at most one 'created' and one 'lost' event and its 'grown' events in one
month: such a job counts in a period exactly as the sum of its months. Any other job
(grown in two months, or rows written around the services) is listed in
``job_counted_live`` and counted from its events over the whole period.

Training completion as of a day depends on each (member, module) pair's sessions up to
it. A pair whose last session is in a summarised month ended by that day has all its
sessions counted in ``training_month``; every other pair (a session in a month not
summarised, stale, or after the day) is counted from its attendance lines. The household
score change the same way: per household (member, scorecard) visited twice or more, by
the day of its last visit (``visit_month``), so a period may start on any day.

Staleness: every write that can change a summarised month (a job event, a verification,
a training session) appends a mark for the months it touches, in its own transaction
(:func:`mark_stale`): the event's month and the months of the job's other events, the
session's month and the months of the attendees' other sessions of that module, the
visit's month and the months of the household's other visits on that scorecard.
Close-day deletes the marks, then recomputes those months: a write committed in between
keeps its mark, so its month stays read live until the next close-day; never wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Date,
    Integer,
    and_,
    case,
    cast,
    delete,
    distinct,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    type_coerce,
)

from kuza.adapters.db.schema import (
    enterprise,
    household_visit,
    impact_month,
    impact_stale,
    job,
    job_counted_live,
    job_event,
    job_month,
    job_month_enterprise,
    job_verification,
    programme,
    training_attendance,
    training_month,
    training_session,
    visit_month,
)

CREATED, GROWN, LOST = "created", "grown", "lost"
Range = tuple[date | None, date | None]  # inclusive; None: unbounded


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def month_end(month: date) -> date:
    return next_month(month) - timedelta(days=1)


def month_of(conn: Connection, column: Any) -> Any:
    """The first day of the month of a date column, as an SQL date."""
    if conn.dialect.name == "postgresql":
        return cast(func.date_trunc("month", column), Date)
    return type_coerce(func.date(column, "start of month"), Date)


def in_ranges(column: Any, ranges: Sequence[Range]) -> Any:
    """``column`` within one of the inclusive date ranges (false for none)."""
    parts = []
    for first, last in ranges:
        bounds = [column >= first] if first is not None else []
        bounds += [column <= last] if last is not None else []
        parts.append(and_(*bounds) if bounds else column.is_not(None))
    return or_(*parts) if parts else false()


def merge(months: Iterable[date]) -> list[Range]:
    """Months as the fewest date ranges (consecutive months joined)."""
    ranges: list[list[date]] = []
    for m in sorted(set(months)):
        if ranges and next_month(month_start(ranges[-1][1])) == m:
            ranges[-1][1] = month_end(m)
        else:
            ranges.append([m, month_end(m)])
    return [(a, b) for a, b in ranges]


def complement(ranges: Sequence[Range], first: date | None, last: date | None) -> list[Range]:
    """The days of [first, last] outside ``ranges`` (sorted, bounded, disjoint)."""
    out: list[Range] = []
    cursor = first
    for a, b in ranges:
        assert a is not None and b is not None
        if cursor is None or a > cursor:
            out.append((cursor, a - timedelta(days=1)))
        cursor = b + timedelta(days=1)
    if last is None or cursor is None or cursor <= last:
        out.append((cursor, last))
    return out


# --- Writers: stale marks ------------------------------------------------------------


def mark_stale(conn: Connection, programme_id: int, days: Iterable[date]) -> None:
    """Mark the months of ``days`` stale for the programme, in the writer's transaction.
    Always appended, never "if absent" (see ``impact_stale``)."""
    months = sorted({month_start(d) for d in days})
    if months:
        conn.execute(
            insert(impact_stale), [{"programme_id": programme_id, "month": m} for m in months]
        )


def session_days_of(
    conn: Connection, programme_id: int, module_id: int, member_ids: Iterable[int]
) -> set[date]:
    """The days of the sessions of a module the members attended (their pairs' months)."""
    s, a = training_session.c, training_attendance.c
    ids = list(member_ids)
    if not ids:
        return set()
    return set(
        conn.execute(
            select(s.held_on)
            .join(training_attendance, a.session_id == s.id)
            .where(s.programme_id == programme_id, s.module_id == module_id, a.member_id.in_(ids))
            .distinct()
        ).scalars()
    )


# --- Jobs: counted events grouped by month, branch and value chain -------------------


def _centi(column: Any) -> Any:
    return cast(func.round(column * 100), Integer)


def verified_events(pid: int, *where: Any) -> Any:
    """The programme's events verified on or after their day (``where`` on ``job_event``),
    as rows (id, job_id, kind, on_date, fte_change)."""
    e, v = job_event.c, job_verification.c
    return (
        select(e.id, e.job_id, e.kind, e.on_date, e.fte_change)
        .select_from(job_event.join(job_verification, v.event_id == e.id))
        .where(e.programme_id == pid, v.verified_on >= e.on_date, *where)
    )


def live_job_events(pid: int, *where: Any) -> Any:
    """:func:`verified_events` of the jobs in ``job_counted_live`` alone."""
    e, v, live = job_event.c, job_verification.c, job_counted_live.c
    return (
        select(e.id, e.job_id, e.kind, e.on_date, e.fte_change)
        .select_from(
            job_counted_live.join(job_event, e.job_id == live.job_id).join(
                job_verification, v.event_id == e.id
            )
        )
        .where(live.programme_id == pid, v.verified_on >= e.on_date, *where)
    )


def job_rows(conn: Connection, events: Any, *scope: Any) -> Any:
    """The rules of ``count_jobs`` over ``events`` (a subquery of verified events): per
    job the first 'created' and 'lost' event, every 'grown' one (the first of each job
    counts the job), summed per month, branch and value chain as ``job_month``'s columns.
    ``scope``: conditions on ``enterprise`` (branches, value chains)."""
    ev = events.c
    ranked = (
        select(
            ev.kind,
            ev.on_date,
            ev.fte_change,
            enterprise.c.branch_id,
            enterprise.c.value_chain_id,
            func.row_number().over(partition_by=(ev.job_id, ev.kind), order_by=ev.id).label("n"),
        )
        .select_from(
            events.join(job, job.c.id == ev.job_id).join(
                enterprise, enterprise.c.id == job.c.enterprise_id
            )
        )
        .where(*scope)
        .subquery("ranked")
    )
    r = ranked.c
    first = r.n == 1

    def total(kind: str, value: Any, also: Any = True) -> Any:
        return func.coalesce(func.sum(case((and_(r.kind == kind, also), value), else_=0)), 0)

    month = month_of(conn, r.on_date)
    return (
        select(
            month.label("month"),
            r.branch_id,
            r.value_chain_id,
            total(CREATED, 1, first).label("created_jobs"),
            total(CREATED, _centi(r.fte_change), first).label("created_fte_centi"),
            total(GROWN, 1).label("grown_events"),
            total(GROWN, 1, first).label("grown_jobs"),
            total(GROWN, _centi(r.fte_change)).label("grown_fte_centi"),
            total(LOST, 1, first).label("lost_jobs"),
            total(LOST, _centi(r.fte_change), first).label("lost_fte_centi"),
        )
        .where(or_(r.kind == GROWN, first))
        .group_by(month, r.branch_id, r.value_chain_id)
    )


def created_enterprises(events: Any) -> Any:
    """The enterprises of the jobs whose creation ``count_jobs`` counts among ``events``
    (a job with a verified 'created' event among them), with the event's day."""
    ev = events.c
    return (
        select(job.c.enterprise_id, ev.on_date)
        .select_from(events.join(job, job.c.id == ev.job_id))
        .where(ev.kind == CREATED)
    )


def live_jobs(pid: int) -> Any:
    return select(job_counted_live.c.job_id).where(job_counted_live.c.programme_id == pid)


def _irregular(conn: Connection, pid: int, touched: Any) -> Any:
    """The jobs among ``touched`` (a query of job ids, not over ``job_event`` itself: it
    would be correlated away) not summable by month."""
    e = job_event.c
    grown_month = case((e.kind == GROWN, month_of(conn, e.on_date)))
    return (
        select(e.job_id, literal(pid))
        .where(e.programme_id == pid, e.job_id.in_(touched))
        .group_by(e.job_id)
        .having(
            or_(
                func.sum(case((e.kind == CREATED, 1), else_=0)) > 1,
                func.sum(case((e.kind == LOST, 1), else_=0)) > 1,
                func.count(distinct(grown_month)) > 1,
            )
        )
    )


# --- Training: pairs' shapes ----------------------------------------------------------


def pair_shapes(conn: Connection, pid: int, end: date | None, candidates: Any) -> Any:
    """Per (member, module) pair of ``candidates`` (None: every pair of the programme):
    its last session ever (``last``) and, over its sessions held by ``end`` (None: all),
    the sessions held, attended and hours attended in hundredths."""
    a, s = training_attendance.c, training_session.c
    by_end = s.held_on <= end if end is not None else s.held_on.is_not(None)
    present = and_(by_end, a.present.is_(True))
    source = training_attendance.join(training_session, s.id == a.session_id)
    if candidates is not None:
        source = source.join(
            candidates,
            and_(candidates.c.member_id == a.member_id, candidates.c.module_id == s.module_id),
        )
    return (
        select(
            a.member_id,
            s.module_id,
            func.max(s.held_on).label("last"),
            func.coalesce(func.sum(case((by_end, 1), else_=0)), 0).label("held"),
            func.coalesce(func.sum(case((present, 1), else_=0)), 0).label("came"),
            func.coalesce(func.sum(case((present, _centi(s.hours)), else_=0)), 0).label("centi"),
        )
        .select_from(source)
        .where(s.programme_id == pid)
        .group_by(a.member_id, s.module_id)
        .subquery("pairs")
    )


def touched_pairs(pid: int, ranges: Sequence[Range]) -> Any:
    a, s = training_attendance.c, training_session.c
    return (
        select(a.member_id, s.module_id)
        .join(training_session, s.id == a.session_id)
        .where(s.programme_id == pid, in_ranges(s.held_on, ranges))
        .distinct()
        .subquery("touched")
    )


def sessions_by_month(conn: Connection, pid: int, where: Any) -> Any:
    s = training_session.c
    month = month_of(conn, s.held_on)
    taught = select(training_attendance.c.session_id).where(
        training_attendance.c.session_id == s.id
    )
    return (
        select(month.label("month"), func.count())
        .where(s.programme_id == pid, where, taught.exists())
        .group_by(month)
    )


# --- Household visits: score change per household ----------------------------------


def visit_days_of(
    conn: Connection, programme_id: int, member_id: int, scorecard_id: int
) -> set[date]:
    """The days of a household's visits on a scorecard (its months)."""
    v = household_visit.c
    return set(
        conn.execute(
            select(v.visited_on).where(
                v.programme_id == programme_id,
                v.member_id == member_id,
                v.scorecard_id == scorecard_id,
            )
        ).scalars()
    )


def household_changes(pid: int, end: date | None, candidates: Any) -> Any:
    """Per household (member, scorecard) of ``candidates`` (None: every one of the
    programme): its last visit ever (``last_ever``) and, over its visits by ``end``
    (None: all), the score change from the first to the last (ties on a day: by id),
    the day of the last (``last_on``) and how many (``visits``), as ``score_change``
    reads them (``kuza.reports.impact_figures``)."""
    v = household_visit.c
    key = (v.member_id, v.scorecard_id)
    source: Any = household_visit
    if candidates is not None:
        source = source.join(
            candidates,
            and_(
                candidates.c.member_id == v.member_id, candidates.c.scorecard_id == v.scorecard_id
            ),
        )
    every = (
        select(
            v.id,
            v.member_id,
            v.scorecard_id,
            v.visited_on,
            v.score,
            func.max(v.visited_on).over(partition_by=key).label("last_ever"),
        )
        .select_from(source)
        .where(v.programme_id == pid)
        .subquery("every")
    )
    w = every.c
    wkey = (w.member_id, w.scorecard_id)
    ranked = (
        select(
            w.member_id,
            w.scorecard_id,
            w.score,
            w.visited_on,
            w.last_ever,
            func.row_number().over(partition_by=wkey, order_by=(w.visited_on, w.id)).label("a"),
            func.row_number()
            .over(partition_by=wkey, order_by=(w.visited_on.desc(), w.id.desc()))
            .label("z"),
        )
        .where(w.visited_on <= end if end is not None else w.visited_on.is_not(None))
        .subquery("ranked")
    )
    r = ranked.c
    return (
        select(
            (
                func.sum(case((r.z == 1, r.score), else_=0))
                - func.sum(case((r.a == 1, r.score), else_=0))
            ).label("change"),
            func.max(case((r.z == 1, r.visited_on))).label("last_on"),
            func.max(r.last_ever).label("last_ever"),
            func.count().label("visits"),
        )
        .group_by(r.member_id, r.scorecard_id)
        .subquery("households")
    )


def touched_households(pid: int, ranges: Sequence[Range]) -> Any:
    v = household_visit.c
    return (
        select(v.member_id, v.scorecard_id)
        .where(v.programme_id == pid, in_ranges(v.visited_on, ranges))
        .distinct()
        .subquery("touched")
    )


# --- Close-day -----------------------------------------------------------------------


@dataclass(frozen=True)
class Summarised:
    programmes: int
    months: int  # (programme, month) summaries written


def _first_day(conn: Connection, pid: int) -> date | None:
    firsts = [
        conn.execute(
            select(func.min(job_event.c.on_date)).where(job_event.c.programme_id == pid)
        ).scalar(),
        conn.execute(
            select(func.min(training_session.c.held_on)).where(
                training_session.c.programme_id == pid
            )
        ).scalar(),
        conn.execute(
            select(func.min(household_visit.c.visited_on)).where(
                household_visit.c.programme_id == pid
            )
        ).scalar(),
    ]
    found = [d for d in firsts if d is not None]
    return min(found) if found else None


def _months_to_write(conn: Connection, pid: int, day: date, first: date | None) -> list[date]:
    """The months ended by ``day`` not summarised yet (from the month of ``first``), and
    the stale ones (their marks deleted here, before the months are recomputed)."""
    stale = set(
        conn.execute(
            delete(impact_stale).where(impact_stale.c.programme_id == pid)
            .returning(impact_stale.c.month)
        ).scalars()
    )  # fmt: skip
    done = set(
        conn.execute(select(impact_month.c.month).where(impact_month.c.programme_id == pid))
        .scalars()
    )  # fmt: skip
    ended_before = month_start(day + timedelta(days=1))  # months before it have ended
    todo = {m for m in stale if m in done or m < ended_before}
    month = month_start(first) if first is not None else ended_before
    while month < ended_before:
        if month not in done:
            todo.add(month)
        month = next_month(month)
    return sorted(todo)


def summarise_months(conn: Connection, day: date) -> Summarised:
    """Close-day's part: per programme, (re)write the summaries of the months ended by
    ``day`` and not yet summarised, and of the months marked stale."""
    written = 0
    pids = list(conn.execute(select(programme.c.id).order_by(programme.c.id)).scalars())
    for pid in pids:
        first = _first_day(conn, pid)
        months = _months_to_write(conn, pid, day, first)
        if months:
            _write(conn, pid, months, day, first)
            written += len(months)
    return Summarised(len(pids), written)


def _write(conn: Connection, pid: int, months: list[date], day: date, first: date | None) -> None:
    ranges = merge(months)
    for table in (job_month, job_month_enterprise, training_month, visit_month, impact_month):
        conn.execute(delete(table).where(table.c.programme_id == pid, table.c.month.in_(months)))
    _write_jobs(conn, pid, ranges)
    # every pair is a candidate when the months run from the first session on
    since = ranges[0][0]
    everything = len(ranges) == 1 and since is not None and (first is None or since <= first)
    pairs = pair_shapes(conn, pid, None, None if everything else touched_pairs(pid, ranges))
    p = pairs.c
    last = month_of(conn, p.last)
    conn.execute(
        insert(training_month).from_select(
            ["programme_id", "month", "module_id", "held", "came", "centi", "pairs"],
            select(literal(pid), last, p.module_id, p.held, p.came, p.centi, func.count())
            .where(in_ranges(p.last, ranges))
            .group_by(last, p.module_id, p.held, p.came, p.centi),
        )
    )
    touched = None if everything else touched_households(pid, ranges)
    h = household_changes(pid, None, touched).c
    conn.execute(
        insert(visit_month).from_select(
            ["programme_id", "month", "last_on", "households", "change"],
            select(
                literal(pid), month_of(conn, h.last_on), h.last_on, func.count(), func.sum(h.change)
            )
            .where(h.visits > 1, in_ranges(h.last_on, ranges))
            .group_by(h.last_on),
        )
    )
    held = in_ranges(training_session.c.held_on, ranges)
    sessions = dict(conn.execute(sessions_by_month(conn, pid, held)).all())
    conn.execute(
        insert(impact_month),
        [
            {"programme_id": pid, "month": m, "sessions": int(sessions.get(m, 0)), "as_of": day}
            for m in months
        ],
    )


def _write_jobs(conn: Connection, pid: int, ranges: list[Range]) -> None:
    e = job_event.c
    dated = in_ranges(e.on_date, ranges)
    other = job_event.alias("other")
    touched = select(other.c.job_id).where(
        other.c.programme_id == pid, in_ranges(other.c.on_date, ranges)
    )
    irregular = _irregular(conn, pid, touched).where(e.job_id.not_in(live_jobs(pid)))
    conn.execute(
        insert(job_counted_live).from_select(
            [job_counted_live.c.job_id, job_counted_live.c.programme_id], irregular
        )
    )
    events = verified_events(pid, dated, e.job_id.not_in(live_jobs(pid))).subquery("events")
    rows = job_rows(conn, events).subquery("rows")
    conn.execute(
        insert(job_month).from_select(
            ["programme_id", *(c.name for c in rows.c)], select(literal(pid), *rows.c)
        )
    )
    made = created_enterprises(events).subquery("made")
    conn.execute(
        insert(job_month_enterprise).from_select(
            ["programme_id", "month", "enterprise_id"],
            select(literal(pid), month_of(conn, made.c.on_date), made.c.enterprise_id).distinct(),
        )
    )
