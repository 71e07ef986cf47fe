"""Programme costs from the web and the API: a cost line and a CSV upload posted to the
ledger and audited, every bad row named with nothing written, roles and programmes."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import audit_log, cost_entry
from kuza.domain.access import Role
from kuza.domain.ledger import AccountCode, AccountKey
from kuza.services import ledger_check, users
from kuza.services.ledger import account_lines
from tests.web.conftest import PASSWORD, Org, csrf_of, login

pytestmark = pytest.mark.storage
API = "/api/v1"
CSV = """reference,stage,category,period_start,period_end,amount,branch,memo
V-1,1,staff,2026-01-01,2026-01-31,1000.00,,agents
V-2,2,training,2026-01-01,2026-01-31,250.50,,trainer fees
"""
BAD_CSV = CSV + "V-3,7,staff,2026-01-01,2026-01-31,10,,\nV-4,1,staff,2026-01-01,2026-01-31,-5,,\n"


@pytest.fixture
def finance(org: Org, db: Database) -> Org:
    pid = org.world.programme_id
    users.create_user(db, users.NewUser("finance", Role.FINANCE, PASSWORD, programme_id=pid))
    return org


def count(db: Database) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(cost_entry)).scalar_one())


def spent(db: Database, pid: int, code: AccountCode) -> int:
    with db.read() as conn:
        return sum(ln[4] for ln in account_lines(conn, pid, AccountKey(code)))


def bearer(client: TestClient, username: str) -> dict[str, str]:
    r = client.post(f"{API}/auth/token", json={"username": username, "password": PASSWORD})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_web_cost_line_is_posted_and_audited(
    client: TestClient, finance: Org, db: Database
) -> None:
    pid = finance.world.programme_id
    login(client, "finance")
    page = client.get("/costs")
    assert page.status_code == 200 and "No costs recorded yet." in page.text
    line = {"csrf_token": csrf_of(page.text), "reference": "V-9", "stage": "3",
            "category": "materials", "period_start": "2026-01-01", "period_end": "2026-01-31",
            "amount": "300.5", "memo": "seed"}  # fmt: skip
    bad = client.post("/costs", data={**line, "amount": "-3"})
    assert bad.status_code == 422 and 'id="line-amount-error"' in bad.text
    assert 'value="V-9"' in bad.text
    bad = client.post("/costs", data={**line, "period_end": "2025-12-01"})
    assert bad.status_code == 422 and 'id="line-period_end-error"' in bad.text
    assert count(db) == 0
    r = client.post("/costs", data=line)
    assert r.status_code == 303, r.text
    assert spent(db, pid, AccountCode.MATERIALS_COST) == 30050
    assert spent(db, pid, AccountCode.OPERATING_CASH) == -30050
    again = client.post("/costs", data=line)
    assert again.status_code == 422 and 'id="line-reference-error"' in again.text
    assert count(db) == 1 and ledger_check.check(db) == []
    listing = client.get(r.headers["location"]).text
    assert "V-9" in listing and "300.50" in listing
    with db.read() as conn:
        actor = conn.execute(
            select(audit_log.c.actor).where(audit_log.c.object_kind == "cost_entry")
        ).scalar_one()
    assert actor == "finance"


def test_web_upload_names_every_bad_row_and_books_nothing(
    client: TestClient, finance: Org, db: Database
) -> None:
    login(client, "manager")
    token = csrf_of(client.get("/costs").text)
    up = {"csrf_token": token}
    bad = client.post("/costs/import", data=up, files={"file": ("c.csv", BAD_CSV, "text/csv")})
    assert bad.status_code == 422
    rows = bad.text[bad.text.index('id="bad-rows"') :]
    assert rows.index(">4</th>") < rows.index("stage must be 1, 2, 3 or 4")
    assert rows.index(">5</th>") < rows.index("amount must be more than zero")
    assert count(db) == 0
    no_file = client.post("/costs/import", data=up)
    assert no_file.status_code == 422 and 'id="file-file-error"' in no_file.text
    binary = client.post("/costs/import", data=up, files={"file": ("c.csv", b"\xff\xfe\x00", "")})
    assert binary.status_code == 422 and "UTF-8" in binary.text
    ok = client.post("/costs/import", data=up, files={"file": ("c.csv", CSV, "text/csv")})
    assert ok.status_code == 303
    assert "2 costs booked, 0 already booked" in client.get("/costs").text
    ok = client.post("/costs/import", data=up, files={"file": ("c.csv", CSV, "text/csv")})
    assert "0 costs booked, 2 already booked" in client.get("/costs").text
    assert count(db) == 2 and ledger_check.check(db) == []


def test_web_upload_of_an_xlsx_sheet(client: TestClient, finance: Org, db: Database) -> None:
    login(client, "finance")
    up = {"csrf_token": csrf_of(client.get("/costs").text)}
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for line in csv.reader(io.StringIO(CSV)):
        sheet.append(line)
    body = io.BytesIO()
    book.save(body)
    xlsx = ("costs.xlsx", body.getvalue(), "application/octet-stream")
    ok = client.post("/costs/import", data=up, files={"file": xlsx})
    assert ok.status_code == 303
    assert "2 costs booked, 0 already booked" in client.get("/costs").text
    assert spent(db, finance.world.programme_id, AccountCode.TRAINING_COST) == 25050
    fake = client.post("/costs/import", data=up, files={"file": ("c.xlsx", b"PK?", "")})
    assert fake.status_code == 422 and "not a readable XLSX workbook" in fake.text
    assert count(db) == 2 and ledger_check.check(db) == []


def test_web_roles_and_french(client: TestClient, finance: Org, db: Database) -> None:
    for name, status in (("branch", 403), ("agent", 403), ("donor", 404)):
        client.cookies.clear()
        login(client, name)
        assert client.get("/costs").status_code == status
    client.cookies.clear()
    login(client, "admin")
    page = client.get(f"/costs?programme={finance.world.programme_id}")
    assert page.status_code == 200
    assert client.get("/costs?programme=999").status_code == 404
    client.post("/locale", data={"csrf_token": csrf_of(page.text), "locale": "fr", "next": "/"})
    assert "Coûts du programme" in client.get("/costs").text


def test_api_records_lists_and_imports(client: TestClient, finance: Org, db: Database) -> None:
    pid = finance.world.programme_id
    h = bearer(client, "finance")
    body = {"reference": "V-9", "stage": 3, "category": "materials", "amount": "300.50",
            "period_start": "2026-01-01", "period_end": "2026-01-31"}  # fmt: skip
    r = client.post(f"{API}/costs", json=body, headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["amount"] == "300.50" and r.json()["recorded_by"] == "finance"
    again = client.post(f"{API}/costs", json=body, headers=h)
    assert again.status_code == 422 and again.json()["error"]["field"] == "reference"
    bad = client.post(f"{API}/costs", json={**body, "reference": "V-10", "amount": "1.234"},
                      headers=h)  # fmt: skip
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "amount"
    refused = client.post(f"{API}/cost-imports", json={"csv": BAD_CSV}, headers=h)
    assert refused.status_code == 422
    message = refused.json()["error"]["message"]
    assert "row 4" in message and "row 5" in message and message.startswith("nothing was booked")
    assert count(db) == 1
    done = client.post(f"{API}/cost-imports", json={"csv": CSV}, headers=h)
    assert done.status_code == 200 and len(done.json()["created"]) == 2
    listed = client.get(f"{API}/costs?limit=2", headers=h).json()
    assert listed["total"] == 3 and listed["programme_id"] == pid and len(listed["items"]) == 2
    assert spent(db, pid, AccountCode.OPERATING_CASH) == -(30050 + 100000 + 25050)
    assert ledger_check.check(db) == []


def test_api_roles_and_programmes(client: TestClient, finance: Org, db: Database) -> None:
    body = {"reference": "V-9", "stage": 1, "category": "staff",
            "period_start": "2026-01-01", "period_end": "2026-01-31", "amount": "1"}  # fmt: skip
    for name in ("branch", "agent", "donor"):
        assert (
            client.post(f"{API}/costs", json=body, headers=bearer(client, name)).status_code == 403
        )
    other = client.post(f"{API}/costs", json={**body, "programme_id": 999},
                        headers=bearer(client, "manager"))  # fmt: skip
    assert other.status_code == 404
    admin = bearer(client, "admin")
    assert client.post(f"{API}/costs", json=body, headers=admin).status_code == 422  # names it
    r = client.post(f"{API}/costs", json={**body, "programme_id": finance.world.programme_id},
                    headers=admin)  # fmt: skip
    assert r.status_code == 201
    assert count(db) == 1


def test_stages_are_named_beside_their_number(client: TestClient, finance: Org) -> None:
    login(client, "finance")
    page = client.get("/costs")
    assert '<option value="3" >3 · credit</option>' in page.text
    client.post("/locale", data={"csrf_token": csrf_of(page.text), "locale": "fr", "next": "/"})
    french = client.get("/costs").text
    shown = re.findall(r'<option value="\d" >([^<]*)</option>', french)
    assert shown == ["1 · groupes", "2 · formation", "3 · crédit", "4 · marchés"]
