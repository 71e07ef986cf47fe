"""Training: the programme's catalogue, a group's sessions (record one with its
attendance) and a member's training record; the same services and roles as the pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from kuza.domain.access import Role
from kuza.reports.dashboard import programme_choices
from kuza.services import training
from kuza.services.training_views import SessionRow, group_sessions, member_training
from kuza.web.api.deps import (
    GroupReader,
    IdempotencyKey,
    Limit,
    Offset,
    Recorder,
    check_group,
    check_member,
    idempotent,
)
from kuza.web.api.impact_schemas import (
    MemberTrainingPublic,
    ModuleProgressPublic,
    TrainingModulePublic,
    TrainingModulesPublic,
    TrainingSessionCreate,
    TrainingSessionPublic,
    TrainingSessionsPublic,
)
from kuza.web.api.schemas import error_responses
from kuza.web.deps import Config, IdPath

router = APIRouter(tags=["training"])
READ = error_responses(401, 403, 404)


@router.get(
    "/training/modules", response_model=TrainingModulesPublic, responses=error_responses(401, 403)
)
def list_modules(
    user: GroupReader,
    cfg: Config,
    programme: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="Admins; default the first")
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> TrainingModulesPublic:
    pid = user.programme_id
    if user.role is Role.ADMIN:
        choices = programme_choices(cfg.db)
        pid = programme or (choices[0][0] if choices else None)
    modules = training.catalogue(cfg.db, pid) if pid is not None else []
    return TrainingModulesPublic(
        programme_id=pid,
        total=len(modules),
        limit=limit,
        offset=offset,
        items=[
            TrainingModulePublic(
                id=m.id,
                code=m.code,
                name=m.name,
                category=m.category.value,
                expected_hours=str(m.expected_hours),
                material_format=m.material_format.value,
            )
            for m in modules[offset : offset + limit]
        ],
    )


def _session(group_id: int, s: SessionRow) -> TrainingSessionPublic:
    return TrainingSessionPublic(
        id=s.id,
        group_id=group_id,
        held_on=s.held_on,
        module=s.module_code,
        module_name=s.module_name,
        trainer=s.trainer,
        hours=str(s.hours),
        present=s.present,
        roll=s.roll,
    )


@router.get(
    "/groups/{group_id}/training-sessions", response_model=TrainingSessionsPublic, responses=READ
)
def list_sessions(
    group_id: IdPath, user: GroupReader, cfg: Config, limit: Limit = 50, offset: Offset = 0
) -> TrainingSessionsPublic:
    check_group(cfg, user, group_id)
    rows = group_sessions(cfg.db, group_id)
    return TrainingSessionsPublic(
        group_id=group_id,
        total=len(rows),
        limit=limit,
        offset=offset,
        items=[_session(group_id, s) for s in rows[offset : offset + limit]],
    )


@router.post(
    "/groups/{group_id}/training-sessions",
    response_model=TrainingSessionPublic,
    status_code=201,
    responses=error_responses(401, 403, 404, 409, 422),
)
def record_session(
    request: Request,
    group_id: IdPath,
    body: TrainingSessionCreate,
    user: Recorder,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Every member on the roll that day gets an attendance line: present if listed."""
    check_group(cfg, user, group_id)

    def run() -> tuple[int, TrainingSessionPublic]:
        b = body
        sid = training.record_session(
            cfg.db, group_id, b.module_code, b.trainer, b.held_on, b.hours, b.present,
            actor=user.username,
        )  # fmt: skip
        row = next(s for s in group_sessions(cfg.db, group_id) if s.id == sid)
        return 201, _session(group_id, row)

    return idempotent(request, cfg, user, key, body, run)


@router.get("/members/{member_id}/training", response_model=MemberTrainingPublic, responses=READ)
def member_record(
    member_id: IdPath, user: GroupReader, cfg: Config, limit: Limit = 50, offset: Offset = 0
) -> MemberTrainingPublic:
    check_member(cfg, user, member_id)
    record = member_training(cfg.db, member_id)
    return MemberTrainingPublic(
        member_id=member_id,
        name=record.name,
        total=len(record.modules),
        limit=limit,
        offset=offset,
        items=[
            ModuleProgressPublic(
                module=p.module.code,
                module_name=p.module.name,
                category=p.module.category.value,
                sessions_held=p.sessions_held,
                sessions_attended=p.sessions_attended,
                hours_attended=str(p.hours_attended),
                percent=str(p.percent),
                completed=p.completed,
            )
            for p in record.modules[offset : offset + limit]
        ],
    )
