"""A member's page: details, memberships, savings, passbook (statement, deposit and
withdrawal), her loans, household visits and health insurance. Donors never reach it
(404, like a member that is not there)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kuza.domain.access import may_record_meetings, sees_group_pages
from kuza.domain.errors import DomainError
from kuza.services import passbook, users
from kuza.services.member_view import member_view
from kuza.web.deps import Config, CurrentUser, Form, locale_of, render, tr
from kuza.web.form_fields import typed
from kuza.web.i18n import N_, format_money
from kuza.web.insurance_forms import InsuranceSection, insurance_section
from kuza.web.loan_forms import FormState, day, failed, scope
from kuza.web.visit_forms import VisitSection, visit_section

router = APIRouter()
MOVE_FIELDS = ("kind", "amount", "on", "reference")


def visible_member(member_id: int, user: CurrentUser, cfg: Config) -> int:
    if not sees_group_pages(user) or not users.can_see_member(cfg.db, user, member_id):
        raise HTTPException(404, N_("No such member."))
    return member_id


MemberId = Annotated[int, Depends(visible_member)]


def _page(
    request: Request,
    cfg: Config,
    member_id: int,
    move: FormState,
    status: int = 200,
    visits: VisitSection | None = None,
    insurance: InsuranceSection | None = None,
) -> HTMLResponse:
    user = request.state.user
    view = member_view(cfg.db, member_id, cfg.today(), scope(cfg.db, user))
    context = {
        "member": view,
        "move": move,
        "may_record": may_record_meetings(user),
        "visits": visits or visit_section(cfg.db, user, member_id),
        "insurance": insurance or insurance_section(cfg.db, user, member_id),
        "today": cfg.today().isoformat(),
    }
    return render(request, "member.html", context, status)


def _blank_move(cfg: Config) -> FormState:
    return FormState("move", {"kind": "deposit", "on": cfg.today().isoformat()})


def member_page_refused(
    request: Request, cfg: Config, member_id: int, visits: VisitSection
) -> HTMLResponse:
    """The member page with a refused form of its household-visits section (422)."""
    return _page(request, cfg, member_id, _blank_move(cfg), 422, visits)


def member_page_insurance_refused(
    request: Request, cfg: Config, member_id: int, insurance: InsuranceSection
) -> HTMLResponse:
    """The member page with a refused form of its health-insurance section (422)."""
    return _page(request, cfg, member_id, _blank_move(cfg), 422, insurance=insurance)


@router.get("/members/{member_id}", response_class=HTMLResponse)
def member_page(request: Request, member_id: MemberId, cfg: Config) -> HTMLResponse:
    return _page(request, cfg, member_id, _blank_move(cfg))


@router.post("/members/{member_id}/passbook", response_model=None)
def passbook_move(
    request: Request, member_id: MemberId, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    if not may_record_meetings(user):
        raise HTTPException(403, N_("Your role does not record meetings or passbook moves."))
    values = typed(data, MOVE_FIELDS)
    try:
        kind = passbook.PassbookMove(values["kind"] or "deposit")
        done = passbook.move(
            cfg.db,
            member_id,
            kind,
            values["amount"],
            day(values["on"]),
            values["reference"],
            user.username,
            cfg.today(),
        )
    except ValueError:
        _ = tr(request)
        err = DomainError(_("Choose deposit or withdrawal."), field="kind")
        return _page(request, cfg, member_id, failed("move", values, err), 422)
    except DomainError as exc:
        return _page(request, cfg, member_id, failed("move", values, exc), 422)
    _ = tr(request)
    if done.created:
        request.session["flash"] = _(
            "Booked. Passbook balance: %(balance)s.",
            balance=format_money(done.balance, locale_of(request)),
        )
    else:
        request.session["flash"] = _("This receipt was already booked: nothing was booked again.")
    return RedirectResponse(f"/members/{member_id}", status_code=303)
