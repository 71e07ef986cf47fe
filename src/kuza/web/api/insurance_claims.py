"""The health-insurance claims queue of the caller's scope and the decisions on a claim:
approve with an amount, reject with a reason (a checker who did not submit it), pay an
approved claim from the insurance fund through the ledger (admins, country manager,
finance). The same services as the CLI (kuza insurance claim ...)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from kuza.domain.access import Principal
from kuza.domain.insurance import ClaimStatus, may_decide_claims, may_pay_claims
from kuza.services import insurance_claims, users
from kuza.services.insurance_views import QueuedClaim, claim_by_id, claim_member, claim_queue
from kuza.web.api.deps import GroupReader, IdempotencyKey, Limit, Offset, idempotent
from kuza.web.api.impact_schemas import ClaimPublic
from kuza.web.api.insurance import claim_public
from kuza.web.api.insurance_schemas import (
    ClaimApprovalCreate,
    ClaimPaymentCreate,
    ClaimRejectionCreate,
    QueuedClaimPublic,
    QueuedClaimsPublic,
)
from kuza.web.api.schemas import error_responses
from kuza.web.deps import Config, IdPath
from kuza.web.loan_forms import scope

router = APIRouter(tags=["insurance"])
WRITE = error_responses(401, 403, 404, 409, 422)


def decider(user: GroupReader) -> Principal:
    if not may_decide_claims(user.role):
        raise HTTPException(403, "your role does not decide insurance claims")
    return user


def payer(user: GroupReader) -> Principal:
    if not may_pay_claims(user.role):
        raise HTTPException(403, "your role does not pay from the insurance fund")
    return user


Decider = Annotated[Principal, Depends(decider)]
Payer = Annotated[Principal, Depends(payer)]


def check_claim(cfg: Config, user: Principal, claim_id: int) -> None:
    member_id = claim_member(cfg.db, claim_id)
    if member_id is None or not users.can_see_member(cfg.db, user, member_id):
        raise HTTPException(404, "no such claim")


def _queued(q: QueuedClaim) -> QueuedClaimPublic:
    return QueuedClaimPublic(
        **claim_public(q.claim).model_dump(),
        member_id=q.member_id,
        member=q.member,
        plan=q.plan,
        submitted_by=q.submitted_by,
        decided_by=q.decided_by,
        reason=q.reason,
    )


@router.get(
    "/insurance-claims", response_model=QueuedClaimsPublic, responses=error_responses(401, 403)
)
def list_claims(
    user: GroupReader,
    cfg: Config,
    status: Annotated[ClaimStatus | None, Query()] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> QueuedClaimsPublic:
    """Claims of the members in scope, oldest submission first; ``?status=submitted`` is
    a checker's queue, ``?status=approved`` the payments to make."""
    rows, total = claim_queue(cfg.db, scope(cfg.db, user), status, limit, offset)
    return QueuedClaimsPublic(
        status=None if status is None else status.value,
        total=total,
        limit=limit,
        offset=offset,
        items=[_queued(q) for q in rows],
    )


def _decision(
    request: Request,
    cfg: Config,
    user: Principal,
    claim_id: int,
    key: str | None,
    body: ClaimApprovalCreate | ClaimRejectionCreate | ClaimPaymentCreate,
    act: Callable[[date], object],
) -> JSONResponse:
    check_claim(cfg, user, claim_id)

    def run() -> tuple[int, ClaimPublic]:
        act(body.on or cfg.today())
        return 200, claim_public(claim_by_id(cfg.db, claim_id))

    return idempotent(request, cfg, user, key, body, run)


@router.post("/insurance-claims/{claim_id}/approve", response_model=ClaimPublic, responses=WRITE)
def approve_claim(
    request: Request,
    claim_id: IdPath,
    body: ClaimApprovalCreate,
    user: Decider,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Up to the amount claimed and the cover left in that year of membership; refused
    (422) to the officer who submitted it (maker-checker)."""
    return _decision(
        request, cfg, user, claim_id, key, body,
        lambda on: insurance_claims.approve_claim(
            cfg.db, claim_id, body.amount, on, actor=user.username),
    )  # fmt: skip


@router.post("/insurance-claims/{claim_id}/reject", response_model=ClaimPublic, responses=WRITE)
def reject_claim(
    request: Request,
    claim_id: IdPath,
    body: ClaimRejectionCreate,
    user: Decider,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    return _decision(
        request, cfg, user, claim_id, key, body,
        lambda on: insurance_claims.reject_claim(
            cfg.db, claim_id, body.reason, on, actor=user.username),
    )  # fmt: skip


@router.post("/insurance-claims/{claim_id}/pay", response_model=ClaimPublic, responses=WRITE)
def pay_claim(
    request: Request,
    claim_id: IdPath,
    body: ClaimPaymentCreate,
    user: Payer,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Pay an approved claim from the insurance fund (Dr claims expense, Cr fund)."""
    return _decision(
        request, cfg, user, claim_id, key, body,
        lambda on: insurance_claims.pay_claim(cfg.db, claim_id, on, actor=user.username),
    )  # fmt: skip
