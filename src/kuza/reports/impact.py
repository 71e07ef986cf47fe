"""The impact report: jobs, cost per job, outreach and savings, from the records.

Plain queries returning dataclasses; the formulas are in ``kuza.domain.jobs`` and
``kuza.domain.metrics``. Definitions are written out in ``docs/impact.md``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, or_, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    cost_entry,
    enterprise,
    enterprise_check,
    job,
    job_event,
    job_verification,
    journal_entry,
    journal_line,
    ledger_account,
    member,
    membership,
    programme,
    savings_group,
    training_attendance,
    training_module,
    training_session,
)
from kuza.domain.costs import Stage
from kuza.domain.errors import DomainError, NotFound
from kuza.domain.jobs import JobCount, JobEventKind, JobEventRow, count_jobs
from kuza.domain.ledger import AccountCode
from kuza.domain.metrics import Metric, cost_per_job, per_day, percent
from kuza.domain.money import Money
from kuza.domain.training import (
    Attendance,
    MaterialFormat,
    TrainingCategory,
    TrainingModule,
    TrainingRules,
    progress,
    training_rules,
)
from kuza.reports.arrears import last_close_day, portfolio, summary_portfolio
from kuza.reports.impact_figures import active_enterprises, cost_sums, reach_counts, savings_sum
from kuza.reports.impact_months import JobTally, families, fresh_months, job_tally, training_tally
from kuza.reports.impact_stages import (
    credit_metrics,
    household_metric,
    insurance_metrics,
    market_metrics,
)

SAVINGS_CODES = (AccountCode.MEMBER_SAVINGS, AccountCode.VOLUNTARY_SAVINGS, AccountCode.PASSBOOK)


@dataclass(frozen=True)
class ImpactReport:
    programme_id: int
    programme_code: str
    currency: str
    start: date
    end: date
    metrics: tuple[Metric, ...]

    def metric(self, code: str) -> Metric:
        for m in self.metrics:
            if m.code == code:
                return m
        raise KeyError(code)


def job_events(conn: Connection, programme_id: int) -> list[JobEventRow]:
    rows = conn.execute(
        select(
            job_event.c.id,
            job_event.c.job_id,
            job_event.c.kind,
            job_event.c.on_date,
            job_event.c.fte_change,
            job_verification.c.verified_on,
        )
        .select_from(
            job_event.outerjoin(job_verification, job_verification.c.event_id == job_event.c.id)
        )
        .where(job_event.c.programme_id == programme_id)
        .order_by(job_event.c.id)
    )
    verified: dict[int, list[date]] = defaultdict(list)
    heads: dict[int, tuple[int, str, date, Decimal]] = {}
    for r in rows:
        heads[r.id] = (r.job_id, r.kind, r.on_date, Decimal(r.fte_change))
        if r.verified_on is not None:
            verified[r.id].append(r.verified_on)
    return [
        JobEventRow(i, j, JobEventKind(k), on, fte, tuple(verified[i]))
        for i, (j, k, on, fte) in heads.items()
    ]


def _jobs(
    conn: Connection, pid: int, start: date, end: date, tally: JobTally | None
) -> tuple[list[Metric], list[int]]:
    """``tally``: the figures counted in SQL (the dashboard), None for every row."""
    if tally is not None:
        return _job_metrics(tally.count, start, end, (), tally.events), []
    events = job_events(conn, pid)
    c = count_jobs(events, start, end)
    src = tuple(f"job_event:{i}" for i in c.event_ids)
    created_ids = {e.job_id for e in events if e.id in c.event_ids and e.kind == "created"}
    return _job_metrics(c, start, end, src, None), sorted(created_ids)


def _job_metrics(
    c: JobCount, start: date, end: date, src: tuple[str, ...], counted: int | None
) -> list[Metric]:
    days = (end - start).days + 1
    metrics = [
        Metric(
            "jobs_created",
            "Jobs created (verified)",
            Decimal(c.jobs_created),
            "count",
            "jobs whose one 'created' event happened in the period and is verified",
            src,
        ),
        Metric("fte_created", "FTE created", c.fte_created, "FTE", "full-time 1.0, part 0.5", src),
        Metric(
            "jobs_grown",
            "Jobs grown (verified)",
            Decimal(c.jobs_grown),
            "count",
            "jobs with a verified 'grown' event in the period, each job once",
            src,
        ),
        Metric("jobs_lost", "Jobs lost (verified)", Decimal(c.jobs_lost), "count", "", src),
        Metric("net_fte", "Net new FTE", c.net_fte, "FTE", "created + grown − lost FTE", src),
        Metric(
            "jobs_created_per_day",
            "Jobs created per day",
            per_day(c.jobs_created, days),
            "count/day",
            f"jobs created ÷ {days} days in the period",
            src,
        ),
    ]
    return [replace(m, counted=counted) for m in metrics]


def _costs(
    conn: Connection, pid: int, currency: str, start: date, end: date, jobs: int, figures: bool
) -> list[Metric]:
    """Costs whose period ends in [start, end] ÷ verified jobs created, in all and per
    stage; ``figures``: summed per stage in SQL (each figure counts its entries)."""
    if figures:
        sums = cost_sums(conn, pid, start, end)
        summed = {s: Money.from_minor(sums.get(s.value, (0, 0))[0], currency) for s in Stage}
        counted: dict[Stage | None, int] = {s: sums.get(s.value, (0, 0))[1] for s in Stage}
        counted[None] = sum(n for _, n in sums.values())
        return _cost_metrics(currency, jobs, summed, {}, counted)
    rows = conn.execute(
        select(cost_entry.c.id, cost_entry.c.stage, cost_entry.c.amount_minor).where(
            cost_entry.c.programme_id == pid,
            cost_entry.c.period_end >= start,
            cost_entry.c.period_end <= end,
        )
    ).all()
    spent: dict[Stage, Money] = {}
    src: dict[Stage | None, tuple[str, ...]] = {}
    for stage in Stage:
        mine = [r for r in rows if r.stage == stage.value]
        spent[stage] = sum(
            (Money.from_minor(r.amount_minor, currency) for r in mine), Money.zero(currency)
        )
        src[stage] = tuple(f"cost_entry:{r.id}" for r in mine)
    # every entry in the order read (an entry of another stage number too)
    src_all = tuple(f"cost_entry:{r.id}" for r in rows)
    src[None] = src_all
    return _cost_metrics(currency, jobs, spent, src, None)


def _cost_metrics(
    currency: str,
    jobs: int,
    spent: dict[Stage, Money],
    src: dict[Stage | None, tuple[str, ...]],
    counted: dict[Stage | None, int] | None,
) -> list[Metric]:
    out = []
    total = Money.zero(currency)
    for stage in Stage:
        total = total + spent[stage]
        per = cost_per_job(spent[stage], jobs)
        out.append(
            Metric(
                f"cost_per_job_stage_{stage.value}",
                f"Cost per job, stage {stage.value} ({stage.name.lower()})",
                per.amount if per else None,
                currency,
                f"stage {stage.value} costs {spent[stage].amount} ÷ {jobs} verified jobs created",
                src.get(stage, ()),
                None if counted is None else counted[stage],
            )
        )
    per = cost_per_job(total, jobs)
    srcs = src.get(None, ())
    n = None if counted is None else counted[None]
    return [
        Metric("programme_costs", "Programme costs", total.amount, currency, "", srcs, n),
        Metric(
            "cost_per_job",
            "Cost per job",
            per.amount if per else None,
            currency,
            f"all costs {total.amount} ÷ {jobs} verified jobs created",
            srcs,
            n,
        ),
        *out,
    ]


def _reach(conn: Connection, pid: int, start: date, end: date, figures: bool) -> list[Metric]:
    if figures:
        reached, women = reach_counts(conn, pid, start, end)
        return _reach_metrics(reached, women, (), reached)
    rows = conn.execute(
        select(member.c.id, member.c.sex)
        .join(membership, membership.c.member_id == member.c.id)
        .where(
            member.c.programme_id == pid,
            membership.c.joined_on <= end,
            or_(membership.c.left_on.is_(None), membership.c.left_on > start),
        )
        .distinct()
    ).all()
    women = sum(1 for r in rows if r.sex == "F")
    src = tuple(f"member:{i}" for i in sorted(r.id for r in rows))  # ints: rows compare slowly
    return _reach_metrics(len(rows), women, src, None)


def _reach_metrics(
    reached: int, women: int, src: tuple[str, ...], counted: int | None
) -> list[Metric]:
    return [
        Metric("members_reached", "Members reached", Decimal(reached), "count", "", src, counted),
        Metric(
            "women_share",
            "Share of women among members reached",
            percent(women, reached),
            "percent",
            "women ÷ members in a group at any time in the period",
            src,
            counted,
        ),
    ]


def _enterprises(
    conn: Connection,
    pid: int,
    start: date,
    end: date,
    job_ids: list[int],
    months: dict[date, int] | None,
) -> list[Metric]:
    """``months``: the summarised months (:func:`fresh_months`) when the figures are
    counted in SQL, None for every row."""
    if months is not None:
        active_n = active_enterprises(conn, pid, end)
        people, with_jobs_n = families(conn, pid, start, end, months)
        return _enterprise_metrics(active_n, (), people, (), (active_n, with_jobs_n))
    active = conn.execute(
        select(enterprise.c.id).where(
            enterprise.c.programme_id == pid,
            enterprise.c.status == "active",
            enterprise.c.started_on <= end,
        )
    ).scalars()
    active_src = tuple(f"enterprise:{i}" for i in sorted(active))
    with_jobs = sorted(
        set(conn.execute(select(job.c.enterprise_id).where(job.c.id.in_(job_ids))).scalars())
    )
    people = 0
    for eid in with_jobs:
        latest = conn.execute(
            select(enterprise_check.c.household_size)
            .where(enterprise_check.c.enterprise_id == eid, enterprise_check.c.checked_on <= end)
            .order_by(enterprise_check.c.checked_on.desc(), enterprise_check.c.id.desc())
            .limit(1)
        ).scalar()
        if latest is None:
            latest = conn.execute(
                select(enterprise.c.household_size).where(enterprise.c.id == eid)
            ).scalar_one()
        people += int(latest)
    src = tuple(f"enterprise:{i}" for i in with_jobs)
    return _enterprise_metrics(len(active_src), active_src, people, src, (None, None))


def _enterprise_metrics(
    active: int,
    active_src: tuple[str, ...],
    people: int,
    src: tuple[str, ...],
    counted: tuple[int | None, int | None],
) -> list[Metric]:
    return [
        Metric(
            "enterprises_active",
            "Enterprises active",
            Decimal(active),
            "count",
            "",
            active_src,
            counted[0],
        ),
        Metric(
            "family_members_benefiting",
            "Family members benefiting",
            Decimal(people),
            "count",
            "household size (latest check by the end date) of enterprises with a job counted",
            src,
            counted[1],
        ),
    ]


def _savings(conn: Connection, pid: int, currency: str, end: date, figures: bool) -> Metric:
    if figures:
        # The entries are not counted: that would read every savings line again.
        held = -savings_sum(conn, pid, SAVINGS_CODES, end)
        return replace(_savings_metric(held, currency, (), None), listed=False)
    rows = conn.execute(
        select(journal_line.c.entry_id, func.sum(journal_line.c.amount_minor).label("minor"))
        .join(ledger_account, ledger_account.c.id == journal_line.c.account_id)
        .join(journal_entry, journal_entry.c.id == journal_line.c.entry_id)
        .where(
            journal_line.c.programme_id == pid,
            ledger_account.c.code.in_([c.value for c in SAVINGS_CODES]),
            journal_entry.c.posted_on <= end,
        )
        .group_by(journal_line.c.entry_id)
        .order_by(journal_line.c.entry_id)
    ).all()
    held = -sum(int(r.minor) for r in rows)
    return _savings_metric(held, currency, tuple(f"journal_entry:{r.entry_id}" for r in rows), None)


def _savings_metric(held: int, currency: str, src: tuple[str, ...], counted: int | None) -> Metric:
    """``held``: minus the lines' sum, as savings are credits (liabilities)."""
    return Metric(
        "savings_mobilised",
        "Savings mobilised",
        Money.from_minor(held, currency).amount,
        currency,
        "members' compulsory, voluntary and passbook savings held on the end date (ledger)",
        src,
        counted,
    )


