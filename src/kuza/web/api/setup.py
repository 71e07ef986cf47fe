"""Setting up a programme, as the admin pages do: programmes (admins create them),
their branches, training modules and value chains (admins, a country manager for hers),
a branch's field agents (those, and the branch's manager). Another programme or branch
is 404, a role not let in 403; the services check the input and write the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse

from kuza.domain.access import (
    AGENT_KEEPERS,
    Principal,
    Role,
    may_create_programmes,
    may_keep_agents,
)
from kuza.domain.training import TrainingModule
from kuza.services import enterprises, programmes, training
from kuza.web.api.deps import ApiUser, IdempotencyKey, Limit, Offset, idempotent
from kuza.web.api.impact_schemas import TrainingModulePublic
from kuza.web.api.schemas import error_responses
from kuza.web.api.settings import Manager, check_programme
from kuza.web.api.setup_schemas import (
    BranchCreate,
    BranchesPublic,
    BranchPublic,
    FieldAgentCreate,
    FieldAgentPublic,
    FieldAgentsPublic,
    ProgrammeCreate,
    ProgrammePublic,
    ProgrammesPublic,
    TrainingModuleCreate,
    ValueChainCreate,
    ValueChainPublic,
    ValueChainsPublic,
)
from kuza.web.deps import Config, IdPath

router = APIRouter(tags=["set-up"])
READ = error_responses(401, 403, 404)
WRITE = error_responses(401, 403, 404, 409, 422)


def _programme(r: programmes.ProgrammeRow) -> ProgrammePublic:
    return ProgrammePublic(
        id=r.id,
        code=r.code,
        name=r.name,
        country=r.country,
        currency=r.currency,
        branches=r.branches,
    )


def _branch(r: programmes.BranchRow) -> BranchPublic:
    return BranchPublic(id=r.id, programme_id=r.programme_id, name=r.name, agents=r.agents)


def _agent(r: programmes.AgentRow) -> FieldAgentPublic:
    return FieldAgentPublic(
        id=r.id,
        programme_id=r.programme_id,
        branch_id=r.branch_id,
        name=r.name,
        phone=r.phone,
        logins=list(r.logins),
    )


def _value_chain(programme_id: int, r: enterprises.ValueChainRow) -> ValueChainPublic:
    return ValueChainPublic(id=r.id, programme_id=programme_id, code=r.code, name=r.name)


@router.get("/programmes", response_model=ProgrammesPublic, responses=error_responses(401, 403))
def list_programmes(
    user: Manager, cfg: Config, limit: Limit = 50, offset: Offset = 0
) -> ProgrammesPublic:
    """By name; a country manager sees hers."""
    only = None if user.role is Role.ADMIN else (user.programme_id or 0)
    rows, total = programmes.programme_rows(cfg.db, only, limit, offset)
    return ProgrammesPublic.of(map(_programme, rows), total, limit, offset)


@router.post(
    "/programmes",
    response_model=ProgrammePublic,
    status_code=201,
    responses=error_responses(401, 403, 409, 422),
)
def create_programme(
    request: Request, body: ProgrammeCreate, user: ApiUser, cfg: Config, key: IdempotencyKey = None
) -> JSONResponse:
    """Admins only. The currency must be one Kuza knows (ISO 4217), the code and the name
    new."""
    if not may_create_programmes(user):
        raise HTTPException(403, "only admins create programmes")

    def run() -> tuple[int, ProgrammePublic]:
        b = body
        pid = programmes.create_programme(
            cfg.db, b.code, b.name, b.country, b.currency, actor=user.username
        )
        return 201, _programme(programmes.programme_of(cfg.db, pid))

    return idempotent(request, cfg, user, key, body, run)


@router.get("/programmes/{programme_id}/branches", response_model=BranchesPublic, responses=READ)
def list_branches(
    programme_id: IdPath, user: Manager, cfg: Config, limit: Limit = 50, offset: Offset = 0
) -> BranchesPublic:
    check_programme(cfg, user, programme_id)
    rows, total = programmes.branch_rows(cfg.db, programme_id, limit, offset)
    return BranchesPublic.of(map(_branch, rows), total, limit, offset)


@router.post(
    "/programmes/{programme_id}/branches",
    response_model=BranchPublic,
    status_code=201,
    responses=WRITE,
)
def create_branch(
    request: Request,
    programme_id: IdPath,
    body: BranchCreate,
    user: Manager,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Its name new in the programme."""
    check_programme(cfg, user, programme_id)

    def run() -> tuple[int, BranchPublic]:
        bid = programmes.create_branch(cfg.db, programme_id, body.name, actor=user.username)
        return 201, _branch(programmes.branch_of(cfg.db, bid))

    return idempotent(request, cfg, user, key, body, run)


