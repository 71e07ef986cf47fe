"""Family progress use cases: the programme's scorecard, household visits with their
score, score history and group averages, and referrals with their follow-up."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, insert, select, update

from kuza.adapters.db.engine import Database
from kuza.adapters.db.impact_months import mark_stale, visit_days_of
from kuza.adapters.db.schema import (
    field_agent,
    household_visit,
    member,
    membership,
    referral,
    referral_follow_up,
    scorecard,
)
from kuza.domain.errors import Conflict, DomainError, NotFound, RuleViolation
from kuza.domain.scorecard import Scorecard, load_scorecard, poverty_rate
from kuza.domain.visits import ReferralKind, ReferralStatus, mean, next_referral_status
from kuza.services import audit
from kuza.services.programmes import programme_row


def group_of(conn: Connection, programme_id: int, member_id: int, on: date) -> int:
    """The member's group on ``on``; refuses anybody not in a group of this programme."""
    found = conn.execute(
        select(membership.c.group_id)
        .join(member, member.c.id == membership.c.member_id)
        .where(
            membership.c.member_id == member_id,
            member.c.programme_id == programme_id,
            membership.c.joined_on <= on,
            (membership.c.left_on.is_(None)) | (membership.c.left_on > on),
        )
        .order_by(membership.c.joined_on.desc())
    ).scalar()
    if found is None:
        raise NotFound(
            "member %(member_id)s is in no group of this programme on %(on)s",
            "member_id",
            member_id=member_id,
            on=on,
        )
    return int(found)


def load_programme_scorecard(
    db: Database, programme_id: int, text: str, on: date, actor: str = "system"
) -> int:
    """Store a scorecard document (JSON) for the programme; a defect stores nothing."""
    card = load_scorecard(text)
    if not card.code.strip():
        raise DomainError("the scorecard needs a code", field="code")
    with db.transaction() as conn:
        programme_row(conn, programme_id)
        exists = conn.execute(
            select(scorecard.c.id).where(
                scorecard.c.programme_id == programme_id, scorecard.c.code == card.code
            )
        ).scalar()
        if exists is not None:
            raise Conflict(
                "scorecard %(code)s is already loaded", field="code", code=repr(card.code)
            )
        sid = conn.execute(
            insert(scorecard)
            .values(
                programme_id=programme_id,
                code=card.code,
                definition=json.loads(text),
                loaded_on=on,
                loaded_by=actor,
            )
            .returning(scorecard.c.id)
        ).scalar_one()
        audit.record(conn, programme_id, actor, "load", "scorecard", sid, None, {"code": card.code})
        return int(sid)


def _scorecard(conn: Connection, programme_id: int, code: str) -> tuple[int, Scorecard]:
    row = conn.execute(
        select(scorecard.c.id, scorecard.c.definition).where(
            scorecard.c.programme_id == programme_id, scorecard.c.code == code
        )
    ).first()
    if row is None:
        raise NotFound(
            "no scorecard %(code)s in this programme", field="scorecard", code=repr(code)
        )
    return int(row.id), load_scorecard(json.dumps(row.definition))


@dataclass(frozen=True)
class NewVisit:
    member_id: int
    scorecard: str  # code
    visited_on: date
    visited_by: str
    answers: Mapping[str, str]
    household_size: int
    agent_id: int | None = None
    note: str = ""


@dataclass(frozen=True)
class VisitScore:
    visit_id: int
    score: int
    likelihood: Decimal


def record_visit(
    db: Database, programme_id: int, new: NewVisit, today: date, actor: str = "system"
) -> VisitScore:
    """A household visit scored with the programme's scorecard (answers kept as given)."""
    if new.visited_on > today:
        raise RuleViolation(
            "%(visited_on)s is in the future", field="visited_on", visited_on=new.visited_on
        )
    if not new.visited_by.strip():
        raise DomainError("visited_by is required", field="visited_by")
    if new.household_size < 1:
        raise DomainError("household_size must be at least 1", field="household_size")
    with db.transaction() as conn:
        card_id, card = _scorecard(conn, programme_id, new.scorecard)
        score = card.score(new.answers)
        likelihood = card.likelihood(score)
        group_id = group_of(conn, programme_id, new.member_id, new.visited_on)
        if (
            new.agent_id is not None
            and not conn.execute(
                select(field_agent.c.id).where(
                    field_agent.c.id == new.agent_id, field_agent.c.programme_id == programme_id
                )
            ).first()
        ):
            raise NotFound("no field agent %(agent_id)s", field="agent_id", agent_id=new.agent_id)
        # the dashboard's months of the visit and of the household's other visits on the
        # scorecard: a household is summed by the day of its last visit
        days = visit_days_of(conn, programme_id, new.member_id, card_id)
        mark_stale(conn, programme_id, [new.visited_on, *days])
        vid = conn.execute(
            insert(household_visit)
            .values(
                programme_id=programme_id,
                member_id=new.member_id,
                group_id=group_id,
                agent_id=new.agent_id,
                scorecard_id=card_id,
                visited_on=new.visited_on,
                visited_by=new.visited_by.strip(),
                answers=dict(new.answers),
                score=score,
                likelihood=likelihood,
                household_size=new.household_size,
                note=new.note,
            )
            .returning(household_visit.c.id)
        ).scalar_one()
        audit.record(
            conn,
            programme_id,
            actor,
            "record",
            "household_visit",
            vid,
            None,
            {"member_id": new.member_id, "score": score, "likelihood": str(likelihood)},
        )
        return VisitScore(int(vid), score, likelihood)


