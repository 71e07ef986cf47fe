"""PDF exports read back with pypdf: the impact report's figures are the report's (each
row: code, value, unit, name), a donor's PDF has her scope and no personal data, and a
member's passbook statement has her movements and balance; roles and scope."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from kuza.adapters.db.engine import Database
from kuza.domain.access import Role
from kuza.domain.calendar import Frequency
from kuza.domain.groups import Sex
from kuza.reports.impact import impact_report
from kuza.reports.impact_export import to_pdf
from kuza.services import groups, passbook, users
from kuza.services.passbook import PassbookMove
from tests.factories import FORMED
from tests.reports.test_impact import MARCH
from tests.reports.test_pdf import SUNITA, read
from tests.web.conftest import PASSWORD, TODAY, Org, csrf_of, login
from tests.web.test_dashboard import PERIOD, Impact, _personal, make_impact

pytestmark = pytest.mark.storage
NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


@pytest.fixture
def impact(db: Database) -> Impact:
    return make_impact(db)


def text_of(body: bytes) -> str:
    assert body.startswith(b"%PDF-")
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)


def figures(text: str, codes: set[str]) -> dict[str, str]:
    """code -> the value printed beside it ('' when the figure is undefined)."""
    found = {}
    for line in text.splitlines():
        parts = line.split()
        if parts and parts[0] in codes:
            value = parts[1] if len(parts) > 1 and NUMBER.match(parts[1]) else ""
            found[parts[0]] = value
    return found


def test_impact_pdf_figures_are_the_reports(
    client: TestClient, impact: Impact, db: Database
) -> None:
    login(client, "manager")
    r = client.get(f"/dashboard/impact.pdf?{PERIOD}")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert "attachment" in r.headers["content-disposition"]
    text = text_of(r.content)
    report = impact_report(db, impact.programme_id, *MARCH)
    assert "Impact report" in text and "amounts in KES" in text
    expected = {m.code: "" if m.value is None else str(m.value) for m in report.metrics}
    printed = figures(text, set(expected))
    assert {c: printed.get(c) for c in expected} == expected
    assert printed["cost_per_job"] == "625.25"
    assert client.get("/dashboard/impact.pdf?from=bad").status_code == 422


@pytest.mark.parametrize("donor", ["donor", "donorb"])
def test_a_donors_pdf_is_her_scope_without_names(
    client: TestClient, impact: Impact, db: Database, donor: str
) -> None:
    login(client, donor)
    r = client.get(f"/dashboard/impact.pdf?{PERIOD}")
    assert r.status_code == 200
    text = text_of(r.content)
    assert [p for p in _personal(db) if p in text] == []
    full = impact_report(db, impact.programme_id, *MARCH)
    printed = figures(text, {m.code for m in full.metrics})
    assert printed["jobs_created"] == "2"
    if donor == "donorb":
        assert "Figures of the funded scope only." in text
        assert "savings_mobilised" not in printed  # not cut by branch: not in her report


def test_field_agents_get_no_impact_pdf_and_french(client: TestClient, impact: Impact) -> None:
    login(client, "agent")
    assert client.get(f"/dashboard/impact.pdf?{PERIOD}").status_code == 403
    client.cookies.clear()
    login(client, "finance")
    page = client.get(f"/dashboard?{PERIOD}")
    assert f'href="/dashboard/impact.pdf?{PERIOD}' in page.text.replace("&amp;", "&")
    client.post("/locale", data={"csrf_token": csrf_of(page.text), "locale": "fr", "next": "/"})
    text = text_of(client.get(f"/dashboard/impact.pdf?{PERIOD}").content)
    assert "Rapport d'impact" in text and "Emplois" in text


def test_passbook_statement_pdf(client: TestClient, org: Org, db: Database) -> None:
    mid = org.world.member_ids[0]
    for kind, amount, ref in ((PassbookMove.DEPOSIT, "500", "R1"),
                              (PassbookMove.WITHDRAWAL, "120.50", "R2")):  # fmt: skip
        passbook.move(db, mid, kind, amount, TODAY, ref, "test", TODAY)
    lines = passbook.statement(db, mid, TODAY)
    login(client, "agent")
    assert f'href="/members/{mid}/passbook.pdf"' in client.get(f"/members/{mid}").text
    r = client.get(f"/members/{mid}/passbook.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = text_of(r.content)
    rows = [ln for ln in text.splitlines() if ln.startswith(TODAY.isoformat())]
    assert len(rows) == len(lines) == 2
    assert rows[0].endswith("500.00 500.00") and rows[1].endswith("120.50 379.50")
    assert f"Balance: {lines[-1].balance.amount} KES." in text
    for name, status in (("agentb", 404), ("donor", 404)):
        client.cookies.clear()
        login(client, name)
        assert client.get(f"/members/{mid}/passbook.pdf").status_code == status


def test_passbook_pdf_without_movements(client: TestClient, org: Org, db: Database) -> None:
    users.create_user(
        db, users.NewUser("fin", Role.FINANCE, PASSWORD, programme_id=org.world.programme_id)
    )
    login(client, "fin")
    r = client.get(f"/members/{org.world.member_ids[1]}/passbook.pdf")
    assert r.status_code == 200
    text = text_of(r.content)
    assert "No passbook movements yet." in text and date.today().year > 2000


def test_passbook_pdf_of_a_hindi_name_in_a_dari_named_group_in_french(
    client: TestClient, org: Org, db: Database
) -> None:
    """The names print in their own scripts (the fonts embedded), the labels in French;
    the Dari group name stands right to left (tests/reports/test_pdf.py)."""
    gid = groups.create_group(
        db, org.world.programme_id,
        groups.NewGroup(branch_id=org.world.branch_id, name="گروه امید", formed_on=FORMED,
                        frequency=Frequency.WEEKLY, first_meeting_on=FORMED,
                        compulsory_saving="100"),
    )  # fmt: skip
    mid = groups.enrol_member(db, gid, groups.NewMember(SUNITA, Sex.FEMALE, 4, True), FORMED)
    passbook.move(db, mid, PassbookMove.DEPOSIT, "500", TODAY, "R1", "test", TODAY)
    login(client, "manager")
    page = client.get(f"/members/{mid}")
    client.post("/locale", data={"csrf_token": csrf_of(page.text), "locale": "fr", "next": "/"})
    r = client.get(f"/members/{mid}/passbook.pdf")
    assert r.status_code == 200
    text, fonts = read(r.content)
    assert f"Relevé du livret : {SUNITA}" in text.splitlines()
    assert "Groupe : امید گروه." in text.splitlines()  # 'group' to the right of 'Omid'
    assert "Solde : 500.00 KES." in text and "?" not in text
    assert {"NotoSans", "NotoSansDevanagariBold", "NotoNaskhArabic"} <= set(fonts)
    assert all(fonts.values())


def test_impact_pdf_with_hindi_and_dari_figure_names(impact: Impact, db: Database) -> None:
    """Figure names as a Hindi or Dari catalogue would give them, a French title: the
    figures still read back beside their codes."""
    report = impact_report(db, impact.programme_id, *MARCH)
    names = {m.code: f"{m.code} रोज़गार کار" for m in report.metrics}
    body = to_pdf(report, "Rapport d’impact", ["Programme KE-IMPACT."],
                  ["Code", "Valeur", "Unité", "Indicateur"], names)  # fmt: skip
    text, fonts = read(body)
    assert text.splitlines()[0] == "Rapport d’impact" and "?" not in text
    expected = {m.code: "" if m.value is None else str(m.value) for m in report.metrics}
    assert figures(text, set(expected)) == expected
    assert "jobs_created रोज़गार کار" in text  # one Arabic word: nothing to reorder
    assert {"NotoSansDevanagari", "NotoNaskhArabic"} <= set(fonts)
