"""``kuza passbook``: a member's own flexible savings account."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from kuza.adapters.db.engine import Database
from kuza.cli.common import DateOpt, console, domain_errors, today_or
from kuza.services.passbook import PassbookMove, move, statement

app = typer.Typer(no_args_is_help=True, help="Member passbooks (own flexible savings).")


def _move(
    kind: PassbookMove,
    member_id: int,
    amount: str,
    ref: str,
    on: str | None,
    actor: str,
    today: str | None,
) -> None:
    with domain_errors():
        day = today_or(today)
        result = move(
            Database(),
            member_id,
            kind,
            amount,
            date.fromisoformat(on) if on else day,
            ref,
            actor,
            day,
        )
    verb = "booked" if result.created else "already booked, nothing changed"
    console.print(f"{kind.value} {verb}; passbook balance {result.balance}")


@app.command()
def deposit(
    member_id: int,
    amount: str,
    ref: Annotated[str, typer.Option(help="Receipt number; reusing it books nothing.")],
    on: Annotated[str | None, typer.Option(help="Date (default today).")] = None,
    actor: Annotated[str, typer.Option()] = "cli",
    today: DateOpt = None,
) -> None:
    """Deposit into a member's passbook."""
    _move(PassbookMove.DEPOSIT, member_id, amount, ref, on, actor, today)


@app.command()
def withdraw(
    member_id: int,
    amount: str,
    ref: Annotated[str, typer.Option(help="Receipt number; reusing it books nothing.")],
    on: Annotated[str | None, typer.Option(help="Date (default today).")] = None,
    actor: Annotated[str, typer.Option()] = "cli",
    today: DateOpt = None,
) -> None:
    """Withdraw from a member's passbook (never above its balance)."""
    _move(PassbookMove.WITHDRAWAL, member_id, amount, ref, on, actor, today)


@app.command("statement")
def statement_cmd(member_id: int, today: DateOpt = None) -> None:
    """The passbook's movements with a running balance."""
    with domain_errors():
        lines = statement(Database(), member_id, today_or(today))
    table = Table("date", "entry", "description", "in", "out", "balance")
    for ln in lines:
        table.add_row(
            ln.on.isoformat(),
            str(ln.entry_id),
            ln.description,
            str(ln.deposit.amount) if ln.deposit else "",
            str(ln.withdrawal.amount) if ln.withdrawal else "",
            str(ln.balance),
        )
    console.print(table)
