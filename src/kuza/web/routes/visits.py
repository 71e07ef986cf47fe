"""Household visits on the member page: record a visit with the programme's scorecard
questions, refer her to a service, follow a referral up; and the open referrals of the
members in scope. Refused input is shown on its field with nothing written."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kuza.domain.access import Principal, Role, may_record_meetings, sees_group_pages
from kuza.domain.errors import DomainError
from kuza.domain.visits import ReferralKind, ReferralStatus
from kuza.services import users, visits
from kuza.services.visit_views import open_referrals, programme_scorecards, referral_member
from kuza.web import form_fields
from kuza.web.deps import (
    PAGE_SIZE,
    Config,
    CurrentUser,
    Form,
    IdPath,
    PageNo,
    WebConfig,
    page_count,
    render,
    tr,
)
from kuza.web.form_fields import day_field
from kuza.web.i18n import N_
from kuza.web.routes.members import MemberId, member_page_refused
from kuza.web.visit_forms import FOLLOW_UP_STATUSES, visit_section

router = APIRouter()
REFER_FIELDS = ("kind", "service", "on", "visit_id", "note")


def _recorder(user: Principal) -> None:
    if not may_record_meetings(user):
        raise HTTPException(403, N_("Your role does not record household visits."))


def _refused(
    request: Request,
    cfg: WebConfig,
    user: Principal,
    member_id: int,
    section: str,
    exc: DomainError,
    typed: dict[str, str],
) -> HTMLResponse:
    error = {"section": section, "field": exc.field, "message": exc.message}
    section_view = visit_section(cfg.db, user, member_id, error, typed)
    return member_page_refused(request, cfg, member_id, section_view)


def _done(request: Request, member_id: int, message: str) -> Response:
    request.session["flash"] = tr(request)(message)
    return RedirectResponse(f"/members/{member_id}#visits", status_code=303)


@router.post("/members/{member_id}/visits", response_model=None)
def visit_record(
    request: Request, member_id: MemberId, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    _recorder(user)
    code = str(data.get("scorecard") or "")
    pid = visits.programme_of_member(cfg.db, member_id)
    card = next((c for c in programme_scorecards(cfg.db, pid) if c.code == code), None)
    typed = form_fields.typed(data, ("visited_on", "household_size", "note"))
    questions = [q.code for q in card.questions] if card else []
    answers = {q: str(data.get(f"answer-{q}") or "") for q in questions}
    typed |= {f"answer-{q}": a for q, a in answers.items()}
    section = f"visit-{code}" if card else "visits"  # no form of an unknown card
    try:
        if card is None:
            raise DomainError(N_("Choose a scorecard of the programme."), field="scorecard")
        size = typed["household_size"]
        if not size.isdigit() or len(size) > 4:
            raise DomainError(N_("Give a whole number."), field="household_size")
        new = visits.NewVisit(
            member_id=member_id,
            scorecard=code,
            visited_on=day_field(typed["visited_on"], "visited_on"),
            visited_by=user.display_name,
            answers={q: a for q, a in answers.items() if a},
            household_size=int(size),
            agent_id=user.agent_id if user.role is Role.FIELD_AGENT else None,
            note=typed["note"],
        )
        visits.record_visit(cfg.db, pid, new, cfg.today(), actor=user.username)
    except DomainError as exc:
        return _refused(request, cfg, user, member_id, section, exc, typed)
    return _done(request, member_id, N_("Household visit recorded."))


@router.post("/members/{member_id}/referrals", response_model=None)
def referral_create(
    request: Request, member_id: MemberId, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    _recorder(user)
    typed = form_fields.typed(data, REFER_FIELDS)
    try:
        if typed["kind"] not in {k.value for k in ReferralKind}:
            raise DomainError(N_("Choose the kind of service."), field="kind")
        visit = typed["visit_id"]
        if visit and (not visit.isdigit() or len(visit) > 9):
            raise DomainError(N_("Choose a visit from the list."), field="visit_id")
        visits.refer(
            cfg.db, visits.programme_of_member(cfg.db, member_id), member_id,
            ReferralKind(typed["kind"]), typed["service"], day_field(typed["on"], "on"),
            int(visit) if visit else None, typed["note"], actor=user.username,
        )  # fmt: skip
    except DomainError as exc:
        return _refused(request, cfg, user, member_id, "refer", exc, typed)
    return _done(request, member_id, N_("Referral recorded."))


@router.post("/referrals/{referral_id}/follow-ups", response_model=None)
def referral_follow_up(
    request: Request, referral_id: IdPath, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    member_id = referral_member(cfg.db, referral_id) if sees_group_pages(user) else None
    if member_id is None or not users.can_see_member(cfg.db, user, member_id):
        raise HTTPException(404, N_("No such referral."))
    _recorder(user)
    typed = form_fields.typed(data, ("status", "on", "note"))
    try:
        if typed["status"] not in FOLLOW_UP_STATUSES:
            raise DomainError(N_("Choose where the referral stands."), field="status")
        visits.follow_up_referral(
            cfg.db, referral_id, ReferralStatus(typed["status"]), day_field(typed["on"], "on"),
            typed["note"], actor=user.username,
        )  # fmt: skip
    except DomainError as exc:
        return _refused(request, cfg, user, member_id, f"follow-{referral_id}", exc, typed)
    return _done(request, member_id, N_("Follow-up recorded."))


@router.get("/referrals", response_class=HTMLResponse)
def referrals_page(
    request: Request, user: CurrentUser, cfg: Config, page: PageNo = 1
) -> HTMLResponse:
    if not sees_group_pages(user):
        raise HTTPException(404, N_("No such page."))
    rows, total = open_referrals(cfg.db, user, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    context = {"rows": rows, "total": total, "page": page, "pages": page_count(total)}
    return render(request, "referrals.html", context)


# Values shown through _() on these pages.
SHOWN_VALUES = (
    N_("health"),
    N_("school"),
    N_("legal"),
    N_("social_services"),
    N_("referred"),
    N_("in_progress"),
    N_("resolved"),
    N_("dropped"),
)
