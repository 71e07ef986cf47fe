"""The repayment schedule: what falls due on which date, split into principal, interest
and fees, with the principal balance left after each instalment.

Rounding rule ("last instalment absorbs"): every part is rounded to the currency decimals
(and the regular instalment to the cash multiple, when one is set) as it is worked out,
and the last instalment takes whatever principal is left, so the principal column always
adds up exactly to the loan principal and no cent is created or lost. Flat interest is
rounded on its running total (so the column adds up to the rounded total interest); on a
declining balance each period's interest is rounded on that period's balance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext

from kuza.domain.loans.terms import (
    FeeCollection,
    FeeKind,
    GraceInterest,
    InterestMethod,
    InterestPeriod,
    LoanTerms,
    year_fraction,
)
from kuza.domain.money import Money, Rounding

PRECISION = 40  # digits for intermediate maths; amounts are rounded only by a Rounding


@dataclass(frozen=True)
class Instalment:
    n: int
    due_on: date
    principal: Money
    interest: Money
    fees: Money
    total: Money
    balance_after: Money  # principal still owed after this instalment is paid


@dataclass(frozen=True)
class Schedule:
    terms: LoanTerms
    instalments: tuple[Instalment, ...]
    upfront_fees: Money  # deducted at disbursement

    @property
    def currency(self) -> str:
        return self.terms.currency

    @property
    def total_principal(self) -> Money:
        return sum((i.principal for i in self.instalments), Money.zero(self.currency))

    @property
    def total_interest(self) -> Money:
        return sum((i.interest for i in self.instalments), Money.zero(self.currency))

    @property
    def total_fees(self) -> Money:
        spread = sum((i.fees for i in self.instalments), Money.zero(self.currency))
        return spread + self.upfront_fees

    @property
    def net_disbursed(self) -> Money:
        """What the member actually receives: principal less fees deducted up front."""
        return Money.of(self.terms.principal, self.currency) - self.upfront_fees


def build_schedule(terms: LoanTerms) -> Schedule:
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return _build(terms)


def _build(terms: LoanTerms) -> Schedule:
    dates = terms.due_on()
    n = terms.instalments
    cents = terms.amount_rounding
    rates = period_rates(terms, dates)
    grace = terms.grace
    repaying = n - grace.principal
    principal = terms.principal

    flat_interest = _flat_interest(principal, rates, cents)
    regular, principal_only = _regular_amount(terms, rates, repaying)
    upfront, spread_fees = _fees(terms)

    balance = principal
    deferred = Decimal(0)
    catch_up: list[Decimal] = [Decimal(0)] * n
    rows: list[Instalment] = []
    for k in range(n):
        if terms.method is InterestMethod.FLAT:
            accrued = flat_interest[k]
        else:
            accrued = cents.apply(balance * rates[k])
        if k < grace.interest:
            collected = Decimal(0)
            if grace.interest_in_grace is GraceInterest.ACCRUED:
                deferred += accrued
        else:
            if k == grace.interest and deferred:
                catch_up[k:] = split_equal(deferred, n - k, cents)
            collected = accrued + catch_up[k]
        if k < grace.principal:
            paid = Decimal(0)
        elif k == n - 1:
            paid = balance
        elif principal_only:
            paid = regular
        else:
            paid = regular - accrued
        paid = min(max(paid, Decimal(0)), balance)
        balance -= paid
        rows.append(_row(terms, k, dates[k], paid, collected, spread_fees[k], balance))
    return Schedule(terms, tuple(rows), Money.of(upfront, terms.currency))


def period_rates(terms: LoanTerms, dates: Sequence[date]) -> list[Decimal]:
    """Interest rate (a fraction, not percent) for each period; 0 in interest-free periods."""
    annual = terms.rate.annual_percent / 100
    starts = (terms.disbursed_on, *dates[:-1])
    rates: list[Decimal] = []
    for k, (start, end) in enumerate(zip(starts, dates, strict=True)):
        if k < terms.grace.interest_free:
            rates.append(Decimal(0))
        elif terms.interest_period is InterestPeriod.DAILY:
            rates.append(annual * year_fraction(start, end, terms.days_in_year))
        else:
            rates.append(annual * terms.every.years(terms.days_in_year))
    return rates


def nominal_period_rate(terms: LoanTerms) -> Decimal:
    return terms.rate.annual_percent / 100 * terms.every.years(terms.days_in_year)


def annuity_payment(principal: Decimal, rate: Decimal, periods: int) -> Decimal:
    """Level payment repaying ``principal`` over ``periods`` at ``rate`` per period (EMI)."""
    if rate == 0:
        return principal / periods
    return principal * rate / (1 - (1 + rate) ** -periods)


def split_equal(total: Decimal, count: int, rounding: Rounding) -> list[Decimal]:
    """``count`` rounded equal shares of ``total``; the last takes the residual and no
    share is negative, so the shares always add up to ``total``."""
    share = rounding.apply(total / count)
    parts: list[Decimal] = []
    left = total
    for _ in range(count - 1):
        part = min(share, left)
        parts.append(part)
        left -= part
    parts.append(left)
    return parts


def _regular_amount(
    terms: LoanTerms, rates: Sequence[Decimal], repaying: int
) -> tuple[Decimal, bool]:
    """The amount that repeats and whether it is principal only: the principal share for
    equal-principal loans and for flat loans without a cash multiple, otherwise the level
    instalment (principal + interest) of which the interest is taken first."""
    cash = terms.rounding  # decimals and the "multiples of" rule
    share = terms.principal / repaying
    if terms.method is InterestMethod.DECLINING_EQUAL_PRINCIPAL:
        return cash.apply(share), True
    if terms.method is InterestMethod.FLAT:
        if cash.multiple is None:
            return cash.apply(share), True
        return cash.apply(share + max(rates) * terms.principal), False
    return cash.apply(annuity_payment(terms.principal, nominal_period_rate(terms), repaying)), False


def _flat_interest(principal: Decimal, rates: Sequence[Decimal], cents: Rounding) -> list[Decimal]:
    """Flat interest per instalment, rounded on the running total: each part is the rounded
    cumulative interest less what earlier instalments already carry, so the parts add up
    to the rounded total and none goes negative."""
    parts: list[Decimal] = []
    exact = Decimal(0)
    carried = Decimal(0)
    for rate in rates:
        exact += principal * rate
        part = cents.apply(exact) - carried
        parts.append(part)
        carried += part
    return parts


def _fees(terms: LoanTerms) -> tuple[Decimal, list[Decimal]]:
    cents = terms.amount_rounding
    upfront = Decimal(0)
    spread = [Decimal(0)] * terms.instalments
    for fee in terms.fees:
        amount = fee.value if fee.kind is FeeKind.FLAT else terms.principal * fee.value / 100
        amount = cents.apply(amount)
        if fee.collect is FeeCollection.DISBURSEMENT:
            upfront += amount
        else:
            shares = split_equal(amount, terms.instalments, cents)
            spread = [a + b for a, b in zip(spread, shares, strict=True)]
    return upfront, spread


def _row(
    terms: LoanTerms,
    k: int,
    due_on: date,
    principal: Decimal,
    interest: Decimal,
    fees: Decimal,
    balance: Decimal,
) -> Instalment:
    c = terms.currency
    return Instalment(
        n=k + 1,
        due_on=due_on,
        principal=Money.of(principal, c),
        interest=Money.of(interest, c),
        fees=Money.of(fees, c),
        total=Money.of(principal + interest + fees, c),
        balance_after=Money.of(balance, c),
    )
