"""Market partners, linkage contracts, endings and market activities, and referrals with
their follow-ups over /api/v1: a good call booked (and replayed by its Idempotency-Key),
a bad call refused naming the field with nothing written, scope kept."""

from __future__ import annotations

import json
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    market_activity,
    market_contract,
    market_linkage,
    partner,
    referral,
    referral_follow_up,
)
from kuza.domain.markets import PartnerKind
from kuza.services import markets, visits
from tests.web.conftest import PASSWORD, TODAY, Org

pytestmark = pytest.mark.storage


def bearer(client: TestClient, username: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _count(db: Database, table: object) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def _refused(r: object, status: int, field: str) -> None:
    assert r.status_code == status, r.text  # type: ignore[attr-defined]
    assert r.json()["error"]["field"] == field, r.text  # type: ignore[attr-defined]


def test_partners_added_by_managers_in_their_programme(
    client: TestClient, org: Org, db: Database
) -> None:
    pid = org.world.programme_id
    manager, branch = bearer(client, "manager"), bearer(client, "branch")
    before = _count(db, partner)
    _refused(client.post("/api/v1/market-partners", json={"name": " ", "kind": "buyer"},
                         headers=manager), 422, "name")  # fmt: skip
    _refused(client.post("/api/v1/market-partners", json={"name": "X", "kind": "bank"},
                         headers=manager), 422, "kind")  # fmt: skip
    r = client.post("/api/v1/market-partners", json={"name": "X", "kind": "buyer",
                    "programme_id": pid + 1}, headers=manager)  # fmt: skip
    assert r.status_code == 404, r.text
    admin = bearer(client, "admin")
    _refused(client.post("/api/v1/market-partners", json={"name": "X", "kind": "buyer"},
                         headers=admin), 422, "programme_id")  # fmt: skip
    r = client.post("/api/v1/market-partners", json={"name": "X", "kind": "buyer"},
                    headers=bearer(client, "agent"))  # fmt: skip
    assert r.status_code == 403
    assert _count(db, partner) == before
    body = {"name": " Brookside ", "kind": "buyer"}
    r = client.post(
        "/api/v1/market-partners", json=body, headers={**branch, "Idempotency-Key": "p"}
    )
    assert r.status_code == 201 and r.json()["name"] == "Brookside", r.text
    again = client.post(
        "/api/v1/market-partners", json=body, headers={**branch, "Idempotency-Key": "p"}
    )
    assert again.json() == r.json() and again.headers["Idempotent-Replayed"] == "true"
    r = client.post("/api/v1/market-partners", json={"name": "Agrovet", "kind": "supplier",
                    "programme_id": pid}, headers=admin)  # fmt: skip
    assert r.status_code == 201, r.text
    listing = client.get("/api/v1/market-partners", headers=bearer(client, "agent")).json()
    assert (listing["programme_id"], listing["total"]) == (pid, 2)
    assert [p["name"] for p in listing["items"]] == ["Agrovet", "Brookside"]
    assert client.get("/api/v1/market-partners", headers=bearer(client, "donor")).status_code == 403


@pytest.fixture
def linked(org: Org, db: Database) -> tuple[int, int]:
    """A buyer and the first group's linkage to it, from 2026-01-15."""
    buyer = markets.add_partner(db, org.world.programme_id, "Brookside", PartnerKind.BUYER)
    new = markets.NewLinkage(
        partner_id=buyer, started_on=TODAY.replace(day=1), group_id=org.world.group_id
    )
    return buyer, markets.record_linkage(db, org.world.programme_id, new)


def test_contracts_of_a_linkage(
    client: TestClient, org: Org, db: Database, linked: tuple[int, int]
) -> None:
    _buyer, lid = linked
    agent = bearer(client, "agent")
    url = f"/api/v1/market-linkages/{lid}/contracts"
    good = {"product": "maize", "volume": "250.5", "unit": "kg", "price": "32.10",
            "starts_on": TODAY.isoformat()}  # fmt: skip
    before = _count(db, market_contract)
    _refused(client.post(url, json=good | {"volume": "-1"}, headers=agent), 422, "volume")
    _refused(client.post(url, json=good | {"price": "1.234"}, headers=agent), 422, "price")
    _refused(client.post(url, json=good | {"starts_on": "2026-01-01"}, headers=agent),
             422, "starts_on")  # fmt: skip
    _refused(client.post(url, json=good | {"ends_on": "2026-02-01"}, headers=agent),
             422, "ends_on")  # fmt: skip
    _refused(client.post(url, json=good | {"product": " "}, headers=agent), 422, "product")
    assert _count(db, market_contract) == before
    r = client.post(url, json=good, headers={**agent, "Idempotency-Key": "c1"})
    assert r.status_code == 201, r.text
    made = r.json()
    assert (made["volume"], made["price"], made["value"], made["currency"]) == (
        "250.500", "32.10", "8041.05", "KES"
    )  # fmt: skip
    again = client.post(url, json=good, headers={**agent, "Idempotency-Key": "c1"})
    assert again.json() == made and _count(db, market_contract) == before + 1
    listing = client.get(url, headers=agent).json()
    assert listing["total"] == 1 and listing["items"][0]["id"] == made["id"]
    assert client.get(url, headers=bearer(client, "agentb")).status_code == 404
    assert client.post(url, json=good, headers=bearer(client, "agentb")).status_code == 404
    assert client.get(url, headers=bearer(client, "donor")).status_code == 403
    assert client.get("/api/v1/market-linkages/999999/contracts", headers=agent).status_code == 404


def test_ending_a_linkage(
    client: TestClient, org: Org, db: Database, linked: tuple[int, int]
) -> None:
    _buyer, lid = linked
    agent = bearer(client, "agent")
    url = f"/api/v1/market-linkages/{lid}/end"
    _refused(client.post(url, json={"on": "2026-01-31"}, headers=agent), 422, "on")
    end = {"on": "2026-02-02"}
    assert client.post(url, json=end, headers=bearer(client, "agentb")).status_code == 404
    assert client.post(url, json=end, headers=bearer(client, "manager")).status_code == 403
    with db.read() as conn:
        assert conn.execute(select(market_linkage.c.ended_on)).scalar() is None
    r = client.post(url, json={"on": "2026-02-02"}, headers={**agent, "Idempotency-Key": "e"})
    assert r.status_code == 200 and r.json()["ended_on"] == "2026-02-02", r.text
    again = client.post(url, json={"on": "2026-02-02"}, headers={**agent, "Idempotency-Key": "e"})
    assert again.json() == r.json()
    _refused(client.post(url, json={"on": "2026-02-03"}, headers=agent), 422, "linkage_id")
    with db.read() as conn:
        assert str(conn.execute(select(market_linkage.c.ended_on)).scalar()) == "2026-02-02"


def test_market_activities_of_a_group(
    client: TestClient, org: Org, db: Database, linked: tuple[int, int]
) -> None:
    _buyer, lid = linked
    gid = org.world.group_id
    agent = bearer(client, "agent")
    url = f"/api/v1/groups/{gid}/market-activities"
    good = {"kind": "collective_purchase", "held_on": TODAY.isoformat(),
            "description": "Seed bought together", "members_involved": 3, "amount": "1500",
            "linkage_id": lid}  # fmt: skip
    before = _count(db, market_activity)
    _refused(client.post(url, json=good | {"kind": "sale"}, headers=agent), 422, "kind")
    _refused(client.post(url, json=good | {"members_involved": -1}, headers=agent),
             422, "members_involved")  # fmt: skip
    _refused(client.post(url, json=good | {"description": " "}, headers=agent),
             422, "description")  # fmt: skip
    _refused(client.post(url, json=good | {"value_chain": "nope"}, headers=agent),
             404, "value_chain")  # fmt: skip
    other = markets.add_partner(db, org.world.programme_id, "Far", PartnerKind.BUYER)
    elsewhere = markets.record_linkage(
        db, org.world.programme_id,
        markets.NewLinkage(partner_id=other, started_on=TODAY, group_id=org.other_group_id),
    )  # fmt: skip
    _refused(client.post(url, json=good | {"linkage_id": elsewhere}, headers=agent),
             404, "linkage_id")  # fmt: skip
    assert _count(db, market_activity) == before
    r = client.post(url, json=good, headers={**agent, "Idempotency-Key": "a1"})
    assert r.status_code == 201, r.text
    made = r.json()
    assert (made["amount"], made["currency"], made["linkage_id"]) == ("1500.00", "KES", lid)
    again = client.post(url, json=good, headers={**agent, "Idempotency-Key": "a1"})
    assert again.json() == made and _count(db, market_activity) == before + 1
    bare = {"kind": "branding", "held_on": TODAY.isoformat(), "description": "Labels",
            "members_involved": 0}  # fmt: skip
    assert client.post(url, json=bare, headers=agent).json()["amount"] is None
    listing = client.get(url, headers=agent).json()
    assert listing["total"] == 2
    assert client.get(url, headers=bearer(client, "agentb")).status_code == 404
    assert client.get(url, headers=bearer(client, "donor")).status_code == 403


def test_referrals_and_follow_ups(client: TestClient, org: Org, db: Database) -> None:
    m0, m1 = org.world.member_ids[0], org.world.member_ids[1]
    agent = bearer(client, "agent")
    url = f"/api/v1/members/{m0}/referrals"
    good = {"kind": "health", "service": "Thika clinic", "on": TODAY.isoformat()}
    before = _count(db, referral)
    _refused(client.post(url, json=good | {"kind": "dentist"}, headers=agent), 422, "kind")
    _refused(client.post(url, json=good | {"service": " "}, headers=agent), 422, "service")
    _refused(client.post(url, json=good | {"on": "2025-01-01"}, headers=agent), 404, "member_id")
    _refused(client.post(url, json=good | {"visit_id": 99}, headers=agent), 404, "visit_id")
    assert client.post(url, json=good, headers=bearer(client, "agentb")).status_code == 404
    assert client.post(url, json=good, headers=bearer(client, "manager")).status_code == 403
    assert _count(db, referral) == before
    r = client.post(url, json=good, headers={**agent, "Idempotency-Key": "r1"})
    assert r.status_code == 201, r.text
    made = r.json()
    assert (made["status"], made["member_id"], made["referred_by"]) == ("referred", m0, "agent")
    again = client.post(url, json=good, headers={**agent, "Idempotency-Key": "r1"})
    assert again.json() == made and _count(db, referral) == before + 1
    school = {"kind": "school", "service": "Primary", "on": TODAY.isoformat()}
    client.post(f"/api/v1/members/{m1}/referrals", json=school, headers=agent)

    follow = f"/api/v1/referrals/{made['id']}/follow-ups"
    _refused(client.post(follow, json={"status": "referred", "on": TODAY.isoformat()},
                         headers=agent), 422, "status")  # fmt: skip
    _refused(client.post(follow, json={"status": "resolved", "on": "2026-01-01"},
                         headers=agent), 422, "on")  # fmt: skip
    assert client.post(follow, json={"status": "resolved", "on": TODAY.isoformat()},
                       headers=bearer(client, "agentb")).status_code == 404  # fmt: skip
    assert _count(db, referral_follow_up) == 0
    r = client.post(follow, json={"status": "in_progress", "on": TODAY.isoformat(), "note": "went"},
                    headers=agent)  # fmt: skip
    assert r.status_code == 201 and r.json()["status"] == "in_progress", r.text
    assert r.json()["follow_ups"][0]["note"] == "went"

    opened = client.get("/api/v1/referrals", headers=agent).json()
    assert opened["total"] == 2 and {i["status"] for i in opened["items"]} == {
        "referred", "in_progress"
    }  # fmt: skip
    assert client.get("/api/v1/referrals", headers=bearer(client, "agentb")).json()["total"] == 0
    r = client.post(follow, json={"status": "resolved", "on": TODAY.isoformat()}, headers=agent)
    assert r.json()["status"] == "resolved"
    _refused(client.post(follow, json={"status": "dropped", "on": TODAY.isoformat()},
                         headers=agent), 422, "status")  # fmt: skip
    opened = client.get("/api/v1/referrals", headers=bearer(client, "manager")).json()
    assert [i["member_id"] for i in opened["items"]] == [m1]
    mine = client.get(url, headers=agent).json()
    assert mine["total"] == 1 and len(mine["items"][0]["follow_ups"]) == 2
    assert client.get(url, headers=bearer(client, "donor")).status_code == 403
    assert client.get("/api/v1/referrals", headers=bearer(client, "donor")).status_code == 403


GRID = {
    "code": "grid",
    "questions": [
        {"code": "roof", "text": "Roof", "points": {"thatch": 0, "iron": 10}},
        {"code": "school", "text": "All children at school", "points": {"no": 0, "yes": 20}},
    ],
    "lookup": [[0, "80"], [10, "50"], [30, "10"]],
}


def test_score_history_per_scorecard(client: TestClient, org: Org, db: Database) -> None:
    pid, m0 = org.world.programme_id, org.world.member_ids[0]
    visits.load_programme_scorecard(db, pid, json.dumps(GRID), date(2026, 1, 10))
    agent = bearer(client, "agent")
    url = f"/api/v1/members/{m0}/score-history"
    assert client.get(url, headers=agent).json() == {"member_id": m0, "items": []}
    for on, roof, school in ((date(2026, 1, 12), "thatch", "yes"),
                             (date(2026, 2, 1), "iron", "yes")):  # fmt: skip
        new = visits.NewVisit(m0, "grid", on, "Agent A", {"roof": roof, "school": school}, 4)
        visits.record_visit(db, pid, new, TODAY)
    items = client.get(url, headers=agent).json()["items"]
    assert items == [
        {"scorecard": "grid", "visits": 2, "baseline_on": "2026-01-12", "baseline": 20,
         "latest_on": "2026-02-01", "latest": 30, "change": 10},
    ]  # fmt: skip
    assert client.get(url, headers=bearer(client, "agentb")).status_code == 404
    assert client.get(url, headers=bearer(client, "donor")).status_code == 403
