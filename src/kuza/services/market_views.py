"""Read models of market linkages: a group's linkages (its own and its members', by
membership at any time) with the partner and the women involved, their contracts, the
group's market activities, and the programme's partners."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    linkage_woman,
    market_activity,
    market_contract,
    market_linkage,
    membership,
    partner,
    savings_group,
    value_chain,
)
from kuza.domain.errors import NotFound
from kuza.domain.markets import ContractTerms
from kuza.domain.money import Money


@dataclass(frozen=True)
class LinkageRow:
    id: int
    partner_id: int
    partner: str
    partner_kind: str
    group_id: int | None
    member_id: int | None
    value_chain: str
    started_on: date
    ended_on: date | None
    note: str
    recorded_by: str
    women: dict[int, str]  # member id -> role


@dataclass(frozen=True)
class PartnerRow:
    id: int
    name: str
    kind: str


@dataclass(frozen=True)
class ContractRow:
    id: int
    linkage_id: int
    product: str
    volume: Decimal
    unit: str
    price: Money  # per unit
    starts_on: date
    ends_on: date | None
    recorded_by: str

    @property
    def value(self) -> Money:
        terms = ContractTerms(
            self.product, self.volume, self.unit, self.price, self.starts_on, self.ends_on
        )
        return terms.value


@dataclass(frozen=True)
class ActivityRow:
    id: int
    kind: str
    group_id: int
    linkage_id: int | None
    value_chain: str
    held_on: date
    description: str
    members_involved: int
    amount: Money | None
    recorded_by: str


def _of_group(group_id: int) -> ColumnElement[bool]:
    members = select(membership.c.member_id).where(membership.c.group_id == group_id)
    m = market_linkage.c
    return or_(m.group_id == group_id, m.member_id.in_(members))


def _linkages(conn: Any, where: ColumnElement[bool], limit: int, offset: int) -> list[LinkageRow]:
    m = market_linkage.c
    query = (
        select(market_linkage, partner.c.name.label("partner_name"), partner.c.kind,
               value_chain.c.code.label("chain"))
        .join(partner, partner.c.id == m.partner_id)
        .outerjoin(value_chain, value_chain.c.id == m.value_chain_id)
        .where(where)
        .order_by(m.started_on.desc(), m.id.desc())
        .limit(limit)
        .offset(offset)
    )  # fmt: skip
    rows = conn.execute(query).all()
    women: dict[int, dict[int, str]] = {}
    for w in conn.execute(
        select(linkage_woman.c.linkage_id, linkage_woman.c.member_id, linkage_woman.c.role)
        .where(linkage_woman.c.linkage_id.in_([r.id for r in rows] or [-1]))
        .order_by(linkage_woman.c.member_id)
    ):
        women.setdefault(w.linkage_id, {})[w.member_id] = w.role
    return [
        LinkageRow(
            r.id, r.partner_id, r.partner_name, r.kind, r.group_id, r.member_id, r.chain or "",
            r.started_on, r.ended_on, r.note, r.recorded_by, women.get(r.id, {}),
        )
        for r in rows
    ]  # fmt: skip


def group_linkages(
    db: Database, group_id: int, limit: int = 50, offset: int = 0
) -> tuple[list[LinkageRow], int]:
    """A page of the group's linkages, newest first, and how many there are."""
    where = _of_group(group_id)
    with db.read() as conn:
        rows = _linkages(conn, where, limit, offset)
        total = int(
            conn.execute(select(func.count()).select_from(market_linkage).where(where)).scalar_one()
        )
    return rows, total


def linkage(db: Database, linkage_id: int) -> LinkageRow | None:
    with db.read() as conn:
        rows = _linkages(conn, market_linkage.c.id == linkage_id, 1, 0)
    return rows[0] if rows else None


def linkage_of_group(db: Database, linkage_id: int, group_id: int) -> bool:
    """Is this one of the group's linkages (its own or a member's)?"""
    query = select(market_linkage.c.id).where(
        market_linkage.c.id == linkage_id, _of_group(group_id)
    )
    with db.read() as conn:
        return conn.execute(query).first() is not None


