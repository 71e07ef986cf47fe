"""``kuza programme create|list``, ``kuza branch create``, ``kuza agent create``,
``kuza training module add`` and ``kuza value-chain add``: setting up a programme as
the admin pages do (services/programmes.py, training.py, enterprises.py). ``--actor``
is recorded as a name in the audit log, as for ``kuza loan product-add``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from kuza.adapters.db.engine import Database
from kuza.cli.common import console, domain_errors, parse_choice
from kuza.domain.training import MaterialFormat, TrainingCategory
from kuza.services import enterprises, programmes, training

Actor = Annotated[str, typer.Option(help="Who sets it up (recorded in the audit log).")]
programme_app = typer.Typer(no_args_is_help=True, help="Country programmes.")
branch_app = typer.Typer(no_args_is_help=True, help="A programme's branches.")
agent_app = typer.Typer(no_args_is_help=True, help="A branch's field agents.")
training_app = typer.Typer(no_args_is_help=True, help="The training catalogue.")
module_app = typer.Typer(no_args_is_help=True, help="Training modules.")
chain_app = typer.Typer(no_args_is_help=True, help="A programme's value chains.")


@programme_app.command("create")
def programme_create(
    code: Annotated[str, typer.Argument(help="Unique, no spaces, e.g. KE-SHG.")],
    name: str,
    country: Annotated[str, typer.Option(help="ISO 3166 two-letter code, e.g. KE.")],
    currency: Annotated[str, typer.Option(help="ISO 4217 code, e.g. KES.")],
    actor: Actor = "cli",
) -> None:
    """Create a country programme (its currency cannot change later)."""
    with domain_errors():
        pid = programmes.create_programme(Database(), code, name, country, currency, actor=actor)
    console.print(f"programme {pid} created")


@programme_app.command("list")
def programme_list() -> None:
    """Every programme with its branch count."""
    rows, _ = programmes.programme_rows(Database(), limit=10_000)
    table = Table("id", "code", "name", "country", "currency", "branches")
    for r in rows:
        table.add_row(str(r.id), r.code, r.name, r.country, r.currency, str(r.branches))
    console.print(table)


@branch_app.command("create")
def branch_create(programme_id: int, name: str, actor: Actor = "cli") -> None:
    """Add a branch to a programme (its name new there)."""
    with domain_errors():
        bid = programmes.create_branch(Database(), programme_id, name, actor=actor)
    console.print(f"branch {bid} created")


@agent_app.command("create")
def agent_create(
    branch_id: int,
    name: str,
    phone: Annotated[str | None, typer.Option(help="Her phone number.")] = None,
    actor: Actor = "cli",
) -> None:
    """Add a field agent to a branch (her name new there); link her login with
    ``kuza user create … --role field_agent --agent ID``."""
    with domain_errors():
        db = Database()
        found = programmes.branch_of(db, branch_id)
        aid = programmes.create_agent(db, found.programme_id, branch_id, name, phone, actor=actor)
    console.print(f"field agent {aid} created")


@module_app.command("add")
def module_add(
    programme_id: int,
    code: Annotated[str, typer.Argument(help="No spaces, e.g. credit-management.")],
    name: str,
    category: Annotated[str, typer.Option(help="business, vocational, financial, social")],
    hours: Annotated[str, typer.Option(help="Expected hours, e.g. 6 or 4.5.")],
    material: Annotated[str, typer.Option("--format", help="text or pictorial")] = "text",
    actor: Actor = "cli",
) -> None:
    """Add a module to the programme's training catalogue (its code new there)."""
    with domain_errors():
        mid = training.add_module(
            Database(),
            programme_id,
            code,
            name,
            parse_choice(TrainingCategory, category, "category"),
            hours,
            parse_choice(MaterialFormat, material, "format"),
            actor=actor,
        )
    console.print(f"training module {mid} added")


@chain_app.command("add")
def chain_add(programme_id: int, code: str, name: str, actor: Actor = "cli") -> None:
    """Add a value chain (dairy, poultry …) to a programme (its code new there)."""
    with domain_errors():
        vid = enterprises.add_value_chain(Database(), programme_id, code, name, actor=actor)
    console.print(f"value chain {vid} added")


def register(root: typer.Typer) -> None:
    root.add_typer(programme_app, name="programme")
    root.add_typer(branch_app, name="branch")
    root.add_typer(agent_app, name="agent")
    training_app.add_typer(module_app, name="module")
    root.add_typer(training_app, name="training")
    root.add_typer(chain_app, name="value-chain")
