"""``kuza import members FILE --programme ID`` and its empty template."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kuza.adapters.db.engine import Database
from kuza.cli.common import console, domain_errors, progress_bar
from kuza.services.imports import HEADER, import_members, write_template

app = typer.Typer(no_args_is_help=True, help="Bulk imports from CSV or XLSX sheets.")


@app.command("members")
def members(
    file: Annotated[Path, typer.Argument(help="Sheet (.csv or .xlsx) with a header row.")],
    programme: Annotated[int, typer.Option("--programme", help="Programme id.")],
    actor: Annotated[str, typer.Option(help="Who imports.")] = "cli",
) -> None:
    """Import members; writes FILE_report.csv|xlsx with a Status per row."""
    with (
        domain_errors(),
        progress_bar() as bar,
    ):
        task = bar.add_task(f"checking {file.name}", total=None)
        result = import_members(
            Database(), programme, file, actor, progress=lambda n: bar.advance(task, n)
        )
    console.print(
        f"{result.imported} imported, {result.present} already present, "
        f"{result.failed} failed; report: {result.report}"
    )
    if result.failed:
        raise typer.Exit(1)


@app.command("template")
def template(
    file: Annotated[Path, typer.Argument(help="Where to write the empty sheet (.csv/.xlsx).")],
) -> None:
    """Write an empty member sheet; `*` marks the required columns."""
    write_template(file)
    console.print(f"{file}: {', '.join(HEADER)}")
