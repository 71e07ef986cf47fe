from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kuza.adapters.db.engine import Database
from kuza.domain.errors import DomainError, NotFound, RuleViolation
from kuza.domain.groups import GroupStatus, OfficerRole
from kuza.services import groups
from kuza.services.ledger_check import check
from kuza.services.meetings import post_meeting
from kuza.services.views import group_list, group_view
from tests.factories import FORMED, make_world, sheet

TODAY = date(2026, 6, 1)


def test_group_page_shows_members_officers_fund_and_next_meeting(db: Database) -> None:
    w = make_world(db)
    groups.elect_officer(db, w.group_id, w.member_ids[0], OfficerRole.PRESIDENT, FORMED)
    groups.elect_officer(db, w.group_id, w.member_ids[1], OfficerRole.TREASURER, FORMED)
    post_meeting(db, sheet(w, date(2026, 1, 12), m1={"voluntary": "30"}), "agent", TODAY)
    view = group_view(db, w.group_id, date(2026, 1, 13))
    assert [o.role for o in view.officers] == ["president", "treasurer"]
    assert view.fund_cash.amount == Decimal("330.00")
    assert [m.savings.amount for m in view.members] == [Decimal("100.00")] * 3
    assert view.members[1].voluntary.amount == Decimal("30.00")
    assert view.next_meeting == date(2026, 1, 19)
    [row] = group_list(db)
    assert (row.members, row.fund_cash.amount, row.last_meeting) == (
        3,
        Decimal("330.00"),
        date(2026, 1, 12),
    )


def test_new_election_ends_the_previous_term(db: Database) -> None:
    w = make_world(db)
    groups.elect_officer(db, w.group_id, w.member_ids[0], OfficerRole.PRESIDENT, FORMED)
    groups.elect_officer(db, w.group_id, w.member_ids[2], OfficerRole.PRESIDENT, date(2026, 4, 6))
    view = group_view(db, w.group_id, date(2026, 4, 7))
    assert [(o.role, o.member_id) for o in view.officers] == [("president", w.member_ids[2])]
    early = group_view(db, w.group_id, date(2026, 2, 1))
    assert [(o.role, o.member_id) for o in early.officers] == [("president", w.member_ids[0])]


def test_officer_must_be_a_member(db: Database) -> None:
    w = make_world(db)
    other = make_world(db, code="KE-OTHER")
    with pytest.raises(RuleViolation) as err:
        groups.elect_officer(db, w.group_id, other.member_ids[0], OfficerRole.TREASURER, FORMED)
    assert err.value.field == "member_id"


def test_leaving_pays_back_savings_through_the_ledger(db: Database) -> None:
    w = make_world(db)
    post_meeting(db, sheet(w, date(2026, 1, 12), m0={"voluntary": "40"}), "agent", TODAY)
    paid = groups.leave_group(db, w.group_id, w.member_ids[0], date(2026, 1, 15), "moved away")
    assert paid.amount == Decimal("140.00")
    view = group_view(db, w.group_id, date(2026, 1, 16))
    assert view.fund_cash.amount == Decimal("200.00")
    assert [m.id for m in view.members] == w.member_ids[1:]
    assert check(db) == []
    with pytest.raises(NotFound):
        groups.leave_group(db, w.group_id, w.member_ids[0], date(2026, 1, 20), "again")
    # she is no longer in the group for later meetings
    with pytest.raises(RuleViolation):
        post_meeting(db, sheet(w, date(2026, 1, 19)), "agent", TODAY)


def test_holiday_moves_the_next_meeting_only(db: Database) -> None:
    w = make_world(db)
    groups.move_meeting(db, w.group_id, date(2026, 1, 19), date(2026, 1, 21), "holiday")
    assert group_view(db, w.group_id, date(2026, 1, 13)).next_meeting == date(2026, 1, 21)
    assert group_view(db, w.group_id, date(2026, 1, 22)).next_meeting == date(2026, 1, 26)


def test_lifecycle_is_enforced(db: Database) -> None:
    w = make_world(db)
    with pytest.raises(RuleViolation):
        groups.change_status(db, w.group_id, GroupStatus.FORMING, TODAY)
    groups.change_status(db, w.group_id, GroupStatus.CLOSED, TODAY)
    with pytest.raises(RuleViolation) as err:
        post_meeting(db, sheet(w, date(2026, 1, 12)), "agent", TODAY)
    assert err.value.field == "group_id"


def test_bad_group_input(db: Database) -> None:
    w = make_world(db)
    bad = groups.NewGroup(
        branch_id=w.branch_id,
        name="X",
        formed_on=FORMED,
        frequency=groups.Frequency.WEEKLY,
        first_meeting_on=FORMED,
        compulsory_saving="-1",
    )
    with pytest.raises(DomainError) as err:
        groups.create_group(db, w.programme_id, bad)
    assert err.value.field == "compulsory_saving"
    with pytest.raises(NotFound):
        groups.create_group(
            db,
            w.programme_id,
            groups.NewGroup(
                branch_id=999,
                name="X",
                formed_on=FORMED,
                frequency=groups.Frequency.WEEKLY,
                first_meeting_on=FORMED,
                compulsory_saving="1",
            ),
        )
