"""``kuza user``: manage login accounts."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from kuza.adapters.db.engine import Database
from kuza.cli.common import console, domain_errors
from kuza.domain.access import Role
from kuza.services import users

app = typer.Typer(no_args_is_help=True, help="Login accounts.")


@app.command("create")
def create(
    username: Annotated[str, typer.Argument(help="Login name (lowercase).")],
    role: Annotated[Role, typer.Option(help="What the user does; decides what she sees.")],
    programme: Annotated[int | None, typer.Option(help="Programme id (all but admin).")] = None,
    branch: Annotated[int | None, typer.Option(help="Branch id (branch_manager).")] = None,
    agent: Annotated[int | None, typer.Option(help="Field agent id (field_agent).")] = None,
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    locale: Annotated[str, typer.Option(help="Language, e.g. en, fr, sw.")] = "en",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
    actor: Annotated[str, typer.Option(help="Who creates it (audit).")] = "cli",
) -> None:
    """Create a login; the password is prompted for (or read from stdin)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    new = users.NewUser(username, role, password, name, programme, branch, agent, locale)
    with domain_errors():
        uid = users.create_user(Database(), new, actor)
    console.print(f"user {username.strip().lower()} created (id {uid}, role {role.value})")


@app.command("deactivate")
def deactivate(
    username: str, actor: Annotated[str, typer.Option(help="Who (audit).")] = "cli"
) -> None:
    """Stop a login; her open sessions end at their next request."""
    with domain_errors():
        users.set_active(Database(), username, False, actor)
    console.print(f"user {username} deactivated")
