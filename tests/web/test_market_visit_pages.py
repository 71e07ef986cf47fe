"""The group page's market links and the member page's household visits: each form
records on good input, shows the refusal on its field with nothing written on bad input,
and is offered only to the roles that may use it; the partners and open-referrals pages."""

from __future__ import annotations

import json
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    household_visit,
    linkage_woman,
    market_activity,
    market_contract,
    market_linkage,
    partner,
    referral,
    referral_follow_up,
)
from kuza.domain.markets import PartnerKind
from kuza.services import markets, visits
from tests.web.conftest import Org, csrf_of, login

pytestmark = pytest.mark.storage

GRID = {
    "code": "grid",
    "questions": [
        {"code": "roof", "text": "What is the roof made of?", "points": {"thatch": 0, "iron": 10}},
        {"code": "school", "text": "All children at school?", "points": {"no": 0, "yes": 20}},
    ],
    "lookup": [[0, "80"], [10, "50"], [30, "10"]],
}


def _count(db: Database, table: object) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def _post(client: TestClient, url: str, page: str, **data: str) -> object:
    return client.post(url, data={"csrf_token": csrf_of(page), **data})


def test_market_links_on_the_group_page(client: TestClient, org: Org, db: Database) -> None:
    pid, gid, (m0, m1, _m2) = org.world.programme_id, org.world.group_id, org.world.member_ids
    buyer = markets.add_partner(db, pid, "Brookside Dairy", PartnerKind.BUYER)
    lender = markets.add_partner(db, pid, "Bank", PartnerKind.LENDER)
    login(client, "agent")
    page = client.get(f"/groups/{gid}").text
    assert "Market links" in page and "No market links yet." in page
    assert "Brookside Dairy (buyer)" in page and "Bank (lender)" not in page  # no link to lenders
    link = {"partner_id": str(buyer), "party": "", "started_on": "2026-01-20",
            f"woman-{m0}": "leader", f"woman-{m1}": "producer"}  # fmt: skip
    before = (_count(db, market_linkage), _count(db, linkage_woman))
    r = _post(client, f"/groups/{gid}/market-linkages", page, **(link | {"started_on": "x"}))
    assert r.status_code == 422  # type: ignore[attr-defined]
    assert 'id="link-started_on-error"' in r.text  # type: ignore[attr-defined]
    r = _post(
        client, f"/groups/{gid}/market-linkages", page, **(link | {"partner_id": str(lender)})
    )
    assert r.status_code == 422 and 'id="link-partner_id-error"' in r.text  # type: ignore[attr-defined]
    r = _post(client, f"/groups/{gid}/market-linkages", page, **(link | {f"woman-{m0}": "boss"}))
    assert r.status_code == 422 and 'id="link-women-error"' in r.text  # type: ignore[attr-defined]
    r = _post(client, f"/groups/{gid}/market-linkages", page, **(link | {"ended_on": "2026-01-01"}))
    assert r.status_code == 422 and 'id="link-ended_on-error"' in r.text  # type: ignore[attr-defined]
    assert 'value="2026-01-01"' in r.text  # type: ignore[attr-defined]  # what was typed is kept
    assert (_count(db, market_linkage), _count(db, linkage_woman)) == before
    r = _post(client, f"/groups/{gid}/market-linkages", page, **link)
    assert r.status_code == 303 and r.headers["location"] == f"/groups/{gid}#markets"  # type: ignore[attr-defined]
    assert (_count(db, market_linkage), _count(db, linkage_woman)) == (1, 2)
    page = client.get(f"/groups/{gid}").text
    assert "Market link recorded." in page and "Brookside Dairy" in page
    assert "Member 0 (leader)" in page and "Member 1 (producer)" in page
    with db.read() as conn:
        lid = conn.execute(select(market_linkage.c.id)).scalar_one()

    contract = {"group_id": str(gid), "product": "milk", "volume": "100", "unit": "litre",
                "price": "45.50", "starts_on": "2026-01-25"}  # fmt: skip
    url = f"/market-linkages/{lid}/contracts"
    r = _post(client, url, page, **(contract | {"volume": "lots"}))
    assert r.status_code == 422 and f'id="contract-{lid}-volume-error"' in r.text  # type: ignore[attr-defined]
    r = _post(client, url, page, **(contract | {"starts_on": "2026-01-10"}))
    assert r.status_code == 422 and f'id="contract-{lid}-starts_on-error"' in r.text  # type: ignore[attr-defined]
    assert _count(db, market_contract) == 0
    assert _post(client, url, page, **contract).status_code == 303  # type: ignore[attr-defined]
    page = client.get(f"/groups/{gid}").text
    assert "100.000 litre of milk at 45.50 KES each: 4,550.00 KES" in page

    activity = {"kind": "collective_purchase", "held_on": "2026-02-01",
                "description": "Feed bought together", "members_involved": "3",
                "amount": "1200", "linkage_id": str(lid)}  # fmt: skip
    url = f"/groups/{gid}/market-activities"
    r = _post(client, url, page, **(activity | {"members_involved": "-2"}))
    assert r.status_code == 422 and 'id="activity-members_involved-error"' in r.text  # type: ignore[attr-defined]
    r = _post(client, url, page, **(activity | {"amount": "12.345"}))
    assert r.status_code == 422 and 'id="activity-amount-error"' in r.text  # type: ignore[attr-defined]
    r = _post(client, url, page, **(activity | {"kind": "sale"}))
    assert r.status_code == 422 and 'id="activity-kind-error"' in r.text  # type: ignore[attr-defined]
    assert _count(db, market_activity) == 0
    assert _post(client, url, page, **activity).status_code == 303  # type: ignore[attr-defined]
    page = client.get(f"/groups/{gid}").text
    assert "Feed bought together" in page and "1,200.00 KES" in page

    url = f"/market-linkages/{lid}/end"
    r = _post(client, url, page, group_id=str(gid), on="2026-01-01")
    assert r.status_code == 422 and f'id="end-{lid}-on-error"' in r.text  # type: ignore[attr-defined]
    assert _post(client, url, page, group_id=str(gid), on="2026-02-02").status_code == 303  # type: ignore[attr-defined]
    page = client.get(f"/groups/{gid}").text
    assert "ended on" in page and f'action="/market-linkages/{lid}/end"' not in page
    r = _post(client, url, page, group_id=str(gid), on="2026-02-02")
    assert r.status_code == 422  # type: ignore[attr-defined]  # ended once


