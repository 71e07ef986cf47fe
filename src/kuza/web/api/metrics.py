"""GET /metrics: the impact figures of the caller's scope. Donors get their funded scope
and figures only: no names, no rows behind the figures."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from kuza.domain.access import Role
from kuza.reports.dashboard import dashboard, scope_for
from kuza.web.api.deps import ApiUser, Limit, Offset
from kuza.web.api.schemas import Page, error_responses
from kuza.web.deps import Config

router = APIRouter(tags=["metrics"])


class MetricPublic(BaseModel):
    code: str
    name: str
    value: str | None = Field(description="A decimal string; null when undefined")
    unit: str = Field(description="count, percent, FTE, count/day, points or a currency")
    definition: str
    sources: list[str] = Field(description="table:id of each row behind it; empty for donors")


class ScopePublic(BaseModel):
    programme_id: int
    whole_programme: bool
    branches: list[str]
    value_chains: list[str]


class MetricsPublic(Page):
    programme: str
    currency: str
    start: date
    end: date
    scope: ScopePublic
    items: list[MetricPublic]


@router.get("/metrics", response_model=MetricsPublic, responses=error_responses(401, 403, 404, 422))
def read_metrics(
    user: ApiUser,
    cfg: Config,
    start: Annotated[date | None, Query(alias="from", description="First day")] = None,
    end: Annotated[date | None, Query(alias="to", description="Last day (default today)")] = None,
    programme: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="Admins")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> MetricsPublic:
    scope = scope_for(cfg.db, user, programme)
    if scope is None:
        if user.role is Role.ADMIN:
            raise HTTPException(404, "no such programme")
        raise HTTPException(403, "your role has no programme figures")
    # Donors get no rows: their figures need not build them.
    board = dashboard(cfg.db, scope, start, end or cfg.today(), not scope.personal_rows)
    r = board.report
    return MetricsPublic(
        total=len(r.metrics),
        limit=limit,
        offset=offset,
        programme=r.programme_code,
        currency=r.currency,
        start=r.start,
        end=r.end,
        scope=ScopePublic(
            programme_id=scope.programme_id,
            whole_programme=scope.whole,
            branches=list(board.branches),
            value_chains=list(board.value_chains),
        ),
        items=[
            MetricPublic(
                code=m.code,
                name=m.name,
                value=None if m.value is None else str(m.value),
                unit=m.unit,
                definition=m.definition,
                sources=list(m.sources),
            )
            for m in r.metrics[offset : offset + limit]
        ],
    )