def agent_keeper(user: ApiUser) -> Principal:
    if user.role not in AGENT_KEEPERS:
        raise HTTPException(
            403, "only admins, country managers and branch managers keep field agents"
        )
    return user


AgentKeeper = Annotated[Principal, Depends(agent_keeper)]


def _kept_branch(cfg: Config, user: Principal, branch_id: int) -> programmes.BranchRow:
    """Another programme's branch, or another branch for a branch manager: 404."""
    found = programmes.branch_of(cfg.db, branch_id)
    if not may_keep_agents(user, found.programme_id, found.id):
        raise HTTPException(404, "no such branch")
    return found


@router.get("/branches/{branch_id}/field-agents", response_model=FieldAgentsPublic, responses=READ)
def list_agents(
    branch_id: IdPath, user: AgentKeeper, cfg: Config, limit: Limit = 50, offset: Offset = 0
) -> FieldAgentsPublic:
    """By name, each with the logins linked to her (an account of role field_agent
    names the agent she is: ``PATCH /users/{id}``)."""
    _kept_branch(cfg, user, branch_id)
    rows, total = programmes.agent_rows(cfg.db, branch_id, limit, offset)
    return FieldAgentsPublic.of(map(_agent, rows), total, limit, offset)


@router.post(
    "/branches/{branch_id}/field-agents",
    response_model=FieldAgentPublic,
    status_code=201,
    responses=WRITE,
)
def create_agent(
    request: Request,
    branch_id: IdPath,
    body: FieldAgentCreate,
    user: AgentKeeper,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Her name new in the branch; the phone optional."""
    found = _kept_branch(cfg, user, branch_id)

    def run() -> tuple[int, FieldAgentPublic]:
        aid = programmes.create_agent(
            cfg.db, found.programme_id, branch_id, body.name, body.phone, actor=user.username
        )
        return 201, _agent(programmes.agent_rows(cfg.db, branch_id, only=aid)[0][0])

    return idempotent(request, cfg, user, key, body, run)


def _module(m: TrainingModule) -> TrainingModulePublic:
    return TrainingModulePublic(
        id=m.id,
        code=m.code,
        name=m.name,
        category=m.category.value,
        expected_hours=str(m.expected_hours),
        material_format=m.material_format.value,
    )


@router.post(
    "/programmes/{programme_id}/training-modules",
    response_model=TrainingModulePublic,
    status_code=201,
    responses=WRITE,
)
def add_module(
    request: Request,
    programme_id: IdPath,
    body: TrainingModuleCreate,
    user: Manager,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Into the catalogue (read it with ``GET /training/modules``); its code new there."""
    check_programme(cfg, user, programme_id)

    def run() -> tuple[int, TrainingModulePublic]:
        b = body
        mid = training.add_module(
            cfg.db, programme_id, b.code, b.name, b.category, b.expected_hours,
            b.material_format, actor=user.username,
        )  # fmt: skip
        return 201, _module(
            next(m for m in training.catalogue(cfg.db, programme_id) if m.id == mid)
        )

    return idempotent(request, cfg, user, key, body, run)


@router.get(
    "/programmes/{programme_id}/value-chains", response_model=ValueChainsPublic, responses=READ
)
def list_value_chains(
    programme_id: IdPath, user: Manager, cfg: Config, limit: Limit = 50, offset: Offset = 0
) -> ValueChainsPublic:
    check_programme(cfg, user, programme_id)
    rows = enterprises.value_chains(cfg.db, programme_id)
    shown = rows[offset : offset + limit]
    items = [_value_chain(programme_id, r) for r in shown]
    return ValueChainsPublic.of(items, len(rows), limit, offset)


@router.post(
    "/programmes/{programme_id}/value-chains",
    response_model=ValueChainPublic,
    status_code=201,
    responses=WRITE,
)
def add_value_chain(
    request: Request,
    programme_id: IdPath,
    body: ValueChainCreate,
    user: Manager,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Its code new in the programme."""
    check_programme(cfg, user, programme_id)

    def run() -> tuple[int, ValueChainPublic]:
        vid = enterprises.add_value_chain(
            cfg.db, programme_id, body.code, body.name, actor=user.username
        )
        row = next(r for r in enterprises.value_chains(cfg.db, programme_id) if r.id == vid)
        return 201, _value_chain(programme_id, row)

    return idempotent(request, cfg, user, key, body, run)
