"""Household visits of a member: her scored visits (oldest first), her score progress
per scorecard, and record a visit with the programme's scorecard; read by all but
donors, recorded by the meeting roles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from kuza.domain.access import Role
from kuza.domain.visits import score_progress
from kuza.services import visits
from kuza.web.api.deps import (
    GroupReader,
    IdempotencyKey,
    Limit,
    Offset,
    Recorder,
    check_member,
    idempotent,
)
from kuza.web.api.impact_schemas import VisitCreate, VisitPublic, VisitsPublic
from kuza.web.api.schemas import error_responses
from kuza.web.api.visit_schemas import ScoreHistoryPublic, ScoreProgressPublic
from kuza.web.deps import Config

router = APIRouter(tags=["visits"])
MemberPath = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get(
    "/members/{member_id}/visits",
    response_model=VisitsPublic,
    responses=error_responses(401, 403, 404),
)
def list_visits(
    member_id: MemberPath, user: GroupReader, cfg: Config, limit: Limit = 50, offset: Offset = 0
) -> VisitsPublic:
    check_member(cfg, user, member_id)
    points = visits.score_history(cfg.db, member_id)
    return VisitsPublic(
        member_id=member_id,
        total=len(points),
        limit=limit,
        offset=offset,
        items=[
            VisitPublic(
                visit_id=p.visit_id,
                member_id=member_id,
                visited_on=p.visited_on,
                scorecard=p.scorecard,
                score=p.score,
                likelihood=str(p.likelihood),
            )
            for p in points[offset : offset + limit]
        ],
    )


@router.get(
    "/members/{member_id}/score-history",
    response_model=ScoreHistoryPublic,
    responses=error_responses(401, 403, 404),
)
def score_history(member_id: MemberPath, user: GroupReader, cfg: Config) -> ScoreHistoryPublic:
    """Per scorecard: her first (baseline) and latest score and the change, the field's
    "is this family moving up?"."""
    check_member(cfg, user, member_id)
    points = visits.score_history(cfg.db, member_id)
    progress = score_progress((p.scorecard, p.visited_on, p.visit_id, p.score) for p in points)
    return ScoreHistoryPublic(
        member_id=member_id,
        items=[
            ScoreProgressPublic(
                scorecard=p.scorecard, visits=p.visits, baseline_on=p.baseline_on,
                baseline=p.baseline, latest_on=p.latest_on, latest=p.latest, change=p.change,
            )
            for p in progress
        ],
    )  # fmt: skip


@router.post(
    "/members/{member_id}/visits",
    response_model=VisitPublic,
    status_code=201,
    responses=error_responses(401, 403, 404, 409, 422),
)
def record_visit(
    request: Request,
    member_id: MemberPath,
    body: VisitCreate,
    user: Recorder,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Scored with the programme's scorecard; the caller is the visitor."""
    check_member(cfg, user, member_id)
    new = visits.NewVisit(
        member_id=member_id,
        scorecard=body.scorecard,
        visited_on=body.visited_on,
        visited_by=user.display_name,
        answers=body.answers,
        household_size=body.household_size,
        agent_id=user.agent_id if user.role is Role.FIELD_AGENT else None,
        note=body.note,
    )

    def run() -> tuple[int, VisitPublic]:
        pid = visits.programme_of_member(cfg.db, member_id)
        done = visits.record_visit(cfg.db, pid, new, cfg.today(), actor=user.username)
        return 201, VisitPublic(
            visit_id=done.visit_id,
            member_id=member_id,
            visited_on=body.visited_on,
            scorecard=body.scorecard,
            score=done.score,
            likelihood=str(done.likelihood),
        )

    return idempotent(request, cfg, user, key, body, run)
