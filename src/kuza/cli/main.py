"""The ``kuza`` command line: thin wrappers that parse, call one service, print."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.table import Table

from kuza.adapters.db.engine import Database, database_url
from kuza.adapters.db.migrate import upgrade
from kuza.cli import (
    group_formation,
    imports,
    insurance,
    loan,
    loans_book,
    markets,
    passbook,
    setup,
    shareout,
    synth,
    visits,
)
from kuza.cli.accounts import Account, account
from kuza.cli.approvals import app as approval_app
from kuza.cli.approvals import submit
from kuza.cli.common import DateOpt, console, domain_errors, err_console, read_json
from kuza.cli.common import today_or as _today
from kuza.cli.report import app as report_app
from kuza.cli.users import app as user_app
from kuza.domain.approvals import PendingKind
from kuza.services import ledger_check, meetings
from kuza.services.views import group_view

app = typer.Typer(help="Kuza: self-help groups, savings, credit and jobs.", no_args_is_help=True)
app.add_typer(loan.app, name="loan", help="Loan calculators (JSON in on stdin, JSON out).")
loans_book.register(app, loan.app)
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
ledger_app = typer.Typer(no_args_is_help=True, help="The double-entry ledger.")
meeting_app = typer.Typer(no_args_is_help=True, help="Group meetings.")
group_app = typer.Typer(no_args_is_help=True, help="Self-help groups.")
app.add_typer(db_app, name="db")
app.add_typer(ledger_app, name="ledger")
app.add_typer(meeting_app, name="meeting")
app.add_typer(group_app, name="group")
shareout.register(group_app)
group_formation.register(group_app)
app.add_typer(passbook.app, name="passbook")
synth.register(app)
app.add_typer(imports.app, name="import")
app.add_typer(user_app, name="user", help="Login accounts for the web UI.")
app.add_typer(report_app, name="report")
app.add_typer(approval_app, name="approval")
markets.register(app)
visits.register(app)
insurance.register(app)
setup.register(app)
T = TypeVar("T")


def _run(fn: Callable[[], T]) -> T:
    with domain_errors():
        return fn()


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema (Alembic) at KUZA_DATABASE_URL."""
    upgrade(database_url())
    console.print(f"database at {database_url()} is up to date")


@ledger_app.command("check")
def ledger_check_cmd() -> None:
    """Verify every entry balances and every stored balance equals the ledger."""
    db = Database()
    findings = ledger_check.check(db)
    entries, lines, accounts = ledger_check.totals(db)
    if findings:
        for f in findings:
            err_console.print(f"[red]✗[/red] {f}")
        err_console.print(f"{len(findings)} problem(s) in {entries} entries / {lines} lines")
        raise typer.Exit(1)
    console.print(
        f"[green]✓[/green] ledger clean: {entries} entries, {lines} lines, "
        f"{accounts} accounts; every entry balances and every balance equals its lines"
    )


@meeting_app.command("post")
def meeting_post(
    file: Annotated[Path, typer.Argument(help="Meeting sheet as JSON.")],
    actor: Annotated[str, typer.Option(help="Who records it.")] = "cli",
    today: DateOpt = None,
) -> None:
    """Post a meeting sheet; posting the same sheet again books nothing."""
    with domain_errors():
        data = read_json(file)
        result = meetings.post_meeting(Database(), data, actor, _today(today))
    verb = "posted" if result.created else "already posted, nothing booked"
    console.print(f"meeting {result.meeting_id} {verb}: {result.summary}")


@meeting_app.command("correct")
def meeting_correct(
    file: Annotated[Path, typer.Argument(help="The corrected meeting sheet as JSON.")],
    reason: Annotated[str, typer.Option(help="Why it is corrected.")],
    actor: Account,
    today: DateOpt = None,
) -> None:
    """Submit the correction of the latest meeting; once another login (a checker)
    approves it (``kuza approval approve``), its entry is reversed and the sheet booked."""
    with domain_errors():
        data = read_json(file)
        db = Database()
        user = account(db, actor)
        line = submit(db, user, PendingKind.MEETING_CORRECTION, {"sheet": data}, reason, today)
    console.print(line)


@group_app.command("show")
def group_show(group_id: int, today: DateOpt = None) -> None:
    """A group's members, officers, fund and next meeting."""
    view = _run(lambda: group_view(Database(), group_id, _today(today)))
    console.print(f"[bold]{view.name}[/bold] ({view.status}) — {view.village}")
    console.print(
        f"fund cash {view.fund_cash}  social fund {view.social_fund}  "
        f"cycle {view.cycle_number}  next meeting {view.next_meeting}"
    )
    officers = Table("role", "member", "since", title="Officers")
    for o in view.officers:
        officers.add_row(o.role, o.name, o.since.isoformat())
    console.print(officers)
    members = Table("id", "name", "sex", "savings", "voluntary", title="Members")
    for m in view.members:
        members.add_row(str(m.id), m.name, m.sex, str(m.savings), str(m.voluntary))
    console.print(members)


@app.command()
def demo(
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
    until: Annotated[str | None, typer.Option(help="Last day of history.")] = None,
    months: Annotated[int, typer.Option(help="Months of meeting history.")] = 6,
) -> None:
    """Load deterministic demo programmes (India, Kenya, Afghanistan, Madagascar)."""
    from kuza.services.demo import load_demo

    db = Database()
    upgrade(db.url)
    with domain_errors():
        stats = load_demo(db, seed=seed, until=_today(until), months=months)
    console.print(f"demo loaded: {stats}")


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Worker processes (one per core on PostgreSQL; they share KUZA_SECRET_KEY).",
        ),
    ] = 1,
) -> None:
    """Serve the web UI and the API."""
    import uvicorn

    uvicorn.run("kuza.web.app:create_app", factory=True, host=host, port=port, workers=workers)


if __name__ == "__main__":  # pragma: no cover
    app()
