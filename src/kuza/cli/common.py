"""What every CLI module shares: consoles, the --today option, error handling."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from kuza.domain.errors import DomainError

console = Console()
err_console = Console(stderr=True)

DateOpt = Annotated[
    str | None, typer.Option("--today", help="Treat this date (YYYY-MM-DD) as today.")
]


def today_or(raw: str | None) -> date:
    if raw is None:
        return date.today()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        err_console.print(f"[red]error[/red]: --today {raw!r} is not a date like 2026-03-02")
        raise typer.Exit(2) from None


@contextmanager
def domain_errors() -> Iterator[None]:
    """Turn a DomainError into a readable message naming the field, and exit code 2."""
    try:
        yield
    except DomainError as exc:
        where = f" (field: {exc.field})" if exc.field else ""
        err_console.print(f"[red]error[/red]: {exc.message}{where}")
        raise typer.Exit(2) from None


def progress_bar() -> Progress:
    """The one progress bar of long commands (import, synth): what, how many, how long."""
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )
