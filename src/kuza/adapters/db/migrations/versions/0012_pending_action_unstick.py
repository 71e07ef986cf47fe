"""pending actions: rows left 'running' by a crashed approval are settled

Before this revision an approval claimed the row (pending -> running) in one transaction,
ran the command in a second and marked the row approved in a third, so a crash in
between left it running for ever, whether or not the command had committed. Approval is
now one transaction and never commits 'running'. Each row still running is settled here:
approved when its effect is in the books (a share-out of that group on that date, a
written-off loan), otherwise back to pending. A meeting correction goes back to pending
either way: approving it again is refused with "the correction changes nothing" when it
had in fact run, so it cannot book twice.

Revision ID: 0012_pending_action_unstick
Revises: 0011_loan_accrual
Create Date: 2026-12-02 15:45:00
"""

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0012_pending_action_unstick"
down_revision = "0011_loan_accrual"
branch_labels = None
depends_on = None

pending_action = sa.table(
    "pending_action",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("group_id", sa.Integer),
    sa.column("payload", sa.JSON),
    sa.column("status", sa.String),
    sa.column("checked_by", sa.String),
    sa.column("checked_at", sa.DateTime(timezone=True)),
    sa.column("result", sa.JSON),
)
share_out = sa.table(
    "share_out",
    sa.column("id", sa.Integer),
    sa.column("group_id", sa.Integer),
    sa.column("on_date", sa.Date),
    sa.column("entry_id", sa.Integer),
)
loan = sa.table("loan", sa.column("id", sa.Integer), sa.column("status", sa.String))


def _booked(conn: sa.Connection, kind: str, group_id: int, p: dict[str, Any]) -> Any:
    """What the command booked, or None when it did not run."""
    if kind == "share_out":
        try:
            on = dt.date.fromisoformat(str(p.get("on")))
        except ValueError:
            return None
        done = conn.execute(
            sa.select(share_out.c.id, share_out.c.entry_id).where(
                share_out.c.group_id == group_id, share_out.c.on_date == on
            )
        ).first()
        return None if done is None else {"share_out_id": done.id, "entry_id": done.entry_id}
    if kind == "write_off" and isinstance(p.get("loan_id"), int):
        status = conn.execute(sa.select(loan.c.status).where(loan.c.id == p["loan_id"])).scalar()
        return {"loan_id": p["loan_id"]} if status in ("written_off", "recovered") else None
    return None


def upgrade() -> None:
    conn = op.get_bind()
    stuck = conn.execute(
        sa.select(
            pending_action.c.id,
            pending_action.c.kind,
            pending_action.c.group_id,
            pending_action.c.payload,
        ).where(pending_action.c.status == "running")
    ).all()
    for row in stuck:
        payload = json.loads(row.payload) if isinstance(row.payload, str) else row.payload
        booked = _booked(conn, row.kind, row.group_id, payload or {})
        values: dict[str, Any] = {"status": "pending"}
        if booked is not None:
            values = {
                "status": "approved",
                "checked_by": "(unknown: settled by migration 0012)",
                "checked_at": dt.datetime.now(dt.UTC),
                "result": booked,
            }
        conn.execute(
            sa.update(pending_action).where(pending_action.c.id == row.id).values(**values)
        )


def downgrade() -> None:
    pass  # 'running' was never a state worth coming back to
