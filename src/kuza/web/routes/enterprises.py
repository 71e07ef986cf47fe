"""Enterprises and jobs: the list and one enterprise, record a job (created, grown,
lost) and verify an event. A job counts only once verified (docs/impact.md)."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kuza.domain.access import Principal, may_record_meetings, sees_group_pages
from kuza.domain.enterprises import DEFAULT_SECTORS
from kuza.domain.errors import DomainError
from kuza.domain.groups import Sex
from kuza.domain.jobs import JobEventKind, JobRole, VerificationMethod
from kuza.services import enterprises, jobs, users
from kuza.services.enterprise_views import (
    can_see_enterprise,
    enterprise_list,
    enterprise_of_event,
    enterprise_of_job,
    enterprise_total,
    enterprise_view,
)
from kuza.services.market_views import programme_value_chains
from kuza.services.visits import programme_of_member
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
from kuza.web.form_fields import day_field, typed
from kuza.web.i18n import N_

router = APIRouter()
NEW_JOB_FIELDS = ("role", "member_id", "worker_name", "worker_sex", "on", "hours_per_week")
CHANGE_FIELDS = ("kind", "on", "hours_per_week")
VERIFY_FIELDS = ("verified_on", "method")


def _visible(cfg: Config, user: Principal, enterprise_id: int) -> None:
    if not sees_group_pages(user) or not can_see_enterprise(cfg.db, user, enterprise_id):
        raise HTTPException(404, N_("No such enterprise."))


def _recorder(user: Principal) -> None:
    if not may_record_meetings(user):
        raise HTTPException(403, N_("Your role does not record jobs."))


def _list_page(
    request: Request,
    cfg: Config,
    user: Principal,
    form: Mapping[str, str],
    error: Mapping[str, str | None] | None = None,
    status: int = 200,
    page: int = 1,
) -> HTMLResponse:
    """A page of the list, and for a recorder the registration form (the sectors and value chains
    of her programme; an admin's are the default sectors and any chain code)."""
    pid = user.programme_id
    context = {
        "rows": enterprise_list(cfg.db, user, PAGE_SIZE, (page - 1) * PAGE_SIZE),
        "page": page,
        "pages": page_count(enterprise_total(cfg.db, user)),
        "may_record": may_record_meetings(user),
        "form": form,
        "error": error,
        "today": cfg.today().isoformat(),
        "sectors": enterprises.programme_sectors(cfg.db, pid) if pid else DEFAULT_SECTORS,
        "chains": programme_value_chains(cfg.db, pid) if pid else [],
    }
    return render(request, "enterprises.html", context, status)


@router.get("/enterprises", response_class=HTMLResponse)
def enterprises_page(
    request: Request, user: CurrentUser, cfg: Config, owner: int | None = None, page: PageNo = 1
) -> HTMLResponse:
    if not sees_group_pages(user):
        raise HTTPException(404, N_("No such page."))
    form = {"owners": str(owner) if owner else ""}
    return _list_page(request, cfg, user, form, page=page)


def _owner_ids(raw: str, cfg: Config, user: Principal) -> list[int]:
    """Member numbers separated by commas or spaces, each one the user sees."""
    parts = raw.replace(",", " ").split()
    if not parts or not all(p.isdigit() and 0 < int(p) < 2**31 for p in parts):
        raise DomainError(N_("Give the owners' member numbers, like 12, 15."), field="owners")
    ids = [int(p) for p in parts]
    for mid in ids:
        if not users.can_see_member(cfg.db, user, mid):
            raise DomainError(N_("One of these members is not one of yours."), field="owners")
    return ids


@router.post("/enterprises", response_model=None)
def enterprise_create(request: Request, user: CurrentUser, cfg: Config, data: Form) -> Response:
    if not sees_group_pages(user):
        raise HTTPException(404, N_("No such page."))
    _recorder(user)
    form = {k: str(v) for k, v in data.items() if k != "csrf_token"}
    try:
        owners = _owner_ids(form.get("owners", ""), cfg, user)
        size = form.get("household_size", "").strip()
        if size and not size.isdigit():
            raise DomainError(N_("Household size: a whole number, 1 or more."), "household_size")
        new = enterprises.NewEnterprise(
            name=form.get("name", ""),
            owner_ids=owners,
            sector=form.get("sector", ""),
            started_on=day_field(form.get("started_on"), "started_on"),
            location=form.get("location", "").strip(),
            value_chain=form.get("value_chain", "").strip() or None,
            registered=form.get("registered") == "yes",
            registration_no=form.get("registration_no", "").strip() or None,
            household_size=int(size) if size else None,
        )
        programme_id = programme_of_member(cfg.db, owners[0])
        eid = enterprises.register_enterprise(cfg.db, programme_id, new, actor=user.username)
    except DomainError as exc:
        error = {"field": exc.field, "message": exc.message}
        return _list_page(request, cfg, user, form, error, 422)
    return _done(request, eid, N_("Enterprise registered."))


def _page(
    request: Request,
    cfg: Config,
    user: Principal,
    enterprise_id: int,
    refused: tuple[str, DomainError, Mapping[str, str]] | None = None,
) -> HTMLResponse:
    """The enterprise; after a refusal, the refused form (its name) open with what was
    typed and the error on its field."""
    error: dict[str, str | None] | None = None
    values: Mapping[str, str] = {}
    if refused is not None:
        form, exc, values = refused
        error = {"form": form, "field": exc.field, "message": exc.message}
    context = {
        "e": enterprise_view(cfg.db, enterprise_id),
        "may_record": may_record_meetings(user),
        "today": cfg.today().isoformat(),
        "error": error,
        "typed": values,
        "methods": [m.value for m in VerificationMethod],
    }
    return render(request, "enterprise.html", context, 200 if refused is None else 422)


@router.get("/enterprises/{enterprise_id}", response_class=HTMLResponse)
def enterprise_page(
    request: Request, enterprise_id: IdPath, user: CurrentUser, cfg: Config
) -> HTMLResponse:
    _visible(cfg, user, enterprise_id)
    return _page(request, cfg, user, enterprise_id)


def _done(request: Request, enterprise_id: int, message: str) -> Response:
    request.session["flash"] = tr(request)(message)
    return RedirectResponse(f"/enterprises/{enterprise_id}", status_code=303)


@router.post("/enterprises/{enterprise_id}/jobs", response_model=None)
def job_create(
    request: Request, enterprise_id: IdPath, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    _visible(cfg, user, enterprise_id)
    _recorder(user)
    v = typed(data, NEW_JOB_FIELDS)
    try:
        if v["role"] not in {r.value for r in JobRole}:
            raise DomainError(N_("Choose the job's role."), field="role")
        member = v["member_id"]
        if member and (not member.isdigit() or len(member) > 9):
            raise DomainError(N_("Choose the owner from the list."), field="member_id")
        if v["worker_sex"] and v["worker_sex"] not in {s.value for s in Sex}:
            raise DomainError(N_("Choose the employee's sex from the list."), "worker_sex")
        new = jobs.NewJob(
            enterprise_id=enterprise_id,
            role=JobRole(v["role"]),
            on=day_field(v["on"], "on"),
            hours_per_week=v["hours_per_week"],
            member_id=int(member) if member else None,
            worker_name=v["worker_name"],
            worker_sex=Sex(v["worker_sex"]) if v["worker_sex"] else None,
        )
        jobs.record_job_created(cfg.db, new, str(data.get("note") or ""), actor=user.username)
    except DomainError as exc:
        return _page(request, cfg, user, enterprise_id, ("new", exc, v))
    return _done(request, enterprise_id, N_("Job recorded: it counts once verified."))


@router.post("/jobs/{job_id}/events", response_model=None)
def job_event(
    request: Request, job_id: IdPath, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    enterprise_id = enterprise_of_job(cfg.db, job_id)
    _visible(cfg, user, enterprise_id)
    _recorder(user)
    v = typed(data, CHANGE_FIELDS)
    try:
        if v["kind"] not in (JobEventKind.GROWN.value, JobEventKind.LOST.value):
            raise DomainError(N_("Choose grown or lost."), field="kind")
        jobs.record_job_change(
            cfg.db, job_id, JobEventKind(v["kind"]), day_field(v["on"], "on"),
            v["hours_per_week"] or None, str(data.get("note") or ""), actor=user.username,
        )  # fmt: skip
    except DomainError as exc:
        return _page(request, cfg, user, enterprise_id, (f"job-{job_id}", exc, v))
    return _done(request, enterprise_id, N_("Job event recorded: it counts once verified."))


@router.post("/job-events/{event_id}/verification", response_model=None)
def job_verify(
    request: Request, event_id: IdPath, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    enterprise_id = enterprise_of_event(cfg.db, event_id)
    _visible(cfg, user, enterprise_id)
    _recorder(user)
    v = typed(data, VERIFY_FIELDS)
    try:
        if v["method"] not in {m.value for m in VerificationMethod}:
            raise DomainError(N_("Choose how it was verified."), field="method")
        jobs.verify_job_event(
            cfg.db, event_id, day_field(v["verified_on"], "verified_on"),
            VerificationMethod(v["method"]), user.display_name, cfg.today(),
            str(data.get("note") or ""), actor=user.username,
        )  # fmt: skip
    except DomainError as exc:
        return _page(request, cfg, user, enterprise_id, (f"event-{event_id}", exc, v))
    return _done(request, enterprise_id, N_("Verification recorded."))


# Values shown through _() on these pages.
SHOWN_VALUES = (
    N_("owner"),
    N_("employee"),
    N_("created"),
    N_("grown"),
    N_("lost"),
    N_("full_time"),
    N_("part_time"),
    N_("agent_visit"),
    N_("phone"),
    N_("document"),
    N_("dormant"),
)