def test_market_forms_only_for_the_roles_in_scope(
    client: TestClient, org: Org, db: Database
) -> None:
    pid, gid = org.world.programme_id, org.world.group_id
    buyer = markets.add_partner(db, pid, "Brookside", PartnerKind.BUYER)
    lid = markets.record_linkage(
        db, pid, markets.NewLinkage(partner_id=buyer, started_on=date(2026, 1, 20), group_id=gid)
    )
    login(client, "manager")
    page = client.get(f"/groups/{gid}").text
    assert "Brookside" in page and "Record a market link" not in page
    r = _post(client, f"/market-linkages/{lid}/end", page, on="2026-02-02")
    assert r.status_code == 403  # type: ignore[attr-defined]
    client.cookies.clear()
    login(client, "agentb")
    page = client.get("/groups").text
    for url in (f"/market-linkages/{lid}/end", f"/market-linkages/{lid}/contracts",
                f"/groups/{gid}/market-linkages", f"/groups/{gid}/market-activities"):  # fmt: skip
        assert _post(client, url, page, on="2026-02-02").status_code == 404  # type: ignore[attr-defined]
    with db.read() as conn:
        assert conn.execute(select(market_linkage.c.ended_on)).scalar() is None


def test_market_partners_page(client: TestClient, org: Org, db: Database) -> None:
    login(client, "agent")
    page = client.get("/market-partners").text
    assert "No market partners yet." in page and "Add a market partner" not in page
    assert _post(client, "/market-partners", page, name="X", kind="buyer").status_code == 403  # type: ignore[attr-defined]
    client.cookies.clear()
    login(client, "manager")
    page = client.get("/market-partners").text
    r = _post(client, "/market-partners", page, name=" ", kind="buyer")
    assert r.status_code == 422 and 'id="name-error"' in r.text  # type: ignore[attr-defined]
    r = _post(client, "/market-partners", page, name="Agrovet", kind="bank")
    assert r.status_code == 422 and 'id="kind-error"' in r.text  # type: ignore[attr-defined]
    assert _count(db, partner) == 0
    r = _post(client, "/market-partners", page, name="Agrovet", kind="supplier")
    assert r.status_code == 303  # type: ignore[attr-defined]
    page = client.get(r.headers["location"]).text  # type: ignore[attr-defined]
    assert "Market partner added." in page and "Agrovet" in page
    client.cookies.clear()
    login(client, "admin")
    page = client.get("/market-partners").text
    r = _post(client, "/market-partners", page, name="Mill", kind="processor", programme="999")
    assert r.status_code == 422 and 'id="programme-error"' in r.text  # type: ignore[attr-defined]
    pid = str(org.world.programme_id)
    r = _post(client, "/market-partners", page, name="Mill", kind="processor", programme=pid)
    assert r.status_code == 303 and _count(db, partner) == 2  # type: ignore[attr-defined]
    client.cookies.clear()
    login(client, "donor")
    assert client.get("/market-partners").status_code == 404


