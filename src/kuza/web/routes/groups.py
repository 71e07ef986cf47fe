"""The groups a user may see, and one group's page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from kuza.domain.access import Principal, may_record_meetings, sees_group_pages
from kuza.domain.approvals import PendingKind, may_apply_for_loans, may_submit
from kuza.services import shareout, users
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


def group_context(cfg: WebConfig, user: Principal, group_id: int) -> dict[str, Any]:
    """What the group page shows; a refused form of a section replaces that section."""
    view = group_view(cfg.db, group_id, cfg.today(), user.programme_id)
    return {
        "group": view,
        "may_record": may_record_meetings(user),
        "may_apply": may_apply_for_loans(user.role),
        "may_share_out": may_submit(PendingKind.SHARE_OUT, user.role),
        "stability": grade_group(cfg.db, group_id, cfg.today(), programme_id=user.programme_id),
        "today": cfg.today().isoformat(),
        "markets": market_section(cfg.db, user, view),
        "share_outs": shareout.share_outs_of_group(cfg.db, group_id),
    }


@router.get("/groups/{group_id}", response_class=HTMLResponse)
def group_page(request: Request, group_id: GroupId, user: CurrentUser, cfg: Config) -> HTMLResponse:
    return render(request, "group.html", group_context(cfg, user, group_id))
