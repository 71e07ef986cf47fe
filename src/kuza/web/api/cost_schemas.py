"""Bodies of the programme-cost routes (``XCreate`` in, ``XPublic`` out)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from kuza.web.api.schemas import Amount, Id, Page, Strict, Text

Reference = Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=r"^[^\x00]*$")]


class CostCreate(Strict):
    programme_id: Id | None = Field(None, description="Admins name it; the others their own")
    reference: Reference = Field(description="The voucher number; booked once per programme")
    stage: Literal[1, 2, 3, 4]
    category: Literal["staff", "training", "materials", "overhead"]
    period_start: date
    period_end: date
    amount: Amount = Field(description="In the programme's currency, more than zero")
    branch: Text | None = Field(None, description="A branch's name; none: programme-wide")
    memo: Text = ""


class CostPublic(BaseModel):
    id: int
    reference: str
    stage: int
    category: str
    branch: str
    period_start: date
    period_end: date
    amount: str
    currency: str
    memo: str
    recorded_by: str


class CostsPublic(Page):
    programme_id: int
    items: list[CostPublic]


class CostImportCreate(Strict):
    programme_id: Id | None = Field(None, description="Admins name it; the others their own")
    csv: Annotated[str, StringConstraints(min_length=1, max_length=2_000_000)] = Field(
        description="The CSV text: reference,stage,category,period_start,period_end,amount"
        "[,branch,memo] with a header row"
    )


class CostImportPublic(BaseModel):
    programme_id: int
    created: list[int] = Field(description="Ids of the costs booked")
    already_booked: list[str] = Field(description="References booked before: nothing again")
