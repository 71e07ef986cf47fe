"""POST /api/v1/meeting-batches: an offline phone's sync, sheet by sheet results."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kuza.adapters.db.engine import Database
from kuza.services.meeting_batch import MAX_BATCH
from tests.web.conftest import TODAY, Org
from tests.web.test_api import API, a_sheet, bearer, counts

pytestmark = pytest.mark.storage


def earlier(org: Org, weeks: int, **line0: Any) -> dict[str, Any]:
    return {**a_sheet(org, **line0), "held_on": (TODAY - timedelta(weeks=weeks)).isoformat()}


def test_a_sync_books_each_sheet_or_says_why_not(
    client: TestClient, org: Org, db: Database
) -> None:
    agent = bearer(client, "agent")
    batch = {
        "meetings": [
            earlier(org, 2, voluntary="50"),
            earlier(org, 1, withdrawal="500"),  # more than her savings: refused alone
            {**earlier(org, 1), "group_id": org.other_group_id},  # not her group
            a_sheet(org, withdrawal="50"),  # takes back the 50 of the first sheet
        ]
    }
    keyed = {**agent, "Idempotency-Key": "sync-1"}
    r = client.post(f"{API}/meeting-batches", json=batch, headers=keyed)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["posted"], body["already_posted"], body["refused"]) == (2, 0, 2)
    assert [x["status"] for x in body["results"]] == ["posted", "refused", "refused", "posted"]
    assert [x["index"] for x in body["results"]] == [0, 1, 2, 3]
    assert body["results"][0]["meeting"]["summary"]["voluntary"] == "50.00"
    assert body["results"][1]["error"]["code"] == "rule_violation"
    assert body["results"][1]["error"]["field"] == "lines[0].withdrawal"
    assert body["results"][1]["meeting"] is None
    assert body["results"][2]["error"] == {
        "code": "not_found",
        "message": "no such group",
        "field": "group_id",
    }
    assert counts(db) == (2, 2)
    # the phone sends it again with its key: the first answer, nothing booked
    again = client.post(f"{API}/meeting-batches", json=batch, headers=keyed)
    assert again.json() == body
    assert again.headers["Idempotent-Replayed"] == "true"
    # without the key the service itself books nothing twice
    plain = client.post(f"{API}/meeting-batches", json=batch, headers=agent).json()
    assert (plain["posted"], plain["already_posted"], plain["refused"]) == (0, 2, 2)
    ids = [x["meeting"]["meeting_id"] for x in plain["results"] if x["meeting"]]
    assert ids == [x["meeting"]["meeting_id"] for x in body["results"] if x["meeting"]]
    assert counts(db) == (2, 2)


def test_a_malformed_sync_is_refused_whole_naming_the_sheet(
    client: TestClient, org: Org, db: Database
) -> None:
    agent = bearer(client, "agent")
    batch = {"meetings": [a_sheet(org), earlier(org, 1, voluntary="abc")]}
    r = client.post(f"{API}/meeting-batches", json=batch, headers=agent)
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "meetings[1].lines[0].voluntary"
    too_many = {"meetings": [a_sheet(org)] * 101}
    assert client.post(f"{API}/meeting-batches", json=too_many, headers=agent).status_code == 422
    empty = client.post(f"{API}/meeting-batches", json={"meetings": []}, headers=agent)
    assert empty.status_code == 422
    manager = bearer(client, "manager")
    r = client.post(f"{API}/meeting-batches", json={"meetings": [a_sheet(org)]}, headers=manager)
    assert r.status_code == 403
    assert counts(db) == (0, 0)


def test_the_offline_outbox_chunks_its_sync_at_the_batch_limit() -> None:
    """offline.js sends at most BATCH sheets per request: more would be refused whole."""
    script = Path(__file__).parents[2] / "src" / "kuza" / "web" / "static" / "offline.js"
    assert f"var BATCH = {MAX_BATCH};" in script.read_text(encoding="utf-8")
