"""Health insurance pages: on the member page, enrol her (with dependants) and submit a
claim (the meeting roles); the insurance page for managers and finance: the plans
(create: admins, country manager), premium collection for a period (admins, country
manager, finance), the claims queue in scope with approve / reject (a checker who did
not submit the claim) and pay (the fund's keepers). Refused input is shown on its field
with nothing written; the same services and rules as the API and the CLI."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from kuza.domain.access import Principal, Role, may_record_meetings, sees_group_pages
from kuza.domain.errors import DomainError
from kuza.domain.groups import Sex
from kuza.domain.insurance import (
    ClaimStatus,
    PaysFrom,
    may_collect_premiums,
    may_create_plans,
    may_decide_claims,
    may_pay_claims,
)
from kuza.services import admin, insurance, insurance_claims, users
from kuza.services.insurance_views import (
    claim_member,
    claim_queue,
    enrolment_member,
    plan_list,
    plan_programme,
)
from kuza.web import form_fields
from kuza.web.deps import Config, CurrentUser, Form, IdPath, WebConfig, locale_of, render, tr
from kuza.web.form_fields import day_field
from kuza.web.i18n import N_, format_money
from kuza.web.insurance_forms import DEPENDANT_ROWS, insurance_section
from kuza.web.loan_forms import scope
from kuza.web.routes.members import MemberId, member_page_insurance_refused

router = APIRouter()
PAGE = 50
ENROL_FIELDS = ("plan_id", "enrolled_on", "pays_from")
CLAIM_FIELDS = ("incurred_on", "amount", "description", "dependant_id")
PLAN_FIELDS = (
    "programme_id", "name", "premium", "dependant_premium", "period", "cover_per_year",
    "waiting_days", "subsidy",
)  # fmt: skip


def _id(raw: str, field: str) -> int:
    if not raw.isdigit() or len(raw) > 9:
        raise DomainError(N_("Choose one from the list."), field=field)
    return int(raw)


def _role(allowed: bool, why: str) -> None:
    if not allowed:
        raise HTTPException(403, why)


def _reader(user: Principal) -> None:
    if not sees_group_pages(user):
        raise HTTPException(404, N_("No such page."))


# ---- the member page's section ----------------------------------------------------------


def _member_refused(
    request: Request, cfg: WebConfig, user: Principal, member_id: int, section: str,
    exc: DomainError, typed: dict[str, str],
) -> HTMLResponse:  # fmt: skip
    error = {"section": section, "field": exc.field, "message": exc.message}
    view = insurance_section(cfg.db, user, member_id, error, typed)
    return member_page_insurance_refused(request, cfg, member_id, view)


def _dependants(data: FormData, typed: dict[str, str]) -> list[insurance.Dependant]:
    out = []
    for i in range(DEPENDANT_ROWS):
        names = tuple(f"dep-{i}-{k}" for k in ("name", "relation", "sex", "birth_year"))
        typed |= form_fields.typed(data, names)
        name, relation, sex, born = (typed[n] for n in names)
        if not name and not relation and not born:
            continue
        if sex not in {s.value for s in Sex}:
            raise DomainError(N_("Choose the dependant's sex."), field="dependants")
        if born and (not born.isdigit() or not 1900 <= int(born) <= 2100):
            raise DomainError(N_("A year of birth is like 2018."), field="dependants")
        out.append(insurance.Dependant(name, relation, Sex(sex), int(born) if born else None))
    return out


@router.post("/members/{member_id}/insurance-enrolments", response_model=None)
def enrol(
    request: Request, member_id: MemberId, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    _role(may_record_meetings(user), N_("Your role does not enrol members."))
    typed = form_fields.typed(data, ENROL_FIELDS)
    try:
        plan_id = _id(typed["plan_id"], "plan_id")
        if typed["pays_from"] not in {p.value for p in PaysFrom}:
            raise DomainError(N_("Choose how her share is paid."), field="pays_from")
        on = day_field(typed["enrolled_on"], "enrolled_on")
        dependants = _dependants(data, typed)
        insurance.enrol(
            cfg.db, plan_id, member_id, on, PaysFrom(typed["pays_from"]), dependants,
            actor=user.username,
        )  # fmt: skip
    except DomainError as exc:
        return _member_refused(request, cfg, user, member_id, "enrol", exc, typed)
    request.session["flash"] = tr(request)(N_("Enrolled in the health plan."))
    return RedirectResponse(f"/members/{member_id}#insurance", status_code=303)


@router.post("/insurance-enrolments/{enrolment_id}/claims", response_model=None)
def claim_submit(
    request: Request, enrolment_id: IdPath, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    member_id = enrolment_member(cfg.db, enrolment_id)
    if (
        member_id is None
        or not sees_group_pages(user)
        or not users.can_see_member(cfg.db, user, member_id)
    ):
        raise HTTPException(404, N_("No such enrolment."))
    _role(may_record_meetings(user), N_("Your role does not submit claims."))
    typed = form_fields.typed(data, CLAIM_FIELDS)
    try:
        dependant = typed["dependant_id"]
        insurance_claims.submit_claim(
            cfg.db, enrolment_id, day_field(typed["incurred_on"], "incurred_on"), typed["amount"],
            typed["description"], cfg.today(),
            _id(dependant, "dependant_id") if dependant else None, actor=user.username,
        )  # fmt: skip
    except DomainError as exc:
        section = f"claim-{enrolment_id}"
        return _member_refused(request, cfg, user, member_id, section, exc, typed)
    request.session["flash"] = tr(request)(N_("Claim submitted: another officer decides it."))
    return RedirectResponse(f"/members/{member_id}#insurance", status_code=303)


# ---- the insurance page -------------------------------------------------------------------


def _status(raw: str | None) -> ClaimStatus | None:
    return ClaimStatus(raw) if raw in {s.value for s in ClaimStatus} else None


def _page(
    request: Request,
    cfg: WebConfig,
    user: Principal,
    status: ClaimStatus | None = ClaimStatus.SUBMITTED,
    page: int = 1,
    error: Mapping[str, str | None] | None = None,
    typed: Mapping[str, str] | None = None,
    code: int = 200,
) -> HTMLResponse:
    admin_sees_all = user.role is Role.ADMIN
    claims, total = claim_queue(cfg.db, scope(cfg.db, user), status, PAGE, (page - 1) * PAGE)
    context = {
        "plans": plan_list(cfg.db, None if admin_sees_all else user.programme_id),
        "programmes": admin.programme_list(cfg.db) if admin_sees_all else [],
        "claims": claims,
        "total": total,
        "page": page,
        "pages": max(1, (total + PAGE - 1) // PAGE),
        "status": status.value if status else "",
        "statuses": [s.value for s in ClaimStatus],
        "may_create": may_create_plans(user.role),
        "may_collect": may_collect_premiums(user.role),
        "may_decide": may_decide_claims(user.role),
        "may_pay": may_pay_claims(user.role),
        "today": cfg.today().isoformat(),
        "error": error,
        "typed": dict(typed or {}),
    }
    return render(request, "insurance.html", context, code)


@router.get("/insurance", response_class=HTMLResponse)
def insurance_page(
    request: Request,
    user: CurrentUser,
    cfg: Config,
    status: Annotated[str | None, Query(max_length=20)] = "submitted",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    _reader(user)
    return _page(request, cfg, user, _status(status), page)


def _refused(
    request: Request, cfg: WebConfig, user: Principal, section: str, exc: DomainError,
    typed: Mapping[str, str] | None = None,
) -> HTMLResponse:  # fmt: skip
    error = {"section": section, "field": exc.field, "message": exc.message}
    return _page(request, cfg, user, error=error, typed=typed, code=422)


def _done(request: Request, message: str, anchor: str = "") -> Response:
    request.session["flash"] = message
    return RedirectResponse(f"/insurance{anchor}", status_code=303)


@router.post("/insurance/plans", response_model=None)
def plan_create(request: Request, user: CurrentUser, cfg: Config, data: Form) -> Response:
    _reader(user)
    _role(may_create_plans(user.role), N_("Only admins and country managers create plans."))
    typed = form_fields.typed(data, PLAN_FIELDS)
    try:
        if user.role is Role.ADMIN:
            pid = _id(typed["programme_id"], "programme_id")
        elif user.programme_id is None:
            raise DomainError(N_("Your account has no programme."), field="programme_id")
        else:
            pid = user.programme_id
        waiting = typed["waiting_days"] or "0"
        if not waiting.isdigit() or len(waiting) > 4:
            raise DomainError(N_("Give a whole number of days."), field="waiting_days")
        subsidy = [p.strip() for p in typed["subsidy"].replace(";", ",").split(",") if p.strip()]
        plan = {k: typed[k] for k in ("name", "premium", "period", "cover_per_year")}
        plan |= {"dependant_premium": typed["dependant_premium"] or "0"}
        insurance.create_plan(
            cfg.db, pid, plan | {"waiting_days": int(waiting), "subsidy": subsidy},
            actor=user.username,
        )  # fmt: skip
    except DomainError as exc:
        return _refused(request, cfg, user, "plan", exc, typed)
    return _done(request, tr(request)(N_("Plan created.")), "#plans")


def _plan_in_scope(cfg: WebConfig, user: Principal, plan_id: int) -> None:
    pid = plan_programme(cfg.db, plan_id)
    if pid is None or (user.role is not Role.ADMIN and pid != user.programme_id):
        raise HTTPException(404, N_("No such plan."))


@router.post("/insurance/plans/{plan_id}/collections", response_model=None)
def premiums_collect(
    request: Request, plan_id: IdPath, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    _reader(user)
    _plan_in_scope(cfg, user, plan_id)
    _role(may_collect_premiums(user.role), N_("Your role does not collect premiums."))
    typed = form_fields.typed(data, ("period",))
    try:
        done = insurance.collect_premiums(
            cfg.db, plan_id, day_field(typed["period"], "period"), cfg.today(), actor=user.username
        )
    except DomainError as exc:
        return _refused(request, cfg, user, f"collect-{plan_id}", exc, typed)
    _ = tr(request)
    message = _(
        "Premiums of %(day)s: %(n)s booked (%(total)s), %(already)s booked before.",
        day=done.period_start.isoformat(),
        n=len(done.collected),
        total=format_money(done.premiums, locale_of(request)),
        already=len(done.already),
    )
    return _done(request, message, "#plans")


def _decision(
    request: Request, cfg: WebConfig, user: Principal, claim_id: int, allowed: bool,
    why: str, act: Callable[[date], object], typed: dict[str, str], message: str,
) -> Response:  # fmt: skip
    """One decision on a claim in scope; the date typed (default today) is ``on``."""
    _reader(user)
    member_id = claim_member(cfg.db, claim_id)
    if member_id is None or not users.can_see_member(cfg.db, user, member_id):
        raise HTTPException(404, N_("No such claim."))
    _role(allowed, why)
    try:
        act(day_field(typed.get("on") or cfg.today().isoformat(), "on"))
    except DomainError as exc:
        return _refused(request, cfg, user, f"claim-{claim_id}", exc, typed)
    return _done(request, tr(request)(message), "#claims")


@router.post("/insurance/claims/{claim_id}/approve", response_model=None)
def claim_approve(
    request: Request, claim_id: IdPath, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    typed = form_fields.typed(data, ("amount", "on"))
    return _decision(
        request, cfg, user, claim_id, may_decide_claims(user.role),
        N_("Your role does not decide claims."),
        lambda on: insurance_claims.approve_claim(
            cfg.db, claim_id, typed["amount"], on, actor=user.username),
        typed, N_("Claim approved."),
    )  # fmt: skip


@router.post("/insurance/claims/{claim_id}/reject", response_model=None)
def claim_reject(
    request: Request, claim_id: IdPath, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    typed = form_fields.typed(data, ("reason", "on"))
    return _decision(
        request, cfg, user, claim_id, may_decide_claims(user.role),
        N_("Your role does not decide claims."),
        lambda on: insurance_claims.reject_claim(
            cfg.db, claim_id, typed["reason"], on, actor=user.username),
        typed, N_("Claim rejected."),
    )  # fmt: skip


@router.post("/insurance/claims/{claim_id}/pay", response_model=None)
def claim_pay(
    request: Request, claim_id: IdPath, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    typed = form_fields.typed(data, ("on",))
    return _decision(
        request, cfg, user, claim_id, may_pay_claims(user.role),
        N_("Your role does not pay from the insurance fund."),
        lambda on: insurance_claims.pay_claim(cfg.db, claim_id, on, actor=user.username),
        typed, N_("Claim paid from the insurance fund."),
    )  # fmt: skip


# Values shown through _() on these pages.
SHOWN_VALUES = (
    N_("cash"),
    N_("passbook"),
    N_("month"),
    N_("year"),
    N_("submitted"),
    N_("approved"),
    N_("paid"),
    N_("rejected"),
)
