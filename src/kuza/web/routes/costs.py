"""Programme costs (what cost per job divides): the latest cost lines, one recorded by
hand or a CSV or XLSX sheet of them uploaded, each posted to the ledger by the service.
Admin, country manager and finance only; a file with a bad row books nothing and names
every bad row."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from kuza.domain.access import Principal, Role, sees_group_pages
from kuza.domain.costs import (
    CSV_COLUMNS,
    CSV_OPTIONAL,
    CostCategory,
    CostLine,
    CostRowsRefused,
    Stage,
    may_record_costs,
)
from kuza.domain.errors import DomainError
from kuza.domain.money import Money
from kuza.services import admin, costs
from kuza.services.costs import CostImport
from kuza.web.deps import (
    Config,
    CurrentUser,
    Form,
    PageNo,
    chosen_programme,
    page_count,
    programme_or_404,
    render,
    tr,
)
from kuza.web.form_fields import day_field
from kuza.web.i18n import N_

router = APIRouter()
# Hand in Hand's four stages as the cost list and form name them beside their number.
STAGE_NAMES = {
    Stage.GROUPS.value: N_("groups"),
    Stage.TRAINING.value: N_("training"),
    Stage.CREDIT.value: N_("credit"),
    Stage.MARKETS.value: N_("markets"),
}
PAGE = 50
MAX_FILE = 2_000_000  # bytes: a year of vouchers is far less
LINE_FIELDS = (*CSV_COLUMNS, *CSV_OPTIONAL, "programme_id")


def _keeper(user: Principal) -> None:
    if not sees_group_pages(user):
        raise HTTPException(404, N_("No such page."))
    if not may_record_costs(user.role):
        raise HTTPException(403, N_("Only finance and the programme's managers keep costs."))


def _page(
    request: Request,
    cfg: Config,
    user: Principal,
    programme_id: int | None,
    typed: Mapping[str, str] | None = None,
    error: Mapping[str, str | None] | None = None,
    rows: Sequence[tuple[int, DomainError]] = (),
    status: int = 200,
    page: int = 1,
) -> HTMLResponse:
    pid = programme_id
    if pid is None:
        pid = chosen_programme(user, None, cfg) if user.role is Role.ADMIN else user.programme_id
    total = costs.cost_total(cfg.db, pid) if pid else 0
    context = {
        "programme_id": pid,
        "programmes": admin.programme_list(cfg.db) if user.role is Role.ADMIN else [],
        "costs": costs.cost_list(cfg.db, pid, PAGE, (page - 1) * PAGE) if pid else [],
        "total": total,
        "page": page,
        "pages": page_count(total, PAGE),
        "query": {"programme": pid} if user.role is Role.ADMIN and pid else {},
        "stages": [s.value for s in Stage],
        "stage_names": STAGE_NAMES,
        "categories": [c.value for c in CostCategory],
        "columns": CSV_COLUMNS + CSV_OPTIONAL,
        "typed": dict(typed or {}),
        "error": error,
        "bad_rows": [{"row": n, "field": e.field, "message": e.message} for n, e in rows],
        "today": cfg.today().isoformat(),
    }
    return render(request, "costs.html", context, status)


@router.get("/costs", response_class=HTMLResponse)
def costs_page(
    request: Request,
    user: CurrentUser,
    cfg: Config,
    programme: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    page: PageNo = 1,
) -> HTMLResponse:
    _keeper(user)
    pid = programme_or_404(user, str(programme) if programme else None, cfg)
    return _page(request, cfg, user, pid, page=page)


def _done(request: Request, programme_id: int, message: str) -> Response:
    request.session["flash"] = message
    return RedirectResponse(f"/costs?programme={programme_id}", status_code=303)


@router.post("/costs", response_model=None)
def cost_record(request: Request, user: CurrentUser, cfg: Config, data: Form) -> Response:
    _keeper(user)
    typed = {k: str(data.get(k) or "").strip() for k in LINE_FIELDS}
    pid: int | None = None
    try:
        pid = chosen_programme(user, typed["programme_id"], cfg)
        stage, category = typed["stage"], typed["category"]
        if stage not in {str(s.value) for s in Stage}:
            raise DomainError(N_("Choose the stage."), field="stage")
        if category not in {c.value for c in CostCategory}:
            raise DomainError(N_("Choose the category."), field="category")
        line = CostLine(
            reference=typed["reference"],
            stage=Stage(int(stage)),
            category=CostCategory(category),
            period_start=day_field(typed["period_start"], "period_start"),
            period_end=day_field(typed["period_end"], "period_end"),
            amount=Money.of(typed["amount"], costs.programme_currency(cfg.db, pid)),
            branch=typed["branch"] or None,
            memo=typed["memo"],
        )
        costs.record_cost(cfg.db, pid, line, actor=user.username)
    except DomainError as exc:
        error = {"form": "line", "field": exc.field, "message": exc.message}
        return _page(request, cfg, user, pid, typed, error, status=422)
    return _done(request, pid, tr(request)(N_("Cost recorded and posted to the ledger.")))


def _import(cfg: Config, pid: int, filename: str, raw: bytes, actor: str) -> CostImport:
    """An .xlsx is read from its first sheet; anything else as a UTF-8 CSV."""
    if Path(filename).suffix.casefold() == ".xlsx":
        with tempfile.TemporaryDirectory() as tmp:
            sheet = Path(tmp) / "costs.xlsx"
            sheet.write_bytes(raw)
            return costs.import_costs_sheet(cfg.db, pid, sheet, actor=actor)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(N_("The file is not a UTF-8 CSV."), field="file") from None
    return costs.import_costs_csv(cfg.db, pid, text, actor=actor)


@router.post("/costs/import", response_model=None)
def cost_import(request: Request, user: CurrentUser, cfg: Config, data: Form) -> Response:
    _keeper(user)
    pid: int | None = None
    try:
        pid = chosen_programme(user, str(data.get("programme_id") or ""), cfg)
        upload = data.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise DomainError(N_("Choose a CSV or XLSX file."), field="file")
        raw = upload.file.read(MAX_FILE + 1)
        if len(raw) > MAX_FILE:
            raise DomainError(N_("The file is too large (2 MB at most)."), field="file")
        done = _import(cfg, pid, upload.filename, raw, user.username)
    except CostRowsRefused as exc:
        nothing = tr(request)(N_("Nothing was booked."))
        error = {"form": "file", "field": "file", "message": nothing}
        return _page(request, cfg, user, pid, None, error, exc.rows, 422)
    except DomainError as exc:
        error = {"form": "file", "field": "file", "message": exc.message}
        return _page(request, cfg, user, pid, None, error, status=422)
    message = tr(request)(
        N_("%(booked)s costs booked, %(again)s already booked before."),
        booked=len(done.created),
        again=len(done.already_booked),
    )
    return _done(request, pid, message)


# Values shown through _() on the page.
SHOWN_VALUES = (N_("staff"), N_("training"), N_("materials"), N_("overhead"))
