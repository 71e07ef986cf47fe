"""Matrix helpers for the health-insurance routes: a plan with no waiting period, the
first member enrolled in it since the group formed and one submitted claim of hers,
made on first use ({plan}, {claim} and its enrolment {enr} in paths; {p} is the
programme)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import insurance_claim, insurance_plan
from kuza.services import insurance, insurance_claims
from tests.factories import FORMED
from tests.web.conftest import TODAY, Org, csrf_of

Call = Callable[[TestClient, Org, dict[str, str]], httpx.Response]
PLAN = {
    "name": "Bima",
    "premium": "100",
    "dependant_premium": "50",
    "period": "month",
    "cover_per_year": "1000",
    "waiting_days": 0,
    "subsidy": ["50"],
}


def insurance_world(c: TestClient, o: Org) -> dict[str, int]:
    db: Database = c.app.state.kuza.db  # type: ignore[attr-defined]
    with db.read() as conn:
        plan = conn.execute(
            select(insurance_plan.c.id).where(insurance_plan.c.name == PLAN["name"])
        ).scalar()
        claim = conn.execute(
            select(insurance_claim.c.id, insurance_claim.c.enrolment_id).order_by(
                insurance_claim.c.id
            )
        ).first()
    if plan is None or claim is None:
        plan = insurance.create_plan(db, o.world.programme_id, PLAN)
        enrolment = insurance.enrol(db, plan, o.world.member_ids[0], FORMED)
        insurance_claims.submit_claim(db, enrolment, FORMED, "300", "clinic", TODAY)
        return insurance_world(c, o)
    return {"plan": int(plan), "claim": int(claim.id), "enr": int(claim.enrolment_id)}


def target(path: str, c: TestClient, o: Org) -> str:
    ids: dict[str, object] = {}
    if "{plan}" in path or "{claim}" in path or "{enr}" in path:
        ids.update(insurance_world(c, o))
    return path.format(g=o.world.group_id, m=o.world.member_ids[0], p=o.world.programme_id, **ids)


def get(path: str) -> Call:
    return lambda c, o, h: c.get(target(path, c, o), headers=h)


def api(method: str, path: str, body: dict[str, object]) -> Call:
    """An API write with a body the schema or the service refuses (422 when let in)."""
    return lambda c, o, h: c.request(method, target(path, c, o), json=body, headers=h)


def post_form(path: str, **data: str) -> Call:
    """A form sent with the session's token and input the page refuses (422 when let in)."""

    def call(c: TestClient, o: Org, h: dict[str, str]) -> httpx.Response:
        token = csrf_of(c.get("/login").text) if not h else h["csrf"]
        response: httpx.Response = c.post(target(path, c, o), data={"csrf_token": token, **data})
        return response

    return call
