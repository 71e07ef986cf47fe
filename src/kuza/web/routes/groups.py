"""The groups a user may see, and one group's page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from kuza.domain.access import (
    Principal,
    may_decide_group_status,
    may_record_meetings,
    may_run_groups,
    sees_group_pages,
)
from kuza.domain.approvals import PendingKind, may_apply_for_loans, may_submit
from kuza.domain.errors import RuleViolation
from kuza.domain.groups import OfficerRole
from kuza.domain.stability import StabilityGrade
from kuza.services import shareout, users
from kuza.services.group_formation import next_statuses
from kuza.services.stability import grade_group
from kuza.services.views import group_list, group_total, group_view
from kuza.web.deps import (
    PAGE_SIZE,
    Config,
    CurrentUser,
    GroupId,
    PageNo,
    WebConfig,
    page_count,
    render,
)
from kuza.web.i18n import N_
from kuza.web.loan_forms import FormState
from kuza.web.market_forms import market_section

router = APIRouter()


def _no_group_pages(user: Principal) -> None:
    if not sees_group_pages(user):
        raise HTTPException(404, N_("No such page."))


@router.get("/", response_model=None)
def home(request: Request, user: CurrentUser) -> HTMLResponse | RedirectResponse:
    if sees_group_pages(user):
        return RedirectResponse("/groups", status_code=303)
    return render(request, "home.html")


@router.get("/groups", response_class=HTMLResponse)
def groups_page(request: Request, user: CurrentUser, cfg: Config, page: PageNo = 1) -> HTMLResponse:
    """A page of the groups she sees (a country's programme has tens of thousands)."""
    _no_group_pages(user)
    only = users.group_scope(user)
    total = group_total(cfg.db, user.programme_id, only)
    rows = group_list(cfg.db, user.programme_id, only, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    context = {"groups": rows, "total": total, "page": page, "pages": page_count(total)}
    return render(request, "groups.html", context)


class GroupForms(dict[str, FormState]):
    """The group page's forms (enrol, leave, elect, move, status) by name: the one
    refused as typed, any other blank with its dates filled in."""

    def __init__(self, today: str, next_meeting: str) -> None:
        super().__init__()
        self.blank = {
            "enrol": {"joined_on": today, "sex": "F"},
            "leave": {"left_on": today},
            "elect": {"started_on": today},
            "move": {"nominal_on": next_meeting},
            "status": {"on": today},
        }

    def __missing__(self, name: str) -> FormState:
        return FormState(name, dict(self.blank.get(name, {})))


def _stability(cfg: WebConfig, user: Principal, group_id: int) -> StabilityGrade | None:
    """The grade, or None before the group's first scheduled meeting (a new group)."""
    try:
        return grade_group(cfg.db, group_id, cfg.today(), programme_id=user.programme_id)
    except RuleViolation:
        return None


def group_context(
    cfg: WebConfig, user: Principal, group_id: int, refused: FormState | None = None
) -> dict[str, Any]:
    """What the group page shows; a refused form of a section replaces that section."""
    view = group_view(cfg.db, group_id, cfg.today(), user.programme_id)
    forms = GroupForms(cfg.today().isoformat(), view.next_meeting.isoformat())
    if refused is not None:
        forms[refused.name] = refused
    return {
        "forms": forms,
        "may_run": may_run_groups(user),
        "may_decide_status": may_decide_group_status(user),
        "next_statuses": next_statuses(view.status),
        "officer_roles": [r.value for r in OfficerRole],
        "group": view,
        "may_record": may_record_meetings(user),
        "may_apply": may_apply_for_loans(user.role),
        "may_share_out": may_submit(PendingKind.SHARE_OUT, user.role),
        "stability": _stability(cfg, user, group_id),
        "today": cfg.today().isoformat(),
        "markets": market_section(cfg.db, user, view),
        "share_outs": shareout.share_outs_of_group(cfg.db, group_id),
    }


@router.get("/groups/{group_id}", response_class=HTMLResponse)
def group_page(request: Request, group_id: GroupId, user: CurrentUser, cfg: Config) -> HTMLResponse:
    return render(request, "group.html", group_context(cfg, user, group_id))
