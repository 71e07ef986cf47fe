"""``kuza insurance``: health plans, enrolment with dependants, monthly premiums and
claims (submit, approve, reject, pay) — services/insurance.py and insurance_claims.py."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kuza.adapters.db.engine import Database
from kuza.cli.accounts import Account, account, allowed
from kuza.cli.common import (
    DateOpt,
    console,
    domain_errors,
    parse_choice,
    parse_day,
    read_json,
    today_or,
)
from kuza.domain.access import Principal
from kuza.domain.errors import DomainError, NotFound
from kuza.domain.groups import Sex
from kuza.domain.insurance import PaysFrom, may_decide_claims
from kuza.services import insurance, insurance_claims, users
from kuza.services.insurance_views import claim_member

app = typer.Typer(no_args_is_help=True, help="Health insurance plans, premiums and claims.")
claim_app = typer.Typer(no_args_is_help=True, help="Insurance claims.")
app.add_typer(claim_app, name="claim")
Actor = Annotated[str, typer.Option(help="Who records it.")]
On = Annotated[str | None, typer.Option(help="Date YYYY-MM-DD (default today).")]


@app.command("plan")
def plan_create(
    programme_id: int,
    file: Annotated[Path, typer.Argument(help="The plan as JSON (name, premium, ...).")],
    actor: Actor = "cli",
) -> None:
    """Create a plan from JSON: name, premium, dependant_premium, period, cover_per_year,
    waiting_days, subsidy (per membership year)."""
    with domain_errors():
        data = read_json(file)
        if not isinstance(data, dict):
            raise DomainError("the plan must be a JSON object", field="FILE")
        pid = insurance.create_plan(Database(), programme_id, data, actor)
    console.print(f"plan {pid} created")


def _dependant(raw: str) -> insurance.Dependant:
    """NAME:RELATION:SEX[:BIRTH_YEAR]"""
    parts = raw.split(":")
    if len(parts) not in (3, 4) or (len(parts) == 4 and not parts[3].isdigit()):
        raise DomainError(f"{raw!r} is not NAME:RELATION:SEX[:BIRTH_YEAR]", field="dependant")
    year = int(parts[3]) if len(parts) == 4 else None
    return insurance.Dependant(parts[0], parts[1], parse_choice(Sex, parts[2], "dependant"), year)


@app.command("enrol")
def enrol(
    plan_id: int,
    member_id: int,
    pays_from: Annotated[str, typer.Option(help="cash or passbook")] = "cash",
    dependant: Annotated[
        list[str] | None, typer.Option(help="NAME:RELATION:SEX[:BIRTH_YEAR], repeated.")
    ] = None,
    on: On = None,
    actor: Actor = "cli",
    today: DateOpt = None,
) -> None:
    """Enrol a member (and her dependants) in a plan."""
    with domain_errors():
        eid = insurance.enrol(
            Database(), plan_id, member_id, parse_day(on, "on", today_or(today)),
            parse_choice(PaysFrom, pays_from, "pays_from"),
            [_dependant(d) for d in dependant or []], actor,
        )  # fmt: skip
    console.print(f"enrolment {eid} recorded")


@app.command("collect")
def collect(
    plan_id: int,
    period: Annotated[str, typer.Option(help="A day of the period (its first day counts).")],
    actor: Actor = "cli",
    today: DateOpt = None,
) -> None:
    """Book the premiums of every active enrolment for a period, all or none."""
    with domain_errors():
        got = insurance.collect_premiums(
            Database(), plan_id, parse_day(period, "period"), today_or(today), actor
        )
    console.print(
        f"period {got.period_start}: {len(got.collected)} premium(s) booked, "
        f"{len(got.already)} already booked; premiums {got.premiums}, subsidies {got.subsidies}"
    )


@claim_app.command("submit")
def claim_submit(
    enrolment_id: int,
    amount: str,
    description: str,
    incurred_on: Annotated[str, typer.Option(help="When the care was received.")],
    dependant: Annotated[int | None, typer.Option(help="Dependant id, if it is hers.")] = None,
    on: Annotated[str | None, typer.Option(help="Submitted on (default today).")] = None,
    actor: Actor = "cli",
    today: DateOpt = None,
) -> None:
    """A claim for care the member (or a dependant) received."""
    with domain_errors():
        day = today_or(today)
        cid = insurance_claims.submit_claim(
            Database(), enrolment_id, parse_day(incurred_on, "incurred_on"), amount,
            description, day, dependant, parse_day(on, "on", day), actor,
        )  # fmt: skip
    console.print(f"claim {cid} submitted")


def _decider(db: Database, actor: str, claim_id: int) -> Principal:
    """A login whose role decides claims and who sees the member (as on the web)."""
    user = account(db, actor)
    allowed(may_decide_claims(user.role), "decide on claims", user)
    member_id = claim_member(db, claim_id)
    if member_id is None or not users.can_see_member(db, user, member_id):
        raise NotFound(f"no claim {claim_id}", field="claim_id")
    return user


@claim_app.command("approve")
def claim_approve(
    claim_id: int, amount: str, actor: Account, on: On = None, today: DateOpt = None
) -> None:
    """Approve up to the amount claimed and the cover left (a checker's login, not who
    submitted it)."""
    with domain_errors():
        db = Database()
        user = _decider(db, actor, claim_id)
        got = insurance_claims.approve_claim(
            db, claim_id, amount, parse_day(on, "on", today_or(today)), user.username
        )
    console.print(f"claim {claim_id} approved for {got}")


@claim_app.command("reject")
def claim_reject(
    claim_id: int,
    reason: Annotated[str, typer.Option(help="Why.")],
    actor: Account,
    on: On = None,
    today: DateOpt = None,
) -> None:
    """Reject a claim, saying why (a checker's login, not who submitted it)."""
    with domain_errors():
        db = Database()
        user = _decider(db, actor, claim_id)
        insurance_claims.reject_claim(
            db, claim_id, reason, parse_day(on, "on", today_or(today)), user.username
        )
    console.print(f"claim {claim_id} rejected")


@claim_app.command("pay")
def claim_pay(claim_id: int, on: On = None, actor: Actor = "cli", today: DateOpt = None) -> None:
    """Pay an approved claim from the insurance fund."""
    with domain_errors():
        entry = insurance_claims.pay_claim(
            Database(), claim_id, parse_day(on, "on", today_or(today)), actor
        )
    console.print(f"claim {claim_id} paid (journal entry {entry})")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="insurance")
