"""The meeting collection sheet: enter it, check its totals, post it."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kuza.domain.access import Principal, may_record_meetings
from kuza.domain.errors import DomainError
from kuza.services.meetings import MeetingPosted, post_meeting
from kuza.services.views import GroupView, group_view
from kuza.web.deps import Config, CurrentUser, Form, GroupId, render
from kuza.web.forms import FieldError, SheetForm, place_error, totals

router = APIRouter()


def _recorder(user: Principal) -> None:
    if not may_record_meetings(user):
        raise HTTPException(403, "Your role does not record meetings.")


def _sheet_page(
    request: Request,
    view: GroupView,
    form: SheetForm,
    error: FieldError | None = None,
    status: int = 200,
) -> HTMLResponse:
    context = {"group": view, "form": form, "totals": totals(form, view.currency), "error": error}
    return render(request, "meeting_form.html", context, status)


def _posted_message(form: SheetForm, result: MeetingPosted) -> str:
    if not result.created:
        return (
            f"The meeting of {form.held_on} was already posted with exactly these amounts: "
            "nothing was booked again."
        )
    s = result.summary
    return (
        f"Meeting of {form.held_on} posted: {s['present']} present, compulsory "
        f"{s['compulsory']}, voluntary {s['voluntary']}, social fund {s['social']}, "
        f"fines {s['fines']}, withdrawals {s['withdrawals']}."
    )


@router.get("/groups/{group_id}/meetings/new", response_class=HTMLResponse)
def new_meeting(
    request: Request, group_id: GroupId, user: CurrentUser, cfg: Config
) -> HTMLResponse:
    _recorder(user)
    view = group_view(cfg.db, group_id, cfg.today(), user.programme_id)
    return _sheet_page(request, view, SheetForm.blank(view, cfg.today()))


@router.post("/groups/{group_id}/meetings", response_model=None)
def post_sheet(
    request: Request, group_id: GroupId, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    _recorder(user)
    view = group_view(cfg.db, group_id, cfg.today(), user.programme_id)
    form = SheetForm.parse(data, view)
    if data.get("action") == "check":
        return _sheet_page(request, view, form)
    try:
        result = post_meeting(cfg.db, form.sheet(), user.username, cfg.today(), user.programme_id)
    except DomainError as exc:
        return _sheet_page(request, view, form, place_error(exc, form), 422)
    request.session["flash"] = _posted_message(form, result)
    return RedirectResponse(f"/groups/{group_id}", status_code=303)