def _training(
    conn: Connection, pid: int, settings: object, end: date, months: dict[date, int] | None
) -> Metric:
    rules = training_rules(settings if isinstance(settings, dict) else {})
    if months is not None:
        done, taught, sessions = training_tally(conn, pid, end, rules, months)
        return _training_metric(done, taught, rules, (), sessions)
    rows = conn.execute(
        select(
            training_attendance.c.member_id,
            training_session.c.id.label("session_id"),
            training_session.c.hours,
            training_attendance.c.present,
            training_module.c.id.label("module_id"),
            training_module.c.code,
            training_module.c.expected_hours,
        )
        .join(training_session, training_session.c.id == training_attendance.c.session_id)
        .join(training_module, training_module.c.id == training_session.c.module_id)
        .where(training_session.c.programme_id == pid, training_session.c.held_on <= end)
    ).all()
    pairs: dict[tuple[int, int], list[Attendance]] = defaultdict(list)
    modules: dict[int, TrainingModule] = {}
    for r in rows:
        modules[r.module_id] = TrainingModule(
            r.module_id,
            r.code,
            r.code,
            TrainingCategory.BUSINESS,
            Decimal(r.expected_hours),
            MaterialFormat.TEXT,
        )
        pairs[(r.member_id, r.module_id)].append(
            Attendance(r.session_id, Decimal(r.hours), bool(r.present))
        )
    done = sum(1 for (_, m), a in pairs.items() if progress(modules[m], a, rules).completed)
    src = tuple(sorted({f"training_session:{r.session_id}" for r in rows}))
    return _training_metric(done, len(pairs), rules, src, None)


