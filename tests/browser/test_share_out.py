"""A share-out statement in Chromium at 360 px: the field agent opens it from the group
page, sees each member's payout with the fund shared out, and downloads the PDF, which
is read back (its payouts add to the fund). Screenshot for docs/screenshots when
KUZA_SCREENSHOTS=1."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from pypdf import PdfReader

from kuza.services.meetings import post_meeting
from kuza.services.shareout import share_out, share_out_statement
from tests.browser.conftest import PHONE, TODAY, Site, log_in
from tests.factories import FORMED, sheet

pytestmark = pytest.mark.browser


def test_an_agent_reads_a_share_out_statement_and_downloads_its_pdf(
    site: Site, browser: Any
) -> None:
    w = site.world
    fine = [{"amount": "7", "reason": "late"}]
    for week in range(3):
        day = FORMED + timedelta(weeks=week)
        post_meeting(
            site.db, sheet(w, day, m0={"voluntary": "150"}, m1={"fines": fine}), "agent", TODAY
        )
    sid = share_out(site.db, w.group_id, date(2026, 1, 26), "manager", TODAY).share_out_id
    st = share_out_statement(site.db, sid)

    page = browser.new_context(viewport=PHONE, accept_downloads=True).new_page()
    log_in(page, site, "agent")
    page.goto(f"{site.url}/groups/{w.group_id}")
    page.click(f"a[href='/share-outs/{sid}']")
    page.wait_for_selector("h1")
    body = page.inner_text("main")
    for row in st.rows:
        assert row.name in body
        assert f"{row.payout.amount:,.2f}" in body
    assert f"{st.fund.amount:,.2f}" in body
    page.screenshot(path=str(site.shots / "share-out.png"), full_page=True)

    with page.expect_download() as download:
        page.click(f"a[href='/share-outs/{sid}/statement.pdf']")
    pdf = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert st.group_name in text
    total = [ln for ln in text.splitlines() if ln.startswith("Total ")]
    assert total and f"{st.fund.amount:.2f}" in total[0]
