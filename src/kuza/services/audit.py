"""The audit trail: every change says who, when, what, and before/after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import audit_log
from kuza.services.ledger import now


def record(
    conn: Connection,
    programme_id: int | None,
    actor: str,
    action: str,
    object_kind: str,
    object_id: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    conn.execute(
        insert(audit_log).values(
            programme_id=programme_id,
            at=now(),
            actor=actor,
            action=action,
            object_kind=object_kind,
            object_id=str(object_id),
            before=before,
            after=after,
        )
    )


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor: str
    action: str
    object_kind: str
    object_id: str
    programme_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def recent(db: Database, limit: int = 50, offset: int = 0) -> tuple[list[AuditRow], int]:
    """The newest changes first, a page at a time, and how many there are in all."""
    with db.read() as conn:
        total = int(conn.execute(select(func.count()).select_from(audit_log)).scalar_one())
        rows = conn.execute(
            select(audit_log).order_by(audit_log.c.id.desc()).limit(limit).offset(offset)
        ).all()
    return [
        AuditRow(
            r.id,
            r.at,
            r.actor,
            r.action,
            r.object_kind,
            r.object_id,
            r.programme_id,
            r.before,
            r.after,
        )
        for r in rows
    ], total
