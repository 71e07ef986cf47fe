"""``kuza approval list|approve|reject``: the checker's side of maker-checker. The CLI's
share-outs, write-offs, repayment reversals and meeting corrections are submitted as
pending actions (``kuza.services.approvals``), exactly as from the web: nothing is booked
until another login whose role checks approves them here, or in ``/approvals``."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from kuza.adapters.db.engine import Database
from kuza.cli.accounts import Account, account, allowed, seeing_group, seeing_loan
from kuza.cli.common import DateOpt, console, domain_errors, parse_choice, today_or
from kuza.domain.access import Principal, sees_group_pages
from kuza.domain.approvals import PendingKind, PendingStatus, may_check, may_submit
from kuza.domain.errors import NotFound
from kuza.services import approvals, users

app = typer.Typer(no_args_is_help=True, help="Maker-checker: actions waiting for a checker.")


def _visible(db: Database, user: Principal, action_id: int) -> None:
    """An action on a group she does not see reads as absent (the web's 404)."""
    gid = approvals.action_group(db, action_id)
    if gid is None or not users.can_see_group(db, user, gid):
        raise NotFound(f"no pending action {action_id}", field="action_id")


@app.command("list")
def list_actions(
    actor: Account,
    status: Annotated[str, typer.Option(help="pending, approved, rejected or all.")] = "pending",
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
) -> None:
    """Actions on the groups your login sees, oldest waiting first."""
    with domain_errors():
        db = Database()
        user = account(db, actor)
        allowed(sees_group_pages(user), "read pending actions", user)
        wanted = None if status == "all" else parse_choice(PendingStatus, status, "status")
        rows, total = approvals.actions(db, users.group_scope(user), wanted, limit=limit)
    console.print(f"{total} action(s)", highlight=False)
    for r in rows:
        what = (r.payload if r.kind is not PendingKind.MEETING_CORRECTION
                else {"held_on": r.payload.get("sheet", {}).get("held_on")})  # fmt: skip
        checked = f", {r.status.value} by {r.checked_by}" if r.checked_by else ""
        console.print(
            f"{r.id}  {r.kind.value}  {r.status.value}  group {r.group}  {json.dumps(what)}"
            f"  made by {r.made_by}{checked}  reason: {r.reason}",
            highlight=False, markup=False, soft_wrap=True,
        )  # fmt: skip


@app.command("approve")
def approve(action_id: int, actor: Account, today: DateOpt = None) -> None:
    """Run the action as you (a checker, not who submitted it); refused, it stays pending."""
    with domain_errors():
        db = Database()
        user = account(db, actor)
        allowed(may_check(user.role), "approve or reject pending actions", user)
        _visible(db, user, action_id)
        result = approvals.approve(
            db, action_id, user.username, user.role, today_or(today), user.programme_id
        )
    console.print(f"action {action_id} approved and booked: {json.dumps(result)}")


@app.command("reject")
def reject(
    action_id: int,
    actor: Account,
    reason: Annotated[str, typer.Option(help="Why (kept in the audit trail).")],
) -> None:
    """Refuse the action: nothing is booked."""
    with domain_errors():
        db = Database()
        user = account(db, actor)
        allowed(may_check(user.role), "approve or reject pending actions", user)
        _visible(db, user, action_id)
        approvals.reject(db, action_id, user.username, user.role, reason, user.programme_id)
    console.print(f"action {action_id} rejected: nothing was booked")


def submit(
    db: Database,
    user: Principal,
    kind: PendingKind,
    payload: dict[str, object],
    reason: str,
    today_raw: str | None,
) -> str:
    """Submit for a checker as ``user``, checked as the web checks her: the role first,
    then that she sees the group or loan; the line to print."""
    what = kind.value.replace("_", " ")
    allowed(may_submit(kind, user.role), f"submit a {what}", user)
    loan_id = payload.get("loan_id")
    if isinstance(loan_id, int):
        seeing_loan(db, user, loan_id)
    else:
        sheet = payload.get("sheet")
        gid = sheet.get("group_id") if isinstance(sheet, dict) else payload.get("group_id")
        if isinstance(gid, int) and not isinstance(gid, bool):
            seeing_group(db, user, gid)
    action_id = approvals.submit(
        db, kind, dict(payload), reason, user.username, user.role, today_or(today_raw),
        user.programme_id,
    )  # fmt: skip
    return (
        f"{what} submitted as action {action_id}: nothing is booked until another user "
        f"approves it (kuza approval approve {action_id} --actor CHECKER)"
    )
