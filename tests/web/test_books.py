"""The books over the pages and the API, on both databases: a deposit into the loan fund
(booked once, bad input changes nothing), the close of day and the ledger check (admins,
a tampered balance found), and a group's share-out statement (scoped like the group)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import close_day_run, journal_entry, ledger_account
from kuza.domain.access import Role
from kuza.domain.ledger import AccountCode, AccountKey
from kuza.services import ledger_check, users
from kuza.services.ledger import balances_of
from kuza.services.meetings import post_meeting
from kuza.services.shareout import share_out
from tests.factories import FORMED, sheet
from tests.web.conftest import PASSWORD, TODAY, Org, csrf_of, login

pytestmark = pytest.mark.storage


def _finance(db: Database, org: Org) -> None:
    users.create_user(
        db, users.NewUser("finance", Role.FINANCE, PASSWORD, programme_id=org.world.programme_id)
    )


def _token(client: TestClient, username: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _fund(db: Database, pid: int) -> tuple[Decimal, Decimal]:
    """(cash, capital) of the loan fund straight from the running balances."""
    cash, capital = (
        AccountKey(AccountCode.LOAN_FUND_CASH),
        AccountKey(AccountCode.LOAN_FUND_CAPITAL),
    )
    with db.read() as conn:
        found = balances_of(conn, pid, (cash, capital), "KES")
    return found[cash].amount, -found[capital].amount


def _entries(db: Database) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(journal_entry)).scalar_one())


def test_finance_deposits_into_the_loan_fund_on_the_page(
    client: TestClient, org: Org, db: Database
) -> None:
    _finance(db, org)
    login(client, "finance")
    page = client.get("/books")
    assert page.status_code == 200 and "Loan fund" in page.text
    token = csrf_of(page.text)
    form = {"csrf_token": token, "amount": "5000", "on": "2026-01-30", "reference": "BANK-1"}
    done = client.post("/books/loan-fund", data=form)
    assert done.status_code == 303
    assert _fund(db, org.world.programme_id) == (Decimal("5000"), Decimal("5000"))
    page = client.get(done.headers["location"])
    assert "Deposit booked into the loan fund." in page.text
    assert "Capital into the loan fund" in page.text  # the movement listed

    before = _entries(db)
    for bad, field in (
        ({"amount": "-5"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"on": (TODAY + timedelta(days=1)).isoformat()}, "on"),
        ({"reference": "BANK-1"}, None),  # booked before
        ({"reference": ""}, "reference"),
    ):
        refused = client.post("/books/loan-fund", data={**form, **bad})
        assert refused.status_code == 422, bad
        if field:
            assert f'id="fund-{field}-error"' in refused.text, bad
    assert _entries(db) == before
    assert _fund(db, org.world.programme_id) == (Decimal("5000"), Decimal("5000"))
    assert ledger_check.check(db) == []


def test_a_field_agent_and_a_donor_cannot_reach_the_books(
    client: TestClient, org: Org, db: Database
) -> None:
    login(client, "agent")
    assert client.get("/books").status_code == 403
    token = csrf_of(client.get("/groups").text)
    form = {"csrf_token": token, "amount": "10", "on": "2026-01-30", "reference": "X"}
    assert client.post("/books/loan-fund", data=form).status_code == 403
    client.cookies.clear()
    login(client, "donor")
    assert client.get("/books").status_code == 404
    assert _entries(db) == 0


def test_the_loan_fund_over_the_api_books_once_per_key_and_reference(
    client: TestClient, org: Org, db: Database
) -> None:
    _finance(db, org)
    pid = org.world.programme_id
    auth = _token(client, "finance")
    url = f"/api/v1/programmes/{pid}/loan-fund"
    body = {"amount": "1200.50", "on": "2026-01-30", "reference": "GRANT-7"}
    first = client.post(f"{url}/deposits", json=body, headers={**auth, "Idempotency-Key": "k1"})
    assert first.status_code == 201
    assert first.json()["cash"] == "1200.50" and first.json()["currency"] == "KES"
    again = client.post(f"{url}/deposits", json=body, headers={**auth, "Idempotency-Key": "k1"})
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    twice = client.post(f"{url}/deposits", json=body, headers=auth)  # no key, same reference
    assert twice.status_code == 409
    assert twice.json()["error"]["code"] == "conflict"
    future = {**body, "reference": "G-8", "on": (TODAY + timedelta(days=1)).isoformat()}
    late = client.post(f"{url}/deposits", json=future, headers=auth)
    assert (late.status_code, late.json()["error"]["field"]) == (422, "on")
    assert _fund(db, pid) == (Decimal("1200.50"), Decimal("1200.50"))

    shown = client.get(url, headers=auth).json()
    assert (shown["cash"], shown["capital"], shown["total"]) == ("1200.50", "1200.50", 1)
    assert shown["items"][0]["amount"] == "1200.50"
    assert shown["items"][0]["entry_id"] == first.json()["entry_id"]
    # another programme's fund is absent for her; a branch manager has no books
    assert client.get(f"/api/v1/programmes/{pid + 1}/loan-fund", headers=auth).status_code == 404
    assert client.get(url, headers=_token(client, "branch")).status_code == 403


def test_close_day_over_the_api_and_the_page_is_an_admins_and_idempotent(
    client: TestClient, org: Org, db: Database
) -> None:
    auth = _token(client, "admin")
    day = date(2026, 1, 31)
    first = client.post("/api/v1/close-days", json={"on": day.isoformat()}, headers=auth)
    assert first.status_code == 200 and first.json()["first_run"] is True
    again = client.post("/api/v1/close-days", json={"on": day.isoformat()}, headers=auth)
    assert again.json()["first_run"] is False
    future = (TODAY + timedelta(days=1)).isoformat()
    refused = client.post("/api/v1/close-days", json={"on": future}, headers=auth)
    assert (refused.status_code, refused.json()["error"]["field"]) == (422, "on")
    manager = _token(client, "manager")
    assert (
        client.post("/api/v1/close-days", json={"on": "2026-02-01"}, headers=manager).status_code
        == 403
    )
    with db.read() as conn:
        runs = conn.execute(select(close_day_run.c.run_on)).scalars().all()
    assert runs == [day]
    listed = client.get("/api/v1/close-days", headers=manager).json()["items"]
    assert [r["on"] for r in listed] == [day.isoformat()] and listed[0]["ran_by"] == "admin"

    login(client, "admin")
    page = client.get("/books")
    done = client.post(
        "/books/close-day", data={"csrf_token": csrf_of(page.text), "on": "2026-02-01"}
    )
    assert done.status_code == 303
    assert "Day closed:" in client.get(done.headers["location"]).text
    bad = client.post("/books/close-day", data={"csrf_token": csrf_of(page.text), "on": future})
    assert bad.status_code == 422 and 'id="close-on-error"' in bad.text
    with db.read() as conn:
        assert conn.execute(select(func.count()).select_from(close_day_run)).scalar_one() == 2


def test_the_ledger_check_finds_a_tampered_balance(
    client: TestClient, org: Org, db: Database
) -> None:
    post_meeting(db, sheet(org.world, FORMED, m0={"voluntary": "200"}), "agent", TODAY)
    auth = _token(client, "admin")
    clean = client.get("/api/v1/ledger/check", headers=auth).json()
    entries, lines, accounts = ledger_check.totals(db)
    assert clean == {
        "clean": True, "entries": entries, "lines": lines, "accounts": accounts,
        "findings": [], "details": [],
    }  # fmt: skip
    login(client, "admin")
    assert "The ledger is clean" in client.get("/books/ledger-check").text

    with db.transaction() as conn:  # what the check exists for: a balance gone wrong
        conn.execute(
            update(ledger_account)
            .where(ledger_account.c.code == AccountCode.GROUP_CASH.value)
            .values(balance_minor=ledger_account.c.balance_minor + 1)
        )
        drifted = conn.execute(
            select(ledger_account.c.id, ledger_account.c.balance_minor)
            .where(ledger_account.c.code == AccountCode.GROUP_CASH.value)
            .order_by(ledger_account.c.id)
        ).all()
    cash = next(r for r in drifted if r.balance_minor == 50001)  # 3 x 100 + 200 saved, +1
    found = client.get("/api/v1/ledger/check", headers=auth).json()
    assert found["clean"] is False and len(found["findings"]) == len(drifted)
    english = f"account {cash.id} (1000) shows 50001 minor units but its lines add to 50000"
    french = (
        f"le compte {cash.id} (1000) affiche 50001 unités mineures mais ses lignes totalisent 50000"
    )
    assert english in found["findings"]
    assert {
        "kind": "drifted_balance",
        "values": {"account": cash.id, "code": "1000", "stored": 50001, "lines": 50000},
        "message": english,
    } in found["details"]
    assert [d["message"] for d in found["details"]] == found["findings"]
    fr = client.get("/api/v1/ledger/check", headers=auth | {"Accept-Language": "fr"}).json()
    assert french in fr["findings"] and english not in fr["findings"]
    assert [d["values"] for d in fr["details"]] == [d["values"] for d in found["details"]]
    page = client.get("/books/ledger-check").text
    assert "problems found" in page and english in page
    admin = users.authenticate(db, "admin", PASSWORD)
    users.set_locale(db, admin.user_id, "fr")
    page = client.get("/books/ledger-check").text
    assert french in unescape(page) and "but its lines add to" not in page
    assert client.get("/api/v1/ledger/check", headers=_token(client, "manager")).status_code == 403


def _shared_out(db: Database, org: Org) -> int:
    w = org.world
    for week in range(3):
        day = FORMED + timedelta(weeks=week)
        post_meeting(db, sheet(w, day, m0={"voluntary": "150"}), "agent", TODAY)
    return share_out(db, w.group_id, date(2026, 1, 26), "manager", TODAY).share_out_id


def test_a_share_out_statement_on_the_group_page_and_the_api(
    client: TestClient, org: Org, db: Database
) -> None:
    sid = _shared_out(db, org)
    login(client, "agent")
    group = client.get(f"/groups/{org.world.group_id}").text
    assert f'href="/share-outs/{sid}"' in group
    page = client.get(f"/share-outs/{sid}")
    assert page.status_code == 200 and "Share-out of cycle 1" in page.text

    body = client.get(f"/api/v1/share-outs/{sid}", headers=_token(client, "agent")).json()
    payouts = sum(Decimal(line["payout"]) for line in body["lines"])
    assert payouts == Decimal(body["fund"]) > 0  # the statement distributes the fund exactly
    assert len(body["lines"]) == len(org.world.member_ids)
    listed = client.get(
        f"/api/v1/groups/{org.world.group_id}/share-outs", headers=_token(client, "agent")
    ).json()["items"]
    assert [(s["id"], s["cycle_number"], s["fund"]) for s in listed] == [(sid, 1, body["fund"])]

    # agent B does not run this group: absent for her, on the page and over the API
    client.cookies.clear()
    login(client, "agentb")
    assert client.get(f"/share-outs/{sid}").status_code == 404
    other = _token(client, "agentb")
    assert client.get(f"/api/v1/share-outs/{sid}", headers=other).status_code == 404
    assert (
        client.get(f"/api/v1/groups/{org.world.group_id}/share-outs", headers=other).status_code
        == 404
    )
    client.cookies.clear()
    login(client, "donor")
    assert client.get(f"/share-outs/{sid}").status_code == 404
    assert (
        client.get(f"/api/v1/share-outs/{sid}", headers=_token(client, "donor")).status_code == 403
    )
