"""Programme costs (what cost per job divides): the latest, one recorded, or a CSV of
them imported all or none; each posted to the ledger by the service (docs/impact.md).
Admin, country manager and finance only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from kuza.domain.access import Principal, Role
from kuza.domain.costs import CostCategory, CostLine, Stage, may_record_costs
from kuza.domain.money import Money
from kuza.services import admin, costs
from kuza.web.api.cost_schemas import (
    CostCreate,
    CostImportCreate,
    CostImportPublic,
    CostPublic,
    CostsPublic,
)
from kuza.web.api.deps import ApiUser, IdempotencyKey, Limit, Offset, idempotent
from kuza.web.api.insurance_plans import own_programme
from kuza.web.api.schemas import error_responses, money
from kuza.web.deps import Config

router = APIRouter(tags=["costs"])
WRITE = error_responses(401, 403, 404, 409, 422)


def cost_keeper(user: ApiUser) -> Principal:
    if not may_record_costs(user.role):
        raise HTTPException(403, "only admins, country managers and finance keep costs")
    return user


CostKeeper = Annotated[Principal, Depends(cost_keeper)]


def _public(r: costs.CostRow) -> CostPublic:
    return CostPublic(
        id=r.id,
        reference=r.reference,
        stage=r.stage,
        category=r.category,
        branch=r.branch,
        period_start=r.period_start,
        period_end=r.period_end,
        amount=money(r.amount),
        currency=r.amount.currency,
        memo=r.memo,
        recorded_by=r.recorded_by,
    )


@router.get("/costs", response_model=CostsPublic, responses=error_responses(401, 403, 404, 422))
def list_costs(
    user: CostKeeper,
    cfg: Config,
    programme: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="Admins")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> CostsPublic:
    """The programme's costs, the latest period first."""
    if user.role is Role.ADMIN and programme is None:
        first = admin.programme_list(cfg.db)
        programme = first[0].id if first else None
    pid = own_programme(user, programme if user.role is Role.ADMIN else None)
    return CostsPublic(
        programme_id=pid,
        total=costs.cost_total(cfg.db, pid),
        limit=limit,
        offset=offset,
        items=[_public(r) for r in costs.cost_list(cfg.db, pid, limit, offset)],
    )


@router.post("/costs", response_model=CostPublic, status_code=201, responses=WRITE)
def create_cost(
    request: Request, body: CostCreate, user: CostKeeper, cfg: Config, key: IdempotencyKey = None
) -> JSONResponse:
    """One cost line, posted Dr its category's expense, Cr operating cash; a reference
    already booked is refused (422 on ``reference``)."""
    pid = own_programme(user, body.programme_id)

    def run() -> tuple[int, CostPublic]:
        line = CostLine(
            reference=body.reference.strip(),
            stage=Stage(body.stage),
            category=CostCategory(body.category),
            period_start=body.period_start,
            period_end=body.period_end,
            amount=Money.of(body.amount, costs.programme_currency(cfg.db, pid)),
            branch=(body.branch or "").strip() or None,
            memo=body.memo,
        )
        cid = costs.record_cost(cfg.db, pid, line, actor=user.username)
        return 201, _public(costs.cost_row(cfg.db, cid))

    return idempotent(request, cfg, user, key, body, run)


@router.post("/cost-imports", response_model=CostImportPublic, responses=WRITE)
def import_costs(
    request: Request,
    body: CostImportCreate,
    user: CostKeeper,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """A CSV of costs, all rows or none: a bad row books nothing and the error's message
    names every bad row; references booked before are counted in ``already_booked``."""
    pid = own_programme(user, body.programme_id)

    def run() -> tuple[int, CostImportPublic]:
        done = costs.import_costs_csv(cfg.db, pid, body.csv, actor=user.username)
        return 200, CostImportPublic(
            programme_id=pid, created=done.created, already_booked=done.already_booked
        )

    return idempotent(request, cfg, user, key, body, run)
