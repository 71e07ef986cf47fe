"""Impact metrics as values with their definition and the rows behind them.

Nothing here is typed in: every figure is computed from records by a query in
``kuza.reports`` and the formulas below. Definitions travel with the numbers because
organisations misread indicators when the definition is not beside the figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from kuza.domain.money import Money, minor_units


@dataclass(frozen=True)
class Metric:
    code: str
    name: str
    value: Decimal | None  # None when the figure is undefined (e.g. no jobs to divide by)
    unit: str  # "count", "percent", "FTE", a currency code ...
    definition: str
    sources: tuple[str, ...] = ()  # "table:id" of every row the figure comes from
    # The figures-only report of the dashboard page lists no rows (``listed`` False): it
    # counts them (``counted``) where that is cheap, else leaves the count out (None).
    counted: int | None = None
    listed: bool = True

    @property
    def row_count(self) -> int | None:
        """How many rows the figure comes from; None when not counted."""
        return len(self.sources) if self.listed else self.counted


def cost_per_job(costs: Money, jobs: int) -> Money | None:
    """Costs ÷ verified jobs created, rounded half-even to the currency's decimals."""
    if jobs <= 0:
        return None
    places = Decimal(1).scaleb(-minor_units(costs.currency))
    return Money((costs.amount / jobs).quantize(places, rounding=ROUND_HALF_EVEN), costs.currency)


def percent(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """``part`` as a percentage of ``whole`` to two decimals; None when whole is zero."""
    if not whole:
        return None
    value = Decimal(100) * Decimal(part) / Decimal(whole)
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def per_day(count: int | Decimal, days: int) -> Decimal | None:
    if days <= 0:
        return None
    return (Decimal(count) / days).quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)
