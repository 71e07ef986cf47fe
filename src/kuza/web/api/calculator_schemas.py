"""Bodies of the loan calculator (``kuza loan schedule`` and ``kuza loan apr`` over
HTTP): terms in, a schedule with APR and EIR out; an advance and its payments in, the
APR out. Money is a decimal string, as everywhere in the API."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from kuza.web.api.schemas import Amount, Strict

Percent = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{1,3}(\.[0-9]{1,6})?$"),
    Field(description="A rate in percent as a decimal string, e.g. '2.5'"),
]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Periods = Annotated[int, Field(ge=0, le=52)]


class RateIn(Strict):
    percent: Percent
    per: Literal["year", "month", "week"]


class EveryIn(Strict):
    n: int = Field(1, ge=1, le=52)
    unit: Literal["day", "week", "month"] = "month"


class GraceIn(Strict):
    principal: Periods = Field(0, description="Instalments with no principal due")
    interest: Periods = Field(0, description="Instalments with no interest due")
    interest_free: Periods = Field(0, description="Periods on which no interest runs")
    interest_in_grace: Literal["accrued", "waived"] = "accrued"


class FeeIn(Strict):
    name: Annotated[str, StringConstraints(min_length=1, max_length=60)] = "fee"
    kind: Literal["flat", "percent"]
    value: Amount
    collect: Literal["disbursement", "instalments"] = "disbursement"


class LoanScheduleCreate(Strict):
    principal: Amount
    currency: Currency
    rate: RateIn
    instalments: int = Field(ge=1, le=520)
    disbursed_on: date
    method: Literal["flat", "declining_equal_instalments", "declining_equal_principal"]
    interest_period: Literal["repayment", "daily"] = "repayment"
    days_in_year: Literal["360", "364", "365", "actual"] = "365"
    every: EveryIn | None = Field(None, description="Default: one instalment a month")
    first_due_on: date | None = None
    grace: GraceIn | None = None
    fees: list[FeeIn] = Field(default_factory=list, max_length=10)
    decimals: int = Field(2, ge=0, le=3, description="Decimals the instalments round to")
    instalment_multiple: Amount | None = Field(
        None, description="Round each instalment up to a multiple of this (e.g. '5')"
    )


class InstalmentPublic(BaseModel):
    n: int
    due_on: date
    principal: str
    interest: str
    fees: str
    total: str
    balance_after: str


class LoanSchedulePublic(BaseModel):
    currency: str
    instalments: list[InstalmentPublic]
    total_principal: str
    total_interest: str
    total_fees: str
    net_disbursed: str = Field(description="Handed over: principal less fees at disbursement")
    apr_percent: str = Field(description="Annual percentage rate (actuarial, Regulation Z)")
    eir_percent: str = Field(description="Effective interest rate per year (compounded)")


class DatedPaymentIn(Strict):
    on: date
    amount: Amount


class AprCreate(Strict):
    amount_financed: Amount
    advance_on: date
    unit_period: Annotated[
        str,
        StringConstraints(
            pattern=r"^(semimonth|quarter|fortnight|([1-9][0-9]{0,2} )?(day|week|month|year)s?)$"
        ),
    ] = Field(description="The unit-period of the payments (Regulation Z): 'month', '2 weeks'…")
    payments: list[DatedPaymentIn] = Field(min_length=1, max_length=520)


class AprPublic(BaseModel):
    apr_percent: str
    apr_exact: str
    eir_percent: str
