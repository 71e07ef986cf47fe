"""Health insurance pages on both databases: the member page's section (enrol with a
dependant, submit a claim) and the insurance page (create a plan, collect premiums once
per period, approve / reject / pay claims); refused input shown on its field with
nothing written; the ledger balanced after premiums and payments; French money."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    insurance_claim,
    insurance_dependant,
    insurance_enrolment,
    insurance_plan,
    insurance_premium,
    journal_entry,
)
from kuza.domain.access import Role
from kuza.domain.ledger import AccountCode, AccountKey
from kuza.services import insurance, insurance_claims, ledger_check, users
from kuza.services.loans.store import balance
from tests.factories import FORMED
from tests.web.conftest import PASSWORD, TODAY, Org, csrf_of, login

pytestmark = pytest.mark.storage

PLAN = {
    "name": "Afya",
    "premium": "100",
    "dependant_premium": "50",
    "period": "month",
    "cover_per_year": "1000",
    "waiting_days": 0,
    "subsidy": ["50"],
}
TABLES = (insurance_plan, insurance_enrolment, insurance_dependant, insurance_premium)
TABLES += (insurance_claim, journal_entry)


def counts(db: Database) -> tuple[int, ...]:
    with db.read() as conn:
        return tuple(
            int(conn.execute(select(func.count()).select_from(t)).scalar_one()) for t in TABLES
        )


def post(client: TestClient, url: str, **data: str) -> object:
    token = csrf_of(client.get("/insurance").text)
    return client.post(url, data={"csrf_token": token, **data})


def as_user(client: TestClient, username: str) -> None:
    client.cookies.clear()
    login(client, username)


@pytest.fixture
def finance(db: Database, org: Org) -> Org:
    users.create_user(
        db, users.NewUser("finance", Role.FINANCE, PASSWORD, programme_id=org.world.programme_id)
    )
    return org


def test_member_page_enrols_her_and_submits_a_claim(
    client: TestClient, org: Org, db: Database
) -> None:
    plan = insurance.create_plan(db, org.world.programme_id, PLAN)
    m0 = org.world.member_ids[0]
    login(client, "agent")
    page = client.get(f"/members/{m0}")
    assert "Health insurance" in page.text and "Enrol her in a health plan" in page.text
    form = {"plan_id": str(plan), "enrolled_on": FORMED.isoformat(), "pays_from": "cash"}
    kid = {"dep-0-name": "Baraka", "dep-0-relation": "child", "dep-0-birth_year": "2018"}
    before = counts(db)
    refused = [
        (form | {"enrolled_on": "soon"}, "not a date like 2026-03-31"),
        (form | {"plan_id": "x"}, "Choose one from the list."),
        (form | kid | {"dep-0-sex": "Q"}, "Choose the dependant"),
        (form | kid | {"dep-0-sex": "M", "dep-0-birth_year": "18"}, "A year of birth is like"),
        (form | {"pays_from": "goats"}, "Choose how her share is paid."),
        (form | {"enrolled_on": "2025-01-01"}, "member"),  # before she joined
    ]
    for data, message in refused:
        r = post(client, f"/members/{m0}/insurance-enrolments", **data)
        assert r.status_code == 422 and message in r.text, (data, r.text[-2000:])  # type: ignore[attr-defined]
        assert 'value="Baraka"' in r.text or "dep-0-name" not in data  # type: ignore[attr-defined]
    assert counts(db) == before
    r = post(client, f"/members/{m0}/insurance-enrolments", **form, **kid, **{"dep-0-sex": "M"})
    assert r.status_code == 303 and r.headers["location"] == f"/members/{m0}#insurance"  # type: ignore[attr-defined]
    page = client.get(f"/members/{m0}")
    assert "Baraka (child, 2018)" in page.text and "Enrolled in the health plan." in page.text
    assert "No other health plan of the programme" in page.text  # the one plan is taken
    with db.read() as conn:
        enrolment = conn.execute(select(insurance_enrolment.c.id)).scalar_one()
    url = f"/insurance-enrolments/{enrolment}/claims"
    claim = {"incurred_on": "2026-01-20", "amount": "150.50", "description": "clinic"}
    before = counts(db)
    r = post(client, url, **claim | {"amount": "-5"})
    assert r.status_code == 422 and 'aria-invalid="true"' in r.text  # type: ignore[attr-defined]
    r = post(client, url, **claim | {"incurred_on": "2027-01-01"})
    assert r.status_code == 422  # type: ignore[attr-defined]
    r = post(client, url, **claim | {"dependant_id": "999"})
    assert r.status_code == 422 and "no dependant 999" in r.text  # type: ignore[attr-defined]
    assert counts(db) == before
    assert post(client, url, **claim).status_code == 303  # type: ignore[attr-defined]
    page = client.get(f"/members/{m0}")
    assert "150.50 KES" in page.text and "submitted" in page.text
    as_user(client, "agentb")  # not her agent: the enrolment is out of scope
    assert post(client, url, **claim).status_code == 404  # type: ignore[attr-defined]
    as_user(client, "manager")  # sees her, records nothing
    assert post(client, url, **claim).status_code == 403  # type: ignore[attr-defined]
    assert "Enrol her in a health plan" not in client.get(f"/members/{m0}").text
    assert counts(db)[4] == before[4] + 1


def test_insurance_page_plans_premiums_and_claims(
    client: TestClient, finance: Org, db: Database
) -> None:
    pid, (m0, m1, _) = finance.world.programme_id, finance.world.member_ids
    login(client, "manager")
    plan_form = {"name": "Afya", "premium": "100", "dependant_premium": "50",
                 "period": "month", "cover_per_year": "1000", "waiting_days": "0",
                 "subsidy": "50"}  # fmt: skip
    before = counts(db)
    r = post(client, "/insurance/plans", **plan_form | {"subsidy": "100, 120"})
    assert r.status_code == 422 and "between 0 and 100" in r.text  # type: ignore[attr-defined]
    assert 'value="100, 120"' in r.text  # type: ignore[attr-defined]
    r = post(client, "/insurance/plans", **plan_form | {"waiting_days": "a week"})
    assert r.status_code == 422 and "Give a whole number of days." in r.text  # type: ignore[attr-defined]
    assert counts(db) == before
    assert post(client, "/insurance/plans", **plan_form).status_code == 303  # type: ignore[attr-defined]
    assert post(client, "/insurance/plans", **plan_form).status_code == 422  # type: ignore[attr-defined]  # same name
    with db.read() as conn:
        plan = conn.execute(select(insurance_plan.c.id)).scalar_one()
    e0 = insurance.enrol(db, plan, m0, FORMED)
    e1 = insurance.enrol(db, plan, m1, FORMED)

    as_user(client, "finance")
    page = client.get("/insurance")
    assert "Collect premiums" in page.text and "Create a plan" not in page.text
    url = f"/insurance/plans/{plan}/collections"
    r = post(client, url, period="2026-03-01")  # has not begun
    assert r.status_code == 422 and "has not begun" in r.text  # type: ignore[attr-defined]
    assert counts(db)[3:] == before[3:]  # no premium, no entry
    assert post(client, url, period="2026-02-14").status_code == 303  # type: ignore[attr-defined]
    assert "2 booked (200.00 KES), 0 booked before" in client.get("/insurance").text
    booked = counts(db)
    assert post(client, url, period="2026-02-27").status_code == 303  # type: ignore[attr-defined]
    assert "0 booked (0.00 KES), 2 booked before" in client.get("/insurance").text
    assert counts(db) == booked  # nothing booked twice
    assert ledger_check.check(db) == []

    first = insurance_claims.submit_claim(db, e0, FORMED, "150", "clinic", TODAY, actor="agent")
    own = insurance_claims.submit_claim(db, e1, FORMED, "80", "drugs", TODAY, actor="branch")
    as_user(client, "agent")
    page = client.get("/insurance")
    assert "Member 0" in page.text and "Amount approved" not in page.text  # no deciding
    as_user(client, "branch")
    r = post(client, f"/insurance/claims/{own}/approve", amount="80")
    assert r.status_code == 422 and "cannot also decide it" in r.text  # type: ignore[attr-defined]
    r = post(client, f"/insurance/claims/{first}/approve", amount="151")
    assert r.status_code == 422 and 'value="151"' in r.text  # type: ignore[attr-defined]
    r = post(client, f"/insurance/claims/{own}/reject", reason="")
    assert r.status_code == 422 and "say why" in r.text  # type: ignore[attr-defined]
    assert counts(db) == (*booked[:4], booked[4] + 2, *booked[5:])
    assert post(client, f"/insurance/claims/{first}/approve", amount="120.50").status_code == 303  # type: ignore[attr-defined]
    assert "Pay from the insurance fund" not in client.get("/insurance?status=approved").text
    assert post(client, f"/insurance/claims/{first}/pay", on="").status_code == 403  # type: ignore[attr-defined]

    as_user(client, "finance")
    queue = client.get("/insurance?status=approved")
    assert "Pay from the insurance fund" in queue.text and "120.50 KES" in queue.text
    assert post(client, f"/insurance/claims/{first}/pay", on="2026-02-02").status_code == 303  # type: ignore[attr-defined]
    r = post(client, f"/insurance/claims/{first}/pay", on="2026-02-02")
    assert r.status_code == 422  # type: ignore[attr-defined]  # paid once
    assert counts(db)[5] == booked[5] + 1
    with db.read() as conn:
        held = balance(conn, pid, AccountKey(AccountCode.INSURANCE_CASH), "KES").amount
    assert held == Decimal("79.50")  # 200.00 in, 120.50 paid
    assert ledger_check.check(db) == []
    client.post("/locale", data={"csrf_token": csrf_of(queue.text), "locale": "fr", "next": "/"})
    page = client.get("/insurance?status=paid")
    assert "Assurance santé" in page.text and "120,50 KES" in page.text
    as_user(client, "donor")
    assert client.get("/insurance").status_code == 404
