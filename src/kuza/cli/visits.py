"""``kuza visit``: household visits scored with the programme's scorecard, and
referrals with their follow-up (services/visits.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from kuza.adapters.db.engine import Database
from kuza.cli.common import (
    DateOpt,
    console,
    domain_errors,
    parse_choice,
    parse_day,
    parse_pairs,
    read_text,
    today_or,
)
from kuza.domain.visits import ReferralKind, ReferralStatus
from kuza.services import visits

app = typer.Typer(no_args_is_help=True, help="Household visits, scorecards and referrals.")
Actor = Annotated[str, typer.Option(help="Who records it.")]
On = Annotated[str | None, typer.Option(help="Date YYYY-MM-DD (default today).")]


@app.command("scorecard")
def scorecard_load(
    programme_id: int,
    file: Annotated[Path, typer.Argument(help="The scorecard as JSON.")],
    on: On = None,
    actor: Actor = "cli",
    today: DateOpt = None,
) -> None:
    """Store a scorecard (questions, points, likelihood lookup) for a programme."""
    with domain_errors():
        sid = visits.load_programme_scorecard(
            Database(), programme_id, read_text(file), parse_day(on, "on", today_or(today)), actor
        )
    console.print(f"scorecard {sid} stored")


@app.command("record")
def record(
    programme_id: int,
    member_id: int,
    scorecard: str,
    by: Annotated[str, typer.Option(help="Who visited.")],
    household: Annotated[int, typer.Option(help="People in the household.")],
    answer: Annotated[list[str] | None, typer.Option(help="QUESTION=ANSWER, repeated.")] = None,
    agent: Annotated[int | None, typer.Option(help="Field agent id.")] = None,
    on: On = None,
    note: str = "",
    actor: Actor = "cli",
    today: DateOpt = None,
) -> None:
    """A household visit: the answers are scored at once."""
    with domain_errors():
        day = today_or(today)
        new = visits.NewVisit(
            member_id=member_id,
            scorecard=scorecard,
            visited_on=parse_day(on, "on", day),
            visited_by=by,
            answers=parse_pairs(answer, "answer"),
            household_size=household,
            agent_id=agent,
            note=note,
        )
        score = visits.record_visit(Database(), programme_id, new, day, actor)
    console.print(
        f"visit {score.visit_id}: score {score.score}, poverty likelihood {score.likelihood}%"
    )


@app.command("history")
def history(member_id: int) -> None:
    """A member's household scores over time."""
    with domain_errors():
        points = visits.score_history(Database(), member_id)
    table = Table("visit", "date", "scorecard", "score", "likelihood %")
    for p in points:
        table.add_row(
            str(p.visit_id), p.visited_on.isoformat(), p.scorecard, str(p.score), str(p.likelihood)
        )
    console.print(table)


@app.command("refer")
def refer(
    programme_id: int,
    member_id: int,
    kind: Annotated[str, typer.Argument(help="health, school, legal, social_services")],
    service: str,
    visit: Annotated[int | None, typer.Option(help="The visit it came from.")] = None,
    on: On = None,
    note: str = "",
    actor: Actor = "cli",
    today: DateOpt = None,
) -> None:
    """Refer a household member to a service."""
    with domain_errors():
        rid = visits.refer(
            Database(), programme_id, member_id, parse_choice(ReferralKind, kind, "kind"),
            service, parse_day(on, "on", today_or(today)), visit, note, actor,
        )  # fmt: skip
    console.print(f"referral {rid} recorded")


@app.command("follow-up")
def follow_up(
    referral_id: int,
    status: Annotated[str, typer.Argument(help="in_progress, resolved, dropped")],
    on: On = None,
    note: str = "",
    actor: Actor = "cli",
    today: DateOpt = None,
) -> None:
    """The referral's new status."""
    with domain_errors():
        now = visits.follow_up_referral(
            Database(), referral_id, parse_choice(ReferralStatus, status, "status"),
            parse_day(on, "on", today_or(today)), note, actor,
        )  # fmt: skip
    console.print(f"referral {referral_id} is now {now.value}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="visit")
