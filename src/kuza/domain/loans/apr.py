"""Annual percentage rate by the actuarial method of US Regulation Z, Appendix J
(12 CFR 1026), and the effective annual rate (EIR) of any cash-flow stream.

Appendix J in brief: time is counted in *unit-periods* (the common period between
payments, at most a year); each amount sits ``t`` full unit-periods plus a fraction ``f``
after the advance, and is discounted as ``A / ((1 + f·i)(1 + i)^t)`` — simple interest on
the odd fraction (b)(6), compound over whole unit-periods. The unit-period rate ``i`` that
makes advances and payments equal (b)(8) times the unit-periods per year is the APR (b)(1).
Full months are counted back from the later date; odd days count 1/30 of a month, 1/15 of a
semimonth, 1/7 of a week (b)(5). The EIR compounds the same rate: (1 + i)^p − 1.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum

from kuza.domain.errors import InvalidTerms
from kuza.domain.loans.terms import add_months

PRECISION = 50
_DISCLOSED = Decimal("0.01")
_EXACT = Decimal("1E-10")


class UnitKind(StrEnum):
    DAYS = "days"  # a day, a week (7) or a multiple of a week, or an odd term in days
    SEMIMONTH = "semimonth"
    MONTHS = "months"  # a month or a multiple of a month up to a year


@dataclass(frozen=True)
class UnitPeriod:
    kind: UnitKind
    count: int = 1

    @classmethod
    def parse(cls, text: str) -> UnitPeriod:
        """'month', '3 months', 'quarter', 'semimonth', 'week', '2 weeks', 'day', '255 days',
        'year'. Unknown words raise InvalidTerms naming ``unit_period``."""
        words = text.strip().lower().replace("-", " ")
        named = {
            "semimonth": cls(UnitKind.SEMIMONTH),
            "quarter": cls(UnitKind.MONTHS, 3),
            "year": cls(UnitKind.MONTHS, 12),
            "fortnight": cls(UnitKind.DAYS, 14),
        }
        if words in named:
            return named[words]
        match = re.fullmatch(r"(\d+)?\s*(day|week|month|year)s?", words)
        if match is None:
            raise InvalidTerms("unknown unit period %(text)s", field="unit_period", text=repr(text))
        n = int(match.group(1) or 1)
        unit = match.group(2)
        if n < 1:
            raise InvalidTerms("unit period must be at least 1", field="unit_period")
        if unit == "day":
            return cls(UnitKind.DAYS, n)
        if unit == "week":
            return cls(UnitKind.DAYS, 7 * n)
        months = n * 12 if unit == "year" else n
        if months > 12:
            raise InvalidTerms("a unit period cannot exceed one year", field="unit_period")
        return cls(UnitKind.MONTHS, months)

    @property
    def per_year(self) -> Decimal:
        if self.kind is UnitKind.SEMIMONTH:
            return Decimal(24)
        if self.kind is UnitKind.MONTHS:
            return Decimal(12) / self.count
        if self.count % 7 == 0:
            return Decimal(52) / (self.count // 7)  # Reg Z counts 52 weeks a year
        return Decimal(365) / self.count

    def split(self, start: date, end: date) -> tuple[int, Decimal]:
        """(full unit-periods t, fraction f) from ``start`` to ``end`` per Appendix J (b)(5)."""
        if end < start:
            raise InvalidTerms("a payment cannot come before the advance", field="payments")
        if self.kind is UnitKind.DAYS:
            t, odd = divmod((end - start).days, self.count)
            return t, Decimal(odd) / self.count
        months, days = months_back(start, end)
        if self.kind is UnitKind.SEMIMONTH:
            t = 2 * months
            if days >= 15:
                t, days = t + 1, days - 15
            return t, Decimal(days) / 15
        t, odd = divmod(30 * months + days, 30 * self.count)
        return t, Decimal(odd) / (30 * self.count)


def months_back(start: date, end: date) -> tuple[int, int]:
    """Full months counted back from ``end`` while not passing ``start``, and the days left.
    Month ends match month ends, as (b)(3)(iv) asks for payments due on the last day."""
    months = 0
    while _back(end, months + 1) >= start:
        months += 1
    return months, (_back(end, months) - start).days


def _back(end: date, months: int) -> date:
    earlier = add_months(end, -months)
    if (end + _ONE_DAY).month != end.month:  # end is a month end
        return add_months(date(earlier.year, earlier.month, 1), 1) - _ONE_DAY
    return earlier


@dataclass(frozen=True)
class CashFlow:
    """An amount ``t`` full unit-periods and fraction ``f`` after the start of the term."""

    amount: Decimal
    t: int
    f: Decimal = Decimal(0)


@dataclass(frozen=True)
class AprResult:
    unit_rate: Decimal  # rate per unit-period, a fraction
    per_year: Decimal  # unit-periods in a year

    @property
    def apr_exact(self) -> Decimal:
        """Nominal annual rate in percent, to 10 decimals."""
        return (self.unit_rate * self.per_year * 100).quantize(_EXACT, ROUND_HALF_UP)

    @property
    def apr_percent(self) -> Decimal:
        """The disclosed APR: percent to 2 decimals, half up as disclosures are read."""
        return self.apr_exact.quantize(_DISCLOSED, ROUND_HALF_UP)

    @property
    def eir_percent(self) -> Decimal:
        return effective_annual_rate(self.unit_rate, self.per_year).quantize(
            _DISCLOSED, ROUND_HALF_UP
        )


def effective_annual_rate(unit_rate: Decimal, per_year: Decimal) -> Decimal:
    """EIR in percent: the unit-period rate compounded over a year, (1 + i)^p − 1."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return ((1 + unit_rate) ** per_year - 1) * 100


