"""The dashboard from close-day's monthly summaries (jobs, training) equals the full
count from every row: after close-days, and after job events, verifications and
training sessions recorded since (back-dated into summarised months too), for the
whole programme and narrowed scopes, over whole and partial months. The writers mark
the months they touch stale in their transaction; without the mark the summary would
be read stale (shown by a row written around the services)."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, insert, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.impact_months import mark_stale
from kuza.adapters.db.schema import (
    branch,
    enterprise,
    impact_stale,
    job,
    job_counted_live,
    job_event,
    job_verification,
    metadata,
    programme,
    training_attendance,
    training_module,
    training_session,
    value_chain,
)
from kuza.domain.errors import DomainError
from kuza.domain.groups import Sex
from kuza.domain.jobs import JobEventKind, JobRole, VerificationMethod
from kuza.domain.training import (
    Attendance,
    MaterialFormat,
    TrainingCategory,
    TrainingModule,
    progress,
    training_rules,
)
from kuza.reports.dashboard import Scope, dashboard
from kuza.reports.impact_months import fresh_months, job_tally, training_tally
from kuza.services import groups, jobs, training, visits
from kuza.services.loans.close_day import close_day
from tests.reports.test_impact import build
from tests.reports.test_impact_figures import assert_same, assert_same_board, rich
from tests.services.test_visits import GRID

TODAY = date(2026, 7, 20)
PHONE = VerificationMethod.PHONE
PERIODS = [
    (None, date(2026, 6, 30)),
    (None, TODAY),
    (date(2026, 1, 1), date(2026, 3, 31)),  # whole months
    (date(2026, 2, 14), date(2026, 4, 20)),  # partial at both ends
    (date(2026, 3, 3), date(2026, 3, 25)),  # inside one month
    (date(2025, 12, 1), date(2025, 12, 31)),
]


def scopes(db: Database, pid: int) -> list[Scope]:
    with db.read() as conn:
        branches = list(conn.execute(select(branch.c.id).order_by(branch.c.id)).scalars())
        chains = list(conn.execute(select(value_chain.c.id).order_by(value_chain.c.id)).scalars())
    out = [Scope(pid), *(Scope(pid, frozenset({b})) for b in branches)]
    if chains:
        out.append(Scope(pid, frozenset(branches), frozenset(chains[:1])))
    return out


def training_by_rows(db: Database, pid: int, end: date) -> tuple[int, int, int]:
    """(pairs completed, pairs taught, sessions) from every attendance line, by the
    domain's ``progress``: the reference the tally must equal, figure by figure (a pair
    counted twice can leave the completion percentage unchanged)."""
    a, s, m = training_attendance.c, training_session.c, training_module.c
    with db.read() as conn:
        rows = conn.execute(
            select(a.member_id, s.id, s.hours, a.present, m.id.label("module_id"), m.expected_hours)
            .join(training_session, s.id == a.session_id)
            .join(training_module, m.id == s.module_id)
            .where(s.programme_id == pid, s.held_on <= end)
        ).all()
        settings = conn.execute(select(programme.c.settings).where(programme.c.id == pid)).scalar()
    rules = training_rules(settings or {})
    pairs: dict[tuple[int, int], list[Attendance]] = defaultdict(list)
    modules = {}
    for r in rows:
        modules[r.module_id] = TrainingModule(
            r.module_id, "m", "m", TrainingCategory.BUSINESS, Decimal(r.expected_hours),
            MaterialFormat.TEXT,
        )  # fmt: skip
        pairs[(r.member_id, r.module_id)].append(Attendance(r.id, Decimal(r.hours), r.present))
    done = sum(1 for (_, mid), got in pairs.items() if progress(modules[mid], got, rules).completed)
    return done, len(pairs), len({r.id for r in rows})


def same_everywhere(db: Database, pid: int, periods: list[Any] = PERIODS) -> None:
    for start, end in periods:
        assert_same(db, pid, start, end)
        with db.read(consistent=True) as conn:
            settings = conn.execute(
                select(programme.c.settings).where(programme.c.id == pid)
            ).scalar()
            tally = training_tally(conn, pid, end, training_rules(settings or {}))
        assert tally == training_by_rows(db, pid, end)
        for scope in scopes(db, pid):
            assert_same_board(db, scope, start, end)


def summarised(db: Database, pid: int, start: date, end: date) -> int:
    """How many whole months of the period the dashboard reads from the summaries."""
    with db.read() as conn:
        return job_tally(conn, pid, start, end).months_summarised


def marks(db: Database) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(impact_stale)).scalar_one())


def test_the_summaries_give_the_full_count(db: Database) -> None:
    """The rich book: jobs created twice, grown in several months, lost twice, events
    verified before they happened; sessions of odd hours; two branches and chains."""
    pid = rich(db)
    same_everywhere(db, pid)  # nothing summarised: everything counted live
    assert summarised(db, pid, date(2026, 1, 1), date(2026, 3, 31)) == 0
    result = close_day(db, date(2026, 4, 15), "system")
    assert result.impact_months == 4  # December to March
    with db.read() as conn:
        months = sorted(fresh_months(conn, pid))
        irregular = conn.execute(select(func.count()).select_from(job_counted_live)).scalar_one()
    assert months == [date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert irregular > 0  # the book's jobs created or lost twice, grown in two months
    assert summarised(db, pid, date(2026, 1, 1), date(2026, 3, 31)) == 3
    same_everywhere(db, pid)
    assert close_day(db, date(2026, 4, 15), "system").impact_months == 0  # nothing new
    assert close_day(db, date(2026, 6, 30), "system").impact_months == 3  # April to June
    same_everywhere(db, pid)


def test_a_row_written_around_the_services_is_read_stale_until_marked(db: Database) -> None:
    """What the stale marks are for: a verified job event put into a summarised month
    without a mark is not seen by the summary; marking the month makes it read live."""
    pid = build(db)
    close_day(db, date(2026, 4, 15), "system")
    period = (date(2026, 3, 1), date(2026, 3, 31))
    same_everywhere(db, pid, [period])
    with db.transaction() as conn:
        some_job = conn.execute(select(job.c.id).order_by(job.c.id.desc())).scalars().first()
        ev = conn.execute(
            insert(job_event)
            .values(programme_id=pid, job_id=some_job, kind="grown", on_date=date(2026, 3, 28),
                    fte_change=Decimal("0.5"), recorded_by="t")
            .returning(job_event.c.id)
        ).scalar_one()  # fmt: skip
        conn.execute(
            insert(job_verification).values(
                programme_id=pid, event_id=ev, verified_by="t", method="phone",
                verified_on=date(2026, 3, 29),
            )
        )  # fmt: skip
    stale = dashboard(db, Scope(pid), *period, figures_only=True).report.metric("jobs_grown")
    full = dashboard(db, Scope(pid), *period).report.metric("jobs_grown")
    assert (stale.value, full.value) == (1, 2)  # the summary of March missed the event
    with db.transaction() as conn:
        mark_stale(conn, pid, [date(2026, 3, 28)])
    same_everywhere(db, pid, [period])
    close_day(db, date(2026, 4, 16), "system")  # March recomputed, the mark gone
    assert marks(db) == 0
    assert summarised(db, pid, *period) == 1
    same_everywhere(db, pid, [period])


def _job_of(db: Database, event_id: int) -> int:
    with db.read() as conn:
        return int(
            conn.execute(select(job_event.c.job_id).where(job_event.c.id == event_id)).scalar_one()
        )


def test_writes_after_a_close_day_are_counted_at_once(db: Database) -> None:
    """Back-dated job events, verifications and sessions into summarised months, a job
    grown in a second month (no longer summed by month), through the services."""
    pid = build(db)
    with db.read() as conn:
        e1, e2 = conn.execute(select(enterprise.c.id).order_by(enterprise.c.id)).scalars().all()
        unverified = conn.execute(
            select(job_event.c.id)
            .outerjoin(job_verification, job_verification.c.event_id == job_event.c.id)
            .where(job_verification.c.id.is_(None))
        ).scalar_one()
    periods = [(None, TODAY), (date(2026, 2, 1), date(2026, 3, 31)), (date(2026, 3, 5), TODAY)]
    close_day(db, date(2026, 4, 15), "system")  # February and March summarised
    assert summarised(db, pid, date(2026, 2, 1), date(2026, 3, 31)) == 2
    same_everywhere(db, pid, periods)
    # a job created back in February, verified
    ev = jobs.record_job_created(
        db, jobs.NewJob(e2, JobRole.EMPLOYEE, date(2026, 2, 10), "20", None, "Amina", Sex.FEMALE)
    )
    assert marks(db) == 1
    jobs.verify_job_event(db, ev, date(2026, 2, 11), PHONE, "Asha", TODAY)
    same_everywhere(db, pid, periods)
    # the March job never verified, verified now
    jobs.verify_job_event(db, unverified, date(2026, 4, 20), PHONE, "Asha", TODAY)
    same_everywhere(db, pid, periods)
    # Amina's job grown in March and again in April: grown in two months
    amina = _job_of(db, ev)
    for day in (date(2026, 3, 30), date(2026, 4, 21)):
        grown = jobs.record_job_change(
            db, amina, JobEventKind.GROWN, day, "40" if day.month == 4 else "30"
        )
        jobs.verify_job_event(db, grown, day, PHONE, "Asha", TODAY)
        same_everywhere(db, pid, periods)
    # a session back-dated into March, members of another session of the module too
    world_members = _members(db)
    training.record_session(
        db, _group(db), "credit-management", "Asha", date(2026, 3, 24), "1", world_members[1:3]
    )
    same_everywhere(db, pid, periods)
    close_day(db, date(2026, 4, 30), "system")
    assert marks(db) == 0
    with db.read() as conn:
        live = set(conn.execute(select(job_counted_live.c.job_id)).scalars())
    assert live == {amina}
    assert summarised(db, pid, date(2026, 2, 1), date(2026, 3, 31)) == 2
    same_everywhere(db, pid, periods)
    # a job lost in a summarised month's tail, then the month closes
    lost = jobs.record_job_change(db, _job_of(db, unverified), JobEventKind.LOST, date(2026, 4, 28))
    jobs.verify_job_event(db, lost, date(2026, 4, 29), PHONE, "Asha", TODAY)
    same_everywhere(db, pid, periods)
    close_day(db, date(2026, 5, 1), "system")
    same_everywhere(db, pid, periods)
    assert e1  # E1 keeps its jobs


def _members(db: Database) -> list[int]:
    from kuza.adapters.db.schema import member

    with db.read() as conn:
        return list(conn.execute(select(member.c.id).order_by(member.c.id)).scalars())


def _group(db: Database) -> int:
    from kuza.adapters.db.schema import savings_group

    with db.read() as conn:
        return int(conn.execute(select(func.min(savings_group.c.id))).scalar_one())


OPS = st.lists(
    st.tuples(
        st.sampled_from(["create", "grow", "lose", "verify", "session", "visit", "close"]),
        st.integers(0, 9),  # which enterprise / job / event / members
        st.integers(0, 140),  # days after 1 February 2026
    ),
    min_size=4,
    max_size=14,
)


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(OPS)
def test_any_sequence_of_writes_and_close_days_counts_as_the_rows(db: Database, ops: Any) -> None:
    with db.transaction() as conn:  # each example from an empty database
        for table in reversed(metadata.sorted_tables):
            conn.execute(delete(table))
    pid = build(db)
    visits.load_programme_scorecard(db, pid, json.dumps(GRID), date(2026, 1, 10))
    with db.read() as conn:
        ents = list(conn.execute(select(enterprise.c.id).order_by(enterprise.c.id)).scalars())
    members = _members(db)
    closed = date(2026, 2, 1)
    for n, (op, which, days) in enumerate(ops):
        on = date(2026, 2, 1) + timedelta(days=days)
        with db.read() as conn:
            job_ids = list(conn.execute(select(job.c.id).order_by(job.c.id)).scalars())
            open_events = list(
                conn.execute(
                    select(job_event.c.id)
                    .outerjoin(job_verification, job_verification.c.event_id == job_event.c.id)
                    .where(job_verification.c.id.is_(None))
                    .order_by(job_event.c.id)
                ).scalars()
            )
        try:
            if op == "create":
                jobs.record_job_created(
                    db,
                    jobs.NewJob(
                        ents[which % 2], JobRole.EMPLOYEE, on, "20", None, f"W{n}", Sex.MALE
                    ),
                )
            elif op in ("grow", "lose") and job_ids:
                kind = JobEventKind.GROWN if op == "grow" else JobEventKind.LOST
                hours = "40" if op == "grow" else None
                jobs.record_job_change(db, job_ids[which % len(job_ids)], kind, on, hours)
            elif op == "verify" and open_events:
                event_id = open_events[which % len(open_events)]
                with db.read() as conn:
                    day = conn.execute(
                        select(job_event.c.on_date).where(job_event.c.id == event_id)
                    ).scalar_one()
                jobs.verify_job_event(db, event_id, day + timedelta(days=which), PHONE, "A", TODAY)
            elif op == "session":
                present = [m for i, m in enumerate(members) if (which >> i) & 1]
                hours = ["0.5", "1", "1.25"][which % 3]
                training.record_session(
                    db, _group(db), "credit-management", "T", on, hours, present
                )
            elif op == "visit":
                visit(db, pid, members[which % len(members)], on, which)
            elif op == "close":
                closed = max(closed, on)
                close_day(db, closed, "system")
        except DomainError:
            pass  # refused: changes nothing
        if op in ("close", "session", "visit") or n == len(ops) - 1:
            for start, end in [
                (None, TODAY),
                (date(2026, 2, 1) + timedelta(days=which * 9), TODAY),
            ]:
                assert_same(db, pid, start, end)
                assert_same_board(db, Scope(pid, frozenset({_branch(db)})), start, end)


def _branch(db: Database) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.min(branch.c.id))).scalar_one())


def test_a_month_marked_for_one_write_keeps_the_other_months_right(db: Database) -> None:
    """A pair trained in March and April is summed in April (its last session); a job
    created in February and grown in March is summed by month until it grows again in
    April. Recomputing March alone, or reading it live, must not count them twice; a
    later session or event must mark the months of the pair's or job's earlier ones."""
    pid = build(db)
    m0 = _members(db)[0]
    # a member from April: her pair is taught in April alone
    groups.enrol_member(
        db, _group(db), groups.NewMember("Zawadi", Sex.FEMALE, 3, True), date(2026, 4, 1)
    )
    training.record_session(db, _group(db), "credit-management", "T", date(2026, 4, 7), "1", [m0])
    with db.read() as conn:
        e2 = conn.execute(select(func.max(enterprise.c.id))).scalar_one()
    ev = jobs.record_job_created(
        db, jobs.NewJob(e2, JobRole.EMPLOYEE, date(2026, 2, 9), "20", None, "Baraka", Sex.MALE)
    )
    jobs.verify_job_event(db, ev, date(2026, 2, 9), PHONE, "Asha", TODAY)
    baraka = _job_of(db, ev)
    grown = jobs.record_job_change(db, baraka, JobEventKind.GROWN, date(2026, 3, 9), "30")
    jobs.verify_job_event(db, grown, date(2026, 3, 9), PHONE, "Asha", TODAY)
    # and a period ending between two sessions of a summarised month
    periods = [(None, TODAY), (date(2026, 3, 1), date(2026, 4, 30)), (None, date(2026, 3, 5))]
    close_day(db, date(2026, 5, 1), "system")  # February to April summarised
    assert summarised(db, pid, date(2026, 2, 1), date(2026, 4, 30)) == 3
    same_everywhere(db, pid, periods)
    # March marked by an unrelated event: its pairs whose last session is in April and
    # its job summed in February and March are read from those months once
    other = jobs.record_job_created(
        db, jobs.NewJob(e2, JobRole.EMPLOYEE, date(2026, 3, 20), "40", None, "Neema", Sex.FEMALE)
    )
    same_everywhere(db, pid, periods)
    close_day(db, date(2026, 5, 2), "system")  # March alone recomputed
    same_everywhere(db, pid, periods)
    # m0's pair trained again in May: April's summary no longer holds its last session
    training.record_session(db, _group(db), "credit-management", "T", date(2026, 5, 4), "1", [m0])
    same_everywhere(db, pid, periods)
    # Baraka's job grown again in April: no longer summed by month
    grown = jobs.record_job_change(db, baraka, JobEventKind.GROWN, date(2026, 4, 9), "40")
    jobs.verify_job_event(db, grown, date(2026, 4, 10), PHONE, "Asha", TODAY)
    same_everywhere(db, pid, periods)
    close_day(db, date(2026, 5, 3), "system")
    with db.read() as conn:
        assert set(conn.execute(select(job_counted_live.c.job_id)).scalars()) == {baraka}
    assert marks(db) == 0
    same_everywhere(db, pid, periods)
    assert other


def visit(db: Database, pid: int, member_id: int, on: date, which: int) -> None:
    answers = {"roof": ["thatch", "iron"][which % 2], "school": ["no", "yes"][which // 2 % 2]}
    new = visits.NewVisit(member_id, "grid", on, "Asha", answers, 4)
    visits.record_visit(db, pid, new, TODAY)


def test_household_visits_are_summed_by_the_day_of_their_last_visit(db: Database) -> None:
    """A household's score change counts in a period whose start is on or before its
    last visit: summed by that day, any start works. A visit back-dated before the
    first (a new baseline) or after the last changes a summarised household."""
    pid = build(db)
    visits.load_programme_scorecard(db, pid, json.dumps(GRID), date(2026, 1, 10))
    m0, m1, m2, _ = _members(db)
    for member, day, which in [
        (m0, date(2026, 2, 1), 0),
        (m0, date(2026, 3, 10), 3),
        (m1, date(2026, 2, 1), 1),
        (m2, date(2026, 3, 3), 1),
        (m2, date(2026, 4, 4), 2),
    ]:
        visit(db, pid, member, day, which)
    starts = [None, date(2026, 3, 5), date(2026, 3, 11), date(2026, 4, 4), date(2026, 4, 5)]
    periods = [(start, TODAY) for start in starts] + [(None, date(2026, 3, 20))]
    same_everywhere(db, pid, periods)
    close_day(db, date(2026, 5, 1), "system")
    assert marks(db) == 0
    same_everywhere(db, pid, periods)
    visit(db, pid, m1, date(2026, 3, 20), 2)  # m1 visited twice now, last in March
    same_everywhere(db, pid, periods)
    visit(db, pid, m0, date(2026, 5, 6), 1)  # m0's last visit no longer in March
    same_everywhere(db, pid, periods)
    visit(db, pid, m2, date(2026, 1, 20), 3)  # m2's baseline before its first visit
    same_everywhere(db, pid, periods)
    close_day(db, date(2026, 5, 31), "system")
    assert marks(db) == 0
    same_everywhere(db, pid, periods)
