"""A branch manager imports members in Chromium on a 360 px phone: the groups page's link,
a CSV chosen in the file chooser with two good rows and three bad ones (a bad sex, a date
that is not one, a group of another branch); the page names every row left out, the
report downloads and says the same, and only the good rows are members. A screenshot
for docs/screenshots when KUZA_SCREENSHOTS=1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from kuza.adapters.db.schema import member, membership
from kuza.domain.access import Role
from kuza.domain.calendar import Frequency
from kuza.domain.groups import ShareOutRule
from kuza.services import groups, programmes, users
from tests.browser.conftest import PASSWORD, PHONE, Site, log_in
from tests.factories import FORMED

pytestmark = pytest.mark.browser


def _other_branch_group(site: Site) -> int:
    pid = site.world.programme_id
    nyeri = programmes.create_branch(site.db, pid, "Nyeri")
    new = groups.NewGroup(
        branch_id=nyeri, name="Tumaini", formed_on=FORMED, frequency=Frequency.WEEKLY,
        first_meeting_on=FORMED, compulsory_saving="100", share_out_rule=ShareOutRule.PRO_RATA,
    )  # fmt: skip
    return groups.create_group(site.db, pid, new)


def _members_of(site: Site, group_id: int) -> set[str]:
    with site.db.read() as conn:
        rows = conn.execute(
            select(member.c.name)
            .join(membership, membership.c.member_id == member.c.id)
            .where(membership.c.group_id == group_id)
        )
        return {r.name for r in rows}


def test_branch_manager_imports_members_and_reads_the_report(
    site: Site, browser: Any, tmp_path: Path
) -> None:
    w = site.world
    users.create_user(
        site.db,
        users.NewUser(
            "branch", Role.BRANCH_MANAGER, PASSWORD, "Beatrice",
            programme_id=w.programme_id, branch_id=w.branch_id,
        ),
    )  # fmt: skip
    elsewhere = _other_branch_group(site)
    before = _members_of(site, w.group_id)
    sheet = tmp_path / "new members.csv"
    sheet.write_text(
        "group_id*,name*,sex*,birth_year,household_size*,literate*,phone,joined_on*\n"
        f"{w.group_id},Wairimu Njeri,F,1990,5,yes,+254700000001,2026-01-12\n"
        f"{w.group_id},Akinyi Otieno,Q,1985,3,no,,2026-01-12\n"
        f"{w.group_id},Chebet Kiprop,F,1992,4,yes,,12/01/2026\n"
        f"{elsewhere},Nafula Wekesa,F,1988,6,no,,2026-01-12\n"
        f"{w.group_id},Atieno Achieng,f,1979,2,no,,2026-01-19\n"
    )
    context = browser.new_context(viewport=PHONE, accept_downloads=True)
    page = context.new_page()
    log_in(page, site, "branch")
    page.goto(f"{site.url}/groups")
    page.click("a:has-text('Import members')")
    page.wait_for_url(f"{site.url}/members/import")
    with page.expect_file_chooser() as chooser:
        page.click("#import-file")
    chooser.value.set_files(str(sheet))
    page.click("button:has-text('Import')")
    page.wait_for_selector("#failures")

    figures = [page.inner_text(f"#{k}") for k in ("imported", "present", "failed")]
    assert figures == ["2", "0", "3"]
    shown = [
        (r.locator("th").inner_text(), r.locator("td").inner_text())
        for r in page.locator("#failures tbody tr").all()
    ]
    assert [n for n, _ in shown] == ["3", "4", "5"]
    assert "sex: 'Q' is not F, M or X" in shown[0][1]
    assert "joined_on: '12/01/2026' is not a date" in shown[1][1]
    assert f"group_id: no group {elsewhere} in this programme" in shown[2][1]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(site.shots / "member-import.png"), full_page=True)

    with page.expect_download() as download:
        page.click("a:has-text('Download the report')")
    report = tmp_path / "report.xlsx"
    download.value.save_as(report)
    rows = list(load_workbook(report).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[0][-2:] == ("Status", "Failure Report")
    assert [(r[1], r[-2]) for r in rows[1:]] == [
        ("Wairimu Njeri", "Imported"),
        ("Akinyi Otieno", "Failed"),
        ("Chebet Kiprop", "Failed"),
        ("Nafula Wekesa", "Failed"),
        ("Atieno Achieng", "Imported"),
    ]
    assert [r[-1] for r in rows[1:]][1:4] == [why for _, why in shown]

    assert _members_of(site, w.group_id) == before | {"Wairimu Njeri", "Atieno Achieng"}
    assert _members_of(site, elsewhere) == set()
    context.close()


def test_a_sheet_that_is_not_a_sheet_is_refused_on_the_page(
    site: Site, browser: Any, tmp_path: Path
) -> None:
    users.create_user(site.db, users.NewUser("root", Role.ADMIN, PASSWORD, "Root"))
    before = _members_of(site, site.world.group_id)
    notes = tmp_path / "members.txt"
    notes.write_text("not a sheet")
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    log_in(page, site, "root")
    page.goto(f"{site.url}/members/import")
    page.set_input_files("#import-file", str(notes))
    page.click("button:has-text('Import')")
    page.wait_for_selector("#file-error")
    assert "Only .csv and .xlsx sheets are read." in page.inner_text("#file-error")
    assert page.get_attribute("#import-file", "aria-invalid") == "true"
    assert _members_of(site, site.world.group_id) == before
    context.close()
