"""The service worker: a meeting sheet opened once online opens again with the phone
offline (from the worker's cache, not the server), its posting is kept in the outbox and
booked exactly once when the connection is back; logging out forgets the kept sheet."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import func, select, update

from kuza.adapters.db.schema import journal_entry, meeting, savings_group
from tests.browser.conftest import PASSWORD, PHONE, TODAY, Site

pytestmark = pytest.mark.browser

KEPT_SHEETS = """async () => {
  const keys = (await caches.keys()).filter((k) => k.startsWith("kuza-pages-"));
  let urls = [];
  for (const k of keys) {
    urls = urls.concat((await (await caches.open(k)).keys()).map((r) => new URL(r.url).pathname));
  }
  return urls;
}"""


def _until(page: Any, expression: str, seconds: float = 20) -> None:
    """Poll from Python: wait_for_function compiles its predicate with eval, which the
    pages' Content-Security-Policy (no 'unsafe-eval') refuses."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {seconds} s: {expression}")
        time.sleep(0.1)


def _booked(site: Site) -> tuple[int, int]:
    with site.db.read() as conn:
        return (
            conn.execute(select(func.count()).select_from(meeting)).scalar_one(),
            conn.execute(select(func.count()).select_from(journal_entry)).scalar_one(),
        )


def test_a_sheet_opened_once_opens_offline_and_is_booked_once(site: Site, browser: Any) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{site.url}/login")
    page.fill("#username", "agent")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]:has-text('Log in')")
    page.wait_for_url(f"{site.url}/groups")
    _until(page, "navigator.serviceWorker.controller !== null")
    gid, m0 = site.world.group_id, site.world.member_ids[0]
    sheet = f"/groups/{gid}/meetings/new"
    first = page.goto(site.url + sheet)
    assert first is not None and first.ok
    _until(page, f"({KEPT_SHEETS})().then((u) => u.includes('{sheet}'))")
    name = page.inner_text("h1 + .sub").split(" · ")[0]

    with site.db.transaction() as conn:  # the server's page changes: offline shows the kept one
        conn.execute(update(savings_group).values(name="Renamed while offline"))
    context.set_offline(True)
    again = page.reload()
    assert again is not None and again.from_service_worker
    assert page.inner_text("h1 + .sub").startswith(name)
    assert "Renamed while offline" not in page.content()
    other = context.new_page()
    with pytest.raises(Exception, match="ERR_INTERNET_DISCONNECTED"):
        other.goto(f"{site.url}/groups")  # only sheet pages are kept
    other.close()
    page.fill("#held_on", TODAY.isoformat())
    page.fill(f"#voluntary-{m0}", "50")
    page.click("button[value=post]")
    page.wait_for_selector("#outbox:not([hidden])")
    assert "1 meeting(s) waiting" in page.inner_text("#outbox-text")
    assert _booked(site) == (0, 0)

    context.set_offline(False)
    page.wait_for_selector("#outbox-text:has-text('booked')")
    assert _booked(site) == (1, 1)
    page.goto(f"{site.url}/groups/{gid}")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("localStorage.getItem('kuza.outbox.v1')") == "[]"
    assert _booked(site) == (1, 1)
    with site.db.read() as conn:
        held = conn.execute(select(meeting.c.held_on, meeting.c.group_id)).one()
    assert (held.held_on, held.group_id) == (TODAY, gid)

    page.click("button:has-text('Log out')")
    page.wait_for_url(f"{site.url}/login*")
    _until(page, f"({KEPT_SHEETS})().then((u) => u.length === 0)")
    context.close()


def test_the_worker_is_served_from_the_root_with_its_version(site: Site, browser: Any) -> None:
    context = browser.new_context()
    page = context.new_page()
    r = page.goto(f"{site.url}/sw.js")
    assert r is not None and r.ok
    assert r.headers["content-type"].startswith("text/javascript")
    assert r.headers["cache-control"] == "no-cache"
    body = page.content()
    assert "__VERSION__" not in body and "kuza-static-" in body
    context.close()
