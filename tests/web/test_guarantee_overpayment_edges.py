"""Calling a written-off loan's guarantee and applying a held over-payment to the
member's next loan succeed through the loan page and the API, for the roles that may
(refused to the others with nothing written); the ledger shows the effect and an API
replay books nothing twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import journal_entry
from kuza.domain.access import Role
from kuza.domain.ledger import AccountCode, AccountKey
from kuza.services import ledger_check, users
from kuza.services.loans import products
from kuza.services.loans.applications import LoanRequest, apply, approve
from kuza.services.loans.disbursement import disburse
from kuza.services.loans.repayments import repay
from kuza.services.loans.store import balance
from kuza.services.loans.writeoff import write_off
from tests.web.conftest import PASSWORD, TODAY, Org, csrf_of, login
from tests.web.loan_setup import WEEKLY_4, LoanBook, make_loan_book

pytestmark = pytest.mark.storage
ON = TODAY.isoformat()
JAN26 = date(2026, 1, 26)


@dataclass(frozen=True)
class Book:
    loans: LoanBook
    written_off: int  # external, member 2, 1000 written off; its guarantee still blocked
    next_loan: int  # member 0's internal loan after loan 2 closed with 20.00 over-paid


@pytest.fixture
def book(db: Database, org: Org) -> Book:
    users.create_user(
        db, users.NewUser("finance", Role.FINANCE, PASSWORD, programme_id=org.world.programme_id)
    )
    loans = make_loan_book(db, org)
    w = org.world
    external = products.create_product(
        db,
        w.programme_id,
        {"name": "Enterprise", "kind": "external", "terms": WEEKLY_4,
         "ceilings": {"1": "5000"}, "guarantee_percent": "10"},
        "manager",
    )  # fmt: skip
    products.fund_loan_fund(db, w.programme_id, "100000", JAN26, "grant-1", "finance")
    req = LoanRequest(w.group_id, w.member_ids[2], external, "1000", JAN26, "poultry",
                      monthly_revenue="3000", monthly_costs="1000")  # fmt: skip
    lost = apply(db, req, "agent", TODAY)
    approve(db, lost, JAN26, "manager", TODAY)
    disburse(db, lost, JAN26, "agent", TODAY)
    write_off(db, lost, TODAY, "moved away", "manager", "country_manager", TODAY)
    paid = repay(db, loans.active, "423.69", TODAY, "r-all", "agent", TODAY)
    assert paid.overpaid.amount == Decimal("20.00")  # 400 + 3.69 interest owed
    req = LoanRequest(w.group_id, w.member_ids[0], loans.product, "300", TODAY, "goats")
    nxt = apply(db, req, "agent", TODAY)
    approve(db, nxt, TODAY, "manager", TODAY)
    disburse(db, nxt, TODAY, "agent", TODAY)
    return Book(loans, lost, nxt)


def bearer(client: TestClient, username: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def bal(db: Database, org: Org, code: AccountCode, group: bool = True, member: int | None = None
        ) -> Decimal:  # fmt: skip
    key = AccountKey(code, org.world.group_id if group else None, member)
    with db.read() as conn:
        return balance(conn, org.world.programme_id, key, "KES").amount


def entries(db: Database) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(journal_entry)).scalar_one())


def guarantee_figures(db: Database, org: Org) -> tuple[Decimal, Decimal, Decimal]:
    """(blocked deposit, loan fund cash, group retained earnings)."""
    return (
        bal(db, org, AccountCode.GUARANTEE_DEPOSIT),
        bal(db, org, AccountCode.LOAN_FUND_CASH, group=False),
        bal(db, org, AccountCode.FUND_EQUITY),
    )


def test_api_guarantee_call_by_a_checker_once(
    client: TestClient, db: Database, org: Org, book: Book
) -> None:
    blocked, fund, equity = guarantee_figures(db, org)
    assert blocked == Decimal("160.00")  # 10 % of the 1600 cash when it was disbursed
    url = f"/api/v1/loans/{book.written_off}/guarantee-call"
    before = entries(db)
    for who in ("agent", "donor"):
        r = client.post(url, json={"on": ON}, headers=bearer(client, who))
        assert r.status_code == 403, who
    r = client.post(url, json={"on": ON}, headers=bearer(client, "manager"))  # wrote it off
    assert r.status_code == 200, r.text  # the write-off is not the loan's maker
    assert entries(db) == before + 1
    got = r.json()
    assert (got["loan_id"], got["called"], got["released"], got["status"]) == (
        book.written_off, "160.00", "0.00", "written_off")  # fmt: skip
    # the group bears the loss from its earnings; the loan fund gets it back
    assert guarantee_figures(db, org) == (Decimal("0.00"), fund + 160, equity + 160)
    again = client.post(url, json={"on": ON}, headers=bearer(client, "finance"))
    assert again.status_code == 409 and entries(db) == before + 1
    assert ledger_check.check(db) == []


def test_api_guarantee_replay_returns_the_first_answer(
    client: TestClient, db: Database, org: Org, book: Book
) -> None:
    url = f"/api/v1/loans/{book.written_off}/guarantee-call"
    finance = {**bearer(client, "finance"), "Idempotency-Key": "gc-1"}
    first = client.post(url, json={"on": ON, "release": True}, headers=finance)
    assert first.status_code == 200 and first.json()["released"] == "160.00"
    before = entries(db)
    r = client.post(url, json={"on": ON, "release": True}, headers=finance)
    assert r.headers["Idempotent-Replayed"] == "true" and r.json() == first.json()
    assert entries(db) == before
    assert bal(db, org, AccountCode.GUARANTEE_DEPOSIT) == 0
    assert ledger_check.check(db) == []


def test_page_guarantee_call(client: TestClient, db: Database, org: Org, book: Book) -> None:
    url = f"/loans/{book.written_off}"
    login(client, "agent")
    page = client.get(url).text
    assert "Settle the group guarantee" not in page
    r = client.post(f"{url}/guarantee", data={"csrf_token": csrf_of(page), "on": ON})
    assert r.status_code == 403
    blocked, fund, equity = guarantee_figures(db, org)
    login(client, "branch")
    page = client.get(url).text
    assert "Settle the group guarantee" in page
    r = client.post(f"{url}/guarantee", data={"csrf_token": csrf_of(page), "on": ON,
                                              "release": "no"})  # fmt: skip
    assert r.status_code == 303, r.text[-2000:]
    assert guarantee_figures(db, org) == (Decimal("0.00"), fund + blocked, equity + blocked)
    page = client.get(url).text
    r = client.post(f"{url}/guarantee", data={"csrf_token": csrf_of(page), "on": ON})
    assert r.status_code == 422  # settled once
    assert ledger_check.check(db) == []


def overpaid_and_owed(db: Database, org: Org) -> tuple[Decimal, Decimal]:
    m0 = org.world.member_ids[0]
    return (
        -bal(db, org, AccountCode.LOAN_OVERPAYMENTS, member=m0),
        bal(db, org, AccountCode.INTERNAL_LOANS, member=m0),
    )


def test_api_apply_overpayment_to_the_next_loan_once(
    client: TestClient, db: Database, org: Org, book: Book
) -> None:
    assert overpaid_and_owed(db, org) == (Decimal("20.00"), Decimal("300.00"))
    closed = book.loans.active
    url = f"/api/v1/loans/{closed}/overpayment-applications"
    body = {"to_loan_id": book.next_loan, "on": ON, "reference": "ap-1"}
    before = entries(db)
    for who in ("manager", "finance", "donor"):  # not those who record repayments
        assert client.post(url, json=body, headers=bearer(client, who)).status_code == 403
    assert entries(db) == before
    agent = {**bearer(client, "agent"), "Idempotency-Key": "ap-key"}
    r = client.post(url, json=body, headers=agent)
    assert r.status_code == 201, r.text
    got = r.json()
    assert (got["loan_id"], got["created"], got["status"]) == (book.next_loan, True, "disbursed")
    assert Decimal(got["principal"]) + Decimal(got["interest"]) == Decimal("20.00")
    assert overpaid_and_owed(db, org) == (Decimal("0.00"), 300 - Decimal(got["principal"]))
    replay = client.post(url, json=body, headers=agent)
    assert replay.headers["Idempotent-Replayed"] == "true" and replay.json() == got
    same_ref = client.post(url, json=body, headers=bearer(client, "agent"))  # no key
    assert same_ref.status_code == 200 and same_ref.json()["created"] is False
    assert entries(db) == before + 1
    assert ledger_check.check(db) == []


def test_page_apply_overpayment(client: TestClient, db: Database, org: Org, book: Book) -> None:
    url = f"/loans/{book.loans.active}"
    login(client, "manager")
    page = client.get(url).text
    r = client.post(f"{url}/apply-overpayment", data={
        "csrf_token": csrf_of(page), "to_loan_id": str(book.next_loan), "on": ON,
        "reference": "ap-2"})  # fmt: skip
    assert r.status_code == 403
    login(client, "branch")
    page = client.get(url).text
    form = {"csrf_token": csrf_of(page), "to_loan_id": str(book.next_loan), "on": ON,
            "reference": "ap-2", "amount": "25"}  # fmt: skip
    r = client.post(f"{url}/apply-overpayment", data=form)
    assert r.status_code == 422 and 'id="apply-overpayment-amount-error"' in r.text
    assert overpaid_and_owed(db, org)[0] == Decimal("20.00")
    r = client.post(f"{url}/apply-overpayment", data={**form, "amount": "12.50"})
    assert r.status_code == 303, r.text[-2000:]
    held, owed = overpaid_and_owed(db, org)
    assert held == Decimal("7.50") and owed < Decimal("300.00")
    assert ledger_check.check(db) == []
