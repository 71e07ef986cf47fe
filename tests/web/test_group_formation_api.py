"""Forming and running a group through the API: good writes, refusals (422 with the
field), a replay with the same Idempotency-Key booking once, out of scope 404, a donor
403, a role that may not 403, and the paged histories."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    journal_entry,
    meeting_move,
    member,
    officer_term,
    savings_group,
)
from kuza.services import meetings
from tests.factories import FORMED, sheet
from tests.web.conftest import TODAY, Org
from tests.web.test_api import API, bearer

pytestmark = pytest.mark.storage


def _count(db: Database, table: Any) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _group(org: Org, **changes: object) -> dict[str, object]:
    return {
        "name": "Amani",
        "village": "Gatundu",
        "agent_id": org.agent_id,
        "formed_on": TODAY.isoformat(),
        "frequency": "weekly",
        "first_meeting_on": "2026-02-09",
        "compulsory_saving": "50",
        **changes,
    }


def test_form_a_group_once_per_key(client: TestClient, org: Org, db: Database) -> None:
    h = bearer(client, "agent") | {"Idempotency-Key": "form-amani-1"}
    body = _group(org)
    del body["agent_id"]  # a field agent's own, by default
    r = client.post(f"{API}/groups", json=body, headers=h)
    assert r.status_code == 201, r.text
    made = r.json()
    assert (made["name"], made["status"], made["compulsory_saving"]) == (
        "Amani",
        "forming",
        "50.00",
    )
    before = _count(db, savings_group)
    again = client.post(f"{API}/groups", json=body, headers=h)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == made["id"]
    assert _count(db, savings_group) == before
    with db.read() as conn:
        agent = conn.execute(
            select(savings_group.c.agent_id).where(savings_group.c.id == made["id"])
        ).scalar_one()
    assert agent == org.agent_id
    other = client.post(f"{API}/groups", json=body | {"name": "Other"}, headers=h)
    assert other.status_code == 409  # the same key on another request


@pytest.mark.parametrize(
    ("user", "changes", "field"),
    [
        ("agent", {"agent_id": "other"}, "agent_id"),  # another agent: not hers to give
        ("branch", {"agent_id": None}, "agent_id"),  # a manager names the agent
        ("branch", {"compulsory_saving": "-1"}, "compulsory_saving"),
        ("branch", {"compulsory_saving": 50}, "compulsory_saving"),  # not a string
        ("branch", {"frequency": "daily"}, "frequency"),
        ("branch", {"formed_on": "2026-03-01"}, "formed_on"),
        ("branch", {"first_meeting_on": "2026-01-01"}, "first_meeting_on"),
        ("branch", {"share_out_rule": "shares"}, "share_value"),
        ("branch", {"name": ""}, "name"),
        ("branch", {"colour": "red"}, "colour"),
    ],
)
def test_a_bad_group_is_refused(
    client: TestClient, org: Org, db: Database, user: str, changes: dict[str, object], field: str
) -> None:
    if changes.get("agent_id") == "other":
        changes = {"agent_id": org.other_agent_id}
    before = _count(db, savings_group)
    r = client.post(f"{API}/groups", json=_group(org, **changes), headers=bearer(client, user))
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field
    assert _count(db, savings_group) == before


@pytest.mark.parametrize(("user", "status"), [("manager", 403), ("finance", 403), ("donor", 403)])
def test_who_may_not_form_a_group(
    client: TestClient, org: Org, db: Database, user: str, status: int
) -> None:
    if user == "finance":
        from kuza.domain.access import Role
        from kuza.services import users
        from tests.web.conftest import PASSWORD

        users.create_user(
            db,
            users.NewUser("finance", Role.FINANCE, PASSWORD, programme_id=org.world.programme_id),
        )
    r = client.post(f"{API}/groups", json=_group(org), headers=bearer(client, user))
    assert r.status_code == status
    assert r.json()["error"]["code"] == "forbidden"


def _enrolment(**changes: object) -> dict[str, object]:
    return {
        "name": "Wanjiru",
        "sex": "F",
        "birth_year": 1990,
        "household_size": 5,
        "literate": True,
        "joined_on": TODAY.isoformat(),
        **changes,
    }


def test_enrol_once_per_key_and_refusals(client: TestClient, org: Org, db: Database) -> None:
    g = org.world.group_id
    h = bearer(client, "agent") | {"Idempotency-Key": "enrol-wanjiru"}
    r = client.post(f"{API}/groups/{g}/members", json=_enrolment(), headers=h)
    assert r.status_code == 201, r.text
    mid = r.json()["member_id"]
    before = _count(db, member)
    assert client.post(f"{API}/groups/{g}/members", json=_enrolment(), headers=h).json() == r.json()
    assert _count(db, member) == before
    got = client.get(f"{API}/members/{mid}", headers=h).json()
    assert (got["name"], got["household_size"], got["literate"]) == ("Wanjiru", 5, True)
    plain = bearer(client, "agent")
    for bad, field in (
        ({"household_size": 0}, "household_size"),
        ({"sex": "female"}, "sex"),
        ({"joined_on": "2025-12-31"}, "joined_on"),
        ({"joined_on": "2026-02-03"}, "joined_on"),
        ({"birth_year": 2027}, "birth_year"),
    ):
        r = client.post(f"{API}/groups/{g}/members", json=_enrolment(**bad), headers=plain)
        assert r.status_code == 422 and r.json()["error"]["field"] == field, (bad, r.text)
    assert _count(db, member) == before


def test_out_of_scope_is_absent(client: TestClient, org: Org, db: Database) -> None:
    """Agent A and agent B's group: 404 on every write, nothing written."""
    h = bearer(client, "agent")
    g = org.other_group_id
    before = (_count(db, member), _count(db, officer_term), _count(db, meeting_move))
    for path, body in (
        ("members", _enrolment()),
        ("departures", {"member_id": 1, "left_on": TODAY.isoformat(), "reason": "x"}),
        ("officer-terms", {"member_id": 1, "role": "president", "started_on": "2026-02-02"}),
        ("meeting-moves", {"nominal_on": "2026-02-09", "moved_to": "2026-02-10", "reason": "x"}),
    ):
        r = client.post(f"{API}/groups/{g}/{path}", json=body, headers=h)
        assert r.status_code == 404, path
        assert r.json()["error"]["code"] == "not_found"
    assert client.get(f"{API}/groups/{g}/officer-terms", headers=h).status_code == 404
    after = (_count(db, member), _count(db, officer_term), _count(db, meeting_move))
    assert after == before


