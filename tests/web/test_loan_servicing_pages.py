"""The loan page's servicing forms: shown for the loan's state and the role, a bad input
beside its field with nothing written, a repayment reversed only once a checker approves
it on /approvals, a reschedule, undo an approval and withdraw, a recovery and a held
over-payment refunded, each booked once; the ledger checked after."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import journal_entry, loan_instalment, pending_action
from kuza.domain.access import Role
from kuza.domain.approvals import PendingKind
from kuza.services import approvals, ledger_check, users
from tests.web.conftest import PASSWORD, TODAY, Org, csrf_of, login
from tests.web.loan_setup import LoanBook, make_loan_book

pytestmark = pytest.mark.storage
ON = TODAY.isoformat()


@pytest.fixture
def book(db: Database, org: Org) -> LoanBook:
    users.create_user(
        db, users.NewUser("finance", Role.FINANCE, PASSWORD, programme_id=org.world.programme_id)
    )
    return make_loan_book(db, org)


def count(db: Database, table: object) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def post(client: TestClient, url: str, page: str, **data: str) -> httpx.Response:
    return client.post(url, data={"csrf_token": csrf_of(page), **data})


def as_user(client: TestClient, username: str) -> None:
    client.cookies.clear()
    login(client, username)


def test_a_repayment_reversed_once_a_checker_approves_it(
    client: TestClient, db: Database, book: LoanBook
) -> None:
    login(client, "agent")
    loan = f"/loans/{book.active}"
    page = client.get(loan).text
    r = post(client, f"{loan}/repay", page, amount="100.92", on=ON, reference="R-9")
    assert r.status_code == 303
    page = client.get(loan).text
    assert "Reverse a repayment" in page and "Reschedule" not in page
    before = (count(db, journal_entry), count(db, pending_action))
    r = client.post(f"{loan}/reverse", data={"csrf_token": csrf_of(page), "reference": "R-8",
                                             "on": ON, "reason": "typed twice"})  # fmt: skip
    assert r.status_code == 422
    assert 'id="reverse-reference-error"' in r.text and 'value="R-8"' in r.text
    assert (count(db, journal_entry), count(db, pending_action)) == before
    data = {"csrf_token": csrf_of(page), "reference": "R-9", "on": ON, "reason": "wrong loan"}
    assert client.post(f"{loan}/reverse", data=data).status_code == 303
    assert count(db, journal_entry) == before[0] and count(db, pending_action) == before[1] + 1
    as_user(client, "branch")
    queue = client.get("/approvals").text
    assert "Repayment reversal" in queue and "receipt R-9" in queue
    action = before[1] + 1
    r = client.post(f"/approvals/{action}/approve", data={"csrf_token": csrf_of(queue)})
    assert r.status_code == 303
    assert count(db, journal_entry) == before[0] + 1
    r = client.post(f"/approvals/{action}/approve", data={"csrf_token": csrf_of(queue)})
    assert r.status_code == 422 and count(db, journal_entry) == before[0] + 1
    with db.read() as conn:
        paid = conn.execute(
            select(func.sum(loan_instalment.c.principal_paid_minor)).where(
                loan_instalment.c.loan_id == book.active
            )
        ).scalar_one()
    assert paid == 0
    assert ledger_check.check(db) == []


def test_reschedule_by_a_checker_with_a_bad_count_refused(
    client: TestClient, db: Database, book: LoanBook
) -> None:
    login(client, "manager")
    loan = f"/loans/{book.active}"
    page = client.get(loan).text
    assert "Reschedule" in page and "Record a repayment" not in page
    r = post(client, f"{loan}/reschedule", page, on=ON, instalments="0", reason="drought")
    assert r.status_code == 422 and 'id="reschedule-instalments-error"' in r.text
    assert 'id="reschedule-reason" name="reason" type="text" value="drought"' in r.text
    with db.read() as conn:
        rows = conn.execute(
            select(func.count()).where(loan_instalment.c.loan_id == book.active)
        ).scalar_one()
    assert rows == 4
    r = post(client, f"{loan}/reschedule", page, on=ON, instalments="6", reason="drought")
    assert r.status_code == 303
    page = client.get(loan).text
    assert "rescheduled" in page and page.count('data-label="No."') == 6
    assert ledger_check.check(db) == []


def test_undo_an_approval_then_withdraw(client: TestClient, book: LoanBook) -> None:
    login(client, "manager")
    loan = f"/loans/{book.applied}"
    page = client.get(loan).text
    assert "Withdraw the application" not in page  # a checker does not record it
    assert post(client, f"{loan}/approve", page, on=ON).status_code == 303
    page = client.get(loan).text
    assert "Undo the approval" in page
    r = client.post(f"{loan}/undo-approval", data={"csrf_token": csrf_of(page), "on": ON,
                                                   "reason": " "})  # fmt: skip
    assert r.status_code == 422 and 'id="undo-approval-reason-error"' in r.text
    assert "status-approved" in client.get(loan).text
    assert post(client, f"{loan}/undo-approval", page, on=ON,
                reason="wrong member").status_code == 303  # fmt: skip
    assert "status-applied" in client.get(loan).text
    as_user(client, "agent")
    page = client.get(loan).text
    assert "Withdraw the application" in page and "Undo the approval" not in page
    assert post(client, f"{loan}/withdraw", page, on=ON).status_code == 303
    page = client.get(loan).text
    assert "status-withdrawn" in page and "Withdraw the application" not in page


def test_recovery_and_refund_booked_once(client: TestClient, db: Database, book: LoanBook) -> None:
    login(client, "agent")
    loan = f"/loans/{book.active}"
    page = client.get(loan).text
    post(client, f"{loan}/repay", page, amount="500", on=ON, reference="BIG")
    as_user(client, "finance")
    page = client.get(loan).text
    assert "Refund an over-payment" in page and "Record a recovery" not in page
    before = count(db, journal_entry)
    r = client.post(f"{loan}/refund", data={"csrf_token": csrf_of(page), "amount": "999",
                                            "on": ON, "reference": "V-1"})  # fmt: skip
    assert r.status_code == 422 and 'id="refund-amount-error"' in r.text
    assert count(db, journal_entry) == before
    for _ in range(2):
        r = client.post(f"{loan}/refund", data={"csrf_token": csrf_of(page), "amount": "20",
                                                "on": ON, "reference": "V-1"})  # fmt: skip
        assert r.status_code == 303
    assert count(db, journal_entry) == before + 1
    assert ledger_check.check(db) == []


def test_a_recovery_after_the_write_off_booked_once(
    client: TestClient, db: Database, book: LoanBook
) -> None:
    action = approvals.submit(
        db, PendingKind.WRITE_OFF, {"loan_id": book.active, "on": ON}, "left", "agent",
        Role.FIELD_AGENT, TODAY,
    )  # fmt: skip
    approvals.approve(db, action, "manager", Role.COUNTRY_MANAGER, TODAY)
    login(client, "agent")
    loan = f"/loans/{book.active}"
    page = client.get(loan).text
    assert "Record a recovery" in page and "Settle the group guarantee" not in page
    before = count(db, journal_entry)
    r = client.post(f"{loan}/recover", data={"csrf_token": csrf_of(page), "amount": "-5",
                                             "on": ON, "reference": "REC-1"})  # fmt: skip
    assert r.status_code == 422 and 'id="recover-amount-error"' in r.text
    assert count(db, journal_entry) == before
    for _ in range(2):
        r = client.post(f"{loan}/recover", data={"csrf_token": csrf_of(page), "amount": "50",
                                                 "on": ON, "reference": "REC-1"})  # fmt: skip
        assert r.status_code == 303
    assert count(db, journal_entry) == before + 1
    assert ledger_check.check(db) == []
