"""A reschedule changes more than the count of instalments, on the loan page and over
the API: the frequency (weekly to every two weeks), the rate, the method, the grace, as
typed fields; bad values are refused on their field with nothing changed. And a
repayment reversal dated in the future is refused when it is submitted."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import loan, loan_instalment, pending_action
from kuza.services import ledger_check
from tests.web.conftest import PASSWORD, TODAY, Org, csrf_of, login
from tests.web.loan_setup import LoanBook, make_loan_book

pytestmark = pytest.mark.storage
ON = TODAY.isoformat()
TOMORROW = (TODAY + timedelta(days=1)).isoformat()


@pytest.fixture
def book(db: Database, org: Org) -> LoanBook:
    return make_loan_book(db, org)


def bearer(client: TestClient, username: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def schedule(db: Database, loan_id: int) -> list[tuple[date, int, int]]:
    """(due, principal, interest) of every instalment not paid at all, in order."""
    i = loan_instalment.c
    with db.read() as conn:
        rows = conn.execute(
            select(i.due_on, i.principal_minor, i.interest_minor)
            .where(i.loan_id == loan_id)
            .order_by(i.n)
        ).all()
    return [(r.due_on, r.principal_minor, r.interest_minor) for r in rows]


def stored_terms(db: Database, loan_id: int) -> dict[str, object]:
    with db.read() as conn:
        return dict(conn.execute(select(loan.c.terms).where(loan.c.id == loan_id)).scalar_one())


def test_api_reschedule_to_every_two_weeks_at_a_new_rate(
    client: TestClient, db: Database, book: LoanBook
) -> None:
    manager = bearer(client, "manager")
    url = f"/api/v1/loans/{book.active}/reschedule"
    before = schedule(db, book.active)
    bad = [
        {"every": {"n": 0}},  # the schema's bounds
        {"every": {"unit": "fortnight"}},
        {"rate": {"percent": "-1"}},
        {"method": "simple"},
        {"grace": {"principal": 4}},  # the terms' own check: less than the instalments
        {"rate": {"percent": "90", "per": "month"}},  # over 1000 % a year
        {},  # nothing changes
    ]
    fields = []
    for change in bad:
        r = client.post(url, json={"on": ON, "reason": "drought", **change}, headers=manager)
        assert r.status_code == 422, change
        fields.append(r.json()["error"].get("field"))
    assert fields[-3:] == ["grace.principal", "rate.percent", "terms"]
    assert schedule(db, book.active) == before and stored_terms(db, book.active)["every"] == {
        "n": 1,
        "unit": "week",
    }
    body = {"on": ON, "reason": "drought", "every": {"n": 2}, "rate": {"percent": "2"},
            "grace": {"principal": 1}}  # fmt: skip
    r = client.post(url, json=body, headers={**manager, "Idempotency-Key": "rs-2w"})
    assert r.status_code == 200, r.text
    assert r.json() == {"id": book.active, "status": "rescheduled", "principal": "400.00",
                        "instalments": 4}  # fmt: skip
    new = schedule(db, book.active)
    dues = [d for d, _, _ in new]
    assert dues == [TODAY + timedelta(weeks=2 * k) for k in range(1, 5)]  # every two weeks
    # flat on 400 at 2 % a month (24 % a year) for two weeks: 400 x 0.24 x 2/52 = 3.692 an
    # instalment (it was 0.92: 1 % a month, one week), 14.77 in all, allocated to the cent;
    # no principal in the first (grace on principal)
    assert [p for _, p, _ in new] == [0, 13333, 13333, 13334]
    assert sum(i for _, _, i in new) == 1477 and {i for _, _, i in new} == {369, 370}
    terms = stored_terms(db, book.active)
    assert terms["every"] == {"n": 2, "unit": "week"}
    assert terms["rate"] == {"percent": "2", "per": "month"}  # the unit kept
    r = client.post(url, json=body, headers={**manager, "Idempotency-Key": "rs-2w"})
    assert r.headers["Idempotent-Replayed"] == "true" and schedule(db, book.active) == new
    assert ledger_check.check(db) == []


def post(client: TestClient, url: str, page: str, **data: str) -> httpx.Response:
    return client.post(url, data={"csrf_token": csrf_of(page), **data})


def test_page_reschedule_typed_terms_and_refusals_on_their_field(
    client: TestClient, db: Database, book: LoanBook
) -> None:
    login(client, "branch")
    url = f"/loans/{book.active}"
    page = client.get(url).text
    assert 'name="every_n"' in page and 'name="rate_per"' in page and 'name="method"' in page
    before = schedule(db, book.active)
    refusals = [
        ({"every_n": "two"}, "every_n"),
        ({"every_n": "0"}, "every_n"),
        ({"every_unit": "fortnight"}, "every_unit"),
        ({"rate_percent": "1,5"}, "rate_percent"),
        ({"rate_percent": "90", "rate_per": "month"}, "rate_percent"),
        ({"method": "simple"}, "method"),
        ({"grace_interest": "9"}, "grace_interest"),
    ]
    for typed, field in refusals:
        r = post(client, f"{url}/reschedule", page, on=ON, reason="drought", **typed)
        assert r.status_code == 422, typed
        assert f'id="reschedule-{field}-error"' in r.text, (typed, r.text[-3000:])
        assert 'value="drought"' in r.text
    r = post(client, f"{url}/reschedule", page, on=ON, reason="drought")  # nothing to change
    assert r.status_code == 422 and "say what changes" in r.text
    assert schedule(db, book.active) == before
    r = post(client, f"{url}/reschedule", page, on=ON, reason="drought", every_n="2",
             every_unit="week", instalments="3", method="declining_equal_principal",
             rate_percent="12", rate_per="year")  # fmt: skip
    assert r.status_code == 303, r.text[-2000:]
    new = schedule(db, book.active)
    assert [d for d, _, _ in new] == [TODAY + timedelta(weeks=2 * k) for k in (1, 2, 3)]
    assert sum(p for _, p, _ in new) == 40000
    interest = [i for _, _, i in new]  # on a falling balance: each less than the one before
    assert interest[0] > interest[1] > interest[2] > 0
    assert Decimal(interest[0]) == Decimal("185")  # 400 x 12 % x 2/52 = 1.846 -> 1.85
    assert stored_terms(db, book.active)["method"] == "declining_equal_principal"
    assert ledger_check.check(db) == []


def test_a_reversal_dated_in_the_future_is_refused_when_submitted(
    client: TestClient, db: Database, book: LoanBook
) -> None:
    agent = bearer(client, "agent")
    repay = {"amount": "50", "on": ON, "reference": "rc-9"}
    r = client.post(f"/api/v1/loans/{book.active}/repayments", json=repay, headers=agent)
    assert r.status_code == 201
    body = {"reference": "rc-9", "on": TOMORROW, "reason": "bounced"}
    url = f"/api/v1/loans/{book.active}/repayment-reversals"
    r = client.post(url, json=body, headers=agent)
    assert r.status_code == 422 and r.json()["error"]["field"] == "on"
    generic = {"kind": "repayment_reversal", "loan_id": book.active, **body}
    r = client.post("/api/v1/pending-actions", json=generic, headers=agent)
    assert r.status_code == 422 and r.json()["error"]["field"] == "on"
    login(client, "agent")
    page = client.get(f"/loans/{book.active}").text
    r = post(client, f"/loans/{book.active}/reverse", page, reference="rc-9", on=TOMORROW,
             reason="bounced")  # fmt: skip
    assert r.status_code == 422 and 'id="reverse-on-error"' in r.text
    with db.read() as conn:
        waiting = conn.execute(
            select(func.count())
            .select_from(pending_action)
            .where(pending_action.c.kind == "repayment_reversal")
        ).scalar_one()
    assert waiting == 0


def _terms_block(html: str) -> str:
    """The current terms shown with the reschedule form."""
    found = re.search(r'<dl class="figures" aria-labelledby="current-terms">(.*?)</dl>', html, re.S)
    assert found, "no current terms"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1)))


def _control(html: str, name: str) -> str:
    found = re.search(
        rf'<(?:input|select) id="reschedule-{name}"[^>]*>(?:.*?</select>)?', html, re.S
    )
    assert found, name
    return found.group(0)


def test_the_reschedule_form_shows_and_is_filled_with_the_current_terms(
    client: TestClient, db: Database, book: LoanBook
) -> None:
    login(client, "branch")
    url = f"/loans/{book.active}"
    page = client.get(url).text
    terms = _terms_block(page)
    assert "Outstanding principal 400.00" in terms  # nothing repaid yet
    assert "Number of instalments 4" in terms and "Frequency every week" in terms
    assert "Interest 1 % a month" in terms and "Method flat" in terms
    assert "0 without principal, 0 without interest" in terms
    assert 'value="4"' in _control(page, "instalments")
    assert 'value="1"' in _control(page, "every_n") and 'value="1"' in _control(
        page, "rate_percent"
    )
    assert '<option value="week" selected>' in _control(page, "every_unit")
    assert '<option value="month" selected>' in _control(page, "rate_per")
    assert '<option value="flat" selected>' in _control(page, "method")
    assert 'value="0"' in _control(page, "grace_principal")
    assert 'value="0"' in _control(page, "grace_interest")

    # Sent back as shown, the form changes nothing: refused, as a blank one is.
    shown = {"instalments": "4", "every_n": "1", "every_unit": "week", "rate_percent": "1",
             "rate_per": "month", "method": "flat", "grace_principal": "0",
             "grace_interest": "0"}  # fmt: skip
    before = schedule(db, book.active)
    r = post(client, f"{url}/reschedule", page, on=ON, reason="drought", **shown)
    assert r.status_code == 422 and "say what changes" in r.text
    assert 'value="drought"' in r.text and 'value="4"' in _control(r.text, "instalments")
    assert schedule(db, book.active) == before and stored_terms(db, book.active)["instalments"] == 4

    # One box changed: that change alone, and the page then shows the new terms.
    changed = {**shown, "instalments": "6", "every_n": "2", "rate_percent": "1.5"}
    r = post(client, f"{url}/reschedule", page, on=ON, reason="drought", **changed)
    assert r.status_code == 303, r.text[-2000:]
    assert stored_terms(db, book.active)["rate"] == {"percent": "1.5", "per": "month"}
    page = client.get(url).text
    terms = _terms_block(page)
    assert "Number of instalments 6" in terms and "Frequency every 2 weeks" in terms
    assert "Interest 1.5 % a month" in terms
    assert 'value="6"' in _control(page, "instalments") and 'value="2"' in _control(page, "every_n")

    # In French: the same terms in its words and numbers.
    client.post("/locale", data={"csrf_token": csrf_of(page), "locale": "fr", "next": url})
    page = client.get(url).text
    terms = _terms_block(page)
    assert "Conditions actuelles" in page and "Capital restant dû 400,00" in terms
    assert "Fréquence toutes les 2 semaines" in terms and "1,5 % par mois" in terms
    assert "0 sans capital, 0 sans intérêts" in terms
    assert 'value="1.5"' in _control(page, "rate_percent")  # the form's own spelling


def test_a_loan_repaid_at_the_meetings_says_so(
    client: TestClient, db: Database, book: LoanBook
) -> None:
    with db.transaction() as conn:
        terms = stored_terms(db, book.active)
        conn.execute(
            loan.update()
            .where(loan.c.id == book.active)
            .values(terms={**terms, "repay_at_meetings": True, "every": {"n": 1, "unit": "month"}})
        )
    login(client, "branch")
    terms_text = _terms_block(client.get(f"/loans/{book.active}").text)
    assert "every month · at the group's meetings" in terms_text
