"""Self-help groups: lifecycle, members and their memberships, elected officers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from kuza.domain.calendar import Frequency
from kuza.domain.errors import RuleViolation
from kuza.domain.money import Money


class GroupStatus(StrEnum):
    FORMING = "forming"
    ACTIVE = "active"
    GRADUATED = "graduated"
    CLOSED = "closed"


# status x next status allowed; anything else is refused with the reason.
GROUP_TRANSITIONS: dict[GroupStatus, frozenset[GroupStatus]] = {
    GroupStatus.FORMING: frozenset({GroupStatus.ACTIVE, GroupStatus.CLOSED}),
    GroupStatus.ACTIVE: frozenset({GroupStatus.GRADUATED, GroupStatus.CLOSED}),
    GroupStatus.GRADUATED: frozenset({GroupStatus.CLOSED}),
    GroupStatus.CLOSED: frozenset(),
}


def next_status(current: GroupStatus, wanted: GroupStatus) -> GroupStatus:
    if wanted not in GROUP_TRANSITIONS[current]:
        raise RuleViolation(
            "a %(current)s group cannot become %(wanted)s",
            field="status",
            current=current.value,
            wanted=wanted.value,
        )
    return wanted


class Sex(StrEnum):
    FEMALE = "F"
    MALE = "M"
    OTHER = "X"


class OfficerRole(StrEnum):
    PRESIDENT = "president"
    TREASURER = "treasurer"
    SECRETARY = "secretary"
    EDUCATOR = "educator"


class ShareOutRule(StrEnum):
    PRO_RATA = "pro_rata"  # savings back + income in proportion to savings (standard)
    SHARES = "shares"  # value per share = distributable fund / total shares
    EQUAL_INCOME = "equal_income"  # savings back + income split equally


@dataclass(frozen=True)
class Member:
    id: int
    name: str
    sex: Sex
    birth_year: int | None
    household_size: int
    literate: bool
    phone: str | None = None
    consent_on: date | None = None


@dataclass(frozen=True)
class Membership:
    member_id: int
    joined_on: date
    left_on: date | None = None

    def active_on(self, day: date) -> bool:
        return self.joined_on <= day and (self.left_on is None or day < self.left_on)


@dataclass(frozen=True)
class OfficerTerm:
    member_id: int
    role: OfficerRole
    started_on: date
    ended_on: date | None = None

    def current_on(self, day: date) -> bool:
        return self.started_on <= day and (self.ended_on is None or day < self.ended_on)


@dataclass(frozen=True)
class Group:
    id: int
    programme_id: int
    name: str
    currency: str
    formed_on: date
    status: GroupStatus
    frequency: Frequency
    first_meeting_on: date
    compulsory_saving: Money
    share_out_rule: ShareOutRule = ShareOutRule.PRO_RATA
    share_value: Money | None = None
    cycle_number: int = 1
    cycle_started_on: date | None = None


def check_officer_election(
    terms: Sequence[OfficerTerm], memberships: Sequence[Membership], new: OfficerTerm
) -> None:
    """A role has one holder at a time, held by an active member of the group."""
    if not any(m.member_id == new.member_id and m.active_on(new.started_on) for m in memberships):
        raise RuleViolation(
            "member %(member_id)s is not in the group on %(started_on)s",
            field="member_id",
            member_id=new.member_id,
            started_on=new.started_on,
        )
    for t in terms:
        if t.role is new.role and t.current_on(new.started_on) and t.member_id != new.member_id:
            raise RuleViolation(
                "the group already has a %(role)s on %(started_on)s; end that term first",
                field="role",
                role=new.role.value,
                started_on=new.started_on,
            )
