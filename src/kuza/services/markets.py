"""Stage 4 use cases: buyers and suppliers, linkages with the women involved, contracts,
and market activities (collective purchasing, branding, packaging)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Connection, insert, select, update

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    linkage_woman,
    market_activity,
    market_contract,
    market_linkage,
    partner,
)
from kuza.domain.errors import DomainError, InvalidAmount, NotFound, RuleViolation
from kuza.domain.groups import Sex
from kuza.domain.markets import (
    MarketActivityKind,
    PartnerKind,
    WomanRole,
    check_party,
    check_period,
    contract_terms,
)
from kuza.domain.money import Money
from kuza.services import audit
from kuza.services.enterprises import programme_members, value_chain_id
from kuza.services.groups import group_row, members_on
from kuza.services.programmes import programme_row


def add_partner(
    db: Database, programme_id: int, name: str, kind: PartnerKind, actor: str = "system"
) -> int:
    """A buyer, supplier or other market partner of the programme."""
    if not name.strip():
        raise DomainError("name is required", field="name")
    with db.transaction() as conn:
        programme_row(conn, programme_id)
        pid = conn.execute(
            insert(partner)
            .values(programme_id=programme_id, name=name.strip(), kind=kind.value)
            .returning(partner.c.id)
        ).scalar_one()
        audit.record(
            conn, programme_id, actor, "create", "partner", pid, None, {"kind": kind.value}
        )
        return int(pid)


def _partner(conn: Connection, programme_id: int, partner_id: int) -> PartnerKind:
    kind = conn.execute(
        select(partner.c.kind).where(
            partner.c.id == partner_id, partner.c.programme_id == programme_id
        )
    ).scalar()
    if kind is None:
        raise NotFound(
            "no partner %(partner_id)s in this programme", field="partner_id", partner_id=partner_id
        )
    return PartnerKind(kind)


@dataclass(frozen=True)
class NewLinkage:
    partner_id: int
    started_on: date
    member_id: int | None = None  # a member's own link ...
    group_id: int | None = None  # ... or a group's
    value_chain: str | None = None  # value chain code
    ended_on: date | None = None
    women: Mapping[int, WomanRole] = field(default_factory=dict)  # member id → role
    note: str = ""


def _check_women(
    conn: Connection, programme_id: int, new: NewLinkage, women: Mapping[int, WomanRole]
) -> None:
    try:
        rows = programme_members(conn, programme_id, list(women))
    except NotFound as exc:
        raise NotFound(exc.template, field="women", **exc.values) from None
    men = sorted(r.id for r in rows if r.sex != Sex.FEMALE.value)
    if men:
        raise DomainError("member(s) %(men)s are not women", field="women", men=men)
    if new.group_id is not None:
        outside = sorted(set(women) - set(members_on(conn, new.group_id, new.started_on)))
        if outside:
            raise DomainError(
                "member(s) %(outside)s are not in the group on %(started_on)s",
                field="women",
                outside=outside,
                started_on=new.started_on,
            )


def record_linkage(db: Database, programme_id: int, new: NewLinkage, actor: str = "system") -> int:
    """A member or group linked to a buyer or supplier, with the women involved."""
    check_party(new.member_id, new.group_id)
    check_period(new.started_on, new.ended_on, "ended_on")
    women = {int(m): WomanRole(r) for m, r in new.women.items()}
    with db.transaction() as conn:
        kind = _partner(conn, programme_id, new.partner_id)
        if kind not in (PartnerKind.BUYER, PartnerKind.SUPPLIER, PartnerKind.PROCESSOR):
            raise DomainError(
                "partner %(partner_id)s is a %(kind)s",
                "partner_id",
                partner_id=new.partner_id,
                kind=kind.value,
            )
        if new.member_id is not None:
            programme_members(conn, programme_id, [new.member_id])
        if new.group_id is not None:
            group_row(conn, new.group_id, programme_id)
        chain = value_chain_id(conn, programme_id, new.value_chain) if new.value_chain else None
        _check_women(conn, programme_id, new, women)
        lid = conn.execute(
            insert(market_linkage)
            .values(
                programme_id=programme_id,
                partner_id=new.partner_id,
                value_chain_id=chain,
                member_id=new.member_id,
                group_id=new.group_id,
                started_on=new.started_on,
                ended_on=new.ended_on,
                note=new.note,
                recorded_by=actor,
            )
            .returning(market_linkage.c.id)
        ).scalar_one()
        if women:
            conn.execute(
                insert(linkage_woman),
                [
                    {"programme_id": programme_id, "linkage_id": lid, "member_id": m, "role": r}
                    for m, r in sorted(women.items())
                ],
            )
        audit.record(
            conn,
            programme_id,
            actor,
            "create",
            "market_linkage",
            lid,
            None,
            {
                "partner_id": new.partner_id,
                "member_id": new.member_id,
                "group_id": new.group_id,
                "women": {str(m): r.value for m, r in sorted(women.items())},
            },
        )
        return int(lid)


def _linkage(conn: Connection, linkage_id: int) -> tuple[int, date, date | None]:
    row = conn.execute(
        select(
            market_linkage.c.programme_id, market_linkage.c.started_on, market_linkage.c.ended_on
        ).where(market_linkage.c.id == linkage_id)
    ).first()
    if row is None:
        raise NotFound(
            "no market linkage %(linkage_id)s", field="linkage_id", linkage_id=linkage_id
        )
    return int(row.programme_id), row.started_on, row.ended_on


def end_linkage(db: Database, linkage_id: int, on: date, actor: str = "system") -> None:
    with db.transaction() as conn:
        pid, started, ended = _linkage(conn, linkage_id)
        if ended is not None:
            raise RuleViolation(
                "linkage %(linkage_id)s already ended on %(ended)s",
                "linkage_id",
                linkage_id=linkage_id,
                ended=ended,
            )
        check_period(started, on, "on")
        conn.execute(
            update(market_linkage).where(market_linkage.c.id == linkage_id).values(ended_on=on)
        )
        audit.record(
            conn, pid, actor, "end", "market_linkage", linkage_id, None, {"on": on.isoformat()}
        )


def record_contract(
    db: Database,
    linkage_id: int,
    product: str,
    volume: str,
    unit: str,
    price: str,
    starts_on: date,
    ends_on: date | None = None,
    actor: str = "system",
) -> int:
    """A contract under a linkage: volume (≥ 0) of a product at a unit price."""
    with db.transaction() as conn:
        pid, started, _ended = _linkage(conn, linkage_id)
        cur = programme_row(conn, pid).currency
        terms = contract_terms(product, volume, unit, price, cur, starts_on, ends_on)
        if starts_on < started:
            raise RuleViolation(
                "the linkage only started on %(started)s", field="starts_on", started=started
            )
        cid = conn.execute(
            insert(market_contract)
            .values(
                programme_id=pid,
                linkage_id=linkage_id,
                product=terms.product,
                volume=terms.volume,
                unit=terms.unit,
                price_minor=terms.price.minor,
                currency=cur,
                starts_on=starts_on,
                ends_on=ends_on,
                recorded_by=actor,
            )
            .returning(market_contract.c.id)
        ).scalar_one()
        audit.record(
            conn,
            pid,
            actor,
            "create",
            "market_contract",
            cid,
            None,
            {"linkage_id": linkage_id, "volume": str(terms.volume), "unit": terms.unit},
        )
        return int(cid)


@dataclass(frozen=True)
class NewMarketActivity:
    kind: MarketActivityKind
    group_id: int
    held_on: date
    description: str
    members_involved: int
    amount: str | None = None  # value of goods bought together, if any
    linkage_id: int | None = None
    value_chain: str | None = None


def record_market_activity(
    db: Database, programme_id: int, new: NewMarketActivity, actor: str = "system"
) -> int:
    """Collective purchasing, branding or packaging support given to a group."""
    if not new.description.strip():
        raise DomainError("describe the activity", field="description")
    if new.members_involved < 0:
        raise DomainError("members_involved must not be negative", field="members_involved")
    with db.transaction() as conn:
        group_row(conn, new.group_id, programme_id)
        cur = programme_row(conn, programme_id).currency
        amount = Money.of(new.amount, cur) if new.amount is not None else None
        if amount is not None and amount.is_negative():
            raise InvalidAmount("amount must not be negative", field="amount")
        if new.linkage_id is not None and _linkage(conn, new.linkage_id)[0] != programme_id:
            raise NotFound(
                "no market linkage %(linkage_id)s", field="linkage_id", linkage_id=new.linkage_id
            )
        chain = value_chain_id(conn, programme_id, new.value_chain) if new.value_chain else None
        aid = conn.execute(
            insert(market_activity)
            .values(
                programme_id=programme_id,
                kind=new.kind.value,
                group_id=new.group_id,
                linkage_id=new.linkage_id,
                value_chain_id=chain,
                held_on=new.held_on,
                description=new.description.strip(),
                members_involved=new.members_involved,
                amount_minor=amount.minor if amount else None,
                currency=cur if amount else None,
                recorded_by=actor,
            )
            .returning(market_activity.c.id)
        ).scalar_one()
        audit.record(
            conn, programme_id, actor, "create", "market_activity", aid, None, {"kind": new.kind}
        )
        return int(aid)
