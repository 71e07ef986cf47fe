"""Member import over /api/v1: a multipart CSV or XLSX sheet answered with counts and
each refused row's reasons, audited as the caller, replayed by its Idempotency-Key; a
bad file (type, empty, too large, columns, unreadable, no rows) refused whole with 422 on
``file``; the page's roles and scope; French; the template."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import audit_log
from kuza.domain.calendar import Frequency
from kuza.services import groups, programmes, users
from kuza.services.imports import HEADER
from kuza.web import member_upload
from kuza.web.api import member_imports
from tests.factories import FORMED
from tests.web.conftest import PASSWORD, Org
from tests.web.test_member_import_pages import as_csv, as_xlsx, members, sheet_rows

pytestmark = pytest.mark.storage
URL = "/api/v1/member-imports"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def bearer(client: TestClient, username: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def send(
    c: TestClient, headers: dict[str, str], name: str, body: bytes, **form: Any
) -> httpx.Response:
    return c.post(URL, files={"file": (name, body)}, data=form, headers=headers)


def audited(db: Database, actor: str) -> int:
    with db.read() as conn:
        query = select(func.count()).where(audit_log.c.actor == actor)
        return int(conn.execute(query.where(audit_log.c.action == "import")).scalar_one())


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_import_counts_reasons_audit_and_replay(
    client: TestClient, org: Org, db: Database, kind: str
) -> None:
    auth = bearer(client, "branch")
    before = members(db)
    rows = sheet_rows(org.world.group_id)
    body = as_csv(rows) if kind == "csv" else as_xlsx(rows)
    keyed = auth | {"Idempotency-Key": f"imp-{kind}"}
    r = send(client, keyed, f"members.{kind}", body)
    assert r.status_code == 200, r.text
    assert r.json() == {
        "programme_id": org.world.programme_id,
        "file": f"members.{kind}",
        "rows": 3,
        "imported": 2,
        "already_present": 0,
        "rejected": 1,
        "errors": [{"row": 3, "field": "sex", "message": "'Q' is not F, M or X"}],
        "errors_total": 1,
    }
    assert members(db) == before + 2 and audited(db, "branch") == 2
    again = send(client, keyed, f"members.{kind}", body)
    assert again.json() == r.json() and again.headers["Idempotent-Replayed"] == "true"
    other = send(client, keyed, "members.csv", as_csv(rows[:1]))
    assert other.status_code == 409  # the same key for another file: nothing imported
    fresh = send(client, auth, f"members.{kind}", body)
    assert fresh.json()["already_present"] == 2 and fresh.json()["imported"] == 0
    assert members(db) == before + 2 and audited(db, "branch") == 2


def test_reasons_per_row_and_column_capped(client: TestClient, org: Org, db: Database) -> None:
    auth = bearer(client, "branch")
    gid = org.world.group_id
    good = sheet_rows(gid)[0]
    twice = [good, good, [gid, "No Date", "F", "", "x", "maybe", "", "", ""]]
    r = send(client, auth, "twice.csv", as_csv(twice)).json()
    assert r["imported"] == 1 and r["rejected"] == 2
    assert r["errors"] == [
        {"row": 3, "field": None, "message": "the same member as row 2"},
        {"row": 4, "field": "joined_on", "message": "required"},
    ]
    many = [[gid, f"M{i}", "Q", "", 1, "yes", "", "2026-01-05", ""] for i in range(520)]
    r = send(client, auth, "many.csv", as_csv(many)).json()
    assert r["rows"] == r["rejected"] == r["errors_total"] == 520
    assert len(r["errors"]) == member_imports.MAX_ERRORS
    assert r["errors"][-1]["row"] == member_imports.MAX_ERRORS + 1


@pytest.mark.parametrize(
    ("name", "body", "says"),
    [
        ("members.pdf", b"%PDF-1.4", "Only .csv and .xlsx sheets are read."),
        ("members.csv", b"", "The file is empty."),
        ("my members.csv", b"name,sex\nA,F\n", "my_members.csv: the header lacks group_id"),
        ("members.csv", ",".join(HEADER).encode() + b"\n", "no rows below its header"),
        ("members.xlsx", b"not a workbook", "not a readable XLSX workbook"),
        ("members.csv", b"\xff\xfe\x00\x01", "not a UTF-8 CSV sheet"),
        ("members.csv", b"x" * 101, "The file is too large (20 MB at most)."),
    ],
)
def test_a_bad_file_is_refused_whole(
    client: TestClient,
    org: Org,
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    body: bytes,
    says: str,
) -> None:
    monkeypatch.setattr(member_upload, "MAX_FILE", 100)
    monkeypatch.setattr(member_imports, "MAX_FILE", 100)
    auth = bearer(client, "admin")
    before = members(db)
    r = send(client, auth, name, body, programme_id=org.world.programme_id)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["field"] == "file" and says in error["message"]
    assert members(db) == before and audited(db, "admin") == 0


def test_roles_programme_and_branch_scope(client: TestClient, org: Org, db: Database) -> None:
    pid = org.world.programme_id
    other_branch = programmes.create_branch(db, pid, "Elsewhere")
    far = groups.create_group(
        db, pid,
        groups.NewGroup(branch_id=other_branch, name="Mbali", formed_on=FORMED,
                        frequency=Frequency.WEEKLY, first_meeting_on=FORMED,
                        compulsory_saving="100"),
    )  # fmt: skip
    sheet = as_csv([sheet_rows(far)[0]])
    branch = bearer(client, "branch")
    r = send(client, branch, "m.csv", sheet).json()
    assert r["imported"] == 0
    assert r["errors"] == [
        {"row": 2, "field": "group_id", "message": f"no group {far} in this programme"}
    ]
    assert send(client, branch, "m.csv", sheet, programme_id=pid + 1).status_code == 404
    admin = bearer(client, "admin")
    unnamed = send(client, admin, "m.csv", sheet)
    assert unnamed.status_code == 422 and unnamed.json()["error"]["field"] == "programme_id"
    assert send(client, admin, "m.csv", sheet, programme_id=999999).status_code == 404
    assert send(client, admin, "m.csv", sheet, programme_id=pid).json()["imported"] == 1
    before = members(db)
    for name in ("manager", "agent", "donor"):
        got = send(client, bearer(client, name), "m.csv", as_csv([sheet_rows(far)[2]]))
        assert got.status_code == 403, name
    assert send(client, {}, "m.csv", sheet).status_code == 401
    assert members(db) == before


def test_french_and_the_template(client: TestClient, org: Org, db: Database) -> None:
    users.set_locale(db, users.authenticate(db, "branch", PASSWORD).user_id, "fr")
    branch = bearer(client, "branch")
    empty = send(client, branch, "m.csv", b"").json()["error"]
    assert empty == {"code": "invalid", "message": "Le fichier est vide.", "field": "file"}
    no_file = client.post(URL, data={"programme_id": "1"}, headers=branch).json()["error"]
    assert no_file == {"code": "invalid", "message": "file: Champ obligatoire", "field": "file"}
    r = client.get(f"{URL}/template.xlsx", headers=branch)
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    book = load_workbook(io.BytesIO(r.content), read_only=True)
    assert [list(row) for row in book.worksheets[0].iter_rows(values_only=True)] == [HEADER]
    for name, status in (("agent", 403), ("donor", 403)):
        assert (
            client.get(f"{URL}/template.xlsx", headers=bearer(client, name)).status_code == status
        )
    assert client.get(f"{URL}/template.xlsx").status_code == 401


def _bad_rows(gid: int) -> list[list[object]]:
    good = sheet_rows(gid)[0]
    return [
        good,
        good,
        [gid, "Old", "F", 1850, 0, "maybe", "", "2026-01-05", ""],
        [gid, "Early", "M", "", 2, "no", "", "2025-12-01", ""],
    ]


def test_row_reasons_in_the_callers_language(client: TestClient, org: Org, db: Database) -> None:
    auth = bearer(client, "branch")
    body = as_csv(_bad_rows(org.world.group_id))
    french = send(client, auth | {"Accept-Language": "fr"}, "m.csv", body).json()
    assert french["imported"] == 1 and french["rejected"] == 3
    assert french["errors"] == [
        {"row": 3, "field": None, "message": "le même membre qu'à la ligne 2"},
        {"row": 4, "field": "birth_year", "message": "1850 n'est pas entre 1900 et 2026"},
        {"row": 4, "field": "household_size", "message": "doit valoir au moins 1 (reçu 0)"},
        {"row": 4, "field": "literate", "message": "'maybe' n'est ni oui (yes) ni non (no)"},
        {
            "row": 5,
            "field": "joined_on",
            "message": "2025-12-01 est avant la formation du groupe le 2026-01-05",
        },
    ]
    english = send(client, auth, "m.csv", body).json()
    assert english["already_present"] == 1 and english["rejected"] == 3
    assert [e["message"] for e in english["errors"]] == [
        "the same member as row 2",
        "1850 is not between 1900 and 2026",
        "must be at least 1 (got 0)",
        "'maybe' is not yes or no",
        "2025-12-01 is before the group formed on 2026-01-05",
    ]
    assert [(e["row"], e["field"]) for e in english["errors"]] == [
        (e["row"], e["field"]) for e in french["errors"]
    ]
