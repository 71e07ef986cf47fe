"""Who runs a maker-checker or checker command from the CLI: ``--actor`` must name an
active login (``kuza user create``), whose role and scope are checked exactly as the
web and the API check them. The CLI does not ask for her password: whoever may run it
holds the database anyway (docs/security.md, "Maker-checker from the CLI")."""

from __future__ import annotations

from typing import Annotated

import typer

from kuza.adapters.db.engine import Database
from kuza.domain.access import Principal
from kuza.domain.approvals import may_decide_loans
from kuza.domain.errors import NotFound, RuleViolation
from kuza.services import users
from kuza.services.loans.views import loan_group

Account = Annotated[
    str, typer.Option("--actor", help="Your login (kuza user create): its role and scope count.")
]


def account(db: Database, username: str) -> Principal:
    found = users.active_account(db, username)
    if found is None:
        raise NotFound(
            f"no active login {username!r}: --actor names a user account (kuza user create)",
            field="actor",
        )
    return found


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
