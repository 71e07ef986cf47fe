"""Bodies of the loan and pending-action routes (``XCreate`` in, ``XPublic`` out)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from kuza.web.api.schemas import Amount, Id, MeetingCreate, Page, Strict, Text

Reason = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=r"^[^\x00]*$")]
Reference = Annotated[str, StringConstraints(max_length=100, pattern=r"^[^\x00]*$")]


class LoanCreate(Strict):
    group_id: Id
    member_id: Id
    product_id: Id
    amount: Amount
    applied_on: date
    purpose: Text = ""
    monthly_revenue: Amount | None = None
    monthly_costs: Amount | None = None
    goods_description: Text | None = None
    goods_supplier: Text | None = None


class LoanDecisionCreate(Strict):
    on: date


class LoanRejectionCreate(Strict):
    on: date
    reason: Reason


class RepaymentCreate(Strict):
    amount: Amount
    on: date
    reference: Reference | None = Field(
        None, description="Receipt number; defaults to the Idempotency-Key"
    )


class LoanSummaryPublic(BaseModel):
    id: int
    group_id: int
    member_id: int
    product: str
    kind: str
    status: str
    principal: str
    outstanding: str
    currency: str
    applied_on: date
    applied_by: str


class LoansPublic(Page):
    items: list[LoanSummaryPublic]


class InstalmentPublic(BaseModel):
    n: int
    due_on: date
    principal: str
    interest: str
    fees: str
    penalties: str
    total: str
    paid: str
    due: str


class LoanPublic(LoanSummaryPublic):
    purpose: str
    cycle: int
    decided_on: date | None
    decided_by: str
    disbursed_on: date | None
    still_owed: str
    instalments: list[InstalmentPublic]


class LoanStatusPublic(BaseModel):
    id: int
    status: str


class RepaymentPublic(BaseModel):
    loan_id: int
    transaction_id: int
    created: bool
    status: str
    principal: str
    interest: str
    fees: str
    penalties: str
    overpaid: str


class PendingActionPublic(BaseModel):
    id: int
    kind: str
    status: str
    group_id: int | None
    payload: dict[str, Any]
    reason: str
    made_by: str
    made_at: datetime
    checked_by: str
    checked_at: datetime | None
    result: dict[str, Any] | None


class PendingActionsPublic(Page):
    items: list[PendingActionPublic]


class PendingRejectionCreate(Strict):
    reason: Reason


class PendingDecisionPublic(BaseModel):
    id: int
    status: Literal["approved", "rejected"]
    result: dict[str, Any] | None


class PendingActionCreate(Strict):
    """A command for a checker: a share-out (``group_id``, ``on``), a write-off
    (``loan_id``, ``on``, ``reason``) or a meeting correction (``sheet``, ``reason``)."""

    kind: Literal["share_out", "write_off", "meeting_correction"]
    group_id: Id | None = Field(None, description="share_out: the group")
    loan_id: Id | None = Field(None, description="write_off: the loan")
    on: date | None = Field(None, description="share_out, write_off: the day")
    sheet: MeetingCreate | None = Field(
        None, description="meeting_correction: the whole corrected sheet of the posted meeting"
    )
    reason: Text = Field("", description="Why; required for a write-off and a correction")
