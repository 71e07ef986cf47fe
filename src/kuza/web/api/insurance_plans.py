"""Health-insurance plans of a programme (list; create with premium and subsidy) and the
premium collection of a period through the ledger; a second collection of a period books
nothing twice. The same services as the CLI (kuza insurance plan / collect)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from kuza.domain.access import Principal, Role
from kuza.domain.errors import DomainError
from kuza.domain.insurance import may_collect_premiums, may_create_plans
from kuza.services import insurance
from kuza.services.insurance_views import PlanRow, plan_list, plan_programme
from kuza.web.api.deps import GroupReader, IdempotencyKey, Limit, Offset, idempotent
from kuza.web.api.insurance_schemas import (
    PlanCreate,
    PlanPublic,
    PlansPublic,
    PremiumCollectionCreate,
    PremiumCollectionPublic,
)
from kuza.web.api.schemas import error_responses, money
from kuza.web.deps import Config, IdPath

router = APIRouter(tags=["insurance"])
WRITE = error_responses(401, 403, 404, 409, 422)


def plan_maker(user: GroupReader) -> Principal:
    if not may_create_plans(user.role):
        raise HTTPException(403, "only admins and country managers create insurance plans")
    return user


def collector(user: GroupReader) -> Principal:
    if not may_collect_premiums(user.role):
        raise HTTPException(403, "your role does not collect premiums into the insurance fund")
    return user


PlanMaker = Annotated[Principal, Depends(plan_maker)]
Collector = Annotated[Principal, Depends(collector)]


def own_programme(user: Principal, programme_id: int | None) -> int:
    """Admins name any programme; the others act in theirs (another one is 404)."""
    if user.role is Role.ADMIN:
        if programme_id is None:
            raise DomainError("an admin names the programme_id", field="programme_id")
        return programme_id
    if programme_id is not None and programme_id != user.programme_id:
        raise HTTPException(404, "no such programme")
    if user.programme_id is None:
        raise HTTPException(404, "no such programme")
    return user.programme_id


def check_plan(cfg: Config, user: Principal, plan_id: int) -> None:
    pid = plan_programme(cfg.db, plan_id)
    if pid is None or (user.role is not Role.ADMIN and pid != user.programme_id):
        raise HTTPException(404, "no such plan")


def _plan(r: PlanRow) -> PlanPublic:
    return PlanPublic(
        id=r.id,
        programme_id=r.programme_id,
        name=r.name,
        premium=money(r.premium),
        dependant_premium=money(r.dependant_premium),
        currency=r.premium.currency,
        period=r.period,
        cover_per_year=money(r.cover_per_year),
        waiting_days=r.waiting_days,
        subsidy=r.subsidy,
        active=r.active,
        enrolments=r.enrolments,
    )


@router.get("/insurance-plans", response_model=PlansPublic, responses=error_responses(401, 403))
def list_plans(
    user: GroupReader,
    cfg: Config,
    programme: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="Admins; default every programme")
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> PlansPublic:
    pid = programme if user.role is Role.ADMIN else user.programme_id
    rows = plan_list(cfg.db, pid) if pid is not None or user.role is Role.ADMIN else []
    return PlansPublic(
        programme_id=pid,
        total=len(rows),
        limit=limit,
        offset=offset,
        items=[_plan(r) for r in rows[offset : offset + limit]],
    )


@router.post("/insurance-plans", response_model=PlanPublic, status_code=201, responses=WRITE)
def create_plan(
    request: Request, body: PlanCreate, user: PlanMaker, cfg: Config, key: IdempotencyKey = None
) -> JSONResponse:
    """A plan of the programme, in its currency; names are unique per programme (409)."""
    pid = own_programme(user, body.programme_id)

    def run() -> tuple[int, PlanPublic]:
        data = body.model_dump(exclude={"programme_id"})
        plan_id = insurance.create_plan(cfg.db, pid, data, actor=user.username)
        return 201, _plan(next(r for r in plan_list(cfg.db, pid) if r.id == plan_id))

    return idempotent(request, cfg, user, key, body, run)


@router.post(
    "/insurance-plans/{plan_id}/premium-collections",
    response_model=PremiumCollectionPublic,
    responses=WRITE,
)
def collect_premiums(
    request: Request,
    plan_id: IdPath,
    body: PremiumCollectionCreate,
    user: Collector,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Book the period's premium of every enrolment active on its first day, all or
    none; enrolments collected before are counted in ``already`` and booked nothing."""
    check_plan(cfg, user, plan_id)

    def run() -> tuple[int, PremiumCollectionPublic]:
        done = insurance.collect_premiums(
            cfg.db, plan_id, body.period, cfg.today(), actor=user.username
        )
        return 200, PremiumCollectionPublic(
            plan_id=plan_id,
            period_start=done.period_start,
            collected=len(done.collected),
            already=len(done.already),
            premiums=money(done.premiums),
            subsidies=money(done.subsidies),
            currency=done.premiums.currency,
        )

    return idempotent(request, cfg, user, key, body, run)
