"""``kuza loan schedule`` and ``kuza loan apr``: pure calculators, JSON in and out.

Both read one JSON object on stdin and write one on stdout. Bad input exits with code 2
and ``{"error": {"code", "message", "field"}}`` on stdout, so scripts can name the field.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import typer

from kuza.domain.errors import DomainError
from kuza.domain.loans.calculator import apr_from_json, schedule_from_json

app = typer.Typer(no_args_is_help=True)

BAD_INPUT = 2


@app.command()
def schedule() -> None:
    """Repayment schedule, APR and EIR for the loan terms on stdin."""
    _run(schedule_from_json)


@app.command()
def apr() -> None:
    """APR (Regulation Z actuarial method) and EIR for the advance and payments on stdin."""
    _run(apr_from_json)


def _run(calculate: Callable[[Any], dict[str, Any]]) -> None:
    text = sys.stdin.read()
    try:
        # parse_float=Decimal keeps 12.50 exact so the calculator can refuse it by type.
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        _fail({"code": "malformed_json", "message": f"input is not JSON: {exc}", "field": None})
    try:
        result = calculate(data)
    except DomainError as exc:
        _fail(exc.as_dict())
    typer.echo(json.dumps(result, indent=2))


def _fail(error: dict[str, str | None]) -> None:
    typer.echo(json.dumps({"error": error}, indent=2))
    raise typer.Exit(code=BAD_INPUT)
