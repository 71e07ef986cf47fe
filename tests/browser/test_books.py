"""The books and the loan calculator in Chromium at 360 px: an admin deposits capital into
the loan fund (a later day refused beside its field, nothing booked), closes a day, checks
the ledger; a field agent works out a loan's schedule and APR. Screenshots for
docs/screenshots when KUZA_SCREENSHOTS=1."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kuza.domain.access import Role
from kuza.domain.ledger import AccountCode, AccountKey
from kuza.services import ledger_check, users
from kuza.services.books import close_day_runs
from kuza.services.ledger import balances_of
from tests.browser.conftest import PASSWORD, PHONE, TODAY, Site, log_in

pytestmark = pytest.mark.browser


def _cash(site: Site) -> Decimal:
    key = AccountKey(AccountCode.LOAN_FUND_CASH)
    with site.db.read() as conn:
        return balances_of(conn, site.world.programme_id, (key,), "KES")[key].amount


def test_an_admin_funds_the_loan_fund_closes_the_day_and_checks_the_ledger(
    site: Site, browser: Any
) -> None:
    users.create_user(site.db, users.NewUser("root", Role.ADMIN, PASSWORD, "Root"))
    page = browser.new_context(viewport=PHONE).new_page()
    log_in(page, site, "root")
    page.click("nav a:has-text('Books')")
    page.wait_for_selector("h1:has-text('Books')")

    page.fill("#fund-amount", "25000")
    page.fill("#fund-on", "2030-01-01")
    page.fill("#fund-reference", "GRANT-2026-01")
    page.click("button:has-text('Book the deposit')")
    page.wait_for_selector("#fund-on-error")
    assert _cash(site) == 0  # refused: nothing booked

    page.fill("#fund-on", TODAY.isoformat())
    page.click("button:has-text('Book the deposit')")
    page.wait_for_selector("text=Deposit booked into the loan fund.")
    assert _cash(site) == Decimal("25000")
    assert "25,000.00" in page.inner_text("#fund-cash")

    page.fill("#close-on", TODAY.isoformat())
    page.click("button:has-text('Close the day for every programme')")
    page.wait_for_selector("text=Day closed:")
    assert [r.run_on for r in close_day_runs(site.db)] == [TODAY]

    page.click("a:has-text('Check the whole ledger now')")
    page.wait_for_selector("#check-result:has-text('The ledger is clean')")
    assert ledger_check.check(site.db) == []
    page.screenshot(path=str(site.shots / "books.png"), full_page=True)


def test_a_field_agent_works_out_a_schedule_and_its_apr(site: Site, browser: Any) -> None:
    page = browser.new_context(viewport=PHONE).new_page()
    log_in(page, site, "agent")
    page.goto(f"{site.url}/loans")
    page.click("a:has-text('Loan calculator')")
    page.fill("#calc-principal", "1000")
    page.fill("#calc-currency", "EUR")
    page.fill("#calc-rate", "12")
    page.select_option("#calc-per", "year")
    page.select_option("#calc-method", "flat")
    page.fill("#calc-instalments", "3")
    page.fill("#calc-disbursed_on", "2024-06-01")
    page.click("button:has-text('Calculate')")
    page.wait_for_selector("#calc-schedule")
    # Apache Fineract's LP1_INTEREST_FLAT example: 343.33, 343.33, 343.34; interest 30.00
    totals = page.locator("#calc-schedule tbody tr td:nth-child(6)").all_inner_texts()
    assert totals == ["343.33", "343.33", "343.34"]
    assert page.inner_text("#calc-interest") == "30.00 EUR"
    page.screenshot(path=str(site.shots / "loan-calculator.png"), full_page=True)
