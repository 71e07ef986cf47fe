"""GET /groups (a page of the groups this user may see), GET /groups/{id} and the
group's stability grade, as its page shows it."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from kuza.domain.access import Principal
from kuza.domain.errors import DomainError
from kuza.services import users
from kuza.services.stability import grade_group
from kuza.services.views import group_list, group_total, group_view
from kuza.web.api.deps import GroupReader, Limit, Offset, check_group
from kuza.web.api.report_schemas import ComponentPublic, StabilityPublic
from kuza.web.api.schemas import (
    GroupPublic,
    GroupsPublic,
    GroupSummaryPublic,
    MemberPublic,
    OfficerPublic,
    error_responses,
    money,
)
from kuza.web.deps import Config, WebConfig, api_locale_of
from kuza.web.i18n import N_
from kuza.web.stability_text import label, reason, verdict

router = APIRouter(tags=["groups"])
DENIED = error_responses(401, 403)
GroupPath = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/groups", response_model=GroupsPublic, responses=DENIED)
def list_groups(
    user: GroupReader, cfg: Config, limit: Limit = 50, offset: Offset = 0
) -> GroupsPublic:
    only = users.group_scope(user)
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
    return group_public(cfg, user, group_id)


def group_public(cfg: WebConfig, user: Principal, group_id: int) -> GroupPublic:
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


@router.get(
    "/groups/{group_id}/stability",
    response_model=StabilityPublic,
    responses=error_responses(401, 403, 404, 422),
)
def read_stability(
    request: Request,
    group_id: GroupPath,
    user: GroupReader,
    cfg: Config,
    as_of: Annotated[date | None, Query(description="Grade as of this day (default today)")] = None,
) -> StabilityPublic:
    """The stability grade over the group's last scheduled meetings (the gate to Stage
    2), with the programme's weights and minimums; 422 before its first meeting. The
    components' values, and their reasons in the caller's language as the page words
    them."""
    check_group(cfg, user, group_id)
    day = as_of or cfg.today()
    if day > cfg.today():
        raise DomainError(N_("Grade as of today or an earlier day."), field="as_of")
    g = grade_group(cfg.db, group_id, day, programme_id=user.programme_id)
    locale = api_locale_of(request)
    components = [
        ComponentPublic(
            component=c.component.value,
            label=label(c.component, locale),
            ratio=None if c.ratio is None else str(c.ratio),
            percent=None if c.percent is None else str(c.percent),
            weight=str(c.weight),
            minimum=None if c.minimum is None else str(c.minimum),
            below_minimum=c.below_minimum,
            note=None if c.note is None else c.note.value,
            reason=reason(c, g, locale),
        )
        for c in g.components
    ]
    said = verdict(g, locale)
    return StabilityPublic(
        group_id=group_id,
        as_of=day,
        grade=g.grade.value,
        score=str(g.score),
        pass_mark=str(g.pass_mark),
        passed=g.passed,
        below_minimum=[c.component.value for c in g.below_minimum],
        posting_days=g.posting_days,
        window_start=g.inputs.window_start,
        window_end=g.inputs.window_end,
        meetings_scheduled=g.inputs.meetings_scheduled,
        components=components,
        verdict=said,
        reasons=[*(c.reason for c in components), said],
    )
