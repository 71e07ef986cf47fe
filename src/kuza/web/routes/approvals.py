"""Waiting for approval: meeting corrections, share-outs and write-offs a maker
submitted; a checker (another user, of a role that checks) approves or rejects them.
The group page's share-out button submits here."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kuza.domain.access import Principal, sees_group_pages
from kuza.domain.approvals import PendingKind, may_check, may_submit
from kuza.domain.errors import DomainError
from kuza.services import approvals, users
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
from kuza.web.form_fields import typed
from kuza.web.i18n import N_
from kuza.web.loan_forms import FormState, day, failed, scope

router = APIRouter()

# Shown through _() in the templates.
KINDS = (N_("meeting correction"), N_("share out"), N_("write off"), N_("repayment reversal"))


def visible_action(action_id: int, user: CurrentUser, cfg: Config) -> int:
    gid = approvals.action_group(cfg.db, action_id) if sees_group_pages(user) else None
    if gid is None or not users.can_see_group(cfg.db, user, gid):
        raise HTTPException(404, N_("No such action."))
    return action_id


ActionId = Annotated[int, Depends(visible_action)]


def _page(
    request: Request,
    cfg: Config,
    form: FormState | None = None,
    status: int = 200,
    page: int = 1,
) -> HTMLResponse:
    user: Principal = request.state.user
    if not sees_group_pages(user):
        raise HTTPException(404, N_("No such page."))
    offset = (page - 1) * PAGE_SIZE
    rows, total = approvals.actions(cfg.db, scope(cfg.db, user), limit=PAGE_SIZE, offset=offset)
    form = form or FormState("")
    listed = any(form.name == f"action-{a.id}" for a in rows)
    context = {
        "error_at_top": form.message if not listed else "",
        "actions": rows,
        "total": total,
        "page": page,
        "pages": page_count(total),
        "may_check": may_check(user.role),
        "form": form,
    }
    return render(request, "approvals.html", context, status)


@router.get("/approvals", response_class=HTMLResponse)
def approvals_page(request: Request, cfg: Config, page: PageNo = 1) -> HTMLResponse:
    return _page(request, cfg, page=page)


def _checker(user: Principal) -> None:
    if not may_check(user.role):
        raise HTTPException(403, N_("Your role does not approve."))


@router.post("/approvals/{action_id}/approve", response_model=None)
def approve_action(
    request: Request, action_id: ActionId, user: CurrentUser, cfg: Config
) -> Response:
    _checker(user)
    try:
        approvals.approve(
            cfg.db, action_id, user.username, user.role, cfg.today(), user.programme_id
        )
    except DomainError as exc:
        return _page(request, cfg, failed(f"action-{action_id}", {}, exc), 422)
    _ = tr(request)
    request.session["flash"] = _("Approved and booked.")
    return RedirectResponse("/approvals", status_code=303)


@router.post("/approvals/{action_id}/reject", response_model=None)
def reject_action(
    request: Request, action_id: ActionId, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    _checker(user)
    v = typed(data, ("reason",))
    try:
        approvals.reject(
            cfg.db, action_id, user.username, user.role, v["reason"], user.programme_id
        )
    except DomainError as exc:
        return _page(request, cfg, failed(f"action-{action_id}", v, exc), 422)
    _ = tr(request)
    request.session["flash"] = _("Rejected: nothing was booked.")
    return RedirectResponse("/approvals", status_code=303)


@router.post("/groups/{group_id}/share-out", response_model=None)
def submit_share_out(
    request: Request, group_id: GroupId, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    if not may_submit(PendingKind.SHARE_OUT, user.role):
        raise HTTPException(403, N_("Your role does not submit share-outs."))
    v = typed(data, ("on",))
    _ = tr(request)
    try:
        payload = {"group_id": group_id, "on": day(v["on"]).isoformat()}
        approvals.submit(
            cfg.db,
            PendingKind.SHARE_OUT,
            payload,
            "",
            user.username,
            user.role,
            cfg.today(),
            user.programme_id,
        )
    except DomainError as exc:
        request.session["flash"] = _("Share-out not submitted: %(why)s", why=exc.message)
        return RedirectResponse(f"/groups/{group_id}", status_code=303)
    request.session["flash"] = _("Share-out submitted: a checker must approve it.")
    return RedirectResponse("/approvals", status_code=303)
