"""POST /meetings: post a collection sheet (the offline sheet syncs through here);
POST /meeting-batches: an offline phone's sync, many sheets in one transaction."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from kuza.domain.errors import DomainError, NotFound
from kuza.services import users
from kuza.services.meeting_batch import MeetingRefused, post_meetings
from kuza.services.meetings import MeetingPosted, post_meeting
from kuza.web.api.deps import IdempotencyKey, Recorder, check_group, idempotent
from kuza.web.api.schemas import (
    ErrorDetail,
    MeetingBatchCreate,
    MeetingBatchItem,
    MeetingBatchPublic,
    MeetingCreate,
    MeetingPublic,
    MeetingSummaryPublic,
    error_responses,
)
from kuza.web.deps import Config

router = APIRouter(tags=["meetings"])


def _public(body: MeetingCreate, done: MeetingPosted) -> MeetingPublic:
    return MeetingPublic(
        meeting_id=done.meeting_id,
        group_id=body.group_id,
        held_on=body.held_on,
        created=done.created,
        summary=MeetingSummaryPublic(**done.summary),
    )


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
        return (201 if done.created else 200), _public(body, done)

    return idempotent(request, cfg, user, key, body, run)


@router.post(
    "/meeting-batches",
    response_model=MeetingBatchPublic,
    status_code=200,
    responses=error_responses(401, 403, 422),
)
def create_meeting_batch(
    request: Request,
    body: MeetingBatchCreate,
    user: Recorder,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Each sheet is booked or refused on its own (``results``, in order): a refused
    sheet books nothing and the others are kept; a sheet already posted is answered
    ``already_posted``, so a replayed sync books nothing twice. A group out of scope is
    refused like an absent one."""
    seen = users.visible_groups(cfg.db, user, {m.group_id for m in body.meetings})

    def run() -> tuple[int, MeetingBatchPublic]:
        mine = [i for i, m in enumerate(body.meetings) if m.group_id in seen]
        sheets = [body.meetings[i].model_dump(mode="json", exclude_none=True) for i in mine]
        done = post_meetings(cfg.db, sheets, user.username, cfg.today(), user.programme_id)
        items = [_refused(i, _hidden()) for i in range(len(body.meetings))]
        for i, result in zip(mine, done, strict=True):
            if isinstance(result, MeetingRefused):
                items[i] = _refused(i, result.error)
            else:
                items[i] = MeetingBatchItem(
                    index=i,
                    status="posted" if result.created else "already_posted",
                    meeting=_public(body.meetings[i], result),
                    error=None,
                )
        counted = {s: sum(1 for it in items if it.status == s) for s in ("posted", "refused")}
        return 200, MeetingBatchPublic(
            posted=counted["posted"],
            already_posted=len(items) - counted["posted"] - counted["refused"],
            refused=counted["refused"],
            results=items,
        )

    return idempotent(request, cfg, user, key, body, run)


def _hidden() -> NotFound:
    return NotFound("no such group", field="group_id")


def _refused(index: int, error: DomainError) -> MeetingBatchItem:
    detail = ErrorDetail(code=error.code, message=error.message, field=error.field)
    return MeetingBatchItem(index=index, status="refused", meeting=None, error=detail)
