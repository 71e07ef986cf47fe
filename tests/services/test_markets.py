"""Stage 4: partners, linkages with the women involved, contracts and activities."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    audit_log,
    linkage_woman,
    market_activity,
    market_contract,
    market_linkage,
)
from kuza.domain.errors import DomainError, NotFound, RuleViolation
from kuza.domain.groups import Sex
from kuza.domain.markets import MarketActivityKind, PartnerKind, WomanRole, contract_terms
from kuza.services import enterprises, groups, markets
from tests.factories import FORMED, World, make_world

APRIL = date(2026, 4, 1)


def counts(db: Database) -> tuple[int, ...]:
    tables = (market_linkage, linkage_woman, market_contract, market_activity, audit_log)
    with db.read() as conn:
        return tuple(conn.execute(select(func.count()).select_from(t)).scalar_one() for t in tables)


def setup(db: Database) -> tuple[World, int]:
    w = make_world(db)
    enterprises.add_value_chain(db, w.programme_id, "dairy", "Dairy")
    buyer = markets.add_partner(db, w.programme_id, "Brookside", PartnerKind.BUYER)
    return w, buyer


def test_group_linkage_with_women_contract_and_activity(db: Database) -> None:
    w, buyer = setup(db)
    m0, m1, _ = w.member_ids
    before = counts(db)
    lid = markets.record_linkage(
        db,
        w.programme_id,
        markets.NewLinkage(
            buyer,
            APRIL,
            group_id=w.group_id,
            value_chain="dairy",
            women={m0: WomanRole.LEADER, m1: WomanRole.PRODUCER},
        ),
    )
    cid = markets.record_contract(db, lid, "milk", "1200.5", "litre", "45.50", APRIL)
    markets.record_market_activity(
        db,
        w.programme_id,
        markets.NewMarketActivity(
            MarketActivityKind.COLLECTIVE_PURCHASE,
            w.group_id,
            APRIL,
            "feed bought together",
            3,
            "9000",
            lid,
            "dairy",
        ),
    )
    with db.read() as conn:
        roles = conn.execute(
            select(linkage_woman.c.member_id, linkage_woman.c.role).order_by(
                linkage_woman.c.member_id
            )
        ).all()
        contract = conn.execute(select(market_contract).where(market_contract.c.id == cid)).one()
    assert [tuple(r) for r in roles] == [(m0, "leader"), (m1, "producer")]
    assert contract.volume == Decimal("1200.500") and contract.price_minor == 4550
    # one linkage, two women, one contract, one activity, three audit rows
    assert [a - b for a, b in zip(counts(db), before, strict=True)] == [1, 2, 1, 1, 3]
    markets.end_linkage(db, lid, date(2026, 9, 30))
    with pytest.raises(RuleViolation):
        markets.end_linkage(db, lid, date(2026, 10, 30))


def test_contract_value_is_volume_times_price() -> None:
    # 1200.5 litres × 45.50 = 54 622.75
    terms = contract_terms("milk", "1200.5", "litre", "45.50", "KES", APRIL, None)
    assert terms.value.amount == Decimal("54622.75")


@pytest.mark.parametrize(
    ("volume", "unit", "price", "ends_on", "field"),
    [
        ("-1", "kg", "10", None, "volume"),
        ("5", " ", "10", None, "unit"),
        ("5", "kg", "-10", None, "price"),
        ("5", "kg", "10", date(2026, 3, 31), "ends_on"),
    ],
)
def test_bad_contract_writes_nothing(
    db: Database, volume: str, unit: str, price: str, ends_on: date | None, field: str
) -> None:
    w, buyer = setup(db)
    lid = markets.record_linkage(
        db, w.programme_id, markets.NewLinkage(buyer, APRIL, member_id=w.member_ids[0])
    )
    before = counts(db)
    with pytest.raises(DomainError) as exc:
        markets.record_contract(db, lid, "maize", volume, unit, price, APRIL, ends_on)
    assert exc.value.field == field
    assert counts(db) == before


def test_bad_linkages_write_nothing(db: Database) -> None:
    w, buyer = setup(db)
    other = make_world(db, code="KE-OTHER")
    man = groups.enrol_member(db, w.group_id, groups.NewMember("Otieno", Sex.MALE, 5, True), FORMED)
    before = counts(db)
    cases = [
        (markets.NewLinkage(buyer, APRIL, member_id=other.member_ids[0]), "member_id"),
        (markets.NewLinkage(buyer, APRIL), "member_id"),
        (
            markets.NewLinkage(buyer, APRIL, member_id=w.member_ids[0], group_id=w.group_id),
            "member_id",
        ),
        (
            markets.NewLinkage(buyer, APRIL, group_id=w.group_id, ended_on=date(2026, 3, 1)),
            "ended_on",
        ),
        (
            markets.NewLinkage(buyer, APRIL, group_id=w.group_id, women={man: WomanRole.TRADER}),
            "women",
        ),
        (
            markets.NewLinkage(
                buyer, APRIL, group_id=w.group_id, women={other.member_ids[0]: WomanRole.TRADER}
            ),
            "women",
        ),
        (markets.NewLinkage(buyer, APRIL, group_id=w.group_id, value_chain="tea"), "value_chain"),
        (markets.NewLinkage(999, APRIL, group_id=w.group_id), "partner_id"),
    ]
    for new, field in cases:
        with pytest.raises(DomainError) as exc:
            markets.record_linkage(db, w.programme_id, new)
        assert exc.value.field == field, new
    assert counts(db) == before
    with pytest.raises(NotFound):
        markets.record_contract(db, 999, "milk", "1", "litre", "1", APRIL)
