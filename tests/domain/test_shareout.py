"""Share-out rules, worked by hand (KES, 2 decimals) in the comments above each case."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from kuza.domain.errors import RuleViolation
from kuza.domain.groups import ShareOutRule
from kuza.domain.ledger import AccountCode, AccountKey
from kuza.domain.money import Money
from kuza.domain.shareout import (
    CycleBalances,
    MemberSavings,
    ShareOutPlan,
    plan_share_out,
    share_out_entry,
)

ON = date(2026, 12, 7)


def kes(value: str | int) -> Money:
    return Money.of(str(value), "KES")


def fund(
    savings: list[str],
    fines: str = "0",
    interest: str = "0",
    social: str = "0",
    loans: str = "0",
    voluntary: list[str] | None = None,
    equity: str = "0",
) -> CycleBalances:
    """A group fund that reconciles: cash = savings + income + social fund - loans."""
    vol = voluntary or ["0"] * len(savings)
    members = tuple(
        MemberSavings(i + 1, kes(c), kes(v))
        for i, (c, v) in enumerate(zip(savings, vol, strict=True))
    )
    income = {
        AccountCode.FINES_INCOME: kes(fines),
        AccountCode.INTEREST_INCOME: kes(interest),
        AccountCode.FUND_EQUITY: kes(equity),
    }
    saved = sum((m.total for m in members), kes(0))
    cash = saved + sum(income.values(), kes(0)) + kes(social) - kes(loans)
    return CycleBalances("KES", cash, kes(social), kes(loans), income, members)


def payouts(plan: ShareOutPlan) -> list[Decimal]:
    return [ln.payout.amount for ln in plan.lines]


def test_pro_rata_returns_savings_and_splits_income_by_savings() -> None:
    # 6000 saved (1000/2000/3000) + 400 fines + 200 interest = 6600 fund.
    # Income 600 in proportion to savings: 600×1/6 = 100, ×2/6 = 200, ×3/6 = 300.
    plan = plan_share_out(
        fund(["1000", "2000", "3000"], fines="400", interest="200"), ShareOutRule.PRO_RATA
    )
    assert plan.fund == kes("6600")
    assert plan.income == kes("600")
    assert payouts(plan) == [Decimal("1100.00"), Decimal("2200.00"), Decimal("3300.00")]
    assert [ln.income.amount for ln in plan.lines] == [Decimal(100), Decimal(200), Decimal(300)]
    assert [ln.savings.amount for ln in plan.lines] == [Decimal(1000), Decimal(2000), Decimal(3000)]
    assert all(ln.shares is None for ln in plan.lines)


def test_pro_rata_counts_voluntary_savings() -> None:
    # Member 1: 500 compulsory + 500 voluntary = 1000; member 2: 1000. Income 100 → 50/50.
    plan = plan_share_out(
        fund(["500", "1000"], fines="100", voluntary=["500", "0"]), ShareOutRule.PRO_RATA
    )
    assert payouts(plan) == [Decimal("1050.00"), Decimal("1050.00")]


def test_pro_rata_remainder_cent_goes_to_the_largest_fraction() -> None:
    # Income 0.05 = 5 cents over savings 1000 and 2000: exact shares 1.667 and 3.333 cents;
    # floors 1 + 3 = 4, the 1 cent left goes to the largest fraction (0.667): member 1.
    plan = plan_share_out(fund(["1000", "2000"], fines="0.05"), ShareOutRule.PRO_RATA)
    assert payouts(plan) == [Decimal("1000.02"), Decimal("2000.03")]


def test_pro_rata_equal_fractions_give_the_cent_to_the_first_member() -> None:
    # Income 1.00 over three equal savers: 33.33... cents each, floors 99, 1 cent left;
    # the fractions tie, so the first member in the list (lowest id) gets it.
    plan = plan_share_out(fund(["100", "100", "100"], fines="1"), ShareOutRule.PRO_RATA)
    assert payouts(plan) == [Decimal("100.34"), Decimal("100.33"), Decimal("100.33")]


def test_pro_rata_shares_a_loss_in_proportion() -> None:
    # Savings 10 and 1000, a 100 loss (retained earnings -100): fund 910.
    # Loss 10000 cents × 10/1010 = 99.0099 → 99, × 1000/1010 = 9900.99 → 9900, 1 cent left
    # to the larger fraction (member 2): losses 0.99 and 99.01 → payouts 9.01 and 900.99.
    plan = plan_share_out(fund(["10", "1000"], equity="-100"), ShareOutRule.PRO_RATA)
    assert payouts(plan) == [Decimal("9.01"), Decimal("900.99")]
    assert plan.income == kes("-100")


def test_equal_income_splits_income_equally() -> None:
    # Income 600 over 3 members = 200 each, on top of savings 1000/2000/3000.
    plan = plan_share_out(fund(["1000", "2000", "3000"], fines="600"), ShareOutRule.EQUAL_INCOME)
    assert payouts(plan) == [Decimal("1200.00"), Decimal("2200.00"), Decimal("3200.00")]


def test_equal_income_remainder_cent() -> None:
    # 100.00 over 3 = 33.333...: 33.34 to the first member, 33.33 to the others.
    plan = plan_share_out(fund(["0", "50", "80"], interest="100"), ShareOutRule.EQUAL_INCOME)
    assert payouts(plan) == [Decimal("33.34"), Decimal("83.33"), Decimal("113.33")]


def test_equal_income_refuses_a_loss_larger_than_a_members_savings() -> None:
    # A 100 loss split equally is 50 each: member 1 saved only 10 → payout -40, refused.
    with pytest.raises(RuleViolation) as err:
        plan_share_out(fund(["10", "1000"], equity="-100"), ShareOutRule.EQUAL_INCOME)
    assert err.value.field == "rule"


def test_shares_rule_values_whole_shares_and_returns_remainders() -> None:
    # Share value 500. Savings 1000/2000/3200 → 2, 4 and 6 whole shares (3200 = 6×500 + 200).
    # Fund 6200 + 600 income = 6800; the 200 remainder is returned as savings, so the
    # 12 shares share 6600: 550 per share → 1100, 2200, 3300 + 200 = 3500.
    plan = plan_share_out(
        fund(["1000", "2000", "3200"], fines="600"), ShareOutRule.SHARES, kes("500")
    )
    assert [ln.shares for ln in plan.lines] == [2, 4, 6]
    assert payouts(plan) == [Decimal("1100.00"), Decimal("2200.00"), Decimal("3500.00")]
    assert [ln.income.amount for ln in plan.lines] == [Decimal(100), Decimal(200), Decimal(300)]


def test_shares_rule_remainder_cent() -> None:
    # Share value 100; savings 100/100/100 → 1 share each; income 1.00 → the share fund of
    # 301.00 over 3 shares is 100.333..: the 1 cent left goes to the first member.
    plan = plan_share_out(fund(["100", "100", "100"], fines="1"), ShareOutRule.SHARES, kes(100))
    assert payouts(plan) == [Decimal("100.34"), Decimal("100.33"), Decimal("100.33")]


def test_shares_rule_needs_a_share_value_and_a_whole_share() -> None:
    with pytest.raises(RuleViolation) as err:
        plan_share_out(fund(["100"], fines="1"), ShareOutRule.SHARES, None)
    assert err.value.field == "share_value"
    # Nobody holds a whole share of 500, yet there are 10 of income to share.
    with pytest.raises(RuleViolation) as err:
        plan_share_out(fund(["100", "200"], fines="10"), ShareOutRule.SHARES, kes(500))
    assert err.value.field == "share_value"


def test_social_fund_is_not_shared_out() -> None:
    # Cash 6850 = 6000 savings + 600 fines + 250 social fund: only 6600 is distributable.
    plan = plan_share_out(
        fund(["1000", "2000", "3000"], fines="600", social="250"), ShareOutRule.PRO_RATA
    )
    assert plan.fund == kes("6600")
    assert payouts(plan) == [Decimal("1100.00"), Decimal("2200.00"), Decimal("3300.00")]


@pytest.mark.parametrize(
    "balances,field",
    [
        (fund(["1000"], loans="300"), "internal_loans"),
        (fund([]), "members"),
        (
            CycleBalances("KES", kes(-5), kes(0), kes(0), {}, (MemberSavings(1, kes(0), kes(0)),)),
            "fund",
        ),
        # 100 in cash but only 50 saved and no income recorded: the books do not reconcile.
        (
            CycleBalances(
                "KES", kes(100), kes(0), kes(0), {}, (MemberSavings(1, kes(50), kes(0)),)
            ),
            "fund",
        ),
    ],
    ids=["loans outstanding", "no members", "negative fund", "unreconciled"],
)
def test_refusals_name_the_field(balances: CycleBalances, field: str) -> None:
    with pytest.raises(RuleViolation) as err:
        plan_share_out(balances, ShareOutRule.PRO_RATA)
    assert err.value.field == field


def test_entry_empties_savings_and_income_into_the_payout() -> None:
    # Member 1: 1000 compulsory + 200 voluntary; member 2: 2000. Fines 300, interest 60.
    # Dr savings 1000, 200, 2000; Dr fines 300, interest 60; Cr cash 3560.
    balances = fund(["1000", "2000"], fines="300", interest="60", voluntary=["200", "0"])
    plan = plan_share_out(balances, ShareOutRule.PRO_RATA)
    entry = share_out_entry(7, balances, plan, ON, "share-out:7:1", "share-out:7:1")
    net: dict[AccountKey, Decimal] = {}
    for p in entry.postings:
        net[p.account] = net.get(p.account, Decimal(0)) + p.amount.amount
    assert net == {
        AccountKey(AccountCode.GROUP_CASH, 7): Decimal("-3560.00"),
        AccountKey(AccountCode.MEMBER_SAVINGS, 7, 1): Decimal("1000.00"),
        AccountKey(AccountCode.VOLUNTARY_SAVINGS, 7, 1): Decimal("200.00"),
        AccountKey(AccountCode.MEMBER_SAVINGS, 7, 2): Decimal("2000.00"),
        AccountKey(AccountCode.FINES_INCOME, 7): Decimal("300.00"),
        AccountKey(AccountCode.INTEREST_INCOME, 7): Decimal("60.00"),
    }
    assert entry.key == "share-out:7:1"
    assert entry.posted_on == ON
    assert sum(ln.payout.amount for ln in plan.lines) == Decimal("3560.00")


def test_entry_refuses_an_empty_fund() -> None:
    balances = fund(["0", "0"])
    plan = plan_share_out(balances, ShareOutRule.PRO_RATA)
    with pytest.raises(RuleViolation) as err:
        share_out_entry(7, balances, plan, ON)
    assert err.value.field == "fund"


cents = st.integers(min_value=0, max_value=10_000_000)


@given(
    savings=st.lists(cents, min_size=1, max_size=12),
    income=cents,
    rule=st.sampled_from(list(ShareOutRule)),
    share_value=st.integers(min_value=1, max_value=100_000),
)
def test_payouts_sum_exactly_to_the_fund_and_are_never_negative(
    savings: list[int], income: int, rule: ShareOutRule, share_value: int
) -> None:
    if rule is ShareOutRule.SHARES:
        assume(income == 0 or any(s >= share_value for s in savings))
    balances = fund(
        [str(Money.from_minor(s, "KES").amount) for s in savings],
        fines=str(Money.from_minor(income, "KES").amount),
    )
    plan = plan_share_out(balances, rule, Money.from_minor(share_value, "KES"))
    assert sum(ln.payout.minor for ln in plan.lines) == sum(savings) + income
    assert all(not ln.payout.is_negative() for ln in plan.lines)
    assert all(ln.payout == ln.savings + ln.income for ln in plan.lines)
    if sum(savings) + income:
        entry = share_out_entry(1, balances, plan, ON)
        assert entry.imbalances() == {}


@given(savings=st.lists(cents, min_size=1, max_size=12), loss_share=st.fractions(0, 1))
def test_pro_rata_loss_never_makes_a_payout_negative(savings: list[int], loss_share) -> None:
    loss = int(sum(savings) * loss_share)
    balances = fund(
        [str(Money.from_minor(s, "KES").amount) for s in savings],
        equity=str(Money.from_minor(-loss, "KES").amount),
    )
    plan = plan_share_out(balances, ShareOutRule.PRO_RATA)
    assert sum(ln.payout.minor for ln in plan.lines) == sum(savings) - loss
    assert all(not ln.payout.is_negative() for ln in plan.lines)


def test_a_write_off_expense_reduces_what_is_shared() -> None:
    # savings 1000 + 2000; interest 300, penalties 60, a written-off internal loan of 60:
    # net earnings 300 + 60 - 60 = 300, cash 3300 -> pro rata 1100 / 2200
    members = (MemberSavings(1, kes(1000), kes(0)), MemberSavings(2, kes(2000), kes(0)))
    income = {
        AccountCode.INTEREST_INCOME: kes(300),
        AccountCode.PENALTY_INCOME: kes(60),
        AccountCode.WRITE_OFF_EXPENSE: kes(-60),
    }
    balances = CycleBalances("KES", kes(3300), kes(0), kes(0), income, members)
    plan = plan_share_out(balances, ShareOutRule.PRO_RATA)
    assert payouts(plan) == [Decimal("1100.00"), Decimal("2200.00")]
    entry = share_out_entry(7, balances, plan, ON)
    cash = AccountKey(AccountCode.GROUP_CASH, 7)
    assert -sum(p.amount.amount for p in entry.postings if p.account == cash) == Decimal(3300)
    closed = {p.account.code: p.amount.amount for p in entry.postings if p.account != cash}
    assert closed[AccountCode.WRITE_OFF_EXPENSE] == Decimal("-60.00")  # credited to zero
    assert closed[AccountCode.PENALTY_INCOME] == Decimal("60.00")  # debited to zero


def test_a_blocked_guarantee_must_be_settled_first() -> None:
    members = (MemberSavings(1, kes(1000), kes(0)),)
    balances = CycleBalances(
        "KES",
        kes(800),
        kes(0),
        kes(0),
        {},
        members,
        other_assets={AccountCode.GUARANTEE_DEPOSIT: kes(200)},
    )
    with pytest.raises(RuleViolation, match=r"guarantee_deposit 200\.00 KES") as err:
        plan_share_out(balances, ShareOutRule.PRO_RATA)
    assert err.value.field == "fund"