def _training_metric(
    done: int, taught: int, rules: TrainingRules, src: tuple[str, ...], counted: int | None
) -> Metric:
    return Metric(
        "training_completion",
        "Training completion",
        percent(done, taught),
        "percent",
        f"(member, module) pairs completed ÷ pairs taught; rule: ≥ {rules.min_percent}% of "
        f"{rules.basis.value}",
        src,
        counted,
    )


def _currency(db: Database, programme_id: int) -> str:
    with db.read() as conn:
        found = conn.execute(
            select(programme.c.currency).where(programme.c.id == programme_id)
        ).scalar()
    if found is None:
        raise NotFound(
            "no programme %(programme_id)s", field="programme_id", programme_id=programme_id
        )
    return str(found)


def report_period(
    conn: Connection, programme_id: int, start: date | None, end: date
) -> tuple[Any, date, date]:
    """(the programme's row, the period's start, its end): the start defaults to the day
    the programme's first group formed."""
    prog = conn.execute(select(programme).where(programme.c.id == programme_id)).first()
    if prog is None:
        raise NotFound(
            "no programme %(programme_id)s", field="programme_id", programme_id=programme_id
        )
    if start is None:
        first = conn.execute(
            select(func.min(savings_group.c.formed_on)).where(
                savings_group.c.programme_id == programme_id
            )
        ).scalar()
        start = first or end
    if end < start:
        raise DomainError("the end date is before the start date", field="to")
    return prog, start, end


