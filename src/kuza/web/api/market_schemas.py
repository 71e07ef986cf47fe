"""API bodies of market partners, linkage contracts and endings, and market activities;
the linkage bodies themselves are in impact_schemas."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from kuza.web.api.impact_schemas import Code
from kuza.web.api.schemas import Amount, Id, Name, Page, Strict

Unit = Annotated[str, StringConstraints(min_length=1, max_length=20, pattern=r"^[^\x00]*$")]
Volume = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{1,11}(\.[0-9]{1,3})?$"),
    Field(description="A decimal quantity, e.g. '250.5'"),
]


class PartnerCreate(Strict):
    name: Name
    kind: Literal["buyer", "supplier", "processor", "lender", "other"]
    programme_id: Id | None = Field(None, description="An admin names it; others: their own")


class PartnerPublic(BaseModel):
    id: int
    name: str
    kind: str


class PartnersPublic(Page):
    programme_id: int | None
    items: list[PartnerPublic]


class ContractCreate(Strict):
    product: Name
    volume: Volume
    unit: Unit
    price: Amount = Field(description="Price per unit in the programme's currency")
    starts_on: date
    ends_on: date | None = None


class ContractPublic(BaseModel):
    id: int
    linkage_id: int
    product: str
    volume: str
    unit: str
    price: str
    currency: str
    value: str = Field(description="Volume × unit price, rounded half-even")
    starts_on: date
    ends_on: date | None
    recorded_by: str


class ContractsPublic(Page):
    linkage_id: int
    items: list[ContractPublic]


class LinkageEnd(Strict):
    on: date


class ActivityCreate(Strict):
    kind: Literal["collective_purchase", "branding", "packaging"]
    held_on: date
    description: Name
    members_involved: Annotated[int, Field(ge=0, le=100_000)]
    amount: Amount | None = Field(None, description="Value of goods bought together, if any")
    linkage_id: Id | None = Field(None, description="One of the group's linkages it served")
    value_chain: Code | None = None


class ActivityPublic(BaseModel):
    id: int
    kind: str
    group_id: int
    linkage_id: int | None
    value_chain: str
    held_on: date
    description: str
    members_involved: int
    amount: str | None
    currency: str | None
    recorded_by: str


class ActivitiesPublic(Page):
    group_id: int
    items: list[ActivityPublic]
