"""Use cases of jobs: a job created at an enterprise, grown or lost, and verified."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, insert, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.impact_months import mark_stale
from kuza.adapters.db.schema import job, job_event, job_verification
from kuza.domain.errors import Conflict, DomainError, NotFound, RuleViolation
from kuza.domain.groups import Sex
from kuza.domain.jobs import (
    JobEventKind,
    JobRole,
    VerificationMethod,
    WorkTime,
    check_verified_on,
    fte_change,
    work_time_for,
)
from kuza.services import audit
from kuza.services.enterprises import enterprise_row, owners_of, programme_members


@dataclass(frozen=True)
class NewJob:
    enterprise_id: int
    role: JobRole
    on: date
    hours_per_week: str
    member_id: int | None = None  # the owner, or a member employed; None for outsiders
    worker_name: str = ""
    worker_sex: Sex | None = None


def _event(
    conn: Connection,
    programme_id: int,
    job_id: int,
    kind: JobEventKind,
    on: date,
    work_time: WorkTime | None,
    hours: str | None,
    change: Decimal,
    note: str,
    actor: str,
) -> int:
    return int(
        conn.execute(
            insert(job_event)
            .values(
                programme_id=programme_id,
                job_id=job_id,
                kind=kind.value,
                on_date=on,
                work_time=work_time.value if work_time else None,
                hours_per_week=Decimal(hours) if hours is not None else None,
                fte_change=change,
                note=note,
                recorded_by=actor,
            )
            .returning(job_event.c.id)
        ).scalar_one()
    )


def record_job_created(db: Database, new: NewJob, note: str = "", actor: str = "system") -> int:
    """A new position: the job and its one ``created`` event. Returns the event id."""
    work_time = work_time_for(new.hours_per_week)
    with db.transaction() as conn:
        e = enterprise_row(conn, new.enterprise_id)
        name, sex = new.worker_name.strip(), new.worker_sex
        if new.member_id is not None:
            person = programme_members(conn, e.programme_id, [new.member_id])[0]
            name, sex = name or person.name, sex or Sex(person.sex)
        if new.role is JobRole.OWNER and new.member_id not in owners_of(conn, e.id):
            raise RuleViolation(
                "member %(member_id)s is not an owner of enterprise %(e_name)s",
                field="member_id",
                member_id=new.member_id,
                e_name=e.name,
            )
        if not name or sex is None:
            raise DomainError("an employee who is not a member needs a name and sex", "worker")
        if new.on < e.started_on:
            raise RuleViolation("the job starts before the enterprise started", field="on")
        jid = conn.execute(
            insert(job)
            .values(
                programme_id=e.programme_id,
                enterprise_id=e.id,
                role=new.role.value,
                member_id=new.member_id,
                worker_name=name,
                worker_sex=sex.value,
            )
            .returning(job.c.id)
        ).scalar_one()
        change = fte_change(JobEventKind.CREATED, None, work_time)
        eid = _event(
            conn,
            e.programme_id,
            jid,
            JobEventKind.CREATED,
            new.on,
            work_time,
            new.hours_per_week,
            change,
            note,
            actor,
        )
        mark_stale(conn, e.programme_id, [new.on])  # the dashboard's month of it
        audit.record(
            conn,
            e.programme_id,
            actor,
            "create",
            "job",
            jid,
            None,
            {"event_id": eid, "role": new.role.value, "work_time": work_time.value},
        )
        return eid


def _current(conn: Connection, job_id: int) -> tuple[WorkTime | None, list[date], bool]:
    """(work time now, its events' dates in order, lost?) from the job's event history."""
    rows = conn.execute(
        select(job_event.c.kind, job_event.c.work_time, job_event.c.on_date)
        .where(job_event.c.job_id == job_id)
        .order_by(job_event.c.on_date, job_event.c.id)
    ).all()
    if not rows:
        raise NotFound("no job %(job_id)s", field="job_id", job_id=job_id)
    last = rows[-1]
    lost = last.kind == JobEventKind.LOST.value
    work_times = [r.work_time for r in rows if r.work_time]
    return WorkTime(work_times[-1]), [r.on_date for r in rows], lost


def record_job_change(
    db: Database,
    job_id: int,
    kind: JobEventKind,
    on: date,
    hours_per_week: str | None = None,
    note: str = "",
    actor: str = "system",
) -> int:
    """A job grows (more hours or income) or is lost. Returns the event id."""
    if kind is JobEventKind.CREATED:
        raise RuleViolation("a job is created with record_job_created", field="kind")
    after = work_time_for(hours_per_week) if hours_per_week is not None else None
    with db.transaction() as conn:
        programme_id = conn.execute(select(job.c.programme_id).where(job.c.id == job_id)).scalar()
        if programme_id is None:
            raise NotFound("no job %(job_id)s", field="job_id", job_id=job_id)
        before, days, lost = _current(conn, job_id)
        last_on = days[-1]
        if lost:
            raise RuleViolation("job %(job_id)s is already lost", field="job_id", job_id=job_id)
        if on < last_on:
            raise RuleViolation(
                "the job's last event is on %(last_on)s", field="on", last_on=last_on
            )
        if kind is JobEventKind.GROWN and after is None:
            after = before  # more income at the same hours: no FTE change
        change = fte_change(kind, before, after)
        eid = _event(
            conn, programme_id, job_id, kind, on, after, hours_per_week, change, note, actor
        )
        # the dashboard's months of every event of the job: summed by month only while
        # its 'grown' events are in one month (kuza.adapters.db.impact_months)
        mark_stale(conn, programme_id, [*days, on])
        audit.record(
            conn,
            programme_id,
            actor,
            kind.value,
            "job",
            job_id,
            {"work_time": before.value if before else None},
            {"event_id": eid, "fte_change": str(change)},
        )
        return eid


def verify_job_event(
    db: Database,
    event_id: int,
    verified_on: date,
    method: VerificationMethod,
    verified_by: str,
    today: date,
    note: str = "",
    actor: str = "system",
) -> int:
    if not verified_by.strip():
        raise DomainError("verified_by is required", field="verified_by")
    with db.transaction() as conn:
        ev = conn.execute(select(job_event).where(job_event.c.id == event_id)).first()
        if ev is None:
            raise NotFound("no job event %(event_id)s", field="event_id", event_id=event_id)
        check_verified_on(ev.on_date, verified_on, today)
        done = conn.execute(
            select(job_verification.c.id).where(job_verification.c.event_id == event_id)
        ).scalar()
        if done is not None:
            raise Conflict(
                "job event %(event_id)s is already verified", field="event_id", event_id=event_id
            )
        vid = conn.execute(
            insert(job_verification)
            .values(
                programme_id=ev.programme_id,
                event_id=event_id,
                verified_by=verified_by.strip(),
                verified_on=verified_on,
                method=method.value,
                note=note,
            )
            .returning(job_verification.c.id)
        ).scalar_one()
        mark_stale(conn, ev.programme_id, [ev.on_date])
        audit.record(
            conn,
            ev.programme_id,
            actor,
            "verify",
            "job_event",
            event_id,
            None,
            {"verified_on": verified_on.isoformat(), "method": method.value},
        )
        return int(vid)
