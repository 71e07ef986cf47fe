"""Admin pages for accounts (admins only): the list, a new account, and one account's
page to change her role and scope, set a new password, deactivate or reactivate her.
Every change goes through :mod:`kuza.services.users`, which writes the audit log."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kuza.domain.access import Principal, Role
from kuza.domain.errors import DomainError, NotFound
from kuza.services import admin, users
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
from kuza.web.i18n import N_
from kuza.web.routes.admin import form_error

router = APIRouter()
ROLES = [r.value for r in Role]
PLACE_FIELDS = ("role", "programme_id", "branch_id", "agent_id")


def _admin_only(user: Principal) -> None:
    if user.role is not Role.ADMIN:
        raise HTTPException(403, N_("Only admins manage accounts."))


def _choices(cfg: Config) -> dict[str, Any]:
    progs = admin.programme_list(cfg.db)
    return {
        "programmes": progs,
        "places": {p.id: admin.places(cfg.db, p.id) for p in progs},
        "roles": ROLES,
    }


def _users_page(
    request: Request,
    cfg: Config,
    typed: Mapping[str, Any] | None = None,
    error: Mapping[str, str | None] | None = None,
    status: int = 200,
    page: int = 1,
) -> HTMLResponse:
    rows, total = admin.user_page(cfg.db, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    context = _choices(cfg) | {
        "rows": rows,
        "page": page,
        "pages": page_count(total),
        "typed": defaultdict(str, typed or {}),
        "error": error,
    }
    return render(request, "admin_users.html", context, status)


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, user: CurrentUser, cfg: Config, page: PageNo = 1) -> HTMLResponse:
    """A page of the accounts by username (a country has thousands of field agents)."""
    _admin_only(user)
    return _users_page(request, cfg, page=page)


def _page_of(data: Form) -> int:
    """The list page a row's form was sent from (1 when absent or odd)."""
    raw = str(data.get("page") or "")
    return int(raw) if raw.isdigit() and 0 < int(raw) <= 100_000 else 1


