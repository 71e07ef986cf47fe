"""Finance keeps the programme's costs in Chromium on a 360 px phone: one cost recorded
by hand (a bad amount first, refused on its field), a CSV with bad rows refused whole,
an XLSX sheet chosen in the file chooser and booked, then cost per job on the dashboard;
each cost is in the ledger and the ledger checks. A field agent and a donor never reach
the forms. Screenshots for docs/screenshots when KUZA_SCREENSHOTS=1."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from kuza.adapters.db.schema import cost_entry, journal_entry
from kuza.domain.access import Role
from kuza.domain.groups import Sex
from kuza.domain.jobs import JobRole, VerificationMethod
from kuza.services import costs, enterprises, jobs, ledger_check, users
from tests.browser.conftest import PASSWORD, PHONE, TODAY, Site, log_in

pytestmark = pytest.mark.browser
JANUARY = ("2026-01-01", "2026-01-31")


def _two_verified_jobs(site: Site) -> None:
    """Member 0's shop with her own job and one employee's, both verified in January."""
    w = site.world
    eid = enterprises.register_enterprise(
        site.db,
        w.programme_id,
        enterprises.NewEnterprise("Mama Shop", [w.member_ids[0]], "retail", date(2026, 1, 6)),
    )
    owner = jobs.NewJob(eid, JobRole.OWNER, date(2026, 1, 10), "40", w.member_ids[0])
    employee = jobs.NewJob(eid, JobRole.EMPLOYEE, date(2026, 1, 10), "40", None, "Juma", Sex.MALE)
    for new in (owner, employee):
        event = jobs.record_job_created(site.db, new)
        jobs.verify_job_event(
            site.db, event, date(2026, 1, 20), VerificationMethod.AGENT_VISIT, "Amina", TODAY
        )


def _counts(site: Site) -> tuple[int, int]:
    with site.db.read() as conn:
        return (
            conn.execute(select(func.count()).select_from(cost_entry)).scalar_one(),
            conn.execute(select(func.count()).select_from(journal_entry)).scalar_one(),
        )


def _choose_file(page: Any, path: Path) -> None:
    with page.expect_file_chooser() as chooser:
        page.click("#file-file")
    chooser.value.set_files(str(path))
    page.click("button:has-text('Upload and book')")


def test_finance_records_uploads_and_sees_cost_per_job(
    site: Site, browser: Any, tmp_path: Path
) -> None:
    pid = site.world.programme_id
    users.create_user(
        site.db, users.NewUser("finance", Role.FINANCE, PASSWORD, "Faith", programme_id=pid)
    )
    _two_verified_jobs(site)
    entries_before = _counts(site)[1]
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    log_in(page, site, "finance")
    page.click("nav a:has-text('Dashboard')")
    page.click("a:has-text('Programme costs: record or upload them')")
    page.wait_for_url(f"{site.url}/costs")

    page.fill("#line-reference", "V-001")
    page.select_option("#line-stage", "1")
    page.select_option("#line-category", "staff")
    page.fill("#line-period_start", JANUARY[0])
    page.fill("#line-period_end", JANUARY[1])
    page.fill("#line-amount", "1000.005")
    page.click("button:has-text('Record the cost')")
    page.wait_for_selector("#line-amount-error")
    assert "more than 2 decimals" in page.inner_text("#line-amount-error")
    assert page.get_attribute("#line-amount", "aria-invalid") == "true"
    assert page.input_value("#line-reference") == "V-001"  # what she typed stays
    assert _counts(site) == (0, entries_before)
    page.fill("#line-amount", "1000")
    page.click("button:has-text('Record the cost')")
    page.wait_for_selector("text=Cost recorded and posted to the ledger.")
    assert "V-001" in page.inner_text("#list ~ .table-wrap")
    assert _counts(site) == (1, entries_before + 1)

    bad = tmp_path / "vouchers.csv"
    bad.write_text(
        "reference,stage,category,period_start,period_end,amount\n"
        "V-002,2,training,2026-01-01,2026-01-31,500\n"
        "V-003,9,materials,2026-01-01,2026-01-31,300\n"
        "V-004,2,travel,2026-01-01,2026-01-31,30\n"
    )
    _choose_file(page, bad)
    page.wait_for_selector("#bad-rows")
    rows = page.inner_text("#bad-rows")
    assert "stage must be 1, 2, 3 or 4" in rows and "category must be one of" in rows
    assert "Nothing was booked." in page.inner_text("#file-file-error")
    assert _counts(site) == (1, entries_before + 1)

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["reference", "stage", "category", "period_start", "period_end", "amount"])
    sheet.append(["V-002", 2, "training", date(2026, 1, 1), date(2026, 1, 31), 500])
    sheet.append(["V-003", 3, "materials", date(2026, 1, 1), date(2026, 1, 31), 300.5])
    good = tmp_path / "vouchers.xlsx"
    book.save(good)
    _choose_file(page, good)
    page.wait_for_selector("text=2 costs booked, 0 already booked before.")
    listed = page.inner_text("#list ~ .table-wrap")
    assert "V-002" in listed and "300.50 KES" in listed
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(site.shots / "costs.png"), full_page=True)
    assert _counts(site) == (3, entries_before + 3)
    booked = {c.reference: str(c.amount.amount) for c in costs.cost_list(site.db, pid, 10)}
    assert booked == {"V-001": "1000.00", "V-002": "500.00", "V-003": "300.50"}
    assert ledger_check.check(site.db) == []

    page.click("nav a:has-text('Dashboard')")
    page.fill("#period-from", JANUARY[0])
    page.fill("#period-to", JANUARY[1])
    page.click("form.period button:has-text('Show')")
    page.wait_for_url("**/dashboard?*")
    assert page.inner_text("#metric-programme_costs .metric-value") == "1,800.50 KES"
    assert page.inner_text("#metric-cost_per_job .metric-value") == "900.25 KES"  # ÷ 2 jobs
    context.close()


@pytest.mark.parametrize(("username", "status"), [("agent", 403), ("donor", 404)])
def test_field_agents_and_donors_never_reach_the_cost_forms(
    site: Site, browser: Any, username: str, status: int
) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    log_in(page, site, username)
    assert "Programme costs" not in page.inner_text("body")
    response = page.goto(f"{site.url}/costs")
    assert response is not None and response.status == status
    assert page.locator("#line-amount, #file-file").count() == 0
    # A hand-made post (her session, the page's CSRF token) is refused and books nothing.
    token = page.evaluate("document.querySelector('input[name=csrf_token]')?.value ?? ''")
    posted = page.request.post(
        f"{site.url}/costs",
        form={"csrf_token": token, "reference": "X-1", "stage": "1", "category": "staff",
              "period_start": JANUARY[0], "period_end": JANUARY[1], "amount": "10"},
    )  # fmt: skip
    assert posted.status == status
    assert _counts(site)[0] == 0
    context.close()
