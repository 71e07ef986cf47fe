"""The collection sheet: prefilled, posted through the service, idempotent, and
refused with the error beside its field and nothing written."""

from __future__ import annotations

import re
from datetime import date

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import journal_entry, meeting
from kuza.services.views import group_view
from tests.web.conftest import TODAY, Org, csrf_of, login

pytestmark = pytest.mark.storage


def sheet_form(org: Org, page: str, **changes: str) -> dict[str, str | list[str]]:
    """The form as the browser would send it after the user typed ``changes``."""
    data: dict[str, str | list[str]] = {
        "csrf_token": csrf_of(page),
        "held_on": TODAY.isoformat(),
        "notes": "",
        "member": [str(m) for m in org.world.member_ids],
        "action": "post",
    }
    for mid in org.world.member_ids:
        data[f"present-{mid}"] = "1"
        data[f"compulsory-{mid}"] = "100.00"
    data.update(changes)
    return data


def counts(db: Database) -> tuple[int, int]:
    with db.read() as conn:
        return (
            conn.execute(select(func.count()).select_from(meeting)).scalar_one(),
            conn.execute(select(func.count()).select_from(journal_entry)).scalar_one(),
        )


def open_sheet(client: TestClient, org: Org) -> httpx.Response:
    return client.get(f"/groups/{org.world.group_id}/meetings/new")


def test_sheet_is_prefilled_with_every_member_and_the_rule(client: TestClient, org: Org) -> None:
    login(client, "agent")
    page = open_sheet(client, org)
    assert page.status_code == 200
    for i, mid in enumerate(org.world.member_ids):
        assert f"Member {i}" in page.text
        assert f'id="present-{mid}" name="present-{mid}"' in page.text
        assert re.search(
            rf'id="compulsory-{mid}" name="compulsory-{mid}" value="100.00"', page.text
        )
        assert f'<label for="voluntary-{mid}">' in page.text
    assert f'value="{TODAY.isoformat()}"' in page.text
    assert "300.00 KES" in page.text  # compulsory total


def test_posting_the_sheet_books_it_and_reposting_books_nothing(
    client: TestClient, org: Org, db: Database
) -> None:
    login(client, "agent")
    m0, m1, m2 = org.world.member_ids
    form = sheet_form(
        org,
        open_sheet(client, org).text,
        **{
            f"voluntary-{m0}": "50",
            f"social-{m1}": "20",
            f"fine-{m2}": "10",
            f"fine_reason-{m2}": "late",
        },
    )
    del form[f"present-{m2}"]
    first = client.post(f"/groups/{org.world.group_id}/meetings", data=form)
    assert first.status_code == 303
    assert first.headers["location"] == f"/groups/{org.world.group_id}"
    landed = client.get(first.headers["location"]).text
    assert "posted: 2 present" in landed
    view = group_view(db, org.world.group_id, TODAY)
    assert view.fund_cash.amount == 300 + 50 + 20 + 10
    assert view.social_fund.amount == 20
    assert view.fines_income.amount == 10
    assert {m.id: m.voluntary.amount for m in view.members}[m0] == 50
    with db.read() as conn:
        posted_by = conn.execute(select(meeting.c.posted_by)).scalar_one()
    assert posted_by == "agent"
    booked = counts(db)

    again = client.post(f"/groups/{org.world.group_id}/meetings", data=form)
    assert again.status_code == 303
    assert "nothing was booked again" in client.get(again.headers["location"]).text
    assert counts(db) == booked
    assert group_view(db, org.world.group_id, TODAY).fund_cash == view.fund_cash


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("voluntary", "-5", "must not be negative"),
        ("voluntary", "abc", "voluntary"),
        ("withdrawal", "30", "above"),
        ("fine", "5", "reason is required"),
    ],
)
def test_bad_amount_is_shown_beside_its_field_and_nothing_written(
    client: TestClient, org: Org, db: Database, field: str, value: str, message: str
) -> None:
    login(client, "agent")
    m1 = org.world.member_ids[1]
    form = sheet_form(org, open_sheet(client, org).text, **{f"{field}-{m1}": value})
    response = client.post(f"/groups/{org.world.group_id}/meetings", data=form)
    assert response.status_code == 422
    assert counts(db) == (0, 0)
    assert "Nothing was saved" in response.text
    key = f"fine_reason-{m1}" if field == "fine" else f"{field}-{m1}"
    error = re.search(rf'<span class="field-error" id="{key}-error">([^<]*)</span>', response.text)
    assert error, f"no error beside {key}"
    assert message in error.group(1)
    # What the user typed comes back.
    assert f'name="{field}-{m1}" value="{value}"' in response.text


def test_future_date_is_shown_beside_the_date(client: TestClient, org: Org, db: Database) -> None:
    login(client, "agent")
    form = sheet_form(org, open_sheet(client, org).text, held_on=date(2026, 3, 2).isoformat())
    response = client.post(f"/groups/{org.world.group_id}/meetings", data=form)
    assert response.status_code == 422
    assert 'id="held_on-error">held_on 2026-03-02 is in the future' in response.text
    assert counts(db) == (0, 0)


def test_update_totals_posts_nothing(client: TestClient, org: Org, db: Database) -> None:
    login(client, "agent")
    m0 = org.world.member_ids[0]
    form = sheet_form(org, open_sheet(client, org).text, **{f"voluntary-{m0}": "75"})
    form["action"] = "check"
    response = client.post(f"/groups/{org.world.group_id}/meetings", data=form)
    assert response.status_code == 200
    assert "375.00 KES" in response.text  # cash in
    assert counts(db) == (0, 0)


def test_missing_csrf_token_is_refused_and_nothing_written(
    client: TestClient, org: Org, db: Database
) -> None:
    login(client, "agent")
    form = sheet_form(org, open_sheet(client, org).text)
    del form["csrf_token"]
    response = client.post(f"/groups/{org.world.group_id}/meetings", data=form)
    assert response.status_code == 403
    assert counts(db) == (0, 0)


def test_cannot_post_to_another_agents_group(client: TestClient, org: Org, db: Database) -> None:
    login(client, "agentb")
    page = client.get(f"/groups/{org.other_group_id}/meetings/new").text
    form = sheet_form(org, page)
    response = client.post(f"/groups/{org.world.group_id}/meetings", data=form)
    assert response.status_code == 404
    assert counts(db) == (0, 0)


def test_country_manager_sees_but_does_not_record(client: TestClient, org: Org) -> None:
    login(client, "manager")
    assert client.get(f"/groups/{org.world.group_id}").status_code == 200
    assert "Record a meeting" not in client.get(f"/groups/{org.world.group_id}").text
    assert open_sheet(client, org).status_code == 403
