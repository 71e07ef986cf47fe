"""``kuza synth``: a deterministic synthetic programme for scale work."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from kuza.adapters.db.engine import Database
from kuza.cli.common import console, domain_errors, progress_bar
from kuza.services.ledger_check import check
from kuza.services.synth import Mode, SynthSpec, synthesise


def synth(
    groups: Annotated[int, typer.Option(help="Number of self-help groups.")] = 100,
    months: Annotated[int, typer.Option(help="Months of meeting history.")] = 12,
    seed: Annotated[int, typer.Option(help="Random seed; same seed, same programme.")] = 1,
    mode: Annotated[
        Mode, typer.Option(help="bulk: set-based writes; service: the real use cases.")
    ] = Mode.BULK,
    code: Annotated[str, typer.Option(help="Programme code (default SYN-seed-NxM).")] = "",
    verify: Annotated[bool, typer.Option(help="Run `kuza ledger check` afterwards.")] = True,
) -> None:
    """Generate a realistic programme: branches, agents, groups, members, meetings."""
    spec = SynthSpec(groups=groups, months=months, seed=seed, code=code)
    db = Database()
    started = time.perf_counter()
    with (
        domain_errors(),
        progress_bar() as bar,
    ):
        task = bar.add_task(f"{spec.programme_code} ({mode.value})", total=groups)
        result = synthesise(db, spec, mode, progress=lambda n: bar.advance(task, n))
    seconds = time.perf_counter() - started
    console.print(
        f"programme {result.programme_id} ({spec.programme_code}): {result.groups} groups, "
        f"{result.members} members, {result.meetings} meetings, {result.entries} entries, "
        f"{result.lines} lines in {seconds:.1f} s "
        f"({result.meetings / seconds:.0f} meetings/s, {spec.start} to {spec.end})"
    )
    if verify:
        findings = check(db)
        for f in findings:
            console.print(f"[red]✗[/red] {f}")
        if findings:
            raise typer.Exit(1)
        console.print("[green]✓[/green] ledger check clean")


def register(app: typer.Typer) -> None:
    app.command("synth")(synth)
