"""Login accounts: create, authenticate, and which groups a user may see.

Passwords are hashed with Argon2id (argon2-cffi defaults). Authentication answers an
unknown username, a wrong password and an inactive account with the same error after
the same amount of hashing work, so the login form does not reveal who has an account.
"""

from __future__ import annotations

import contextlib
import re
import secrets
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, insert, select, update

from kuza.adapters.db import scoping
from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    api_token,
    branch,
    field_agent,
    membership,
    savings_group,
    user_account,
)
from kuza.domain.access import (
    GroupFilter,
    LoginFailed,
    Principal,
    Role,
    check_assignment,
    group_filter,
)
from kuza.domain.errors import Conflict, DomainError, NotFound
from kuza.services import audit, donor_scope
from kuza.services.ledger import now
from kuza.services.programmes import programme_row

MIN_PASSWORD_LENGTH = 10
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,59}$")
LOCALE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")

_hasher = PasswordHasher()
_dummy_hash: str | None = None


@dataclass(frozen=True)
class NewUser:
    username: str
    role: Role
    password: str
    display_name: str = ""
    programme_id: int | None = None
    branch_id: int | None = None
    agent_id: int | None = None
    locale: str = "en"


@dataclass(frozen=True)
class Assignment:
    """What an account's scope is built from (see :func:`kuza.domain.access.group_filter`)."""

    role: Role
    programme_id: int | None = None
    branch_id: int | None = None
    agent_id: int | None = None


def _dummy() -> str:
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash(secrets.token_urlsafe(16))
    return _dummy_hash


def _audit(
    conn: Connection,
    programme_id: int | None,
    actor: str,
    action: str,
    uid: int,
    before: dict[str, Any] | None,
    after: dict[str, Any],
) -> None:
    audit.record(conn, programme_id, actor, action, "user_account", uid, before, after)


def _check_password(password: str, weak_ok: bool) -> None:
    if not password:
        raise DomainError("a password is required", field="password")
    if not weak_ok and len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            "the password must have at least %(min_password_length)s characters",
            "password",
            min_password_length=MIN_PASSWORD_LENGTH,
        )


def _check_places(conn: Connection, new: NewUser | Assignment) -> int | None:
    """Branch and agent must belong to the programme; returns the agent's branch."""
    if new.programme_id is None:
        return None
    programme_row(conn, new.programme_id)
    if new.branch_id is not None:
        found = conn.execute(
            select(branch.c.id).where(
                branch.c.id == new.branch_id, branch.c.programme_id == new.programme_id
            )
        ).first()
        if found is None:
            raise NotFound(
                "no branch %(branch_id)s in this programme",
                field="branch_id",
                branch_id=new.branch_id,
            )
    if new.agent_id is None:
        return new.branch_id
    agent_branch = conn.execute(
        select(field_agent.c.branch_id).where(
            field_agent.c.id == new.agent_id, field_agent.c.programme_id == new.programme_id
        )
    ).scalar()
    if agent_branch is None:
        raise NotFound(
            "no field agent %(agent_id)s in this programme", field="agent_id", agent_id=new.agent_id
        )
    if new.branch_id is not None and new.branch_id != agent_branch:
        raise DomainError(
            "agent %(agent_id)s works in another branch", field="branch_id", agent_id=new.agent_id
        )
    return int(agent_branch)


