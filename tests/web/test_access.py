"""The pure scoping rule (kuza.domain.access), role by role."""

from __future__ import annotations

import pytest

from kuza.domain.access import (
    GroupScope,
    Principal,
    Role,
    can_see_group,
    check_assignment,
    group_filter,
    may_record_meetings,
    sees_group_pages,
)
from kuza.domain.errors import DomainError

MINE = GroupScope(programme_id=1, branch_id=10, agent_id=100)
SAME_BRANCH_OTHER_AGENT = GroupScope(programme_id=1, branch_id=10, agent_id=101)
OTHER_BRANCH = GroupScope(programme_id=1, branch_id=11, agent_id=102)
NO_AGENT = GroupScope(programme_id=1, branch_id=10, agent_id=None)
OTHER_PROGRAMME = GroupScope(programme_id=2, branch_id=20, agent_id=200)
ALL = [MINE, SAME_BRANCH_OTHER_AGENT, OTHER_BRANCH, NO_AGENT, OTHER_PROGRAMME]


def who(
    role: Role, programme: int | None = 1, branch: int | None = None, agent: int | None = None
) -> Principal:
    return Principal(1, "u", "U", role, programme, branch, agent)


@pytest.mark.parametrize(
    ("principal", "visible"),
    [
        (who(Role.ADMIN, None), ALL),
        (who(Role.COUNTRY_MANAGER), [MINE, SAME_BRANCH_OTHER_AGENT, OTHER_BRANCH, NO_AGENT]),
        (who(Role.FINANCE), [MINE, SAME_BRANCH_OTHER_AGENT, OTHER_BRANCH, NO_AGENT]),
        (who(Role.BRANCH_MANAGER, branch=10), [MINE, SAME_BRANCH_OTHER_AGENT, NO_AGENT]),
        (who(Role.FIELD_AGENT, branch=10, agent=100), [MINE]),
        (who(Role.DONOR), []),
        # Records missing what the role needs see nothing: scoping fails closed.
        (who(Role.COUNTRY_MANAGER, None), []),
        (who(Role.BRANCH_MANAGER), []),
        (who(Role.FIELD_AGENT, branch=10), []),
    ],
)
def test_who_sees_which_group(principal: Principal, visible: list[GroupScope]) -> None:
    assert [g for g in ALL if can_see_group(principal, g)] == visible


def test_branch_manager_of_a_branch_id_in_another_programme_sees_nothing_there() -> None:
    p = who(Role.BRANCH_MANAGER, programme=2, branch=10)
    assert not can_see_group(p, MINE)
    assert group_filter(p).programme_id == 2


def test_donor_sees_no_group_pages_and_records_nothing() -> None:
    donor = who(Role.DONOR)
    assert not sees_group_pages(donor)
    assert group_filter(donor).nothing
    assert not may_record_meetings(donor)


@pytest.mark.parametrize(
    ("role", "may"),
    [
        (Role.ADMIN, True),
        (Role.BRANCH_MANAGER, True),
        (Role.FIELD_AGENT, True),
        (Role.COUNTRY_MANAGER, False),
        (Role.FINANCE, False),
        (Role.DONOR, False),
    ],
)
def test_who_records_meetings(role: Role, may: bool) -> None:
    assert may_record_meetings(who(role)) is may


@pytest.mark.parametrize(
    ("role", "programme", "branch", "agent", "field"),
    [
        (Role.ADMIN, 1, None, None, "programme_id"),
        (Role.COUNTRY_MANAGER, None, None, None, "programme_id"),
        (Role.BRANCH_MANAGER, 1, None, None, "branch_id"),
        (Role.FIELD_AGENT, 1, 10, None, "agent_id"),
        (Role.FINANCE, 1, 10, None, "branch_id"),
        (Role.DONOR, 1, None, 100, "agent_id"),
    ],
)
def test_assignment_must_fit_the_role(
    role: Role, programme: int | None, branch: int | None, agent: int | None, field: str
) -> None:
    with pytest.raises(DomainError) as err:
        check_assignment(role, programme, branch, agent)
    assert err.value.field == field


@pytest.mark.parametrize(
    ("role", "programme", "branch", "agent"),
    [
        (Role.ADMIN, None, None, None),
        (Role.COUNTRY_MANAGER, 1, None, None),
        (Role.BRANCH_MANAGER, 1, 10, None),
        (Role.FIELD_AGENT, 1, None, 100),
        (Role.FIELD_AGENT, 1, 10, 100),
        (Role.DONOR, 1, None, None),
    ],
)
def test_assignments_that_fit(
    role: Role, programme: int | None, branch: int | None, agent: int | None
) -> None:
    check_assignment(role, programme, branch, agent)
