"""The audit trail: every change says who, when, what, and before/after."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert

from kuza.adapters.db.schema import audit_log
from kuza.services.ledger import now


def record(
    conn: Connection,
    programme_id: int,
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