def programme_partners(
    db: Database, programme_id: int, limit: int = 200, offset: int = 0
) -> tuple[list[PartnerRow], int]:
    """The programme's partners by name, and how many there are."""
    where = partner.c.programme_id == programme_id
    with db.read() as conn:
        rows = conn.execute(
            select(partner.c.id, partner.c.name, partner.c.kind)
            .where(where)
            .order_by(partner.c.name, partner.c.id)
            .limit(limit)
            .offset(offset)
        ).all()
        total = int(
            conn.execute(select(func.count()).select_from(partner).where(where)).scalar_one()
        )
    return [PartnerRow(r.id, r.name, r.kind) for r in rows], total


def linkage_contracts(db: Database, linkage_ids: list[int]) -> dict[int, list[ContractRow]]:
    """The contracts of each linkage, oldest first."""
    c = market_contract.c
    with db.read() as conn:
        rows = conn.execute(
            select(market_contract)
            .where(c.linkage_id.in_(linkage_ids or [-1]))
            .order_by(c.starts_on, c.id)
        ).all()
    out: dict[int, list[ContractRow]] = {}
    for r in rows:
        out.setdefault(r.linkage_id, []).append(
            ContractRow(
                r.id, r.linkage_id, r.product, Decimal(r.volume), r.unit,
                Money.from_minor(r.price_minor, r.currency), r.starts_on, r.ends_on, r.recorded_by,
            )
        )  # fmt: skip
    return out


def _activities(
    conn: Any, where: ColumnElement[bool], limit: int, offset: int
) -> list[ActivityRow]:
    a = market_activity.c
    rows = conn.execute(
        select(market_activity, value_chain.c.code.label("chain"))
        .outerjoin(value_chain, value_chain.c.id == a.value_chain_id)
        .where(where)
        .order_by(a.held_on.desc(), a.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return [
        ActivityRow(
            r.id, r.kind, r.group_id, r.linkage_id, r.chain or "", r.held_on, r.description,
            r.members_involved,
            None if r.amount_minor is None else Money.from_minor(r.amount_minor, r.currency),
            r.recorded_by,
        )
        for r in rows
    ]  # fmt: skip


def group_activities(
    db: Database, group_id: int, limit: int = 50, offset: int = 0
) -> tuple[list[ActivityRow], int]:
    """A page of the market activities given to the group, newest first."""
    where = market_activity.c.group_id == group_id
    with db.read() as conn:
        rows = _activities(conn, where, limit, offset)
        total = int(
            conn.execute(
                select(func.count()).select_from(market_activity).where(where)
            ).scalar_one()
        )
    return rows, total


def activity(db: Database, activity_id: int) -> ActivityRow | None:
    with db.read() as conn:
        rows = _activities(conn, market_activity.c.id == activity_id, 1, 0)
    return rows[0] if rows else None


def programme_of_group(db: Database, group_id: int) -> int:
    """The programme a group belongs to (where its market activities are recorded)."""
    with db.read() as conn:
        found = conn.execute(
            select(savings_group.c.programme_id).where(savings_group.c.id == group_id)
        ).scalar()
    if found is None:
        raise NotFound("no group %(group_id)s", field="group_id", group_id=group_id)
    return int(found)


def programme_value_chains(db: Database, programme_id: int) -> list[tuple[str, str]]:
    """(code, name) of the programme's value chains, by name."""
    with db.read() as conn:
        rows = conn.execute(
            select(value_chain.c.code, value_chain.c.name)
            .where(value_chain.c.programme_id == programme_id)
            .order_by(value_chain.c.name)
        ).all()
    return [(r.code, r.name) for r in rows]


def member_groups(db: Database, member_id: int) -> list[int]:
    """The groups the member is or was in, the latest joined first."""
    with db.read() as conn:
        return [
            int(g)
            for g in conn.execute(
                select(membership.c.group_id)
                .where(membership.c.member_id == member_id)
                .order_by(membership.c.joined_on.desc(), membership.c.id.desc())
            ).scalars()
        ]
