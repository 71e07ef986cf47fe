"""Forming and running a group: POST /groups (a new group, forming), and on a group
POST …/members (enrol), …/departures (a member leaves), …/officer-terms (elect),
…/meeting-moves, …/status-changes (a branch manager's decision); GET the officer terms
and status changes, paged. Every write takes an ``Idempotency-Key``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import JSONResponse

from kuza.domain.access import Principal, Role, may_decide_group_status, may_run_groups
from kuza.domain.calendar import Frequency
from kuza.domain.errors import RuleViolation
from kuza.domain.groups import GroupStatus, OfficerRole, Sex, ShareOutRule
from kuza.services import group_formation as formation
from kuza.services.groups import NewMember
from kuza.services.views import group_view
from kuza.web.api.deps import (
    GroupReader,
    IdempotencyKey,
    Limit,
    Offset,
    check_group,
    idempotent,
)
from kuza.web.api.group_schemas import (
    DepartureCreate,
    DeparturePublic,
    EnrolmentCreate,
    EnrolmentPublic,
    GroupCreate,
    MeetingMoveCreate,
    MeetingMovePublic,
    OfficerTermCreate,
    OfficerTermPublic,
    OfficerTermsPublic,
    StatusChangeCreate,
    StatusChangePublic,
    StatusChangesPublic,
)
from kuza.web.api.groups import group_public
from kuza.web.api.schemas import GroupPublic, error_responses, money
from kuza.web.deps import Config

router = APIRouter(tags=["group formation"])
GroupPath = Annotated[int, Path(ge=1, le=2**31 - 1)]
WRITE = error_responses(401, 403, 404, 409, 422)
READ = error_responses(401, 403, 404)


def group_runner(user: GroupReader) -> Principal:
    if not may_run_groups(user):
        raise HTTPException(403, "your role does not form or run groups")
    return user


def status_decider(user: GroupReader) -> Principal:
    if not may_decide_group_status(user):
        raise HTTPException(403, "only a branch manager or an admin changes a group's status")
    return user


GroupRunner = Annotated[Principal, Depends(group_runner)]
StatusDecider = Annotated[Principal, Depends(status_decider)]


@router.post("/groups", response_model=GroupPublic, status_code=201, responses=WRITE)
def create_group(
    request: Request, body: GroupCreate, user: GroupRunner, cfg: Config, key: IdempotencyKey = None
) -> JSONResponse:
    """A new group, ``forming`` until a branch manager changes its status to active."""
    agent_id = body.agent_id or (user.agent_id if user.role is Role.FIELD_AGENT else None)
    if agent_id is None:
        raise RuleViolation("choose the group's field agent from the list", field="agent_id")
    draft = formation.GroupDraft(
        name=body.name,
        village=body.village,
        agent_id=agent_id,
        formed_on=body.formed_on,
        frequency=Frequency(body.frequency),
        first_meeting_on=body.first_meeting_on,
        compulsory_saving=body.compulsory_saving,
        share_out_rule=ShareOutRule(body.share_out_rule),
        share_value=body.share_value,
    )

    def run() -> tuple[int, GroupPublic]:
        gid = formation.form_group(cfg.db, user, draft, cfg.today())
        return 201, group_public(cfg, user, gid)

    return idempotent(request, cfg, user, key, body, run)


@router.post(
    "/groups/{group_id}/members", response_model=EnrolmentPublic, status_code=201, responses=WRITE
)
def enrol_member(
    request: Request,
    group_id: GroupPath,
    body: EnrolmentCreate,
    user: GroupRunner,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Register a person and make her a member from ``joined_on``."""
    check_group(cfg, user, group_id)
    new = NewMember(
        name=body.name,
        sex=Sex(body.sex),
        household_size=body.household_size,
        literate=body.literate,
        birth_year=body.birth_year,
        phone=body.phone or None,
        consent_on=body.consent_on,
    )

    def run() -> tuple[int, EnrolmentPublic]:
        mid = formation.enrol(cfg.db, user, group_id, new, body.joined_on, cfg.today())
        return 201, EnrolmentPublic(group_id=group_id, member_id=mid, joined_on=body.joined_on)

    return idempotent(request, cfg, user, key, body, run)


