"""The loan book's rules that are not schedule maths: products, who may borrow how much,
appraisal of the income activity, and penalties. Pure functions over frozen records; the
services read the facts (savings, fund cash, loan cycle) and ask these functions.

Each check returns the problems it finds as :class:`RuleViolation` values rather than a
bool, so the service can refuse with a message a field agent can act on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from kuza.domain.errors import InvalidAmount, InvalidTerms, RuleViolation
from kuza.domain.loans.allocation import DEFAULT_ORDER, Component
from kuza.domain.loans.calculator import terms_from_json
from kuza.domain.loans.schedule import Schedule
from kuza.domain.loans.terms import FrequencyUnit, LoanTerms
from kuza.domain.money import Money, to_decimal


class LoanKind(StrEnum):
    INTERNAL = "internal"  # from the group fund, under the group's rules
    EXTERNAL = "external"  # from the programme's or a partner's loan fund
    IN_KIND = "in_kind"  # goods (a toolkit) instead of cash, as a loan or a grant


class LoanSource(StrEnum):
    INTERNAL = "internal"
    PROGRAMME = "programme"
    PARTNER = "partner"


class TransactionKind(StrEnum):
    DISBURSEMENT = "disbursement"
    REPAYMENT = "repayment"
    WRITE_OFF = "write_off"
    RECOVERY = "recovery"
    RESCHEDULE = "reschedule"
    GUARANTEE_BLOCK = "guarantee_block"
    GUARANTEE_RELEASE = "guarantee_release"
    GUARANTEE_CALL = "guarantee_call"
    REVERSAL = "reversal"  # undoes one repayment (reference "reversal:<its id>")
    REFUND = "refund"  # a held over-payment paid back to the member


# Fields of the calculator input that belong to one loan, not to the product.
LOAN_FIELDS = ("principal", "currency", "disbursed_on", "due_dates", "first_due_on")


@dataclass(frozen=True)
class Penalty:
    """Charged once per instalment still unpaid ``after_days`` days after it fell due:
    a flat amount plus a percentage (in basis points) of what is unpaid on it."""

    flat_minor: int = 0
    percent_bp: int = 0  # 500 = 5 %
    after_days: int = 0


@dataclass(frozen=True)
class Product:
    id: int
    name: str
    kind: LoanKind
    terms: Mapping[str, Any]  # calculator input without the loan's own fields
    ceilings: Mapping[int, Money]  # loan cycle -> largest principal; last applies beyond
    savings_multiple: Decimal | None  # internal: principal <= multiple x savings
    guarantee_percent: Decimal | None  # external: % of the group fund blocked
    penalty: Penalty | None
    starter: bool = False  # only for a first loan (cycle 1)
    order: tuple[Component, ...] = DEFAULT_ORDER


def ceiling_for(product: Product, cycle: int) -> Money | None:
    """The ceiling of ``cycle``; past the last configured cycle the last one applies."""
    if not product.ceilings:
        return None
    known = sorted(c for c in product.ceilings if c <= cycle)
    return product.ceilings[known[-1] if known else min(product.ceilings)]


def loan_terms(
    template: Mapping[str, Any], principal: Money, disbursed_on: date, **extra: Any
) -> LoanTerms:
    """The product's terms completed with this loan's principal, currency and date."""
    data = {k: v for k, v in template.items() if k not in LOAN_FIELDS}
    data.update(
        principal=str(principal.amount),
        currency=principal.currency,
        disbursed_on=disbursed_on.isoformat(),
        **extra,
    )
    return terms_from_json(data)


def check_template(template: Mapping[str, Any], currency: str) -> None:
    """Refuse product terms the calculator cannot use, by trying them on a unit loan."""
    if not isinstance(template, Mapping):
        raise InvalidTerms("terms must be a JSON object", field="terms")
    loan_terms(template, Money.of(1000, currency), date(2000, 1, 1))


@dataclass(frozen=True)
class Appraisal:
    """The income activity the loan finances, as the member and agent estimate it."""

    activity: str
    monthly_revenue: Money
    monthly_costs: Money

    @property
    def repayment_capacity(self) -> Money:
        """What the activity leaves each month to repay with: revenue less costs."""
        return self.monthly_revenue - self.monthly_costs


def monthly_equivalent(amount: Money, terms: LoanTerms) -> Money:
    """An instalment expressed per month (a weekly 25 is about 108.33 a month)."""
    every = terms.every
    per_month = {
        FrequencyUnit.MONTH: Decimal(1) / every.n,
        FrequencyUnit.WEEK: Decimal(52) / 12 / every.n,
        FrequencyUnit.DAY: Decimal(365) / 12 / every.n,
    }[every.unit]
    exact = amount.amount * per_month
    return Money.of(exact.quantize(amount.amount, ROUND_HALF_UP), amount.currency)


@dataclass(frozen=True)
class Application:
    kind: LoanKind
    principal: Money
    cycle: int
    savings: Money  # the member's savings in the group (compulsory + voluntary)
    fund_cash: Money  # cash of the fund that would lend (group fund or loan fund)
    grant: bool = False
    appraisal: Appraisal | None = None


def application_problems(
    app: Application, product: Product, schedule: Schedule | None
) -> list[RuleViolation]:
    """Every rule the application breaks; empty when it may go to a checker."""
    problems: list[RuleViolation] = []
    if app.principal.amount <= 0:
        problems.append(RuleViolation("the amount must be more than zero", field="amount"))
        return problems
    if app.grant and product.kind is not LoanKind.IN_KIND:
        problems.append(RuleViolation("only goods (in-kind) can be a grant", field="grant"))
    if app.principal > app.fund_cash:
        problems.append(
            RuleViolation(
                "%(principal)s is more than the fund's cash %(fund_cash)s",
                field="amount",
                principal=app.principal,
                fund_cash=app.fund_cash,
            )
        )
    if product.kind is LoanKind.INTERNAL and product.savings_multiple is not None:
        cap = app.savings.amount * product.savings_multiple
        if app.principal.amount > cap:
            problems.append(
                RuleViolation(
                    (
                        "%(principal)s is more than %(savings_multiple)s times the "
                        "member's savings %(savings)s"
                    ),
                    field="amount",
                    principal=app.principal,
                    savings_multiple=product.savings_multiple,
                    savings=app.savings,
                )
            )
    ceiling = ceiling_for(product, app.cycle)
    if ceiling is not None and app.principal > ceiling:
        problems.append(
            RuleViolation(
                "%(principal)s is above the ceiling %(ceiling)s of loan cycle %(cycle)s",
                field="amount",
                principal=app.principal,
                ceiling=ceiling,
                cycle=app.cycle,
            )
        )
    if product.starter and app.cycle > 1:
        problems.append(
            RuleViolation("a starter loan is only for a member's first loan", field="product_id")
        )
    if product.kind is not LoanKind.INTERNAL and not app.grant:
        problems.extend(_capacity_problems(app, schedule))
    return problems


def _capacity_problems(app: Application, schedule: Schedule | None) -> list[RuleViolation]:
    if app.appraisal is None:
        return [
            RuleViolation(
                "an external loan needs an appraisal of the income activity "
                "(expected monthly revenue and costs)",
                field="appraisal",
            )
        ]
    capacity = app.appraisal.repayment_capacity
    if schedule is None:
        return []
    largest = max((i.total for i in schedule.instalments), key=lambda m: m.amount)
    monthly = monthly_equivalent(largest, schedule.terms)
    if monthly > capacity:
        return [
            RuleViolation(
                (
                    "instalments of about %(monthly)s a month are above what the "
                    "activity leaves to repay with (%(capacity)s a month): lend "
                    "less or over more instalments"
                ),
                field="amount",
                monthly=monthly,
                capacity=capacity,
            )
        ]
    return []


def penalty_from(data: Mapping[str, Any] | None, currency: str) -> Penalty | None:
    """``{"flat": "10", "percent": "5", "after_days": 7}`` (all optional) or ``None``."""
    if not data:
        return None
    flat = Money.of(data.get("flat", "0"), currency, "penalty.flat")
    percent = to_decimal(data.get("percent", "0"), "penalty.percent")
    after = data.get("after_days", 0)
    if isinstance(after, bool) or not isinstance(after, int) or after < 0:
        raise InvalidAmount("penalty.after_days must be 0 or more days", field="penalty")
    if flat.is_negative() or percent < 0 or percent > 100 or (percent * 100) % 1:
        raise InvalidAmount(
            "a penalty cannot be negative or over 100 %, in steps of 0.01 %", field="penalty"
        )
    return Penalty(flat.minor, int(percent * 100), after)


def order_from(raw: Sequence[str] | None) -> tuple[Component, ...]:
    if not raw:
        return DEFAULT_ORDER
    try:
        order = tuple(Component(c) for c in raw)
    except ValueError:
        raise InvalidTerms(
            "allocation order must name penalties, fees, interest and principal",
            field="allocation_order",
        ) from None
    if sorted(order) != sorted(Component):
        raise InvalidTerms("allocation order must name each part once", field="allocation_order")
    return order
