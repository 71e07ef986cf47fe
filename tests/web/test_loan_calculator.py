"""The loan calculator over the API and the page, against published worked examples:
Apache Fineract's flat-interest e2e product (LP1_INTEREST_FLAT: 1000 EUR, 12% a year flat,
3 monthly instalments from 01 June 2024, total interest 30.00) and Regulation Z
Appendix J (c)(1)(i) (5000 advanced 10 January 1978, 24 monthly payments of 230 from
10 February 1978: APR 9.69%). Nothing is stored; bad terms name their field."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import audit_log, journal_entry
from kuza.domain.loans.terms import add_months
from tests.web.conftest import PASSWORD, Org, login

pytestmark = pytest.mark.storage

FINERACT_FLAT = {
    "principal": "1000",
    "currency": "EUR",
    "rate": {"percent": "12", "per": "year"},
    "instalments": 3,
    "disbursed_on": "2024-06-01",
    "method": "flat",
}


def _auth(client: TestClient, username: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_the_schedule_api_matches_fineracts_flat_example(
    client: TestClient, org: Org, db: Database
) -> None:
    r = client.post("/api/v1/loan-schedules", json=FINERACT_FLAT, headers=_auth(client, "agent"))
    assert r.status_code == 200
    body = r.json()
    assert [
        (i["due_on"], i["principal"], i["interest"], i["total"]) for i in body["instalments"]
    ] == [
        ("2024-07-01", "333.33", "10.00", "343.33"),
        ("2024-08-01", "333.33", "10.00", "343.33"),
        ("2024-09-01", "333.34", "10.00", "343.34"),
    ]
    assert (body["total_principal"], body["total_interest"]) == ("1000.00", "30.00")
    assert body["instalments"][-1]["balance_after"] == "0.00"
    # a flat 12% costs more than 12% a year on the declining balance: the APR says so
    assert float(body["apr_percent"]) > 12
    with db.read() as conn:  # computed, never stored
        assert conn.execute(select(func.count()).select_from(journal_entry)).scalar_one() == 0


def test_the_apr_api_matches_regulation_z_appendix_j(client: TestClient, org: Org) -> None:
    payments = [
        {"on": add_months(date(1978, 2, 10), k).isoformat(), "amount": "230"} for k in range(24)
    ]
    body = {
        "amount_financed": "5000",
        "advance_on": "1978-01-10",
        "unit_period": "month",
        "payments": payments,
    }
    r = client.post("/api/v1/apr-calculations", json=body, headers=_auth(client, "donor"))
    assert (r.status_code, r.json()["apr_percent"]) == (200, "9.69")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"currency": "XYZ"}, "currency"),
        ({"instalments": 0}, "instalments"),
        ({"rate": {"percent": "12", "per": "fortnight"}}, "rate.per"),
        ({"principal": 1000.5}, "principal"),
    ],
)
def test_bad_terms_name_their_field(
    client: TestClient, org: Org, change: dict[str, object], field: str
) -> None:
    r = client.post(
        "/api/v1/loan-schedules", json={**FINERACT_FLAT, **change}, headers=_auth(client, "agent")
    )
    assert r.status_code == 422
    assert r.json()["error"]["field"] == field


def test_the_calculator_page_shows_the_schedule_and_names_a_bad_field(
    client: TestClient, org: Org, db: Database
) -> None:
    login(client, "agent")
    audits = _count(db)
    query = {
        "principal": "1000", "currency": "EUR", "rate": "12", "per": "year", "method": "flat",
        "instalments": "3", "every_n": "1", "every_unit": "month", "disbursed_on": "2024-06-01",
    }  # fmt: skip
    page = client.get("/loan-calculator", params=query)
    assert page.status_code == 200
    assert page.text.count("343.33") == 2 and "343.34" in page.text
    assert 'id="calc-interest">30.00 EUR' in page.text
    bad = client.get("/loan-calculator", params={**query, "instalments": "many"})
    assert bad.status_code == 422 and 'id="calc-instalments-error"' in bad.text
    bad_rate = client.get("/loan-calculator", params={**query, "rate": "twelve"})
    assert bad_rate.status_code == 422 and 'id="calc-rate-error"' in bad_rate.text
    empty = client.get("/loan-calculator")  # the form, prefilled, no result yet
    assert empty.status_code == 200 and 'id="calc-schedule"' not in empty.text
    assert _count(db) == audits  # nothing written


def _count(db: Database) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(audit_log)).scalar_one())
