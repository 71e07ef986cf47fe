"""Member bulk import: every row checked, valid rows written at once, a per-row report."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import String, func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import audit_log, member, membership
from kuza.domain.errors import DomainError
from kuza.services.imports import FAILED, HEADER, IMPORTED, PRESENT, import_members
from tests.factories import FORMED, make_world

pytestmark = pytest.mark.storage
TODAY = date(2026, 6, 1)


def rows(group_id: int) -> list[list[object]]:
    return [
        [group_id, "Achieng Otieno", "F", 1984, 5, "yes", "+254711000001", "2026-01-05", ""],
        [group_id, "Kamau Mwangi", "m", "", 3, "no", "", "2026-02-02", "EXT-2"],
        [9999, "Nobody Known", "F", 1990, 4, "yes", "", "2026-02-02", ""],  # unknown group
        [group_id, "Wrong Sex", "Q", 1990, 4, "yes", "", "2026-02-02", ""],  # bad sex
        [group_id, "Negative House", "F", 1990, -2, "yes", "", "2026-02-02", ""],
        [group_id, "Too Early", "F", 1990, 4, "yes", "", "2025-12-01", ""],  # before formed
        [group_id, "Achieng Otieno", "F", 1984, 5, "yes", "+254711000001", "2026-01-05", ""],
    ]


def write_csv(path: Path, data: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(data)
    return path


def write_xlsx(path: Path, data: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in data:
        # Spreadsheets hold dates as dates, not text.
        sheet.append([date.fromisoformat(str(v)) if i == 7 and v else v for i, v in enumerate(row)])
    book.save(path)
    return path


def read_report(path: Path) -> list[list[object]]:
    if path.suffix == ".xlsx":
        book = load_workbook(path, read_only=True)
        found = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
        book.close()
        return found
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def member_count(db: Database) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(member)).scalar_one())


@pytest.mark.parametrize("writer", [write_csv, write_xlsx], ids=["csv", "xlsx"])
def test_valid_rows_are_imported_and_every_bad_row_is_reported(
    db: Database, tmp_path: Path, writer: object
) -> None:
    world = make_world(db, members=1)
    suffix = ".csv" if writer is write_csv else ".xlsx"
    sheet = writer(tmp_path / f"members{suffix}", rows(world.group_id))  # type: ignore[operator]
    before = member_count(db)

    result = import_members(db, world.programme_id, sheet, "test", today=TODAY)

    assert (result.imported, result.present, result.failed) == (2, 0, 5)
    assert member_count(db) == before + 2
    assert result.report == tmp_path / f"members_report{suffix}"
    report = read_report(result.report)
    assert [str(h) for h in report[0]][-2:] == ["Status", "Failure Report"]
    assert report[0][: len(HEADER)] == HEADER
    status = {str(r[1]): (r[-2], r[-1] or "") for r in report[1:]}
    assert status["Kamau Mwangi"] == (IMPORTED, "")
    assert "no group 9999" in str(status["Nobody Known"][1])
    assert "sex:" in str(status["Wrong Sex"][1])
    assert "household_size: must be at least 1" in str(status["Negative House"][1])
    assert "before the group formed" in str(status["Too Early"][1])
    assert [r[-2] for r in report[1:]].count(FAILED) == 5
    assert "the same member as row 2" in str(report[-1][-1])
    with db.read() as conn:
        joined = conn.execute(
            select(membership.c.joined_on)
            .join(member, member.c.id == membership.c.member_id)
            .where(member.c.name == "Kamau Mwangi")
        ).scalar_one()
    assert joined == date(2026, 2, 2)
    assert joined >= FORMED


def test_importing_the_same_sheet_twice_adds_nobody(db: Database, tmp_path: Path) -> None:
    world = make_world(db, members=1)
    sheet = write_csv(tmp_path / "m.csv", rows(world.group_id)[:2])
    first = import_members(db, world.programme_id, sheet, today=TODAY)
    again = import_members(db, world.programme_id, sheet, today=TODAY)
    assert (first.imported, again.imported, again.present) == (2, 0, 2)
    assert [s for s, _ in again.statuses] == [PRESENT, PRESENT]


def test_a_sheet_without_a_required_column_is_refused_whole(db: Database, tmp_path: Path) -> None:
    world = make_world(db, members=1)
    path = tmp_path / "m.csv"
    path.write_text("group_id*,name*\n1,A\n", encoding="utf-8")
    with pytest.raises(DomainError, match="sex"):
        import_members(db, world.programme_id, path, today=TODAY)


def test_an_xlsx_report_gives_back_the_sheet_cells_and_ids_tie_up(
    db: Database, tmp_path: Path
) -> None:
    world = make_world(db, members=1)
    data = rows(world.group_id)[:2]
    data[1][1] = "Kamau https://x.example"  # text stays text, not a link
    sheet = write_xlsx(tmp_path / "m.xlsx", [data[0], [None] * 9, data[1]])  # a blank row
    first = import_members(db, world.programme_id, sheet, "t", today=TODAY)
    assert (first.imported, first.failed) == (2, 0)
    assert first.report is not None
    book = load_workbook(first.report, data_only=True)
    cells = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    assert cells[1] == [world.group_id, "Achieng Otieno", "F", 1984, 5, "yes",
                        "+254711000001", datetime(2026, 1, 5), None, IMPORTED, None]  # fmt: skip
    assert cells[2][1] == data[1][1] and cells[2][3] is None and len(cells) == 3
    with db.read() as conn:
        tied = conn.execute(
            select(member.c.name, membership.c.group_id, audit_log.c.object_id)
            .join(membership, membership.c.member_id == member.c.id)
            .join(audit_log, audit_log.c.object_id == func.cast(member.c.id, String))
            .where(audit_log.c.action == "import")
            .order_by(member.c.id)
        ).all()
    assert [(n, g) for n, g, _ in tied] == [
        ("Achieng Otieno", world.group_id), (data[1][1], world.group_id)
    ]  # fmt: skip
    again = import_members(db, world.programme_id, sheet, "t", today=TODAY)
    assert (again.imported, again.present) == (0, 2)
