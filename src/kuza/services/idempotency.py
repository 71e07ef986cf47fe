"""Stored first results of API writes, keyed by user and ``Idempotency-Key``.

The services are idempotent on their own (a meeting by its content, a passbook move by
its reference); this store makes the *HTTP* answer repeatable too: a replay gets the
first response byte for byte, and the same key with another request is refused.
Only successful results are kept: a refused request booked nothing, so retrying it with
the same key simply runs again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import idempotency_record
from kuza.domain.errors import Conflict
from kuza.services.ledger import now


@dataclass(frozen=True)
class StoredResult:
    status_code: int
    body: Any


def request_hash(method: str, path: str, payload: Any) -> str:
    canonical = json.dumps([method.upper(), path, payload], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _mismatch(key: str) -> Conflict:
    return Conflict(
        (
            "Idempotency-Key %(key)s was already used for a different "
            "request; use a new key for a new request"
        ),
        field="Idempotency-Key",
        key=repr(key),
    )


def replay(db: Database, user_id: int, key: str, digest: str) -> StoredResult | None:
    """The stored result for this key, None if there is none; Conflict if the key was
    used for another request."""
    with db.read() as conn:
        row = conn.execute(
            select(idempotency_record).where(
                idempotency_record.c.user_id == user_id, idempotency_record.c.key == key
            )
        ).first()
    if row is None:
        return None
    if row.request_hash != digest:
        raise _mismatch(key)
    return StoredResult(row.status_code, row.body)


def remember(
    db: Database, user_id: int, key: str, digest: str, result: StoredResult
) -> StoredResult:
    """Keep the first result; when a concurrent request stored one first, that one wins."""
    try:
        with db.transaction() as conn:
            conn.execute(
                insert(idempotency_record).values(
                    user_id=user_id,
                    key=key,
                    request_hash=digest,
                    status_code=result.status_code,
                    body=result.body,
                    created_at=now(),
                )
            )
    except IntegrityError:
        first = replay(db, user_id, key, digest)
        if first is None:  # pragma: no cover - the row that conflicted is there
            raise
        return first
    return result
