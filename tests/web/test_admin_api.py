"""Admin work over /api/v1, as the admin pages do it: a programme's loan products, user
accounts (never a password or its hash out), the audit log and household scorecards; on
both databases. Good calls change and audit; bad calls (wrong role, another programme,
bad input) change nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    audit_log,
    donor_scope,
    idempotency_record,
    loan_product,
    scorecard,
    user_account,
)
from tests.web.conftest import PASSWORD, Org
from tests.web.loan_setup import WEEKLY_4

pytestmark = pytest.mark.storage
API = "/api/v1"
GRID: dict[str, Any] = {
    "code": "progress",
    "questions": [
        {"code": "roof", "text": "Roof", "points": {"thatch": 0, "iron": 15}},
        {"code": "meals", "text": "Three meals a day", "points": {"no": 0, "yes": 20}},
    ],
    "lookup": [[0, "85"], [20, "60"], [30, 10]],
}


def bearer(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    r = client.post(f"{API}/auth/token", json={"username": username, "password": password})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def counts(db: Database) -> tuple[int, ...]:
    with db.read() as conn:
        return tuple(
            int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for t in (loan_product, user_account, donor_scope, scorecard, audit_log)
        )


def refused(r: Any, status: int, field: str | None) -> None:
    assert r.status_code == status, r.text
    assert r.json()["error"]["field"] == field, r.text


def test_loan_products_added_switched_and_refused(
    client: TestClient, org: Org, db: Database
) -> None:
    pid = org.world.programme_id
    url = f"{API}/programmes/{pid}/loan-products"
    manager = bearer(client, "manager")
    body = {"name": "Weekly", "kind": "internal", "terms": WEEKLY_4, "ceilings": {"1": "500"}}
    before = counts(db)
    for bad, status, field in [
        ({**body, "terms": {}}, 422, "terms.rate"),
        ({**body, "terms": {**WEEKLY_4, "method": "magic"}}, 422, "terms.method"),
        ({**body, "kind": "mortgage"}, 422, "kind"),
        ({**body, "ceilings": {"0": "500"}}, 422, "ceilings[0].[key]"),
        ({**body, "guarantee_percent": "120"}, 422, "guarantee_percent"),
    ]:
        r = client.post(url, json=bad, headers=manager)
        assert r.status_code == status and r.json()["error"]["field"] is not None, r.text
        assert r.json()["error"]["field"].startswith(field), (bad, r.text)
    assert client.post(url, json=body, headers=bearer(client, "branch")).status_code == 403
    refused(
        client.post(f"{API}/programmes/999/loan-products", json=body, headers=manager), 404, None
    )
    assert counts(db) == before
    made = client.post(url, json=body, headers={**manager, "Idempotency-Key": "p1"})
    assert made.status_code == 201, made.text
    product = made.json()
    assert (product["name"], product["kind"], product["active"]) == ("Weekly", "internal", True)
    assert product["ceilings"] == {"1": "500.00"} and product["terms"] == WEEKLY_4
    again = client.post(url, json=body, headers={**manager, "Idempotency-Key": "p1"})
    assert again.json() == product and again.headers["Idempotent-Replayed"] == "true"
    listed = client.get(url, headers=manager).json()
    assert (listed["total"], listed["items"]) == (1, [product])
    assert client.get(url + "?offset=1", headers=manager).json()["items"] == []
    off = client.patch(f"{url}/{product['id']}", json={"active": False}, headers=manager)
    assert off.status_code == 200 and off.json()["active"] is False, off.text
    refused(client.patch(f"{url}/999", json={"active": True}, headers=manager), 404, "product_id")
    with db.read() as conn:
        audited = conn.execute(
            select(audit_log.c.actor, audit_log.c.action)
            .where(audit_log.c.object_kind == "loan_product")
            .order_by(audit_log.c.id)
        ).all()
        active = conn.execute(select(loan_product.c.active)).scalar_one()
    assert [tuple(a) for a in audited] == [("manager", "create"), ("manager", "set_active")]
    assert not active


def _no_secret(value: object) -> None:
    text = json.dumps(value)
    assert "password" not in text and "$argon2" not in text and "hash" not in text


def test_accounts_created_changed_and_never_show_a_password(
    client: TestClient, org: Org, db: Database
) -> None:
    w = org.world
    admin = bearer(client, "admin")
    new = {
        "username": "agentc",
        "password": "a long enough secret",
        "role": "field_agent",
        "programme_id": w.programme_id,
        "agent_id": org.agent_id,
    }
    before = counts(db)
    for bad, status, field in [
        ({**new, "agent_id": None}, 422, "agent_id"),
        ({**new, "password": "short"}, 422, "password"),
        ({**new, "username": "agent"}, 409, "username"),
        ({**new, "branch_ids": [w.branch_id]}, 422, "branch_ids"),
        ({**new, "role": "donor", "agent_id": None, "branch_ids": [999]}, 404, "branch_ids"),
        ({**new, "role": "king"}, 422, "role"),
    ]:
        refused(client.post(f"{API}/users", json=bad, headers=admin), status, field)
    assert (
        client.post(f"{API}/users", json=new, headers=bearer(client, "manager")).status_code == 403
    )
    assert counts(db) == before  # the donor with a foreign branch: not even the account
    made = client.post(f"{API}/users", json=new, headers={**admin, "Idempotency-Key": "u1"})
    assert made.status_code == 201, made.text
    _no_secret(made.json())
    uid = made.json()["id"]
    assert made.json()["role"] == "field_agent" and made.json()["active"] is True
    replay = client.post(
        f"{API}/users",
        json={**new, "password": "another secret!!"},
        headers={**admin, "Idempotency-Key": "u1"},
    )
    assert replay.json() == made.json() and replay.headers["Idempotent-Replayed"] == "true"
    with db.read() as conn:
        stored = conn.execute(select(idempotency_record)).all()
    assert "a long enough secret" not in repr(stored) and "another secret" not in repr(stored)
    donor = {**new, "username": "funder", "role": "donor", "agent_id": None}
    donor["branch_ids"] = [w.branch_id]
    made_donor = client.post(f"{API}/users", json=donor, headers=admin)
    assert made_donor.status_code == 201 and made_donor.json()["branch_ids"] == [w.branch_id]
    page = client.get(f"{API}/users?limit=2&offset=1", headers=admin).json()
    assert page["total"] == counts(db)[1] and len(page["items"]) == 2
    _no_secret(client.get(f"{API}/users?limit=200", headers=admin).json())
    assert client.get(f"{API}/users/{uid}", headers=admin).json() == made.json()
    refused(client.get(f"{API}/users/999", headers=admin), 404, "user_id")

    token = bearer(client, "agentc", "a long enough secret")
    assert client.get(f"{API}/groups", headers=token).status_code == 200
    to_branch = {"role": "branch_manager", "programme_id": w.programme_id}
    refused(client.patch(f"{API}/users/{uid}", json={"assignment": to_branch}, headers=admin),
            422, "branch_id")  # fmt: skip
    to_branch["branch_id"] = w.branch_id
    changed = client.patch(f"{API}/users/{uid}", json={"assignment": to_branch}, headers=admin)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["role"], changed.json()["branch_id"], changed.json()["agent_id"]) == (
        "branch_manager", w.branch_id, None,
    )  # fmt: skip
    me = client.get(f"{API}/users?limit=200", headers=admin).json()["items"]
    admin_id = next(u["id"] for u in me if u["username"] == "admin")
    refused(client.patch(f"{API}/users/{admin_id}", json={"active": False}, headers=admin),
            422, "active")  # fmt: skip
    off = client.patch(f"{API}/users/{uid}", json={"active": False}, headers=admin)
    assert off.status_code == 200 and off.json()["active"] is False
    assert client.get(f"{API}/groups", headers=token).status_code == 401  # stopped at once
    client.patch(f"{API}/users/{uid}", json={"active": True}, headers=admin)

    token = bearer(client, "agentc", "a long enough secret")
    audits = counts(db)[4]
    refused(client.post(f"{API}/users/{uid}/password", json={"password": "short"}, headers=admin),
            422, "password")  # fmt: skip
    assert counts(db)[4] == audits
    assert client.get(f"{API}/groups", headers=token).status_code == 200
    reset = client.post(
        f"{API}/users/{uid}/password", json={"password": "brand new secret"}, headers=admin
    )
    # both her tokens: the one stopped by the deactivation and the one issued since
    assert reset.status_code == 200 and reset.json() == {"user_id": uid, "api_tokens_revoked": 2}
    assert client.get(f"{API}/groups", headers=token).status_code == 401
    bearer(client, "agentc", "brand new secret")
    with db.read() as conn:
        actions = conn.execute(
            select(audit_log.c.action, audit_log.c.actor, audit_log.c.after)
            .where(audit_log.c.object_kind == "user_account", audit_log.c.object_id == str(uid))
            .order_by(audit_log.c.id)
        ).all()
    assert [(a.action, a.actor) for a in actions] == [
        ("create", "admin"), ("set_role", "admin"), ("set_active", "admin"),
        ("set_active", "admin"), ("set_password", "admin"),
    ]  # fmt: skip
    assert "brand new secret" not in repr(actions)


def test_the_audit_log_pages_newest_first_for_admins_only(
    client: TestClient, org: Org, db: Database
) -> None:
    admin = bearer(client, "admin")
    total = counts(db)[4]
    first = client.get(f"{API}/audit?limit=2", headers=admin)
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["total"], body["limit"], len(body["items"])) == (total, 2, 2)
    ids = [e["id"] for e in body["items"]]
    assert ids == sorted(ids, reverse=True)
    newest = body["items"][0]
    with db.read() as conn:
        row = conn.execute(select(audit_log).order_by(audit_log.c.id.desc()).limit(1)).one()
    assert (newest["id"], newest["actor"], newest["action"]) == (row.id, row.actor, row.action)
    rest = client.get(f"{API}/audit?limit=200&offset=2", headers=admin).json()["items"]
    assert len(rest) == total - 2 and rest[0]["id"] < ids[-1]
    for role in ("manager", "branch", "agent", "donor"):
        assert client.get(f"{API}/audit", headers=bearer(client, role)).status_code == 403
    assert client.get(f"{API}/audit?limit=0", headers=admin).status_code == 422


def test_a_scorecard_loaded_then_listed_and_used_for_a_visit(
    client: TestClient, org: Org, db: Database
) -> None:
    pid = org.world.programme_id
    url = f"{API}/programmes/{pid}/scorecards"
    manager = bearer(client, "manager")
    before = counts(db)
    for bad, field in [
        ({**GRID, "lookup": [[5, "85"]]}, "lookup"),
        ({**GRID, "lookup": [[0, "185"]]}, "lookup"),
        ({**GRID, "questions": []}, "questions"),
        ({**GRID, "colour": "red"}, "colour"),
    ]:
        refused(client.post(url, json=bad, headers=manager), 422, field)
    assert client.post(url, json=GRID, headers=bearer(client, "branch")).status_code == 403
    refused(client.post(f"{API}/programmes/999/scorecards", json=GRID, headers=manager), 404, None)
    assert counts(db) == before
    assert client.get(url, headers=manager).json()["items"] == []
    made = client.post(url, json=GRID, headers={**manager, "Idempotency-Key": "s1"})
    assert made.status_code == 201, made.text
    assert (made.json()["code"], made.json()["loaded_by"]) == ("progress", "manager")
    assert made.json()["definition"]["lookup"] == [[0, "85"], [20, "60"], [30, 10]]
    replay = client.post(url, json=GRID, headers={**manager, "Idempotency-Key": "s1"})
    assert replay.json() == made.json() and replay.headers["Idempotent-Replayed"] == "true"
    refused(client.post(url, json=GRID, headers=manager), 409, "code")
    listed = client.get(url, headers=bearer(client, "admin")).json()
    assert (listed["total"], listed["items"]) == (1, [made.json()])
    assert counts(db)[3] == before[3] + 1
    visit = {
        "scorecard": "progress",
        "visited_on": "2026-02-02",
        "answers": {"roof": "iron", "meals": "yes"},
        "household_size": 5,
    }
    member = org.world.member_ids[0]
    r = client.post(f"{API}/members/{member}/visits", json=visit, headers=bearer(client, "agent"))
    assert r.status_code == 201, r.text
    assert (r.json()["score"], r.json()["likelihood"]) == (35, "10")