def flows_on_dates(
    start: date, dated: Sequence[tuple[date, Decimal]], unit: UnitPeriod
) -> list[CashFlow]:
    flows = []
    for on, amount in dated:
        t, f = unit.split(start, on)
        flows.append(CashFlow(amount, t, f))
    return flows


def annual_percentage_rate(
    advances: Sequence[CashFlow], payments: Sequence[CashFlow], per_year: Decimal
) -> AprResult:
    return AprResult(solve_unit_rate(advances, payments), per_year)


def solve_unit_rate(advances: Sequence[CashFlow], payments: Sequence[CashFlow]) -> Decimal:
    """The unit-period rate equating advances and payments (Appendix J (b)(8)), by Newton's
    method kept inside a bisection bracket, in 50-digit Decimal arithmetic."""
    if not advances or not payments:
        raise InvalidTerms("need at least one advance and one payment", field="payments")
    with localcontext() as ctx:
        ctx.prec = PRECISION

        def gap(i: Decimal) -> tuple[Decimal, Decimal]:
            value, slope = _present(advances, i)
            paid, paid_slope = _present(payments, i)
            return value - paid, slope - paid_slope

        return _root(gap)


def _present(flows: Sequence[CashFlow], i: Decimal) -> tuple[Decimal, Decimal]:
    """Present value of ``flows`` at unit rate ``i`` and its derivative in ``i``."""
    value = Decimal(0)
    slope = Decimal(0)
    for flow in flows:
        simple = 1 + flow.f * i
        pv = flow.amount / (simple * (1 + i) ** flow.t)
        value += pv
        slope -= pv * (flow.f / simple + flow.t / (1 + i))
    return value, slope


def _root(gap: Callable[[Decimal], tuple[Decimal, Decimal]]) -> Decimal:
    lo, hi = Decimal("-0.99"), Decimal(1)
    g_lo = gap(lo)[0]
    while (gap(hi)[0] > 0) == (g_lo > 0):
        hi *= 2
        if hi > 10**6:
            raise InvalidTerms("these cash flows have no interest rate", field="payments")
    x = Decimal("0.01") if lo < Decimal("0.01") < hi else (lo + hi) / 2
    tolerance = Decimal("1E-40")
    for _ in range(400):
        g, slope = gap(x)
        if g == 0:
            return x
        if (g > 0) == (g_lo > 0):
            lo = x
        else:
            hi = x
        step = x - g / slope if slope != 0 else None
        nxt = step if step is not None and lo < step < hi else (lo + hi) / 2
        if abs(nxt - x) < tolerance:
            return nxt
        x = nxt
    return x


_ONE_DAY = date(2000, 1, 2) - date(2000, 1, 1)
