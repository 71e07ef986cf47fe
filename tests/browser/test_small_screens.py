"""Keyboard and small screens, in Chromium. The meeting collection sheet filled and posted
with the keyboard alone (Tab, typing, Space, Enter; no mouse), every control it passes
showing where the focus is; and every role's main pages at 360 px: no sideways scroll,
every form control with an accessible name (Chromium's own accessibility tree, read over
the DevTools protocol), with every <details> opened."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from kuza.adapters.db.schema import meeting, meeting_line
from kuza.domain.access import Role
from kuza.services import ledger_check, users
from kuza.services.loans.close_day import close_day
from tests.browser.conftest import PASSWORD, PHONE, TODAY, Site, log_in
from tests.web.conftest import Org
from tests.web.loan_setup import ACTIVE_LOAN, make_loan_book

pytestmark = pytest.mark.browser
CONTROLS = "input:not([type=hidden]), select, textarea, button"
FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {id: el.id, tag: el.tagName, value: el.value ?? '',
          outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0};
}"""


def _tab_to(page: Any, element_id: str, limit: int = 80) -> None:
    """Tab until the element has the focus; every stop on the way shows its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = page.evaluate(FOCUSED)
        assert now["outline"], f"no visible focus on {now['tag']}#{now['id']}"
        if now["id"] == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def test_the_collection_sheet_with_the_keyboard_only(site: Site, browser: Any) -> None:
    gid, (m0, m1, m2) = site.world.group_id, site.world.member_ids
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    log_in(page, site, "agent")
    page.goto(f"{site.url}/groups/{gid}/meetings/new")
    assert page.input_value("#held_on") == TODAY.isoformat()

    _tab_to(page, f"voluntary-{m0}")
    page.keyboard.type("50")
    _tab_to(page, f"present-{m1}")
    page.keyboard.press("Space")  # absent: no compulsory saving from her
    _tab_to(page, f"compulsory-{m1}")
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    _tab_to(page, f"fine-{m2}")
    page.keyboard.type("10")
    page.keyboard.press("Tab")
    page.keyboard.type("late")
    # Enter in a field presses the form's first button, "Update totals": nothing posted.
    page.keyboard.press("Enter")
    page.wait_for_selector(".totals dd:has-text('260.00')")  # 2 × 100 + 50 + 10 in
    with site.db.read() as conn:
        assert conn.execute(select(meeting)).first() is None
    assert page.input_value(f"#fine_reason-{m2}") == "late"
    _tab_to(page, "notes")
    page.keyboard.type("Keyboard only")
    for _ in range(10):  # past "Update totals" to "Post the meeting"
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.value") == "post":
            break
    assert page.evaluate("document.activeElement.textContent").strip() == "Post the meeting"
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site.url}/groups/{gid}")
    assert f"Meeting of {TODAY.isoformat()} posted" in page.inner_text("main")

    with site.db.read() as conn:
        held = conn.execute(select(meeting)).one()
        lines = {
            r.member_id: r
            for r in conn.execute(select(meeting_line).where(meeting_line.c.meeting_id == held.id))
        }
    assert (held.held_on, held.notes) == (TODAY, "Keyboard only")
    assert (lines[m0].present, lines[m0].compulsory_minor, lines[m0].voluntary_minor) == (
        True,
        10000,
        5000,
    )
    assert (lines[m1].present, lines[m1].compulsory_minor) == (False, 0)
    assert (lines[m2].fines_minor, lines[m2].compulsory_minor) == (1000, 10000)
    assert ledger_check.check(site.db) == []
    context.close()


def _unnamed_controls(page: Any) -> list[str]:
    """The form controls Chromium's accessibility tree gives no name (a screen reader
    would say just "edit text" or "button")."""
    cdp = page.context.new_cdp_session(page)
    root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    found = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": CONTROLS})
    unnamed = []
    for node_id in found["nodeIds"]:
        tree = cdp.send(
            "Accessibility.getPartialAXTree", {"nodeId": node_id, "fetchRelatives": False}
        )
        node = tree["nodes"][0]
        if node.get("ignored"):
            continue
        if not str(node.get("name", {}).get("value", "")).strip():
            unnamed.append(cdp.send("DOM.getOuterHTML", {"nodeId": node_id})["outerHTML"][:160])
    cdp.detach()
    return unnamed


PAGES = {
    "agent": ["/groups", "/groups/new", "/groups/{gid}", "/groups/{gid}/meetings/new",
              "/members/{m0}", "/groups/{gid}/loans/new", "/loans", "/loans/{loan}", "/arrears",
              "/enterprises", "/training", "/insurance"],
    "branch": ["/groups", "/groups/new", "/groups/{gid}", "/members/{m0}", "/loans", "/arrears",
               "/approvals", "/dashboard", "/members/import"],
    "finance": ["/groups", "/loans", "/dashboard", "/costs"],
    "manager": ["/groups", "/dashboard", "/costs", "/admin"],
    "root": ["/admin", "/admin/users", "/admin/programmes/{pid}/products", "/admin/audit",
             "/dashboard", "/costs", "/members/import"],
    "donor": ["/", "/dashboard"],
}  # fmt: skip


@pytest.mark.parametrize(
    ("username", "locale"), [*((name, "en") for name in PAGES), ("agent", "fr")]
)
def test_main_pages_fit_360_px_and_every_control_is_named(
    site: Site, browser: Any, username: str, locale: str
) -> None:
    """French is the longer language: the field agent's pages are seen in it too."""
    w = site.world
    pid = w.programme_id
    for name, role, scope in [
        ("root", Role.ADMIN, {}),
        ("manager", Role.COUNTRY_MANAGER, {"programme_id": pid}),
        ("finance", Role.FINANCE, {"programme_id": pid}),
        ("branch", Role.BRANCH_MANAGER, {"programme_id": pid, "branch_id": w.branch_id}),
    ]:
        users.create_user(site.db, users.NewUser(name, role, PASSWORD, name.title(), **scope))
    make_loan_book(site.db, Org(w, agent_id=0, other_agent_id=0, other_group_id=0))
    close_day(site.db, TODAY, "system")  # the arrears page's figures
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    log_in(page, site, username)
    if locale != "en":
        page.select_option("#locale-choice", locale)
        page.click(".language button")
        page.wait_for_selector(f"html[lang={locale}]")
    problems = []
    for template in PAGES[username]:
        path = template.format(gid=w.group_id, m0=w.member_ids[0], pid=pid, loan=ACTIVE_LOAN)
        response = page.goto(f"{site.url}{path}")
        assert response is not None and response.status == 200, path
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{path}: {width} px wide")
        problems += [f"{path}: no name: {html}" for html in _unnamed_controls(page)]
    assert problems == []
    context.close()
