"""Market links on the group page: record a linkage (the group's or a member's, with
the women involved), add a contract, end a linkage, record a market activity; and the
programme's market partners, added by its managers. Refused input is shown on its field
with nothing written."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kuza.domain.access import Principal, Role, may_record_meetings, sees_group_pages
from kuza.domain.errors import DomainError
from kuza.domain.groups import Sex
from kuza.domain.markets import MarketActivityKind, PartnerKind, WomanRole, may_add_partners
from kuza.reports.dashboard import programme_choices
from kuza.services import markets, users
from kuza.services.market_views import (
    LinkageRow,
    linkage,
    linkage_of_group,
    member_groups,
    programme_of_group,
    programme_partners,
)
from kuza.services.views import group_view
from kuza.web import form_fields
from kuza.web.deps import (
    PAGE_SIZE,
    Config,
    CurrentUser,
    Form,
    GroupId,
    IdPath,
    PageNo,
    WebConfig,
    page_count,
    render,
    tr,
)
from kuza.web.form_fields import day_field
from kuza.web.i18n import N_
from kuza.web.market_forms import market_section
from kuza.web.routes.groups import group_context

router = APIRouter()
LINK_FIELDS = ("partner_id", "party", "started_on", "ended_on", "value_chain", "note")
CONTRACT_FIELDS = ("product", "volume", "unit", "price", "starts_on", "ends_on")
ACTIVITY_FIELDS = (
    "kind", "held_on", "description", "members_involved", "amount", "linkage_id", "value_chain",
)  # fmt: skip


def _recorder(user: Principal) -> None:
    if not may_record_meetings(user):
        raise HTTPException(403, N_("Your role does not record market links."))


def _maybe_day(raw: str, field: str) -> date | None:
    return day_field(raw, field) if raw else None


def _id(raw: str, field: str, message: str) -> int:
    if not raw.isdigit() or len(raw) > 9:
        raise DomainError(message, field=field)
    return int(raw)


def _refused(
    request: Request,
    cfg: WebConfig,
    user: Principal,
    group_id: int,
    section: str,
    exc: DomainError,
    typed: dict[str, str],
) -> HTMLResponse:
    context = group_context(cfg, user, group_id)
    error = {"section": section, "field": exc.field, "message": exc.message}
    context["markets"] = market_section(cfg.db, user, context["group"], error, typed)
    return render(request, "group.html", context, 422)


def _done(request: Request, group_id: int, message: str) -> Response:
    request.session["flash"] = tr(request)(message)
    return RedirectResponse(f"/groups/{group_id}#markets", status_code=303)


@router.post("/groups/{group_id}/market-linkages", response_model=None)
def linkage_create(
    request: Request, group_id: GroupId, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    _recorder(user)
    typed = form_fields.typed(data, LINK_FIELDS)
    view = group_view(cfg.db, group_id, cfg.today(), user.programme_id)
    women = [m.id for m in view.members if m.sex == Sex.FEMALE.value]
    typed |= {f"woman-{m}": str(data.get(f"woman-{m}") or "") for m in women}
    try:
        party = typed["party"]
        if party and (not party.isdigit() or int(party) not in {m.id for m in view.members}):
            raise DomainError(N_("Choose the group or one of its members."), field="party")
        roles = {m: typed[f"woman-{m}"] for m in women if typed[f"woman-{m}"]}
        if any(r not in {w.value for w in WomanRole} for r in roles.values()):
            raise DomainError(N_("Choose a role from the list."), field="women")
        new = markets.NewLinkage(
            partner_id=_id(typed["partner_id"], "partner_id", N_("Choose a partner.")),
            started_on=day_field(typed["started_on"], "started_on"),
            member_id=int(party) if party else None,
            group_id=None if party else group_id,
            value_chain=typed["value_chain"] or None,
            ended_on=_maybe_day(typed["ended_on"], "ended_on"),
            women={m: WomanRole(r) for m, r in roles.items()},
            note=typed["note"],
        )
        markets.record_linkage(cfg.db, view.programme_id, new, actor=user.username)
    except DomainError as exc:
        return _refused(request, cfg, user, group_id, "link", exc, typed)
    return _done(request, group_id, N_("Market link recorded."))


def _visible_linkage(cfg: WebConfig, user: Principal, linkage_id: int) -> LinkageRow:
    row = linkage(cfg.db, linkage_id) if sees_group_pages(user) else None
    if row is not None and row.group_id is not None:
        visible = users.can_see_group(cfg.db, user, row.group_id)
    else:
        visible = row is not None and users.can_see_member(cfg.db, user, row.member_id or 0)
    if row is None or not visible:
        raise HTTPException(404, N_("No such market link."))
    return row


def _home_group(cfg: WebConfig, user: Principal, row: LinkageRow, raw: object) -> int:
    """The group page the form was sent from (``group_id``), else the linkage's group,
    else the latest group of the linked member the user sees."""
    sent = str(raw or "")
    if sent.isdigit() and len(sent) < 10:
        gid = int(sent)
        if users.can_see_group(cfg.db, user, gid) and linkage_of_group(cfg.db, row.id, gid):
            return gid
    if row.group_id is not None:
        return row.group_id
    seen = member_groups(cfg.db, row.member_id or 0)
    return next(g for g in seen if users.can_see_group(cfg.db, user, g))


@router.post("/market-linkages/{linkage_id}/contracts", response_model=None)
def contract_create(
    request: Request, linkage_id: IdPath, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    row = _visible_linkage(cfg, user, linkage_id)
    _recorder(user)
    group_id = _home_group(cfg, user, row, data.get("group_id"))
    typed = form_fields.typed(data, CONTRACT_FIELDS)
    try:
        markets.record_contract(
            cfg.db, linkage_id, typed["product"], typed["volume"], typed["unit"], typed["price"],
            day_field(typed["starts_on"], "starts_on"), _maybe_day(typed["ends_on"], "ends_on"),
            actor=user.username,
        )  # fmt: skip
    except DomainError as exc:
        return _refused(request, cfg, user, group_id, f"contract-{linkage_id}", exc, typed)
    return _done(request, group_id, N_("Contract recorded."))


@router.post("/market-linkages/{linkage_id}/end", response_model=None)
def linkage_end(
    request: Request, linkage_id: IdPath, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    row = _visible_linkage(cfg, user, linkage_id)
    _recorder(user)
    group_id = _home_group(cfg, user, row, data.get("group_id"))
    typed = form_fields.typed(data, ("on",))
    try:
        markets.end_linkage(cfg.db, linkage_id, day_field(typed["on"], "on"), actor=user.username)
    except DomainError as exc:
        return _refused(request, cfg, user, group_id, f"end-{linkage_id}", exc, typed)
    return _done(request, group_id, N_("Market link ended."))


@router.post("/groups/{group_id}/market-activities", response_model=None)
def activity_create(
    request: Request, group_id: GroupId, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    _recorder(user)
    typed = form_fields.typed(data, ACTIVITY_FIELDS)
    try:
        if typed["kind"] not in {k.value for k in MarketActivityKind}:
            raise DomainError(N_("Choose what kind of activity it was."), field="kind")
        raw_count = typed["members_involved"]
        count = _id(raw_count or "x", "members_involved", N_("Give a whole number."))
        link = None
        if typed["linkage_id"]:
            link = _id(typed["linkage_id"], "linkage_id", N_("Choose a market link."))
            if not linkage_of_group(cfg.db, link, group_id):
                raise DomainError(N_("Choose a market link."), field="linkage_id")
        new = markets.NewMarketActivity(
            kind=MarketActivityKind(typed["kind"]),
            group_id=group_id,
            held_on=day_field(typed["held_on"], "held_on"),
            description=typed["description"],
            members_involved=count,
            amount=typed["amount"] or None,
            linkage_id=link,
            value_chain=typed["value_chain"] or None,
        )
        pid = programme_of_group(cfg.db, group_id)
        markets.record_market_activity(cfg.db, pid, new, actor=user.username)
    except DomainError as exc:
        return _refused(request, cfg, user, group_id, "activity", exc, typed)
    return _done(request, group_id, N_("Market activity recorded."))


def _programme(cfg: WebConfig, user: Principal, chosen: int | None) -> int | None:
    if user.role is not Role.ADMIN:
        return user.programme_id
    choices = [pid for pid, _name in programme_choices(cfg.db)]
    return chosen if chosen in choices else (choices[0] if choices else None)


def _partners_page(
    request: Request,
    cfg: WebConfig,
    user: Principal,
    pid: int | None,
    error: dict[str, str | None] | None = None,
    typed: dict[str, str] | None = None,
    status: int = 200,
    page: int = 1,
) -> HTMLResponse:
    offset = (page - 1) * PAGE_SIZE
    rows, total = programme_partners(cfg.db, pid, PAGE_SIZE, offset) if pid else ([], 0)
    context = {
        "partners": rows,
        "total": total,
        "page": page,
        "pages": page_count(total),
        "query": {"programme": pid} if user.role is Role.ADMIN and pid else {},
        "programme_id": pid,
        "programmes": programme_choices(cfg.db) if user.role is Role.ADMIN else [],
        "may_add": may_add_partners(user.role),
        "kinds": [k.value for k in PartnerKind],
        "error": error,
        "typed": typed or {},
    }
    return render(request, "market_partners.html", context, status)


@router.get("/market-partners", response_class=HTMLResponse)
def partners_page(
    request: Request,
    user: CurrentUser,
    cfg: Config,
    programme: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    page: PageNo = 1,
) -> HTMLResponse:
    if not sees_group_pages(user):
        raise HTTPException(404, N_("No such page."))
    pid = _programme(cfg, user, programme)
    return _partners_page(request, cfg, user, pid, page=page)


@router.post("/market-partners", response_model=None)
def partner_create(request: Request, user: CurrentUser, cfg: Config, data: Form) -> Response:
    if not sees_group_pages(user):
        raise HTTPException(404, N_("No such page."))
    if not may_add_partners(user.role):
        raise HTTPException(403, N_("Your role does not add market partners."))
    typed = form_fields.typed(data, ("name", "kind", "programme"))
    raw = typed["programme"]
    pid = _programme(cfg, user, int(raw) if raw.isdigit() and len(raw) < 10 else None)
    try:
        if pid is None or (user.role is Role.ADMIN and str(pid) != raw):
            raise DomainError(N_("Choose a programme."), field="programme")
        if typed["kind"] not in {k.value for k in PartnerKind}:
            raise DomainError(N_("Choose what kind of partner it is."), field="kind")
        markets.add_partner(cfg.db, pid, typed["name"], PartnerKind(typed["kind"]), user.username)
    except DomainError as exc:
        error = {"section": "", "field": exc.field, "message": exc.message}
        return _partners_page(request, cfg, user, pid, error, typed, 422)
    request.session["flash"] = tr(request)(N_("Market partner added."))
    return RedirectResponse(f"/market-partners?programme={pid}", status_code=303)


# Values shown through _() on these pages.
SHOWN_VALUES = (
    N_("buyer"),
    N_("supplier"),
    N_("processor"),
    N_("lender"),
    N_("other"),
    N_("producer"),
    N_("aggregator"),
    N_("trader"),
    N_("negotiator"),
    N_("leader"),
    N_("collective_purchase"),
    N_("branding"),
    N_("packaging"),
)
