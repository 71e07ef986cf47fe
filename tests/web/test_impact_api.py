"""Pending-action submission, training, enterprises and jobs over /api/v1: a good call
booked (and replayed by its Idempotency-Key), a bad call refused naming the field with
nothing written."""

from __future__ import annotations

import json
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    household_visit,
    insurance_claim,
    insurance_enrolment,
    job,
    job_event,
    job_verification,
    linkage_woman,
    market_linkage,
    pending_action,
    training_attendance,
    training_session,
)
from kuza.domain.markets import PartnerKind
from kuza.services import insurance, markets, visits
from tests.web.conftest import PASSWORD, TODAY, Org
from tests.web.loan_setup import LoanBook, make_loan_book
from tests.web.test_dashboard import Impact, make_impact
from tests.web.test_training_enterprises import _ids

pytestmark = pytest.mark.storage


def bearer(client: TestClient, username: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _count(db: Database, table: object) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


@pytest.fixture
def book(db: Database, org: Org) -> LoanBook:
    return make_loan_book(db, org)


def test_submit_share_out_and_write_off(
    client: TestClient, org: Org, book: LoanBook, db: Database
) -> None:
    agent = bearer(client, "agent")
    body = {"kind": "share_out", "group_id": org.world.group_id, "on": TODAY.isoformat()}
    first = client.post(
        "/api/v1/pending-actions", json=body, headers={**agent, "Idempotency-Key": "s1"}
    )
    assert first.status_code == 201, first.text
    made = first.json()
    assert (made["kind"], made["status"], made["made_by"]) == ("share_out", "pending", "agent")
    again = client.post(
        "/api/v1/pending-actions", json=body, headers={**agent, "Idempotency-Key": "s1"}
    )
    assert again.json() == made and again.headers["Idempotent-Replayed"] == "true"
    r = client.post("/api/v1/pending-actions", json=body, headers=agent)
    assert r.status_code == 409  # one share-out of a group waits at a time
    write_off = {"kind": "write_off", "loan_id": book.active, "on": TODAY.isoformat(),
                 "reason": "moved away"}  # fmt: skip
    r = client.post("/api/v1/pending-actions", json=write_off, headers=bearer(client, "branch"))
    assert r.status_code == 201 and r.json()["payload"]["loan_id"] == book.active
    assert client.get("/api/v1/pending-actions", headers=agent).json()["total"] == 3
    # the maker cannot check her own share-out; the manager can
    manager = bearer(client, "manager")
    r = client.post(f"/api/v1/pending-actions/{made['id']}/reject", json={"reason": "not yet"},
                    headers=manager)  # fmt: skip
    assert r.json()["status"] == "rejected"


def test_submit_refused_names_the_field(
    client: TestClient, org: Org, book: LoanBook, db: Database
) -> None:
    before = _count(db, pending_action)
    agent = bearer(client, "agent")
    bad_day = {"kind": "share_out", "group_id": org.world.group_id, "on": "2026-02-31"}
    r = client.post("/api/v1/pending-actions", json=bad_day, headers=agent)
    assert r.status_code == 422 and r.json()["error"]["field"] == "on", r.text
    sheet = {"group_id": org.world.group_id, "held_on": TODAY.isoformat(), "lines": []}
    no_reason = {"kind": "meeting_correction", "sheet": sheet, "reason": " "}
    r = client.post("/api/v1/pending-actions", json=no_reason, headers=agent)
    assert r.status_code == 422 and r.json()["error"]["field"] == "reason", r.text
    other = {"kind": "share_out", "group_id": org.other_group_id, "on": TODAY.isoformat()}
    assert client.post("/api/v1/pending-actions", json=other, headers=agent).status_code == 404
    r = client.post("/api/v1/pending-actions", json=bad_day | {"on": TODAY.isoformat()},
                    headers=bearer(client, "manager"))  # fmt: skip
    assert r.status_code == 403
    assert _count(db, pending_action) == before


@pytest.fixture
def impact(db: Database) -> Impact:
    return make_impact(db)


def test_training_catalogue_sessions_and_record(
    client: TestClient, impact: Impact, db: Database
) -> None:
    gid, mids, _eid = _ids(db)
    branch = bearer(client, "branch")
    modules = client.get("/api/v1/training/modules", headers=branch).json()
    assert "credit-management" in [m["code"] for m in modules["items"]]
    sessions = client.get(f"/api/v1/groups/{gid}/training-sessions", headers=branch).json()
    body = {"module_code": "credit-management", "trainer": "Asha", "held_on": "2026-03-17",
            "hours": "1", "present": [mids[0]]}  # fmt: skip
    url = f"/api/v1/groups/{gid}/training-sessions"
    r = client.post(url, json=body, headers={**branch, "Idempotency-Key": "t1"})
    assert r.status_code == 201, r.text
    assert (r.json()["present"], r.json()["roll"]) == (1, 5)
    again = client.post(url, json=body, headers={**branch, "Idempotency-Key": "t1"})
    assert again.json() == r.json()
    after = client.get(url, headers=branch).json()
    assert after["total"] == sessions["total"] + 1
    record = client.get(f"/api/v1/members/{mids[0]}/training", headers=branch).json()
    done = {m["module"]: m for m in record["items"]}
    assert done["credit-management"]["sessions_attended"] == 3
    assert client.get(f"/api/v1/members/{mids[0]}/training",
                      headers=bearer(client, "donor")).status_code == 403  # fmt: skip


def test_training_session_refused_names_the_field(
    client: TestClient, impact: Impact, db: Database
) -> None:
    gid, mids, _eid = _ids(db)
    before = (_count(db, training_session), _count(db, training_attendance))
    branch = bearer(client, "branch")
    url = f"/api/v1/groups/{gid}/training-sessions"
    body = {"module_code": "credit-management", "trainer": "Asha", "held_on": "2026-02-01",
            "hours": "1", "present": [mids[0]]}  # fmt: skip
    r = client.post(url, json=body, headers=branch)  # before Stage 2
    assert r.status_code == 422 and r.json()["error"]["field"] == "held_on", r.text
    r = client.post(url, json=body | {"held_on": "2026-03-17", "hours": "30"}, headers=branch)
    assert r.status_code == 422 and r.json()["error"]["field"] == "hours", r.text
    r = client.post(url, json=body | {"held_on": "2026-03-17", "module_code": "x"}, headers=branch)
    assert r.status_code == 404 and r.json()["error"]["field"] == "module_code", r.text
    r = client.post(url, json=body | {"present": [0]}, headers=branch)
    assert r.status_code == 422 and r.json()["error"]["field"] == "present[0]", r.text
    assert (_count(db, training_session), _count(db, training_attendance)) == before


def test_enterprise_job_event_and_verification(
    client: TestClient, impact: Impact, db: Database
) -> None:
    _gid, _mids, eid = _ids(db)
    branch = bearer(client, "branch")
    listing = client.get("/api/v1/enterprises?limit=1", headers=branch).json()
    assert listing["total"] >= 1 and len(listing["items"]) == 1
    before = client.get(f"/api/v1/enterprises/{eid}", headers=branch).json()
    body = {"role": "employee", "on": "2026-02-01", "hours_per_week": "20",
            "worker_name": "Achieng", "worker_sex": "F"}  # fmt: skip
    url = f"/api/v1/enterprises/{eid}/jobs"
    r = client.post(url, json=body, headers={**branch, "Idempotency-Key": "j1"})
    assert r.status_code == 201, r.text
    again = client.post(url, json=body, headers={**branch, "Idempotency-Key": "j1"})
    assert again.json() == r.json()
    made = r.json()["enterprise"]
    assert len(made["job_list"]) == len(before["job_list"]) + 1
    new_job = next(j for j in made["job_list"] if j["worker"] == "Achieng")
    ev = r.json()["event_id"]
    assert new_job["events"][0]["id"] == ev and new_job["events"][0]["verified_on"] is None
    verify = {"method": "phone", "verified_on": "2026-02-02"}
    r = client.post(f"/api/v1/job-events/{ev}/verification", json=verify, headers=branch)
    assert r.status_code == 201, r.text
    job_after = next(j for j in r.json()["enterprise"]["job_list"] if j["id"] == new_job["id"])
    assert job_after["events"][0]["method"] == "phone"
    r = client.post(f"/api/v1/jobs/{new_job['id']}/events",
                    json={"kind": "lost", "on": "2026-02-02"}, headers=branch)  # fmt: skip
    assert r.status_code == 201, r.text
    assert client.get("/api/v1/enterprises", headers=bearer(client, "donor")).status_code == 403
    assert client.get(f"/api/v1/enterprises/{eid}",
                      headers=bearer(client, "agent")).status_code == 404  # fmt: skip


def test_enterprise_writes_refused_name_the_field(
    client: TestClient, impact: Impact, db: Database
) -> None:
    _gid, _mids, eid = _ids(db)
    before = (_count(db, job), _count(db, job_event), _count(db, job_verification))
    branch = bearer(client, "branch")
    body = {"role": "employee", "on": "2026-02-01", "hours_per_week": "-3",
            "worker_name": "Achieng", "worker_sex": "F"}  # fmt: skip
    r = client.post(f"/api/v1/enterprises/{eid}/jobs", json=body, headers=branch)
    assert r.status_code == 422 and r.json()["error"]["field"] == "hours_per_week", r.text
    with db.read() as conn:
        ev, job_id = conn.execute(
            select(job_event.c.id, job_event.c.job_id).order_by(job_event.c.id.desc())
        ).first()  # type: ignore[misc]
    verify = {"method": "phone", "verified_on": "2020-01-01"}
    r = client.post(f"/api/v1/job-events/{ev}/verification", json=verify, headers=branch)
    assert r.status_code == 422 and r.json()["error"]["field"] == "verified_on", r.text
    r = client.post(f"/api/v1/jobs/{job_id}/events",
                    json={"kind": "grown", "on": "2020-01-01", "hours_per_week": "40"},
                    headers=branch)  # fmt: skip
    assert r.status_code == 422 and r.json()["error"]["field"] == "on", r.text
    r = client.post(f"/api/v1/jobs/{job_id}/events", json={"kind": "created", "on": "2026-02-02"},
                    headers=branch)  # fmt: skip
    assert r.status_code == 422 and r.json()["error"]["field"] == "kind", r.text
    assert (_count(db, job), _count(db, job_event), _count(db, job_verification)) == before


def test_market_linkage_recorded_and_refused(client: TestClient, org: Org, db: Database) -> None:
    pid, gid, (m0, m1, _m2) = org.world.programme_id, org.world.group_id, org.world.member_ids
    buyer = markets.add_partner(db, pid, "Brookside", PartnerKind.BUYER)
    lender = markets.add_partner(db, pid, "Bank", PartnerKind.LENDER)
    agent = bearer(client, "agent")
    url = f"/api/v1/groups/{gid}/market-linkages"
    before = (_count(db, market_linkage), _count(db, linkage_woman))
    bad = {"partner_id": lender, "started_on": TODAY.isoformat()}
    r = client.post(url, json=bad, headers=agent)
    assert r.status_code == 422 and r.json()["error"]["field"] == "partner_id", r.text
    bad = {"partner_id": buyer, "started_on": TODAY.isoformat(), "ended_on": "2026-01-01"}
    r = client.post(url, json=bad, headers=agent)
    assert r.status_code == 422 and r.json()["error"]["field"] == "ended_on", r.text
    bad = {"partner_id": buyer, "started_on": TODAY.isoformat(),
           "women": [{"member_id": m0, "role": "boss"}]}  # fmt: skip
    r = client.post(url, json=bad, headers=agent)
    assert r.status_code == 422 and r.json()["error"]["field"] == "women[0].role", r.text
    assert (_count(db, market_linkage), _count(db, linkage_woman)) == before
    women = [{"member_id": m0, "role": "leader"}, {"member_id": m1, "role": "producer"}]
    body = {"partner_id": buyer, "started_on": TODAY.isoformat(), "women": women}
    r = client.post(url, json=body, headers={**agent, "Idempotency-Key": "l1"})
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["group_id"] == gid and made["partner"] == "Brookside" and len(made["women"]) == 2
    again = client.post(url, json=body, headers={**agent, "Idempotency-Key": "l1"})
    assert again.json() == made
    own = {"partner_id": buyer, "started_on": TODAY.isoformat(), "member_id": m1}
    assert client.post(url, json=own, headers=agent).json()["member_id"] == m1
    listing = client.get(url, headers=agent).json()
    assert listing["total"] == 2 and listing["items"][0]["partner_kind"] == "buyer"
    other = f"/api/v1/groups/{org.other_group_id}/market-linkages"
    assert client.get(other, headers=agent).status_code == 404
    assert client.get(url, headers=bearer(client, "donor")).status_code == 403


GRID = {
    "code": "grid",
    "questions": [
        {"code": "roof", "text": "Roof", "points": {"thatch": 0, "iron": 10}},
        {"code": "school", "text": "All children at school", "points": {"no": 0, "yes": 20}},
    ],
    "lookup": [[0, "80"], [10, "50"], [30, "10"]],
}


def test_household_visit_recorded_and_refused(client: TestClient, org: Org, db: Database) -> None:
    visits.load_programme_scorecard(db, org.world.programme_id, json.dumps(GRID), date(2026, 1, 10))
    m0 = org.world.member_ids[0]
    agent = bearer(client, "agent")
    url = f"/api/v1/members/{m0}/visits"
    body = {"scorecard": "grid", "visited_on": "2026-02-01",
            "answers": {"roof": "iron", "school": "yes"}, "household_size": 4}  # fmt: skip
    before = _count(db, household_visit)
    for bad, field in (
        ({"answers": {"roof": "gold", "school": "yes"}}, "roof"),  # the question
        ({"visited_on": "2026-03-01"}, "visited_on"),
        ({"household_size": 0}, "household_size"),
        ({"scorecard": "nope"}, "scorecard"),
    ):
        r = client.post(url, json=body | bad, headers=agent)
        assert r.status_code in (404, 422), r.text
        assert r.json()["error"]["field"] is not None
        assert r.json()["error"]["field"].startswith(field), r.text
    assert _count(db, household_visit) == before
    r = client.post(url, json=body, headers={**agent, "Idempotency-Key": "v1"})
    assert r.status_code == 201, r.text
    assert (r.json()["score"], r.json()["likelihood"]) == (30, "10")
    again = client.post(url, json=body, headers={**agent, "Idempotency-Key": "v1"})
    assert again.json() == r.json() and _count(db, household_visit) == before + 1
    listing = client.get(url, headers=agent).json()
    assert listing["total"] == 1 and listing["items"][0]["score"] == 30
    assert client.get(url, headers=bearer(client, "donor")).status_code == 403
    assert client.get(url, headers=bearer(client, "agentb")).status_code == 404


PLAN = {
    "name": "Afya",
    "premium": "100",
    "dependant_premium": "50",
    "period": "month",
    "cover_per_year": "1000",
    "waiting_days": 7,
    "subsidy": ["100", "66", "33"],
}


def test_insurance_enrolment_and_claim(client: TestClient, org: Org, db: Database) -> None:
    plan = insurance.create_plan(db, org.world.programme_id, PLAN)
    m0 = org.world.member_ids[0]
    agent = bearer(client, "agent")
    url = f"/api/v1/members/{m0}/insurance-enrolments"
    kid = {"name": "Baraka", "relation": "child", "sex": "M", "birth_year": 2018}
    body = {"plan_id": plan, "enrolled_on": "2026-01-05", "dependants": [kid]}
    r = client.post(url, json=body | {"plan_id": plan + 99}, headers=agent)
    assert r.status_code == 404 and r.json()["error"]["field"] == "plan_id", r.text
    r = client.post(url, json=body | {"dependants": [kid | {"sex": "Q"}]}, headers=agent)
    assert r.status_code == 422 and r.json()["error"]["field"] == "dependants[0].sex", r.text
    assert _count(db, insurance_enrolment) == 0
    r = client.post(url, json=body, headers={**agent, "Idempotency-Key": "e1"})
    assert r.status_code == 201, r.text
    enrolment = r.json()
    assert (enrolment["plan"], enrolment["dependants"]) == ("Afya", 1)
    again = client.post(url, json=body, headers={**agent, "Idempotency-Key": "e1"})
    assert again.json() == enrolment
    assert client.post(url, json=body, headers=agent).status_code == 409  # once per plan
    assert client.get(url, headers=agent).json()["total"] == 1
    claims = f"/api/v1/insurance-enrolments/{enrolment['id']}/claims"
    claim = {"incurred_on": "2026-01-20", "amount": "150.50", "description": "clinic"}
    r = client.post(claims, json=claim | {"incurred_on": "2026-01-06"}, headers=agent)
    assert r.status_code == 422 and r.json()["error"]["field"] == "incurred_on", r.text
    r = client.post(claims, json=claim | {"amount": "-5"}, headers=agent)
    assert r.status_code == 422 and r.json()["error"]["field"] == "amount", r.text
    assert _count(db, insurance_claim) == 0
    r = client.post(claims, json=claim, headers={**agent, "Idempotency-Key": "c1"})
    assert r.status_code == 201, r.text
    assert (r.json()["claimed"], r.json()["status"]) == ("150.50", "submitted")
    listing = client.get(claims, headers=agent).json()
    assert listing["total"] == 1 and listing["items"][0] == r.json()
    assert client.get(claims, headers=bearer(client, "agentb")).status_code == 404
    assert client.get(url, headers=bearer(client, "donor")).status_code == 403
