"""Repayment allocation: order, oldest first, partial/early/over-payment, conservation."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kuza.domain.errors import InvalidAmount
from kuza.domain.loans.allocation import Component, Due, allocate_repayment
from kuza.domain.money import Money


def m(value: str) -> Money:
    return Money.of(value, "EUR")


def due(n: int, month: int, p: str, i: str, f: str = "0", pen: str = "0") -> Due:
    return Due(n, date(2024, month, 1), m(p), m(i), m(f), m(pen))


DUES = [due(1, 2, "100", "10", "2", "5"), due(2, 3, "100", "8", "2")]


def test_default_order_pays_penalties_fees_interest_then_principal() -> None:
    result = allocate_repayment(m("20"), DUES)
    first = result.paid[0]
    assert (first.penalties, first.fees, first.interest, first.principal) == (
        m("5"),
        m("2"),
        m("10"),
        m("3"),
    )
    assert result.remaining[0].principal == m("97")
    assert result.overpaid == m("0")


def test_oldest_instalment_first_and_custom_order() -> None:
    order = (Component.PRINCIPAL, Component.INTEREST, Component.FEES, Component.PENALTIES)
    result = allocate_repayment(m("130"), list(reversed(DUES)), order)
    # dues given newest first: allocation still settles February before March
    feb = result.paid[1]
    mar = result.paid[0]
    assert feb.total == m("117")
    assert mar.principal == m("13")


def test_overpayment_is_returned_separately() -> None:
    result = allocate_repayment(m("300"), DUES)
    assert result.overpaid == m("73")
    assert all(d.total == m("0") for d in result.remaining)


def test_as_of_keeps_future_instalments_untouched() -> None:
    result = allocate_repayment(m("200"), DUES, as_of=date(2024, 2, 15))
    assert result.paid[1].total == m("0")
    assert result.overpaid == m("83")


def test_negative_payment_refused() -> None:
    with pytest.raises(InvalidAmount) as err:
        allocate_repayment(m("-1"), DUES)
    assert err.value.field == "amount"


amounts = st.integers(0, 100_000).map(lambda c: Money.from_minor(c, "EUR"))


@settings(max_examples=300, deadline=None)
@given(
    payment=amounts,
    parts=st.lists(st.tuples(amounts, amounts, amounts, amounts), min_size=0, max_size=8),
    order=st.permutations(list(Component)),
)
def test_allocation_never_creates_or_loses_money(
    payment: Money, parts: list[tuple[Money, Money, Money, Money]], order: list[Component]
) -> None:
    dues = [Due(k, date(2024, 1, 1 + k), *p) for k, p in enumerate(parts)]
    result = allocate_repayment(payment, dues, order)
    assert result.allocated + result.overpaid == payment
    for before, paid, left in zip(dues, result.paid, result.remaining, strict=True):
        for c in Component:
            assert paid.part(c) + left.part(c) == before.part(c)
            assert not paid.part(c).is_negative() and not left.part(c).is_negative()
    if not result.overpaid.is_zero():
        assert all(d.total.is_zero() for d in result.remaining)
