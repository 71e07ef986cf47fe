"""Maker-checker as stored commands (``pending_action``): a maker submits a meeting
correction, a share-out, a write-off or the reversal of a repayment with its JSON
payload; another user whose role checks approves it, and only then the real service runs
(``meetings.correct_meeting``, ``shareout.share_out``, ``loans.writeoff.write_off``,
``loans.reversals.reverse_repayment``), with the checker as its actor. A
rejection runs nothing. Submitting, approving and rejecting are each audited.

Approval claims the row, runs the command and marks the row approved in one
transaction: a refusal, a crash or a lost connection anywhere rolls all of it back, so
the action is still pending with nothing booked, to be approved again (once) or
rejected. Two checkers approving at once queue on the row (PostgreSQL row lock; SQLite's
write lock from BEGIN IMMEDIATE); the second finds it approved and is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import pending_action, savings_group
from kuza.adapters.db.scoping import Groups, in_groups
from kuza.domain.access import Role
from kuza.domain.approvals import PendingKind, PendingStatus, check_checker, may_submit
from kuza.domain.errors import Conflict, DomainError, NotFound, RuleViolation
from kuza.services import audit, meetings, shareout
from kuza.services.groups import load_group
from kuza.services.ledger import now
from kuza.services.loans import reversals, writeoff
from kuza.services.loans.store import load_loan

OPEN = (PendingStatus.PENDING.value,)


@dataclass(frozen=True)
class PendingRow:
    id: int
    kind: PendingKind
    status: PendingStatus
    group_id: int | None
    group: str
    payload: dict[str, Any]
    reason: str
    made_by: str
    made_at: datetime
    checked_by: str
    checked_at: datetime | None
    result: dict[str, Any] | None


def _day(raw: object, name: str = "on") -> date:
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise DomainError("%(name)s is not a date like 2026-03-02", field=name, name=name) from None


def _same_target(kind: PendingKind, a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    if kind is PendingKind.WRITE_OFF:
        return bool(a.get("loan_id") == b.get("loan_id"))
    if kind is PendingKind.REPAYMENT_REVERSAL:
        return bool(a.get("loan_id") == b.get("loan_id"))  # the latest first, one at a time
    if kind is PendingKind.MEETING_CORRECTION:
        return bool(a.get("sheet", {}).get("held_on") == b.get("sheet", {}).get("held_on"))
    return True  # one share-out of a group at a time


def _target(conn: Connection, kind: PendingKind, payload: dict[str, Any]) -> tuple[int, int]:
    """(programme, group) the action is about; refuses a payload it cannot run."""
    if kind in (PendingKind.WRITE_OFF, PendingKind.REPAYMENT_REVERSAL):
        row = load_loan(conn, payload.get("loan_id"), lock=False)
        return int(row.programme_id), int(row.group_id)
    if kind is PendingKind.SHARE_OUT:
        gid = payload.get("group_id")
    else:
        sheet = payload.get("sheet")
        gid = sheet.get("group_id") if isinstance(sheet, Mapping) else None
    if isinstance(gid, bool) or not isinstance(gid, int):
        raise DomainError("group_id must be a whole number", field="group_id")
    group = load_group(conn, gid)
    return group.programme_id, group.id


def _check(conn: Connection, kind: PendingKind, payload: dict[str, Any], today: date) -> None:
    """Refuse, when it is submitted, what the command would refuse for reasons already
    known (a date in the future, an unknown reference, a loan or group whose state does
    not allow it), so no doomed action waits in the checkers' queue. Approval checks all
    of it again: the books may move in between."""
    if kind is PendingKind.WRITE_OFF:
        row = load_loan(conn, payload.get("loan_id"), lock=False)
        writeoff.check_write_off(row, _day(payload.get("on")), today)
    elif kind is PendingKind.REPAYMENT_REVERSAL:
        on = _day(payload.get("on"))
        if on > today:
            raise RuleViolation("%(on)s is in the future", field="on", on=on)
        row, tx = reversals.reversible_repayment(
            conn, payload.get("loan_id"), payload.get("reference"), lock=False
        )
        reversals.check_reversal(conn, row, tx, on)
    elif kind is PendingKind.SHARE_OUT:
        shareout.check_share_out(conn, payload["group_id"], _day(payload.get("on")), today)
    else:
        meetings.check_correction(conn, payload.get("sheet"), today)


def submit(
    db: Database,
    kind: PendingKind,
    payload: dict[str, Any],
    reason: str,
    maker: str,
    role: Role,
    today: date,
    programme_id: int | None = None,
) -> int:
    """Store the command for a checker; returns its id. One open action per target."""
    if not may_submit(kind, role):
        raise RuleViolation(
            "a %(role)s cannot submit a %(kind)s", field="role", role=role.value, kind=kind.value
        )
    if kind is not PendingKind.SHARE_OUT and not reason.strip():
        raise DomainError("say why", field="reason")
    with db.transaction() as conn:
        pid, gid = _target(conn, kind, payload)
        if programme_id is not None and pid != programme_id:
            raise NotFound("no such group or loan", field="group_id")
        _check(conn, kind, payload, today)
        open_ones = conn.execute(
            select(pending_action.c.id, pending_action.c.payload).where(
                pending_action.c.kind == kind.value,
                pending_action.c.group_id == gid,
                pending_action.c.status.in_(OPEN),
            )
        ).all()
        for other in open_ones:
            if _same_target(kind, other.payload, payload):
                raise Conflict(
                    "this %(value)s is already waiting for approval (action %(id)s)",
                    field="kind",
                    value=kind.value.replace("_", " "),
                    id=other.id,
                )
        values = {
            "programme_id": pid,
            "kind": kind.value,
            "group_id": gid,
            "payload": payload,
            "reason": reason.strip(),
            "status": PendingStatus.PENDING.value,
            "made_by": maker,
            "made_at": now(),
        }
        action_id = int(
            conn.execute(
                insert(pending_action).values(**values).returning(pending_action.c.id)
            ).scalar_one()
        )
        audit.record(
            conn,
            pid,
            maker,
            "submit",
            "pending_action",
            action_id,
            None,
            {"kind": kind.value, "group_id": gid, "payload": payload, "reason": reason},
        )
        return action_id


def _load(conn: Connection, action_id: int, programme_id: int | None, lock: bool = False) -> Any:
    query = select(pending_action).where(pending_action.c.id == action_id)
    if programme_id is not None:
        query = query.where(pending_action.c.programme_id == programme_id)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise NotFound("no pending action %(action_id)s", field="action_id", action_id=action_id)
    return row


def _still_pending(row: Any) -> None:
    if row.status != PendingStatus.PENDING.value:
        raise Conflict(
            "action %(id)s is already %(status)s", field="action_id", id=row.id, status=row.status
        )


def _run(conn: Connection, row: Any, checker: str, role: Role, today: date) -> dict[str, Any]:
    """The stored command, inside the approval's transaction."""
    p = row.payload
    if row.kind == PendingKind.SHARE_OUT.value:
        done = shareout.share_out_in(conn, row.group_id, _day(p.get("on")), checker, today)
        return {"share_out_id": done.share_out_id, "entry_id": done.entry_id}
    if row.kind == PendingKind.WRITE_OFF.value:
        on = _day(p.get("on"))
        amount = writeoff.write_off_in(
            conn, p["loan_id"], on, row.reason, checker, role.value, today
        )
        return {"loan_id": p["loan_id"], "written_off": str(amount.amount)}
    if row.kind == PendingKind.REPAYMENT_REVERSAL.value:
        undone = reversals.reverse_repayment_in(
            conn, p["loan_id"], p["reference"], _day(p.get("on")), row.reason, checker, today
        )
        return {"loan_id": undone.loan_id, "reversed": str(undone.amount.amount),
                "entry_id": undone.entry_id, "status": undone.status.value}  # fmt: skip
    posted = meetings.correct_meeting_in(conn, p.get("sheet"), row.reason, checker, today)
    return {"meeting_id": posted.meeting_id, "entry_id": posted.entry_id}


