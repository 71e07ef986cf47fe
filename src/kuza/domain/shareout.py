"""Share-out: closing a savings cycle by paying the group fund back to its members.

The distributable fund is the group fund's cash less the social fund (welfare money is
kept for the next cycle, never shared). It is made of the members' savings plus the
cycle's net earnings: every group-level income, expense and equity account (fines,
interest, fees, penalties, retained earnings, less write-offs), all closed to zero. The group's
:class:`ShareOutRule` says how the income is divided; every split goes through
:func:`kuza.domain.money.allocate`, so the payouts add up to the fund to the cent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from kuza.domain.errors import RuleViolation
from kuza.domain.groups import ShareOutRule
from kuza.domain.ledger import (
    CHART_BY_CODE,
    AccountCode,
    AccountKey,
    AccountType,
    EntryBuilder,
    JournalEntry,
)
from kuza.domain.money import Money, allocate, total

EARNINGS_TYPES = frozenset({AccountType.INCOME, AccountType.EXPENSE, AccountType.EQUITY})


def is_earnings(code: AccountCode) -> bool:
    """Accounts closed by a share-out: the cycle's earnings, less its expenses."""
    return CHART_BY_CODE[code].type in EARNINGS_TYPES


@dataclass(frozen=True)
class MemberSavings:
    member_id: int
    compulsory: Money
    voluntary: Money

    @property
    def total(self) -> Money:
        return self.compulsory + self.voluntary


@dataclass(frozen=True)
class CycleBalances:
    """The group fund as the ledger reads it at share-out (normal, person-readable signs)."""

    currency: str
    cash: Money
    social_fund: Money
    internal_loans: Money
    income: Mapping[AccountCode, Money]  # net earnings per account: income +, expense -
    savings: tuple[MemberSavings, ...]
    other_assets: Mapping[AccountCode, Money] = field(default_factory=dict)

    @property
    def fund(self) -> Money:
        return self.cash - self.social_fund

    @property
    def savings_total(self) -> Money:
        return total((s.total for s in self.savings), self.currency)

    @property
    def income_total(self) -> Money:
        return total(self.income.values(), self.currency)


@dataclass(frozen=True)
class ShareOutLine:
    member_id: int
    savings: Money  # her compulsory + voluntary savings, returned
    income: Money  # her share of the income (payout - savings)
    payout: Money
    shares: int | None = None  # whole shares held, under the shares rule only


@dataclass(frozen=True)
class ShareOutPlan:
    rule: ShareOutRule
    fund: Money
    income: Money
    lines: tuple[ShareOutLine, ...]


def _check(balances: CycleBalances) -> None:
    if not balances.savings:
        raise RuleViolation("the group has no members to share out to", field="members")
    if not balances.internal_loans.is_zero():
        raise RuleViolation(
            (
                "internal loans of %(internal_loans)s are still outstanding; "
                "collect them before the share-out"
            ),
            field="internal_loans",
            internal_loans=balances.internal_loans,
        )
    blocked = {code: v for code, v in balances.other_assets.items() if not v.is_zero()}
    if blocked:
        what = ", ".join(f"{code.name.lower()} {v}" for code, v in sorted(blocked.items()))
        raise RuleViolation(
            (
                "part of the fund is not in cash (%(what)s); release or "
                "settle it before the share-out"
            ),
            field="fund",
            what=what,
        )
    if balances.fund.is_negative():
        raise RuleViolation(
            (
                "the group fund (%(cash)s cash less %(social_fund)s social "
                "fund) is negative; check the books before sharing out"
            ),
            field="fund",
            cash=balances.cash,
            social_fund=balances.social_fund,
        )
    earned = balances.fund - balances.savings_total
    if earned != balances.income_total:
        raise RuleViolation(
            (
                "the books do not reconcile: cash less social fund less "
                "savings is %(earned)s but the income accounts hold "
                "%(income_total)s; run `kuza ledger check`"
            ),
            field="fund",
            earned=earned,
            income_total=balances.income_total,
        )


