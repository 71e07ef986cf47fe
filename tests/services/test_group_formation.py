"""The rules the formation use cases add: a member with a loan open cannot leave, nor
leave before she joined; a meeting moves once; a group's agent works in its branch;
whom a group may be given to; who decides its status; nothing is written on a refusal."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import journal_entry, membership, savings_group
from kuza.domain.access import Principal, Role
from kuza.domain.calendar import Frequency
from kuza.domain.errors import DomainError, RuleViolation
from kuza.domain.groups import GroupStatus
from kuza.services import group_formation as formation
from kuza.services import groups, programmes
from kuza.services.meetings import post_meeting
from tests.factories import FORMED, make_world, sheet
from tests.loan_world import disbursed_loan, make_loan_world

TODAY = date(2026, 2, 2)


def _count(db: Database, table: Any) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_a_member_with_a_loan_open_cannot_leave(db: Database) -> None:
    lw = make_loan_world(db)
    loan_id = disbursed_loan(db, lw)
    entries = _count(db, journal_entry)
    with pytest.raises(RuleViolation) as err:
        groups.leave_group(db, lw.gid, lw.m(0), TODAY, "moved")
    assert err.value.field == "member_id" and f"loan {loan_id} open" in err.value.message
    assert _count(db, journal_entry) == entries
    with db.read() as conn:
        open_ = conn.execute(
            select(membership.c.left_on).where(membership.c.member_id == lw.m(0))
        ).scalar_one()
    assert open_ is None


def test_no_leaving_before_joining_and_no_second_move(db: Database) -> None:
    w = make_world(db)
    with pytest.raises(RuleViolation) as err:
        groups.leave_group(db, w.group_id, w.member_ids[0], date(2026, 1, 1), "x")
    assert err.value.field == "left_on"
    groups.move_meeting(db, w.group_id, date(2026, 1, 19), date(2026, 1, 21), "holiday")
    with pytest.raises(RuleViolation) as err:
        groups.move_meeting(db, w.group_id, date(2026, 1, 19), date(2026, 1, 22), "again")
    assert err.value.field == "nominal_on"


def _draft(agent_id: int, **changes: object) -> formation.GroupDraft:
    fields: dict[str, object] = {
        "name": "Amani",
        "agent_id": agent_id,
        "formed_on": TODAY,
        "frequency": Frequency.WEEKLY,
        "first_meeting_on": TODAY,
        "compulsory_saving": "50",
        **changes,
    }
    return formation.GroupDraft(**fields)  # type: ignore[arg-type]


def test_whom_a_group_is_given_to(db: Database) -> None:
    w = make_world(db)
    other_branch = programmes.create_branch(db, w.programme_id, "Ruiru")
    here = programmes.create_agent(db, w.programme_id, w.branch_id, "Here")
    there = programmes.create_agent(db, w.programme_id, other_branch, "There")
    pid, bid = w.programme_id, w.branch_id
    agent = Principal(1, "a", "A", Role.FIELD_AGENT, pid, None, here)
    manager = Principal(2, "b", "B", Role.BRANCH_MANAGER, pid, bid)
    admin = Principal(3, "c", "C", Role.ADMIN)
    finance = Principal(4, "d", "D", Role.FINANCE, pid)
    before = _count(db, savings_group)
    for user, agent_id in ((agent, there), (manager, there), (agent, 999)):
        with pytest.raises(RuleViolation) as err:
            formation.form_group(db, user, _draft(agent_id), TODAY)
        assert err.value.field == "agent_id"
    with pytest.raises(formation.NotAllowed):
        formation.form_group(db, finance, _draft(here), TODAY)
    with pytest.raises(DomainError) as err:
        formation.form_group(db, admin, _draft(there, name=" "), TODAY)
    assert err.value.field == "name"
    assert _count(db, savings_group) == before
    assert [a.id for a in formation.agent_choices(db, agent)] == [here]
    assert [a.id for a in formation.agent_choices(db, manager)] == [here]
    assert {a.id for a in formation.agent_choices(db, admin)} == {here, there}
    assert formation.agent_choices(db, finance) == []
    gid = formation.form_group(db, admin, _draft(there), TODAY)
    with db.read() as conn:
        row = conn.execute(select(savings_group).where(savings_group.c.id == gid)).one()
    assert (row.branch_id, row.agent_id, row.status) == (other_branch, there, "forming")
    # the service itself refuses an agent of another branch
    with pytest.raises(RuleViolation):
        groups.create_group(
            db,
            pid,
            groups.NewGroup(bid, "X", FORMED, Frequency.WEEKLY, FORMED, "1", agent_id=there),
        )
    with pytest.raises(formation.NotAllowed):
        formation.change_status(db, agent, gid, GroupStatus.ACTIVE, TODAY, "", TODAY)
    with pytest.raises(RuleViolation) as err:
        formation.change_status(db, admin, gid, GroupStatus.ACTIVE, date(2026, 3, 1), "", TODAY)
    assert err.value.field == "on"
    formation.change_status(db, admin, gid, GroupStatus.ACTIVE, TODAY, "approved", TODAY)
    total, history = formation.status_history(db, gid, 10, 0)
    assert total == 2 and [h.status for h in history] == ["active", "forming"]


def test_two_clerks_releasing_one_member_at_once_pay_her_once(db: Database) -> None:
    """The group's row is locked by its writers: the second sees her gone (on PostgreSQL
    a row lock, on SQLite the write lock)."""
    w = make_world(db)
    post_meeting(db, sheet(w, FORMED), "agent", TODAY)
    entries = _count(db, journal_entry)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def clerk() -> None:
        start.wait()
        try:
            groups.leave_group(db, w.group_id, w.member_ids[0], TODAY, "moved")
            outcomes.append("paid")
        except DomainError as exc:
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=clerk) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["NotFound", "paid"]
    assert _count(db, journal_entry) == entries + 1
