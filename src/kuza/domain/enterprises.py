"""Members' enterprises: sectors, status, formalisation and the periodic check."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum

from kuza.domain.errors import DomainError
from kuza.domain.money import Money

DEFAULT_SECTORS: tuple[str, ...] = (
    "crops",
    "livestock",
    "dairy",
    "poultry",
    "tea",
    "textiles",
    "handicrafts",
    "food-processing",
    "retail",
    "services",
)


class EnterpriseStatus(StrEnum):
    ACTIVE = "active"
    DORMANT = "dormant"
    CLOSED = "closed"


class ProfitBand(StrEnum):
    """Profit as a share of revenue: comparable across currencies and enterprise sizes."""

    LOSS = "loss"  # profit < 0
    LOW = "low"  # 0 ≤ margin < 10%
    MEDIUM = "medium"  # 10% ≤ margin < 25%
    HIGH = "high"  # margin ≥ 25%


def sectors(settings: Mapping[str, object] | None) -> tuple[str, ...]:
    """The programme's sector list (``settings["sectors"]``), else the default list."""
    raw = (settings or {}).get("sectors")
    if raw is None:
        return DEFAULT_SECTORS
    if not isinstance(raw, list) or not all(isinstance(s, str) for s in raw):
        raise DomainError("settings.sectors must be a list of names", field="sectors")
    return tuple(raw)


def check_sector(sector: str, allowed: tuple[str, ...]) -> str:
    if sector not in allowed:
        raise DomainError(
            "sector %(sector)s is not in this programme's list: %(names)s",
            field="sector",
            sector=repr(sector),
            names=", ".join(allowed),
        )
    return sector


def profit_band(revenue: Money, costs: Money) -> ProfitBand:
    if revenue.is_negative():
        raise DomainError("revenue must not be negative", field="revenue")
    if costs.is_negative():
        raise DomainError("costs must not be negative", field="costs")
    profit = revenue - costs
    if profit.is_negative():
        return ProfitBand.LOSS
    if revenue.is_zero():
        return ProfitBand.LOW
    margin = profit.amount / revenue.amount
    if margin < Decimal("0.10"):
        return ProfitBand.LOW
    if margin < Decimal("0.25"):
        return ProfitBand.MEDIUM
    return ProfitBand.HIGH
