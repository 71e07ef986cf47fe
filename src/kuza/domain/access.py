"""Who may see what: roles, the logged-in principal and the group scoping rule.

Pure: the services turn a :class:`GroupFilter` into SQL, the web edge uses
:func:`can_see_group` on one group. A user whose record lacks what the role needs
(a branch manager without a branch) sees nothing: scoping fails closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kuza.domain.errors import DomainError


class Role(StrEnum):
    ADMIN = "admin"
    COUNTRY_MANAGER = "country_manager"
    BRANCH_MANAGER = "branch_manager"
    FIELD_AGENT = "field_agent"
    FINANCE = "finance"
    DONOR = "donor"


class LoginFailed(DomainError):
    """Wrong username, wrong password or inactive account: deliberately one message."""

    code = "login_failed"

    def __init__(self) -> None:
        super().__init__("wrong username or password", field="password")


@dataclass(frozen=True)
class Principal:
    """The logged-in user as the rest of the system needs to know her."""

    user_id: int
    username: str
    display_name: str
    role: Role
    programme_id: int | None = None
    branch_id: int | None = None
    agent_id: int | None = None


@dataclass(frozen=True)
class GroupScope:
    """The columns of a group that decide who sees it."""

    programme_id: int
    branch_id: int
    agent_id: int | None


@dataclass(frozen=True)
class GroupFilter:
    """Which groups a principal sees, as equalities on group columns (``None`` = any);
    ``nothing`` means no group at all."""

    nothing: bool = False
    programme_id: int | None = None
    branch_id: int | None = None
    agent_id: int | None = None

    def admits(self, group: GroupScope) -> bool:
        if self.nothing:
            return False
        return (
            (self.programme_id is None or group.programme_id == self.programme_id)
            and (self.branch_id is None or group.branch_id == self.branch_id)
            and (self.agent_id is None or group.agent_id == self.agent_id)
        )


NOTHING = GroupFilter(nothing=True)


def group_filter(p: Principal) -> GroupFilter:
    """The scoping rule: admin all; country manager and finance their programme; branch
    manager her branch; field agent the groups she runs; donor no group pages."""
    if p.role is Role.ADMIN:
        return GroupFilter()
    if p.programme_id is None:
        return NOTHING
    if p.role in (Role.COUNTRY_MANAGER, Role.FINANCE):
        return GroupFilter(programme_id=p.programme_id)
    if p.role is Role.BRANCH_MANAGER and p.branch_id is not None:
        return GroupFilter(programme_id=p.programme_id, branch_id=p.branch_id)
    if p.role is Role.FIELD_AGENT and p.agent_id is not None:
        return GroupFilter(programme_id=p.programme_id, agent_id=p.agent_id)
    return NOTHING


def can_see_group(p: Principal, group: GroupScope) -> bool:
    return group_filter(p).admits(group)


def sees_group_pages(p: Principal) -> bool:
    """Donors see aggregates only: no group or member page, not even an empty list."""
    return p.role is not Role.DONOR


MEETING_RECORDERS = frozenset({Role.ADMIN, Role.BRANCH_MANAGER, Role.FIELD_AGENT})


def may_record_meetings(p: Principal) -> bool:
    """Field agents run meetings; their branch manager and admins may enter them too.
    Seeing the group is checked separately."""
    return p.role in MEETING_RECORDERS


# Forming and running a group (form it, enrol and release members, record elections,
# move a meeting): the field agent for her groups, her branch manager, admins.
GROUP_RUNNERS = MEETING_RECORDERS
# Changing a group's status (approving a forming group, graduating, closing it) is the
# branch manager's decision, not the agent's who formed it: the field proposes, the
# branch decides (DESIGN: "branch manager approves groups").
GROUP_DECIDERS = frozenset({Role.ADMIN, Role.BRANCH_MANAGER})


def may_run_groups(p: Principal) -> bool:
    return p.role in GROUP_RUNNERS


def may_decide_group_status(p: Principal) -> bool:
    return p.role in GROUP_DECIDERS


def may_assign_group(p: Principal, group: GroupScope) -> bool:
    """Whom a new group may be given to: an admin any agent; a branch manager an agent
    of her branch; a field agent herself only."""
    if not may_run_groups(p):
        return False
    if p.role is Role.FIELD_AGENT:
        return (
            p.agent_id is not None
            and group.agent_id == p.agent_id
            and (group.programme_id == p.programme_id)
        )
    return group_filter(p).admits(GroupScope(group.programme_id, group.branch_id, None))


BOOK_KEEPERS = frozenset({Role.ADMIN, Role.COUNTRY_MANAGER, Role.FINANCE})


def may_keep_books(p: Principal) -> bool:
    """The programme's books (its loan fund, the close-of-day runs): finance and the
    managers of the programme. The whole book's close-day and the ledger check cover
    every programme at once: admins only (:func:`may_run_the_whole_book`)."""
    return p.role in BOOK_KEEPERS


def may_run_the_whole_book(p: Principal) -> bool:
    return p.role is Role.ADMIN


def check_assignment(
    role: Role, programme_id: int | None, branch_id: int | None, agent_id: int | None
) -> None:
    """A role's record must carry exactly what its scope is built from."""
    if role is Role.ADMIN:
        if programme_id is not None or branch_id is not None or agent_id is not None:
            raise DomainError(
                "an admin sees every programme: leave programme, branch and agent empty",
                field="programme_id",
            )
        return
    if programme_id is None:
        raise DomainError("a %(role)s needs a programme", field="programme_id", role=role.value)
    if role is Role.BRANCH_MANAGER and branch_id is None:
        raise DomainError("a branch_manager needs a branch", field="branch_id")
    if role is Role.FIELD_AGENT and agent_id is None:
        raise DomainError("a field_agent needs the field agent she is", field="agent_id")
    if role is not Role.FIELD_AGENT and agent_id is not None:
        raise DomainError(
            "only a field_agent is linked to an agent, not a %(role)s", "agent_id", role=role.value
        )
    if role not in (Role.BRANCH_MANAGER, Role.FIELD_AGENT) and branch_id is not None:
        raise DomainError(
            "a %(role)s works for the programme, not a branch", "branch_id", role=role.value
        )


def may_create_programmes(p: Principal) -> bool:
    """A new programme (its code, currency, country) is an admin's: it is a new tenant."""
    return p.role is Role.ADMIN


SETTERS_UP = frozenset({Role.ADMIN, Role.COUNTRY_MANAGER})


def may_set_up(p: Principal, programme_id: int) -> bool:
    """A programme's branches, training catalogue and value chains: admins every
    programme, a country manager her own (as she keeps its products and settings)."""
    if p.role is Role.ADMIN:
        return True
    return p.role is Role.COUNTRY_MANAGER and p.programme_id == programme_id


AGENT_KEEPERS = frozenset({Role.ADMIN, Role.COUNTRY_MANAGER, Role.BRANCH_MANAGER})


def may_keep_agents(p: Principal, programme_id: int, branch_id: int) -> bool:
    """A branch's field agents: whoever sets up the programme, and the branch manager of
    that branch (she runs its agents and sees its groups: :func:`group_filter`)."""
    if may_set_up(p, programme_id):
        return True
    return (
        p.role is Role.BRANCH_MANAGER
        and p.programme_id == programme_id
        and p.branch_id == branch_id
    )
