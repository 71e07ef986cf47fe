"""Forming and running a group from the pages, the API and the CLI: who may, on what
day, and whom a new group is given to. Each call checks the user's role and the day,
then runs one use case of :mod:`kuza.services.groups` (one transaction, audited under
her login). Seeing the group itself is the edge's check (404 when out of scope)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    branch,
    field_agent,
    group_status_event,
    officer_term,
    programme,
)
from kuza.adapters.db.schema import member as member_table
from kuza.adapters.db.scoping import filter_scope
from kuza.domain.access import (
    GroupScope,
    Principal,
    Role,
    group_filter,
    may_assign_group,
    may_decide_group_status,
    may_run_groups,
)
from kuza.domain.calendar import Frequency
from kuza.domain.errors import N_, DomainError, RuleViolation
from kuza.domain.groups import GROUP_TRANSITIONS, GroupStatus, OfficerRole, ShareOutRule
from kuza.domain.money import Money
from kuza.services import groups


class NotAllowed(DomainError):
    """The role may never do this (the edges answer 403)."""

    code = "forbidden"


@dataclass(frozen=True)
class AgentChoice:
    id: int
    name: str
    branch_id: int
    branch: str
    programme_id: int
    programme: str


@dataclass(frozen=True)
class GroupDraft:
    """A new group as typed; its branch and programme are its field agent's."""

    name: str
    agent_id: int
    formed_on: date
    frequency: Frequency
    first_meeting_on: date
    compulsory_saving: str
    village: str = ""
    share_out_rule: ShareOutRule = ShareOutRule.PRO_RATA
    share_value: str | None = None


def _runner(user: Principal) -> None:
    if not may_run_groups(user):
        raise NotAllowed(N_("your role does not form or run groups"), field="role")


def _not_after(day: date, today: date, field: str) -> None:
    if day > today:
        raise RuleViolation(
            "%(day)s is after today: record what has happened", field=field, day=day
        )


def agent_choices(db: Database, user: Principal) -> list[AgentChoice]:
    """The field agents a new group may be given to by this user (a field agent: only
    herself), by programme, branch and name."""
    if not may_run_groups(user):
        return []
    f = group_filter(user)
    if f.nothing:
        return []
    query = (
        select(field_agent, branch.c.name.label("branch_name"), programme.c.name.label("prog_name"))
        .join(branch, branch.c.id == field_agent.c.branch_id)
        .join(programme, programme.c.id == field_agent.c.programme_id)
        .order_by(field_agent.c.programme_id, branch.c.name, field_agent.c.name, field_agent.c.id)
    )
    a = field_agent.c
    query = filter_scope(query, f, a.programme_id, a.branch_id, a.id)
    with db.read() as conn:
        rows = conn.execute(query).all()
    return [
        AgentChoice(r.id, r.name, r.branch_id, r.branch_name, r.programme_id, r.prog_name)
        for r in rows
    ]


def form_group(db: Database, user: Principal, draft: GroupDraft, today: date) -> int:
    """A new group, ``forming`` until a branch manager approves it, run by the agent
    chosen (a field agent forms her own groups)."""
    _runner(user)
    _not_after(draft.formed_on, today, "formed_on")
    with db.transaction() as conn:
        agent = conn.execute(
            select(field_agent.c.programme_id, field_agent.c.branch_id).where(
                field_agent.c.id == draft.agent_id
            )
        ).first()
        scope = GroupScope(agent.programme_id, agent.branch_id, draft.agent_id) if agent else None
        if scope is None or not may_assign_group(user, scope):
            raise RuleViolation("choose the group's field agent from the list", field="agent_id")
        new = groups.NewGroup(
            branch_id=scope.branch_id,
            agent_id=draft.agent_id,
            name=draft.name,
            village=draft.village,
            formed_on=draft.formed_on,
            frequency=draft.frequency,
            first_meeting_on=draft.first_meeting_on,
            compulsory_saving=draft.compulsory_saving,
            share_out_rule=draft.share_out_rule,
            share_value=draft.share_value,
        )
        return groups.insert_group(conn, scope.programme_id, new, user.username)


def enrol(
    db: Database,
    user: Principal,
    group_id: int,
    new: groups.NewMember,
    joined_on: date,
    today: date,
) -> int:
    _runner(user)
    _not_after(joined_on, today, "joined_on")
    if new.consent_on is not None:
        _not_after(new.consent_on, today, "consent_on")
    return groups.enrol_member(db, group_id, new, joined_on, user.username)


