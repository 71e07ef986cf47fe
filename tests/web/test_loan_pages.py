"""Member, loan, arrears and approval pages: who sees them, the maker-checker refusal
shown, a bad amount beside its field with nothing written, a share-out booked once after
approval, and the collection sheet prefilled with instalments due, repaid once."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import journal_entry, loan_transaction, pending_action, share_out
from kuza.services.loans.close_day import close_day
from tests.web.conftest import TODAY, Org, csrf_of, login
from tests.web.loan_setup import LoanBook, make_loan_book

pytestmark = pytest.mark.storage


@pytest.fixture
def book(db: Database, org: Org) -> LoanBook:
    return make_loan_book(db, org)


def count(db: Database, table: object) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_member_page_shows_savings_passbook_and_loans(
    client: TestClient, org: Org, book: LoanBook
) -> None:
    login(client, "agent")
    m0 = org.world.member_ids[0]
    page = client.get(f"/members/{m0}")
    assert page.status_code == 200
    assert "Member 0" in page.text
    assert "800.00 KES" in page.text  # voluntary savings: 4 × 200
    assert f'href="/loans/{book.active}"' in page.text
    assert 'id="move-amount"' in page.text and '<label for="move-amount">' in page.text


def test_member_page_is_404_for_a_donor_and_out_of_scope(
    client: TestClient, org: Org, book: LoanBook
) -> None:
    login(client, "donor")
    assert client.get(f"/members/{org.world.member_ids[0]}").status_code == 404
    client.cookies.clear()
    login(client, "agentb")
    assert client.get(f"/members/{org.world.member_ids[0]}").status_code == 404
    assert client.get(f"/loans/{book.active}").status_code == 404
    assert f"/loans/{book.active}" not in client.get("/loans").text


def test_apply_then_the_maker_is_refused_as_approver_and_a_checker_approves(
    client: TestClient, org: Org, book: LoanBook, db: Database
) -> None:
    login(client, "branch")
    gid = org.world.group_id
    form = client.get(f"/groups/{gid}/loans/new")
    assert form.status_code == 200 and '<label for="apply-amount">' in form.text
    data = {
        "csrf_token": csrf_of(form.text),
        "member_id": str(org.world.member_ids[2]),
        "product_id": str(book.product),
        "amount": "300",
        "applied_on": TODAY.isoformat(),
        "purpose": "kiosk",
    }
    r = client.post(f"/groups/{gid}/loans", data=data)
    assert r.status_code == 303
    loan_page = r.headers["location"]
    page = client.get(loan_page)
    assert "Approve" in page.text
    r = client.post(
        f"{loan_page}/approve", data={"csrf_token": csrf_of(page.text), "on": TODAY.isoformat()}
    )
    assert r.status_code == 422
    assert "cannot also decide it" in r.text and "maker-checker" in r.text
    client.cookies.clear()
    login(client, "manager")
    page = client.get(loan_page)
    r = client.post(
        f"{loan_page}/approve", data={"csrf_token": csrf_of(page.text), "on": TODAY.isoformat()}
    )
    assert r.status_code == 303
    assert "approved" in client.get(loan_page).text


def test_a_bad_amount_is_shown_beside_its_field_and_nothing_is_written(
    client: TestClient, org: Org, book: LoanBook, db: Database
) -> None:
    login(client, "agent")
    page = client.get(f"/loans/{book.active}")
    assert "Record a repayment" in page.text
    before = (count(db, journal_entry), count(db, loan_transaction))
    data = {"csrf_token": csrf_of(page.text), "amount": "12,5x", "on": TODAY.isoformat(),
            "reference": "R-1"}  # fmt: skip
    r = client.post(f"/loans/{book.active}/repay", data=data)
    assert r.status_code == 422
    assert 'id="repay-amount-error"' in r.text
    assert 'id="repay-amount" name="amount" type="text" value="12,5x"' in r.text
    assert 'aria-invalid="true" aria-describedby="repay-amount-error"' in r.text
    assert (count(db, journal_entry), count(db, loan_transaction)) == before
    m0 = org.world.member_ids[0]
    page = client.get(f"/members/{m0}")
    data = {"csrf_token": csrf_of(page.text), "kind": "deposit", "amount": "-5",
            "on": TODAY.isoformat(), "reference": "P-1"}  # fmt: skip
    r = client.post(f"/members/{m0}/passbook", data=data)
    assert r.status_code == 422 and 'id="move-amount-error"' in r.text
    assert (count(db, journal_entry), count(db, loan_transaction)) == before
    data["amount"] = "50"
    r = client.post(f"/members/{m0}/passbook", data=data)
    assert r.status_code == 303
    assert "50.00 KES" in client.get(f"/members/{m0}").text


def test_loan_page_shows_the_schedule_and_the_arrears_page_the_definitions(
    client: TestClient, org: Org, book: LoanBook
) -> None:
    login(client, "manager")
    page = client.get(f"/loans/{book.active}")
    assert page.status_code == 200
    assert page.text.count('data-label="Due"') == 4
    assert "Record a repayment" not in page.text  # a country manager does not collect
    arrears = client.get("/arrears")
    assert arrears.status_code == 200
    for name in ("PAR1", "PAR30", "PAR90", "On-time repayment rate"):
        assert name in arrears.text
    assert "divided by the amount fallen due" in arrears.text
    assert client.get("/loans?status=applied").text.count('/loans/1"') == 1


def test_the_sheet_is_prefilled_with_instalments_due_and_repays_them_once(
    client: TestClient, org: Org, book: LoanBook, db: Database
) -> None:
    login(client, "agent")
    gid = org.world.group_id
    m0 = org.world.member_ids[0]
    page = client.get(f"/groups/{gid}/meetings/new")
    key = f"repay-{m0}-{book.active}"
    assert page.status_code == 200 and f'<label for="{key}">' in page.text
    # three weekly instalments fell due by TODAY (Jan 19, 26, Feb 2)
    assert f'id="{key}" name="{key}" value="302.77"' in page.text
    data: dict[str, str | list[str]] = {
        "csrf_token": csrf_of(page.text),
        "held_on": TODAY.isoformat(),
        "notes": "",
        "member": [str(m) for m in org.world.member_ids],
        f"loan-{m0}": [str(book.active)],
        key: "302.77",
        "action": "post",
    }
    for mid in org.world.member_ids:
        data[f"present-{mid}"] = "1"
        data[f"compulsory-{mid}"] = "100"
    r = client.post(f"/groups/{gid}/meetings", data=data)
    assert r.status_code == 303, r.text
    repaid = count(db, loan_transaction)
    assert client.post(f"/groups/{gid}/meetings", data=data).status_code == 303
    assert count(db, loan_transaction) == repaid
    assert "100.92 KES" in client.get(f"/loans/{book.active}").text  # one left to pay
    again = client.get(f"/groups/{gid}/meetings/new").text
    assert f'id="{key}" name="{key}" value=""' in again


def _meetings(db: Database, org: Org) -> None:
    from datetime import timedelta

    from kuza.services.meetings import post_meeting
    from tests.factories import FORMED, sheet

    for week in range(4):
        post_meeting(db, sheet(org.world, FORMED + timedelta(weeks=week)), "agent", TODAY)


def test_the_maker_cannot_approve_his_own_share_out(
    client: TestClient, org: Org, db: Database
) -> None:
    _meetings(db, org)
    login(client, "branch")
    gid = org.world.group_id
    page = client.get(f"/groups/{gid}")
    assert "Stability" in page.text and "Grade" in page.text
    r = client.post(
        f"/groups/{gid}/share-out", data={"csrf_token": csrf_of(page.text), "on": "2026-01-26"}
    )
    assert (r.status_code, r.headers["location"]) == (303, "/approvals")
    waiting = client.get("/approvals")
    assert "Share out" in waiting.text
    r = client.post("/approvals/1/approve", data={"csrf_token": csrf_of(waiting.text)})
    assert r.status_code == 422
    assert "cannot also approve it" in r.text
    assert count(db, share_out) == 0


def test_an_approved_share_out_books_once(client: TestClient, org: Org, db: Database) -> None:
    _meetings(db, org)
    login(client, "agent")
    gid = org.world.group_id
    page = client.get(f"/groups/{gid}")
    client.post(
        f"/groups/{gid}/share-out", data={"csrf_token": csrf_of(page.text), "on": "2026-01-26"}
    )
    waiting = client.get("/approvals")
    assert "Approve" not in waiting.text  # a field agent does not check
    r = client.post("/approvals/1/approve", data={"csrf_token": csrf_of(waiting.text)})
    assert r.status_code == 403
    client.cookies.clear()
    login(client, "manager")
    token = csrf_of(client.get("/approvals").text)
    entries = count(db, journal_entry)
    assert client.post("/approvals/1/approve", data={"csrf_token": token}).status_code == 303
    assert (count(db, share_out), count(db, journal_entry)) == (1, entries + 1)
    again = client.post("/approvals/1/approve", data={"csrf_token": token})
    assert again.status_code == 422 and "already approved" in again.text
    assert (count(db, share_out), count(db, journal_entry)) == (1, entries + 1)
    with db.read() as conn:
        row = conn.execute(select(pending_action)).one()
    assert (row.status, row.made_by, row.checked_by) == ("approved", "agent", "manager")


def test_the_arrears_page_shows_the_last_close_day_and_live_only_when_asked(
    client: TestClient, org: Org, book: LoanBook, db: Database
) -> None:
    login(client, "manager")
    before = client.get("/arrears")
    assert "Repayment rates computed from the book as of" in before.text  # no close-day yet
    close_day(db, TODAY, "system")
    stored = client.get("/arrears")
    assert stored.status_code == 200
    assert "As of the last close-day" in stored.text and 'href="/arrears?live=1"' in stored.text
    live = client.get("/arrears?live=1")
    assert "Repayment rates computed from the book as of" in live.text
    assert "As of the last close-day" not in live.text
    assert client.get("/arrears?page=0").status_code == 422
    assert client.get("/arrears?page=99").status_code == 200
