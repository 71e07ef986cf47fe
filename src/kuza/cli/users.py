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


PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from stdin.")
]


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@app.command("create")
def create(
    username: Annotated[str, typer.Argument(help="Login name (lowercase).")],
    role: Annotated[Role, typer.Option(help="What the user does; decides what she sees.")],
    programme: Annotated[int | None, typer.Option(help="Programme id (all but admin).")] = None,
    branch: Annotated[int | None, typer.Option(help="Branch id (branch_manager).")] = None,
    agent: Annotated[int | None, typer.Option(help="Field agent id (field_agent).")] = None,
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    locale: Annotated[str, typer.Option(help="Language, e.g. en, fr, sw.")] = "en",
    password_stdin: PasswordStdin = False,
    actor: Annotated[str, typer.Option(help="Who creates it (audit).")] = "cli",
) -> None:
    """Create a login; the password is prompted for (or read from stdin)."""
    password = _password(password_stdin)
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


@app.command("reactivate")
def reactivate(
    username: str, actor: Annotated[str, typer.Option(help="Who (audit).")] = "cli"
) -> None:
    """Let a deactivated login in again."""
    with domain_errors():
        users.set_active(Database(), username, True, actor)
    console.print(f"user {username} reactivated")


@app.command("set-role")
def set_role(
    username: str,
    role: Annotated[Role, typer.Option(help="What the user does; decides what she sees.")],
    programme: Annotated[int | None, typer.Option(help="Programme id (all but admin).")] = None,
    branch: Annotated[int | None, typer.Option(help="Branch id (branch_manager).")] = None,
    agent: Annotated[int | None, typer.Option(help="Field agent id (field_agent).")] = None,
    scope_branch: Annotated[
        list[int] | None, typer.Option(help="A donor's funded branch (repeatable).")
    ] = None,
    scope_chain: Annotated[
        list[int] | None, typer.Option(help="A donor's funded value chain (repeatable).")
    ] = None,
    actor: Annotated[str, typer.Option(help="Who (audit).")] = "cli",
) -> None:
    """Give a login another role and scope (a donor's funded scope replaced, any other
    role's cleared); she sees the new scope at her next request."""
    with domain_errors():
        users.change_assignment(
            Database(),
            username,
            users.Assignment(role, programme, branch, agent),
            actor,
            branch_ids=scope_branch or [],
            value_chain_ids=scope_chain or [],
        )
    console.print(f"user {username} is now {role.value}")


@app.command("set-password")
def set_password(
    username: str,
    password_stdin: PasswordStdin = False,
    actor: Annotated[str, typer.Option(help="Who (audit).")] = "cli",
) -> None:
    """A new password (prompted twice, or read from stdin); her API tokens are revoked."""
    password = _password(password_stdin)
    with domain_errors():
        revoked = users.set_password(Database(), username, password, actor)
    console.print(f"new password set for {username}; {revoked} API tokens revoked")
