"""Request and response bodies of the API. Money is a decimal string ("1250.50"), dates
are ISO (YYYY-MM-DD); names say the purpose: ``XCreate`` in, ``XPublic`` out,
``XsPublic`` a page of a list."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from kuza.domain.money import Money

# Ids fit a 32-bit column on every database; larger ones cannot exist.
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]
Amount = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{1,12}(\.[0-9]{1,4})?$"),
    Field(description="A decimal amount in the group's currency, e.g. '1250.50'"),
]
Text = Annotated[str, StringConstraints(max_length=500, pattern=r"^[^\x00]*$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00]*$")]


def money(value: Money) -> str:
    return str(value.amount)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = None


class ErrorPublic(BaseModel):
    error: ErrorDetail


class TokenCreate(Strict):
    username: Annotated[str, StringConstraints(max_length=60, pattern=r"^[^\x00]*$")]
    password: Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00]*$")]


class TokenPublic(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime


class Page(BaseModel):
    total: int
    limit: int
    offset: int

    @classmethod
    def of(cls, items: Iterable[BaseModel], total: int, limit: int, offset: int) -> Self:
        """This page of a list (its subclass names the items' type)."""
        return cls.model_validate(
            {"total": total, "limit": limit, "offset": offset, "items": list(items)}
        )


class GroupSummaryPublic(BaseModel):
    id: int
    name: str
    village: str
    branch: str
    status: str
    members: int
    fund_cash: str
    currency: str
    last_meeting: date | None


class GroupsPublic(Page):
    items: list[GroupSummaryPublic]


class MemberPublic(BaseModel):
    id: int
    name: str
    sex: str
    savings: str
    voluntary: str
    joined_on: date


class MembershipPublic(BaseModel):
    group_id: int
    group: str
    joined_on: date
    left_on: date | None
    savings: str = Field(description="Compulsory savings held for her in this group")
    voluntary: str
    currency: str


class MemberDetailPublic(BaseModel):
    id: int
    name: str
    sex: str
    birth_year: int | None
    household_size: int
    literate: bool
    phone: str
    consent_on: date | None
    memberships: list[MembershipPublic] = Field(
        description="Her memberships of the groups the caller sees, oldest first"
    )
    passbook_balance: str | None = Field(description="Null when she is in no group today")


class OfficerPublic(BaseModel):
    role: str
    member_id: int
    name: str
    since: date


class GroupPublic(BaseModel):
    id: int
    name: str
    village: str
    status: str
    currency: str
    frequency: str
    compulsory_saving: str
    cycle_number: int
    fund_cash: str
    social_fund: str
    fines_income: str
    next_meeting: date
    last_meeting: date | None
    members: list[MemberPublic]
    officers: list[OfficerPublic]


class FineCreate(Strict):
    amount: Amount
    reason: Name


class RepaymentLineCreate(Strict):
    loan_id: Id
    amount: Amount


class MeetingLineCreate(Strict):
    member_id: Id
    present: bool = True
    compulsory: Amount | None = Field(
        None, description="Omitted: the group's rule for a present member, 0 if absent"
    )
    voluntary: Amount | None = None
    social: Amount | None = None
    withdrawal: Amount | None = None
    social_payout: Amount | None = None
    social_payout_reason: Text | None = None
    fines: Annotated[list[FineCreate], Field(max_length=20)] = []
    repayments: Annotated[list[RepaymentLineCreate], Field(max_length=20)] = Field(
        [], description="Loan instalments paid at the meeting, one per loan of hers"
    )


class MeetingCreate(Strict):
    group_id: Id
    held_on: date
    notes: Text = ""
    lines: Annotated[list[MeetingLineCreate], Field(max_length=500)] = []


class MeetingSummaryPublic(BaseModel):
    present: int
    compulsory: str
    voluntary: str
    social: str
    fines: str
    withdrawals: str
    social_payouts: str


class MeetingPublic(BaseModel):
    meeting_id: int
    group_id: int
    held_on: date
    created: bool = Field(description="False: this exact sheet was already posted")
    summary: MeetingSummaryPublic


class MeetingBatchCreate(Strict):
    meetings: Annotated[list[MeetingCreate], Field(min_length=1, max_length=100)] = Field(
        description="The sheets an offline phone recorded, in the order they were held"
    )


class MeetingBatchItem(BaseModel):
    index: int = Field(description="Position of the sheet in the batch")
    status: Literal["posted", "already_posted", "refused"]
    meeting: MeetingPublic | None = None
    error: ErrorDetail | None = Field(None, description="Why this sheet was refused")


class MeetingBatchPublic(BaseModel):
    posted: int
    already_posted: int
    refused: int
    results: list[MeetingBatchItem]


class PassbookMoveCreate(Strict):
    kind: Literal["deposit", "withdrawal"]
    amount: Amount
    on: date
    reference: Annotated[str, StringConstraints(max_length=100, pattern=r"^[^\x00]*$")] | None = (
        Field(None, description="Receipt number; defaults to the Idempotency-Key")
    )


class PassbookMovePublic(BaseModel):
    member_id: int
    entry_id: int
    balance: str
    created: bool


class PassbookLinePublic(BaseModel):
    on: date
    entry_id: int
    description: str
    deposit: str | None
    withdrawal: str | None
    balance: str


class PassbookPublic(Page):
    member_id: int
    balance: str
    items: list[PassbookLinePublic]


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error answers a route may give."""
    return {code: {"model": ErrorPublic} for code in codes}


def file_response(media_type: str, description: str) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI entry of a 200 that is a file (a PDF, a CSV, an XLSX workbook)."""
    binary = {"type": "string", "format": "binary"}
    return {200: {"description": description, "content": {media_type: {"schema": binary}}}}
