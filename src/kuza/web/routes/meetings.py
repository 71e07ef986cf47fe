"""The meeting collection sheet: enter it, check its totals, post it."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kuza.domain.access import Principal, may_record_meetings
from kuza.domain.approvals import PendingKind
from kuza.domain.errors import DomainError
from kuza.services import approvals
from kuza.services.loans.views import dues_at_meeting
from kuza.services.meetings import MeetingPosted, post_meeting
from kuza.services.views import GroupView, group_view
from kuza.web.deps import Config, CurrentUser, Form, GroupId, render, tr
from kuza.web.forms import FieldError, SheetForm, place_error, totals
from kuza.web.i18n import N_

router = APIRouter()


def _recorder(user: Principal) -> None:
    if not may_record_meetings(user):
        raise HTTPException(403, N_("Your role does not record meetings."))


def _sheet_page(
    request: Request,
    view: GroupView,
    form: SheetForm,
    error: FieldError | None = None,
    status: int = 200,
) -> HTMLResponse:
    context = {"group": view, "form": form, "totals": totals(form, view.currency), "error": error}
    return render(request, "meeting_form.html", context, status)


def _posted_message(request: Request, form: SheetForm, result: MeetingPosted) -> str:
    _ = tr(request)
    if not result.created:
        return _(
            "The meeting of %(day)s was already posted with exactly these amounts: "
            "nothing was booked again.",
            day=form.held_on,
        )
    s = result.summary
    return _(
        "Meeting of %(day)s posted: %(present)s present, compulsory %(compulsory)s, "
        "voluntary %(voluntary)s, social fund %(social)s, fines %(fines)s, "
        "withdrawals %(withdrawals)s.",
        day=form.held_on,
        **{
            k: s[k]
            for k in ("present", "compulsory", "voluntary", "social", "fines", "withdrawals")
        },
    )


def _submit_correction(
    request: Request, view: GroupView, form: SheetForm, user: Principal, cfg: Config, reason: str
) -> Response:
    """The sheet replaces the posted meeting of its date once a checker approves it."""
    try:
        approvals.submit(
            cfg.db,
            PendingKind.MEETING_CORRECTION,
            {"sheet": form.sheet()},
            reason,
            user.username,
            user.role,
            cfg.today(),
            user.programme_id,
        )
    except DomainError as exc:
        return _sheet_page(request, view, form, place_error(exc, form), 422)
    _ = tr(request)
    request.session["flash"] = _(
        "Correction submitted: a checker must approve it before it replaces the meeting."
    )
    return RedirectResponse("/approvals", status_code=303)


@router.get("/groups/{group_id}/meetings/new", response_class=HTMLResponse)
def new_meeting(
    request: Request, group_id: GroupId, user: CurrentUser, cfg: Config
) -> HTMLResponse:
    _recorder(user)
    view = group_view(cfg.db, group_id, cfg.today(), user.programme_id)
    dues = dues_at_meeting(cfg.db, group_id, cfg.today())
    return _sheet_page(request, view, SheetForm.blank(view, cfg.today(), dues))


@router.post("/groups/{group_id}/meetings", response_model=None)
def post_sheet(
    request: Request, group_id: GroupId, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    _recorder(user)
    view = group_view(cfg.db, group_id, cfg.today(), user.programme_id)
    form = SheetForm.parse(data, view, dues_at_meeting(cfg.db, group_id, cfg.today()))
    if data.get("action") == "check":
        return _sheet_page(request, view, form)
    if data.get("action") == "correct":
        return _submit_correction(request, view, form, user, cfg, str(data.get("reason") or ""))
    try:
        result = post_meeting(cfg.db, form.sheet(), user.username, cfg.today(), user.programme_id)
    except DomainError as exc:
        return _sheet_page(request, view, form, place_error(exc, form), 422)
    request.session["flash"] = _posted_message(request, form, result)
    return RedirectResponse(f"/groups/{group_id}", status_code=303)
