"""Referrals of household members to health, school, legal or social services: a
member's referrals and refer her, follow one up, and the open referrals in the caller's
scope. Read by all but donors, recorded by the meeting roles."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse

from kuza.domain.access import Principal
from kuza.domain.visits import ReferralKind, ReferralStatus
from kuza.services import users, visits
from kuza.services.visit_views import (
    ReferralRow,
    member_referrals,
    open_referrals,
    referral_member,
)
from kuza.web.api.deps import (
    GroupReader,
    IdempotencyKey,
    Limit,
    Offset,
    Recorder,
    check_member,
    idempotent,
)
from kuza.web.api.schemas import error_responses
from kuza.web.api.visit_schemas import (
    FollowUpCreate,
    FollowUpPublic,
    MemberReferralsPublic,
    ReferralCreate,
    ReferralPublic,
    ReferralsPublic,
)
from kuza.web.deps import Config, IdPath

router = APIRouter(tags=["visits"])
READ = error_responses(401, 403, 404)
WRITE = error_responses(401, 403, 404, 409, 422)


def check_referral(cfg: Config, user: Principal, referral_id: int) -> int:
    member_id = referral_member(cfg.db, referral_id)
    if member_id is None or not users.can_see_member(cfg.db, user, member_id):
        raise HTTPException(404, "no such referral")
    return member_id


def _public(r: ReferralRow) -> ReferralPublic:
    return ReferralPublic(
        id=r.id,
        member_id=r.member_id,
        member=r.member,
        visit_id=r.visit_id,
        kind=r.kind,
        service=r.service,
        referred_on=r.referred_on,
        referred_by=r.referred_by,
        status=r.status,
        note=r.note,
        follow_ups=[
            FollowUpPublic(on=f.on, status=f.status, note=f.note, recorded_by=f.recorded_by)
            for f in r.follow_ups
        ],
    )


def _one(cfg: Config, member_id: int, referral_id: int) -> ReferralPublic:
    return _public(next(r for r in member_referrals(cfg.db, member_id) if r.id == referral_id))


@router.get("/referrals", response_model=ReferralsPublic, responses=error_responses(401, 403))
def list_open_referrals(
    user: GroupReader, cfg: Config, limit: Limit = 50, offset: Offset = 0
) -> ReferralsPublic:
    """Referrals still open (referred or in progress) of the members in scope, oldest
    first: the agent's follow-up list."""
    rows, total = open_referrals(cfg.db, user, limit=limit, offset=offset)
    return ReferralsPublic(
        total=total, limit=limit, offset=offset, items=[_public(r) for r in rows]
    )


@router.get("/members/{member_id}/referrals", response_model=MemberReferralsPublic, responses=READ)
def list_member_referrals(
    member_id: IdPath, user: GroupReader, cfg: Config, limit: Limit = 50, offset: Offset = 0
) -> MemberReferralsPublic:
    check_member(cfg, user, member_id)
    rows = member_referrals(cfg.db, member_id)
    return MemberReferralsPublic(
        member_id=member_id,
        total=len(rows),
        limit=limit,
        offset=offset,
        items=[_public(r) for r in rows[offset : offset + limit]],
    )


@router.post(
    "/members/{member_id}/referrals",
    response_model=ReferralPublic,
    status_code=201,
    responses=WRITE,
)
def refer_member(
    request: Request,
    member_id: IdPath,
    body: ReferralCreate,
    user: Recorder,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Refer her to a service (from a visit of hers, if ``visit_id``); the caller refers."""
    check_member(cfg, user, member_id)

    def run() -> tuple[int, ReferralPublic]:
        pid = visits.programme_of_member(cfg.db, member_id)
        rid = visits.refer(
            cfg.db, pid, member_id, ReferralKind(body.kind), body.service, body.on,
            body.visit_id, body.note, actor=user.username,
        )  # fmt: skip
        return 201, _one(cfg, member_id, rid)

    return idempotent(request, cfg, user, key, body, run)


@router.post(
    "/referrals/{referral_id}/follow-ups",
    response_model=ReferralPublic,
    status_code=201,
    responses=WRITE,
)
def follow_up(
    request: Request,
    referral_id: IdPath,
    body: FollowUpCreate,
    user: Recorder,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """The referral's new status (in progress, resolved, dropped), kept with its history;
    a resolved or dropped referral moves no more (422)."""
    member_id = check_referral(cfg, user, referral_id)

    def run() -> tuple[int, ReferralPublic]:
        visits.follow_up_referral(
            cfg.db, referral_id, ReferralStatus(body.status), body.on, body.note,
            actor=user.username,
        )  # fmt: skip
        return 201, _one(cfg, member_id, referral_id)

    return idempotent(request, cfg, user, key, body, run)
