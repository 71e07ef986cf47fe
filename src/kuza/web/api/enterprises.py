"""Enterprises and jobs: a page of enterprises, one with its jobs and their events,
record a job (created), a change (grown, lost) and a verification; the same services
and roles as the pages. A job counts only once verified (docs/impact.md)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse

from kuza.domain.access import Principal
from kuza.domain.groups import Sex
from kuza.domain.jobs import JobEventKind, JobRole, VerificationMethod
from kuza.services import enterprises, jobs
from kuza.services.enterprise_views import (
    EnterpriseRow,
    can_see_enterprise,
    enterprise_list,
    enterprise_of_event,
    enterprise_of_job,
    enterprise_total,
    enterprise_view,
)
from kuza.services.visits import programme_of_member
from kuza.web.api.deps import (
    GroupReader,
    IdempotencyKey,
    Limit,
    Offset,
    Recorder,
    check_member,
    idempotent,
)
from kuza.web.api.impact_schemas import (
    EnterpriseCreate,
    EnterprisePublic,
    EnterprisesPublic,
    EnterpriseSummaryPublic,
    JobCreate,
    JobEventCreate,
    JobEventPublic,
    JobEventRecordedPublic,
    JobPublic,
    OwnerPublic,
    VerificationCreate,
)
from kuza.web.api.schemas import error_responses
from kuza.web.deps import Config, IdPath

router = APIRouter(tags=["enterprises"])
WRITE = error_responses(401, 403, 404, 409, 422)


def check_enterprise(cfg: Config, user: Principal, enterprise_id: int) -> None:
    if not can_see_enterprise(cfg.db, user, enterprise_id):
        raise HTTPException(404, "no such enterprise")


def _summary(r: EnterpriseRow) -> EnterpriseSummaryPublic:
    return EnterpriseSummaryPublic(
        id=r.id,
        name=r.name,
        sector=r.sector,
        value_chain=r.value_chain,
        branch=r.branch,
        status=r.status,
        started_on=r.started_on,
        jobs=r.jobs,
    )


@router.get("/enterprises", response_model=EnterprisesPublic, responses=error_responses(401, 403))
def list_enterprises(
    user: GroupReader, cfg: Config, limit: Limit = 50, offset: Offset = 0
) -> EnterprisesPublic:
    rows = enterprise_list(cfg.db, user, limit=limit, offset=offset)
    return EnterprisesPublic(
        total=enterprise_total(cfg.db, user),
        limit=limit,
        offset=offset,
        items=[_summary(r) for r in rows],
    )


def _public(cfg: Config, enterprise_id: int) -> EnterprisePublic:
    v = enterprise_view(cfg.db, enterprise_id)
    return EnterprisePublic(
        **_summary(v.row).model_dump(),
        location=v.location,
        registered=v.registered,
        household_size=v.household_size,
        owners=[OwnerPublic(member_id=mid, name=name) for mid, name in v.owners],
        job_list=[
            JobPublic(
                id=j.id,
                role=j.role,
                worker=j.worker,
                events=[
                    JobEventPublic(
                        id=e.id,
                        kind=e.kind,
                        on=e.on,
                        work_time=e.work_time,
                        fte_change=str(e.fte_change),
                        verified_on=e.verified_on,
                        verified_by=e.verified_by,
                        method=e.method,
                    )
                    for e in j.events
                ],
            )
            for j in v.jobs
        ],
    )


@router.get(
    "/enterprises/{enterprise_id}",
    response_model=EnterprisePublic,
    responses=error_responses(401, 403, 404),
)
def read_enterprise(enterprise_id: IdPath, user: GroupReader, cfg: Config) -> EnterprisePublic:
    check_enterprise(cfg, user, enterprise_id)
    return _public(cfg, enterprise_id)


@router.post("/enterprises", response_model=EnterprisePublic, status_code=201, responses=WRITE)
def create_enterprise(
    request: Request,
    body: EnterpriseCreate,
    user: Recorder,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Register a members' enterprise; every owner must be a member the caller sees
    (404 otherwise) and all of one programme (the first owner's)."""
    for owner in body.owner_ids:
        check_member(cfg, user, owner)
    new = enterprises.NewEnterprise(
        name=body.name,
        owner_ids=body.owner_ids,
        sector=body.sector,
        started_on=body.started_on,
        location=body.location,
        value_chain=body.value_chain,
        registered=body.registered,
        registration_no=body.registration_no,
        household_size=body.household_size,
    )

    def run() -> tuple[int, EnterprisePublic]:
        programme_id = programme_of_member(cfg.db, body.owner_ids[0])
        eid = enterprises.register_enterprise(cfg.db, programme_id, new, actor=user.username)
        return 201, _public(cfg, eid)

    return idempotent(request, cfg, user, key, body, run)


def _recorded(cfg: Config, enterprise_id: int, event_id: int) -> tuple[int, JobEventRecordedPublic]:
    enterprise = _public(cfg, enterprise_id)
    return 201, JobEventRecordedPublic(
        enterprise_id=enterprise_id, event_id=event_id, enterprise=enterprise
    )


@router.post(
    "/enterprises/{enterprise_id}/jobs",
    response_model=JobEventRecordedPublic,
    status_code=201,
    responses=WRITE,
)
def create_job(
    request: Request,
    enterprise_id: IdPath,
    body: JobCreate,
    user: Recorder,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """A new position and its ``created`` event (unverified until verified)."""
    check_enterprise(cfg, user, enterprise_id)
    new = jobs.NewJob(
        enterprise_id=enterprise_id,
        role=JobRole(body.role),
        on=body.on,
        hours_per_week=body.hours_per_week,
        member_id=body.member_id,
        worker_name=body.worker_name,
        worker_sex=Sex(body.worker_sex) if body.worker_sex else None,
    )
    return idempotent(
        request, cfg, user, key, body,
        lambda: _recorded(cfg, enterprise_id, jobs.record_job_created(
            cfg.db, new, body.note, actor=user.username)),
    )  # fmt: skip


@router.post(
    "/jobs/{job_id}/events", response_model=JobEventRecordedPublic, status_code=201, responses=WRITE
)
def create_job_event(
    request: Request,
    job_id: IdPath,
    body: JobEventCreate,
    user: Recorder,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """The job grew (new hours) or was lost."""
    enterprise_id = enterprise_of_job(cfg.db, job_id)
    check_enterprise(cfg, user, enterprise_id)
    return idempotent(
        request, cfg, user, key, body,
        lambda: _recorded(cfg, enterprise_id, jobs.record_job_change(
            cfg.db, job_id, JobEventKind(body.kind), body.on, body.hours_per_week, body.note,
            actor=user.username)),
    )  # fmt: skip


@router.post(
    "/job-events/{event_id}/verification",
    response_model=JobEventRecordedPublic,
    status_code=201,
    responses=WRITE,
)
def verify_job_event(
    request: Request,
    event_id: IdPath,
    body: VerificationCreate,
    user: Recorder,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Who verified is the caller; the event then counts in the impact figures."""
    enterprise_id = enterprise_of_event(cfg.db, event_id)
    check_enterprise(cfg, user, enterprise_id)

    def run() -> tuple[int, JobEventRecordedPublic]:
        jobs.verify_job_event(
            cfg.db, event_id, body.verified_on, VerificationMethod(body.method),
            user.display_name, cfg.today(), body.note, actor=user.username,
        )  # fmt: skip
        return _recorded(cfg, enterprise_id, event_id)

    return idempotent(request, cfg, user, key, body, run)
