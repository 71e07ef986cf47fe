"""A field agent registers an enterprise for a member and records its jobs in Chromium on
a 360 px phone, from the member's page: bad input is refused next to its field with what
she typed kept and nothing written; the enterprise, its jobs and the verification are in
the database and the list. Screenshots for docs/screenshots when KUZA_SCREENSHOTS=1."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from kuza.adapters.db.schema import enterprise, enterprise_owner, job, job_event
from kuza.services.enterprise_views import enterprise_view
from tests.browser.conftest import PHONE, Site, log_in

pytestmark = pytest.mark.browser


def _count(site: Site, table: Any) -> int:
    with site.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _refused_on(page: Any, input_id: str, text: str, error_id: str = "") -> None:
    """The message beside the field, and the field pointing at it (screen readers)."""
    error_id = error_id or f"{input_id}-error"
    error = page.locator(f"#{error_id}")
    error.wait_for()
    assert text in error.inner_text()
    assert page.get_attribute(f"#{input_id}", "aria-describedby") == error_id
    assert page.get_attribute(f"#{input_id}", "aria-invalid") == "true"


def test_agent_registers_an_enterprise_and_records_its_jobs(site: Site, browser: Any) -> None:
    m0 = site.world.member_ids[0]
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    log_in(page, site, "agent")
    page.goto(f"{site.url}/members/{m0}")
    page.click("a:has-text('Register an enterprise she owns')")
    assert page.input_value("#reg-owners") == str(m0)

    page.fill("#reg-name", "Member 0 Tailoring")
    page.fill("#reg-owners", f"{m0}, Member 1")
    page.select_option("#reg-sector", "retail")
    page.fill("#reg-location", "Thika market")
    page.click("button:has-text('Register')")
    _refused_on(page, "reg-owners", "Give the owners' member numbers, like 12, 15.")
    assert page.input_value("#reg-name") == "Member 0 Tailoring"
    assert page.input_value("#reg-location") == "Thika market"

    page.fill("#reg-owners", str(m0))
    page.check("#reg-registered")
    page.click("button:has-text('Register')")
    _refused_on(page, "reg-registration_no", "a registered enterprise needs its number")
    assert page.is_checked("#reg-registered")
    assert _count(site, enterprise) == 0

    page.fill("#reg-registration_no", "BN-2026-0042")
    page.click("button:has-text('Register')")
    page.wait_for_selector("text=Enterprise registered.")
    eid = int(page.url.rsplit("/", 1)[1])
    with site.db.read() as conn:
        row = conn.execute(select(enterprise).where(enterprise.c.id == eid)).one()
        owners = conn.execute(
            select(enterprise_owner.c.member_id).where(enterprise_owner.c.enterprise_id == eid)
        ).scalars()
        assert (row.name, row.sector, row.registration_no) == (
            "Member 0 Tailoring",
            "retail",
            "BN-2026-0042",
        )
        assert list(owners) == [m0]

    page.select_option("#new-role", "employee")
    page.fill("#new-hours", "30")
    page.click("button:has-text('Record the job')")
    _refused_on(page, "new-worker", "needs a name and sex")
    assert _count(site, job) == 0
    page.select_option("#new-role", "employee")
    page.fill("#new-worker", "Juma Mwangi")
    page.select_option("#new-sex", "M")
    page.fill("#new-hours", "200")
    page.click("button:has-text('Record the job')")
    _refused_on(page, "new-hours", "between 0 and 112", "new-hours_per_week-error")
    assert _count(site, job) == 0

    page.select_option("#new-role", "owner")
    page.select_option("#new-member", str(m0))
    page.fill("#new-hours", "40")
    page.click("button:has-text('Record the job')")
    page.wait_for_selector("text=Job recorded: it counts once verified.")
    assert "not verified: not counted" in page.inner_text("main")
    page.click("button:has-text('Verify')")
    page.wait_for_selector("text=Verification recorded.")
    view = enterprise_view(site.db, eid)
    [owner_job] = view.jobs
    assert owner_job.worker == "Member 0" and owner_job.events[0].verified_on is not None
    assert _count(site, job_event) == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(site.shots / "enterprise.png"), full_page=True)

    page.click("a:has-text('Enterprises')")
    listed = page.locator("table.cards tbody tr", has_text="Member 0 Tailoring")
    assert listed.count() == 1
    assert "retail" in listed.inner_text() and listed.locator("td.num").inner_text() == "1"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(site.shots / "enterprises.png"), full_page=True)
    context.close()