def test_a_member_leaves_with_her_savings_once(client: TestClient, org: Org, db: Database) -> None:
    w = org.world
    meetings.post_meeting(db, sheet(w, FORMED, m0={"voluntary": "20"}), "agent", TODAY)
    entries = _count(db, journal_entry)
    h = bearer(client, "branch") | {"Idempotency-Key": "leave-m0"}
    body = {"member_id": w.member_ids[0], "left_on": TODAY.isoformat(), "reason": "moved"}
    r = client.post(f"{API}/groups/{w.group_id}/departures", json=body, headers=h)
    assert r.status_code == 201, r.text
    assert (r.json()["payout"], r.json()["currency"]) == ("120.00", "KES")
    assert client.post(f"{API}/groups/{w.group_id}/departures", json=body, headers=h).json() == (
        r.json()
    )
    assert _count(db, journal_entry) == entries + 1  # booked once
    again = client.post(
        f"{API}/groups/{w.group_id}/departures", json=body, headers=bearer(client, "branch")
    )
    assert again.status_code == 404 and again.json()["error"]["field"] == "member_id"
    group = client.get(f"{API}/groups/{w.group_id}", headers=h).json()
    assert w.member_ids[0] not in [m["id"] for m in group["members"]]


def test_elections_and_their_history(client: TestClient, org: Org) -> None:
    w = org.world
    h = bearer(client, "agent")
    path = f"{API}/groups/{w.group_id}/officer-terms"
    first = {"member_id": w.member_ids[0], "role": "president", "started_on": "2026-01-05"}
    r = client.post(path, json=first, headers=h)
    assert r.status_code == 201 and r.json()["name"] == "Member 0" and r.json()["ended_on"] is None
    second = {"member_id": w.member_ids[1], "role": "president", "started_on": "2026-02-02"}
    assert client.post(path, json=second, headers=h).status_code == 201
    bad = {"member_id": 999, "role": "president", "started_on": "2026-02-02"}
    r = client.post(path, json=bad, headers=h)
    assert r.status_code == 422 and r.json()["error"]["field"] == "member_id"
    r = client.post(path, json=second | {"role": "queen"}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["field"] == "role"
    page = client.get(path, params={"limit": 1}, headers=h).json()
    assert page["total"] == 2 and len(page["items"]) == 1
    assert page["items"][0]["member_id"] == w.member_ids[1]
    rest = client.get(path, params={"limit": 1, "offset": 1}, headers=h).json()["items"]
    assert rest[0]["ended_on"] == "2026-02-02"


def test_move_a_meeting(client: TestClient, org: Org, db: Database) -> None:
    g = org.world.group_id
    h = bearer(client, "agent") | {"Idempotency-Key": "move-1"}
    body = {"nominal_on": "2026-02-09", "moved_to": "2026-02-11", "reason": "holiday"}
    r = client.post(f"{API}/groups/{g}/meeting-moves", json=body, headers=h)
    assert r.status_code == 201 and r.json()["next_meeting"] == "2026-02-11"
    assert client.post(f"{API}/groups/{g}/meeting-moves", json=body, headers=h).status_code == 201
    r = client.post(f"{API}/groups/{g}/meeting-moves", json=body, headers=bearer(client, "agent"))
    assert r.status_code == 422 and r.json()["error"]["field"] == "nominal_on"
    assert _count(db, meeting_move) == 1


def test_status_is_the_branch_managers_decision(client: TestClient, org: Org, db: Database) -> None:
    made = client.post(f"{API}/groups", json=_group(org), headers=bearer(client, "agent")).json()
    path = f"{API}/groups/{made['id']}/status-changes"
    body = {"status": "active", "on": TODAY.isoformat(), "note": "approved"}
    r = client.post(path, json=body, headers=bearer(client, "agent"))
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    h = bearer(client, "branch") | {"Idempotency-Key": "approve-amani"}
    r = client.post(path, json={**body, "status": "graduated"}, headers=bearer(client, "branch"))
    assert r.status_code == 422 and r.json()["error"]["field"] == "status"
    r = client.post(path, json=body, headers=h)
    assert r.status_code == 201 and r.json()["status"] == "active"
    assert client.post(path, json=body, headers=h).json() == r.json()  # replayed
    history = client.get(path, headers=h).json()
    assert history["total"] == 2
    assert [i["status"] for i in history["items"]] == ["active", "forming"]
    fr = client.post(
        path,
        json={**body, "status": "forming"},
        headers=bearer(client, "branch") | {"Accept-Language": "fr"},
    )
    assert fr.status_code == 422 and "ne peut pas devenir" in fr.json()["error"]["message"]