def _shares_rule(
    savings: Sequence[MemberSavings], fund: Money, share_value: Money | None
) -> list[tuple[Money, int]]:
    """(payout, shares) per member: whole shares share the fund less the remainders,
    and each remainder (savings not making a whole share) is simply returned."""
    if share_value is None or share_value.amount <= 0:
        raise RuleViolation("the shares rule needs a positive share value", field="share_value")
    shares = [s.total.minor // share_value.minor for s in savings]
    remainders = [
        s.total - Money.from_minor(n * share_value.minor, fund.currency)
        for s, n in zip(savings, shares, strict=True)
    ]
    share_fund = fund - total(remainders, fund.currency)
    if sum(shares) == 0:
        if not share_fund.is_zero():
            raise RuleViolation(
                (
                    "no member holds a whole share of %(share_value)s, so "
                    "%(share_fund)s of income has no shares to go to; lower the "
                    "share value"
                ),
                field="share_value",
                share_value=share_value,
                share_fund=share_fund,
            )
        return [(r, 0) for r in remainders]
    parts = allocate(share_fund, shares)
    return [(r + p, n) for r, p, n in zip(remainders, parts, shares, strict=True)]


def plan_share_out(
    balances: CycleBalances, rule: ShareOutRule, share_value: Money | None = None
) -> ShareOutPlan:
    """Each member's statement line. Raises :class:`RuleViolation` (with the field) when
    loans are outstanding, the fund is negative, there are no members or the books
    do not reconcile, or when the rule would make a payout negative."""
    _check(balances)
    savings = balances.savings
    fund = balances.fund
    income = fund - balances.savings_total
    shares: list[int | None] = [None] * len(savings)
    if rule is ShareOutRule.PRO_RATA:
        weights = [s.total.minor for s in savings]
        payouts = [s.total + p for s, p in zip(savings, allocate(income, weights), strict=True)]
    elif rule is ShareOutRule.EQUAL_INCOME:
        equal = allocate(income, [1] * len(savings))
        payouts = [s.total + p for s, p in zip(savings, equal, strict=True)]
    else:
        pairs = _shares_rule(savings, fund, share_value)
        payouts = [p for p, _ in pairs]
        shares = [n for _, n in pairs]
    lines = tuple(
        ShareOutLine(s.member_id, s.total, pay - s.total, pay, n)
        for s, pay, n in zip(savings, payouts, shares, strict=True)
    )
    for line in lines:
        if line.payout.is_negative():
            raise RuleViolation(
                (
                    "member %(member_id)s's share of the loss is more than her "
                    "savings under the %(rule)s rule; share out pro rata instead"
                ),
                field="rule",
                member_id=line.member_id,
                rule=rule.value,
            )
    return ShareOutPlan(rule, fund, income, lines)


def share_out_entry(
    group_id: int,
    balances: CycleBalances,
    plan: ShareOutPlan,
    on: date,
    source: str = "",
    key: str | None = None,
) -> JournalEntry:
    """Dr each member's savings, Dr the income accounts (closing them), Cr group cash by
    the total payout. Raises :class:`UnbalancedEntry` if plan and balances disagree."""
    cash = AccountKey(AccountCode.GROUP_CASH, group_id)
    book = EntryBuilder(on, f"Share-out of {on}", source, key)
    for s in balances.savings:
        m = s.member_id
        book.move(
            AccountKey(AccountCode.MEMBER_SAVINGS, group_id, m),
            cash,
            s.compulsory,
            f"share-out member {m}: compulsory savings returned",
        )
        book.move(
            AccountKey(AccountCode.VOLUNTARY_SAVINGS, group_id, m),
            cash,
            s.voluntary,
            f"share-out member {m}: voluntary savings returned",
        )
    for code, amount in sorted(balances.income.items()):
        account = AccountKey(code, group_id)
        if amount.is_negative():  # an expense (e.g. a write-off) closes the other way
            book.move(cash, account, -amount, f"share-out: {code.name} closed")
        else:
            book.move(account, cash, amount, f"share-out: {code.name} shared")
    if not book.postings:
        raise RuleViolation("the group fund is empty: there is nothing to share out", "fund")
    entry = book.build()
    paid = -sum(p.amount.minor for p in entry.postings if p.account == cash)
    if paid != total((ln.payout for ln in plan.lines), plan.fund.currency).minor:
        raise RuleViolation("the share-out entry does not match the statements", field="fund")
    return entry
