"""Repayment allocation: which part of which instalment a payment settles.

Instalments are settled oldest first; inside each instalment the parts are paid in a
configurable order, by default penalties → fees → interest → principal (Fineract's
"penalties, fees, interest, principal order", the usual rule in microfinance because it
keeps the loan's income recognised before its principal). A payment larger than what is
owed leaves a separate ``overpaid`` amount to return or hold; nothing is created or lost:
the parts allocated plus the overpayment always equal the payment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from kuza.domain.errors import CurrencyMismatch, InvalidAmount
from kuza.domain.money import Money


class Component(StrEnum):
    PENALTIES = "penalties"
    FEES = "fees"
    INTEREST = "interest"
    PRINCIPAL = "principal"


DEFAULT_ORDER: tuple[Component, ...] = (
    Component.PENALTIES,
    Component.FEES,
    Component.INTEREST,
    Component.PRINCIPAL,
)


@dataclass(frozen=True)
class Due:
    """What is still owed on one instalment, part by part."""

    n: int
    due_on: date
    principal: Money
    interest: Money
    fees: Money
    penalties: Money

    def part(self, component: Component) -> Money:
        amount: Money = getattr(self, component.value)
        return amount

    @property
    def total(self) -> Money:
        return self.principal + self.interest + self.fees + self.penalties


@dataclass(frozen=True)
class Allocation:
    paid: tuple[Due, ...]  # per instalment, what this payment settled (same shape as Due)
    remaining: tuple[Due, ...]  # per instalment, what is still owed afterwards
    overpaid: Money

    @property
    def allocated(self) -> Money:
        return sum((d.total for d in self.paid), Money.zero(self.overpaid.currency))


def allocate_repayment(
    payment: Money,
    dues: Sequence[Due],
    order: Sequence[Component] = DEFAULT_ORDER,
    *,
    as_of: date | None = None,
) -> Allocation:
    """Settle ``dues`` with ``payment``. With ``as_of``, only instalments due on or before
    that date are settled and the rest of the payment is ``overpaid`` (to hold as credit);
    without it, a payment early or above what has fallen due pays future instalments."""
    if payment.is_negative():
        raise InvalidAmount("a repayment cannot be negative", field="amount")
    if sorted(order, key=lambda c: c.value) != sorted(Component, key=lambda c: c.value):
        raise InvalidAmount("the order must name each part exactly once", field="order")
    zero = Money.zero(payment.currency)
    for due in dues:
        if due.total.currency != payment.currency:
            raise CurrencyMismatch("repayment and loan currencies differ", field="currency")
        if any(due.part(c).is_negative() for c in Component):
            raise InvalidAmount("instalment %(n)s owes a negative amount", field="dues", n=due.n)
    left = payment
    paid: dict[int, Due] = {}
    remaining: dict[int, Due] = {}
    for index, due in sorted(enumerate(dues), key=lambda pair: (pair[1].due_on, pair[1].n)):
        settled = {c: zero for c in Component}
        if as_of is None or due.due_on <= as_of:
            for component in order:
                take = min(left, due.part(component))
                settled[component] = take
                left = left - take
        paid[index] = _with(due, settled)
        remaining[index] = _with(due, {c: due.part(c) - settled[c] for c in Component})
    return Allocation(
        paid=tuple(paid[i] for i in range(len(dues))),
        remaining=tuple(remaining[i] for i in range(len(dues))),
        overpaid=left,
    )


def _with(due: Due, parts: dict[Component, Money]) -> Due:
    return replace(
        due,
        principal=parts[Component.PRINCIPAL],
        interest=parts[Component.INTEREST],
        fees=parts[Component.FEES],
        penalties=parts[Component.PENALTIES],
    )