def _optional_id(raw: object, field: str) -> int | None:
    text = str(raw or "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 9:
        raise DomainError(N_("Choose one from the list."), field=field)
    return int(text)


def _ids(data: Form, field: str) -> list[int]:
    out = []
    for raw in data.getlist(field):
        value = _optional_id(raw, field)
        if value is not None:
            out.append(value)
    return out


def _typed_places(data: Form) -> dict[str, Any]:
    typed: dict[str, Any] = {k: str(data.get(k) or "") for k in PLACE_FIELDS}
    typed["branch_ids"] = [str(v) for v in data.getlist("branch_ids")]
    typed["value_chain_ids"] = [str(v) for v in data.getlist("value_chain_ids")]
    return typed


Chosen = tuple[users.Assignment, list[int], list[int]]


def _assignment(data: Form, typed: Mapping[str, Any]) -> Chosen:
    """The role and places the form chose, and a donor's funded scope."""
    if typed["role"] not in ROLES:
        raise DomainError(N_("Choose a role."), field="role")
    role = Role(typed["role"])
    chosen = users.Assignment(
        role,
        _optional_id(typed["programme_id"], "programme_id"),
        _optional_id(typed["branch_id"], "branch_id"),
        _optional_id(typed["agent_id"], "agent_id"),
    )
    branch_ids = _ids(data, "branch_ids")
    chain_ids = _ids(data, "value_chain_ids")
    if (branch_ids or chain_ids) and role is not Role.DONOR:
        raise DomainError(N_("Only a donor has a funded scope."), field="branch_ids")
    return chosen, branch_ids, chain_ids


@router.post("/admin/users", response_model=None)
def user_create(request: Request, user: CurrentUser, cfg: Config, data: Form) -> Response:
    _admin_only(user)
    typed = {k: str(data.get(k) or "") for k in ("username", "display_name", "locale")}
    typed |= _typed_places(data)
    try:
        chosen, branch_ids, chain_ids = _assignment(data, typed)
        new = users.NewUser(
            username=typed["username"],
            role=chosen.role,
            password=str(data.get("password") or ""),
            display_name=typed["display_name"],
            programme_id=chosen.programme_id,
            branch_id=chosen.branch_id,
            agent_id=chosen.agent_id,
            locale=typed["locale"] or "en",
        )
        users.create_user(
            cfg.db, new, actor=user.username, branch_ids=branch_ids, value_chain_ids=chain_ids
        )
    except DomainError as exc:
        return _users_page(request, cfg, typed, form_error(exc), 422)
    request.session["flash"] = tr(request)(N_("Account %(name)s created."), name=new.username)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{user_id}/active", response_model=None)
def user_active(
    request: Request, user_id: IdPath, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    """``active=0`` deactivates (her sessions and tokens end at once), ``1`` reactivates."""
    _admin_only(user)
    try:
        raw = str(data.get("active") or "")
        if raw not in ("0", "1"):
            raise DomainError(N_("Choose active or not."), field="active")
        if user_id == user.user_id:
            raise DomainError(N_("You cannot deactivate your own account."), field="active")
        name = admin.username_of(cfg.db, user_id)
        users.set_active(cfg.db, name, raw == "1", actor=user.username)
    except NotFound:
        raise  # an absent account is 404, like any absent page
    except DomainError as exc:
        error = form_error(exc, f"user-{user_id}")
        return _users_page(request, cfg, None, error, 422, _page_of(data))
    message = (
        N_("Account %(name)s reactivated.") if raw == "1" else N_("Account %(name)s deactivated.")
    )
    request.session["flash"] = tr(request)(message, name=name)
    return RedirectResponse(f"/admin/users?page={_page_of(data)}", status_code=303)


# ---- one account ------------------------------------------------------------------------


def _account_page(
    request: Request,
    cfg: Config,
    user_id: int,
    typed: Mapping[str, Any] | None = None,
    error: Mapping[str, str | None] | None = None,
    status: int = 200,
) -> HTMLResponse:
    row = admin.account(cfg.db, user_id)
    branch_ids, chain_ids = admin.scope_ids(cfg.db, user_id)
    shown: dict[str, Any] = {
        "role": row.role,
        "programme_id": "" if row.programme_id is None else str(row.programme_id),
        "branch_id": "" if row.branch_id is None else str(row.branch_id),
        "agent_id": "" if row.agent_id is None else str(row.agent_id),
        "branch_ids": [str(b) for b in branch_ids],
        "value_chain_ids": [str(v) for v in chain_ids],
    }
    context = _choices(cfg) | {
        "row": row,
        "typed": shown | dict(typed or {}),
        "error": error,
    }
    return render(request, "admin_account.html", context, status)


@router.get("/admin/users/{user_id}", response_class=HTMLResponse)
def account_page(request: Request, user_id: IdPath, user: CurrentUser, cfg: Config) -> HTMLResponse:
    _admin_only(user)
    return _account_page(request, cfg, user_id)


@router.post("/admin/users/{user_id}/role", response_model=None)
def account_role(
    request: Request, user_id: IdPath, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    """Another role and scope; she sees the new scope at her next request."""
    _admin_only(user)
    name = admin.username_of(cfg.db, user_id)  # absent: 404
    typed = _typed_places(data)
    try:
        if user_id == user.user_id:
            raise DomainError(N_("You cannot change your own role."), field="role")
        chosen, branch_ids, chain_ids = _assignment(data, typed)
        users.change_assignment(
            cfg.db,
            name,
            chosen,
            actor=user.username,
            branch_ids=branch_ids,
            value_chain_ids=chain_ids,
        )
    except DomainError as exc:
        return _account_page(request, cfg, user_id, typed, form_error(exc, "role"), 422)
    request.session["flash"] = tr(request)(N_("Account %(name)s changed."), name=name)
    return RedirectResponse(f"/admin/users/{user_id}", status_code=303)


@router.post("/admin/users/{user_id}/password", response_model=None)
def account_password(
    request: Request, user_id: IdPath, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    """A new password typed twice; her API tokens are revoked."""
    _admin_only(user)
    name = admin.username_of(cfg.db, user_id)  # absent: 404
    try:
        password = str(data.get("new_password") or "")
        if password != str(data.get("new_password_again") or ""):
            raise DomainError(N_("The two passwords differ."), field="new_password_again")
        users.set_password(cfg.db, name, password, actor=user.username)
    except DomainError as exc:
        error = form_error(exc, "password")
        if error["field"] == "password":
            error["field"] = "new_password"
        return _account_page(request, cfg, user_id, None, error, 422)
    request.session["flash"] = tr(request)(N_("New password set for %(name)s."), name=name)
    return RedirectResponse(f"/admin/users/{user_id}", status_code=303)
