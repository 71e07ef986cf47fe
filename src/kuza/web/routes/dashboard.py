"""The programme dashboard: impact figures with definitions, charts, the rows behind a
figure and the CSV/XLSX exports, each for the user's scope (a donor's funded scope)."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from kuza.domain.access import Principal, Role
from kuza.domain.errors import DomainError
from kuza.reports.dashboard import Dashboard, Scope, dashboard, programme_choices, scope_for
from kuza.reports.dashboard_snapshot import stored_dashboard
from kuza.reports.impact_export import to_csv, xlsx_bytes
from kuza.web.deps import Config, CurrentUser, locale_of, render, tr
from kuza.web.documents import CSV, PDF, XLSX, attachment, impact_file, impact_pdf
from kuza.web.i18n import N_
from kuza.web.metrics_text import sections, shown

router = APIRouter()
MAX_ROWS = 1000
LINKED = {"enterprise": "/enterprises/{}"}
# Refusals of the services this page shows by name.
SHOWN_ERRORS = (N_("the end date is before the start date"),)

From = Annotated[str | None, Query(alias="from", max_length=10)]
To = Annotated[str | None, Query(alias="to", max_length=10)]
ProgrammeId = Annotated[int | None, Query(ge=1, le=2**31 - 1)]
Live = Annotated[bool, Query(description="compute now, not the last close-day's figures")]


def _scope(cfg: Config, user: Principal, programme: int | None) -> Scope:
    scope = scope_for(cfg.db, user, programme)
    if scope is None:
        if user.role is Role.ADMIN:
            raise HTTPException(404, N_("No such programme."))
        raise HTTPException(403, N_("Your role has no programme dashboard."))
    return scope


def _day(raw: str | None, field: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise DomainError(N_("not a date like 2026-03-31"), field=field) from None


def _load(
    cfg: Config,
    user: Principal,
    start: str | None,
    end: str | None,
    programme: int | None,
    figures_only: bool = False,
    stored: bool = False,
) -> Dashboard:
    """``stored``: the default view (whole programme, no period asked) is read from the
    last close-day's snapshot when there is one."""
    scope = _scope(cfg, user, programme)
    if stored and not start and not end:
        board = stored_dashboard(cfg.db, scope)
        if board is not None:
            return board
    day = _day(end, "to") or cfg.today()
    return dashboard(cfg.db, scope, _day(start, "from"), day, figures_only)


def _load_or_422(
    cfg: Config, user: Principal, start: str | None, end: str | None, programme: int | None
) -> Dashboard:
    try:
        return _load(cfg, user, start, end, programme)
    except DomainError as exc:
        raise HTTPException(422, f"{exc.field}: {exc.message}") from None


def _query(board: Dashboard, user: Principal) -> str:
    params = {"from": board.report.start.isoformat(), "to": board.report.end.isoformat()}
    if user.role is Role.ADMIN:
        params["programme"] = str(board.scope.programme_id)
    return urlencode(params)


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(
    request: Request,
    user: CurrentUser,
    cfg: Config,
    start: From = None,
    end: To = None,
    programme: ProgrammeId = None,
    live: Live = False,
) -> HTMLResponse:
    context: dict[str, object] = {"start": start or "", "end": end or "", "error": None}
    if user.role is Role.ADMIN:
        context["programmes"] = programme_choices(cfg.db)
    try:
        board = _load(cfg, user, start, end, programme, figures_only=True, stored=not live)
    except DomainError as exc:
        context["error"] = {"field": exc.field, "message": exc.message}
        return render(request, "dashboard.html", {**context, "board": None}, 422)
    now = {"live": "1"} | ({"programme": programme} if programme is not None else {})
    _ = tr(request)
    context |= {
        "board": board,
        "sections": sections(board.report.metrics, locale_of(request), _),
        "query": _query(board, user),
        "live_query": urlencode(now),
        "start": board.report.start.isoformat(),
        "end": board.report.end.isoformat(),
    }
    return render(request, "dashboard.html", context)


@router.get("/dashboard/rows/{code}", response_class=HTMLResponse)
def dashboard_rows(
    request: Request,
    user: CurrentUser,
    cfg: Config,
    code: Annotated[str, Path(max_length=60)],
    start: From = None,
    end: To = None,
    programme: ProgrammeId = None,
) -> HTMLResponse:
    """The rows a figure comes from; never for a donor, who sees aggregates only."""
    if user.role is Role.DONOR:
        raise HTTPException(404, N_("No such page."))
    board = _load_or_422(cfg, user, start, end, programme)
    found = [m for m in board.report.metrics if m.code == code]
    if not found:
        raise HTTPException(404, N_("No such figure."))
    metric = found[0]
    rows = []
    for source in metric.sources[:MAX_ROWS]:
        table, _sep, rid = source.partition(":")
        link = LINKED[table].format(rid) if table in LINKED else None
        rows.append({"table": table, "id": rid, "link": link})
    context = {
        "board": board,
        "metric": shown(metric, locale_of(request), tr(request)),
        "rows": rows,
        "more": max(0, len(metric.sources) - MAX_ROWS),
        "query": _query(board, user),
    }
    return render(request, "dashboard_rows.html", context)


@router.get("/dashboard/impact.csv")
def dashboard_csv(
    user: CurrentUser,
    cfg: Config,
    start: From = None,
    end: To = None,
    programme: ProgrammeId = None,
) -> Response:
    board = _load_or_422(cfg, user, start, end, programme)
    return attachment(to_csv(board.report), CSV, f"{impact_file(board)}.csv")


@router.get("/dashboard/impact.xlsx")
def dashboard_xlsx(
    user: CurrentUser,
    cfg: Config,
    start: From = None,
    end: To = None,
    programme: ProgrammeId = None,
) -> Response:
    board = _load_or_422(cfg, user, start, end, programme)
    return attachment(xlsx_bytes(board.report), XLSX, f"{impact_file(board)}.xlsx")


@router.get("/dashboard/impact.pdf")
def dashboard_pdf(
    request: Request,
    user: CurrentUser,
    cfg: Config,
    start: From = None,
    end: To = None,
    programme: ProgrammeId = None,
) -> Response:
    """The figures of the user's scope in her language; a donor gets her funded scope
    and, like everyone here, figures only (no names, no rows)."""
    board = _load_or_422(cfg, user, start, end, programme)
    body = impact_pdf(board, cfg.today(), locale_of(request))
    return attachment(body, PDF, f"{impact_file(board)}.pdf")
