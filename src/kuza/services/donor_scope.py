"""The scope a donor funds: her programme, optionally narrowed to branches and/or value
chains. Read by ``kuza.reports.dashboard.scope_for``; set here, audited."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Connection, delete, insert, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import branch, donor_scope, user_account, value_chain
from kuza.domain.access import Role
from kuza.domain.errors import DomainError, NotFound
from kuza.services import audit


def _check_ids(
    conn: Connection, pid: int, branch_ids: Collection[int], value_chain_ids: Collection[int]
) -> None:
    for table, ids, name in (
        (branch, branch_ids, "branch_ids"),
        (value_chain, value_chain_ids, "value_chain_ids"),
    ):
        known = set(
            conn.execute(
                select(table.c.id).where(table.c.programme_id == pid, table.c.id.in_(ids))
            ).scalars()
        )
        unknown = sorted(set(ids) - known)
        if unknown:
            raise NotFound("not in this programme: %(unknown)s", field=name, unknown=unknown)


def check_scope(
    db: Database,
    programme_id: int,
    branch_ids: Collection[int] = (),
    value_chain_ids: Collection[int] = (),
) -> None:
    """Refuse (NotFound, naming the field) branches or value chains of another
    programme, before an account is made with this scope."""
    with db.read() as conn:
        _check_ids(conn, programme_id, branch_ids, value_chain_ids)


def _key(row: dict[str, int | None]) -> tuple[int, int]:
    return (row["branch_id"] or 0, row["value_chain_id"] or 0)


def set_donor_scope(
    db: Database,
    user_id: int,
    branch_ids: Collection[int] = (),
    value_chain_ids: Collection[int] = (),
    actor: str = "system",
) -> None:
    """Replace the donor's restrictions; none left means the whole programme."""
    with db.transaction() as conn:
        who = conn.execute(
            select(user_account.c.role, user_account.c.programme_id).where(
                user_account.c.id == user_id
            )
        ).first()
        if who is None:
            raise NotFound("no user %(user_id)s", field="user_id", user_id=user_id)
        if who.role != Role.DONOR.value or who.programme_id is None:
            raise DomainError("only a donor of a programme has a funded scope", "role")
        replace_scope(conn, int(who.programme_id), user_id, branch_ids, value_chain_ids, actor)


def replace_scope(
    conn: Connection,
    pid: int | None,
    user_id: int,
    branch_ids: Collection[int],
    value_chain_ids: Collection[int],
    actor: str,
) -> None:
    """Inside the caller's transaction: the user's scope rows become these (checked to
    be of programme ``pid``); audited when they change. Empty clears the scope, which
    is what an account that stops being a donor needs."""
    if pid is not None:
        _check_ids(conn, pid, branch_ids, value_chain_ids)
    before = [
        {"branch_id": r.branch_id, "value_chain_id": r.value_chain_id}
        for r in conn.execute(select(donor_scope).where(donor_scope.c.user_id == user_id))
    ]
    rows = [{"branch_id": b, "value_chain_id": None} for b in sorted(set(branch_ids))]
    rows += [{"branch_id": None, "value_chain_id": v} for v in sorted(set(value_chain_ids))]
    if pid is None and rows:
        raise DomainError("only a donor of a programme has a funded scope", "role")
    conn.execute(delete(donor_scope).where(donor_scope.c.user_id == user_id))
    for row in rows:
        conn.execute(insert(donor_scope).values(programme_id=pid, user_id=user_id, **row))
    if sorted(map(_key, before)) != sorted(map(_key, rows)):
        audit.record(
            conn, pid, actor, "donor_scope", "user_account", user_id, {"scope": before},
            {"scope": rows},
        )  # fmt: skip
