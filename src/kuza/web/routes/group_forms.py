"""Forming and running a group from the pages: the new-group form, and on the group page
enrol a member, a member leaves, elect an officer, move a meeting, change the status.
A refused form comes back as typed with the reason beside its input (422)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kuza.domain.access import (
    Principal,
    may_decide_group_status,
    may_run_groups,
    sees_group_pages,
)
from kuza.domain.calendar import Frequency
from kuza.domain.errors import DomainError
from kuza.domain.groups import GroupStatus, OfficerRole, Sex, ShareOutRule
from kuza.services import group_formation as formation
from kuza.services.groups import NewMember
from kuza.web.deps import Config, CurrentUser, Form, GroupId, locale_of, render, tr
from kuza.web.form_fields import choice, typed
from kuza.web.i18n import N_, format_money
from kuza.web.loan_forms import FormState, bounded, day, failed, whole
from kuza.web.routes.groups import group_context

router = APIRouter()

GROUP_FIELDS = ("name", "village", "agent_id", "formed_on", "frequency", "first_meeting_on",
                "compulsory_saving", "share_out_rule", "share_value")  # fmt: skip
FIELDS = {
    "enrol": (
        "name",
        "sex",
        "birth_year",
        "household_size",
        "literate",
        "phone",
        "consent_on",
        "joined_on",
    ),
    "leave": ("member_id", "left_on", "reason"),
    "elect": ("member_id", "role", "started_on"),
    "move": ("nominal_on", "moved_to", "reason"),
    "status": ("status", "on", "note"),
}


def _runner(user: Principal) -> None:
    if not sees_group_pages(user):
        raise HTTPException(404, N_("No such page."))
    if not may_run_groups(user):
        raise HTTPException(403, N_("Your role does not form or run groups."))


def _new_page(
    request: Request, cfg: Config, user: Principal, form: FormState, status: int = 200
) -> HTMLResponse:
    context = {"form": form, "agents": formation.agent_choices(cfg.db, user)}
    return render(request, "group_new.html", context, status)


@router.get("/groups/new", response_class=HTMLResponse)
def new_group(request: Request, user: CurrentUser, cfg: Config) -> HTMLResponse:
    _runner(user)
    today = cfg.today().isoformat()
    blank = {"formed_on": today, "first_meeting_on": today, "frequency": "weekly",
             "share_out_rule": "pro_rata", "agent_id": str(user.agent_id or "")}  # fmt: skip
    return _new_page(request, cfg, user, FormState("group", blank))


@router.post("/groups", response_model=None)
def create_group(request: Request, user: CurrentUser, cfg: Config, data: Form) -> Response:
    _runner(user)
    v = typed(data, GROUP_FIELDS)
    try:
        rule = choice(ShareOutRule, v["share_out_rule"] or "pro_rata", "share_out_rule")
        draft = formation.GroupDraft(
            name=v["name"],
            village=v["village"],
            agent_id=whole(v["agent_id"], "agent_id"),
            formed_on=day(v["formed_on"], "formed_on"),
            frequency=choice(Frequency, v["frequency"], "frequency"),
            first_meeting_on=day(v["first_meeting_on"], "first_meeting_on"),
            compulsory_saving=v["compulsory_saving"],
            share_out_rule=rule,
            share_value=v["share_value"] or None,
        )
        gid = formation.form_group(cfg.db, user, draft, cfg.today())
    except DomainError as exc:
        return _new_page(request, cfg, user, failed("group", v, exc), 422)
    _ = tr(request)
    request.session["flash"] = _(
        "Group formed. It is forming until its branch manager approves it."
    )
    return RedirectResponse(f"/groups/{gid}", status_code=303)


Act = Callable[[Request, Config, Principal, int, dict[str, str]], str]


def _submit(
    request: Request, cfg: Config, user: Principal, group_id: int, data: Form, form: str, act: Act
) -> Response:
    """One form of the group page: ``act`` does it with what was typed and says what was
    done (the flash); a refusal comes back as typed, beside its input (422)."""
    v = typed(data, FIELDS[form])
    try:
        message = act(request, cfg, user, group_id, v)
    except DomainError as exc:
        refused = group_context(cfg, user, group_id, failed(form, v, exc))
        return render(request, "group.html", refused, 422)
    request.session["flash"] = message
    return RedirectResponse(f"/groups/{group_id}", status_code=303)


def _enrol(request: Request, cfg: Config, user: Principal, group_id: int, v: dict[str, str]) -> str:
    new = NewMember(
        name=v["name"],
        sex=choice(Sex, v["sex"], "sex"),
        household_size=bounded(v["household_size"], "household_size", 1, 99),
        literate=bool(v["literate"]),
        birth_year=(
            bounded(v["birth_year"], "birth_year", 1900, cfg.today().year)
            if v["birth_year"]
            else None
        ),
        phone=v["phone"] or None,
        consent_on=day(v["consent_on"], "consent_on") if v["consent_on"] else None,
    )
    formation.enrol(cfg.db, user, group_id, new, day(v["joined_on"], "joined_on"), cfg.today())
    _ = tr(request)
    return _("%(name)s is a member now.", name=v["name"])


def _leave(request: Request, cfg: Config, user: Principal, group_id: int, v: dict[str, str]) -> str:
    paid = formation.leave(
        cfg.db,
        user,
        group_id,
        whole(v["member_id"], "member_id"),
        day(v["left_on"], "left_on"),
        v["reason"],
        cfg.today(),
    )
    _ = tr(request)
    return _(
        "She has left the group; her savings paid back: %(amount)s.",
        amount=format_money(paid, locale_of(request)),
    )


def _elect(request: Request, cfg: Config, user: Principal, group_id: int, v: dict[str, str]) -> str:
    formation.elect(
        cfg.db,
        user,
        group_id,
        whole(v["member_id"], "member_id"),
        choice(OfficerRole, v["role"], "role"),
        day(v["started_on"], "started_on"),
        cfg.today(),
    )
    _ = tr(request)
    return _("Election recorded.")


def _move(request: Request, cfg: Config, user: Principal, group_id: int, v: dict[str, str]) -> str:
    formation.move_meeting(
        cfg.db,
        user,
        group_id,
        day(v["nominal_on"], "nominal_on"),
        day(v["moved_to"], "moved_to"),
        v["reason"],
    )
    _ = tr(request)
    return _("Meeting moved; the meetings after it stay where they were.")


def _status(
    request: Request, cfg: Config, user: Principal, group_id: int, v: dict[str, str]
) -> str:
    formation.change_status(
        cfg.db,
        user,
        group_id,
        choice(GroupStatus, v["status"], "status"),
        day(v["on"], "on"),
        v["note"],
        cfg.today(),
    )
    _ = tr(request)
    return _("Status changed.")


@router.post("/groups/{group_id}/members", response_model=None)
def enrol_member(
    request: Request, group_id: GroupId, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    _runner(user)
    return _submit(request, cfg, user, group_id, data, "enrol", _enrol)


@router.post("/groups/{group_id}/departures", response_model=None)
def member_leaves(
    request: Request, group_id: GroupId, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    _runner(user)
    return _submit(request, cfg, user, group_id, data, "leave", _leave)


@router.post("/groups/{group_id}/officers", response_model=None)
def elect_officer(
    request: Request, group_id: GroupId, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    _runner(user)
    return _submit(request, cfg, user, group_id, data, "elect", _elect)


@router.post("/groups/{group_id}/meeting-moves", response_model=None)
def move_meeting(
    request: Request, group_id: GroupId, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    _runner(user)
    return _submit(request, cfg, user, group_id, data, "move", _move)


@router.post("/groups/{group_id}/status", response_model=None)
def change_status(
    request: Request, group_id: GroupId, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    if not may_decide_group_status(user):
        raise HTTPException(403, N_("Only a branch manager or an admin changes a group's status."))
    return _submit(request, cfg, user, group_id, data, "status", _status)