def test_household_visits_on_the_member_page(client: TestClient, org: Org, db: Database) -> None:
    visits.load_programme_scorecard(db, org.world.programme_id, json.dumps(GRID), date(2026, 1, 10))
    m0, m1 = org.world.member_ids[0], org.world.member_ids[1]
    login(client, "agent")
    page = client.get(f"/members/{m0}").text
    assert "Household visits" in page and "No household visits yet." in page
    assert "What is the roof made of?" in page and "Record a visit (grid)" in page
    visit = {"scorecard": "grid", "visited_on": "2026-02-01", "household_size": "5",
             "answer-roof": "iron", "answer-school": "yes"}  # fmt: skip
    url = f"/members/{m0}/visits"
    r = _post(client, url, page, **(visit | {"answer-school": ""}))
    assert r.status_code == 422 and 'id="visit-grid-school-error"' in r.text  # type: ignore[attr-defined]
    assert "is not answered" in r.text  # type: ignore[attr-defined]
    r = _post(client, url, page, **(visit | {"visited_on": "2026-03-01"}))
    assert r.status_code == 422 and 'id="visit-grid-visited_on-error"' in r.text  # type: ignore[attr-defined]
    r = _post(client, url, page, **(visit | {"household_size": "0"}))
    assert r.status_code == 422 and 'id="visit-grid-household_size-error"' in r.text  # type: ignore[attr-defined]
    r = _post(client, url, page, **(visit | {"scorecard": "nope"}))
    assert r.status_code == 422 and "Choose a scorecard of the programme." in r.text  # type: ignore[attr-defined]
    assert _count(db, household_visit) == 0
    r = _post(client, url, page, **visit)
    assert r.status_code == 303 and r.headers["location"] == f"/members/{m0}#visits"  # type: ignore[attr-defined]
    page = client.get(f"/members/{m0}").text
    assert "Household visit recorded." in page and ">30<" in page and "10.00 %" in page
    assert "a change of" not in page  # one visit: no change yet
    r = _post(client, f"/members/{m0}/visits", page, **(visit | {"visited_on": "2026-02-02",
              "answer-roof": "thatch"}))  # fmt: skip
    assert r.status_code == 303  # type: ignore[attr-defined]
    page = client.get(f"/members/{m0}").text
    assert "30 → 20, a change of -10." in page

    url = f"/members/{m0}/referrals"
    refer = {"kind": "health", "service": "Thika clinic", "on": "2026-02-02"}
    r = _post(client, url, page, **(refer | {"service": " "}))
    assert r.status_code == 422 and 'id="refer-service-error"' in r.text  # type: ignore[attr-defined]
    r = _post(client, url, page, **(refer | {"kind": "dentist"}))
    assert r.status_code == 422 and 'id="refer-kind-error"' in r.text  # type: ignore[attr-defined]
    assert _count(db, referral) == 0
    assert _post(client, url, page, **refer).status_code == 303  # type: ignore[attr-defined]
    assert _post(client, f"/members/{m1}/referrals", page, **refer).status_code == 303  # type: ignore[attr-defined]
    with db.read() as conn:
        rid = conn.execute(select(referral.c.id).where(referral.c.member_id == m0)).scalar_one()
    url = f"/referrals/{rid}/follow-ups"
    r = _post(client, url, page, status="referred", on="2026-02-02")
    assert r.status_code == 422 and f'id="follow-{rid}-status-error"' in r.text  # type: ignore[attr-defined]
    r = _post(client, url, page, status="resolved", on="2026-01-01")
    assert r.status_code == 422 and f'id="follow-{rid}-on-error"' in r.text  # type: ignore[attr-defined]
    assert _count(db, referral_follow_up) == 0
    listing = client.get("/referrals").text
    assert "Thika clinic" in listing and f"/members/{m0}#referrals" in listing
    r = _post(client, url, page, status="resolved", on="2026-02-02", note="treated")
    assert r.status_code == 303  # type: ignore[attr-defined]
    page = client.get(f"/members/{m0}").text
    assert "Follow-up recorded." in page and "treated" in page
    assert f'action="/referrals/{rid}/follow-ups"' not in page  # resolved: no more follow-up
    listing = client.get("/referrals").text
    assert f"/members/{m0}#referrals" not in listing and f"/members/{m1}#referrals" in listing

    client.cookies.clear()
    login(client, "manager")
    page = client.get(f"/members/{m0}").text
    assert "Household visits" in page and "Record a visit" not in page
    assert _post(client, f"/members/{m0}/visits", page, **visit).status_code == 403  # type: ignore[attr-defined]
    client.cookies.clear()
    login(client, "agentb")
    page = client.get("/groups").text
    assert _post(client, f"/members/{m0}/referrals", page, **refer).status_code == 404  # type: ignore[attr-defined]
    assert _post(client, url, page, status="dropped", on="2026-02-02").status_code == 404  # type: ignore[attr-defined]
    assert "Thika clinic" not in client.get("/referrals").text
    assert _count(db, household_visit) == 2 and _count(db, referral) == 2


def test_the_sections_in_french(client: TestClient, org: Org) -> None:
    login(client, "agent")
    page = client.get(f"/groups/{org.world.group_id}")
    client.post("/locale", data={"csrf_token": csrf_of(page.text), "locale": "fr", "next": "/"})
    assert "Liens au marché" in client.get(f"/groups/{org.world.group_id}").text
    assert "Visites à domicile" in client.get(f"/members/{org.world.member_ids[0]}").text
