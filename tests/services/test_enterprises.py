"""Enterprises, job events with verification, periodic checks; bad input writes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import enterprise, enterprise_check, job, job_event, job_verification
from kuza.domain.errors import Conflict, DomainError, NotFound, RuleViolation
from kuza.domain.groups import Sex
from kuza.domain.jobs import JobEventKind, JobRole, VerificationMethod
from kuza.services import enterprises, jobs
from tests.factories import make_world

START = date(2026, 3, 1)
TODAY = date(2026, 6, 30)


def count(db: Database, table: object) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def shop(db: Database, pid: int, owners: list[int], **kw: object) -> int:
    return enterprises.register_enterprise(
        db,
        pid,
        enterprises.NewEnterprise(
            "Mama Njeri poultry",
            owners,
            "poultry",
            START,
            "Thika",
            **kw,  # type: ignore[arg-type]
        ),
    )


def test_enterprise_job_life_and_verification(db: Database) -> None:
    w = make_world(db)
    enterprises.add_value_chain(db, w.programme_id, "poultry", "Poultry")
    eid = shop(db, w.programme_id, w.member_ids[:2], value_chain="poultry")
    with db.read() as conn:
        row = conn.execute(select(enterprise).where(enterprise.c.id == eid)).one()
    assert row.household_size == 8  # two owners with households of 4
    owner_ev = jobs.record_job_created(
        db, jobs.NewJob(eid, JobRole.OWNER, START, "40", member_id=w.member_ids[0])
    )
    hired = jobs.record_job_created(
        db, jobs.NewJob(eid, JobRole.EMPLOYEE, START, "20", worker_name="Ken", worker_sex=Sex.MALE)
    )
    with db.read() as conn:
        hired_job = conn.execute(select(job_event.c.job_id).where(job_event.c.id == hired)).scalar()
    assert hired_job is not None
    grown = jobs.record_job_change(db, hired_job, JobEventKind.GROWN, date(2026, 4, 1), "40")
    jobs.verify_job_event(db, owner_ev, START, VerificationMethod.AGENT_VISIT, "Asha", TODAY)
    jobs.verify_job_event(db, grown, date(2026, 4, 2), VerificationMethod.PHONE, "Asha", TODAY)
    with pytest.raises(Conflict):  # a second verification is refused, not double-counted
        jobs.verify_job_event(db, owner_ev, START, VerificationMethod.PHONE, "Asha", TODAY)
    lost = jobs.record_job_change(db, hired_job, JobEventKind.LOST, date(2026, 5, 1))
    with pytest.raises(RuleViolation):
        jobs.record_job_change(db, hired_job, JobEventKind.GROWN, date(2026, 5, 2), "45")
    with db.read() as conn:
        changes = dict(conn.execute(select(job_event.c.id, job_event.c.fte_change)).all())
    assert changes == {owner_ev: 1, hired: 0.5, grown: 0.5, lost: -1}
    enterprises.check_enterprise(db, eid, date(2026, 6, 1), "10000", "7000", 1, 9)
    with db.read() as conn:
        band = conn.execute(select(enterprise_check.c.profit_band)).scalar()
    assert band == "high"  # 3000 / 10000 = 30%


def test_bad_job_input_writes_nothing(db: Database) -> None:
    w = make_world(db)
    eid = shop(db, w.programme_id, [w.member_ids[0]])
    before = (count(db, job), count(db, job_event))
    with pytest.raises(NotFound) as exc:  # a job for somebody who is not a member
        jobs.record_job_created(db, jobs.NewJob(eid, JobRole.OWNER, START, "40", member_id=999))
    assert exc.value.field == "member_id"
    with pytest.raises(RuleViolation) as exc:  # a member, but not an owner
        jobs.record_job_created(
            db, jobs.NewJob(eid, JobRole.OWNER, START, "40", member_id=w.member_ids[1])
        )
    assert exc.value.field == "member_id"
    with pytest.raises(DomainError) as exc:
        jobs.record_job_created(db, jobs.NewJob(eid, JobRole.EMPLOYEE, START, "-3"))
    assert exc.value.field == "hours_per_week"
    with pytest.raises(RuleViolation) as exc:
        jobs.record_job_created(
            db,
            jobs.NewJob(eid, JobRole.OWNER, date(2026, 1, 1), "40", member_id=w.member_ids[0]),
        )
    assert exc.value.field == "on"
    assert (count(db, job), count(db, job_event)) == before
    ev = jobs.record_job_created(
        db, jobs.NewJob(eid, JobRole.OWNER, START, "40", member_id=w.member_ids[0])
    )
    with pytest.raises(RuleViolation) as exc:
        jobs.verify_job_event(db, ev, date(2026, 2, 28), VerificationMethod.DOCUMENT, "Asha", TODAY)
    assert exc.value.field == "verified_on"
    assert count(db, job_verification) == 0


def test_bad_enterprise_input(db: Database) -> None:
    w = make_world(db)
    with pytest.raises(DomainError) as exc:
        enterprises.register_enterprise(
            db, w.programme_id, enterprises.NewEnterprise("X", w.member_ids, "mining", START)
        )
    assert exc.value.field == "sector"
    with pytest.raises(NotFound) as exc:
        enterprises.register_enterprise(
            db, w.programme_id, enterprises.NewEnterprise("X", [999], "dairy", START)
        )
    assert exc.value.field == "member_id"
    with pytest.raises(DomainError) as exc:
        shop(db, w.programme_id, w.member_ids, registered=True)
    assert exc.value.field == "registration_no"
    assert count(db, enterprise) == 0
    eid = shop(db, w.programme_id, w.member_ids)
    with pytest.raises(DomainError) as exc:
        enterprises.check_enterprise(db, eid, TODAY, "-1", "0", 0, 4)
    assert exc.value.field == "revenue"
    assert count(db, enterprise_check) == 0
