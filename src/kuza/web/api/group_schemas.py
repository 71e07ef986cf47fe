"""Bodies of the group formation routes: form a group, enrol, a member leaves, elect,
move a meeting, change the status (``XCreate`` in, ``XPublic`` out)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from kuza.web.api.schemas import Amount, Id, Name, Page, Strict, Text

Village = Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00]*$")]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=r"^[^\x00]*$")]
Phone = Annotated[str, StringConstraints(max_length=40, pattern=r"^[^\x00]*$")]


class GroupCreate(Strict):
    name: Name
    village: Village = ""
    agent_id: Id | None = Field(
        None,
        description=(
            "The field agent who runs the group (the group's branch is hers); a field "
            "agent may leave it out or name herself only"
        ),
    )
    formed_on: date
    frequency: Literal["weekly", "biweekly", "monthly"]
    first_meeting_on: date
    compulsory_saving: Amount
    share_out_rule: Literal["pro_rata", "shares", "equal_income"] = "pro_rata"
    share_value: Amount | None = Field(None, description="Required with the shares rule")


class EnrolmentCreate(Strict):
    name: Name
    sex: Literal["F", "M", "X"]
    birth_year: Annotated[int, Field(ge=1900, le=9999)] | None = None
    household_size: Annotated[int, Field(ge=1, le=99)]
    literate: bool
    phone: Phone | None = None
    consent_on: date | None = None
    joined_on: date


class EnrolmentPublic(BaseModel):
    group_id: int
    member_id: int
    joined_on: date


class DepartureCreate(Strict):
    member_id: Id
    left_on: date
    reason: Reason


class DeparturePublic(BaseModel):
    group_id: int
    member_id: int
    left_on: date
    payout: str = Field(description="Her compulsory and voluntary savings paid back")
    currency: str


class OfficerTermCreate(Strict):
    member_id: Id
    role: Literal["president", "treasurer", "secretary", "educator"]
    started_on: date


class OfficerTermPublic(BaseModel):
    id: int
    member_id: int
    name: str
    role: str
    started_on: date
    ended_on: date | None


class OfficerTermsPublic(Page):
    items: list[OfficerTermPublic]


class MeetingMoveCreate(Strict):
    nominal_on: date = Field(description="The scheduled meeting date that moves")
    moved_to: date = Field(description="At most 14 days away")
    reason: Reason


class MeetingMovePublic(BaseModel):
    group_id: int
    nominal_on: date
    moved_to: date
    next_meeting: date


class StatusChangeCreate(Strict):
    status: Literal["forming", "active", "graduated", "closed"]
    on: date
    note: Text = ""


class StatusChangePublic(BaseModel):
    id: int
    status: str
    on: date
    note: str


class StatusChangesPublic(Page):
    items: list[StatusChangePublic]
