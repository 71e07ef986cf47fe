from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kuza.domain.errors import CurrencyMismatch, InvalidAmount
from kuza.domain.money import Money, Rounding, RoundingMode, allocate


def test_refuses_floats_and_garbage() -> None:
    with pytest.raises(InvalidAmount):
        Money.of(0.1, "KES")
    with pytest.raises(InvalidAmount) as err:
        Money.of("1,5", "KES", field="lines[0].voluntary")
    assert err.value.field == "lines[0].voluntary"
    with pytest.raises(InvalidAmount):
        Money.of("NaN", "KES")
    with pytest.raises(InvalidAmount):
        Money.of("1", "XYZ")


def test_refuses_more_decimals_than_the_currency_has() -> None:
    assert Money.of("100", "UGX").minor == 100  # UGX has no minor unit
    with pytest.raises(InvalidAmount):
        Money.of("100.5", "UGX")
    with pytest.raises(InvalidAmount):
        Money.of("1.001", "EUR")


def test_currencies_never_mix() -> None:
    with pytest.raises(CurrencyMismatch):
        Money.of("1", "KES") + Money.of("1", "INR")
    assert sum([Money.of("1.10", "EUR"), Money.of("2.20", "EUR")]) == Money.of("3.30", "EUR")


def test_minor_units_round_trip() -> None:
    assert Money.of("12.34", "INR").minor == 1234
    assert Money.from_minor(-5, "EUR") == Money.of("-0.05", "EUR")


def test_rounding_rules_are_named_values() -> None:
    half_even = Rounding(decimals=2)
    assert half_even.apply(Decimal("0.125")) == Decimal("0.12")
    assert half_even.apply(Decimal("0.135")) == Decimal("0.14")
    assert Rounding(2, mode=RoundingMode.HALF_UP).apply(Decimal("0.125")) == Decimal("0.13")
    # cash multiples: instalments in multiples of 20 (e.g. KES coins/notes)
    assert Rounding(2, multiple=Decimal(20)).apply(Decimal("289.99")) == Decimal("280.00")
    assert Rounding(0, multiple=Decimal(100)).apply(Decimal("1250")) == Decimal("1200")


def test_allocation_worked_example() -> None:
    # 100.00 over three equal parts: 33.34 + 33.33 + 33.33, the first remainder wins the cent
    parts = allocate(Money.of("100", "EUR"), [1, 1, 1])
    assert [p.amount for p in parts] == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    # 10 in proportion 1:2:3 -> 1.666.., 3.333.., 5 -> 1.67, 3.33, 5.00
    parts = allocate(Money.of("10", "EUR"), [1, 2, 3])
    assert [p.amount for p in parts] == [Decimal("1.67"), Decimal("3.33"), Decimal("5.00")]


@given(
    st.integers(min_value=-(10**9), max_value=10**9),
    st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=30),
)
def test_allocation_is_exact(minor: int, weights: list[int]) -> None:
    amount = Money.from_minor(minor, "KES")
    parts = allocate(amount, weights)
    assert sum(parts, Money.zero("KES")) == amount
    assert len(parts) == len(weights)
    total_w = sum(weights)
    if total_w:
        for part, w in zip(parts, weights, strict=True):
            exact = Decimal(minor) * w / total_w
            assert abs(Decimal(part.minor) - exact) < 1  # never more than one cent off share


@given(
    st.integers(min_value=-(10**16), max_value=10**16),
    st.integers(min_value=-(10**16), max_value=10**16),
    st.sampled_from(["KES", "UGX", "USD"]),
)
def test_arithmetic_gives_amounts_the_checked_constructor_accepts(
    a: int, b: int, currency: str
) -> None:
    # +, - and unary - skip __post_init__'s checks: their results must pass them anyway
    x, y = Money.from_minor(a, currency), Money.from_minor(b, currency)
    for result, minor in ((x + y, a + b), (x - y, a - b), (-x, -a), (sum([x, y]), a + b)):
        assert result == Money(result.amount, currency) == Money.from_minor(minor, currency)
        assert hash(result) == hash(Money.from_minor(minor, currency))
        assert result.minor == minor
