"""The service worker: a meeting sheet opened once online opens again with the phone
offline (from the worker's cache, not the server), its posting is kept in the outbox and
booked exactly once when the connection is back; logging out forgets the kept sheet.
The outbox syncs every queued sheet in one POST /api/v1/meeting-batches: a replayed sync
books nothing, a refused sheet stays queued with its error."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from kuza.adapters.db.schema import journal_entry, meeting, savings_group
from tests.browser.conftest import PHONE, TODAY, Site, log_in

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


def _queue(page: Any, held_on: str, member_id: int, voluntary: str) -> None:
    page.fill("#held_on", held_on)
    page.fill(f"#voluntary-{member_id}", voluntary)
    page.click("button[value=post]")


def _outbox(page: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(
        page.evaluate("localStorage.getItem('kuza.outbox.v1') || '[]'")
    )
    return items


def test_a_sheet_opened_once_opens_offline_and_is_booked_once(site: Site, browser: Any) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    log_in(page, site, "agent")
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
    _queue(page, TODAY.isoformat(), m0, "50")
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


def test_the_outbox_syncs_in_one_batch_replays_book_nothing_refusals_stay(
    site: Site, browser: Any
) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if "/api/" in r.url else None)
    batches = f"{site.url}/api/v1/meeting-batches"
    log_in(page, site, "agent")
    gid, m0 = site.world.group_id, site.world.member_ids[0]
    page.goto(f"{site.url}/groups/{gid}/meetings/new")
    week_ago = (TODAY - timedelta(days=7)).isoformat()

    context.set_offline(True)  # two sheets queued offline
    _queue(page, week_ago, m0, "30")
    page.wait_for_selector("#outbox-text:has-text('1 meeting(s) waiting')")
    _queue(page, TODAY.isoformat(), m0, "50")
    page.wait_for_selector("#outbox-text:has-text('2 meeting(s) waiting')")
    queued = _outbox(page)
    assert [i["held_on"] for i in queued] == [week_ago, TODAY.isoformat()]
    assert sent == [] and _booked(site) == (0, 0)

    context.set_offline(False)  # back online: both booked once, in ONE request
    page.wait_for_selector("#outbox-text:has-text('2 meeting(s) booked')")
    assert sent == [batches]
    assert _booked(site) == (2, 2)
    assert _outbox(page) == []

    # a replayed sync (the answer lost, the same sheets sent again) books nothing
    page.evaluate(f"localStorage.setItem('kuza.outbox.v1', {json.dumps(json.dumps(queued))})")
    with page.expect_response(batches) as replay:
        page.reload()
    assert replay.value.status == 200
    assert replay.value.headers.get("idempotent-replayed") == "true"
    _until(page, "localStorage.getItem('kuza.outbox.v1') === '[]'")
    assert sent == [batches, batches]
    assert _booked(site) == (2, 2)

    # other amounts for a day already posted: refused, kept with its error, not resent
    context.set_offline(True)
    _queue(page, TODAY.isoformat(), m0, "70")
    page.wait_for_selector("#outbox-text:has-text('1 meeting(s) waiting')")
    context.set_offline(False)
    refusal = page.wait_for_selector("#outbox-conflicts li")
    assert refusal is not None
    text = refusal.inner_text()
    assert f"Umoja, {TODAY.isoformat()}" in text and "already" in text
    assert "Discard" in text
    left = _outbox(page)
    assert len(left) == 1 and left[0]["error"] and left[0]["held_on"] == TODAY.isoformat()
    assert sent == [batches, batches, batches]
    assert _booked(site) == (2, 2)
    page.reload()
    page.wait_for_selector("#outbox-conflicts li")
    page.wait_for_load_state("networkidle")
    assert sent == [batches, batches, batches]  # a refused sheet is not sent again
    page.click("#outbox-conflicts button:has-text('Discard')")
    assert _outbox(page) == []
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
