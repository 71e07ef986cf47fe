"""Health insurance over /api/v1 beyond enrolment: plans, premium collection through the
ledger (a replay or a second collection books nothing twice), the claims queue and the
decisions (maker-checker, cover, payment from the fund), and programme settings; on
both databases. Good calls booked and balanced, bad calls refused naming the field with
nothing written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    audit_log,
    insurance_claim,
    insurance_plan,
    insurance_premium,
    journal_entry,
    programme,
)
from kuza.domain.access import Role
from kuza.domain.groups import Sex
from kuza.domain.insurance import PaysFrom
from kuza.domain.ledger import AccountCode, AccountKey
from kuza.services import insurance, insurance_claims, ledger_check, users
from kuza.services.loans.store import balance
from tests.factories import FORMED
from tests.web.conftest import PASSWORD, Org

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


def bearer(client: TestClient, username: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def counts(db: Database) -> tuple[int, ...]:
    with db.read() as conn:
        return tuple(
            int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for t in (insurance_plan, insurance_premium, insurance_claim, journal_entry, audit_log)
        )


def fund(db: Database, pid: int, code: AccountCode = AccountCode.INSURANCE_CASH) -> Decimal:
    with db.read() as conn:
        return balance(conn, pid, AccountKey(code), "KES").amount


@pytest.fixture
def finance(db: Database, org: Org) -> Org:
    users.create_user(
        db, users.NewUser("finance", Role.FINANCE, PASSWORD, programme_id=org.world.programme_id)
    )
    return org


def test_plans_created_by_the_programme_and_listed_in_scope(
    client: TestClient, org: Org, db: Database
) -> None:
    manager, admin = bearer(client, "manager"), bearer(client, "admin")
    url = "/api/v1/insurance-plans"
    before = counts(db)
    r = client.post(url, json=PLAN | {"subsidy": ["120"]}, headers=manager)
    assert r.status_code == 422 and r.json()["error"]["field"] == "subsidy", r.text
    r = client.post(url, json=PLAN | {"premium": "0"}, headers=manager)
    assert r.status_code == 422 and r.json()["error"]["field"] == "premium", r.text
    r = client.post(url, json=PLAN, headers=admin)  # an admin names the programme
    assert r.status_code == 422 and r.json()["error"]["field"] == "programme_id", r.text
    r = client.post(url, json=PLAN | {"programme_id": 999}, headers=admin)
    assert r.status_code == 404, r.text
    r = client.post(url, json=PLAN | {"programme_id": 999}, headers=manager)
    assert r.status_code == 404, r.text  # not hers
    assert counts(db) == before
    r = client.post(url, json=PLAN, headers={**manager, "Idempotency-Key": "p1"})
    assert r.status_code == 201, r.text
    plan = r.json()
    assert (plan["premium"], plan["dependant_premium"], plan["cover_per_year"]) == (
        "100.00",
        "50.00",
        "1000.00",
    )
    assert (plan["currency"], plan["subsidy"], plan["enrolments"]) == ("KES", ["50"], 0)
    again = client.post(url, json=PLAN, headers={**manager, "Idempotency-Key": "p1"})
    assert again.json() == plan and again.headers["Idempotent-Replayed"] == "true"
    assert client.post(url, json=PLAN, headers=manager).status_code == 409  # same name
    pid = org.world.programme_id
    r = client.post(url, json=PLAN | {"name": "Bima", "programme_id": pid}, headers=admin)
    assert r.status_code == 201, r.text
    listing = client.get(url, headers=bearer(client, "agent")).json()
    assert [p["name"] for p in listing["items"]] == ["Afya", "Bima"] and listing["total"] == 2
    assert client.get(url, headers=bearer(client, "donor")).status_code == 403
    assert client.get(f"{url}?programme=999", headers=admin).json()["total"] == 0


def _enrolled(db: Database, org: Org) -> tuple[int, list[int]]:
    """A plan with the first two members enrolled since the group formed, in cash."""
    plan = insurance.create_plan(db, org.world.programme_id, PLAN)
    m0, m1, _ = org.world.member_ids
    kids = [insurance.Dependant("Baraka", "child", Sex.MALE, 2018)]
    e0 = insurance.enrol(db, plan, m0, FORMED, PaysFrom.CASH, kids)
    e1 = insurance.enrol(db, plan, m1, FORMED, PaysFrom.CASH)
    return plan, [e0, e1]


def test_premiums_collected_once_per_period(client: TestClient, finance: Org, db: Database) -> None:
    plan, _ = _enrolled(db, finance)
    pid = finance.world.programme_id
    url = f"/api/v1/insurance-plans/{plan}/premium-collections"
    money_people = bearer(client, "finance")
    assert (
        client.post(url, json={"period": "2026-02-10"}, headers=bearer(client, "agent")).status_code
        == 403
    )
    assert (
        client.post(
            url, json={"period": "2026-02-10"}, headers=bearer(client, "branch")
        ).status_code
        == 403
    )
    before = counts(db)
    r = client.post(url, json={"period": "2026-03-01"}, headers=money_people)  # not begun
    assert r.status_code == 422 and r.json()["error"]["field"] == "period", r.text
    r = client.post(url, json={"period": "Feb"}, headers=money_people)
    assert r.status_code == 422 and r.json()["error"]["field"] == "period", r.text
    r = client.post(f"/api/v1/insurance-plans/{plan + 99}/premium-collections",
                    json={"period": "2026-02-10"}, headers=money_people)  # fmt: skip
    assert r.status_code == 404, r.text
    assert counts(db) == before
    r = client.post(
        url, json={"period": "2026-02-10"}, headers={**money_people, "Idempotency-Key": "f1"}
    )
    assert r.status_code == 200, r.text
    # 100 + 50 for her child, 100 for the other: 250, half paid by the programme
    assert r.json() == {
        "plan_id": plan,
        "period_start": "2026-02-01",
        "collected": 2,
        "already": 0,
        "premiums": "250.00",
        "subsidies": "125.00",
        "currency": "KES",
    }
    booked = counts(db)
    assert booked[1:4] == (before[1] + 2, before[2], before[3] + 2)
    replay = client.post(
        url, json={"period": "2026-02-10"}, headers={**money_people, "Idempotency-Key": "f1"}
    )
    assert replay.json() == r.json() and replay.headers["Idempotent-Replayed"] == "true"
    again = client.post(url, json={"period": "2026-02-27"}, headers=bearer(client, "manager"))
    assert again.status_code == 200, again.text
    assert (again.json()["collected"], again.json()["already"], again.json()["premiums"]) == (
        0,
        2,
        "0.00",
    )
    assert counts(db)[1:4] == booked[1:4]  # nothing booked twice
    assert fund(db, pid) == Decimal("250.00")
    assert fund(db, pid, AccountCode.PREMIUM_INCOME) == Decimal("-250.00")
    assert ledger_check.check(db) == []


def test_claims_queue_decisions_and_payment(client: TestClient, finance: Org, db: Database) -> None:
    plan, (e0, e1) = _enrolled(db, finance)
    pid = finance.world.programme_id
    insurance.collect_premiums(db, plan, date(2026, 2, 1), date(2026, 2, 2))  # fund 250.00
    agent, branch, money_people = (
        bearer(client, "agent"),
        bearer(client, "branch"),
        bearer(client, "finance"),
    )
    claim = {"incurred_on": "2026-01-20", "amount": "300", "description": "malaria"}
    first = client.post(
        f"/api/v1/insurance-enrolments/{e0}/claims", json=claim, headers=agent
    ).json()
    second = client.post(
        f"/api/v1/insurance-enrolments/{e1}/claims", json=claim, headers=agent
    ).json()
    own = client.post(
        f"/api/v1/insurance-enrolments/{e1}/claims", json=claim, headers=branch
    ).json()
    queue = client.get("/api/v1/insurance-claims?status=submitted", headers=branch).json()
    assert [c["id"] for c in queue["items"]] == [first["id"], second["id"], own["id"]]
    assert queue["items"][0]["member"] == "Member 0" and queue["items"][0]["plan"] == "Afya"
    assert queue["items"][0]["submitted_by"] == "agent"
    assert (
        client.get("/api/v1/insurance-claims", headers=bearer(client, "agentb")).json()["total"]
        == 0
    )
    assert (
        client.get("/api/v1/insurance-claims", headers=bearer(client, "donor")).status_code == 403
    )
    assert client.get("/api/v1/insurance-claims?status=lost", headers=branch).status_code == 422

    url = f"/api/v1/insurance-claims/{first['id']}"
    before = counts(db)
    r = client.post(f"{url}/approve", json={"amount": "300"}, headers=agent)
    assert r.status_code == 403, r.text  # a field agent records claims, does not decide them
    r = client.post(
        f"/api/v1/insurance-claims/{own['id']}/approve", json={"amount": "300"}, headers=branch
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "actor", r.text  # maker-checker
    r = client.post(f"{url}/approve", json={"amount": "301"}, headers=branch)
    assert r.status_code == 422 and r.json()["error"]["field"] == "amount", r.text  # above claimed
    r = client.post(f"{url}/pay", json={}, headers=money_people)
    assert r.status_code == 422 and r.json()["error"]["field"] == "status", r.text  # not approved
    r = client.post(f"{url}/reject", json={"reason": ""}, headers=branch)
    assert r.status_code == 422 and r.json()["error"]["field"] == "reason", r.text
    r = client.post("/api/v1/insurance-claims/999/approve", json={"amount": "1"}, headers=branch)
    assert r.status_code == 404, r.text
    assert counts(db) == before

    r = client.post(
        f"{url}/approve", json={"amount": "200.50"}, headers={**branch, "Idempotency-Key": "a1"}
    )
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["approved"]) == ("approved", "200.50")
    assert (
        client.post(
            f"{url}/approve", json={"amount": "200.50"}, headers={**branch, "Idempotency-Key": "a1"}
        ).json()
        == r.json()
    )
    r = client.post(f"{url}/approve", json={"amount": "200.50"}, headers=branch)
    assert r.status_code == 422 and r.json()["error"]["field"] == "status", r.text  # decided
    r = client.post(
        f"/api/v1/insurance-claims/{second['id']}/reject",
        json={"reason": "not covered"},
        headers=branch,
    )
    assert (r.status_code, r.json()["status"]) == (200, "rejected"), r.text

    assert (
        client.post(f"{url}/pay", json={}, headers=branch).status_code == 403
    )  # not the fund's keeper
    entries = counts(db)[3]
    r = client.post(
        f"{url}/pay", json={"on": "2026-02-02"}, headers={**money_people, "Idempotency-Key": "y1"}
    )
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["paid_on"]) == ("paid", "2026-02-02")
    replay = client.post(
        f"{url}/pay", json={"on": "2026-02-02"}, headers={**money_people, "Idempotency-Key": "y1"}
    )
    assert replay.json() == r.json() and replay.headers["Idempotent-Replayed"] == "true"
    assert client.post(f"{url}/pay", json={}, headers=money_people).status_code == 422  # paid
    assert counts(db)[3] == entries + 1  # one payment entry, not three
    assert fund(db, pid) == Decimal("49.50")  # 250.00 in, 200.50 paid
    assert fund(db, pid, AccountCode.CLAIMS_EXPENSE) == Decimal("200.50")
    assert ledger_check.check(db) == []
    paid = client.get("/api/v1/insurance-claims?status=paid", headers=money_people).json()
    assert [(c["id"], c["decided_by"]) for c in paid["items"]] == [(first["id"], "branch")]


def test_pay_refused_when_the_fund_is_short(client: TestClient, finance: Org, db: Database) -> None:
    plan, (e0, _) = _enrolled(db, finance)
    insurance.collect_premiums(db, plan, date(2026, 2, 1), date(2026, 2, 2))  # fund 250.00
    cid = insurance_claims.submit_claim(
        db, e0, date(2026, 1, 20), "300", "x-ray", date(2026, 2, 2), actor="agent"
    )
    insurance_claims.approve_claim(db, cid, "300", date(2026, 2, 2), actor="branch")
    before = counts(db)
    r = client.post(
        f"/api/v1/insurance-claims/{cid}/pay", json={}, headers=bearer(client, "finance")
    )
    assert r.status_code == 422 and "holds only" in r.json()["error"]["message"], r.text
    assert counts(db) == before


def test_programme_settings_read_and_changed(client: TestClient, org: Org, db: Database) -> None:
    pid = org.world.programme_id
    url = f"/api/v1/programmes/{pid}/settings"
    manager = bearer(client, "manager")
    start = client.get(url, headers=manager)
    assert start.status_code == 200, start.text
    assert start.json()["training"] == {} and "credit_training" in start.json()["gates"]
    assert client.get(url, headers=bearer(client, "branch")).status_code == 403
    assert (
        client.get("/api/v1/programmes/999/settings", headers=bearer(client, "admin")).status_code
        == 404
    )
    audits = counts(db)[4]
    refused = [
        ({"training": {"min_percent": "0"}}, "training.min_percent"),
        ({"stability": {"weights": {"meetings": "0", "attendance": "0", "savings": "0",
                                    "lending": "0", "repayment": "0", "bookkeeping": "0"}}},
         "stability.weights"),
        ({"stability": {"minimums": {"savings": "120"}}}, "stability.minimums.savings"),
        ({"loan_gates": {"external": ["magic"]}}, "loan_gates.external"),
        ({"loan_gates": {"mortgage": []}}, "loan_gates.mortgage.[key]"),  # schema
        ({"training": {"min_percent": "70"}, "loan_gates": {"external": ["magic"]}},
         "loan_gates.external"),
    ]  # fmt: skip
    for body, field in refused:
        r = client.patch(url, json=body, headers=manager)
        assert r.status_code == 422 and r.json()["error"]["field"] == field, (body, r.text)
    assert counts(db)[4] == audits  # nothing saved, not even the good section
    body = {
        "training": {"min_percent": "70", "basis": "hours"},
        "stability": {"pass_mark": "70", "minimums": {"savings": None}},
        "loan_gates": {"external": ["credit_training"]},
    }
    r = client.patch(url, json=body, headers={**manager, "Idempotency-Key": "s1"})
    assert r.status_code == 200, r.text
    assert r.json()["training"] == {"min_percent": "70", "basis": "hours"}
    assert r.json()["stability"] == {"pass_mark": "70", "minimums": {"savings": None}}
    assert client.get(url, headers=manager).json() == r.json()
    r = client.patch(url, json={"training": None}, headers=manager)  # back to the defaults
    assert r.json()["training"] == {} and r.json()["loan_gates"] == {
        "external": ["credit_training"]
    }
    with db.read() as conn:
        stored = conn.execute(select(programme.c.settings).where(programme.c.id == pid)).scalar()
        audited = conn.execute(
            select(audit_log.c.actor, audit_log.c.before, audit_log.c.after)
            .where(audit_log.c.object_kind == "programme", audit_log.c.action == "settings")
            .order_by(audit_log.c.id)
        ).all()
    assert stored["stability"]["pass_mark"] == "70" and stored["training"] == {}
    assert [a.actor for a in audited] == ["manager", "manager"]  # the replay saved nothing
    assert audited[0].before.get("training") is None
    assert audited[1].before["training"] == {"min_percent": "70", "basis": "hours"}