def leave(
    db: Database,
    user: Principal,
    group_id: int,
    member_id: int,
    left_on: date,
    reason: str,
    today: date,
) -> Money:
    """She leaves; her compulsory and voluntary savings are paid back from the fund."""
    _runner(user)
    _not_after(left_on, today, "left_on")
    if not reason.strip():
        raise DomainError("say why she leaves", field="reason")
    return groups.leave_group(db, group_id, member_id, left_on, reason.strip(), user.username)


def elect(
    db: Database,
    user: Principal,
    group_id: int,
    member_id: int,
    role: OfficerRole,
    started_on: date,
    today: date,
) -> int:
    _runner(user)
    _not_after(started_on, today, "started_on")
    return groups.elect_officer(db, group_id, member_id, role, started_on, user.username)


def move_meeting(
    db: Database,
    user: Principal,
    group_id: int,
    nominal_on: date,
    moved_to: date,
    reason: str,
) -> None:
    _runner(user)
    if not reason.strip():
        raise DomainError("say why the meeting moves", field="reason")
    groups.move_meeting(db, group_id, nominal_on, moved_to, reason.strip(), user.username)


def change_status(
    db: Database,
    user: Principal,
    group_id: int,
    status: GroupStatus,
    on: date,
    note: str,
    today: date,
) -> None:
    """Approve a forming group (``active``), graduate or close one: the branch's
    decision (a field agent proposes it to her branch manager)."""
    if not may_decide_group_status(user):
        role = "field agent" if user.role is Role.FIELD_AGENT else user.role.value
        raise NotAllowed(
            N_("a %(role)s cannot change a group's status: its branch manager decides"),
            field="role",
            role=role.replace("_", " "),
        )
    _not_after(on, today, "on")
    groups.change_status(db, group_id, status, on, note.strip(), user.username)


def next_statuses(status: str) -> list[str]:
    """What a group of this status may become, for the page's choice."""
    return sorted(s.value for s in GROUP_TRANSITIONS[GroupStatus(status)])


@dataclass(frozen=True)
class OfficerTermRow:
    id: int
    member_id: int
    name: str
    role: str
    started_on: date
    ended_on: date | None


def _term_query() -> Any:
    return select(officer_term, member_table.c.name).join(
        member_table, member_table.c.id == officer_term.c.member_id
    )


def _term(r: Any) -> OfficerTermRow:
    return OfficerTermRow(r.id, r.member_id, r.name, r.role, r.started_on, r.ended_on)


def officer_term_row(db: Database, term_id: int) -> OfficerTermRow:
    with db.read() as conn:
        return _term(conn.execute(_term_query().where(officer_term.c.id == term_id)).one())


def _latest_first(
    db: Database, query: Any, of_group: Any, on: Any, row_id: Any, limit: int, offset: int
) -> tuple[int, Sequence[Any]]:
    """How many rows ``of_group`` there are, and a page of them, latest ``on`` first."""
    with db.read() as conn:
        total = conn.execute(select(func.count()).where(of_group)).scalar_one()
        rows = conn.execute(
            query.where(of_group).order_by(on.desc(), row_id.desc()).limit(limit).offset(offset)
        ).all()
    return total, rows


def officer_history(
    db: Database, group_id: int, limit: int, offset: int
) -> tuple[int, list[OfficerTermRow]]:
    """Every term of the group's officers, latest first (a page of them)."""
    t = officer_term.c
    total, rows = _latest_first(
        db, _term_query(), t.group_id == group_id, t.started_on, t.id, limit, offset
    )
    return total, [_term(r) for r in rows]


@dataclass(frozen=True)
class StatusEventRow:
    id: int
    status: str
    on: date
    note: str


def status_history(
    db: Database, group_id: int, limit: int, offset: int
) -> tuple[int, list[StatusEventRow]]:
    """The group's status changes, latest first (a page of them)."""
    e = group_status_event.c
    total, rows = _latest_first(
        db, select(group_status_event), e.group_id == group_id, e.on_date, e.id, limit, offset
    )
    return total, [StatusEventRow(r.id, r.status, r.on_date, r.note or "") for r in rows]
