"""The member page's household visits and the group page's market links on a 360 px
phone: a visit recorded from the scorecard's questions, a referral followed up, no
sideways scroll; a screenshot for docs/screenshots when KUZA_SCREENSHOTS=1."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from kuza.domain.markets import PartnerKind, WomanRole
from kuza.domain.visits import ReferralKind
from kuza.services import markets, visits
from tests.browser.conftest import PHONE, Site, log_in

pytestmark = pytest.mark.browser

CARD = {
    "code": "progress",
    "questions": [
        {"code": "roof", "text": "What is the roof made of?",
         "points": {"thatch": 0, "iron_sheets": 10}},
        {"code": "school", "text": "Are all children aged 6-14 at school?",
         "points": {"no": 0, "yes": 20}},
    ],
    "lookup": [[0, "80"], [10, "50"], [30, "10"]],
}  # fmt: skip


def test_household_visit_and_market_links_at_360_px(site: Site, browser: Any) -> None:
    pid, gid, m0 = site.world.programme_id, site.world.group_id, site.world.member_ids[0]
    visits.load_programme_scorecard(site.db, pid, json.dumps(CARD), date(2026, 1, 5))
    visits.refer(site.db, pid, m0, ReferralKind.HEALTH, "Thika clinic", date(2026, 1, 20))
    buyer = markets.add_partner(site.db, pid, "Brookside Dairy", PartnerKind.BUYER)
    new = markets.NewLinkage(
        partner_id=buyer, started_on=date(2026, 1, 10), group_id=gid,
        women={m0: WomanRole.LEADER},
    )  # fmt: skip
    lid = markets.record_linkage(site.db, pid, new)
    markets.record_contract(site.db, lid, "milk", "300", "litre", "45", date(2026, 1, 10))
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    log_in(page, site, "agent")

    page.goto(f"{site.url}/groups/{gid}#markets")
    page.click("summary:has-text('Add a contract')")
    assert "300.000 litre of milk at 45.00 KES each: 13,500.00 KES" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(site.shots / "group-markets.png"), full_page=True)

    page.goto(f"{site.url}/members/{m0}")
    page.click("summary:has-text('Record a visit')")
    page.select_option("#visit-progress-q1", "iron_sheets")
    page.select_option("#visit-progress-q2", "yes")
    page.click("button:has-text('Record the visit')")
    page.wait_for_selector("text=Household visit recorded.")
    page.click("summary:has-text('Follow up')")
    page.select_option("[id^=follow-][id$=-status]", "in_progress")
    page.fill("[id^=follow-][id$=-note]", "She went on Monday")
    page.click("button:has-text('Record the follow-up')")
    page.wait_for_selector("text=Follow-up recorded.")
    main = page.inner_text("main")
    assert "10.00 %" in main and "She went on Monday" in main
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(site.shots / "member-visits.png"), full_page=True)
    context.close()
