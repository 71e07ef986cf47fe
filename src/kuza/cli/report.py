"""``kuza report``: figures computed from the records, printed or exported."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import programme
from kuza.cli.common import console, domain_errors
from kuza.domain.errors import DomainError
from kuza.reports.impact import impact_report
from kuza.reports.impact_export import to_csv, write_xlsx

app = typer.Typer(no_args_is_help=True, help="Reports computed from the records.")


def _day(raw: str | None, name: str) -> date | None:
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise DomainError(f"{raw!r} is not a date like 2026-03-31", field=name) from None


def _only_programme(db: Database) -> int:
    with db.read() as conn:
        ids = list(conn.execute(select(programme.c.id).order_by(programme.c.id)).scalars())
    if len(ids) != 1:
        raise DomainError(f"choose one of programmes {ids} with --programme", "programme")
    return int(ids[0])


@app.command("impact")
def impact(
    programme_id: Annotated[int | None, typer.Option("--programme", help="Programme id.")] = None,
    start: Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day (default today).")] = None,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Write an XLSX file.")] = None,
    csv_file: Annotated[Path | None, typer.Option("--csv", help="Write a CSV file.")] = None,
) -> None:
    """Jobs, cost per job, outreach, savings and training: each with its definition."""
    with domain_errors():
        db = Database()
        pid = programme_id if programme_id is not None else _only_programme(db)
        report = impact_report(db, pid, _day(start, "from"), _day(end, "to"))
    table = Table("metric", "value", "unit", "rows", title=f"Impact {report.start}–{report.end}")
    for m in report.metrics:
        table.add_row(m.name, "—" if m.value is None else str(m.value), m.unit, str(len(m.sources)))
    console.print(table)
    if csv_file is not None:
        csv_file.write_text(to_csv(report), encoding="utf-8")
        console.print(f"wrote {csv_file}")
    if xlsx is not None:
        write_xlsx(report, xlsx)
        console.print(f"wrote {xlsx}")
