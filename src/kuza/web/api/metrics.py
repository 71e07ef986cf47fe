"""GET /metrics: the impact figures of the caller's scope, as JSON or as the dashboard's
CSV, XLSX and PDF exports. Donors get their funded scope and figures only: no names, no
rows behind the figures."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from kuza.domain.access import Principal, Role
from kuza.reports.dashboard import Dashboard, dashboard, scope_for
from kuza.reports.dashboard_snapshot import stored_dashboard
from kuza.reports.impact_export import to_csv, xlsx_bytes
from kuza.web.api.deps import ApiUser, Limit, Offset
from kuza.web.api.schemas import Page, error_responses, file_response
from kuza.web.deps import Config, api_locale_of
from kuza.web.documents import CSV, PDF, XLSX, attachment, impact_file, impact_pdf

router = APIRouter(tags=["metrics"])
ERRORS = error_responses(401, 403, 404, 422)
From = Annotated[date | None, Query(alias="from", description="First day")]
To = Annotated[date | None, Query(alias="to", description="Last day (default today)")]
Programme = Annotated[int | None, Query(ge=1, le=2**31 - 1, description="Admins")]
Live = Annotated[
    bool,
    Query(description="Compute now; default: the last close-day's figures (whole programme)"),
]


class MetricPublic(BaseModel):
    code: str
    name: str
    value: str | None = Field(description="A decimal string; null when undefined")
    unit: str = Field(description="count, percent, FTE, count/day, points or a currency")
    definition: str
    sources: list[str] = Field(
        description="table:id of each row behind it; empty for donors and stored figures"
    )


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
    as_of: date | None = Field(
        description="The close-day whose stored figures these are; null when computed now"
    )
    live: bool = Field(description="True: computed now from the records")
    items: list[MetricPublic]


def _board(
    cfg: Config,
    user: Principal,
    start: date | None,
    end: date | None,
    programme: int | None,
    figures_only: bool = False,
    stored: bool = False,
) -> Dashboard:
    """``stored``: the whole programme with no period asked is read from the last
    close-day's snapshot when there is one (figures, no rows)."""
    scope = scope_for(cfg.db, user, programme)
    if scope is None:
        if user.role is Role.ADMIN:
            raise HTTPException(404, "no such programme")
        raise HTTPException(403, "your role has no programme figures")
    if stored and start is None and end is None:
        board = stored_dashboard(cfg.db, scope)
        if board is not None:
            return board
    # Donors get no rows: their figures need not build them (nor does a PDF).
    figures_only = figures_only or not scope.personal_rows
    return dashboard(cfg.db, scope, start, end or cfg.today(), figures_only)


@router.get("/metrics", response_model=MetricsPublic, responses=ERRORS)
def read_metrics(
    user: ApiUser,
    cfg: Config,
    start: From = None,
    end: To = None,
    programme: Programme = None,
    live: Live = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> MetricsPublic:
    board = _board(cfg, user, start, end, programme, stored=not live)
    scope, r = board.scope, board.report
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
        as_of=board.as_of,
        live=board.as_of is None,
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


@router.get(
    "/metrics.csv",
    response_class=Response,
    responses=file_response("text/csv", "The dashboard's impact.csv: one row per metric") | ERRORS,
)
def metrics_csv(
    user: ApiUser, cfg: Config, start: From = None, end: To = None, programme: Programme = None
) -> Response:
    """Columns code, name, value (exact decimal, empty when undefined), unit, definition,
    period_start, period_end, sources (empty for a donor)."""
    board = _board(cfg, user, start, end, programme)
    return attachment(to_csv(board.report), CSV, f"{impact_file(board)}.csv")


@router.get(
    "/metrics.xlsx",
    response_class=Response,
    responses=file_response(XLSX, "The CSV's rows on a sheet 'impact', the period on 'about'")
    | ERRORS,
)
def metrics_xlsx(
    user: ApiUser, cfg: Config, start: From = None, end: To = None, programme: Programme = None
) -> Response:
    board = _board(cfg, user, start, end, programme)
    return attachment(xlsx_bytes(board.report), XLSX, f"{impact_file(board)}.xlsx")


@router.get(
    "/metrics.pdf",
    response_class=Response,
    responses=file_response(PDF, "The impact report: code, value, unit, name; figures only")
    | ERRORS,
)
def metrics_pdf(
    request: Request,
    user: ApiUser,
    cfg: Config,
    start: From = None,
    end: To = None,
    programme: Programme = None,
) -> Response:
    """Headings and metric names in the user's language (as the error messages)."""
    board = _board(cfg, user, start, end, programme, figures_only=True)
    locale = api_locale_of(request)
    body = impact_pdf(board, cfg.today(), locale)
    return attachment(body, PDF, f"{impact_file(board)}.pdf")
