"""``kuza group create|enrol|leave|elect|move-meeting|status``: forming and running a
group from the shell. ``--actor`` names a login whose role and scope are checked as on
the pages: a field agent for her own groups, a branch manager in her branch, an admin
anywhere; the status is a branch manager's (or an admin's) decision."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated

import typer

from kuza.adapters.db.engine import Database
from kuza.cli.accounts import Account, account, allowed, seeing_group
from kuza.cli.common import DateOpt, console, domain_errors, parse_choice, parse_day, today_or
from kuza.domain.access import Principal, may_decide_group_status, may_run_groups
from kuza.domain.calendar import Frequency
from kuza.domain.groups import GroupStatus, OfficerRole, Sex, ShareOutRule
from kuza.services import group_formation as formation
from kuza.services.groups import NewMember

OnOpt = Annotated[str | None, typer.Option("--on", help="Date (YYYY-MM-DD, default today).")]


def _acting(
    actor: str,
    today: str | None = None,
    group_id: int | None = None,
    may: Callable[[Principal], bool] = may_run_groups,
    what: str = "form or run groups",
) -> tuple[Database, date, Principal]:
    """The database, today, and the ``--actor`` login once her role may do ``what`` (and,
    given a group, she sees it)."""
    db = Database()
    day = today_or(today)
    user = account(db, actor)
    allowed(may(user), what, user)
    if group_id is not None:
        seeing_group(db, user, group_id)
    return db, day, user


def group_create(
    name: str,
    agent: Annotated[int, typer.Option("--agent", help="The field agent who runs it.")],
    saving: Annotated[str, typer.Option(help="Compulsory saving at each meeting.")],
    actor: Account,
    frequency: Annotated[str, typer.Option(help="weekly, biweekly or monthly.")] = "weekly",
    formed_on: Annotated[str | None, typer.Option(help="Default today.")] = None,
    first_meeting: Annotated[str | None, typer.Option(help="Default the day formed.")] = None,
    village: Annotated[str, typer.Option()] = "",
    rule: Annotated[str, typer.Option(help="pro_rata, shares or equal_income.")] = "pro_rata",
    share_value: Annotated[str | None, typer.Option(help="With the shares rule.")] = None,
    today: DateOpt = None,
) -> None:
    """Form a group (forming until a branch manager approves it: ``kuza group status``)."""
    with domain_errors():
        db, day, user = _acting(actor, today)
        formed = parse_day(formed_on, "formed_on", day)
        draft = formation.GroupDraft(
            name=name,
            village=village,
            agent_id=agent,
            formed_on=formed,
            frequency=parse_choice(Frequency, frequency, "frequency"),
            first_meeting_on=parse_day(first_meeting, "first_meeting_on", formed),
            compulsory_saving=saving,
            share_out_rule=parse_choice(ShareOutRule, rule, "share_out_rule"),
            share_value=share_value,
        )
        gid = formation.form_group(db, user, draft, day)
    console.print(f"group {gid} formed: {name.strip()} (forming)")


def group_enrol(
    group_id: int,
    name: str,
    sex: Annotated[str, typer.Option(help="F, M or X.")],
    household: Annotated[int, typer.Option(help="People in her household.")],
    actor: Account,
    literate: Annotated[bool, typer.Option("--literate/--not-literate")] = False,
    birth_year: Annotated[int | None, typer.Option()] = None,
    phone: Annotated[str | None, typer.Option()] = None,
    consent_on: Annotated[str | None, typer.Option()] = None,
    on: OnOpt = None,
    today: DateOpt = None,
) -> None:
    """Register a person and make her a member of the group."""
    with domain_errors():
        db, day, user = _acting(actor, today, group_id)
        new = NewMember(
            name=name,
            sex=parse_choice(Sex, sex, "sex"),
            household_size=household,
            literate=literate,
            birth_year=birth_year,
            phone=phone,
            consent_on=parse_day(consent_on, "consent_on") if consent_on else None,
        )
        mid = formation.enrol(db, user, group_id, new, parse_day(on, "joined_on", day), day)
    console.print(f"member {mid} enrolled in group {group_id}: {name.strip()}")


def group_leave(
    group_id: int,
    member_id: int,
    reason: Annotated[str, typer.Option(help="Why she leaves.")],
    actor: Account,
    on: OnOpt = None,
    today: DateOpt = None,
) -> None:
    """A member leaves: her compulsory and voluntary savings are paid back from the fund
    (refused while she has a loan open)."""
    with domain_errors():
        db, day, user = _acting(actor, today, group_id)
        paid = formation.leave(
            db, user, group_id, member_id, parse_day(on, "left_on", day), reason, day
        )
    console.print(f"member {member_id} left group {group_id}; savings paid back {paid}")


def group_elect(
    group_id: int,
    member_id: int,
    role: Annotated[str, typer.Argument(help="president, treasurer, secretary or educator.")],
    actor: Account,
    on: OnOpt = None,
    today: DateOpt = None,
) -> None:
    """Record an election; the previous holder's term ends the day this one starts."""
    with domain_errors():
        db, day, user = _acting(actor, today, group_id)
        office = parse_choice(OfficerRole, role, "role")
        formation.elect(
            db, user, group_id, member_id, office, parse_day(on, "started_on", day), day
        )
    console.print(f"member {member_id} is {office.value} of group {group_id}")


def group_move_meeting(
    group_id: int,
    nominal: Annotated[str, typer.Option("--from", help="The scheduled meeting date.")],
    moved: Annotated[str, typer.Option("--to", help="Its new date (at most 14 days away).")],
    reason: Annotated[str, typer.Option(help="Why it moves (a holiday …).")],
    actor: Account,
) -> None:
    """Move one meeting; the cycle after it stays where it was."""
    with domain_errors():
        db, _, user = _acting(actor, group_id=group_id)
        formation.move_meeting(
            db,
            user,
            group_id,
            parse_day(nominal, "nominal_on"),
            parse_day(moved, "moved_to"),
            reason,
        )
    console.print(f"meeting of {nominal} moved to {moved}")


def group_status(
    group_id: int,
    status: Annotated[str, typer.Argument(help="active, graduated or closed.")],
    actor: Account,
    note: Annotated[str, typer.Option()] = "",
    on: OnOpt = None,
    today: DateOpt = None,
) -> None:
    """Approve a forming group (``active``), graduate or close one: a branch manager's
    or an admin's decision."""
    with domain_errors():
        db, day, user = _acting(
            actor, today, group_id, may_decide_group_status, "change a group's status"
        )
        wanted = parse_choice(GroupStatus, status, "status")
        formation.change_status(db, user, group_id, wanted, parse_day(on, "on", day), note, day)
    console.print(f"group {group_id} is {wanted.value}")


def register(group_app: typer.Typer) -> None:
    group_app.command("create")(group_create)
    group_app.command("enrol")(group_enrol)
    group_app.command("leave")(group_leave)
    group_app.command("elect")(group_elect)
    group_app.command("move-meeting")(group_move_meeting)
    group_app.command("status")(group_status)
