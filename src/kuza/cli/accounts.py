"""Who runs a maker-checker or checker command from the CLI: ``--actor`` must name an
active login (``kuza user create``) and she proves it with its password, checked by the
same Argon2 verification as the web login (``users.authenticate``): read from
``KUZA_PASSWORD`` (scripts), else asked at the terminal without echo. Her role and scope
are then checked exactly as the web and the API check them (docs/security.md,
"Maker-checker from the CLI")."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from kuza.adapters.db.engine import Database
from kuza.domain.access import LoginFailed, Principal
from kuza.domain.approvals import may_decide_loans
from kuza.domain.errors import DomainError, NotFound, RuleViolation
from kuza.services import users
from kuza.services.loans.views import loan_group

PASSWORD_ENV = "KUZA_PASSWORD"
Account = Annotated[
    str,
    typer.Option(
        "--actor",
        help=f"Your login (kuza user create): its role and scope count. Its password is "
        f"asked without echo, or read from {PASSWORD_ENV}.",
    ),
]


def _password(username: str) -> str:
    """From the environment (a script), else typed at the terminal without echo; never
    an option, which would show in the shell's history and the process list."""
    given = os.environ.get(PASSWORD_ENV)
    if given:
        return given
    try:
        typed: str = typer.prompt(f"Password of {username}", hide_input=True, err=True)
    except typer.Abort:  # no terminal and no KUZA_PASSWORD: nothing to check
        raise DomainError(
            f"give the password of {username!r}: at the prompt, or in {PASSWORD_ENV}",
            field="password",
        ) from None
    return typed


def account(db: Database, username: str) -> Principal:
    """The login named by ``--actor``, once its password is checked. An unknown login,
    an inactive one and a wrong password get one message, as at the web login."""
    password = _password(username)
    try:
        return users.authenticate(db, username, password)
    except LoginFailed:
        raise DomainError(
            f"wrong login or password for --actor {username!r}: nothing was done",
            field="actor",
        ) from None


def seeing_group(db: Database, user: Principal, group_id: int) -> None:
    """Out of scope reads as absent, like the web's 404."""
    if not users.can_see_group(db, user, group_id):
        raise NotFound(f"no group {group_id}", field="group_id")


def seeing_loan(db: Database, user: Principal, loan_id: int) -> int:
    """The loan's group, once the user sees it."""
    gid = loan_group(db, loan_id)
    if gid is None or not users.can_see_group(db, user, gid):
        raise NotFound(f"no loan {loan_id}", field="loan_id")
    return gid


def allowed(ok: bool, what: str, user: Principal) -> None:
    """A role that may never do it (the web's 403)."""
    if not ok:
        role = user.role.value.replace("_", " ")
        raise RuleViolation(f"a {role} cannot {what}", field="role")


def loan_checker(db: Database, actor: str, loan_id: int) -> Principal:
    """A login of a role that decides loans and sees this one (as on the loan page)."""
    user = account(db, actor)
    allowed(may_decide_loans(user.role), "decide on loans", user)
    seeing_loan(db, user, loan_id)
    return user
