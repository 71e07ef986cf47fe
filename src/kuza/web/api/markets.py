"""Market linkages of a group (its own and its members'): a page of them, record one
with the women involved, end one; a linkage's contracts; the group's market activities
(collective purchasing, branding, packaging). Read by all but donors, recorded by the
meeting roles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import JSONResponse

from kuza.domain.access import Principal
from kuza.domain.errors import NotFound
from kuza.domain.markets import MarketActivityKind, WomanRole
from kuza.services import markets, users
from kuza.services.market_views import (
    ActivityRow,
    ContractRow,
    LinkageRow,
    activity,
    group_activities,
    group_linkages,
    linkage,
    linkage_contracts,
    linkage_of_group,
    programme_of_group,
)
from kuza.services.views import group_view
from kuza.web.api.deps import (
    GroupReader,
    IdempotencyKey,
    Limit,
    Offset,
    Recorder,
    check_group,
    idempotent,
)
from kuza.web.api.impact_schemas import (
    LinkageCreate,
    LinkagePublic,
    LinkagesPublic,
    LinkageWomanPublic,
)
from kuza.web.api.market_schemas import (
    ActivitiesPublic,
    ActivityCreate,
    ActivityPublic,
    ContractCreate,
    ContractPublic,
    ContractsPublic,
    LinkageEnd,
)
from kuza.web.api.schemas import error_responses, money
from kuza.web.deps import Config, IdPath

router = APIRouter(tags=["markets"])
GroupPath = Annotated[int, Path(ge=1, le=2**31 - 1)]
READ = error_responses(401, 403, 404)
WRITE = error_responses(401, 403, 404, 409, 422)


def check_linkage(cfg: Config, user: Principal, linkage_id: int) -> LinkageRow:
    """The linkage, if its group (or its member) is in the user's scope; 404 alike."""
    row = linkage(cfg.db, linkage_id)
    if row is not None and row.group_id is not None:
        visible = users.can_see_group(cfg.db, user, row.group_id)
    else:
        visible = row is not None and users.can_see_member(cfg.db, user, row.member_id or 0)
    if row is None or not visible:
        raise HTTPException(404, "no such market linkage")
    return row


def _public(r: LinkageRow) -> LinkagePublic:
    return LinkagePublic(
        id=r.id,
        partner_id=r.partner_id,
        partner=r.partner,
        partner_kind=r.partner_kind,
        group_id=r.group_id,
        member_id=r.member_id,
        value_chain=r.value_chain,
        started_on=r.started_on,
        ended_on=r.ended_on,
        note=r.note,
        recorded_by=r.recorded_by,
        women=[LinkageWomanPublic(member_id=m, role=role) for m, role in r.women.items()],
    )


def _contract(r: ContractRow) -> ContractPublic:
    return ContractPublic(
        id=r.id,
        linkage_id=r.linkage_id,
        product=r.product,
        volume=str(r.volume),
        unit=r.unit,
        price=money(r.price),
        currency=r.price.currency,
        value=money(r.value),
        starts_on=r.starts_on,
        ends_on=r.ends_on,
        recorded_by=r.recorded_by,
    )


def _activity(r: ActivityRow) -> ActivityPublic:
    return ActivityPublic(
        id=r.id,
        kind=r.kind,
        group_id=r.group_id,
        linkage_id=r.linkage_id,
        value_chain=r.value_chain,
        held_on=r.held_on,
        description=r.description,
        members_involved=r.members_involved,
        amount=None if r.amount is None else money(r.amount),
        currency=None if r.amount is None else r.amount.currency,
        recorded_by=r.recorded_by,
    )


@router.get("/groups/{group_id}/market-linkages", response_model=LinkagesPublic, responses=READ)
def list_linkages(
    group_id: GroupPath, user: GroupReader, cfg: Config, limit: Limit = 50, offset: Offset = 0
) -> LinkagesPublic:
    check_group(cfg, user, group_id)
    rows, total = group_linkages(cfg.db, group_id, limit=limit, offset=offset)
    return LinkagesPublic(
        group_id=group_id,
        total=total,
        limit=limit,
        offset=offset,
        items=[_public(r) for r in rows],
    )


