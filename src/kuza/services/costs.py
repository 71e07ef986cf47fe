"""Programme costs: record one, or import a CSV or XLSX sheet of them, each posted to the ledger;
the latest ones listed for the costs page."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Select, func, insert, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import branch, cost_entry
from kuza.domain.costs import CSV_COLUMNS, CostLine, CostRowsRefused, check_cost, parse_cost_row
from kuza.domain.errors import CurrencyMismatch, DomainError, NotFound
from kuza.domain.ledger import AccountCode, AccountKey, EntryBuilder
from kuza.domain.money import Money
from kuza.services import audit
from kuza.services.imports import cell_text, read_sheet
from kuza.services.ledger import post_entry
from kuza.services.programmes import programme_row

CASH = AccountKey(AccountCode.OPERATING_CASH)


@dataclass(frozen=True)
class CostImport:
    created: list[int]
    already_booked: list[str]  # references seen before: nothing booked again


def _branch_id(conn: Connection, programme_id: int, name: str | None) -> int | None:
    if name is None:
        return None
    found = conn.execute(
        select(branch.c.id).where(branch.c.programme_id == programme_id, branch.c.name == name)
    ).scalar()
    if found is None:
        raise NotFound("no branch %(name)s in this programme", field="branch", name=repr(name))
    return int(found)


def _book(conn: Connection, programme_id: int, line: CostLine, actor: str) -> int | None:
    """Post one cost; ``None`` if its reference is already booked (idempotent import)."""
    check_cost(line)
    currency = programme_row(conn, programme_id).currency
    if line.amount.currency != currency:
        raise CurrencyMismatch("costs are kept in %(currency)s", field="amount", currency=currency)
    if conn.execute(
        select(cost_entry.c.id).where(
            cost_entry.c.programme_id == programme_id, cost_entry.c.reference == line.reference
        )
    ).scalar():
        return None
    branch_id = _branch_id(conn, programme_id, line.branch)
    book = EntryBuilder(
        line.period_end,
        f"Programme cost {line.reference}: stage {line.stage.value} {line.category.value}",
        source=f"cost:{line.reference}",
        key=f"cost:{line.reference}",
    )
    book.move(AccountKey(line.category.account), CASH, line.amount, line.memo)
    entry_id = post_entry(conn, programme_id, book.build(), actor)
    cid = conn.execute(
        insert(cost_entry)
        .values(
            programme_id=programme_id,
            reference=line.reference,
            stage=line.stage.value,
            branch_id=branch_id,
            category=line.category.value,
            period_start=line.period_start,
            period_end=line.period_end,
            amount_minor=line.amount.minor,
            currency=line.amount.currency,
            memo=line.memo,
            entry_id=entry_id,
            recorded_by=actor,
        )
        .returning(cost_entry.c.id)
    ).scalar_one()
    audit.record(
        conn,
        programme_id,
        actor,
        "record",
        "cost_entry",
        cid,
        None,
        {"reference": line.reference, "amount": str(line.amount.amount), "entry_id": entry_id},
    )
    return int(cid)


def programme_currency(db: Database, programme_id: int) -> str:
    """Costs are kept in the programme's currency."""
    with db.read() as conn:
        return str(programme_row(conn, programme_id).currency)


def record_cost(db: Database, programme_id: int, line: CostLine, actor: str = "system") -> int:
    with db.transaction() as conn:
        cid = _book(conn, programme_id, line, actor)
        if cid is None:
            raise DomainError(
                "cost %(reference)s is already booked",
                field="reference",
                reference=repr(line.reference),
            )
        return cid


def import_costs_csv(
    db: Database, programme_id: int, text: str, actor: str = "system"
) -> CostImport:
    """All rows or none: every bad row is named (row number and field) and nothing is
    booked while one is bad."""
    reader = csv.DictReader(io.StringIO(text))
    return _import_rows(db, programme_id, reader.fieldnames or [], reader, actor)


def import_costs_sheet(
    db: Database, programme_id: int, path: Path, actor: str = "system"
) -> CostImport:
    """The same rows from a CSV or the first sheet of an XLSX workbook (read as the
    member import reads it: a date cell is its ISO day, a whole number has no .0)."""
    header, data = read_sheet(path)
    names = [cell_text(h) for h in header]
    rows = [{k: cell_text(v) for k, v in zip(names, r, strict=False)} for r in data]
    return _import_rows(db, programme_id, names, rows, actor)


def _import_rows(
    db: Database,
    programme_id: int,
    header: Sequence[str],
    rows: Iterable[Mapping[str, str | None]],
    actor: str,
) -> CostImport:
    missing = [c for c in CSV_COLUMNS if c not in set(header)]
    if missing:
        raise DomainError(
            "the CSV has no %(value)s column", field=missing[0], value=repr(missing[0])
        )
    created: list[int] = []
    again: list[str] = []
    refused: list[tuple[int, DomainError]] = []
    with db.transaction() as conn:
        currency = programme_row(conn, programme_id).currency
        seen: set[str] = set()
        for n, row in enumerate(rows, start=2):  # row 1 is the header
            try:
                line = parse_cost_row(row, currency)
                if line.reference in seen:
                    raise DomainError(
                        "reference %(reference)s appears twice",
                        "reference",
                        reference=repr(line.reference),
                    )
                seen.add(line.reference)
                # A bad row fails before _book writes; the good ones go back with the
                # transaction when another row is bad.
                cid = _book(conn, programme_id, line, actor)
            except DomainError as exc:
                refused.append((n, exc))
                continue
            if cid is None:
                again.append(line.reference)
            else:
                created.append(cid)
        if refused:
            raise CostRowsRefused(refused)
        if not created and not again:
            raise DomainError("the CSV has no cost rows", field="file")
        return CostImport(created, again)


@dataclass(frozen=True)
class CostRow:
    id: int
    reference: str
    stage: int
    category: str
    branch: str
    period_start: date
    period_end: date
    amount: Money
    memo: str
    recorded_by: str


def _cost_rows(where: Any, limit: int, offset: int) -> Select[Any]:
    return (
        select(cost_entry, branch.c.name.label("branch_name"))
        .outerjoin(branch, branch.c.id == cost_entry.c.branch_id)
        .where(where)
        .order_by(cost_entry.c.period_end.desc(), cost_entry.c.id.desc())
        .limit(limit)
        .offset(offset)
    )


def _cost_row(r: Any) -> CostRow:
    return CostRow(
        r.id, r.reference, r.stage, r.category, r.branch_name or "", r.period_start,
        r.period_end, Money.from_minor(r.amount_minor, r.currency), r.memo, r.recorded_by,
    )  # fmt: skip


def cost_list(db: Database, programme_id: int, limit: int, offset: int = 0) -> list[CostRow]:
    """The programme's costs, the latest period first."""
    query = _cost_rows(cost_entry.c.programme_id == programme_id, limit, offset)
    with db.read() as conn:
        return [_cost_row(r) for r in conn.execute(query).all()]


def cost_row(db: Database, cost_id: int) -> CostRow:
    with db.read() as conn:
        found = conn.execute(_cost_rows(cost_entry.c.id == cost_id, 1, 0)).first()
    if found is None:
        raise NotFound("no cost %(id)s", field="cost_id", id=cost_id)
    return _cost_row(found)


def cost_total(db: Database, programme_id: int) -> int:
    with db.read() as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(cost_entry)
                .where(cost_entry.c.programme_id == programme_id)
            ).scalar_one()
        )
