"""Matrix helpers for the market and household-visit routes: a partner, a linkage of
the org fixture's first group and a referral of its first member, made on first use."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import market_linkage, referral
from kuza.domain.markets import PartnerKind
from kuza.domain.visits import ReferralKind
from kuza.services import markets, visits
from tests.web.conftest import TODAY, Org, csrf_of

Call = Callable[[TestClient, Org, dict[str, str]], httpx.Response]


def _db(c: TestClient) -> Database:
    db: Database = c.app.state.kuza.db  # type: ignore[attr-defined]
    return db


def linkage(c: TestClient, o: Org) -> int:
    """A linkage of the first group to a buyer (made once per database)."""
    db = _db(c)
    with db.read() as conn:
        found = conn.execute(select(market_linkage.c.id).order_by(market_linkage.c.id)).scalar()
    if found is not None:
        return int(found)
    buyer = markets.add_partner(db, o.world.programme_id, "Brookside", PartnerKind.BUYER)
    new = markets.NewLinkage(partner_id=buyer, started_on=TODAY, group_id=o.world.group_id)
    return markets.record_linkage(db, o.world.programme_id, new)


def referral_id(c: TestClient, o: Org) -> int:
    """A referral of the first member to a clinic (made once per database)."""
    db = _db(c)
    with db.read() as conn:
        found = conn.execute(select(referral.c.id).order_by(referral.c.id)).scalar()
    if found is not None:
        return int(found)
    m0 = o.world.member_ids[0]
    return visits.refer(db, o.world.programme_id, m0, ReferralKind.HEALTH, "Clinic", TODAY)


def target(path: str, c: TestClient, o: Org) -> str:
    """The path with the org's ids: {g} group, {m} member, {l} linkage, {r} referral."""
    ids: dict[str, object] = {"g": o.world.group_id, "m": o.world.member_ids[0]}
    if "{l}" in path:
        ids["l"] = linkage(c, o)
    if "{r}" in path:
        ids["r"] = referral_id(c, o)
    return path.format(**ids)


def get(path: str) -> Call:
    return lambda c, o, h: c.get(target(path, c, o), headers=h)


def post_json(path: str, body: dict[str, object]) -> Call:
    """An API write with a body the schema or the service refuses (422 when let in)."""
    return lambda c, o, h: c.post(target(path, c, o), json=body, headers=h)


def post_form(path: str, **data: str) -> Call:
    """A form sent with the session's token and input the page refuses (422 when let in)."""

    def call(c: TestClient, o: Org, h: dict[str, str]) -> httpx.Response:
        token = csrf_of(c.get("/login").text) if not h else h["csrf"]
        response: httpx.Response = c.post(target(path, c, o), data={"csrf_token": token, **data})
        return response

    return call
