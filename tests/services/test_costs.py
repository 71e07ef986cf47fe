"""Programme costs: posted to the ledger, imported from CSV or XLSX all-or-nothing,
idempotent."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import cost_entry
from kuza.domain.costs import CostCategory, CostLine, CostRowsRefused, Stage
from kuza.domain.errors import DomainError, NotFound
from kuza.domain.ledger import AccountCode, AccountKey
from kuza.domain.money import Money
from kuza.services import costs, ledger_check
from kuza.services.ledger import account_lines
from tests.factories import make_world

CSV = """reference,stage,category,period_start,period_end,amount,branch,memo
V-1,1,staff,2026-03-01,2026-03-31,1000.00,Thika,agents
V-2,2,training,2026-03-01,2026-03-31,250.50,,trainer fees
"""


def cost_count(db: Database) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(cost_entry)).scalar_one())


def test_record_cost_posts_expense_against_operating_cash(db: Database) -> None:
    w = make_world(db)
    line = CostLine(
        "V-9",
        Stage.CREDIT,
        CostCategory.MATERIALS,
        date(2026, 3, 1),
        date(2026, 3, 31),
        Money.of("300", "KES"),
    )
    costs.record_cost(db, w.programme_id, line)
    with db.read() as conn:
        cash = account_lines(conn, w.programme_id, AccountKey(AccountCode.OPERATING_CASH))
        spent = account_lines(conn, w.programme_id, AccountKey(AccountCode.MATERIALS_COST))
    assert [ln[4] for ln in cash] == [-30000] and [ln[4] for ln in spent] == [30000]
    assert ledger_check.check(db) == []
    with pytest.raises(DomainError) as exc:
        costs.record_cost(db, w.programme_id, line)
    assert exc.value.field == "reference"


def test_csv_import_is_idempotent(db: Database) -> None:
    w = make_world(db)
    first = costs.import_costs_csv(db, w.programme_id, CSV)
    assert len(first.created) == 2 and first.already_booked == []
    again = costs.import_costs_csv(db, w.programme_id, CSV)
    assert again.created == [] and again.already_booked == ["V-1", "V-2"]
    assert cost_count(db) == 2


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ("V-3,5,staff,2026-03-01,2026-03-31,10,,", "stage"),
        ("V-3,1,travel,2026-03-01,2026-03-31,10,,", "category"),
        ("V-3,1,staff,2026-03-01,2026-03-31,-10,,", "amount"),
        ("V-3,1,staff,2026-03-01,2026-03-31,1.234,,", "amount"),
        ("V-3,1,staff,2026-03-31,2026-03-01,10,,", "period_end"),
        ("V-3,1,staff,2026-03-01,31/03/2026,10,,", "period_end"),
        ("V-3,1,staff,2026-03-01,2026-03-31,10,Nowhere,", "branch"),
        ("V-1,1,staff,2026-03-01,2026-03-31,10,,", "reference"),
    ],
)
def test_a_bad_row_stops_the_whole_import(db: Database, bad: str, field: str) -> None:
    w = make_world(db)
    with pytest.raises(DomainError) as exc:
        costs.import_costs_csv(db, w.programme_id, CSV + bad + "\n")
    assert exc.value.field == field
    assert "row 4" in exc.value.message
    assert cost_count(db) == 0
    assert ledger_check.check(db) == []


def test_csv_without_a_required_column(db: Database) -> None:
    w = make_world(db)
    with pytest.raises(DomainError) as exc:
        costs.import_costs_csv(db, w.programme_id, "reference,stage\nV-1,1\n")
    assert exc.value.field == "category"
    with pytest.raises(NotFound):
        costs.import_costs_csv(db, 999, CSV)


def test_every_bad_row_is_named_and_nothing_booked(db: Database) -> None:
    w = make_world(db)
    bad = CSV + "V-3,9,staff,2026-03-01,2026-03-31,10,,\nV-4,1,staff,2026-03-01,2026-03-31,x,,\n"
    with pytest.raises(CostRowsRefused) as exc:
        costs.import_costs_csv(db, w.programme_id, bad)
    assert [(n, e.field) for n, e in exc.value.rows] == [(4, "stage"), (5, "amount")]
    assert exc.value.field == "stage"
    assert exc.value.message.startswith("nothing was booked, 2 bad rows: row 4: stage must")
    assert "; row 5: " in exc.value.message
    assert cost_count(db) == 0
    with pytest.raises(DomainError) as empty:
        costs.import_costs_csv(db, w.programme_id, CSV.splitlines()[0] + "\n")
    assert empty.value.field == "file"


def _workbook(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_an_xlsx_sheet_books_like_the_csv(db: Database, tmp_path: Path) -> None:
    """Date cells are days, whole numbers have no .0, a cent amount stays exact."""
    w = make_world(db)
    header = ["reference", "stage", "category", "period_start", "period_end", "amount"]
    march = [date(2026, 3, 1), date(2026, 3, 31)]
    good = _workbook(
        tmp_path / "costs.xlsx",
        [header, ["V-1", 1, "staff", *march, 1000], ["V-2", 2.0, "Training", *march, 250.5]],
    )
    done = costs.import_costs_sheet(db, w.programme_id, good)
    assert len(done.created) == 2
    listed = {
        c.reference: (c.stage, c.category, c.amount) for c in costs.cost_list(db, w.programme_id, 5)
    }
    assert listed == {
        "V-1": (1, "staff", Money.of("1000.00", "KES")),
        "V-2": (2, "training", Money.of("250.50", "KES")),
    }
    assert costs.import_costs_sheet(db, w.programme_id, good).already_booked == ["V-1", "V-2"]
    bad = _workbook(tmp_path / "bad.xlsx", [header, ["V-3", 7, "staff", *march, 10]])
    with pytest.raises(CostRowsRefused) as exc:
        costs.import_costs_sheet(db, w.programme_id, bad)
    assert [(n, e.field) for n, e in exc.value.rows] == [(2, "stage")]
    not_a_book = tmp_path / "fake.xlsx"
    not_a_book.write_bytes(b"PK not really")
    with pytest.raises(DomainError) as unreadable:
        costs.import_costs_sheet(db, w.programme_id, not_a_book)
    assert "not a readable XLSX workbook" in unreadable.value.message
    assert cost_count(db) == 2 and ledger_check.check(db) == []
