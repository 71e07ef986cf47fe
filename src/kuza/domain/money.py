"""Exact money: ``Decimal`` amounts tied to an ISO 4217 currency.

Floats are refused, currencies never mix, rounding happens only through a named
:class:`Rounding` rule, and :func:`allocate` splits a total into parts that always add
up to the total (largest-remainder method), so no cent is lost or created.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from kuza.domain.errors import CurrencyMismatch, InvalidAmount

# ISO 4217 minor-unit exponents for the currencies our programmes use. Kept here (not in
# a locale library) because the exponent is a bookkeeping fact, not a display choice.
MINOR_UNITS: dict[str, int] = {
    "AFN": 2,
    "BDT": 2,
    "BIF": 0,
    "CDF": 2,
    "EUR": 2,
    "ETB": 2,
    "GBP": 2,
    "GHS": 2,
    "INR": 2,
    "KES": 2,
    "KHR": 2,
    "LKR": 2,
    "MGA": 2,
    "MMK": 2,
    "MWK": 2,
    "MZN": 2,
    "NPR": 2,
    "PHP": 2,
    "RWF": 0,
    "SEK": 2,
    "TZS": 2,
    "UGX": 0,
    "USD": 2,
    "XAF": 0,
    "XOF": 0,
    "ZAR": 2,
    "ZMW": 2,
    "ZWL": 2,
}


def minor_units(currency: str) -> int:
    """Number of decimals of ``currency``; unknown codes are an error, not a guess."""
    try:
        return MINOR_UNITS[currency]
    except KeyError:
        raise InvalidAmount(
            "unknown currency %(currency)s", field="currency", currency=repr(currency)
        ) from None


class RoundingMode(StrEnum):
    HALF_EVEN = "half_even"  # banker's rounding: the default, no drift over many rows
    HALF_UP = "half_up"
    DOWN = "down"

    @property
    def decimal_mode(self) -> str:
        return {
            RoundingMode.HALF_EVEN: ROUND_HALF_EVEN,
            RoundingMode.HALF_UP: ROUND_HALF_UP,
            RoundingMode.DOWN: ROUND_DOWN,
        }[self]


@dataclass(frozen=True)
class Rounding:
    """A rounding rule: to ``decimals`` places, then to a cash ``multiple`` if given."""

    decimals: int = 2
    multiple: Decimal | None = None
    mode: RoundingMode = RoundingMode.HALF_EVEN

    def apply(self, value: Decimal) -> Decimal:
        quantum = Decimal(1).scaleb(-self.decimals)
        if self.multiple is not None and self.multiple > 0:
            units = (value / self.multiple).quantize(Decimal(1), rounding=self.mode.decimal_mode)
            value = units * self.multiple
        return value.quantize(quantum, rounding=self.mode.decimal_mode)


def to_decimal(value: object, field: str = "amount") -> Decimal:
    """Parse a user-supplied amount; floats are refused because they are not exact."""
    if isinstance(value, (bool, float)):
        raise InvalidAmount(
            "%(field_name)s must be a decimal string, not %(value)s",
            field=field,
            field_name=field,
            value=repr(value),
        )
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, (int, str)):
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation:
            raise InvalidAmount(
                "%(field_name)s is not a number: %(value)s",
                field=field,
                field_name=field,
                value=repr(value),
            ) from None
    else:
        raise InvalidAmount(
            "%(field_name)s is not a number: %(value)s",
            field=field,
            field_name=field,
            value=repr(value),
        )
    if not result.is_finite():
        raise InvalidAmount(
            "%(field_name)s is not a finite number: %(value)s",
            field=field,
            field_name=field,
            value=repr(value),
        )
    return result


@dataclass(frozen=True, order=False)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise InvalidAmount(
                "Money needs a Decimal, got %(kind)s", kind=type(self.amount).__name__
            )
        places = minor_units(self.currency)
        if self.amount != self.amount.quantize(Decimal(1).scaleb(-places)):
            raise InvalidAmount(
                "%(amount)s has more than %(places)s decimals for %(currency)s",
                amount=self.amount,
                places=places,
                currency=self.currency,
            )

    # -- construction -------------------------------------------------------------
    @classmethod
    def of(cls, value: object, currency: str, field: str = "amount") -> Money:
        amount = to_decimal(value, field)
        places = minor_units(currency)
        if amount != amount.quantize(Decimal(1).scaleb(-places)):
            raise InvalidAmount(
                "%(field_name)s %(amount)s has more than %(places)s decimals for %(currency)s",
                field=field,
                field_name=field,
                amount=amount,
                places=places,
                currency=currency,
            )
        return cls(amount.quantize(Decimal(1).scaleb(-places)), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0).scaleb(-minor_units(currency)), currency)

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> Money:
        money = cls(Decimal(minor).scaleb(-minor_units(currency)), currency)
        object.__setattr__(money, "_minor", int(minor))
        return money

    @property
    def minor(self) -> int:
        # Kept once computed (the amount never changes): a sync batch asks every
        # amount's minor units several times (checks, entry lines, balance moves).
        cached: int | None = self.__dict__.get("_minor")
        if cached is None:
            cached = int(self.amount.scaleb(minor_units(self.currency)))
            object.__setattr__(self, "_minor", cached)
        return cached

    # -- arithmetic ---------------------------------------------------------------
    def _same(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(
                "cannot combine %(currency)s with %(currency2)s",
                field="currency",
                currency=self.currency,
                currency2=other.currency,
            )
        return other

    def __add__(self, other: object) -> Money:
        if other == 0 and not isinstance(other, Money):
            return self
        return _exact(self.amount + self._same(other).amount, self.currency)

    __radd__ = __add__

    def __sub__(self, other: object) -> Money:
        return _exact(self.amount - self._same(other).amount, self.currency)

    def __neg__(self) -> Money:
        return _exact(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same(other).amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._same(other).amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._same(other).amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._same(other).amount

    def is_zero(self) -> bool:
        return self.amount == 0

    def is_negative(self) -> bool:
        return self.amount < 0

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


def total(amounts: Iterable[Money], currency: str) -> Money:
    return sum(amounts, Money.zero(currency))


def _exact(amount: Decimal, currency: str) -> Money:
    """The sum, difference or negation of valid amounts of ``currency``: it has no more
    decimals than they have, so ``__post_init__``'s checks cannot fail and are skipped
    (they were most of the cost of adding Money: a meeting's checks add ~450 of them)."""
    money = object.__new__(Money)
    object.__setattr__(money, "amount", amount)
    object.__setattr__(money, "currency", currency)
    return money


def allocate(amount: Money, weights: Sequence[Decimal | int]) -> list[Money]:
    """Split ``amount`` in proportion to ``weights`` so the parts sum exactly to it.

    Largest-remainder (Hamilton) method in minor units: each part gets the floor of its
    exact share, and the leftover minor units go one each to the largest remainders
    (earliest index first on ties), so the result is deterministic and exact.
    """
    if not weights:
        raise InvalidAmount("cannot allocate over no parts")
    decimals_weights = [Decimal(w) for w in weights]
    if any(w < 0 for w in decimals_weights):
        raise InvalidAmount("allocation weights must not be negative")
    weight_sum = sum(decimals_weights, Decimal(0))
    if weight_sum == 0:
        decimals_weights = [Decimal(1)] * len(weights)
        weight_sum = Decimal(len(weights))
    minor_total = amount.minor
    sign = -1 if minor_total < 0 else 1
    remaining = abs(minor_total)
    exact = [Decimal(remaining) * w / weight_sum for w in decimals_weights]
    floors = [int(e.to_integral_value(rounding=ROUND_DOWN)) for e in exact]
    leftover = remaining - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:leftover]:
        floors[i] += 1
    return [Money.from_minor(sign * f, amount.currency) for f in floors]
