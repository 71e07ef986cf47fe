"""Loans and pending actions over /api/v1: apply replayed by its Idempotency-Key, the
applicant refused as approver, a repayment booked once, a pending action approved."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from kuza.adapters.db.engine import Database
from tests.web.conftest import PASSWORD, TODAY, Org
from tests.web.loan_setup import LoanBook, make_loan_book

pytestmark = pytest.mark.storage
FR = {"Accept-Language": "fr"}


@pytest.fixture
def book(db: Database, org: Org) -> LoanBook:
    return make_loan_book(db, org)


def bearer(client: TestClient, username: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_apply_replay_and_maker_checker(client: TestClient, org: Org, book: LoanBook) -> None:
    branch = bearer(client, "branch")
    body = {
        "group_id": org.world.group_id,
        "member_id": org.world.member_ids[2],
        "product_id": book.product,
        "amount": "300",
        "applied_on": TODAY.isoformat(),
    }
    first = client.post("/api/v1/loans", json=body, headers={**branch, "Idempotency-Key": "a1"})
    assert first.status_code == 201, first.text
    again = client.post("/api/v1/loans", json=body, headers={**branch, "Idempotency-Key": "a1"})
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    loan_id = first.json()["id"]
    assert client.get("/api/v1/loans?status=applied", headers=branch).json()["total"] == 2
    r = client.post(f"/api/v1/loans/{loan_id}/approve", json={"on": TODAY.isoformat()},
                    headers=branch)  # fmt: skip
    assert r.status_code == 422 and "maker-checker" in r.json()["error"]["message"]
    manager = bearer(client, "manager")
    r = client.post(f"/api/v1/loans/{loan_id}/approve", json={"on": TODAY.isoformat()},
                    headers=manager)  # fmt: skip
    assert r.json() == {"id": loan_id, "status": "approved"}


def test_repayment_once_and_pending_action_decided(
    client: TestClient, org: Org, book: LoanBook
) -> None:
    agent = bearer(client, "agent")
    body = {"amount": "100.92", "on": TODAY.isoformat()}
    url = f"/api/v1/loans/{book.active}/repayments"
    r = client.post(url, json=body, headers={**agent, "Idempotency-Key": "rcpt-9"})
    assert r.status_code == 201 and r.json()["created"] is True
    r = client.post(url, json=body, headers={**agent, "Idempotency-Key": "rcpt-9"})
    assert r.headers["Idempotent-Replayed"] == "true"
    loan = client.get(f"/api/v1/loans/{book.active}", headers=agent).json()
    assert loan["instalments"][0]["due"] == "0.00"
    assert client.get("/api/v1/pending-actions", headers=agent).json()["total"] == 1
    assert client.post(f"/api/v1/pending-actions/{book.action}/approve",
                       headers=agent).status_code == 403  # fmt: skip
    manager = bearer(client, "manager")
    r = client.post(f"/api/v1/pending-actions/{book.action}/reject",
                    json={"reason": "she came back"}, headers=manager)  # fmt: skip
    assert r.json()["status"] == "rejected"
    assert client.get("/api/v1/pending-actions", headers=agent).json()["total"] == 0


@pytest.mark.parametrize(
    ("kind", "body", "english", "french"),
    [
        ("share_out", {"on": TODAY.isoformat()}, "group_id is required for a share-out",
         "group_id est requis pour un partage"),
        ("write_off", {"loan_id": 1, "reason": "r"}, "on is required for a write-off",
         "on est requis pour un passage en perte"),
        ("repayment_reversal", {"reason": "r"}, "loan_id is required for a repayment reversal",
         "loan_id est requis pour une annulation de remboursement"),
        ("meeting_correction", {"reason": "r"}, "sheet is required for a meeting correction",
         "sheet est requis pour une correction de réunion"),
    ],
)  # fmt: skip
def test_a_pending_action_lacking_a_field_is_named_in_both_languages(
    client: TestClient, org: Org, kind: str, body: dict[str, Any], english: str, french: str
) -> None:
    auth = bearer(client, "branch")
    sent = {"kind": kind, **body}
    en = client.post("/api/v1/pending-actions", json=sent, headers=auth)
    fr = client.post("/api/v1/pending-actions", json=sent, headers=auth | FR)
    assert en.status_code == fr.status_code == 422
    assert en.json()["error"]["message"] == english and fr.json()["error"]["message"] == french
    assert en.json()["error"]["field"] == fr.json()["error"]["field"] == english.split()[0]