def create_user(
    db: Database,
    new: NewUser,
    actor: str = "system",
    *,
    weak_password_ok: bool = False,
    branch_ids: Collection[int] = (),
    value_chain_ids: Collection[int] = (),
) -> int:
    """Create a login (a donor with her funded scope, in the same transaction).
    ``weak_password_ok`` is for the demo loader only."""
    username = new.username.strip().lower()
    if not USERNAME.match(username):
        raise DomainError(
            "username: 2 to 60 lowercase letters, digits, dots, dashes or underscores",
            field="username",
        )
    if not LOCALE.match(new.locale):
        raise DomainError(
            "locale %(locale)s is not like 'en' or 'fr-MG'",
            field="locale",
            locale=repr(new.locale),
        )
    check_assignment(new.role, new.programme_id, new.branch_id, new.agent_id)
    if new.role is not Role.DONOR and (branch_ids or value_chain_ids):
        raise DomainError("only a donor has a funded scope", field="branch_ids")
    _check_password(new.password, weak_password_ok)
    password_hash = _hasher.hash(new.password)
    with db.transaction() as conn:
        branch_id = _check_places(conn, new)
        taken = conn.execute(
            select(user_account.c.id).where(user_account.c.username == username)
        ).first()
        if taken is not None:
            raise Conflict(
                "the username %(username)s is taken", field="username", username=repr(username)
            )
        uid = conn.execute(
            insert(user_account)
            .values(
                programme_id=new.programme_id,
                branch_id=branch_id,
                agent_id=new.agent_id,
                username=username,
                display_name=new.display_name.strip() or username,
                role=new.role.value,
                password_hash=password_hash,
                active=True,
                locale=new.locale,
                created_at=now(),
            )
            .returning(user_account.c.id)
        ).scalar_one()
        _audit(
            conn,
            new.programme_id,
            actor,
            "create",
            int(uid),
            None,
            {
                "username": username,
                "role": new.role.value,
                "branch_id": branch_id,
                "agent_id": new.agent_id,
            },
        )
        if branch_ids or value_chain_ids:
            pid = new.programme_id if new.role is Role.DONOR else None
            donor_scope.replace_scope(conn, pid, int(uid), branch_ids, value_chain_ids, actor)
        return int(uid)


def _principal(row: Any) -> Principal:
    return Principal(
        user_id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role),
        programme_id=row.programme_id,
        branch_id=row.branch_id,
        agent_id=row.agent_id,
    )


def authenticate(db: Database, username: str, password: str) -> Principal:
    """The principal for a correct username and password; :class:`LoginFailed` otherwise."""
    with db.read() as conn:
        row = conn.execute(
            select(user_account).where(user_account.c.username == username.strip().lower())
        ).first()
    ok = False
    with contextlib.suppress(VerificationError, InvalidHashError):
        ok = _hasher.verify(row.password_hash if row is not None else _dummy(), password)
    if row is None or not ok or not row.active:
        raise LoginFailed()
    return _principal(row)


def load_principal(db: Database, user_id: int) -> Principal | None:
    """The principal of an active account, or None (deleted or deactivated meanwhile)."""
    with db.read() as conn:
        row = conn.execute(
            select(user_account).where(user_account.c.id == user_id, user_account.c.active)
        ).first()
    return None if row is None else _principal(row)


def set_active(db: Database, username: str, active: bool, actor: str = "system") -> None:
    """Deactivate (or reactivate) an account; an open session ends at its next request."""
    with db.transaction() as conn:
        row = _account(conn, username)
        conn.execute(update(user_account).where(user_account.c.id == row.id).values(active=active))
        _audit(
            conn,
            row.programme_id,
            actor,
            "set_active",
            row.id,
            {"active": row.active},
            {"active": active},
        )


def _account(conn: Connection, username: str) -> Any:
    row = conn.execute(
        select(user_account).where(user_account.c.username == username.strip().lower())
    ).first()
    if row is None:
        raise NotFound("no user %(username)s", field="username", username=repr(username))
    return row


def change_assignment(
    db: Database,
    username: str,
    new: Assignment,
    actor: str = "system",
    *,
    branch_ids: Collection[int] = (),
    value_chain_ids: Collection[int] = (),
) -> None:
    """Give an account another role and scope (and a donor her funded scope), in one
    transaction; what she sees changes at her next request. A scope left over from an
    earlier donor role is cleared."""
    check_assignment(new.role, new.programme_id, new.branch_id, new.agent_id)
    if new.role is not Role.DONOR and (branch_ids or value_chain_ids):
        raise DomainError("only a donor has a funded scope", field="branch_ids")
    with db.transaction() as conn:
        row = _account(conn, username)
        branch_id = _check_places(conn, new)
        after = {
            "role": new.role.value,
            "programme_id": new.programme_id,
            "branch_id": branch_id,
            "agent_id": new.agent_id,
        }
        conn.execute(update(user_account).where(user_account.c.id == row.id).values(**after))
        before = {k: getattr(row, k) for k in after}
        if before != after:
            _audit(conn, new.programme_id, actor, "set_role", row.id, before, after)
        pid = new.programme_id if new.role is Role.DONOR else None
        donor_scope.replace_scope(conn, pid, row.id, branch_ids, value_chain_ids, actor)


