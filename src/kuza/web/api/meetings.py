"""POST /meetings: post a collection sheet (the offline sheet syncs through here)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from kuza.services.meetings import post_meeting
from kuza.web.api.deps import IdempotencyKey, Recorder, check_group, idempotent
from kuza.web.api.schemas import (
    MeetingCreate,
    MeetingPublic,
    MeetingSummaryPublic,
    error_responses,
)
from kuza.web.deps import Config

router = APIRouter(tags=["meetings"])


@router.post(
    "/meetings",
    response_model=MeetingPublic,
    status_code=201,
    responses={
        200: {"model": MeetingPublic, "description": "This exact sheet was already posted"},
        **error_responses(401, 403, 404, 409, 422),
    },
)
def create_meeting(
    request: Request, body: MeetingCreate, user: Recorder, cfg: Config, key: IdempotencyKey = None
) -> JSONResponse:
    check_group(cfg, user, body.group_id)

    def run() -> tuple[int, MeetingPublic]:
        sheet = body.model_dump(mode="json", exclude_none=True)
        done = post_meeting(cfg.db, sheet, user.username, cfg.today(), user.programme_id)
        public = MeetingPublic(
            meeting_id=done.meeting_id,
            group_id=body.group_id,
            held_on=body.held_on,
            created=done.created,
            summary=MeetingSummaryPublic(**done.summary),
        )
        return (201 if done.created else 200), public

    return idempotent(request, cfg, user, key, body, run)
