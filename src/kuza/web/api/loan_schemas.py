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


class LoanWithdrawalCreate(Strict):
    on: date
    reason: Text = ""


Percent = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,4}(\.[0-9]{1,4})?$")]


class FrequencyChange(Strict):
    """An instalment every ``n`` ``unit``; what is left out stays as it is."""

    n: int | None = Field(None, ge=1, le=52, description="e.g. 2 for every two weeks")
    unit: Literal["day", "week", "month"] | None = None


class RateChange(Strict):
    percent: Percent | None = Field(None, description="Nominal rate as a decimal string, '1.5'")
    per: Literal["year", "month", "week"] | None = None


class GraceChange(Strict):
    principal: int | None = Field(None, ge=0, le=519, description="First N without principal")
    interest: int | None = Field(None, ge=0, le=519, description="First N without interest")


class RescheduleCreate(Strict):
    """New terms from ``on`` for the principal still owed: give what changes (at least
    one); the rest of the loan's terms stays."""

    on: date
    reason: Reason
    instalments: int | None = Field(None, ge=1, le=520, description="New number of instalments")
    every: FrequencyChange | None = None
    rate: RateChange | None = None
    method: Literal["flat", "declining_equal_instalments", "declining_equal_principal"] | None = (
        None
    )
    grace: GraceChange | None = None

    def changes(self) -> dict[str, Any]:
        """The loan's terms as the service reads them (``every``, ``rate``, ``grace`` in
        part), without what was left out."""
        out = self.model_dump(
            mode="json", exclude_none=True, include={"instalments", "every", "rate", "method",
                                                     "grace"},
        )  # fmt: skip
        return {k: v for k, v in out.items() if v != {}}


class RecoveryCreate(Strict):
    amount: Amount
    on: date
    reference: Reason = Field(description="Receipt number; reusing it books nothing")


class GuaranteeCallCreate(Strict):
    on: date
    release: bool = Field(False, description="Release all of it to the group instead")


class OverpaymentRefundCreate(Strict):
    on: date
    reference: Reason = Field(description="Voucher number; reusing it books nothing")
    amount: Amount | None = Field(None, description="Default: all that is held")


class OverpaymentApplicationCreate(OverpaymentRefundCreate):
    to_loan_id: Id = Field(description="The same member's active loan from the same fund")


class RepaymentReversalCreate(Strict):
    reference: Reason = Field(description="The repayment's receipt number")
    on: date
    reason: Reason


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


class RescheduledPublic(BaseModel):
    id: int
    status: str
    principal: str
    instalments: int


class RecoveryPublic(BaseModel):
    loan_id: int
    transaction_id: int
    created: bool
    status: str


class GuaranteePublic(BaseModel):
    loan_id: int
    entry_id: int
    called: str
    released: str
    status: str


class OverpaymentRefundPublic(BaseModel):
    loan_id: int
    transaction_id: int
    amount: str
    created: bool


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
    (``loan_id``, ``on``, ``reason``), the reversal of a repayment (``loan_id``,
    ``reference``, ``on``, ``reason``) or a meeting correction (``sheet``, ``reason``)."""

    kind: Literal["share_out", "write_off", "repayment_reversal", "meeting_correction"]
    group_id: Id | None = Field(None, description="share_out: the group")
    loan_id: Id | None = Field(None, description="write_off, repayment_reversal: the loan")
    reference: Reference | None = Field(
        None, description="repayment_reversal: the repayment's receipt number"
    )
    on: date | None = Field(None, description="share_out, write_off, repayment_reversal: the day")
    sheet: MeetingCreate | None = Field(
        None, description="meeting_correction: the whole corrected sheet of the posted meeting"
    )
    reason: Text = Field("", description="Why; required for a write-off and a correction")
