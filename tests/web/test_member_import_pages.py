"""Member import from the web: an admin or branch manager uploads a CSV or XLSX sheet,
gets a summary and the per-row report as an XLSX (opened back here), the template is
downloadable; a bad file is refused whole; a branch manager imports into her branch."""

from __future__ import annotations

import csv
import io
from datetime import date
from html import unescape

import httpx
import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import member
from kuza.domain.calendar import Frequency
from kuza.services import groups, programmes
from kuza.services.imports import FAILED, HEADER, IMPORTED, PRESENT
from tests.factories import FORMED
from tests.web.conftest import Org, csrf_of, login

pytestmark = pytest.mark.storage
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sheet_rows(group_id: int) -> list[list[object]]:
    return [
        [group_id, "Achieng Otieno", "F", 1984, 5, "yes", "+254711000001", "2026-01-05", ""],
        [group_id, "Wrong Sex", "Q", 1990, 4, "yes", "", "2026-01-06", ""],
        [group_id, "Kamau Mwangi", "m", "", 3, "no", "", "2026-01-07", "EXT-2"],
    ]


def as_csv(data: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(data)
    return out.getvalue().encode()


def as_xlsx(data: list[list[object]]) -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(HEADER)
    for row in data:
        ws.append([date.fromisoformat(str(v)) if i == 7 and v else v for i, v in enumerate(row)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def members(db: Database) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(member)).scalar_one())


def opened(body: bytes) -> list[list[object]]:
    book = load_workbook(io.BytesIO(body), read_only=True)
    found = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    book.close()
    return found


def upload(c: TestClient, name: str, body: bytes, **extra: str) -> httpx.Response:
    token = csrf_of(c.get("/members/import").text)
    return c.post(
        "/members/import", data={"csrf_token": token, **extra}, files={"file": (name, body)}
    )


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_upload_summary_and_xlsx_report(
    client: TestClient, org: Org, db: Database, kind: str
) -> None:
    login(client, "branch")
    before = members(db)
    gid = org.world.group_id
    body = as_csv(sheet_rows(gid)) if kind == "csv" else as_xlsx(sheet_rows(gid))
    r = upload(client, f"members.{kind}", body)
    assert r.status_code == 200, r.text
    page = r.text
    assert '<dd id="imported">2</dd>' in page and '<dd id="failed">1</dd>' in page
    failures = page[page.index('id="failures"') :]
    assert failures.index(">3</th>") < failures.index("sex: &#39;Q&#39; is not F, M or X")
    assert "Achieng" not in failures and "Kamau" not in failures
    assert members(db) == before + 2
    link = page.split('href="/members/import/reports/')[1].split('"')[0]
    report = client.get(f"/members/import/reports/{link}")
    assert report.status_code == 200 and report.headers["content-type"] == XLSX
    cells = opened(report.content)
    assert cells[0] == [*HEADER, "Status", "Failure Report"]
    assert [row[9] for row in cells[1:]] == [IMPORTED, FAILED, IMPORTED]
    assert "sex" in str(cells[2][10]) and cells[1][1] == "Achieng Otieno"
    again = upload(client, f"members.{kind}", body)
    assert '<dd id="present">2</dd>' in again.text
    assert members(db) == before + 2
    link2 = again.text.split('href="/members/import/reports/')[1].split('"')[0]
    second = opened(client.get(f"/members/import/reports/{link2}").content)
    assert [row[9] for row in second[1:]] == [PRESENT, FAILED, PRESENT]
    client.cookies.clear()
    login(client, "admin")  # another user's report is not hers to read
    assert client.get(f"/members/import/reports/{link}").status_code == 404


def test_template_is_an_xlsx_with_the_header(client: TestClient, org: Org) -> None:
    login(client, "admin")
    r = client.get("/members/import/template.xlsx")
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    assert opened(r.content) == [HEADER]


@pytest.mark.parametrize(
    ("name", "body", "says"),
    [
        ("my members.csv", b"name,sex\nA,F\n", "my_members.csv: the header lacks"),
        ("members.xlsx", b"not a workbook", "not a readable XLSX workbook"),
        ("members.csv", b"\xff\xfe\x00\x01", "not a UTF-8 CSV sheet"),
        ("members.pdf", b"%PDF", "Only .csv and .xlsx sheets are read."),
    ],
)
def test_a_bad_file_is_refused_whole(
    client: TestClient, org: Org, db: Database, name: str, body: bytes, says: str
) -> None:
    login(client, "admin")
    before = members(db)
    r = upload(client, name, body, programme_id=str(org.world.programme_id))
    assert r.status_code == 422 and says in r.text
    assert 'id="file-error"' in r.text
    assert members(db) == before


def test_branch_manager_imports_into_her_branch_only(
    client: TestClient, org: Org, db: Database
) -> None:
    other_branch = programmes.create_branch(db, org.world.programme_id, "Elsewhere")
    far = groups.create_group(
        db, org.world.programme_id,
        groups.NewGroup(branch_id=other_branch, name="Mbali", formed_on=FORMED,
                        frequency=Frequency.WEEKLY, first_meeting_on=FORMED,
                        compulsory_saving="100"),
    )  # fmt: skip
    login(client, "branch")
    before = members(db)
    r = upload(client, "m.csv", as_csv([sheet_rows(far)[0], sheet_rows(org.world.group_id)[2]]))
    assert '<dd id="imported">1</dd>' in r.text and '<dd id="failed">1</dd>' in r.text
    assert members(db) == before + 1
    client.cookies.clear()
    login(client, "admin")
    r = upload(
        client, "m.csv", as_csv([sheet_rows(far)[0]]), programme_id=str(org.world.programme_id)
    )
    assert '<dd id="imported">1</dd>' in r.text


def test_other_roles_are_refused_and_french(client: TestClient, org: Org) -> None:
    for name, status in (("manager", 403), ("agent", 403), ("donor", 404)):
        client.cookies.clear()
        login(client, name)
        assert client.get("/members/import").status_code == status
        assert client.get("/members/import/template.xlsx").status_code == status
    client.cookies.clear()
    login(client, "branch")
    page = client.get("/members/import")
    client.post("/locale", data={"csrf_token": csrf_of(page.text), "locale": "fr", "next": "/"})
    assert "Importer des membres" in client.get("/members/import").text


def test_the_page_shows_the_first_failures_and_the_report_has_them_all(
    client: TestClient, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kuza.web.routes import member_imports

    monkeypatch.setattr(member_imports, "SHOWN_FAILURES", 2)
    login(client, "admin")
    gid = org.world.group_id
    bad = [[gid, f"Bad {n}", "Q", 1990, 4, "yes", "", "2026-01-06", ""] for n in range(3)]
    r = upload(client, "members.csv", as_csv(bad), programme_id=str(org.world.programme_id))
    assert r.status_code == 200 and '<dd id="failed">3</dd>' in r.text
    failures = r.text[r.text.index('id="failures"') :]
    assert ">2</th>" in failures and ">3</th>" in failures and ">4</th>" not in failures
    assert "The first 2 of 3 rows left out: the report names them all." in r.text


def test_the_reasons_and_the_report_in_french(client: TestClient, org: Org) -> None:
    login(client, "branch")
    page = client.get("/members/import")
    client.post("/locale", data={"csrf_token": csrf_of(page.text), "locale": "fr", "next": "/"})
    gid = org.world.group_id
    rows = [*sheet_rows(gid), [gid, "Old", "F", 1850, 0, "yes", "", "2026-01-05", ""]]
    r = upload(client, "members.xlsx", as_xlsx(rows))
    assert r.status_code == 200 and '<dd id="failed">2</dd>' in r.text
    failures = unescape(r.text[r.text.index('id="failures"') :])
    assert "sex: 'Q' n'est ni F, ni M, ni X" in failures
    assert (
        "birth_year: 1850 n'est pas entre 1900 et 2026; "
        "household_size: doit valoir au moins 1 (reçu 0)"
    ) in failures
    assert "is not" not in failures
    link = r.text.split('href="/members/import/reports/')[1].split('"')[0]
    cells = opened(client.get(f"/members/import/reports/{link}").content)
    assert cells[0] == [*HEADER, "Statut", "Motif du refus"]
    assert [row[9] for row in cells[1:]] == ["Importée", "En échec", "Importée", "En échec"]
    assert cells[2][10] == "sex: 'Q' n'est ni F, ni M, ni X"
    assert cells[4][10] == (
        "birth_year: 1850 n'est pas entre 1900 et 2026; "
        "household_size: doit valoir au moins 1 (reçu 0)"
    )
