"""Read model of a group's market linkages: the group's own and its members' (by
membership at any time), with the partner and the women involved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import linkage_woman, market_linkage, membership, partner, value_chain


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


def group_linkages(
    db: Database, group_id: int, limit: int = 50, offset: int = 0
) -> tuple[list[LinkageRow], int]:
    """A page of the group's linkages, newest first, and how many there are."""
    m = market_linkage.c
    members = select(membership.c.member_id).where(membership.c.group_id == group_id)
    where = or_(m.group_id == group_id, m.member_id.in_(members))
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
    with db.read() as conn:
        rows = conn.execute(query).all()
        total = int(
            conn.execute(select(func.count()).select_from(market_linkage).where(where)).scalar_one()
        )
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
    ], total  # fmt: skip
