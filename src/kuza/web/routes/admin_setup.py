"""Admin pages that set up a programme: the programmes (admins create them), a
programme's branches, training catalogue and value chains (admins, a country manager
for hers), a branch's field agents (those, and the branch's own manager). Another
programme or branch is 404, a role not let in 403. A refusal is shown on its field with
what was typed; the services check the input, write in one transaction and audit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kuza.domain.access import (
    AGENT_KEEPERS,
    SETTERS_UP,
    Principal,
    Role,
    may_create_programmes,
    may_keep_agents,
    may_set_up,
)
from kuza.domain.errors import DomainError
from kuza.domain.training import MaterialFormat, TrainingCategory
from kuza.services import enterprises, programmes, training
from kuza.web.deps import (
    PAGE_SIZE,
    Config,
    CurrentUser,
    Form,
    IdPath,
    PageNo,
    page_count,
    render,
    tr,
)
from kuza.web.form_fields import choice
from kuza.web.form_fields import typed as typed_fields
from kuza.web.i18n import N_
from kuza.web.routes.admin import form_error

router = APIRouter()
CATEGORIES = [c.value for c in TrainingCategory]
FORMATS = [f.value for f in MaterialFormat]
PICK = N_("Choose one of the list.")
Typed = Mapping[str, Any] | None
Error = Mapping[str, str | None] | None


def _show(
    request: Request, template: str, context: dict[str, Any], typed: Typed, error: Error,
    status: int,
) -> HTMLResponse:  # fmt: skip
    """A set-up page; after a refusal, its form again with what was typed and the error."""
    context |= {"typed": defaultdict(str, typed or {}), "error": error}
    return render(request, template, context, status)


def _listed(rows: Callable[[int, int], tuple[list[Any], int]], page: int) -> dict[str, Any]:
    """One page of a list: ``rows(limit, offset)`` gives that page's rows and their total."""
    shown, total = rows(PAGE_SIZE, (page - 1) * PAGE_SIZE)
    return {"rows": shown, "page": page, "pages": page_count(total)}


def _saved(request: Request, message: str, name: str, to: str) -> RedirectResponse:
    request.session["flash"] = tr(request)(message, name=name)
    return RedirectResponse(to, status_code=303)


def _sets_up(user: Principal, programme_id: int) -> None:
    if user.role not in SETTERS_UP:
        raise HTTPException(403, N_("Only admins and country managers manage programmes."))
    if not may_set_up(user, programme_id):
        raise HTTPException(404, N_("No such programme."))


def _keeps_agents(cfg: Config, user: Principal, branch_id: int) -> programmes.BranchRow:
    if user.role not in AGENT_KEEPERS:
        raise HTTPException(
            403, N_("Only admins, country managers and branch managers keep field agents.")
        )
    found = programmes.branch_of(cfg.db, branch_id)  # none at all: 404
    if not may_keep_agents(user, found.programme_id, found.id):
        raise HTTPException(404, N_("No such branch."))
    return found


# ---- programmes -------------------------------------------------------------------------


def _programmes_page(
    request: Request, cfg: Config, user: Principal, page: int = 1, typed: Typed = None,
    error: Error = None, status: int = 200,
) -> HTMLResponse:  # fmt: skip
    if user.role not in SETTERS_UP:
        raise HTTPException(403, N_("Only admins and country managers manage programmes."))
    only = None if user.role is Role.ADMIN else (user.programme_id or 0)
    context = {
        **_listed(partial(programmes.programme_rows, cfg.db, only), page),
        "may_create": may_create_programmes(user),
    }
    return _show(request, "admin_programmes.html", context, typed, error, status)


@router.get("/admin/programmes", response_class=HTMLResponse)
def programmes_page(
    request: Request, user: CurrentUser, cfg: Config, page: PageNo = 1
) -> HTMLResponse:
    return _programmes_page(request, cfg, user, page)


@router.post("/admin/programmes", response_model=None)
def programme_create(request: Request, user: CurrentUser, cfg: Config, data: Form) -> Response:
    if not may_create_programmes(user):
        raise HTTPException(403, N_("Only admins create programmes."))
    typed = typed_fields(data, ("code", "name", "country", "currency"))
    try:
        pid = programmes.create_programme(
            cfg.db, typed["code"], typed["name"], typed["country"], typed["currency"],
            actor=user.username,
        )  # fmt: skip
    except DomainError as exc:
        return _programmes_page(request, cfg, user, 1, typed, form_error(exc), 422)
    message = N_("Programme %(name)s created: add its branches.")
    return _saved(request, message, typed["name"], f"/admin/programmes/{pid}/branches")


# ---- branches ---------------------------------------------------------------------------


def _branches_page(
    request: Request, cfg: Config, programme_id: int, page: int = 1, typed: Typed = None,
    error: Error = None, status: int = 200,
) -> HTMLResponse:  # fmt: skip
    context = {
        "programme": programmes.programme_of(cfg.db, programme_id),
        **_listed(partial(programmes.branch_rows, cfg.db, programme_id), page),
    }
    return _show(request, "admin_branches.html", context, typed, error, status)


@router.get("/admin/programmes/{programme_id}/branches", response_class=HTMLResponse)
def branches_page(
    request: Request, programme_id: IdPath, user: CurrentUser, cfg: Config, page: PageNo = 1
) -> HTMLResponse:
    _sets_up(user, programme_id)
    return _branches_page(request, cfg, programme_id, page)


