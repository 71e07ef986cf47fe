"""The programme dashboard: the impact figures of a scope and the jobs behind its charts.

A scope is a programme, optionally narrowed to branches and/or value chains (a donor's
funded scope, a branch manager's branch). For the whole programme the figures are
exactly :func:`kuza.reports.impact.impact_report`. For a narrowed scope only the figures
that can honestly be cut that way are given: jobs and enterprises of the scope's
enterprises; members reached and costs only for a scope of branches (members and costs
belong to branches, not to value chains). The charts count verified jobs created in
the period, as ``jobs_created`` does, so months, branches and value chains add up to it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Select, case, func, or_, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    branch,
    cost_entry,
    donor_scope,
    enterprise,
    job,
    member,
    membership,
    programme,
    savings_group,
    value_chain,
)
from kuza.domain.access import Principal, Role
from kuza.domain.errors import NotFound
from kuza.domain.jobs import count_jobs
from kuza.domain.metrics import Metric, cost_per_job, per_day, percent
from kuza.domain.money import Money
from kuza.reports.impact import (
    ImpactReport,
    figure_only,
    impact_report,
    job_events,
    report_period,
)
from kuza.reports.impact_figures import cost_sums
from kuza.reports.impact_months import JobTally, fresh_months, job_tally

MAX_MONTHS = 36
NO_CHAIN = "—"


@dataclass(frozen=True)
class Scope:
    programme_id: int
    branch_ids: frozenset[int] = frozenset()
    value_chain_ids: frozenset[int] = frozenset()
    personal_rows: bool = True  # False: figures only, never which rows (donors)

    @property
    def whole(self) -> bool:
        return not self.branch_ids and not self.value_chain_ids


@dataclass(frozen=True)
class Bar:
    label: str
    value: int


@dataclass(frozen=True)
class Dashboard:
    report: ImpactReport
    scope: Scope
    branches: tuple[str, ...]  # names of the scope's branches (empty: all)
    value_chains: tuple[str, ...]
    by_month: tuple[Bar, ...] = field(default=())
    by_branch: tuple[Bar, ...] = field(default=())
    by_value_chain: tuple[Bar, ...] = field(default=())
    as_of: date | None = None  # the close-day whose stored figures these are; None: live


def scope_for(db: Database, user: Principal, programme_id: int | None = None) -> Scope | None:
    """The dashboard scope of a user, None when her role has no dashboard. Admins pick a
    programme (the first when none is asked for); donors get the scope they fund."""
    with db.read() as conn:
        if user.role is Role.ADMIN:
            query = select(programme.c.id).order_by(programme.c.id)
            if programme_id is not None:
                query = query.where(programme.c.id == programme_id)
            found = conn.execute(query.limit(1)).scalar()
            return None if found is None else Scope(int(found))
        if user.programme_id is None or user.role is Role.FIELD_AGENT:
            return None
        if user.role in (Role.COUNTRY_MANAGER, Role.FINANCE):
            return Scope(user.programme_id)
        if user.role is Role.BRANCH_MANAGER:
            if user.branch_id is None:
                return None
            return Scope(user.programme_id, frozenset({user.branch_id}))
        rows = conn.execute(
            select(donor_scope.c.branch_id, donor_scope.c.value_chain_id).where(
                donor_scope.c.user_id == user.user_id,
                donor_scope.c.programme_id == user.programme_id,
            )
        ).all()
    return Scope(
        user.programme_id,
        frozenset(r.branch_id for r in rows if r.branch_id is not None),
        frozenset(r.value_chain_id for r in rows if r.value_chain_id is not None),
        personal_rows=False,
    )


def _names(conn: Connection, table: object, ids: frozenset[int]) -> tuple[str, ...]:
    t = branch if table is branch else value_chain
    return tuple(conn.execute(select(t.c.name).where(t.c.id.in_(ids)).order_by(t.c.name)).scalars())


def _jobs_of_scope(scope: Scope) -> Select[Any]:
    """The ids of the jobs at the scope's enterprises (an enterprise has a branch), as a
    query: the figures and charts count their events in SQL, never one row per job."""
    query = (
        select(job.c.id)
        .join(enterprise, enterprise.c.id == job.c.enterprise_id)
        .join(branch, branch.c.id == enterprise.c.branch_id)
        .where(job.c.programme_id == scope.programme_id)
    )
    if scope.branch_ids:
        query = query.where(enterprise.c.branch_id.in_(scope.branch_ids))
    if scope.value_chain_ids:
        query = query.where(enterprise.c.value_chain_id.in_(scope.value_chain_ids))
    return query


def _months(start: date, end: date) -> list[tuple[int, int]]:
    out = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out[-MAX_MONTHS:]


def _narrowed_metrics(
    conn: Connection,
    scope: Scope,
    currency: str,
    start: date,
    end: date,
    jobs: Select[Any],
    tally: JobTally | None,
) -> list[Metric]:
    """The figures that can be cut to the scope; ``tally``: the scope's jobs counted in
    SQL (figures only, no rows), None for every row."""
    figures = tally is not None
    if tally is not None:
        src: tuple[str, ...] = ()
        c, counted = tally.count, tally.events
    else:
        ids = set(conn.execute(jobs).scalars())
        events = [e for e in job_events(conn, scope.programme_id) if e.job_id in ids]
        c = count_jobs(events, start, end)
        src, counted = tuple(f"job_event:{i}" for i in c.event_ids), None
    days = (end - start).days + 1
    in_scope = "in the scope's enterprises"
    out = [
        Metric("jobs_created", "Jobs created (verified)", Decimal(c.jobs_created), "count",
               f"verified 'created' events in the period, {in_scope}", src, counted),
        Metric("fte_created", "FTE created", c.fte_created, "FTE", "full-time 1.0, part 0.5", src,
               counted),
        Metric("jobs_grown", "Jobs grown (verified)", Decimal(c.jobs_grown), "count", "", src,
               counted),
        Metric("jobs_lost", "Jobs lost (verified)", Decimal(c.jobs_lost), "count", "", src,
               counted),
        Metric("net_fte", "Net new FTE", c.net_fte, "FTE", "created + grown − lost FTE", src,
               counted),
        Metric("jobs_created_per_day", "Jobs created per day", per_day(c.jobs_created, days),
               "count/day", f"jobs created ÷ {days} days in the period", src, counted),
    ]  # fmt: skip
    e = enterprise.c
    query = select(e.id).where(
        e.programme_id == scope.programme_id, e.status == "active", e.started_on <= end
    )
    if scope.branch_ids:
        query = query.where(e.branch_id.in_(scope.branch_ids))
    if scope.value_chain_ids:
        query = query.where(e.value_chain_id.in_(scope.value_chain_ids))
    if figures:
        n = int(conn.execute(select(func.count()).select_from(query.subquery())).scalar_one())
        active_src: tuple[str, ...] = ()
        active_n: int | None = n
    else:
        active = sorted(conn.execute(query).scalars())
        n, active_src, active_n = len(active), tuple(f"enterprise:{i}" for i in active), None
    out.append(
        Metric("enterprises_active", "Enterprises active", Decimal(n), "count",
               in_scope, active_src, active_n)
    )  # fmt: skip
    if scope.value_chain_ids:
        return out
    return [*out, *_branch_metrics(conn, scope, currency, start, end, c.jobs_created, figures)]


def _branch_metrics(
    conn: Connection,
    scope: Scope,
    currency: str,
    start: date,
    end: date,
    jobs_created: int,
    figures: bool,
) -> list[Metric]:
    """Costs and members reached of a scope of branches."""
    reached = (
        select(member.c.id, member.c.sex)
        .join(membership, membership.c.member_id == member.c.id)
        .join(savings_group, savings_group.c.id == membership.c.group_id)
        .where(
            member.c.programme_id == scope.programme_id,
            savings_group.c.branch_id.in_(scope.branch_ids),
            membership.c.joined_on <= end,
            or_(membership.c.left_on.is_(None), membership.c.left_on > start),
        )
        .distinct()
    )
    if figures:
        sums = cost_sums(conn, scope.programme_id, start, end, scope.branch_ids)
        minor = sum(m for m, _ in sums.values())
        cost_src: tuple[str, ...] = ()
        cost_n: int | None = sum(n for _, n in sums.values())
        people = reached.subquery()
        count, women = conn.execute(
            select(func.count(), func.count(case((people.c.sex == "F", 1))))
        ).one()
        reached_n, women_n = int(count), int(women)
        member_src: tuple[str, ...] = ()
        member_n: int | None = reached_n
    else:
        costs = conn.execute(
            select(cost_entry.c.id, cost_entry.c.amount_minor).where(
                cost_entry.c.programme_id == scope.programme_id,
                cost_entry.c.branch_id.in_(scope.branch_ids),
                cost_entry.c.period_end >= start,
                cost_entry.c.period_end <= end,
            )
        ).all()
        minor = sum(int(r.amount_minor) for r in costs)
        cost_src, cost_n = tuple(f"cost_entry:{r.id}" for r in costs), None
        rows = conn.execute(reached).all()
        reached_n, women_n = len(rows), sum(1 for r in rows if r.sex == "F")
        member_src, member_n = tuple(f"member:{i}" for i in sorted(r.id for r in rows)), None
    spent = Money.from_minor(minor, currency)
    per = cost_per_job(spent, jobs_created)
    return [
        Metric("programme_costs", "Programme costs", spent.amount, currency,
               "costs booked to the scope's branches", cost_src, cost_n),
        Metric("cost_per_job", "Cost per job", per.amount if per else None, currency,
               f"branch costs {spent.amount} ÷ {jobs_created} verified jobs created", cost_src,
               cost_n),
        Metric("members_reached", "Members reached", Decimal(reached_n), "count",
               "members of the scope's groups", member_src, member_n),
        Metric("women_share", "Share of women among members reached",
               percent(women_n, reached_n), "percent", "women ÷ members reached", member_src,
               member_n),
    ]  # fmt: skip


def _charts(
    conn: Connection, tally: JobTally, start: date, end: date
) -> tuple[tuple[Bar, ...], tuple[Bar, ...], tuple[Bar, ...]]:
    """Verified jobs created in the period (counted as ``jobs_created``) per month, branch
    and value chain, from the tally the figures come from."""
    branches = dict(
        conn.execute(select(branch.c.id, branch.c.name).where(branch.c.id.in_(tally.by_branch)))
        .all()
    )  # fmt: skip
    ids = [i for i in tally.by_chain if i is not None]
    chain_names = dict(
        conn.execute(select(value_chain.c.id, value_chain.c.name).where(value_chain.c.id.in_(ids)))
        .all()
    )  # fmt: skip
    by_branch = Counter[str]()
    for bid, n in tally.by_branch.items():
        by_branch[branches[bid]] += n
    chains = Counter[str]()
    for cid, n in tally.by_chain.items():
        chains[(chain_names.get(cid) if cid is not None else None) or NO_CHAIN] += n
    return (
        tuple(
            Bar(f"{y}-{m:02d}", tally.by_month.get(date(y, m, 1), 0))
            for y, m in _months(start, end)
        ),
        tuple(Bar(k, v) for k, v in sorted(by_branch.items())),
        tuple(Bar(k, v) for k, v in sorted(chains.items())),
    )


def _without_rows(report: ImpactReport) -> ImpactReport:
    return replace(report, metrics=tuple(replace(m, sources=()) for m in report.metrics))


def dashboard(
    db: Database,
    scope: Scope,
    start: date | None = None,
    end: date | None = None,
    figures_only: bool = False,
) -> Dashboard:
    """``figures_only``: the page's figures and row counts without the rows behind them
    (see :func:`kuza.reports.impact.impact_report`); the drill-down and exports need them.
    The scope's jobs are counted once (close-day's monthly summaries and the days they do
    not cover) for the charts and, with ``figures_only``, the figures. A narrowed scope
    computes its own figures only, never the whole programme's."""
    pid = scope.programme_id
    with db.read(consistent=True) as conn:
        prog, start, end = report_period(conn, pid, start, end or date.today())
        tally = job_tally(
            conn, pid, start, end, scope.branch_ids, scope.value_chain_ids, fresh_months(conn, pid)
        )
        charts = _charts(conn, tally, start, end)
        names = (
            _names(conn, branch, scope.branch_ids),
            _names(conn, value_chain, scope.value_chain_ids),
        )
        report = None
        if not scope.whole:
            metrics = _narrowed_metrics(
                conn,
                scope,
                prog.currency,
                start,
                end,
                _jobs_of_scope(scope),
                tally if figures_only else None,
            )
            if figures_only:
                metrics = [figure_only(m) for m in metrics]
            report = ImpactReport(pid, prog.code, prog.currency, start, end, tuple(metrics))
    if report is None:
        report = impact_report(
            db, pid, start, end, figures_only, jobs=tally if figures_only else None
        )
    if not scope.personal_rows:
        report = _without_rows(report)
    return Dashboard(report, scope, *names, *charts)


def programme_choices(db: Database) -> list[tuple[int, str]]:
    with db.read() as conn:
        rows = conn.execute(select(programme.c.id, programme.c.name).order_by(programme.c.id))
        return [(r.id, r.name) for r in rows]


def check_programme(db: Database, programme_id: int) -> None:
    with db.read() as conn:
        if conn.execute(select(programme.c.id).where(programme.c.id == programme_id)).first():
            return
    raise NotFound("no programme %(programme_id)s", field="programme", programme_id=programme_id)
