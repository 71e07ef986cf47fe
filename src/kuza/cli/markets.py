"""``kuza market``: partners, linkages of members or groups to them, contracts and
market activities (services/markets.py)."""

from __future__ import annotations

from typing import Annotated

import typer

from kuza.adapters.db.engine import Database
from kuza.cli.common import DateOpt, console, domain_errors, parse_choice, parse_day, today_or
from kuza.domain.errors import DomainError
from kuza.domain.markets import MarketActivityKind, PartnerKind, WomanRole
from kuza.services import markets

app = typer.Typer(no_args_is_help=True, help="Market partners, linkages and contracts.")
Actor = Annotated[str, typer.Option(help="Who records it.")]
On = Annotated[str | None, typer.Option(help="Date YYYY-MM-DD (default today).")]


@app.command("partner")
def partner_add(
    programme_id: int,
    name: str,
    kind: Annotated[str, typer.Option(help="buyer, supplier, processor, lender, other")],
    actor: Actor = "cli",
) -> None:
    """Add a market partner (buyer, supplier ...) to a programme."""
    with domain_errors():
        pid = markets.add_partner(
            Database(), programme_id, name, parse_choice(PartnerKind, kind, "kind"), actor
        )
    console.print(f"partner {pid} added")


def _women(raw: list[str] | None) -> dict[int, WomanRole]:
    out = {}
    for item in raw or []:
        member, _, role = item.partition("=")
        if not member.strip().isdigit():
            raise DomainError(f"{item!r} is not MEMBER_ID=ROLE", field="woman")
        out[int(member)] = parse_choice(WomanRole, role.strip(), "woman")
    return out


@app.command("link")
def link(
    programme_id: int,
    partner_id: int,
    member: Annotated[int | None, typer.Option(help="A member's own link ...")] = None,
    group: Annotated[int | None, typer.Option(help="... or a group's.")] = None,
    on: On = None,
    until: Annotated[str | None, typer.Option(help="Last day, if known.")] = None,
    value_chain: Annotated[str | None, typer.Option(help="Value chain code.")] = None,
    woman: Annotated[
        list[str] | None, typer.Option(help="MEMBER_ID=ROLE (producer, trader ...), repeated.")
    ] = None,
    note: str = "",
    actor: Actor = "cli",
    today: DateOpt = None,
) -> None:
    """Link a member or a group to a partner."""
    with domain_errors():
        new = markets.NewLinkage(
            partner_id=partner_id,
            started_on=parse_day(on, "on", today_or(today)),
            member_id=member,
            group_id=group,
            value_chain=value_chain,
            ended_on=None if until is None else parse_day(until, "until"),
            women=_women(woman),
            note=note,
        )
        lid = markets.record_linkage(Database(), programme_id, new, actor)
    console.print(f"linkage {lid} recorded")


@app.command("end")
def end(linkage_id: int, on: On = None, actor: Actor = "cli", today: DateOpt = None) -> None:
    """End a linkage."""
    with domain_errors():
        markets.end_linkage(Database(), linkage_id, parse_day(on, "on", today_or(today)), actor)
    console.print(f"linkage {linkage_id} ended")


@app.command("contract")
def contract(
    linkage_id: int,
    product: str,
    volume: str,
    unit: str,
    price: str,
    on: Annotated[str | None, typer.Option(help="First day (default today).")] = None,
    until: Annotated[str | None, typer.Option(help="Last day, if known.")] = None,
    actor: Actor = "cli",
    today: DateOpt = None,
) -> None:
    """A contract on a linkage: product, volume and unit, price per unit."""
    with domain_errors():
        cid = markets.record_contract(
            Database(), linkage_id, product, volume, unit, price,
            parse_day(on, "on", today_or(today)),
            None if until is None else parse_day(until, "until"), actor,
        )  # fmt: skip
    console.print(f"contract {cid} recorded")


@app.command("activity")
def activity(
    programme_id: int,
    group_id: int,
    kind: Annotated[str, typer.Argument(help="collective_purchase, branding, packaging")],
    description: str,
    members: Annotated[int, typer.Option(help="Members involved.")],
    amount: Annotated[str | None, typer.Option(help="Value bought together.")] = None,
    linkage: Annotated[int | None, typer.Option(help="The linkage it served.")] = None,
    value_chain: Annotated[str | None, typer.Option(help="Value chain code.")] = None,
    on: On = None,
    actor: Actor = "cli",
    today: DateOpt = None,
) -> None:
    """Collective purchasing, branding or packaging support given to a group."""
    with domain_errors():
        new = markets.NewMarketActivity(
            kind=parse_choice(MarketActivityKind, kind, "kind"),
            group_id=group_id,
            held_on=parse_day(on, "on", today_or(today)),
            description=description,
            members_involved=members,
            amount=amount,
            linkage_id=linkage,
            value_chain=value_chain,
        )
        aid = markets.record_market_activity(Database(), programme_id, new, actor)
    console.print(f"market activity {aid} recorded")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="market")