@router.post(
    "/groups/{group_id}/market-linkages",
    response_model=LinkagePublic,
    status_code=201,
    responses=WRITE,
)
def create_linkage(
    request: Request,
    group_id: GroupPath,
    body: LinkageCreate,
    user: Recorder,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """The group's own link, or (``member_id``) one of its members' own."""
    check_group(cfg, user, group_id)
    view = group_view(cfg.db, group_id, cfg.today(), user.programme_id)
    if body.member_id is not None and body.member_id not in {m.id for m in view.members}:
        raise HTTPException(404, "no such member in this group")
    new = markets.NewLinkage(
        partner_id=body.partner_id,
        started_on=body.started_on,
        member_id=body.member_id,
        group_id=None if body.member_id is not None else group_id,
        value_chain=body.value_chain,
        ended_on=body.ended_on,
        women={w.member_id: WomanRole(w.role) for w in body.women},
        note=body.note,
    )

    def run() -> tuple[int, LinkagePublic]:
        lid = markets.record_linkage(cfg.db, view.programme_id, new, actor=user.username)
        made = linkage(cfg.db, lid)
        assert made is not None  # just recorded
        return 201, _public(made)

    return idempotent(request, cfg, user, key, body, run)


@router.post("/market-linkages/{linkage_id}/end", response_model=LinkagePublic, responses=WRITE)
def end_linkage(
    request: Request,
    linkage_id: IdPath,
    body: LinkageEnd,
    user: Recorder,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """The linkage's last day; an ended linkage cannot end again (422)."""
    check_linkage(cfg, user, linkage_id)

    def run() -> tuple[int, LinkagePublic]:
        markets.end_linkage(cfg.db, linkage_id, body.on, actor=user.username)
        return 200, _public(check_linkage(cfg, user, linkage_id))

    return idempotent(request, cfg, user, key, body, run)


@router.get(
    "/market-linkages/{linkage_id}/contracts", response_model=ContractsPublic, responses=READ
)
def list_contracts(
    linkage_id: IdPath, user: GroupReader, cfg: Config, limit: Limit = 50, offset: Offset = 0
) -> ContractsPublic:
    check_linkage(cfg, user, linkage_id)
    rows = linkage_contracts(cfg.db, [linkage_id]).get(linkage_id, [])
    return ContractsPublic(
        linkage_id=linkage_id,
        total=len(rows),
        limit=limit,
        offset=offset,
        items=[_contract(r) for r in rows[offset : offset + limit]],
    )


@router.post(
    "/market-linkages/{linkage_id}/contracts",
    response_model=ContractPublic,
    status_code=201,
    responses=WRITE,
)
def create_contract(
    request: Request,
    linkage_id: IdPath,
    body: ContractCreate,
    user: Recorder,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """A volume of a product at a unit price, from a day on or after the linkage began."""
    check_linkage(cfg, user, linkage_id)

    def run() -> tuple[int, ContractPublic]:
        cid = markets.record_contract(
            cfg.db, linkage_id, body.product, body.volume, body.unit, body.price,
            body.starts_on, body.ends_on, actor=user.username,
        )  # fmt: skip
        rows = linkage_contracts(cfg.db, [linkage_id])[linkage_id]
        return 201, _contract(next(r for r in rows if r.id == cid))

    return idempotent(request, cfg, user, key, body, run)


@router.get("/groups/{group_id}/market-activities", response_model=ActivitiesPublic, responses=READ)
def list_activities(
    group_id: GroupPath, user: GroupReader, cfg: Config, limit: Limit = 50, offset: Offset = 0
) -> ActivitiesPublic:
    check_group(cfg, user, group_id)
    rows, total = group_activities(cfg.db, group_id, limit=limit, offset=offset)
    return ActivitiesPublic(
        group_id=group_id,
        total=total,
        limit=limit,
        offset=offset,
        items=[_activity(r) for r in rows],
    )


@router.post(
    "/groups/{group_id}/market-activities",
    response_model=ActivityPublic,
    status_code=201,
    responses=WRITE,
)
def create_activity(
    request: Request,
    group_id: GroupPath,
    body: ActivityCreate,
    user: Recorder,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Collective purchasing, branding or packaging support given to the group,
    optionally for one of its linkages."""
    check_group(cfg, user, group_id)
    if body.linkage_id is not None and not linkage_of_group(cfg.db, body.linkage_id, group_id):
        raise NotFound(f"no market linkage {body.linkage_id} of this group", field="linkage_id")
    new = markets.NewMarketActivity(
        kind=MarketActivityKind(body.kind),
        group_id=group_id,
        held_on=body.held_on,
        description=body.description,
        members_involved=body.members_involved,
        amount=body.amount,
        linkage_id=body.linkage_id,
        value_chain=body.value_chain,
    )

    def run() -> tuple[int, ActivityPublic]:
        pid = programme_of_group(cfg.db, group_id)
        aid = markets.record_market_activity(cfg.db, pid, new, actor=user.username)
        made = activity(cfg.db, aid)
        assert made is not None  # just recorded
        return 201, _activity(made)

    return idempotent(request, cfg, user, key, body, run)
