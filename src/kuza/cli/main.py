"""The ``kuza`` command line."""

from __future__ import annotations

import typer

from kuza.cli import loan

app = typer.Typer(help="Kuza: self-help groups, savings, credit and jobs.", no_args_is_help=True)
app.add_typer(loan.app, name="loan", help="Loan calculators (JSON in on stdin, JSON out).")


if __name__ == "__main__":  # pragma: no cover
    app()
