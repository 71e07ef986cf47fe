"""``kuza group share-out`` (submitted for a checker), ``kuza group statement`` and
``kuza group grade``."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from kuza.adapters.db.engine import Database
from kuza.cli.accounts import Account, account
from kuza.cli.approvals import submit
from kuza.domain.approvals import PendingKind
from kuza.domain.errors import DomainError
from kuza.domain.stability import Component, Note
from kuza.services.shareout import share_out_statement
from kuza.services.stability import grade_group

console = Console()
err_console = Console(stderr=True)


def _date(raw: str | None, option: str) -> date:
    if raw is None:
        return date.today()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise DomainError(f"{option} must be a date like 2026-03-02, not {raw!r}", option) from None


def _fail(exc: DomainError) -> typer.Exit:
    where = f" (field: {exc.field})" if exc.field else ""
    err_console.print(f"[red]error[/red]: {exc.message}{where}")
    return typer.Exit(2)


def group_share_out(
    group_id: int,
    on: Annotated[str, typer.Option("--on", help="Share-out date (YYYY-MM-DD).")],
    actor: Account,
    today: Annotated[str | None, typer.Option(help="Treat this date as today.")] = None,
) -> None:
    """Submit the share-out of the group fund at the end of the cycle; another login (a
    checker) approves it with ``kuza approval approve``, which books it and starts the
    next cycle."""
    try:
        db = Database()
        user = account(db, actor)
        payload = {"group_id": group_id, "on": _date(on, "--on").isoformat()}
        line = submit(db, user, PendingKind.SHARE_OUT, payload, "", today)
    except DomainError as exc:
        raise _fail(exc) from None
    console.print(line)


def group_statement(share_out_id: int) -> None:
    """Each member's share-out statement: savings back, income share, payout."""
    try:
        st = share_out_statement(Database(), share_out_id)
    except DomainError as exc:
        raise _fail(exc) from None
    table = Table(
        "member",
        "savings",
        "income",
        "payout",
        "shares",
        title=f"{st.group_name} — cycle {st.cycle_number} share-out of {st.on} ({st.rule.value})",
    )
    for r in st.rows:
        table.add_row(
            r.name,
            str(r.savings.amount),
            str(r.income.amount),
            str(r.payout.amount),
            "" if r.shares is None else str(r.shares),
        )
    table.add_row("total", "", "", str(st.fund.amount), "", style="bold")
    console.print(table)


def group_grade(
    group_id: int,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Grade as of this date (default today).")
    ] = None,
) -> None:
    """The group's stability grade (the gate to Stage 2): score, grade and reasons."""
    try:
        result = grade_group(Database(), group_id, _date(as_of, "--as-of"))
    except DomainError as exc:
        raise _fail(exc) from None
    colour = "green" if result.passed else "red"
    verdict = "passes" if result.passed else "does not pass"
    console.print(
        f"[bold]grade {result.grade.value}[/bold]  score {result.score} / 100  "
        f"[{colour}]{verdict}[/{colour}]  "
        f"({result.inputs.window_start} to {result.inputs.window_end}, "
        f"{result.inputs.meetings_scheduled} scheduled meetings)"
    )
    table = Table("component", "weight", "ratio", "minimum", "note", title="Stability components")
    for c in result.components:
        mark = "[red]✗[/red]" if c.below_minimum else "✓" if c.ratio is not None else "–"
        note = "" if c.note is None else _NOTES[c.note]
        if c.component is Component.BOOKKEEPING:
            note = f"meetings posted within {result.posting_days} days"
        table.add_row(
            f"{mark} {c.component.label}",
            str(c.weight),
            "n/a" if c.percent is None else f"{c.percent}%",
            "" if c.minimum is None else f"{(c.minimum * 100).normalize():f}%",
            note,
        )
    console.print(table)
    verdict = f"score {result.score} {'≥' if result.reaches_pass_mark else '<'} pass mark "
    verdict += f"{result.pass_mark}"
    if result.below_minimum:
        verdict += "; below the minimum: "
        verdict += ", ".join(c.component.label for c in result.below_minimum)
    console.print(verdict)


# The CLI speaks English; the pages and the API word these in the reader's language.
_NOTES = {
    Note.NO_INSTALMENT_DUE: "no instalment due yet: its points are shared",
    Note.NO_INTERNAL_LOANS: "no internal loans yet",
}


def register(group_app: typer.Typer) -> None:
    group_app.command("share-out")(group_share_out)
    group_app.command("statement")(group_statement)
    group_app.command("grade")(group_grade)