@router.post(
    "/groups/{group_id}/departures",
    response_model=DeparturePublic,
    status_code=201,
    responses=WRITE,
)
def member_leaves(
    request: Request,
    group_id: GroupPath,
    body: DepartureCreate,
    user: GroupRunner,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """She leaves the group; her compulsory and voluntary savings are paid back from the
    fund (one ledger entry). Refused while she has a loan open."""
    check_group(cfg, user, group_id)

    def run() -> tuple[int, DeparturePublic]:
        paid = formation.leave(
            cfg.db, user, group_id, body.member_id, body.left_on, body.reason, cfg.today()
        )
        public = DeparturePublic(
            group_id=group_id,
            member_id=body.member_id,
            left_on=body.left_on,
            payout=money(paid),
            currency=paid.currency,
        )
        return 201, public

    return idempotent(request, cfg, user, key, body, run)


@router.get("/groups/{group_id}/officer-terms", response_model=OfficerTermsPublic, responses=READ)
def list_officer_terms(
    group_id: GroupPath, user: GroupReader, cfg: Config, limit: Limit = 50, offset: Offset = 0
) -> OfficerTermsPublic:
    """Every officer term of the group, current and past, latest first."""
    check_group(cfg, user, group_id)
    total, rows = formation.officer_history(cfg.db, group_id, limit, offset)
    return OfficerTermsPublic.of((OfficerTermPublic(**vars(r)) for r in rows), total, limit, offset)


@router.post(
    "/groups/{group_id}/officer-terms",
    response_model=OfficerTermPublic,
    status_code=201,
    responses=WRITE,
)
def elect_officer(
    request: Request,
    group_id: GroupPath,
    body: OfficerTermCreate,
    user: GroupRunner,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Record an election; the previous holder's term ends the day this one starts."""
    check_group(cfg, user, group_id)

    def run() -> tuple[int, OfficerTermPublic]:
        tid = formation.elect(
            cfg.db,
            user,
            group_id,
            body.member_id,
            OfficerRole(body.role),
            body.started_on,
            cfg.today(),
        )
        return 201, OfficerTermPublic(**vars(formation.officer_term_row(cfg.db, tid)))

    return idempotent(request, cfg, user, key, body, run)


@router.post(
    "/groups/{group_id}/meeting-moves",
    response_model=MeetingMovePublic,
    status_code=201,
    responses=WRITE,
)
def move_meeting(
    request: Request,
    group_id: GroupPath,
    body: MeetingMoveCreate,
    user: GroupRunner,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """A holiday moves one scheduled meeting, at most 14 days; the cycle stays. Loans
    repaid at the meetings have that instalment moved with it."""
    check_group(cfg, user, group_id)

    def run() -> tuple[int, MeetingMovePublic]:
        formation.move_meeting(cfg.db, user, group_id, body.nominal_on, body.moved_to, body.reason)
        view = group_view(cfg.db, group_id, cfg.today(), user.programme_id)
        public = MeetingMovePublic(
            group_id=group_id,
            nominal_on=body.nominal_on,
            moved_to=body.moved_to,
            next_meeting=view.next_meeting,
        )
        return 201, public

    return idempotent(request, cfg, user, key, body, run)


@router.get("/groups/{group_id}/status-changes", response_model=StatusChangesPublic, responses=READ)
def list_status_changes(
    group_id: GroupPath, user: GroupReader, cfg: Config, limit: Limit = 50, offset: Offset = 0
) -> StatusChangesPublic:
    """The group's status history (formed, approved, graduated, closed), latest first."""
    check_group(cfg, user, group_id)
    total, rows = formation.status_history(cfg.db, group_id, limit, offset)
    return StatusChangesPublic.of(
        (StatusChangePublic(**vars(r)) for r in rows), total, limit, offset
    )


@router.post(
    "/groups/{group_id}/status-changes",
    response_model=StatusChangePublic,
    status_code=201,
    responses=WRITE,
)
def change_status(
    request: Request,
    group_id: GroupPath,
    body: StatusChangeCreate,
    user: StatusDecider,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Approve a forming group (``active``), graduate or close one: a branch manager's
    or an admin's decision; a field agent proposes it to her."""
    check_group(cfg, user, group_id)

    def run() -> tuple[int, StatusChangePublic]:
        formation.change_status(
            cfg.db, user, group_id, GroupStatus(body.status), body.on, body.note, cfg.today()
        )
        _, rows = formation.status_history(cfg.db, group_id, 1, 0)
        return 201, StatusChangePublic(**vars(rows[0]))

    return idempotent(request, cfg, user, key, body, run)
