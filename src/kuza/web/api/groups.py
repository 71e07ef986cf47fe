"""GET /groups (a page of the groups this user may see) and GET /groups/{id}."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from kuza.domain.access import Role
from kuza.services import users
from kuza.services.views import group_list, group_total, group_view
from kuza.web.api.deps import GroupReader, Limit, Offset, check_group
from kuza.web.api.schemas import (
    GroupPublic,
    GroupsPublic,
    GroupSummaryPublic,
    MemberPublic,
    OfficerPublic,
    error_responses,
    money,
)
from kuza.web.deps import Config

router = APIRouter(tags=["groups"])
DENIED = error_responses(401, 403)
GroupPath = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/groups", response_model=GroupsPublic, responses=DENIED)
def list_groups(
    user: GroupReader, cfg: Config, limit: Limit = 50, offset: Offset = 0
) -> GroupsPublic:
    only = None if user.role is Role.ADMIN else users.visible_group_ids(cfg.db, user)
    rows = group_list(cfg.db, user.programme_id, only, limit=limit, offset=offset)
    return GroupsPublic(
        total=group_total(cfg.db, user.programme_id, only),
        limit=limit,
        offset=offset,
        items=[
            GroupSummaryPublic(
                id=g.id,
                name=g.name,
                village=g.village,
                branch=g.branch,
                status=g.status,
                members=g.members,
                fund_cash=money(g.fund_cash),
                currency=g.fund_cash.currency,
                last_meeting=g.last_meeting,
            )
            for g in rows
        ],
    )


@router.get(
    "/groups/{group_id}",
    response_model=GroupPublic,
    responses=error_responses(401, 403, 404),
)
def read_group(group_id: GroupPath, user: GroupReader, cfg: Config) -> GroupPublic:
    check_group(cfg, user, group_id)
    v = group_view(cfg.db, group_id, cfg.today(), user.programme_id)
    return GroupPublic(
        id=v.id,
        name=v.name,
        village=v.village,
        status=v.status,
        currency=v.currency,
        frequency=v.frequency,
        compulsory_saving=money(v.compulsory_saving),
        cycle_number=v.cycle_number,
        fund_cash=money(v.fund_cash),
        social_fund=money(v.social_fund),
        fines_income=money(v.fines_income),
        next_meeting=v.next_meeting,
        last_meeting=v.last_meeting,
        members=[
            MemberPublic(
                id=m.id,
                name=m.name,
                sex=m.sex,
                savings=money(m.savings),
                voluntary=money(m.voluntary),
                joined_on=m.joined_on,
            )
            for m in v.members
        ],
        officers=[
            OfficerPublic(role=o.role, member_id=o.member_id, name=o.name, since=o.since)
            for o in v.officers
        ],
    )
