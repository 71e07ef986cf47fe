"""Matrix helpers for the training, enterprise and job routes: an enterprise with one
unverified job in the org fixture's first group, made on first use."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import insurance_enrolment, job, job_event
from kuza.domain.jobs import JobRole
from kuza.services import enterprises, insurance, jobs
from tests.web.conftest import TODAY, Org, csrf_of

Call = Callable[[TestClient, Org, dict[str, str]], httpx.Response]


def job_world(c: TestClient, o: Org) -> dict[str, int]:
    """Ids of the enterprise, its job and the job's event (made once per database)."""
    db: Database = c.app.state.kuza.db  # type: ignore[attr-defined]
    with db.read() as conn:
        found = conn.execute(
            select(job.c.enterprise_id, job.c.id, job_event.c.id.label("event_id"))
            .join(job_event, job_event.c.job_id == job.c.id)
            .order_by(job_event.c.id)
        ).first()
    if found is None:
        owner = o.world.member_ids[0]
        new = enterprises.NewEnterprise("Duka", [owner], "retail", TODAY)
        eid = enterprises.register_enterprise(db, o.world.programme_id, new)
        ev = jobs.record_job_created(db, jobs.NewJob(eid, JobRole.OWNER, TODAY, "40", owner))
        return job_world(c, o) if ev else {}
    return {"e": found.enterprise_id, "j": found.id, "ev": found.event_id}


def enrolment(c: TestClient, o: Org) -> int:
    """An insurance enrolment of the first member (made once per database)."""
    db: Database = c.app.state.kuza.db  # type: ignore[attr-defined]
    with db.read() as conn:
        found = conn.execute(select(insurance_enrolment.c.id)).scalar()
    if found is not None:
        return int(found)
    plan = insurance.create_plan(
        db,
        o.world.programme_id,
        {"name": "Afya", "premium": "100", "dependant_premium": "50", "period": "month",
         "cover_per_year": "1000", "waiting_days": 7, "subsidy": ["100"]},
    )  # fmt: skip
    return insurance.enrol(db, plan, o.world.member_ids[0], TODAY)


def target(path: str, c: TestClient, o: Org) -> str:
    """The path with the org's ids; {loan} and {action} are left for the caller."""
    ids: dict[str, object] = {}
    if "{e}" in path or "{j}" in path or "{ev}" in path:
        ids.update(job_world(c, o))
    if "{en}" in path:
        ids["en"] = enrolment(c, o)
    ids = {"loan": "{loan}", "action": "{action}", **ids}
    return path.format(g=o.world.group_id, m=o.world.member_ids[0], **ids)


def get(path: str) -> Call:
    return lambda c, o, h: c.get(target(path, c, o), headers=h)


def post_form(path: str, **data: str) -> Call:
    """A form sent with the session's token and input the page refuses (422 when let in)."""

    def call(c: TestClient, o: Org, h: dict[str, str]) -> httpx.Response:
        token = csrf_of(c.get("/login").text) if not h else h["csrf"]
        response: httpx.Response = c.post(target(path, c, o), data={"csrf_token": token, **data})
        return response

    return call
