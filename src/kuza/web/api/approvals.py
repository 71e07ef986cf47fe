"""Pending actions (maker-checker): the list of those waiting, submit one (a share-out,
a write-off, the reversal of a repayment or a meeting correction), approve (runs the
stored command as the checker) and reject. The maker is refused as checker (422)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import JSONResponse

from kuza.domain.access import Principal
from kuza.domain.approvals import MAKERS, PendingKind, may_check, may_submit, require
from kuza.services import approvals, users
from kuza.services.approvals import PendingRow
from kuza.web.api.deps import (
    GroupReader,
    IdempotencyKey,
    Limit,
    Offset,
    check_group,
    idempotent,
)
from kuza.web.api.loan_schemas import (
    PendingActionCreate,
    PendingActionPublic,
    PendingActionsPublic,
    PendingDecisionPublic,
    PendingRejectionCreate,
)
from kuza.web.api.loans import check_loan
from kuza.web.api.schemas import Strict, error_responses
from kuza.web.deps import Config
from kuza.web.loan_forms import scope

router = APIRouter(tags=["approvals"])
ActionPath = Annotated[int, Path(ge=1, le=2**31 - 1)]
WRITE = error_responses(401, 403, 404, 409, 422)


class Nothing(Strict):
    """Approving takes no body; the key still makes a replay return the first answer."""


def checker(user: GroupReader) -> Principal:
    if not may_check(user.role):
        raise HTTPException(403, "your role does not approve")
    return user


Checker = Annotated[Principal, Depends(checker)]


def maker(user: GroupReader) -> Principal:
    if not any(user.role in roles for roles in MAKERS.values()):
        raise HTTPException(403, "your role does not submit pending actions")
    return user


Maker = Annotated[Principal, Depends(maker)]


def check_action(cfg: Config, user: Principal, action_id: int) -> None:
    gid = approvals.action_group(cfg.db, action_id)
    if gid is None or not users.can_see_group(cfg.db, user, gid):
        raise HTTPException(404, "no such pending action")


def action_public(r: PendingRow) -> PendingActionPublic:
    return PendingActionPublic(
        id=r.id,
        kind=r.kind.value,
        status=r.status.value,
        group_id=r.group_id,
        payload=r.payload,
        reason=r.reason,
        made_by=r.made_by,
        made_at=r.made_at,
        checked_by=r.checked_by,
        checked_at=r.checked_at,
        result=r.result,
    )


@router.get(
    "/pending-actions", response_model=PendingActionsPublic, responses=error_responses(401, 403)
)
def list_pending(
    user: GroupReader, cfg: Config, limit: Limit = 50, offset: Offset = 0
) -> PendingActionsPublic:
    rows, total = approvals.actions(cfg.db, scope(cfg.db, user), limit=limit, offset=offset)
    return PendingActionsPublic(
        total=total, limit=limit, offset=offset, items=[action_public(r) for r in rows]
    )


@router.post(
    "/pending-actions/{action_id}/approve", response_model=PendingDecisionPublic, responses=WRITE
)
def approve_action(
    request: Request,
    action_id: ActionPath,
    user: Checker,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    check_action(cfg, user, action_id)

    def run() -> tuple[int, PendingDecisionPublic]:
        result = approvals.approve(
            cfg.db, action_id, user.username, user.role, cfg.today(), user.programme_id
        )
        return 200, PendingDecisionPublic(id=action_id, status="approved", result=result)

    return idempotent(request, cfg, user, key, Nothing(), run)


@router.post(
    "/pending-actions/{action_id}/reject", response_model=PendingDecisionPublic, responses=WRITE
)
def reject_action(
    request: Request,
    action_id: ActionPath,
    body: PendingRejectionCreate,
    user: Checker,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    check_action(cfg, user, action_id)

    def run() -> tuple[int, PendingDecisionPublic]:
        approvals.reject(
            cfg.db, action_id, user.username, user.role, body.reason, user.programme_id
        )
        result = {"rejected": body.reason}
        return 200, PendingDecisionPublic(id=action_id, status="rejected", result=result)

    return idempotent(request, cfg, user, key, body, run)


# One whole sentence per kind, so each can be translated (errors.po).
REFUSED_KIND = {
    PendingKind.MEETING_CORRECTION: "your role does not submit a meeting correction",
    PendingKind.SHARE_OUT: "your role does not submit a share-out",
    PendingKind.WRITE_OFF: "your role does not submit a write-off",
    PendingKind.REPAYMENT_REVERSAL: "your role does not submit a repayment reversal",
}


def _payload(cfg: Config, user: Principal, body: PendingActionCreate) -> dict[str, Any]:
    """The stored command, once the group or loan it is about is in the user's scope."""
    kind = PendingKind(body.kind)
    if kind is PendingKind.MEETING_CORRECTION:
        require(kind, "sheet", body.sheet)
        assert body.sheet is not None
        check_group(cfg, user, body.sheet.group_id)
        return {"sheet": body.sheet.model_dump(mode="json", exclude_none=True)}
    if kind is PendingKind.SHARE_OUT:
        require(kind, "group_id", body.group_id)
        require(kind, "on", body.on)
        assert body.group_id is not None and body.on is not None
        check_group(cfg, user, body.group_id)
        return {"group_id": body.group_id, "on": body.on.isoformat()}
    require(kind, "loan_id", body.loan_id)
    require(kind, "on", body.on)
    assert body.loan_id is not None and body.on is not None
    check_loan(cfg, user, body.loan_id)
    payload: dict[str, Any] = {"loan_id": body.loan_id, "on": body.on.isoformat()}
    if kind is PendingKind.REPAYMENT_REVERSAL:
        require(kind, "reference", body.reference)
        payload["reference"] = str(body.reference).strip()
    return payload


@router.post(
    "/pending-actions", response_model=PendingActionPublic, status_code=201, responses=WRITE
)
def submit_action(
    request: Request,
    body: PendingActionCreate,
    user: Maker,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Store a share-out, write-off, repayment reversal or meeting correction for a
    checker; nothing is
    booked until another user approves it."""
    kind = PendingKind(body.kind)
    if not may_submit(kind, user.role):
        raise HTTPException(403, REFUSED_KIND[kind])
    payload = _payload(cfg, user, body)

    def run() -> tuple[int, PendingActionPublic]:
        action_id = approvals.submit(
            cfg.db,
            kind,
            payload,
            body.reason,
            user.username,
            user.role,
            cfg.today(),
            user.programme_id,
        )
        return 201, action_public(approvals.action(cfg.db, action_id))

    return idempotent(request, cfg, user, key, body, run)
