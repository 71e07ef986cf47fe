"""Health insurance of a member: her enrolments and enrol her (with dependants), the
claims of an enrolment and submit one; read by all but donors, recorded by the meeting
roles. Plans and premiums are in ``insurance_plans``, the claims queue and decisions in
``insurance_claims``."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse

from kuza.domain.access import Principal
from kuza.domain.groups import Sex
from kuza.domain.insurance import PaysFrom
from kuza.services import insurance, insurance_claims, users
from kuza.services.insurance_views import (
    ClaimRow,
    EnrolmentRow,
    enrolment_claims,
    enrolment_member,
    member_enrolments,
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
from kuza.web.api.impact_schemas import (
    ClaimCreate,
    ClaimPublic,
    ClaimsPublic,
    EnrolmentCreate,
    EnrolmentPublic,
    EnrolmentsPublic,
)
from kuza.web.api.schemas import error_responses, money
from kuza.web.deps import Config, IdPath

router = APIRouter(tags=["insurance"])
READ = error_responses(401, 403, 404)
WRITE = error_responses(401, 403, 404, 409, 422)


def check_enrolment(cfg: Config, user: Principal, enrolment_id: int) -> int:
    member_id = enrolment_member(cfg.db, enrolment_id)
    if member_id is None or not users.can_see_member(cfg.db, user, member_id):
        raise HTTPException(404, "no such enrolment")
    return member_id


def _enrolment(r: EnrolmentRow) -> EnrolmentPublic:
    return EnrolmentPublic(
        id=r.id,
        plan_id=r.plan_id,
        plan=r.plan,
        member_id=r.member_id,
        group_id=r.group_id,
        enrolled_on=r.enrolled_on,
        ended_on=r.ended_on,
        pays_from=r.pays_from,
        dependants=r.dependants,
    )


def claim_public(r: ClaimRow) -> ClaimPublic:
    return ClaimPublic(
        id=r.id,
        enrolment_id=r.enrolment_id,
        dependant_id=r.dependant_id,
        incurred_on=r.incurred_on,
        description=r.description,
        claimed=money(r.claimed),
        approved=None if r.approved is None else money(r.approved),
        currency=r.claimed.currency,
        status=r.status,
        submitted_on=r.submitted_on,
        decided_on=r.decided_on,
        paid_on=r.paid_on,
    )


@router.get(
    "/members/{member_id}/insurance-enrolments", response_model=EnrolmentsPublic, responses=READ
)
def list_enrolments(
    member_id: IdPath, user: GroupReader, cfg: Config, limit: Limit = 50, offset: Offset = 0
) -> EnrolmentsPublic:
    check_member(cfg, user, member_id)
    rows = member_enrolments(cfg.db, member_id)
    return EnrolmentsPublic(
        member_id=member_id,
        total=len(rows),
        limit=limit,
        offset=offset,
        items=[_enrolment(r) for r in rows[offset : offset + limit]],
    )


@router.post(
    "/members/{member_id}/insurance-enrolments",
    response_model=EnrolmentPublic,
    status_code=201,
    responses=WRITE,
)
def enrol_member(
    request: Request,
    member_id: IdPath,
    body: EnrolmentCreate,
    user: Recorder,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Enrol her (and her dependants) in a plan of her programme; once per plan (409)."""
    check_member(cfg, user, member_id)
    dependants = [
        insurance.Dependant(d.name, d.relation, Sex(d.sex), d.birth_year) for d in body.dependants
    ]

    def run() -> tuple[int, EnrolmentPublic]:
        eid = insurance.enrol(
            cfg.db, body.plan_id, member_id, body.enrolled_on, PaysFrom(body.pays_from),
            dependants, actor=user.username,
        )  # fmt: skip
        return 201, _enrolment(next(r for r in member_enrolments(cfg.db, member_id) if r.id == eid))

    return idempotent(request, cfg, user, key, body, run)


@router.get(
    "/insurance-enrolments/{enrolment_id}/claims", response_model=ClaimsPublic, responses=READ
)
def list_claims(
    enrolment_id: IdPath, user: GroupReader, cfg: Config, limit: Limit = 50, offset: Offset = 0
) -> ClaimsPublic:
    check_enrolment(cfg, user, enrolment_id)
    rows = enrolment_claims(cfg.db, enrolment_id)
    return ClaimsPublic(
        enrolment_id=enrolment_id,
        total=len(rows),
        limit=limit,
        offset=offset,
        items=[claim_public(r) for r in rows[offset : offset + limit]],
    )


@router.post(
    "/insurance-enrolments/{enrolment_id}/claims",
    response_model=ClaimPublic,
    status_code=201,
    responses=WRITE,
)
def submit_claim(
    request: Request,
    enrolment_id: IdPath,
    body: ClaimCreate,
    user: Recorder,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """A claim for care she (or a dependant) received; decided later by a checker."""
    check_enrolment(cfg, user, enrolment_id)

    def run() -> tuple[int, ClaimPublic]:
        cid = insurance_claims.submit_claim(
            cfg.db, enrolment_id, body.incurred_on, body.amount, body.description, cfg.today(),
            body.dependant_id, body.submitted_on, actor=user.username,
        )  # fmt: skip
        return 201, claim_public(
            next(r for r in enrolment_claims(cfg.db, enrolment_id) if r.id == cid)
        )

    return idempotent(request, cfg, user, key, body, run)
