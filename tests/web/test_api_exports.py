"""The dashboard's exports and a member's statement over /api/v1, read back (csv,
openpyxl, pypdf): the figures are impact_report's, a donor's files hold her scope and no
personal data and she gets no statement, the statement is the ledger's; scope, the
user's language, bad input, and the OpenAPI content types."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import member
from kuza.reports.impact import impact_report
from kuza.services import passbook, users
from kuza.services.passbook import PassbookMove
from tests.reports.test_impact import MARCH
from tests.web.conftest import PASSWORD, TODAY, Org
from tests.web.test_dashboard import PERIOD, Impact, _personal, make_impact
from tests.web.test_pdf_exports import figures, text_of

pytestmark = pytest.mark.storage
API = "/api/v1"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def impact(db: Database) -> Impact:
    return make_impact(db)


def bearer(client: TestClient, username: str) -> dict[str, str]:
    r = client.post(f"{API}/auth/token", json={"username": username, "password": PASSWORD})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_metrics_exports_are_the_impact_report(
    client: TestClient, impact: Impact, db: Database
) -> None:
    auth = bearer(client, "manager")
    report = impact_report(db, impact.programme_id, *MARCH)
    expected = {m.code: "" if m.value is None else str(m.value) for m in report.metrics}
    r = client.get(f"{API}/metrics.csv?{PERIOD}", headers=auth)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert 'filename="impact-' in r.headers["content-disposition"]
    rows = {row["code"]: row for row in csv.DictReader(io.StringIO(r.text))}
    assert {c: row["value"] for c, row in rows.items()} == expected
    assert rows["jobs_created"]["sources"].startswith("job_event:")
    assert rows["cost_per_job"]["period_start"] == "2026-03-01"
    x = client.get(f"{API}/metrics.xlsx?{PERIOD}", headers=auth)
    assert x.status_code == 200 and x.headers["content-type"] == XLSX
    book = load_workbook(io.BytesIO(x.content), read_only=True)
    values = [list(v) for v in book["impact"].iter_rows(values_only=True)]
    by_code = {v[0]: dict(zip(values[0], v, strict=True)) for v in values[1:]}
    assert {c: str(v["value"] or "") for c, v in by_code.items()} == expected
    assert ["currency", "KES"] in [list(v) for v in book["about"].iter_rows(values_only=True)]
    p = client.get(f"{API}/metrics.pdf?{PERIOD}", headers=auth)
    assert p.status_code == 200 and p.headers["content-type"] == "application/pdf"
    text = text_of(p.content)
    assert "Impact report" in text and "amounts in KES" in text
    assert {c: figures(text, set(expected)).get(c) for c in expected} == expected
    assert Decimal(expected["cost_per_job"]) == Decimal("625.25")


@pytest.mark.parametrize("donor", ["donor", "donorb"])
def test_a_donors_exports_are_her_scope_without_personal_data(
    client: TestClient, impact: Impact, db: Database, donor: str
) -> None:
    auth = bearer(client, donor)
    personal = _personal(db)
    csv_text = client.get(f"{API}/metrics.csv?{PERIOD}", headers=auth).text
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert rows and all(row["sources"] == "" for row in rows)
    book = load_workbook(
        io.BytesIO(client.get(f"{API}/metrics.xlsx?{PERIOD}", headers=auth).content),
        read_only=True,
    )
    cells = " ".join(
        str(c) for s in book.worksheets for row in s.iter_rows(values_only=True) for c in row
    )
    pdf = text_of(client.get(f"{API}/metrics.pdf?{PERIOD}", headers=auth).content)
    assert [p for p in personal for t in (csv_text, cells, pdf) if p in t] == []
    assert figures(pdf, {"jobs_created"}) == {"jobs_created": "2"}
    if donor == "donorb":
        assert "Figures of the funded scope only." in pdf
        assert "savings_mobilised" not in {row["code"] for row in rows}
    # aggregates only: never a member's statement
    with db.read() as conn:
        mid = conn.execute(select(func.min(member.c.id))).scalar_one()
    assert client.get(f"{API}/members/{mid}/passbook.pdf", headers=auth).status_code == 403


def test_metrics_exports_refuse_agents_and_bad_periods_and_speak_french(
    client: TestClient, impact: Impact, db: Database
) -> None:
    agent = bearer(client, "agent")
    for kind in ("csv", "xlsx", "pdf"):
        assert client.get(f"{API}/metrics.{kind}?{PERIOD}", headers=agent).status_code == 403
        assert client.get(f"{API}/metrics.{kind}").status_code == 401
    admin = bearer(client, "admin")
    assert client.get(f"{API}/metrics.pdf?programme=999999", headers=admin).status_code == 404
    bad = client.get(f"{API}/metrics.csv?from=2026-13-01", headers=admin)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "from"
    backwards = client.get(f"{API}/metrics.xlsx?from=2026-03-31&to=2026-03-01", headers=admin)
    assert backwards.status_code == 422
    assert backwards.json()["error"]["message"] == "the end date is before the start date"
    finance = bearer(client, "finance")
    french = client.get(f"{API}/metrics.pdf?{PERIOD}", headers=finance | {"Accept-Language": "fr"})
    assert "Rapport d'impact" in text_of(french.content)
    users.set_locale(db, users.authenticate(db, "finance", PASSWORD).user_id, "fr")
    text = text_of(client.get(f"{API}/metrics.pdf?{PERIOD}", headers=finance).content)
    assert "Rapport d'impact" in text and "Emplois" in text


def test_passbook_statement_pdf_over_the_api(client: TestClient, org: Org, db: Database) -> None:
    mid = org.world.member_ids[0]
    for kind, amount, ref in ((PassbookMove.DEPOSIT, "500", "R1"),
                              (PassbookMove.WITHDRAWAL, "120.50", "R2")):  # fmt: skip
        passbook.move(db, mid, kind, amount, TODAY, ref, "test", TODAY)
    lines = passbook.statement(db, mid, TODAY)
    agent = bearer(client, "agent")
    r = client.get(f"{API}/members/{mid}/passbook.pdf", headers=agent)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert f'filename="passbook-{mid}.pdf"' in r.headers["content-disposition"]
    text = text_of(r.content)
    rows = [ln for ln in text.splitlines() if ln.startswith(TODAY.isoformat())]
    assert len(rows) == len(lines) == 2
    assert rows[0].endswith("500.00 500.00") and rows[1].endswith("120.50 379.50")
    assert f"Balance: {lines[-1].balance.amount} KES." in text
    french = client.get(
        f"{API}/members/{mid}/passbook.pdf", headers=agent | {"Accept-Language": "fr"}
    )
    assert "Relevé" in text_of(french.content)
    assert client.get(f"{API}/members/{mid}/passbook.pdf").status_code == 401
    for name, status in (("agentb", 404), ("donor", 403)):
        got = client.get(f"{API}/members/{mid}/passbook.pdf", headers=bearer(client, name))
        assert got.status_code == status, name
    assert client.get(f"{API}/members/0/passbook.pdf", headers=agent).status_code == 422


def test_openapi_names_the_file_types(client: TestClient) -> None:
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    for path, media in (
        ("/metrics.csv", "text/csv"),
        ("/metrics.xlsx", XLSX),
        ("/metrics.pdf", "application/pdf"),
        ("/members/{member_id}/passbook.pdf", "application/pdf"),
    ):
        answers = paths[path]["get"]["responses"]
        assert list(answers["200"]["content"]) == [media], path
        assert answers["200"]["content"][media]["schema"]["format"] == "binary"
        assert {"401", "403", "404"} <= set(answers)