@router.post("/admin/programmes/{programme_id}/branches", response_model=None)
def branch_create(
    request: Request, programme_id: IdPath, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    _sets_up(user, programme_id)
    typed = typed_fields(data, ("name",))
    try:
        programmes.create_branch(cfg.db, programme_id, typed["name"], actor=user.username)
    except DomainError as exc:
        return _branches_page(request, cfg, programme_id, 1, typed, form_error(exc), 422)
    to = f"/admin/programmes/{programme_id}/branches"
    return _saved(request, N_("Branch %(name)s created."), typed["name"], to)


# ---- field agents -----------------------------------------------------------------------


def _agents_page(
    request: Request, cfg: Config, user: Principal, found: programmes.BranchRow, page: int = 1,
    typed: Typed = None, error: Error = None, status: int = 200,
) -> HTMLResponse:  # fmt: skip
    context = {
        "programme": programmes.programme_of(cfg.db, found.programme_id),
        "branch": found,
        "sees_branches": may_set_up(user, found.programme_id),
        **_listed(partial(programmes.agent_rows, cfg.db, found.id), page),
    }
    return _show(request, "admin_agents.html", context, typed, error, status)


@router.get("/admin/branches/{branch_id}/agents", response_class=HTMLResponse)
def agents_page(
    request: Request, branch_id: IdPath, user: CurrentUser, cfg: Config, page: PageNo = 1
) -> HTMLResponse:
    found = _keeps_agents(cfg, user, branch_id)
    return _agents_page(request, cfg, user, found, page)


@router.post("/admin/branches/{branch_id}/agents", response_model=None)
def agent_create(
    request: Request, branch_id: IdPath, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    found = _keeps_agents(cfg, user, branch_id)
    typed = typed_fields(data, ("name", "phone"))
    try:
        programmes.create_agent(
            cfg.db, found.programme_id, branch_id, typed["name"], typed["phone"],
            actor=user.username,
        )  # fmt: skip
    except DomainError as exc:
        return _agents_page(request, cfg, user, found, 1, typed, form_error(exc), 422)
    to = f"/admin/branches/{branch_id}/agents"
    return _saved(request, N_("Field agent %(name)s added."), typed["name"], to)


# ---- training catalogue -----------------------------------------------------------------


def _modules_page(
    request: Request, cfg: Config, programme_id: int, typed: Typed = None, error: Error = None,
    status: int = 200,
) -> HTMLResponse:  # fmt: skip
    context = {
        "programme": programmes.programme_of(cfg.db, programme_id),
        "rows": training.catalogue(cfg.db, programme_id),
        "categories": CATEGORIES,
        "formats": FORMATS,
    }
    return _show(request, "admin_training_modules.html", context, typed, error, status)


@router.get("/admin/programmes/{programme_id}/training-modules", response_class=HTMLResponse)
def modules_page(
    request: Request, programme_id: IdPath, user: CurrentUser, cfg: Config
) -> HTMLResponse:
    _sets_up(user, programme_id)
    return _modules_page(request, cfg, programme_id)


@router.post("/admin/programmes/{programme_id}/training-modules", response_model=None)
def module_add(
    request: Request, programme_id: IdPath, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    _sets_up(user, programme_id)
    typed = typed_fields(data, ("code", "name", "category", "expected_hours", "material_format"))
    try:
        training.add_module(
            cfg.db,
            programme_id,
            typed["code"],
            typed["name"],
            choice(TrainingCategory, typed["category"], "category", PICK),
            typed["expected_hours"],
            choice(MaterialFormat, typed["material_format"] or "text", "material_format", PICK),
            actor=user.username,
        )
    except DomainError as exc:
        return _modules_page(request, cfg, programme_id, typed, form_error(exc), 422)
    to = f"/admin/programmes/{programme_id}/training-modules"
    return _saved(request, N_("Training module %(name)s added."), typed["name"], to)


# ---- value chains -----------------------------------------------------------------------


def _chains_page(
    request: Request, cfg: Config, programme_id: int, typed: Typed = None, error: Error = None,
    status: int = 200,
) -> HTMLResponse:  # fmt: skip
    context = {
        "programme": programmes.programme_of(cfg.db, programme_id),
        "rows": enterprises.value_chains(cfg.db, programme_id),
    }
    return _show(request, "admin_value_chains.html", context, typed, error, status)


@router.get("/admin/programmes/{programme_id}/value-chains", response_class=HTMLResponse)
def chains_page(
    request: Request, programme_id: IdPath, user: CurrentUser, cfg: Config
) -> HTMLResponse:
    _sets_up(user, programme_id)
    return _chains_page(request, cfg, programme_id)


@router.post("/admin/programmes/{programme_id}/value-chains", response_model=None)
def chain_add(
    request: Request, programme_id: IdPath, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    _sets_up(user, programme_id)
    typed = typed_fields(data, ("code", "name"))
    try:
        enterprises.add_value_chain(
            cfg.db, programme_id, typed["code"], typed["name"], actor=user.username
        )
    except DomainError as exc:
        return _chains_page(request, cfg, programme_id, typed, form_error(exc), 422)
    to = f"/admin/programmes/{programme_id}/value-chains"
    return _saved(request, N_("Value chain %(name)s added."), typed["name"], to)
