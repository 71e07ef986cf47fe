"""What every CLI module shares: consoles, the --today option, error handling."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

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


E = TypeVar("E", bound=StrEnum)


def parse_day(raw: str | None, field: str, default: date | None = None) -> date:
    """A YYYY-MM-DD option; refused naming the field (inside ``domain_errors``: exit 2)."""
    if raw is None and default is not None:
        return default
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise DomainError(f"{raw!r} is not a date like 2026-03-02", field=field) from None


def parse_choice(kind: type[E], raw: str, field: str) -> E:
    try:
        return kind(raw)
    except ValueError:
        known = ", ".join(k.value for k in kind)
        raise DomainError(f"{raw!r} is not one of {known}", field=field) from None


def parse_pairs(raw: list[str] | None, field: str) -> dict[str, str]:
    """``KEY=VALUE`` options, repeated."""
    out = {}
    for item in raw or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise DomainError(f"{item!r} is not KEY=VALUE", field=field)
        out[key.strip()] = value.strip()
    return out


def read_text(path: Path, field: str = "FILE") -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError):
        raise DomainError(f"no such file: {path}", field=field) from None


def read_json(path: Path, field: str = "FILE") -> Any:
    try:
        return json.loads(read_text(path, field), parse_float=float)
    except json.JSONDecodeError as exc:
        raise DomainError(
            f"{path} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
            field=field,
        ) from None
