"""Read models of household visits and referrals: the programme's scorecards (the
visit form's questions), a member's referrals with their follow-ups, and the open ones
(referred or in progress) of the members a user may see, oldest first."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    member,
    membership,
    referral,
    referral_follow_up,
    savings_group,
    scorecard,
)
from kuza.adapters.db.scoping import filter_groups
from kuza.domain.access import Principal, group_filter
from kuza.domain.scorecard import Scorecard, load_scorecard
from kuza.domain.visits import ReferralStatus

OPEN = (ReferralStatus.REFERRED.value, ReferralStatus.IN_PROGRESS.value)


@dataclass(frozen=True)
class FollowUpRow:
    on: date
    status: str
    note: str
    recorded_by: str


@dataclass(frozen=True)
class ReferralRow:
    id: int
    member_id: int
    member: str
    visit_id: int | None
    kind: str
    service: str
    referred_on: date
    referred_by: str
    status: str
    note: str
    follow_ups: list[FollowUpRow]

    @property
    def open(self) -> bool:
        return self.status in OPEN


@dataclass(frozen=True)
class ScorecardRow:
    id: int
    code: str
    loaded_on: date
    loaded_by: str
    definition: dict[str, Any]


def scorecard_page(
    db: Database, programme_id: int, limit: int, offset: int = 0, *, only: int | None = None
) -> tuple[list[ScorecardRow], int]:
    """The programme's stored scorecard documents as loaded, the latest first (the
    order of :func:`programme_scorecards`), and how many there are; ``only``: that one."""
    s = scorecard.c
    where = [s.programme_id == programme_id, *([s.id == only] if only is not None else [])]
    with db.read() as conn:
        total = int(
            conn.execute(select(func.count()).select_from(scorecard).where(*where)).scalar_one()
        )
        rows = conn.execute(
            select(s.id, s.code, s.loaded_on, s.loaded_by, s.definition)
            .where(*where)
            .order_by(s.loaded_on.desc(), s.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
    return [
        ScorecardRow(r.id, r.code, r.loaded_on, r.loaded_by, dict(r.definition)) for r in rows
    ], total


def programme_scorecards(db: Database, programme_id: int) -> list[Scorecard]:
    """The programme's scorecards, the latest loaded first."""
    with db.read() as conn:
        rows = conn.execute(
            select(scorecard.c.definition)
            .where(scorecard.c.programme_id == programme_id)
            .order_by(scorecard.c.loaded_on.desc(), scorecard.c.id.desc())
        ).scalars()
        return [load_scorecard(json.dumps(d)) for d in rows]


def referral_member(db: Database, referral_id: int) -> int | None:
    """The member a referral is of (for the scope check); None if there is none."""
    with db.read() as conn:
        found = conn.execute(
            select(referral.c.member_id).where(referral.c.id == referral_id)
        ).scalar()
    return None if found is None else int(found)


def _rows(conn: Any, query: Select[Any]) -> list[ReferralRow]:
    rows = conn.execute(query).all()
    follow: dict[int, list[FollowUpRow]] = {}
    f = referral_follow_up.c
    for r in conn.execute(
        select(f.referral_id, f.on_date, f.status, f.note, f.recorded_by)
        .where(f.referral_id.in_([r.id for r in rows] or [-1]))
        .order_by(f.on_date, f.id)
    ):
        follow.setdefault(r.referral_id, []).append(
            FollowUpRow(r.on_date, r.status, r.note, r.recorded_by)
        )
    return [
        ReferralRow(
            r.id, r.member_id, r.name, r.visit_id, r.kind, r.service, r.referred_on,
            r.referred_by, r.status, r.note, follow.get(r.id, []),
        )
        for r in rows
    ]  # fmt: skip


def _select() -> Select[Any]:
    return select(referral, member.c.name).join(member, member.c.id == referral.c.member_id)


def member_referrals(db: Database, member_id: int) -> list[ReferralRow]:
    """Every referral of hers, oldest first, with its follow-ups."""
    query = _select().where(referral.c.member_id == member_id)
    with db.read() as conn:
        return _rows(conn, query.order_by(referral.c.referred_on, referral.c.id))


def _in_scope(user: Principal) -> ColumnElement[bool] | None:
    """Referrals of members who are (or were) in a group the user sees; None for nobody."""
    f = group_filter(user)
    if f.nothing:
        return None
    groups = select(membership.c.member_id).join(
        savings_group, savings_group.c.id == membership.c.group_id
    )
    return referral.c.member_id.in_(filter_groups(groups, f))


def open_referrals(
    db: Database, user: Principal, limit: int = 50, offset: int = 0
) -> tuple[list[ReferralRow], int]:
    """A page of the open referrals in the user's scope, oldest first, and their count."""
    scope = _in_scope(user)
    if scope is None:
        return [], 0
    where = [scope, referral.c.status.in_(OPEN)]
    query = _select().where(*where).order_by(referral.c.referred_on, referral.c.id)
    with db.read() as conn:
        rows = _rows(conn, query.limit(limit).offset(offset))
        total = int(
            conn.execute(select(func.count()).select_from(referral).where(*where)).scalar_one()
        )
    return rows, total
