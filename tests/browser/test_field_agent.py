"""The field agent's day on a 360 px phone: a meeting posted online, one captured
offline and synced when the connection is back (each booked exactly once), the pages in
French; and a donor who cannot open a group or a member."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from kuza.adapters.db.schema import journal_entry, meeting
from kuza.services.views import group_view
from tests.browser.conftest import PHONE, TODAY, Site, log_in

pytestmark = pytest.mark.browser


def _booked(site: Site) -> tuple[int, int]:
    with site.db.read() as conn:
        return (
            conn.execute(select(func.count()).select_from(meeting)).scalar_one(),
            conn.execute(select(func.count()).select_from(journal_entry)).scalar_one(),
        )


def test_meeting_online_then_offline_synced_once(site: Site, browser: Any) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    log_in(page, site, "agent")
    page.wait_for_url(f"{site.url}/groups")
    page.screenshot(path=str(site.shots / "groups.png"), full_page=True)
    gid = site.world.group_id
    m0 = site.world.member_ids[0]

    page.goto(f"{site.url}/groups/{gid}/meetings/new")
    page.fill("#held_on", "2026-01-26")
    page.screenshot(path=str(site.shots / "meeting-sheet.png"), full_page=True)
    page.click("button[value=post]")
    page.wait_for_url(f"{site.url}/groups/{gid}")
    assert "Meeting of 2026-01-26 posted" in page.inner_text("main")
    assert _booked(site) == (1, 1)

    page.goto(f"{site.url}/groups/{gid}/meetings/new")
    context.set_offline(True)
    page.fill("#held_on", TODAY.isoformat())
    page.fill(f"#voluntary-{m0}", "50")
    page.click("button[value=post]")
    page.wait_for_selector("#outbox:not([hidden])")
    assert "1 meeting(s) waiting" in page.inner_text("#outbox-text")
    page.screenshot(path=str(site.shots / "meeting-saved-offline.png"), full_page=True)
    assert _booked(site) == (1, 1)

    context.set_offline(False)
    page.wait_for_selector("#outbox-text:has-text('booked')")
    assert _booked(site) == (2, 2)
    # Back on the group page: nothing left waiting, nothing booked again.
    page.goto(f"{site.url}/groups/{gid}")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("localStorage.getItem('kuza.outbox.v1')") == "[]"
    assert _booked(site) == (2, 2)
    view = group_view(site.db, gid, TODAY)
    assert str(view.fund_cash.amount) == "650.00"  # 3 × 100, then 3 × 100 + 50
    page.screenshot(path=str(site.shots / "group.png"), full_page=True)

    page.select_option("#locale-choice", "fr")
    page.click("button:has-text('Change language')")
    page.wait_for_selector("text=Caisse du groupe")
    assert "650,00 KES" in page.inner_text("main")
    page.screenshot(path=str(site.shots / "group-fr.png"), full_page=True)
    context.close()


def test_an_offline_sheet_in_conflict_is_shown_not_booked(site: Site, browser: Any) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    log_in(page, site, "agent")
    page.wait_for_url(f"{site.url}/groups")
    gid = site.world.group_id
    page.goto(f"{site.url}/groups/{gid}/meetings/new")
    context.set_offline(True)
    page.fill(f"#voluntary-{site.world.member_ids[1]}", "20")
    page.click("button[value=post]")
    page.wait_for_selector("#outbox:not([hidden])")
    # Meanwhile the same meeting is posted from elsewhere with other amounts.
    from kuza.services.meetings import post_meeting
    from tests.factories import sheet

    post_meeting(site.db, sheet(site.world, TODAY), "other", TODAY)
    context.set_offline(False)
    page.wait_for_selector("#outbox-conflicts li")
    assert "already posted with other amounts" in page.inner_text("#outbox-conflicts")
    page.screenshot(path=str(site.shots / "meeting-conflict.png"), full_page=True)
    assert _booked(site) == (1, 1)
    page.click("#outbox-conflicts button")
    assert page.evaluate("localStorage.getItem('kuza.outbox.v1')") == "[]"
    context.close()


def test_a_donor_cannot_open_a_group_or_a_member(site: Site, browser: Any) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    log_in(page, site, "donor")
    page.wait_for_url(f"{site.url}/")
    page.screenshot(path=str(site.shots / "donor-home.png"), full_page=True)
    r = page.goto(f"{site.url}/groups/{site.world.group_id}")
    assert r is not None and r.status == 404
    assert site.world.member_ids[0] and "Members" not in page.inner_text("main")
    r = page.goto(f"{site.url}/api/v1/members/{site.world.member_ids[0]}/passbook")
    assert r is not None and r.status == 403
    context.close()