def set_password(
    db: Database, username: str, password: str, actor: str = "system", *, weak_ok: bool = False
) -> int:
    """A new password, set by an admin; the account's API tokens are revoked (a reset is
    often because the old one leaked). Returns how many tokens were revoked. The audit
    row says that the password changed, never what to."""
    _check_password(password, weak_ok)
    password_hash = _hasher.hash(password)
    with db.transaction() as conn:
        row = _account(conn, username)
        conn.execute(
            update(user_account)
            .where(user_account.c.id == row.id)
            .values(password_hash=password_hash)
        )
        revoked = conn.execute(
            update(api_token)
            .where(api_token.c.user_id == row.id, api_token.c.revoked_at.is_(None))
            .values(revoked_at=now())
        ).rowcount
        _audit(
            conn,
            row.programme_id,
            actor,
            "set_password",
            row.id,
            {"password": "old"},
            {"password": "new", "api_tokens_revoked": revoked},
        )
        return int(revoked)


def group_scope(p: Principal) -> GroupFilter | None:
    """The groups this user sees, as the lists take them (``only``): a filter the
    database resolves in the list's own query, never a list of ids; None for an admin
    (every group, and the records tied to none)."""
    return None if p.role is Role.ADMIN else group_filter(p)


def can_see_group(db: Database, p: Principal, group_id: int) -> bool:
    """False both for a group out of scope and for one that does not exist."""
    f = group_filter(p)
    if f.nothing:
        return False
    query = scoping.filter_groups(
        select(savings_group.c.id).where(savings_group.c.id == group_id), f
    )
    with db.read() as conn:
        return conn.execute(query).first() is not None


def visible_groups(db: Database, p: Principal, group_ids: Iterable[int]) -> set[int]:
    """The ids among ``group_ids`` this user may see, in one query (a sync batch)."""
    wanted = set(group_ids)
    f = group_filter(p)
    if f.nothing or not wanted:
        return set()
    query = scoping.filter_groups(
        select(savings_group.c.id).where(savings_group.c.id.in_(wanted)), f
    )
    with db.read() as conn:
        return set(conn.execute(query).scalars())


def can_see_member(db: Database, p: Principal, member_id: int) -> bool:
    """True when the member belongs (or belonged) to a group this user may see; False
    alike for a hidden and an absent member, so ids cannot be probed."""
    f = group_filter(p)
    if f.nothing:
        return False
    query = scoping.filter_groups(
        select(savings_group.c.id)
        .join(membership, membership.c.group_id == savings_group.c.id)
        .where(membership.c.member_id == member_id),
        f,
    )
    with db.read() as conn:
        return conn.execute(query.limit(1)).first() is not None


def set_locale(db: Database, user_id: int, locale: str) -> None:
    """The language the user reads Kuza in (e.g. 'en', 'fr')."""
    if not LOCALE.match(locale):
        raise DomainError(
            "locale %(locale)s is not like 'en' or 'fr-MG'", field="locale", locale=repr(locale)
        )
    with db.transaction() as conn:
        row = conn.execute(
            select(user_account.c.locale, user_account.c.programme_id).where(
                user_account.c.id == user_id
            )
        ).first()
        if row is None:
            raise NotFound("no user %(user_id)s", field="user_id", user_id=user_id)
        conn.execute(update(user_account).where(user_account.c.id == user_id).values(locale=locale))
        _audit(
            conn,
            row.programme_id,
            str(user_id),
            "set_locale",
            user_id,
            {"locale": row.locale},
            {"locale": locale},
        )


def locale_of(db: Database, user_id: int) -> str:
    with db.read() as conn:
        found = conn.execute(
            select(user_account.c.locale).where(user_account.c.id == user_id)
        ).scalar()
    return str(found or "en")