def approve(
    db: Database,
    action_id: int,
    checker: str,
    role: Role,
    today: date,
    programme_id: int | None = None,
) -> dict[str, Any]:
    """Run the stored command as the checker; returns what it booked. One transaction:
    if anything fails the action stays pending and nothing is booked."""
    with db.transaction() as conn:
        row = _load(conn, action_id, programme_id, lock=True)
        _still_pending(row)
        check_checker(row.made_by, checker, role)
        result = _run(conn, row, checker, role, today)
        done = conn.execute(
            update(pending_action)
            .where(
                pending_action.c.id == row.id,
                pending_action.c.status == PendingStatus.PENDING.value,
            )
            .values(
                status=PendingStatus.APPROVED.value,
                checked_by=checker,
                checked_at=now(),
                result=result,
            )
        ).rowcount
        if done != 1:  # cannot happen while the row is held; refuse rather than book twice
            raise Conflict(
                "action %(id)s is being approved by someone else", "action_id", id=row.id
            )
        audit.record(
            conn,
            row.programme_id,
            checker,
            "approve",
            "pending_action",
            row.id,
            {"status": row.status, "made_by": row.made_by},
            {"status": PendingStatus.APPROVED.value, "kind": row.kind, "result": result},
        )
    return result


def reject(
    db: Database,
    action_id: int,
    checker: str,
    role: Role,
    reason: str,
    programme_id: int | None = None,
) -> None:
    if not reason.strip():
        raise DomainError("say why the action is rejected", field="reason")
    with db.transaction() as conn:
        row = _load(conn, action_id, programme_id, lock=True)
        _still_pending(row)
        check_checker(row.made_by, checker, role)
        done = conn.execute(
            update(pending_action)
            .where(
                pending_action.c.id == row.id,
                pending_action.c.status == PendingStatus.PENDING.value,
            )
            .values(
                status=PendingStatus.REJECTED.value,
                checked_by=checker,
                checked_at=now(),
                result={"rejected": reason.strip()},
            )
        ).rowcount
        if done != 1:
            raise Conflict(
                "action %(id)s is being approved by someone else", "action_id", id=row.id
            )
        audit.record(
            conn,
            row.programme_id,
            checker,
            "reject",
            "pending_action",
            row.id,
            {"status": row.status, "made_by": row.made_by},
            {"status": PendingStatus.REJECTED.value, "reason": reason.strip()},
        )


