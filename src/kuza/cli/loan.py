"""``kuza loan schedule`` and ``kuza loan apr``: pure calculators, JSON in and out."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)
