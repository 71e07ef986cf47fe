"""Every API list is paged (``limit``/``offset`` in, ``total`` out), the close-day runs
and a group's share-outs included."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from kuza.adapters.db.engine import Database
from kuza.services import books
from kuza.services.meetings import post_meeting
from kuza.services.shareout import share_out
from tests.factories import FORMED, sheet
from tests.web.conftest import PASSWORD, TODAY, Org

# Lists of one item per programme in scope (a handful) or per scorecard a member was
# scored with: not paged, on purpose.
UNPAGED = {"/portfolio", "/members/{member_id}/score-history"}


def _token(client: TestClient, username: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_every_list_takes_limit_and_offset(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    schemas = spec["components"]["schemas"]
    unpaged = set()
    for path, ops in spec["paths"].items():
        if "get" not in ops:
            continue
        body = ops["get"]["responses"]["200"]["content"].get("application/json", {})
        name = body.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
        if "items" not in schemas.get(name, {}).get("properties", {}):
            continue  # one record (its own sub-lists are bounded by it) or a file
        params = {p["name"] for p in ops["get"].get("parameters", [])}
        paged = {"limit", "offset"} <= params and {"total", "limit", "offset"} <= set(
            schemas[name]["properties"]
        )
        if not paged:
            unpaged.add(path)
    assert unpaged == UNPAGED


@pytest.mark.storage
def test_close_day_runs_are_paged(client: TestClient, org: Org, db: Database) -> None:
    days = [TODAY - timedelta(days=n) for n in (3, 2, 1)]
    for day in days:
        books.run_close_day(db, day, "admin", TODAY)
    auth = _token(client, "manager")
    first = client.get("/api/v1/close-days?limit=2", headers=auth).json()
    rest = client.get("/api/v1/close-days?limit=2&offset=2", headers=auth).json()
    assert (first["total"], first["limit"], first["offset"]) == (3, 2, 0)
    assert [r["on"] for r in first["items"] + rest["items"]] == [
        d.isoformat() for d in reversed(days)
    ]
    assert client.get("/api/v1/close-days?limit=0", headers=auth).status_code == 422


@pytest.mark.storage
def test_a_groups_share_outs_are_paged(client: TestClient, org: Org, db: Database) -> None:
    w = org.world
    for week in range(3):
        post_meeting(db, sheet(w, FORMED + timedelta(weeks=week)), "agent", TODAY)
    sid = share_out(db, w.group_id, date(2026, 1, 26), "manager", TODAY).share_out_id
    auth = _token(client, "agent")
    path = f"/api/v1/groups/{w.group_id}/share-outs"
    page = client.get(f"{path}?limit=1", headers=auth).json()
    assert (page["total"], [s["id"] for s in page["items"]]) == (1, [sid])
    assert page["items"][0]["members"] == len(w.member_ids)
    past = client.get(f"{path}?offset=1", headers=auth).json()
    assert (past["total"], past["items"]) == (1, [])
