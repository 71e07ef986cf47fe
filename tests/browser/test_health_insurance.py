"""Health insurance on a 360 px phone: the field agent enrols a member with a dependant
and submits a claim from the member page; a country manager approves it on the
insurance page; no sideways scroll; screenshots for docs/screenshots when
KUZA_SCREENSHOTS=1."""

from __future__ import annotations

from typing import Any

import pytest

from kuza.domain.access import Role
from kuza.services import insurance, users
from tests.browser.conftest import PASSWORD, PHONE, Site, log_in

pytestmark = pytest.mark.browser

PLAN = {"name": "Afya", "premium": "100", "dependant_premium": "50", "period": "month",
        "cover_per_year": "1000", "waiting_days": 0, "subsidy": ["100", "66", "33"]}  # fmt: skip


def test_enrol_claim_and_approve_at_360_px(site: Site, browser: Any) -> None:
    pid, m0 = site.world.programme_id, site.world.member_ids[0]
    insurance.create_plan(site.db, pid, PLAN)
    users.create_user(
        site.db, users.NewUser("manager", Role.COUNTRY_MANAGER, PASSWORD, programme_id=pid)
    )
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    log_in(page, site, "agent")
    page.goto(f"{site.url}/members/{m0}#insurance")
    page.click("summary:has-text('Enrol her in a health plan')")
    assert page.input_value("#enrol-pays_from") == "cash"  # the default, as in the service
    page.fill("#enrol-enrolled_on", "2026-01-05")
    page.fill("#enrol-dep-0-name", "Baraka")
    page.fill("#enrol-dep-0-relation", "child")
    page.select_option("#enrol-dep-0-sex", "M")
    page.fill("#enrol-dep-0-birth_year", "2018")
    page.click("button:has-text('Enrol')")
    page.wait_for_selector("text=Enrolled in the health plan.")
    page.click("summary:has-text('Submit a claim')")
    page.select_option("[id^=claim-][id$=-dependant_id]", label="Baraka")
    page.fill("[id^=claim-][id$=-incurred_on]", "2026-01-20")
    page.fill("[id^=claim-][id$=-amount]", "abc")
    page.fill("[id^=claim-][id$=-description]", "clinic")
    page.click("button:has-text('Submit the claim')")
    assert page.get_attribute("[id^=claim-][id$=-amount]", "aria-invalid") == "true"
    page.fill("[id^=claim-][id$=-amount]", "1250.50")
    page.click("button:has-text('Submit the claim')")
    page.wait_for_selector("text=Claim submitted")
    main = page.inner_text("main")
    assert "Baraka (child, 2018)" in main and "1,250.50 KES" in main
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(site.shots / "member-insurance.png"), full_page=True)
    context.close()

    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    log_in(page, site, "manager")
    page.goto(f"{site.url}/insurance")
    page.fill("[id^=claim-][id$=-amount]", "1000")
    page.click("button:has-text('Approve')")
    page.wait_for_selector("text=Claim approved.")
    page.goto(f"{site.url}/insurance?status=approved")
    assert "Approved 1,000.00 KES by manager." in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(site.shots / "insurance.png"), full_page=True)
    context.close()
