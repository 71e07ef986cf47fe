"""Loan terms: everything a schedule needs, as frozen records with named options.

The vocabulary follows the field: an *instalment* falls due every N days, weeks or months
(or on the group's meeting dates), *grace* postpones principal or interest, *fees* are
deducted at disbursement or spread over the instalments.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from kuza.domain.errors import DomainError, InvalidAmount, InvalidTerms
from kuza.domain.money import Rounding, minor_units

# A nominal rate above this is almost certainly a typing mistake (a monthly rate typed as
# yearly, an extra zero); the calculator refuses it rather than print a schedule nobody
# could repay.
MAX_ANNUAL_PERCENT = Decimal(1000)


class InterestMethod(StrEnum):
    FLAT = "flat"  # interest on the original principal every period
    DECLINING_EQUAL_INSTALMENTS = "declining_equal_instalments"  # annuity / EMI
    DECLINING_EQUAL_PRINCIPAL = "declining_equal_principal"  # equal principal, falling total


class RatePer(StrEnum):
    YEAR = "year"
    MONTH = "month"
    WEEK = "week"

    @property
    def per_year(self) -> int:
        return {RatePer.YEAR: 1, RatePer.MONTH: 12, RatePer.WEEK: 52}[self]


class InterestPeriod(StrEnum):
    REPAYMENT = "repayment"  # one nominal period's rate per instalment, whatever its length
    DAILY = "daily"  # actual days between due dates x daily rate


class DaysInYear(StrEnum):
    D360 = "360"
    D364 = "364"
    D365 = "365"
    ACTUAL = "actual"  # 365 or 366, following the calendar year each day falls in


class FrequencyUnit(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


class GraceInterest(StrEnum):
    """What happens to interest that runs during interest grace."""

    ACCRUED = "accrued"  # it still runs and is collected, spread over the later instalments
    WAIVED = "waived"  # it is forgiven


class FeeKind(StrEnum):
    FLAT = "flat"
    PERCENT = "percent"  # percent of the principal


class FeeCollection(StrEnum):
    DISBURSEMENT = "disbursement"  # deducted from the amount handed over
    INSTALMENTS = "instalments"  # spread over the instalments


@dataclass(frozen=True)
class Rate:
    percent: Decimal
    per: RatePer = RatePer.YEAR

    @property
    def annual_percent(self) -> Decimal:
        """Nominal yearly rate (a monthly 2% is 24% a year, not compounded)."""
        return self.percent * self.per.per_year


@dataclass(frozen=True)
class Frequency:
    n: int = 1
    unit: FrequencyUnit = FrequencyUnit.MONTH

    def years(self, days_in_year: DaysInYear) -> Decimal:
        """Nominal length of one period in years, for the per-instalment rate."""
        if self.unit is FrequencyUnit.MONTH:
            return Decimal(self.n) / 12
        if self.unit is FrequencyUnit.WEEK:
            return Decimal(self.n) / 52
        return Decimal(self.n) / year_days(days_in_year)

    def step(self, anchor: date, k: int) -> date:
        """The k-th date after ``anchor``, always counted from the anchor so month ends
        do not drift (31 Jan, 28 Feb, 31 Mar rather than 31 Jan, 28 Feb, 28 Mar)."""
        if self.unit is FrequencyUnit.DAY:
            return anchor + timedelta(days=self.n * k)
        if self.unit is FrequencyUnit.WEEK:
            return anchor + timedelta(weeks=self.n * k)
        return add_months(anchor, self.n * k)


@dataclass(frozen=True)
class Grace:
    principal: int = 0  # first N instalments carry no principal
    interest: int = 0  # first N instalments collect no interest
    interest_free: int = 0  # first N periods earn no interest at all
    interest_in_grace: GraceInterest = GraceInterest.ACCRUED


@dataclass(frozen=True)
class Fee:
    name: str
    kind: FeeKind
    value: Decimal
    collect: FeeCollection = FeeCollection.DISBURSEMENT


@dataclass(frozen=True)
class LoanTerms:
    principal: Decimal
    currency: str
    rate: Rate
    instalments: int
    disbursed_on: date
    method: InterestMethod = InterestMethod.DECLINING_EQUAL_INSTALMENTS
    interest_period: InterestPeriod = InterestPeriod.REPAYMENT
    days_in_year: DaysInYear = DaysInYear.D365
    every: Frequency = field(default_factory=Frequency)
    first_due_on: date | None = None
    due_dates: tuple[date, ...] | None = None  # repay on the group's meeting dates
    grace: Grace = field(default_factory=Grace)
    fees: tuple[Fee, ...] = ()
    rounding: Rounding = field(default_factory=Rounding)

    def __post_init__(self) -> None:
        for problem in check_terms(self):
            raise problem

    @property
    def amount_rounding(self) -> Rounding:
        """Rounding for interest and fee parts: currency decimals only, no cash multiple."""
        return Rounding(self.rounding.decimals, None, self.rounding.mode)

    def due_on(self) -> tuple[date, ...]:
        """Due date of every instalment, in order."""
        if self.due_dates is not None:
            return self.due_dates
        if self.first_due_on is None:
            return tuple(
                self.every.step(self.disbursed_on, k) for k in range(1, self.instalments + 1)
            )
        return tuple(self.every.step(self.first_due_on, k) for k in range(self.instalments))


def check_terms(terms: LoanTerms) -> list[DomainError]:
    """Every problem with ``terms`` (each naming its field); empty when they are usable."""
    problems: list[DomainError] = []
    if terms.principal <= 0:
        problems.append(InvalidTerms("principal must be more than zero", "principal"))
    try:
        places = minor_units(terms.currency)
        if not 0 <= terms.rounding.decimals <= places:
            problems.append(
                InvalidTerms(
                    "%(currency)s allows 0 to %(places)s decimals",
                    "decimals",
                    currency=terms.currency,
                    places=places,
                ),
            )
    except InvalidAmount as exc:
        problems.append(InvalidTerms(exc.template, "currency", **exc.values))
    if terms.rounding.multiple is not None and terms.rounding.multiple <= 0:
        problems.append(
            InvalidTerms("instalment multiple must be more than zero", "instalment_multiple")
        )
    if terms.rate.percent < 0:
        problems.append(InvalidTerms("interest rate cannot be negative", "rate.percent"))
    elif terms.rate.annual_percent > MAX_ANNUAL_PERCENT:
        problems.append(
            InvalidTerms(
                "interest rate is over %(max)s%% a year: check the rate",
                "rate.percent",
                max=MAX_ANNUAL_PERCENT,
            )
        )
    if terms.instalments < 1:
        problems.append(InvalidTerms("there must be at least one instalment", "instalments"))
    if terms.every.n < 1:
        problems.append(InvalidTerms("repayment frequency must be at least 1", "every.n"))
    grace = terms.grace
    for name in ("principal", "interest", "interest_free"):
        value = getattr(grace, name)
        if value < 0 or value >= max(terms.instalments, 1):
            problems.append(
                InvalidTerms(
                    "grace on %(name)s must be from 0 to one less than the instalments",
                    f"grace.{name}",
                    name=name,
                )
            )
    if terms.first_due_on is not None and terms.first_due_on <= terms.disbursed_on:
        problems.append(InvalidTerms("first due date must be after disbursement", "first_due_on"))
    if terms.due_dates is not None:
        dates = terms.due_dates
        if len(dates) != terms.instalments:
            problems.append(InvalidTerms("give one due date per instalment", "due_dates"))
        if any(b <= a for a, b in zip((terms.disbursed_on, *dates), dates, strict=False)):
            problems.append(
                InvalidTerms(
                    "due dates must be after disbursement and strictly increasing", "due_dates"
                )
            )
    for i, fee in enumerate(terms.fees):
        if fee.value < 0:
            problems.append(InvalidTerms("a fee cannot be negative", f"fees[{i}].value"))
        if fee.kind is FeeKind.PERCENT and fee.value > 100:
            problems.append(
                InvalidTerms("a percentage fee cannot be over 100%", f"fees[{i}].value")
            )
    return problems


def year_days(days_in_year: DaysInYear, year: int | None = None) -> int:
    if days_in_year is DaysInYear.ACTUAL:
        return 366 if year is not None and calendar.isleap(year) else 365
    return int(days_in_year.value)


def year_fraction(start: date, end: date, days_in_year: DaysInYear) -> Decimal:
    """Days from ``start`` to ``end`` as a fraction of a year. With ``actual`` each day
    counts against the length of its own calendar year (actual/actual)."""
    if days_in_year is not DaysInYear.ACTUAL:
        return Decimal((end - start).days) / year_days(days_in_year)
    fraction = Decimal(0)
    cursor = start
    while cursor < end:
        year_end = min(date(cursor.year + 1, 1, 1), end)
        fraction += Decimal((year_end - cursor).days) / year_days(days_in_year, cursor.year)
        cursor = year_end
    return fraction


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))
