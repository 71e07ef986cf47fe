"""``kuza group share-out``, ``kuza group statement`` and ``kuza group grade``."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from kuza.adapters.db.engine import Database
from kuza.domain.errors import DomainError
from kuza.services.shareout import share_out, share_out_statement
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
    actor: Annotated[str, typer.Option(help="Who records it.")] = "cli",
    today: Annotated[str | None, typer.Option(help="Treat this date as today.")] = None,
) -> None:
    """Share out the group fund at the end of the cycle and start the next cycle."""
    try:
        done = share_out(Database(), group_id, _date(on, "--on"), actor, _date(today, "--today"))
    except DomainError as exc:
        raise _fail(exc) from None
    console.print(
        f"cycle {done.cycle_number} shared out as share-out {done.share_out_id}: "
        f"fund {done.plan.fund} ({done.plan.rule.value}), income {done.plan.income}, "
        f"{len(done.plan.lines)} members; `kuza group statement {done.share_out_id}`"
    )


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
    table = Table("component", "weight", "reason", title="Stability components")
    for c, reason in zip(result.components, result.reasons, strict=False):
        mark = "[red]✗[/red]" if c.below_minimum else "✓" if c.ratio is not None else "–"
        table.add_row(f"{mark} {c.component.label}", str(c.weight), reason)
    console.print(table)
    console.print(result.reasons[-1])


def register(group_app: typer.Typer) -> None:
    group_app.command("share-out")(group_share_out)
    group_app.command("statement")(group_statement)
    group_app.command("grade")(group_grade)
