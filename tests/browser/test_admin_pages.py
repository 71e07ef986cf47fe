"""An admin's day on the admin pages, in Chromium: create an account, change its role,
switch a loan product off and see it gone from the loan application form (and back), on a
360 px screen; screenshots for docs/screenshots when KUZA_SCREENSHOTS=1."""

from __future__ import annotations

from typing import Any

import pytest

from kuza.domain.access import Role
from kuza.services import users
from kuza.services.loans import products
from tests.browser.conftest import PASSWORD, PHONE, Site

pytestmark = pytest.mark.browser
TERMS = {
    "rate": {"percent": "1", "per": "month"},
    "method": "flat",
    "instalments": 4,
    "every": {"n": 1, "unit": "week"},
}


def test_admin_creates_an_account_changes_its_role_and_switches_a_product_off(
    site: Site, browser: Any
) -> None:
    users.create_user(site.db, users.NewUser("root", Role.ADMIN, PASSWORD, "Root"))
    pid, gid = site.world.programme_id, site.world.group_id
    for name in ("Weekly seeds", "Monthly goats"):
        products.create_product(
            site.db, pid, {"name": name, "kind": "internal", "terms": TERMS}, "root"
        )
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{site.url}/login")
    page.fill("#username", "root")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]:has-text('Log in')")
    page.wait_for_url(f"{site.url}/groups")

    page.goto(f"{site.url}/admin/users")
    page.fill("#username", "wanjiku")
    page.fill("#display_name", "Wanjiku")
    page.fill("#password", "a long enough password")
    page.select_option("#role", "finance")
    page.select_option("#programme_id", str(pid))
    page.click("button:has-text('Create the account')")
    page.wait_for_selector("text=Account wanjiku created.")
    page.screenshot(path=str(site.shots / "admin-users.png"), full_page=True)

    page.click("a:has-text('wanjiku')")
    page.wait_for_selector("h1:has-text('Account wanjiku')")
    page.select_option("#role", "branch_manager")
    page.select_option("#branch_id", str(site.world.branch_id))
    page.click("button:has-text('Save role and scope')")
    page.wait_for_selector("text=Account wanjiku changed.")
    who = users.authenticate(site.db, "wanjiku", "a long enough password")
    assert (who.role, who.branch_id) == (Role.BRANCH_MANAGER, site.world.branch_id)
    page.select_option("#role", "field_agent")  # no agent chosen: refused on its field
    page.click("button:has-text('Save role and scope')")
    page.wait_for_selector("#agent_id-error")
    assert users.authenticate(site.db, "wanjiku", "a long enough password").role is (
        Role.BRANCH_MANAGER
    )
    page.screenshot(path=str(site.shots / "admin-account.png"), full_page=True)

    page.goto(f"{site.url}/groups/{gid}/loans/new")
    assert "Weekly seeds" in page.inner_text("#apply-product_id")
    page.goto(f"{site.url}/admin/programmes/{pid}/products")
    page.click("button:has-text('Switch Weekly seeds off')")
    page.wait_for_selector("text=Loan product switched off.")
    assert page.is_visible("button:has-text('Switch Weekly seeds on')")
    page.screenshot(path=str(site.shots / "admin-products.png"), full_page=True)
    page.goto(f"{site.url}/groups/{gid}/loans/new")
    offered = page.inner_text("#apply-product_id")
    assert "Weekly seeds" not in offered and "Monthly goats" in offered

    page.goto(f"{site.url}/admin/programmes/{pid}/products")
    page.click("button:has-text('Switch Weekly seeds on')")
    page.wait_for_selector("text=Loan product switched on.")
    page.goto(f"{site.url}/groups/{gid}/loans/new")
    assert "Weekly seeds" in page.inner_text("#apply-product_id")
    context.close()
