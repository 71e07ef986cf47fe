"""Micro health insurance: plans, the premium subsidy by year of membership, claims.

A plan's premium is per period (a month or a year) for the member, plus a premium per
dependant. The programme pays a decreasing share in the first years of membership (the
schedule is data per plan, e.g. 100 %, 66 %, 33 %, then 0); the member pays the rest.
A claim passes submitted → approved → paid, or → rejected; cover is limited per year
of membership and nothing is covered during the waiting period after enrolment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum

from kuza.domain.access import Role
from kuza.domain.approvals import CHECKERS
from kuza.domain.errors import DomainError, InvalidAmount, RuleViolation
from kuza.domain.money import Money, minor_units, to_decimal


class PremiumPeriod(StrEnum):
    MONTH = "month"
    YEAR = "year"


class PaysFrom(StrEnum):
    """Where the member's share of the premium comes from."""

    PASSBOOK = "passbook"
    CASH = "cash"


class ClaimStatus(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    PAID = "paid"
    REJECTED = "rejected"


class ClaimEvent(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    PAY = "pay"


CLAIM_LIFECYCLE: dict[tuple[ClaimStatus, ClaimEvent], ClaimStatus] = {
    (ClaimStatus.SUBMITTED, ClaimEvent.APPROVE): ClaimStatus.APPROVED,
    (ClaimStatus.SUBMITTED, ClaimEvent.REJECT): ClaimStatus.REJECTED,
    (ClaimStatus.APPROVED, ClaimEvent.PAY): ClaimStatus.PAID,
}


def next_claim_status(status: ClaimStatus, event: ClaimEvent) -> ClaimStatus:
    try:
        return CLAIM_LIFECYCLE[(status, event)]
    except KeyError:
        raise RuleViolation(
            "a claim that is %(status)s cannot be %(event)sd: check its status",
            field="status",
            status=repr(status.value),
            event=repr(event.value),
        ) from None


@dataclass(frozen=True)
class Plan:
    name: str
    premium: Money  # per period, for the member
    dependant_premium: Money  # per period, for each dependant
    period: PremiumPeriod
    cover_per_year: Money  # most paid for one enrolment in one year of membership
    waiting_days: int
    subsidy: tuple[Decimal, ...]  # percent paid by the programme in year 1, 2, 3 ...

    def subsidy_percent(self, membership_year: int) -> Decimal:
        """The programme's share in a year of membership; 0 after the schedule ends."""
        if membership_year < 1:
            raise DomainError("years of membership start at 1", field="membership_year")
        if membership_year > len(self.subsidy):
            return Decimal(0)
        return self.subsidy[membership_year - 1]


def plan_from(data: dict[str, object], currency: str) -> Plan:
    """A checked plan from JSON-like data::

    {"name": "Afya", "premium": "100", "dependant_premium": "50", "period": "month",
     "cover_per_year": "20000", "waiting_days": 60, "subsidy": ["100", "66", "33"]}
    """
    name = str(data.get("name") or "").strip()
    if not name:
        raise DomainError("a plan needs a name", field="name")
    premium = Money.of(data.get("premium"), currency, "premium")
    dependant = Money.of(data.get("dependant_premium", "0"), currency, "dependant_premium")
    cover = Money.of(data.get("cover_per_year"), currency, "cover_per_year")
    if premium.amount <= 0:
        raise InvalidAmount("premium must be more than zero", field="premium")
    if dependant.is_negative():
        raise InvalidAmount("dependant_premium must not be negative", field="dependant_premium")
    if cover.amount <= 0:
        raise InvalidAmount("cover_per_year must be more than zero", field="cover_per_year")
    try:
        period = PremiumPeriod(str(data.get("period", "month")))
    except ValueError:
        raise DomainError("period must be 'month' or 'year'", field="period") from None
    waiting = data.get("waiting_days", 0)
    if not isinstance(waiting, int) or isinstance(waiting, bool) or waiting < 0:
        raise DomainError("waiting_days must be a whole number of days ≥ 0", "waiting_days")
    raw = data.get("subsidy") or []
    if not isinstance(raw, list):
        raise DomainError("subsidy must list a percent per year of membership", "subsidy")
    schedule = tuple(to_decimal(p, "subsidy") for p in raw)
    if any(not 0 <= p <= 100 for p in schedule):
        raise DomainError("subsidy percents must be between 0 and 100", field="subsidy")
    return Plan(name, premium, dependant, period, cover, waiting, schedule)


def membership_year(enrolled_on: date, on: date) -> int:
    """1 in the first twelve months after enrolment, 2 in the next twelve, and so on."""
    if on < enrolled_on:
        raise RuleViolation(
            "%(on)s is before the enrolment (%(enrolled_on)s)",
            field="on",
            on=on,
            enrolled_on=enrolled_on,
        )
    years = on.year - enrolled_on.year
    if (on.month, on.day) < (enrolled_on.month, enrolled_on.day):
        years -= 1
    return years + 1


def period_start(period: PremiumPeriod, day: date) -> date:
    """The period a premium is for, named by its first day (1st of the month or 1 Jan)."""
    return day.replace(day=1) if period is PremiumPeriod.MONTH else date(day.year, 1, 1)


@dataclass(frozen=True)
class PremiumSplit:
    premium: Money
    subsidy: Money  # the programme's part
    member_share: Money


def split_premium(plan: Plan, dependants: int, year: int) -> PremiumSplit:
    """Premium for the member and her dependants, split by the year's subsidy.

    The subsidy is rounded half-even to the currency's decimals and the member pays the
    exact rest, so the two parts always add up to the premium.
    """
    if dependants < 0:
        raise DomainError("dependants must not be negative", field="dependants")
    cur = plan.premium.currency
    premium = plan.premium + Money.from_minor(plan.dependant_premium.minor * dependants, cur)
    quantum = Decimal(1).scaleb(-minor_units(cur))
    part = (premium.amount * plan.subsidy_percent(year) / 100).quantize(
        quantum, rounding=ROUND_HALF_EVEN
    )
    subsidy = Money(part, cur)
    return PremiumSplit(premium, subsidy, premium - subsidy)


def check_claim_date(enrolled_on: date, waiting_days: int, incurred_on: date) -> None:
    """No cover before the waiting period after enrolment is over."""
    covered_from = enrolled_on + timedelta(days=waiting_days)
    if incurred_on < covered_from:
        raise RuleViolation(
            (
                "the waiting period runs until %(covered_from)s: care on "
                "%(incurred_on)s is not covered"
            ),
            field="incurred_on",
            covered_from=covered_from,
            incurred_on=incurred_on,
        )


def cover_left(cover_per_year: Money, approved_this_year: Sequence[Money]) -> Money:
    """What may still be approved in this year of membership (never below zero)."""
    used = sum(approved_this_year, Money.zero(cover_per_year.currency))
    left = cover_per_year - used
    return left if not left.is_negative() else Money.zero(cover_per_year.currency)


# Who may do what beside recording (enrolments and claims are recorded by the meeting
# roles). A plan is the programme's policy, like a loan product: admins and its country
# manager. Premiums and claim payments move the programme's insurance fund, which the
# branches do not hold: admins, the country manager and finance. A claim is decided by
# a checker (never the one who submitted it: insurance_claims._decide).
PLAN_MAKERS = frozenset({Role.ADMIN, Role.COUNTRY_MANAGER})
FUND_KEEPERS = frozenset({Role.ADMIN, Role.COUNTRY_MANAGER, Role.FINANCE})


def may_create_plans(role: Role) -> bool:
    return role in PLAN_MAKERS


def may_collect_premiums(role: Role) -> bool:
    return role in FUND_KEEPERS


def may_decide_claims(role: Role) -> bool:
    return role in CHECKERS


def may_pay_claims(role: Role) -> bool:
    return role in FUND_KEEPERS
