"""Setting up a programme over /api/v1: programmes (admins), branches, training modules
and value chains (admins, a country manager for hers), field agents (those and the
branch's manager); on both databases. Good calls write once and audit; a replay of the
Idempotency-Key writes nothing more; bad input, another programme or branch, and roles
not let in change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    audit_log,
    branch,
    field_agent,
    programme,
    training_module,
    value_chain,
)
from kuza.services import programmes
from tests.web.conftest import Org
from tests.web.test_admin_api import bearer

pytestmark = pytest.mark.storage
API = "/api/v1"
FR = {"Accept-Language": "fr"}


def counts(db: Database) -> tuple[int, ...]:
    with db.read() as conn:
        return tuple(
            int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for t in (programme, branch, field_agent, training_module, value_chain, audit_log)
        )


def refused(r: Any, status: int, field: str | None) -> dict[str, Any]:
    assert r.status_code == status, r.text
    error: dict[str, Any] = r.json()["error"]
    assert error["field"] == field, r.text
    return error


def test_an_admin_creates_a_programme_once_and_bad_ones_change_nothing(
    client: TestClient, org: Org, db: Database
) -> None:
    admin = bearer(client, "admin")
    body = {"code": "UG-SHG", "name": "Uganda SHG", "country": "ug", "currency": "ugx"}
    before = counts(db)
    for bad, status, field in [
        ({**body, "currency": "XYZ"}, 422, "currency"),  # not ISO 4217 / not known
        ({**body, "currency": "US"}, 422, "currency"),
        ({**body, "country": "U1"}, 422, "country"),
        ({**body, "name": ""}, 422, "name"),
        ({**body, "name": "   "}, 422, "name"),
        ({**body, "code": "UG SHG"}, 422, "code"),
        ({**body, "code": "KE-TEST"}, 409, "code"),  # the org's programme
        ({**body, "name": "test PROGRAMME"}, 409, "name"),
    ]:
        refused(client.post(f"{API}/programmes", json=bad, headers=admin), status, field)
    french = client.post(
        f"{API}/programmes", json={**body, "currency": "XYZ"}, headers={**admin, **FR}
    )
    assert french.json()["error"]["message"] == "devise inconnue 'XYZ'"
    for login in ("manager", "branch", "agent", "donor"):
        r = client.post(f"{API}/programmes", json=body, headers=bearer(client, login))
        refused(r, 403, None)
    assert counts(db) == before

    made = client.post(f"{API}/programmes", json=body, headers={**admin, "Idempotency-Key": "p1"})
    assert made.status_code == 201, made.text
    assert made.json() | {"id": 0} == {
        "id": 0,
        "code": "UG-SHG",
        "name": "Uganda SHG",
        "country": "UG",
        "currency": "UGX",
        "branches": 0,
    }
    again = client.post(f"{API}/programmes", json=body, headers={**admin, "Idempotency-Key": "p1"})
    assert (again.status_code, again.json()) == (201, made.json())
    assert again.headers["Idempotent-Replayed"] == "true"
    after = counts(db)
    assert (after[0], after[-1]) == (before[0] + 1, before[-1] + 1)  # one row, one audit line

    listed = client.get(f"{API}/programmes", headers=admin).json()
    assert [p["code"] for p in listed["items"]] == ["KE-TEST", "UG-SHG"]  # by name
    mine = client.get(f"{API}/programmes", headers=bearer(client, "manager")).json()
    assert (mine["total"], mine["items"][0]["id"]) == (1, org.world.programme_id)
    for login in ("branch", "agent", "donor"):
        refused(client.get(f"{API}/programmes", headers=bearer(client, login)), 403, None)


def test_branches_by_the_country_manager_of_the_programme_only(
    client: TestClient, org: Org, db: Database
) -> None:
    pid = org.world.programme_id
    url = f"{API}/programmes/{pid}/branches"
    manager = bearer(client, "manager")
    other = programmes.create_programme(db, "XX", "Other", "KE", "KES")
    before = counts(db)
    refused(client.post(url, json={"name": "thika"}, headers=manager), 409, "name")
    error = refused(
        client.post(url, json={"name": "Thika"}, headers={**manager, **FR}), 409, "name"
    )
    assert error["message"] == "l'agence 'Thika' existe déjà dans ce programme"
    refused(client.post(url, json={"name": " "}, headers=manager), 422, "name")
    refused(client.post(url, json={"name": "N", "x": 1}, headers=manager), 422, "x")
    refused(
        client.post(f"{API}/programmes/{other}/branches", json={"name": "N"}, headers=manager),
        404,
        None,
    )
    for login in ("branch", "agent", "donor"):
        refused(client.post(url, json={"name": "N"}, headers=bearer(client, login)), 403, None)
        refused(client.get(url, headers=bearer(client, login)), 403, None)
    assert counts(db) == before

    made = client.post(url, json={"name": "Nyeri"}, headers={**manager, "Idempotency-Key": "b"})
    again = client.post(url, json={"name": "Nyeri"}, headers={**manager, "Idempotency-Key": "b"})
    assert made.status_code == 201 and again.json() == made.json()
    assert made.json() | {"id": 0} == {"id": 0, "programme_id": pid, "name": "Nyeri", "agents": 0}
    assert counts(db)[1] == before[1] + 1
    page = client.get(url, params={"limit": 1, "offset": 1}, headers=manager).json()
    assert (page["total"], [b["name"] for b in page["items"]]) == (2, ["Thika"])
    first = client.get(url, params={"limit": 1}, headers=manager).json()["items"]
    assert [b["name"] for b in first] == ["Nyeri"]


def test_field_agents_by_managers_and_the_branch_manager_of_her_branch(
    client: TestClient, org: Org, db: Database
) -> None:
    bid = org.world.branch_id
    url = f"{API}/branches/{bid}/field-agents"
    nyeri = programmes.create_branch(db, org.world.programme_id, "Nyeri")
    other = programmes.create_programme(db, "XX", "Other", "KE", "KES")
    far = programmes.create_branch(db, other, "Far")
    branch_manager, manager = bearer(client, "branch"), bearer(client, "manager")
    listed = client.get(url, headers=branch_manager).json()
    assert [(a["name"], a["logins"]) for a in listed["items"]] == [
        ("Agent A", ["agent"]),
        ("Agent B", ["agentb"]),
    ]
    before = counts(db)
    refused(client.post(url, json={"name": "agent a"}, headers=branch_manager), 409, "name")
    refused(client.post(url, json={"name": "C", "phone": "call me"}, headers=manager), 422, "phone")
    refused(client.post(url, json={"name": ""}, headers=manager), 422, "name")
    for where, who in [(nyeri, branch_manager), (far, manager), (far, branch_manager)]:
        r = client.post(f"{API}/branches/{where}/field-agents", json={"name": "C"}, headers=who)
        refused(r, 404, None)
        refused(client.get(f"{API}/branches/{where}/field-agents", headers=who), 404, None)
    refused(
        client.post(f"{API}/branches/99999/field-agents", json={"name": "C"}, headers=manager),
        404,
        "branch_id",
    )
    for login in ("agent", "donor"):
        refused(client.post(url, json={"name": "C"}, headers=bearer(client, login)), 403, None)
        refused(client.get(url, headers=bearer(client, login)), 403, None)
    assert counts(db) == before

    body = {"name": "Agent C", "phone": "+254 700 000 001"}
    made = client.post(url, json=body, headers={**branch_manager, "Idempotency-Key": "a"})
    again = client.post(url, json=body, headers={**branch_manager, "Idempotency-Key": "a"})
    assert made.status_code == 201 and again.json() == made.json()
    assert made.json() | {"id": 0} == {
        "id": 0,
        "programme_id": org.world.programme_id,
        "branch_id": bid,
        "name": "Agent C",
        "phone": "+254 700 000 001",
        "logins": [],
    }
    assert counts(db)[2] == before[2] + 1 and counts(db)[-1] == before[-1] + 1
    # the same name in another branch is another agent
    r = client.post(f"{API}/branches/{nyeri}/field-agents", json=body, headers=manager)
    assert r.status_code == 201


def test_training_modules_and_value_chains_by_managers(
    client: TestClient, org: Org, db: Database
) -> None:
    pid = org.world.programme_id
    manager = bearer(client, "manager")
    other = programmes.create_programme(db, "XX", "Other", "KE", "KES")
    module = {"code": "poultry", "name": "Poultry", "category": "vocational", "expected_hours": "6"}
    chain = {"code": "dairy", "name": "Dairy"}
    mod_url, vc_url = (
        f"{API}/programmes/{pid}/training-modules",
        f"{API}/programmes/{pid}/value-chains",
    )
    before = counts(db)
    for bad, status, field in [
        ({**module, "category": "magic"}, 422, "category"),
        ({**module, "expected_hours": "0"}, 422, "expected_hours"),
        ({**module, "expected_hours": "99999"}, 422, "expected_hours"),  # the column's limit
        ({**module, "expected_hours": "1.125"}, 422, "expected_hours"),
        ({**module, "code": "two words"}, 422, "code"),
        ({**module, "name": " "}, 422, "name"),
    ]:
        refused(client.post(mod_url, json=bad, headers=manager), status, field)
    for bad, status, field in [({**chain, "name": " "}, 422, "name"), ({"code": "x"}, 422, "name")]:
        refused(client.post(vc_url, json=bad, headers=manager), status, field)
    for path, body in (("training-modules", module), ("value-chains", chain)):
        r = client.post(f"{API}/programmes/{other}/{path}", json=body, headers=manager)
        refused(r, 404, None)
        for login in ("branch", "agent", "donor"):
            r = client.post(
                f"{API}/programmes/{pid}/{path}", json=body, headers=bearer(client, login)
            )
            refused(r, 403, None)
    assert counts(db) == before

    made = client.post(mod_url, json=module, headers={**manager, "Idempotency-Key": "m"})
    again = client.post(mod_url, json=module, headers={**manager, "Idempotency-Key": "m"})
    assert made.status_code == 201 and again.json() == made.json()
    assert made.json()["expected_hours"] in ("6", "6.00")  # as each database keeps it
    refused(client.post(mod_url, json=module, headers=manager), 409, "code")
    catalogue = client.get(f"{API}/training/modules", headers=bearer(client, "agent")).json()
    assert [m["code"] for m in catalogue["items"]] == ["poultry"]

    made = client.post(vc_url, json=chain, headers={**manager, "Idempotency-Key": "v"})
    again = client.post(vc_url, json=chain, headers={**manager, "Idempotency-Key": "v"})
    assert made.status_code == 201 and again.json() == made.json()
    error = refused(client.post(vc_url, json=chain, headers={**manager, **FR}), 409, "code")
    assert error["message"] == "la filière 'dairy' existe déjà"
    listed = client.get(vc_url, headers=manager).json()
    assert [(v["code"], v["name"]) for v in listed["items"]] == [("dairy", "Dairy")]
    refused(client.get(vc_url, headers=bearer(client, "donor")), 403, None)
    after = counts(db)
    assert after[3:] == (before[3] + 1, before[4] + 1, before[5] + 2)
