"""The member page on a 360 px phone: passbook form reachable by keyboard, no sideways
scroll; a screenshot for docs/screenshots when KUZA_SCREENSHOTS=1."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import PHONE, Site, log_in

pytestmark = pytest.mark.browser


def test_member_page_at_360_px(site: Site, browser: Any) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    log_in(page, site, "agent")
    page.goto(f"{site.url}/members/{site.world.member_ids[0]}")
    assert "Passbook" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.focus("#move-amount")
    page.keyboard.type("50")
    page.fill("#move-reference", "R-7")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Passbook balance")
    page.screenshot(path=str(site.shots / "member.png"), full_page=True)
    context.close()
