"""Bodies of the loan-book reports and the group grade: the arrears list, PAR and
repayment rates per programme, and a group's stability grade. Rates and PAR are
fractions as decimal strings ("0.0425"); money is a decimal string."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from kuza.web.api.schemas import Page


class ArrearsRowPublic(BaseModel):
    loan_id: int
    member_id: int
    member: str
    group_id: int
    group: str
    days_late: int
    bucket: str = Field(description="PAR1 (1-30 days), PAR30 (31-90) or PAR90 (over 90)")
    principal_in_arrears: str
    interest_in_arrears: str
    penalties_due: str
    outstanding: str = Field(description="Outstanding principal")
    currency: str
    as_of: date = Field(description="The close-day these figures are from")


class ArrearsPublic(Page):
    items: list[ArrearsRowPublic]


class PortfolioPublic(BaseModel):
    programme_id: int
    programme: str
    loans: int = Field(description="Loans with figures from the last close-day")
    gross: str = Field(description="Outstanding principal")
    currency: str
    par: dict[str, str] = Field(description="PAR1, PAR30, PAR90 as fractions of gross")
    on_time_rate: str | None = Field(description="Repaid on time ÷ fallen due; null: none due")
    cumulative_rate: str | None = Field(description="Repaid in all ÷ fallen due")
    rates_from_close_day: date | None = Field(
        description="The close-day whose stored figures gave the rates; null: computed now"
    )


class PortfoliosPublic(BaseModel):
    live: bool = Field(description="true: the rates computed from the book as of today")
    items: list[PortfolioPublic]


class ComponentPublic(BaseModel):
    component: str = Field(
        description="meetings, attendance, savings, lending, repayment or bookkeeping"
    )
    label: str = Field(description="The component's name, in the caller's language")
    ratio: str | None = Field(description="0-1; null: not applicable, its weight shared")
    percent: str | None = Field(
        description='The ratio as shown: a whole percent rounded down ("62"); null: n/a'
    )
    weight: str = Field(description="Its points in the score")
    minimum: str | None = Field(description="0-1; null: no minimum")
    below_minimum: bool
    note: str | None = Field(
        description="no_instalment_due (repayment does not apply yet), no_internal_loans "
        "(lending is 0: nothing lent yet), else null"
    )
    reason: str = Field(description="The component as a sentence, in the caller's language")


class StabilityPublic(BaseModel):
    group_id: int
    as_of: date
    grade: str = Field(description="A, B or C")
    score: str = Field(description="0-100")
    pass_mark: str = Field(
        description="The score that passes, if no component is below its minimum"
    )
    passed: bool = Field(description="Ready to graduate (the gate to Stage 2)")
    below_minimum: list[str] = Field(description="The components below their minimum")
    posting_days: int = Field(description="Bookkeeping: meetings posted within this many days")
    window_start: date
    window_end: date
    meetings_scheduled: int
    components: list[ComponentPublic]
    verdict: str = Field(description="Score against the pass mark, in the caller's language")
    reasons: list[str] = Field(
        description="Each component's reason, then the verdict, in the caller's language"
    )
