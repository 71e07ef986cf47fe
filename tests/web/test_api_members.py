"""GET /api/v1/members/{id} (the member page's details over the API) and GET /loans
?member_id= (her loans, as her page lists them): scoped like the page, never a donor's."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from kuza.adapters.db.engine import Database
from tests.web.conftest import PASSWORD, Org
from tests.web.loan_setup import ACTIVE_LOAN, APPLIED_LOAN, make_loan_book

pytestmark = pytest.mark.storage
API = "/api/v1"


def _token(client: TestClient, username: str) -> dict[str, str]:
    r = client.post(f"{API}/auth/token", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_a_member_as_her_page_shows_her(client: TestClient, org: Org, db: Database) -> None:
    make_loan_book(db, org)  # four meetings: member 0 saved 4 x 100 + 4 x 200 voluntary
    w = org.world
    r = client.get(f"{API}/members/{w.member_ids[0]}", headers=_token(client, "agent"))
    assert r.status_code == 200
    body = r.json()
    assert (body["id"], body["name"], body["sex"]) == (w.member_ids[0], "Member 0", "F")
    assert (body["household_size"], body["literate"], body["phone"]) == (4, True, "")
    [membership] = body["memberships"]
    assert membership["group_id"] == w.group_id and membership["group"] == "Umoja"
    assert Decimal(membership["savings"]) == Decimal("400")
    assert Decimal(membership["voluntary"]) == Decimal("800")
    assert membership["currency"] == "KES" and membership["left_on"] is None
    assert Decimal(body["passbook_balance"]) == 0


def test_a_member_out_of_scope_is_absent_and_a_donor_is_refused(
    client: TestClient, org: Org
) -> None:
    member = org.world.member_ids[0]
    assert client.get(f"{API}/members/{member}").status_code == 401
    for who in ("admin", "manager", "branch", "agent"):
        assert client.get(f"{API}/members/{member}", headers=_token(client, who)).status_code == 200
    other = client.get(f"{API}/members/{member}", headers=_token(client, "agentb"))
    absent = client.get(f"{API}/members/999999", headers=_token(client, "agent"))
    assert other.status_code == absent.status_code == 404
    assert "Member 0" not in other.text
    donor = client.get(f"{API}/members/{member}", headers=_token(client, "donor"))
    assert donor.status_code == 403 and "Member 0" not in donor.text


def test_a_members_loans_and_only_in_scope(client: TestClient, org: Org, db: Database) -> None:
    make_loan_book(db, org)
    w = org.world
    agent = _token(client, "agent")
    all_loans = client.get(f"{API}/loans", headers=agent).json()
    assert {loan["id"] for loan in all_loans["items"]} == {APPLIED_LOAN, ACTIVE_LOAN}
    hers = client.get(f"{API}/loans?member_id={w.member_ids[0]}", headers=agent).json()
    assert (hers["total"], [loan["id"] for loan in hers["items"]]) == (1, [ACTIVE_LOAN])
    other = client.get(f"{API}/loans?member_id={w.member_ids[0]}", headers=_token(client, "agentb"))
    assert other.json()["total"] == 0 and other.json()["items"] == []
    assert client.get(f"{API}/loans?member_id=0", headers=agent).status_code == 422
