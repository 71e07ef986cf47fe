"""Organisation: programmes, branches, field agents, partners."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select, update

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import branch, field_agent, partner, programme
from kuza.domain.errors import DomainError, NotFound
from kuza.domain.money import minor_units
from kuza.services import audit


def create_programme(
    db: Database,
    code: str,
    name: str,
    country: str,
    currency: str,
    settings: dict[str, Any] | None = None,
    actor: str = "system",
) -> int:
    minor_units(currency)  # refuses unknown currencies
    if len(country) != 2 or not country.isalpha():
        raise DomainError("country must be an ISO 3166 two-letter code", field="country")
    with db.transaction() as conn:
        pid = conn.execute(
            insert(programme)
            .values(
                code=code,
                name=name,
                country=country.upper(),
                currency=currency,
                settings=settings or {},
            )
            .returning(programme.c.id)
        ).scalar_one()
        audit.record(conn, pid, actor, "create", "programme", pid, None, {"code": code})
        return int(pid)


def programme_row(conn: Connection, programme_id: int) -> Any:
    row = conn.execute(select(programme).where(programme.c.id == programme_id)).first()
    if row is None:
        raise NotFound(
            "no programme %(programme_id)s", field="programme_id", programme_id=programme_id
        )
    return row


def create_branch(db: Database, programme_id: int, name: str, actor: str = "system") -> int:
    with db.transaction() as conn:
        programme_row(conn, programme_id)
        bid = conn.execute(
            insert(branch).values(programme_id=programme_id, name=name).returning(branch.c.id)
        ).scalar_one()
        audit.record(conn, programme_id, actor, "create", "branch", bid, None, {"name": name})
        return int(bid)


def create_agent(
    db: Database,
    programme_id: int,
    branch_id: int,
    name: str,
    phone: str | None = None,
    actor: str = "system",
) -> int:
    with db.transaction() as conn:
        aid = conn.execute(
            insert(field_agent)
            .values(programme_id=programme_id, branch_id=branch_id, name=name, phone=phone)
            .returning(field_agent.c.id)
        ).scalar_one()
        audit.record(conn, programme_id, actor, "create", "field_agent", aid, None, {"name": name})
        return int(aid)


def create_partner(
    db: Database, programme_id: int, name: str, kind: str, actor: str = "system"
) -> int:
    with db.transaction() as conn:
        pid = conn.execute(
            insert(partner)
            .values(programme_id=programme_id, name=name, kind=kind)
            .returning(partner.c.id)
        ).scalar_one()
        audit.record(conn, programme_id, actor, "create", "partner", pid, None, {"name": name})
        return int(pid)


def change_settings(
    db: Database, programme_id: int, changes: dict[str, Any], actor: str = "system"
) -> dict[str, Any]:
    """Set top-level programme settings (e.g. ``training``, ``loan_gates``), audited."""
    with db.transaction() as conn:
        before = dict(programme_row(conn, programme_id).settings or {})
        after = before | changes
        conn.execute(update(programme).where(programme.c.id == programme_id).values(settings=after))
        audit.record(
            conn, programme_id, actor, "settings", "programme", programme_id, before, after
        )
        return after
