"""Market linkages of a group (its own and its members'): a page of them, and record
one with the women involved; read by all but donors, recorded by the meeting roles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import JSONResponse

from kuza.domain.markets import WomanRole
from kuza.services import markets
from kuza.services.market_views import LinkageRow, group_linkages
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
from kuza.web.api.schemas import error_responses
from kuza.web.deps import Config

router = APIRouter(tags=["markets"])
GroupPath = Annotated[int, Path(ge=1, le=2**31 - 1)]


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


@router.get(
    "/groups/{group_id}/market-linkages",
    response_model=LinkagesPublic,
    responses=error_responses(401, 403, 404),
)
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
    responses=error_responses(401, 403, 404, 409, 422),
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
        rows, _total = group_linkages(cfg.db, group_id, limit=2**31 - 1)
        return 201, _public(next(r for r in rows if r.id == lid))

    return idempotent(request, cfg, user, key, body, run)
