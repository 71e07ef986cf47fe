"""Loan servicing over /api/v1: the reversal of a repayment through a checker, a
reschedule, withdraw and undo an approval, recovery after a write-off, the guarantee
refused on a loan without one, and a held over-payment refunded; each bad call refused
with nothing written, each replay booking nothing twice, the ledger checked after."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import journal_entry, pending_action
from kuza.domain.access import Role
from kuza.services import ledger_check, users
from tests.web.conftest import PASSWORD, TODAY, Org
from tests.web.loan_setup import LoanBook, make_loan_book

pytestmark = pytest.mark.storage
ON = TODAY.isoformat()


@pytest.fixture
def book(db: Database, org: Org) -> LoanBook:
    users.create_user(
        db, users.NewUser("finance", Role.FINANCE, PASSWORD, programme_id=org.world.programme_id)
    )
    return make_loan_book(db, org)


def bearer(client: TestClient, username: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def entries(db: Database) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(journal_entry)).scalar_one())


def actions(db: Database) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(pending_action)).scalar_one())


def first_due(client: TestClient, loan_id: int, who: dict[str, str]) -> str:
    loan = client.get(f"/api/v1/loans/{loan_id}", headers=who).json()
    return str(loan["instalments"][0]["due"])


def test_a_repayment_is_reversed_only_when_a_checker_approves(
    client: TestClient, db: Database, book: LoanBook
) -> None:
    agent, branch, manager = (bearer(client, u) for u in ("agent", "branch", "manager"))
    due = first_due(client, book.active, agent)
    repay = {"amount": "100.92", "on": ON, "reference": "rc-1"}
    r = client.post(f"/api/v1/loans/{book.active}/repayments", json=repay, headers=agent)
    assert r.status_code == 201 and first_due(client, book.active, agent) == "0.00"
    url = f"/api/v1/loans/{book.active}/repayment-reversals"
    before = (entries(db), actions(db))
    for bad, field, code in (
        ({"reference": "nope", "on": ON, "reason": "typed twice"}, "reference", 404),
        ({"reference": "rc-1", "on": ON, "reason": ""}, "reason", 422),
        ({"reference": "rc-1", "on": "2026-02-30", "reason": "x"}, "on", 422),
    ):
        r = client.post(url, json=bad, headers=agent)
        assert r.status_code == code, r.text
        assert field in str(r.json()["error"]["field"]), r.text
    assert (entries(db), actions(db)) == before
    assert client.post(url, json={"reference": "rc-1", "on": ON, "reason": "x"},
                       headers=manager).status_code == 403  # fmt: skip
    body = {"reference": "rc-1", "on": ON, "reason": "typed on the wrong loan"}
    first = client.post(url, json=body, headers={**agent, "Idempotency-Key": "rv-1"})
    assert first.status_code == 201, first.text
    action = first.json()
    assert action["kind"] == "repayment_reversal" and action["status"] == "pending"
    again = client.post(url, json=body, headers={**agent, "Idempotency-Key": "rv-1"})
    assert again.json() == action and again.headers["Idempotent-Replayed"] == "true"
    assert client.post(url, json=body, headers=agent).status_code == 409  # one at a time
    assert entries(db) == before[0] and first_due(client, book.active, agent) == "0.00"
    approve = f"/api/v1/pending-actions/{action['id']}/approve"
    assert client.post(approve, headers=agent).status_code == 403
    r = client.post(approve, headers={**branch, "Idempotency-Key": "ok-1"})
    assert r.status_code == 200, r.text
    assert r.json()["result"]["reversed"] == "100.92"
    assert first_due(client, book.active, agent) == due
    assert entries(db) == before[0] + 1
    r = client.post(approve, headers={**branch, "Idempotency-Key": "ok-1"})
    assert r.headers["Idempotent-Replayed"] == "true" and entries(db) == before[0] + 1
    assert client.post(approve, headers=manager).status_code == 409
    r = client.post(url, json=body, headers=agent)  # reversed: refused before a checker sees it
    assert r.status_code == 409 and r.json()["error"]["field"] == "reference"
    assert actions(db) == before[1] + 1
    assert ledger_check.check(db) == []


def test_the_officer_who_recorded_the_repayment_cannot_approve_its_reversal(
    client: TestClient, db: Database, book: LoanBook
) -> None:
    agent, branch = bearer(client, "agent"), bearer(client, "branch")
    repay = {"amount": "50", "on": ON, "reference": "rc-2"}
    client.post(f"/api/v1/loans/{book.active}/repayments", json=repay, headers=branch)
    body = {"reference": "rc-2", "on": ON, "reason": "bounced"}
    r = client.post(f"/api/v1/loans/{book.active}/repayment-reversals", json=body, headers=agent)
    before = entries(db)
    r = client.post(f"/api/v1/pending-actions/{r.json()['id']}/approve", headers=branch)
    assert r.status_code == 422 and "maker-checker" in r.json()["error"]["message"]
    assert entries(db) == before
    pending = client.get("/api/v1/pending-actions", headers=agent).json()["items"]
    assert [a["status"] for a in pending if a["kind"] == "repayment_reversal"] == ["pending"]


def test_reschedule_by_a_checker(client: TestClient, db: Database, book: LoanBook) -> None:
    agent, manager = bearer(client, "agent"), bearer(client, "manager")
    url = f"/api/v1/loans/{book.active}/reschedule"
    body = {"on": ON, "reason": "drought", "instalments": 6}
    assert client.post(url, json=body, headers=agent).status_code == 403
    for bad in ({**body, "instalments": 0}, {**body, "reason": ""}, {**body, "on": "2026-03-01"}):
        assert client.post(url, json=bad, headers=manager).status_code == 422
    assert len(client.get(f"/api/v1/loans/{book.active}", headers=agent).json()["instalments"]) == 4
    r = client.post(url, json=body, headers={**manager, "Idempotency-Key": "rs-1"})
    assert r.status_code == 200, r.text
    assert r.json() == {"id": book.active, "status": "rescheduled", "principal": "400.00",
                        "instalments": 6}  # fmt: skip
    loan = client.get(f"/api/v1/loans/{book.active}", headers=agent).json()
    assert loan["status"] == "rescheduled" and len(loan["instalments"]) == 6
    r = client.post(url, json=body, headers={**manager, "Idempotency-Key": "rs-1"})
    assert r.headers["Idempotent-Replayed"] == "true"
    assert len(client.get(f"/api/v1/loans/{book.active}", headers=agent).json()["instalments"]) == 6
    assert ledger_check.check(db) == []


def test_withdraw_and_undo_an_approval(client: TestClient, book: LoanBook) -> None:
    agent, manager = bearer(client, "agent"), bearer(client, "manager")
    loan = f"/api/v1/loans/{book.applied}"
    r = client.post(f"{loan}/approve", json={"on": ON}, headers=manager)
    assert r.json()["status"] == "approved"
    undo = f"{loan}/undo-approval"
    assert client.post(undo, json={"on": ON, "reason": "x"}, headers=agent).status_code == 403
    r = client.post(undo, json={"on": ON, "reason": " "}, headers=manager)
    assert r.status_code == 422 and r.json()["error"]["field"] == "reason"
    r = client.post(undo, json={"on": ON, "reason": "wrong member"}, headers=manager)
    assert r.json() == {"id": book.applied, "status": "applied"}
    assert client.post(f"{loan}/withdraw", json={"on": ON}, headers=manager).status_code == 403
    r = client.post(f"{loan}/withdraw", json={"on": ON, "reason": "moved"}, headers=agent)
    assert r.json() == {"id": book.applied, "status": "withdrawn"}
    r = client.post(f"{loan}/withdraw", json={"on": ON}, headers=agent)
    assert r.status_code == 422  # already withdrawn
    assert client.get(loan, headers=agent).json()["status"] == "withdrawn"


def test_recovery_after_a_write_off_booked_once(
    client: TestClient, db: Database, book: LoanBook
) -> None:
    agent, manager = bearer(client, "agent"), bearer(client, "manager")
    url = f"/api/v1/loans/{book.active}/recoveries"
    body = {"amount": "50", "on": ON, "reference": "rec-1"}
    assert client.post(url, json=body, headers=agent).status_code == 422  # not written off
    submit = {"kind": "write_off", "loan_id": book.active, "on": ON, "reason": "left"}
    action = client.post("/api/v1/pending-actions", json=submit, headers=agent).json()
    r = client.post(f"/api/v1/pending-actions/{action['id']}/approve", headers=manager)
    assert r.status_code == 200, r.text
    before = entries(db)
    assert client.post(url, json=body, headers=manager).status_code == 403
    assert client.post(url, json={**body, "amount": "0"}, headers=agent).status_code == 422
    assert entries(db) == before
    r = client.post(url, json=body, headers=agent)
    assert r.status_code == 201 and r.json()["created"] is True
    assert r.json()["status"] == "written_off"
    r = client.post(url, json=body, headers=agent)
    assert r.status_code == 200 and r.json()["created"] is False
    assert entries(db) == before + 1
    call = f"/api/v1/loans/{book.active}/guarantee-call"
    assert client.post(call, json={"on": ON}, headers=agent).status_code == 403
    r = client.post(call, json={"on": ON}, headers=manager)  # an internal loan: none blocked
    assert r.status_code == 422 and entries(db) == before + 1
    assert ledger_check.check(db) == []


def test_a_held_overpayment_refunded_once(client: TestClient, db: Database, book: LoanBook) -> None:
    agent, finance, manager = (bearer(client, u) for u in ("agent", "finance", "manager"))
    client.post(f"/api/v1/loans/{book.active}/repayments",
                json={"amount": "500", "on": ON, "reference": "big"}, headers=agent)  # fmt: skip
    url = f"/api/v1/loans/{book.active}/overpayment-refunds"
    body = {"on": ON, "reference": "v-1", "amount": "20"}
    assert client.post(url, json=body, headers=manager).status_code == 403
    before = entries(db)
    r = client.post(url, json={**body, "amount": "999"}, headers=finance)
    assert r.status_code == 422 and r.json()["error"]["field"] == "amount"
    apply = f"/api/v1/loans/{book.active}/overpayment-applications"
    r = client.post(apply, json={**body, "to_loan_id": book.applied}, headers=agent)
    assert r.status_code == 422 and entries(db) == before  # another member's loan
    r = client.post(url, json=body, headers=finance)
    assert r.status_code == 201 and r.json()["amount"] == "20.00" and r.json()["created"]
    r = client.post(url, json=body, headers=finance)
    assert r.status_code == 200 and r.json()["created"] is False
    assert entries(db) == before + 1
    assert ledger_check.check(db) == []
