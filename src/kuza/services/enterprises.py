"""Use cases of members' enterprises: value chains, registration, periodic checks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection, insert, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    enterprise,
    enterprise_check,
    enterprise_owner,
    member,
    value_chain,
)
from kuza.domain.enterprises import EnterpriseStatus, check_sector, profit_band, sectors
from kuza.domain.errors import Conflict, DomainError, NotFound, RuleViolation
from kuza.domain.money import Money
from kuza.services import audit
from kuza.services.programmes import programme_row


def add_value_chain(
    db: Database, programme_id: int, code: str, name: str, actor: str = "system"
) -> int:
    code, name = code.strip(), name.strip()
    if not code:
        raise DomainError("code is required", field="code")
    if len(code) > 60 or any(c.isspace() for c in code):
        raise DomainError("a code has no spaces and at most %(max)s characters", "code", max=60)
    if not name:
        raise DomainError("name is required", field="name")
    if len(name) > 200:
        raise DomainError("a name has at most %(max)s characters", field="name", max=200)
    with db.transaction() as conn:
        programme_row(conn, programme_id)
        exists = conn.execute(
            select(value_chain.c.id).where(
                value_chain.c.programme_id == programme_id, value_chain.c.code == code
            )
        ).scalar()
        if exists is not None:
            raise Conflict("value chain %(code)s already exists", field="code", code=repr(code))
        vid = conn.execute(
            insert(value_chain)
            .values(programme_id=programme_id, code=code, name=name)
            .returning(value_chain.c.id)
        ).scalar_one()
        audit.record(conn, programme_id, actor, "create", "value_chain", vid, None, {"code": code})
        return int(vid)


@dataclass(frozen=True)
class ValueChainRow:
    id: int
    code: str
    name: str


def value_chains(db: Database, programme_id: int) -> list[ValueChainRow]:
    """The programme's value chains by name (a handful: the list is not paged)."""
    with db.read() as conn:
        programme_row(conn, programme_id)
        rows = conn.execute(
            select(value_chain.c.id, value_chain.c.code, value_chain.c.name)
            .where(value_chain.c.programme_id == programme_id)
            .order_by(value_chain.c.name, value_chain.c.id)
        ).all()
    return [ValueChainRow(r.id, r.code, r.name) for r in rows]


def programme_sectors(db: Database, programme_id: int) -> tuple[str, ...]:
    """The sectors an enterprise of this programme may be registered in."""
    with db.read() as conn:
        return sectors(programme_row(conn, programme_id).settings)


def value_chain_id(conn: Connection, programme_id: int, code: str) -> int:
    found = conn.execute(
        select(value_chain.c.id).where(
            value_chain.c.programme_id == programme_id, value_chain.c.code == code
        )
    ).scalar()
    if found is None:
        raise NotFound(
            "no value chain %(code)s in this programme", field="value_chain", code=repr(code)
        )
    return int(found)


def programme_members(conn: Connection, programme_id: int, member_ids: Sequence[int]) -> Any:
    """The member rows, refusing anybody who is not a member of this programme."""
    rows = conn.execute(
        select(member).where(member.c.id.in_(member_ids), member.c.programme_id == programme_id)
    ).all()
    missing = sorted(set(member_ids) - {r.id for r in rows})
    if missing:
        raise NotFound(
            "member(s) %(missing)s are not members of this programme", "member_id", missing=missing
        )
    return rows


@dataclass(frozen=True)
class NewEnterprise:
    name: str
    owner_ids: Sequence[int]
    sector: str
    started_on: date
    location: str = ""
    value_chain: str | None = None
    registered: bool = False
    registration_no: str | None = None
    household_size: int | None = None  # default: the owners' household sizes added
    status: EnterpriseStatus = field(default=EnterpriseStatus.ACTIVE)


def register_enterprise(
    db: Database, programme_id: int, new: NewEnterprise, actor: str = "system"
) -> int:
    if not new.name.strip():
        raise DomainError("name is required", field="name")
    if not new.owner_ids:
        raise DomainError("an enterprise needs at least one owner", field="owner_ids")
    if new.registered and not (new.registration_no or "").strip():
        raise DomainError("a registered enterprise needs its number", "registration_no")
    if new.household_size is not None and new.household_size < 1:
        raise DomainError("household_size must be at least 1", field="household_size")
    with db.transaction() as conn:
        prog = programme_row(conn, programme_id)
        sector = check_sector(new.sector, sectors(prog.settings))
        owners = programme_members(conn, programme_id, list(new.owner_ids))
        chain = value_chain_id(conn, programme_id, new.value_chain) if new.value_chain else None
        household = new.household_size or sum(o.household_size for o in owners)
        eid = conn.execute(
            insert(enterprise)
            .values(
                programme_id=programme_id,
                branch_id=owners[0].branch_id,
                name=new.name.strip(),
                sector=sector,
                value_chain_id=chain,
                started_on=new.started_on,
                location=new.location,
                status=new.status.value,
                registered=new.registered,
                registration_no=new.registration_no,
                household_size=household,
            )
            .returning(enterprise.c.id)
        ).scalar_one()
        conn.execute(
            insert(enterprise_owner),
            [
                {"programme_id": programme_id, "enterprise_id": eid, "member_id": m}
                for m in sorted(set(new.owner_ids))
            ],
        )
        audit.record(
            conn,
            programme_id,
            actor,
            "create",
            "enterprise",
            eid,
            None,
            {"name": new.name, "owners": sorted(set(new.owner_ids)), "sector": sector},
        )
        return int(eid)


def enterprise_row(conn: Connection, enterprise_id: int) -> Any:
    row = conn.execute(select(enterprise).where(enterprise.c.id == enterprise_id)).first()
    if row is None:
        raise NotFound(
            "no enterprise %(enterprise_id)s", field="enterprise_id", enterprise_id=enterprise_id
        )
    return row


def owners_of(conn: Connection, enterprise_id: int) -> set[int]:
    return set(
        conn.execute(
            select(enterprise_owner.c.member_id).where(
                enterprise_owner.c.enterprise_id == enterprise_id
            )
        ).scalars()
    )


def check_enterprise(
    db: Database,
    enterprise_id: int,
    checked_on: date,
    revenue: str,
    costs: str,
    employees: int,
    household_size: int,
    actor: str = "system",
) -> int:
    """The periodic visit: revenue and costs over the last period, employees, household."""
    if employees < 0:
        raise DomainError("employees must not be negative", field="employees")
    if household_size < 1:
        raise DomainError("household_size must be at least 1", field="household_size")
    with db.transaction() as conn:
        e = enterprise_row(conn, enterprise_id)
        if checked_on < e.started_on:
            raise RuleViolation("the check is before the enterprise started", "checked_on")
        cur = programme_row(conn, e.programme_id).currency
        rev = Money.of(revenue, cur, "revenue")
        cost = Money.of(costs, cur, "costs")
        band = profit_band(rev, cost)
        cid = conn.execute(
            insert(enterprise_check)
            .values(
                programme_id=e.programme_id,
                enterprise_id=enterprise_id,
                checked_on=checked_on,
                checked_by=actor,
                currency=cur,
                revenue_minor=rev.minor,
                costs_minor=cost.minor,
                profit_band=band.value,
                employees=employees,
                household_size=household_size,
            )
            .returning(enterprise_check.c.id)
        ).scalar_one()
        audit.record(
            conn,
            e.programme_id,
            actor,
            "check",
            "enterprise",
            enterprise_id,
            None,
            {"check_id": cid, "profit_band": band.value, "employees": employees},
        )
        return int(cid)
