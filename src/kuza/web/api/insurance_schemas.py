"""Bodies of the health-insurance routes beside enrolments and claims (those are in
``impact_schemas``): plans, premium collection, claim decisions and the claims queue."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from kuza.web.api.impact_schemas import ClaimPublic
from kuza.web.api.schemas import Amount, Id, Name, Page, Strict

Percent = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{1,3}(\.[0-9]{1,2})?$"),
    Field(description="A percent, 0 to 100, e.g. '66'"),
]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=r"^[^\x00]*$")]


class PlanCreate(Strict):
    programme_id: Id | None = Field(None, description="Admins name it; default the caller's")
    name: Name
    premium: Amount = Field(description="Per period, for the member")
    dependant_premium: Amount = Field("0", description="Per period, for each dependant")
    period: Literal["month", "year"] = "month"
    cover_per_year: Amount = Field(description="Most paid for one enrolment in a year")
    waiting_days: Annotated[int, Field(ge=0, le=3650)] = 0
    subsidy: Annotated[list[Percent], Field(max_length=30)] = Field(
        [], description="Percent of the premium the programme pays in year 1, 2, 3 ..."
    )


class PlanPublic(BaseModel):
    id: int
    programme_id: int
    name: str
    premium: str
    dependant_premium: str
    currency: str
    period: str
    cover_per_year: str
    waiting_days: int
    subsidy: list[str]
    active: bool
    enrolments: int


class PlansPublic(Page):
    programme_id: int | None
    items: list[PlanPublic]


class PremiumCollectionCreate(Strict):
    period: date = Field(description="Any day of the period; the month (or year) it falls in")


class PremiumCollectionPublic(BaseModel):
    plan_id: int
    period_start: date
    collected: int = Field(description="Enrolments whose premium was booked now")
    already: int = Field(description="Enrolments whose premium for the period was booked before")
    premiums: str = Field(description="Booked now, subsidy included")
    subsidies: str = Field(description="The programme's part of what was booked now")
    currency: str


class ClaimApprovalCreate(Strict):
    amount: Amount = Field(description="Up to the amount claimed and the cover left")
    on: date | None = Field(None, description="Default today")


class ClaimRejectionCreate(Strict):
    reason: Reason
    on: date | None = Field(None, description="Default today")


class ClaimPaymentCreate(Strict):
    on: date | None = Field(None, description="Default today")


class QueuedClaimPublic(ClaimPublic):
    member_id: int
    member: str
    plan: str
    submitted_by: str
    decided_by: str | None
    reason: str


class QueuedClaimsPublic(Page):
    status: str | None
    items: list[QueuedClaimPublic]
