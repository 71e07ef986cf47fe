"""The HTTP API: tokens, one error body, paged lists, money as strings, scoping, and
Idempotency-Key replays that book nothing twice."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import journal_entry, meeting
from tests.web.conftest import PASSWORD, TODAY, Org, csrf_of, login

pytestmark = pytest.mark.storage
API = "/api/v1"


def bearer(client: TestClient, username: str) -> dict[str, str]:
    r = client.post(f"{API}/auth/token", json={"username": username, "password": PASSWORD})
    assert r.status_code == 201, r.text
    assert r.json()["token_type"] == "bearer"
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def counts(db: Database) -> tuple[int, int]:
    with db.read() as conn:
        return (
            conn.execute(select(func.count()).select_from(meeting)).scalar_one(),
            conn.execute(select(func.count()).select_from(journal_entry)).scalar_one(),
        )


def a_sheet(org: Org, **line0: Any) -> dict[str, Any]:
    lines: list[dict[str, Any]] = [{"member_id": m} for m in org.world.member_ids]
    lines[0].update(line0)
    return {"group_id": org.world.group_id, "held_on": TODAY.isoformat(), "lines": lines}


def test_openapi_is_served_and_names_every_route(client: TestClient) -> None:
    spec = client.get(f"{API}/openapi.json").json()
    assert set(spec["paths"]) >= {
        "/auth/token",
        "/groups",
        "/groups/{group_id}",
        "/meetings",
        "/members/{member_id}/passbook",
    }
    assert "MeetingCreate" in spec["components"]["schemas"]


def test_bad_login_and_missing_token_give_the_error_body(client: TestClient, org: Org) -> None:
    r = client.post(f"{API}/auth/token", json={"username": "agent", "password": "nope"})
    assert r.status_code == 401
    assert r.json() == {
        "error": {
            "code": "login_failed",
            "message": "wrong username or password",
            "field": "password",
        }
    }
    r = client.get(f"{API}/groups")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthorized"
    r = client.get(f"{API}/groups", headers={"Authorization": "Bearer kz_forged"})
    assert r.status_code == 401


def test_groups_are_scoped_and_paged(client: TestClient, org: Org) -> None:
    agent = client.get(f"{API}/groups", headers=bearer(client, "agent")).json()
    assert agent["total"] == 1
    assert [g["id"] for g in agent["items"]] == [org.world.group_id]
    assert agent["items"][0]["fund_cash"] == "0.00"
    manager = bearer(client, "manager")
    page = client.get(f"{API}/groups?limit=1&offset=1", headers=manager).json()
    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (2, 1, 1, 1)
    r = client.get(f"{API}/groups?limit=0", headers=manager)
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "limit"


def test_group_detail_hides_other_groups_and_refuses_donors(client: TestClient, org: Org) -> None:
    agent = bearer(client, "agent")
    r = client.get(f"{API}/groups/{org.world.group_id}", headers=agent)
    assert r.status_code == 200
    body = r.json()
    assert body["compulsory_saving"] == "100.00"
    assert body["next_meeting"] == "2026-02-09"  # ISO dates
    assert len(body["members"]) == 3
    assert client.get(f"{API}/groups/{org.other_group_id}", headers=agent).status_code == 404
    assert client.get(f"{API}/groups/999999", headers=agent).status_code == 404
    donor = bearer(client, "donor")
    r = client.get(f"{API}/groups/{org.world.group_id}", headers=donor)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "forbidden"


def test_meeting_replay_with_the_same_key_books_once(
    client: TestClient, org: Org, db: Database
) -> None:
    agent = bearer(client, "agent")
    keyed = {**agent, "Idempotency-Key": "sheet-1"}
    first = client.post(f"{API}/meetings", json=a_sheet(org, voluntary="50"), headers=keyed)
    assert first.status_code == 201, first.text
    assert first.json()["summary"]["voluntary"] == "50.00"
    assert first.json()["created"] is True
    assert counts(db) == (1, 1)
    again = client.post(f"{API}/meetings", json=a_sheet(org, voluntary="50"), headers=keyed)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert counts(db) == (1, 1)
    other = client.post(f"{API}/meetings", json=a_sheet(org, voluntary="60"), headers=keyed)
    assert other.status_code == 409
    assert other.json()["error"]["field"] == "Idempotency-Key"
    # No key, the same sheet: the service books nothing and says so.
    plain = client.post(f"{API}/meetings", json=a_sheet(org, voluntary="50"), headers=agent)
    assert (plain.status_code, plain.json()["created"]) == (200, False)
    # A new key with other amounts for a posted meeting: the service's conflict.
    changed = client.post(
        f"{API}/meetings",
        json=a_sheet(org, voluntary="60"),
        headers={**agent, "Idempotency-Key": "sheet-2"},
    )
    assert changed.status_code == 409
    assert changed.json()["error"]["code"] == "conflict"
    assert counts(db) == (1, 1)


def test_meeting_errors_name_their_field(client: TestClient, org: Org, db: Database) -> None:
    agent = bearer(client, "agent")
    r = client.post(f"{API}/meetings", json=a_sheet(org, voluntary="abc"), headers=agent)
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "lines[0].voluntary"
    r = client.post(f"{API}/meetings", json=a_sheet(org, withdrawal="10"), headers=agent)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "rule_violation"
    other = {**a_sheet(org), "group_id": org.other_group_id}
    assert client.post(f"{API}/meetings", json=other, headers=agent).status_code == 404
    manager = bearer(client, "manager")
    assert client.post(f"{API}/meetings", json=a_sheet(org), headers=manager).status_code == 403
    assert counts(db) == (0, 0)


def test_passbook_moves_are_idempotent_and_scoped(client: TestClient, org: Org) -> None:
    agent = bearer(client, "agent")
    mid = org.world.member_ids[0]
    url = f"{API}/members/{mid}/passbook"
    deposit = {"kind": "deposit", "amount": "250", "on": TODAY.isoformat()}
    keyed = {**agent, "Idempotency-Key": "rcpt-77"}
    first = client.post(url, json=deposit, headers=keyed)
    assert first.status_code == 201, first.text
    assert first.json()["balance"] == "250.00"
    assert client.post(url, json=deposit, headers=keyed).json() == first.json()
    too_much = {"kind": "withdrawal", "amount": "300", "on": TODAY.isoformat(), "reference": "w1"}
    r = client.post(url, json=too_much, headers=agent)
    assert r.status_code == 422
    assert r.json()["error"] == {
        "code": "rule_violation",
        "message": "withdrawal 300.00 KES is above the passbook balance 250.00 KES",
        "field": "amount",
    }
    page = client.get(url, headers=agent).json()
    assert (page["total"], page["balance"]) == (1, "250.00")
    assert page["items"][0]["deposit"] == "250.00"
    assert client.get(url, headers=bearer(client, "agentb")).status_code == 404
    assert client.get(url, headers=bearer(client, "donor")).status_code == 403
    assert client.post(url, json=deposit, headers=bearer(client, "manager")).status_code == 403


def test_the_pages_script_syncs_with_the_session_and_csrf_header(
    client: TestClient, org: Org, db: Database
) -> None:
    """The offline sheet sends with the session cookie: a write needs X-CSRF-Token."""
    login(client, "agent")
    token = csrf_of(client.get("/groups").text)
    sheet = a_sheet(org)
    r = client.post(f"{API}/meetings", json=sheet, headers={"Idempotency-Key": "k1"})
    assert r.status_code == 403
    headers = {"Idempotency-Key": "k1", "X-CSRF-Token": token}
    assert client.post(f"{API}/meetings", json=sheet, headers=headers).status_code == 201
    assert client.post(f"{API}/meetings", json=sheet, headers=headers).status_code == 201
    assert counts(db) == (1, 1)
