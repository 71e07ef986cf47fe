"""Bodies of the books routes: the loan fund, close-of-day, the ledger check and the
groups' share-out statements (``XCreate`` in, ``XPublic`` out)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from kuza.web.api.schemas import Amount, Page, Strict

Reference = Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=r"^[^\x00]*$")]


class LoanFundDepositCreate(Strict):
    amount: Amount = Field(description="In the programme's currency, more than zero")
    on: date = Field(description="The day the money came in; not after today")
    reference: Reference = Field(description="The bank slip or agreement; booked once")


class FundMovePublic(BaseModel):
    entry_id: int
    on: date
    memo: str
    amount: str = Field(description="Positive into the fund's cash, negative out of it")


class LoanFundPublic(Page):
    programme_id: int
    currency: str
    cash: str = Field(description="The loan fund's cash in hand, from the ledger")
    capital: str = Field(description="Put in by the programme and its partners, in all")
    items: list[FundMovePublic] = Field(description="Movements of the cash, latest first")


class LoanFundDepositPublic(BaseModel):
    programme_id: int
    entry_id: int
    amount: str
    currency: str
    cash: str = Field(description="The loan fund's cash in hand after the deposit")


class CloseDayCreate(Strict):
    on: date = Field(description="The day to close; not after today")


class CloseDayPublic(BaseModel):
    on: date
    loans: int = Field(description="Active loans looked at")
    penalties_charged: int
    first_run: bool = Field(description="False when the day had been closed before")
    interest_accrued: bool
    loans_accruing: int


class CloseDayRunPublic(BaseModel):
    on: date
    loans: int
    penalties_charged: int
    ran_at: datetime
    ran_by: str


class CloseDayRunsPublic(Page):
    items: list[CloseDayRunPublic] = Field(description="The runs, latest date first")


class LedgerFindingPublic(BaseModel):
    kind: str = Field(
        description="unbalanced_entry, drifted_balance, empty_entry, broken_reversal, "
        "meeting_cash, share_out, loan_receivable or accrued_interest"
    )
    values: dict[str, int | str | None] = Field(
        description="What the sentence names: ids, amounts in minor units, codes, dates"
    )
    message: str = Field(description="The sentence, in the caller's language")


class LedgerCheckPublic(BaseModel):
    clean: bool
    entries: int
    lines: int
    accounts: int
    findings: list[str] = Field(
        description="Each problem found, as a sentence in the caller's language"
    )
    details: list[LedgerFindingPublic] = Field(
        description="The same problems, in the same order, as a kind and its values"
    )


class ShareOutSummaryPublic(BaseModel):
    id: int
    cycle_number: int
    on: date
    rule: str
    fund: str
    currency: str
    members: int


class ShareOutsPublic(Page):
    group_id: int
    items: list[ShareOutSummaryPublic]


class ShareOutLinePublic(BaseModel):
    member_id: int
    name: str
    savings: str = Field(description="Savings given back")
    income: str = Field(description="Share of the cycle's income")
    payout: str
    shares: int | None = Field(None, description="Shares held, where the rule counts them")


class ShareOutPublic(BaseModel):
    id: int
    group_id: int
    group_name: str
    cycle_number: int
    on: date
    rule: str
    fund: str
    currency: str
    lines: list[ShareOutLinePublic]