def action_group(db: Database, action_id: int) -> int | None:
    """The group an action is about (for the scope check); None if there is none."""
    with db.read() as conn:
        found = conn.execute(
            select(pending_action.c.group_id).where(pending_action.c.id == action_id)
        ).scalar()
    return None if found is None else int(found)


def actions(
    db: Database,
    only: Groups,
    status: PendingStatus | None = PendingStatus.PENDING,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[PendingRow], int]:
    """A page of actions on the groups given (None: all), oldest waiting first."""
    p = pending_action.c
    query = select(pending_action, savings_group.c.name.label("group_name")).outerjoin(
        savings_group, savings_group.c.id == p.group_id
    )
    count = select(func.count()).select_from(pending_action)
    scope = in_groups(p.group_id, only)
    if scope is not None:
        query = query.where(scope)
        count = count.where(scope)
    if status is not None:
        query = query.where(p.status == status.value)
        count = count.where(p.status == status.value)
    query = query.order_by(p.made_at, p.id).limit(limit).offset(offset)
    with db.read() as conn:
        rows = conn.execute(query).all()
        total = int(conn.execute(count).scalar_one())
    return [_pending_row(r) for r in rows], total


def _pending_row(r: Any) -> PendingRow:
    return PendingRow(
        r.id,
        PendingKind(r.kind),
        PendingStatus(r.status),
        r.group_id,
        r.group_name or "",
        dict(r.payload),
        r.reason,
        r.made_by,
        r.made_at,
        r.checked_by or "",
        r.checked_at,
        r.result,
    )


def action(db: Database, action_id: int) -> PendingRow:
    """One action, whatever its status."""
    query = (
        select(pending_action, savings_group.c.name.label("group_name"))
        .outerjoin(savings_group, savings_group.c.id == pending_action.c.group_id)
        .where(pending_action.c.id == action_id)
    )
    with db.read() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise NotFound("no pending action %(action_id)s", field="action_id", action_id=action_id)
    return _pending_row(row)