def impact_report(
    db: Database,
    programme_id: int,
    start: date | None = None,
    end: date | None = None,
    figures_only: bool = False,
    *,
    jobs: JobTally | None = None,
) -> ImpactReport:
    """``figures_only``: each figure with how many rows it comes from (``counted``) but
    not the rows, by SQL aggregates where they are done (the dashboard page; jobs,
    training and score changes from close-day's monthly summaries and the days they do
    not cover); the
    same figures as the full report, whose ``sources`` the drill-down and exports need.
    ``jobs``: the period's job tally when the caller counted it already (the dashboard
    also draws its charts from it)."""
    end = end or date.today()
    # A period reaching the last close-day shows its stored figures, as PAR does (fast at
    # any size: its summary rows); a period ending before it is computed from the book as
    # of its end.
    closed = last_close_day(db, programme_id)
    currency = _currency(db, programme_id)
    if closed is not None and closed <= end:
        book = summary_portfolio(db, programme_id, currency) or portfolio(
            db, programme_id, currency, closed
        )
    else:
        book = portfolio(db, programme_id, currency, end)
    with db.read(consistent=figures_only) as conn:
        prog, start, end = report_period(conn, programme_id, start, end)
        months = fresh_months(conn, programme_id) if figures_only else None
        if months is not None and jobs is None:
            jobs = job_tally(conn, programme_id, start, end, months=months)
        job_metrics, created_job_ids = _jobs(
            conn, programme_id, start, end, jobs if figures_only else None
        )
        created = int(job_metrics[0].value or 0)
        metrics = [
            *job_metrics,
            *_costs(conn, programme_id, prog.currency, start, end, created, figures_only),
            *_reach(conn, programme_id, start, end, figures_only),
            *_enterprises(conn, programme_id, start, end, created_job_ids, months),
            _savings(conn, programme_id, prog.currency, end, figures_only),
            _training(conn, programme_id, prog.settings, end, months),
            *credit_metrics(conn, programme_id, prog.currency, start, end, book, figures_only),
            *market_metrics(conn, programme_id, start, end, figures_only),
            *insurance_metrics(conn, programme_id, end, figures_only),
            household_metric(conn, programme_id, start, end, months),
        ]
        if figures_only:
            metrics = [figure_only(m) for m in metrics]
        return ImpactReport(programme_id, prog.code, prog.currency, start, end, tuple(metrics))


def figure_only(m: Metric) -> Metric:
    """A figure without its rows: counted by the query (aggregated metrics) or by
    counting the rows it was computed from (the metrics still computed row by row)."""
    if not m.listed:
        return m
    counted = len(m.sources) if m.counted is None else m.counted
    return replace(m, sources=(), counted=counted, listed=False)
