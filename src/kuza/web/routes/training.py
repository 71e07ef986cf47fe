"""Training pages: the programme's catalogue, a group's sessions (record one with its
attendance), a member's training record."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kuza.domain.access import Principal, Role, may_record_meetings, sees_group_pages
from kuza.domain.errors import DomainError
from kuza.reports.dashboard import programme_choices
from kuza.services import training, users
from kuza.services.training_views import group_sessions, member_training
from kuza.services.views import group_list, group_total, group_view
from kuza.web.deps import (
    PAGE_SIZE,
    Config,
    CurrentUser,
    Form,
    GroupId,
    PageNo,
    page_count,
    render,
    tr,
)
from kuza.web.i18n import N_

router = APIRouter()
MemberPath = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _reader(user: Principal) -> None:
    if not sees_group_pages(user):
        raise HTTPException(404, N_("No such page."))


@router.get("/training", response_class=HTMLResponse)
def training_catalogue(
    request: Request,
    user: CurrentUser,
    cfg: Config,
    programme: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    page: PageNo = 1,
) -> HTMLResponse:
    """The catalogue, and a page of the groups she sees (each links to its sessions)."""
    _reader(user)
    pid = user.programme_id
    if user.role is Role.ADMIN:
        choices = programme_choices(cfg.db)
        pid = programme or (choices[0][0] if choices else None)
    modules = training.catalogue(cfg.db, pid) if pid is not None else []
    only = users.group_scope(user)
    total = group_total(cfg.db, pid, only) if pid is not None else 0
    visible = group_list(cfg.db, pid, only, PAGE_SIZE, (page - 1) * PAGE_SIZE) if pid else []
    context = {
        "modules": modules,
        "groups": visible,
        "page": page,
        "pages": page_count(total),
        "query": {"programme": pid} if user.role is Role.ADMIN and pid else {},
    }
    return render(request, "training_catalogue.html", context)


def _group_page(
    request: Request,
    cfg: Config,
    user: Principal,
    group_id: int,
    form: dict[str, object] | None = None,
    error: Mapping[str, str | None] | None = None,
    status: int = 200,
) -> HTMLResponse:
    view = group_view(cfg.db, group_id, cfg.today(), user.programme_id)
    context = {
        "group": view,
        "sessions": group_sessions(cfg.db, group_id),
        "modules": training.catalogue(cfg.db, view.programme_id),
        "may_record": may_record_meetings(user),
        "form": form
        or {
            "module": "",
            "trainer": "",
            "held_on": cfg.today().isoformat(),
            "hours": "2",
            "present": None,
        },
        "error": error,
    }
    return render(request, "training_group.html", context, status)


@router.get("/training/groups/{group_id}", response_class=HTMLResponse)
def training_group(
    request: Request, group_id: GroupId, user: CurrentUser, cfg: Config
) -> HTMLResponse:
    return _group_page(request, cfg, user, group_id)


@router.post("/training/groups/{group_id}", response_model=None)
def training_record_session(
    request: Request, group_id: GroupId, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    if not may_record_meetings(user):
        raise HTTPException(403, N_("Your role does not record training sessions."))
    present = {int(str(v)) for v in data.getlist("present") if str(v).isdigit()}
    form = {k: str(data.get(k) or "") for k in ("module", "trainer", "held_on", "hours")}
    try:
        held_on = date.fromisoformat(form["held_on"])
    except ValueError:
        error: Mapping[str, str | None] = {
            "field": "held_on",
            "message": tr(request)(N_("not a date like 2026-03-31")),
        }
        return _group_page(request, cfg, user, group_id, {**form, "present": present}, error, 422)
    try:
        training.record_session(
            cfg.db, group_id, form["module"], form["trainer"], held_on, form["hours"], present,
            actor=user.username,
        )  # fmt: skip
    except DomainError as exc:
        error = {"field": exc.field, "message": exc.message}
        return _group_page(request, cfg, user, group_id, {**form, "present": present}, error, 422)
    request.session["flash"] = tr(request)(N_("Training session recorded."))
    return RedirectResponse(f"/training/groups/{group_id}", status_code=303)


@router.get("/training/members/{member_id}", response_class=HTMLResponse)
def training_member(
    request: Request, member_id: MemberPath, user: CurrentUser, cfg: Config
) -> HTMLResponse:
    _reader(user)
    if not users.can_see_member(cfg.db, user, member_id):
        raise HTTPException(404, N_("No such member."))
    return render(request, "training_member.html", {"record": member_training(cfg.db, member_id)})


# Values shown through _() on these pages.
SHOWN_VALUES = (
    N_("business"),
    N_("vocational"),
    N_("financial"),
    N_("social"),
    N_("text"),
    N_("pictorial"),
)
