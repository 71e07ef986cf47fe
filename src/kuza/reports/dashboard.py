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

from sqlalchemy import Connection, or_, select

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
from kuza.domain.jobs import JobEventKind, count_jobs
from kuza.domain.metrics import Metric, cost_per_job, per_day, percent
from kuza.domain.money import Money
from kuza.reports.impact import ImpactReport, impact_report, job_events

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


def _jobs_of_scope(conn: Connection, scope: Scope) -> dict[int, tuple[str, str]]:
    """Job id → (branch name, value chain name) for the jobs at the scope's enterprises."""
    query = (
        select(job.c.id, branch.c.name.label("b"), value_chain.c.name.label("v"))
        .join(enterprise, enterprise.c.id == job.c.enterprise_id)
        .join(branch, branch.c.id == enterprise.c.branch_id)
        .outerjoin(value_chain, value_chain.c.id == enterprise.c.value_chain_id)
        .where(job.c.programme_id == scope.programme_id)
    )
    if scope.branch_ids:
        query = query.where(enterprise.c.branch_id.in_(scope.branch_ids))
    if scope.value_chain_ids:
        query = query.where(enterprise.c.value_chain_id.in_(scope.value_chain_ids))
    return {r.id: (r.b, r.v or NO_CHAIN) for r in conn.execute(query)}


def _months(start: date, end: date) -> list[tuple[int, int]]:
    out = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out[-MAX_MONTHS:]


def _narrowed_metrics(
    conn: Connection, scope: Scope, currency: str, start: date, end: date, jobs: set[int]
) -> list[Metric]:
    events = [e for e in job_events(conn, scope.programme_id) if e.job_id in jobs]
    c = count_jobs(events, start, end)
    src = tuple(f"job_event:{i}" for i in c.event_ids)
    days = (end - start).days + 1
    in_scope = "in the scope's enterprises"
    out = [
        Metric("jobs_created", "Jobs created (verified)", Decimal(c.jobs_created), "count",
               f"verified 'created' events in the period, {in_scope}", src),
        Metric("fte_created", "FTE created", c.fte_created, "FTE", "full-time 1.0, part 0.5", src),
        Metric("jobs_grown", "Jobs grown (verified)", Decimal(c.jobs_grown), "count", "", src),
        Metric("jobs_lost", "Jobs lost (verified)", Decimal(c.jobs_lost), "count", "", src),
        Metric("net_fte", "Net new FTE", c.net_fte, "FTE", "created + grown − lost FTE", src),
        Metric("jobs_created_per_day", "Jobs created per day", per_day(c.jobs_created, days),
               "count/day", f"jobs created ÷ {days} days in the period", src),
    ]  # fmt: skip
    e = enterprise.c
    query = select(e.id).where(
        e.programme_id == scope.programme_id, e.status == "active", e.started_on <= end
    )
    if scope.branch_ids:
        query = query.where(e.branch_id.in_(scope.branch_ids))
    if scope.value_chain_ids:
        query = query.where(e.value_chain_id.in_(scope.value_chain_ids))
    active = sorted(conn.execute(query).scalars())
    out.append(
        Metric("enterprises_active", "Enterprises active", Decimal(len(active)), "count",
               in_scope, tuple(f"enterprise:{i}" for i in active))
    )  # fmt: skip
    if scope.value_chain_ids:
        return out
    costs = conn.execute(
        select(cost_entry.c.id, cost_entry.c.amount_minor).where(
            cost_entry.c.programme_id == scope.programme_id,
            cost_entry.c.branch_id.in_(scope.branch_ids),
            cost_entry.c.period_end >= start,
            cost_entry.c.period_end <= end,
        )
    ).all()
    spent = Money.from_minor(sum(int(r.amount_minor) for r in costs), currency)
    per = cost_per_job(spent, c.jobs_created)
    cost_src = tuple(f"cost_entry:{r.id}" for r in costs)
    people = conn.execute(
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
    ).all()
    women = sum(1 for r in people if r.sex == "F")
    member_src = tuple(f"member:{i}" for i in sorted(r.id for r in people))
    return [
        *out,
        Metric("programme_costs", "Programme costs", spent.amount, currency,
               "costs booked to the scope's branches", cost_src),
        Metric("cost_per_job", "Cost per job", per.amount if per else None, currency,
               f"branch costs {spent.amount} ÷ {c.jobs_created} verified jobs created", cost_src),
        Metric("members_reached", "Members reached", Decimal(len(people)), "count",
               "members of the scope's groups", member_src),
        Metric("women_share", "Share of women among members reached",
               percent(women, len(people)), "percent", "women ÷ members reached", member_src),
    ]  # fmt: skip


def _charts(
    conn: Connection, scope: Scope, start: date, end: date, jobs: dict[int, tuple[str, str]]
) -> tuple[tuple[Bar, ...], tuple[Bar, ...], tuple[Bar, ...]]:
    events = [e for e in job_events(conn, scope.programme_id) if e.job_id in jobs]
    counted = set(count_jobs(events, start, end).event_ids)
    created = [e for e in events if e.id in counted and e.kind is JobEventKind.CREATED]
    months = Counter((e.on.year, e.on.month) for e in created)
    branches = Counter(jobs[e.job_id][0] for e in created)
    chains = Counter(jobs[e.job_id][1] for e in created)
    return (
        tuple(Bar(f"{y}-{m:02d}", months[(y, m)]) for y, m in _months(start, end)),
        tuple(Bar(k, v) for k, v in sorted(branches.items())),
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
    (see :func:`kuza.reports.impact.impact_report`); the drill-down and exports need them."""
    full = impact_report(db, scope.programme_id, start, end, figures_only)
    with db.read() as conn:
        jobs = _jobs_of_scope(conn, scope)
        report = full
        if not scope.whole:
            metrics = _narrowed_metrics(conn, scope, full.currency, full.start, full.end, set(jobs))
            report = replace(full, metrics=tuple(metrics))
        if not scope.personal_rows:
            report = _without_rows(report)
        month, by_branch, by_chain = _charts(conn, scope, full.start, full.end, jobs)
        return Dashboard(
            report,
            scope,
            _names(conn, branch, scope.branch_ids),
            _names(conn, value_chain, scope.value_chain_ids),
            month,
            by_branch,
            by_chain,
        )


def programme_choices(db: Database) -> list[tuple[int, str]]:
    with db.read() as conn:
        rows = conn.execute(select(programme.c.id, programme.c.name).order_by(programme.c.id))
        return [(r.id, r.name) for r in rows]


def check_programme(db: Database, programme_id: int) -> None:
    with db.read() as conn:
        if conn.execute(select(programme.c.id).where(programme.c.id == programme_id)).first():
            return
    raise NotFound("no programme %(programme_id)s", field="programme", programme_id=programme_id)