def programme_of_member(db: Database, member_id: int) -> int:
    """The programme a member belongs to (where her visits are scored)."""
    with db.read() as conn:
        found = conn.execute(select(member.c.programme_id).where(member.c.id == member_id)).scalar()
    if found is None:
        raise NotFound("no member %(member_id)s", field="member_id", member_id=member_id)
    return int(found)


@dataclass(frozen=True)
class ScorePoint:
    visit_id: int
    visited_on: date
    scorecard: str
    score: int
    likelihood: Decimal


def score_history(db: Database, member_id: int) -> list[ScorePoint]:
    """Every scored visit of a household, oldest first."""
    with db.read() as conn:
        rows = conn.execute(
            select(
                household_visit.c.id,
                household_visit.c.visited_on,
                scorecard.c.code,
                household_visit.c.score,
                household_visit.c.likelihood,
            )
            .join(scorecard, scorecard.c.id == household_visit.c.scorecard_id)
            .where(household_visit.c.member_id == member_id)
            .order_by(household_visit.c.visited_on, household_visit.c.id)
        ).all()
    return [ScorePoint(r.id, r.visited_on, r.code, r.score, Decimal(r.likelihood)) for r in rows]


@dataclass(frozen=True)
class GroupScores:
    group_id: int
    scorecard: str
    households: int
    average_score: Decimal | None
    poverty_rate: Decimal | None  # mean of the households' likelihoods, percent


def group_scores(db: Database, group_id: int, scorecard_code: str, on: date) -> GroupScores:
    """Each household's latest visit on or before ``on`` (visits made while in the group)."""
    with db.read() as conn:
        rows = conn.execute(
            select(
                household_visit.c.member_id,
                household_visit.c.score,
                household_visit.c.likelihood,
            )
            .join(scorecard, scorecard.c.id == household_visit.c.scorecard_id)
            .where(
                household_visit.c.group_id == group_id,
                scorecard.c.code == scorecard_code,
                household_visit.c.visited_on <= on,
            )
            .order_by(household_visit.c.visited_on, household_visit.c.id)
        ).all()
    latest: dict[int, Any] = {r.member_id: r for r in rows}  # later visits overwrite
    return GroupScores(
        group_id,
        scorecard_code,
        len(latest),
        mean(r.score for r in latest.values()),
        poverty_rate([Decimal(r.likelihood) for r in latest.values()]),
    )


def refer(
    db: Database,
    programme_id: int,
    member_id: int,
    kind: ReferralKind,
    service: str,
    on: date,
    visit_id: int | None = None,
    note: str = "",
    actor: str = "system",
) -> int:
    """Refer a household member to a health, school, legal or social service."""
    if not service.strip():
        raise DomainError("name the service she is referred to", field="service")
    with db.transaction() as conn:
        group_of(conn, programme_id, member_id, on)
        if visit_id is not None:
            owner = conn.execute(
                select(household_visit.c.member_id).where(household_visit.c.id == visit_id)
            ).scalar()
            if owner != member_id:
                raise NotFound(
                    "visit %(visit_id)s is not a visit to member %(member_id)s",
                    "visit_id",
                    visit_id=visit_id,
                    member_id=member_id,
                )
        rid = conn.execute(
            insert(referral)
            .values(
                programme_id=programme_id,
                member_id=member_id,
                visit_id=visit_id,
                kind=kind.value,
                service=service.strip(),
                referred_on=on,
                referred_by=actor,
                status=ReferralStatus.REFERRED.value,
                note=note,
            )
            .returning(referral.c.id)
        ).scalar_one()
        audit.record(
            conn, programme_id, actor, "create", "referral", rid, None, {"kind": kind.value}
        )
        return int(rid)


def follow_up_referral(
    db: Database,
    referral_id: int,
    status: ReferralStatus,
    on: date,
    note: str = "",
    actor: str = "system",
) -> ReferralStatus:
    """The agent's follow-up: the referral's new status, kept with its history."""
    with db.transaction() as conn:
        row = conn.execute(select(referral).where(referral.c.id == referral_id)).first()
        if row is None:
            raise NotFound(
                "no referral %(referral_id)s", field="referral_id", referral_id=referral_id
            )
        if on < row.referred_on:
            raise RuleViolation(
                "the referral was made on %(referred_on)s", field="on", referred_on=row.referred_on
            )
        new = next_referral_status(ReferralStatus(row.status), status)
        conn.execute(update(referral).where(referral.c.id == referral_id).values(status=new))
        conn.execute(
            insert(referral_follow_up).values(
                programme_id=row.programme_id,
                referral_id=referral_id,
                on_date=on,
                status=new.value,
                note=note,
                recorded_by=actor,
            )
        )
        audit.record(
            conn,
            row.programme_id,
            actor,
            "follow_up",
            "referral",
            referral_id,
            {"status": row.status},
            {"status": new.value, "on": on.isoformat()},
        )
        return new
