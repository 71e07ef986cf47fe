"""Registering an enterprise from the enterprises page and POST /api/v1/enterprises:
the owners' scope, the programme's sectors, bad input named and nothing written."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import audit_log, enterprise, enterprise_owner
from tests.web.conftest import PASSWORD, Org, csrf_of, login

pytestmark = pytest.mark.storage
API = "/api/v1"


def bearer(client: TestClient, username: str) -> dict[str, str]:
    r = client.post(f"{API}/auth/token", json={"username": username, "password": PASSWORD})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def counts(db: Database) -> tuple[int, int]:
    with db.read() as conn:
        return (
            conn.execute(select(func.count()).select_from(enterprise)).scalar_one(),
            conn.execute(select(func.count()).select_from(enterprise_owner)).scalar_one(),
        )


def body(org: Org, **changes: object) -> dict[str, object]:
    return {
        "name": "Mama Duka",
        "owner_ids": org.world.member_ids[:2],
        "sector": "retail",
        "started_on": "2026-01-15",
        "location": "Kibera",
        **changes,
    }


def test_api_registers_with_owners_and_audit(client: TestClient, org: Org, db: Database) -> None:
    h = bearer(client, "agent")
    r = client.post(f"{API}/enterprises", json=body(org), headers=h)
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["name"] == "Mama Duka" and got["sector"] == "retail"
    assert got["started_on"] == "2026-01-15" and got["location"] == "Kibera"
    assert sorted(o["member_id"] for o in got["owners"]) == sorted(org.world.member_ids[:2])
    assert got["registered"] is False and got["household_size"] >= 2
    assert counts(db) == (1, 2)
    with db.read() as conn:
        row = conn.execute(
            select(audit_log.c.actor).where(
                audit_log.c.object_kind == "enterprise", audit_log.c.object_id == str(got["id"])
            )
        ).one()
    assert row.actor == "agent"
    listed = client.get(f"{API}/enterprises", headers=h).json()
    assert [e["id"] for e in listed["items"]] == [got["id"]]


def test_api_replay_with_a_key_registers_once(client: TestClient, org: Org, db: Database) -> None:
    h = {**bearer(client, "branch"), "Idempotency-Key": "ent-1"}
    first = client.post(f"{API}/enterprises", json=body(org), headers=h)
    again = client.post(f"{API}/enterprises", json=body(org), headers=h)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert counts(db) == (1, 2)


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"sector": "mining"}, 422, "sector"),
        ({"owner_ids": []}, 422, "owner_ids"),
        ({"registered": True}, 422, "registration_no"),
        ({"value_chain": "nope"}, 404, "value_chain"),
        ({"name": ""}, 422, "name"),
        ({"started_on": "15/01/2026"}, 422, "started_on"),
    ],
)
def test_api_bad_input_is_named_and_writes_nothing(
    client: TestClient, org: Org, db: Database, changes: dict[str, object], status: int, field: str
) -> None:
    h = bearer(client, "agent")
    r = client.post(f"{API}/enterprises", json=body(org, **changes), headers=h)
    assert r.status_code == status, r.text
    assert field in (r.json()["error"]["field"] or "")
    assert counts(db) == (0, 0)


def test_api_owner_out_of_scope_is_404_and_roles_refused(
    client: TestClient, org: Org, db: Database
) -> None:
    r = client.post(f"{API}/enterprises", json=body(org), headers=bearer(client, "agentb"))
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = client.post(f"{API}/enterprises", json=body(org), headers=bearer(client, "manager"))
    assert r.status_code == 403
    r = client.post(f"{API}/enterprises", json=body(org), headers=bearer(client, "donor"))
    assert r.status_code == 403
    assert counts(db) == (0, 0)


def test_page_form_registers_and_shows_errors(client: TestClient, org: Org, db: Database) -> None:
    login(client, "agent")
    owner = org.world.member_ids[0]
    page = client.get(f"/enterprises?owner={owner}")
    assert page.status_code == 200
    assert f'name="owners" value="{owner}"' in page.text
    assert '<option value="retail"' in page.text
    data = {
        "csrf_token": csrf_of(page.text),
        "name": "Kuku Farm",
        "owners": f"{owner}, {org.world.member_ids[1]}",
        "sector": "poultry",
        "started_on": "2026-01-20",
        "registered": "yes",
        "registration_no": "",
    }
    bad = client.post("/enterprises", data=data)
    assert bad.status_code == 422 and 'id="reg-registration_no-error"' in bad.text
    assert 'value="Kuku Farm"' in bad.text  # what she typed is kept
    bad = client.post("/enterprises", data={**data, "owners": "twelve"})
    assert bad.status_code == 422 and 'id="reg-owners-error"' in bad.text
    bad = client.post("/enterprises", data={**data, "started_on": "x", "registration_no": "B1"})
    assert bad.status_code == 422 and 'id="reg-started_on-error"' in bad.text
    assert counts(db) == (0, 0)
    r = client.post("/enterprises", data={**data, "registration_no": "BN-77"})
    assert r.status_code == 303, r.text
    assert counts(db) == (1, 2)
    shown = client.get(r.headers["location"])
    assert shown.status_code == 200 and "Kuku Farm" in shown.text
    with db.read() as conn:
        row = conn.execute(select(enterprise)).one()
    assert row.registered and row.registration_no == "BN-77" and row.sector == "poultry"


def test_page_refuses_other_scopes_and_roles(client: TestClient, org: Org, db: Database) -> None:
    owner = org.world.member_ids[0]
    login(client, "agentb")
    page = client.get("/enterprises")
    data = {"csrf_token": csrf_of(page.text), "name": "X", "owners": str(owner),
            "sector": "retail", "started_on": "2026-01-20"}  # fmt: skip
    bad = client.post("/enterprises", data=data)
    assert bad.status_code == 422 and "not one of yours" in bad.text
    client.cookies.clear()
    login(client, "manager")
    page = client.get("/enterprises")
    assert 'action="/enterprises"' not in page.text
    data["csrf_token"] = csrf_of(page.text)
    assert client.post("/enterprises", data=data).status_code == 403
    assert counts(db) == (0, 0)


def test_member_page_links_to_the_form_in_french(client: TestClient, org: Org) -> None:
    login(client, "agent")
    token = csrf_of(client.get("/enterprises").text)
    client.post("/locale", data={"csrf_token": token, "locale": "fr", "next": "/enterprises"})
    page = client.get(f"/members/{org.world.member_ids[0]}")
    assert f'href="/enterprises?owner={org.world.member_ids[0]}#register"' in page.text
    assert "Enregistrer une entreprise" in client.get("/enterprises").text
