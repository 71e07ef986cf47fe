"""Stage 4, links to larger markets: partners, linkages, contracts and market activities.

A linkage ties one member or one group to a buyer or supplier, within a value chain. Each
linkage names the women members involved and their role, so women's place in the chain
is visible (who produces, who sells, who leads) and not hidden behind a group's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from kuza.domain.access import Role
from kuza.domain.errors import DomainError, InvalidAmount
from kuza.domain.money import Money, to_decimal


class PartnerKind(StrEnum):
    BUYER = "buyer"
    SUPPLIER = "supplier"
    PROCESSOR = "processor"
    LENDER = "lender"
    OTHER = "other"


class WomanRole(StrEnum):
    """What a woman does in the linkage (value-chain vocabulary)."""

    PRODUCER = "producer"
    AGGREGATOR = "aggregator"
    PROCESSOR = "processor"
    TRADER = "trader"
    NEGOTIATOR = "negotiator"
    LEADER = "leader"


# Partners are the programme's buyers and suppliers: its managers keep the list; the
# field roles link groups and members to them (MEETING_RECORDERS).
PARTNER_KEEPERS = frozenset({Role.ADMIN, Role.COUNTRY_MANAGER, Role.BRANCH_MANAGER})


def may_add_partners(role: Role) -> bool:
    return role in PARTNER_KEEPERS


class MarketActivityKind(StrEnum):
    COLLECTIVE_PURCHASE = "collective_purchase"
    BRANDING = "branding"
    PACKAGING = "packaging"


def check_party(member_id: int | None, group_id: int | None) -> None:
    """A linkage is for one member or one group, never both or neither."""
    if (member_id is None) == (group_id is None):
        raise DomainError("a linkage is for a member or for a group (give one)", "member_id")


def check_period(starts_on: date, ends_on: date | None, field: str = "ends_on") -> None:
    if ends_on is not None and ends_on < starts_on:
        raise DomainError(
            "%(field_name)s %(ends_on)s is before the start %(starts_on)s",
            field=field,
            field_name=field,
            ends_on=ends_on,
            starts_on=starts_on,
        )


@dataclass(frozen=True)
class ContractTerms:
    """What a contract says: a volume of a product at a unit price over a period."""

    product: str
    volume: Decimal
    unit: str
    price: Money  # per unit
    starts_on: date
    ends_on: date | None

    @property
    def value(self) -> Money:
        """Volume × unit price, rounded half-even to the currency's decimals."""
        return Money.of(
            (self.volume * self.price.amount).quantize(self.price.amount),
            self.price.currency,
        )


def contract_terms(
    product: str,
    volume: object,
    unit: str,
    price: object,
    currency: str,
    starts_on: date,
    ends_on: date | None,
) -> ContractTerms:
    """Checked terms; each defect names its field."""
    if not product.strip():
        raise DomainError("say what the contract is for (product)", field="product")
    amount = to_decimal(volume, "volume")
    if amount < 0:
        raise InvalidAmount("volume must not be negative", field="volume")
    if not unit.strip():
        raise DomainError("unit is required (kg, litre, piece ...)", field="unit")
    unit_price = Money.of(price, currency, "price")
    if unit_price.is_negative():
        raise InvalidAmount("price must not be negative", field="price")
    check_period(starts_on, ends_on)
    return ContractTerms(product.strip(), amount, unit.strip(), unit_price, starts_on, ends_on)


def active_between(starts_on: date, ends_on: date | None, start: date, end: date) -> bool:
    """Was something running at any time in [start, end] (both ends included)?"""
    return starts_on <= end and (ends_on is None or ends_on >= start)
