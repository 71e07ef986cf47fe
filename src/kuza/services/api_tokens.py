"""Bearer tokens for the HTTP API: issued after a password check, kept only as a hash.

A token is 32 random bytes; the database holds its SHA-256, so a copy of the database
does not give API access. Tokens expire, and a deactivated user's tokens stop at once
(the account is re-read on every request).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import api_token
from kuza.domain.access import Principal
from kuza.services import users
from kuza.services.ledger import now

TOKEN_PREFIX = "kz_"
TOKEN_HOURS = 24 * 7


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(db: Database, user_id: int, hours: int = TOKEN_HOURS) -> IssuedToken:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    at = now()
    expires = at + timedelta(hours=hours)
    with db.transaction() as conn:
        conn.execute(
            insert(api_token).values(
                user_id=user_id, token_hash=_digest(token), created_at=at, expires_at=expires
            )
        )
    return IssuedToken(token, expires)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=now().tzinfo)


def principal_for(db: Database, token: str) -> Principal | None:
    """The active user a valid token belongs to; None for unknown, expired or revoked."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    with db.read() as conn:
        row = conn.execute(
            select(api_token.c.user_id, api_token.c.expires_at).where(
                api_token.c.token_hash == _digest(token), api_token.c.revoked_at.is_(None)
            )
        ).first()
    if row is None or _aware(row.expires_at) <= now():
        return None
    return users.load_principal(db, row.user_id)


def revoke(db: Database, token: str) -> bool:
    with db.transaction() as conn:
        done = conn.execute(
            update(api_token)
            .where(api_token.c.token_hash == _digest(token), api_token.c.revoked_at.is_(None))
            .values(revoked_at=now())
        )
    return bool(done.rowcount)
