"""The sheet's domain work in minor units and with amounts parsed once per value (eighth
round, BENCHMARKS.md): the same values, refusals and messages as the Money arithmetic."""

from __future__ import annotations

import pickle
from datetime import date

import pytest

from kuza.domain.calendar import Frequency
from kuza.domain.errors import DomainError, RuleViolation
from kuza.domain.groups import Group, GroupStatus
from kuza.domain.ledger import AccountCode, AccountKey
from kuza.domain.meetings import FundPosition, parse_sheet, summarise, validate_sheet
from kuza.domain.money import Money

DAY = date(2026, 3, 2)
GROUP = Group(
    1, 1, "Umoja", "KES", date(2026, 1, 5), GroupStatus.ACTIVE, Frequency.WEEKLY,
    date(2026, 1, 5), Money.of("100", "KES"),
)  # fmt: skip


def kes(v: str) -> Money:
    return Money.of(v, "KES")


def sheet(*lines: dict[str, object]) -> dict[str, object]:
    return {"group_id": 1, "held_on": DAY.isoformat(), "lines": list(lines)}


def test_an_amount_seen_before_is_still_refused_on_its_own_field() -> None:
    ok = parse_sheet(sheet({"member_id": 7, "voluntary": "5", "social": 5}), GROUP)
    assert ok.lines[0].voluntary == kes("5") == ok.lines[0].social
    assert str(ok.lines[0].voluntary.amount) == "5.00"
    for raw, field in (("-5", "social"), ("1.005", "voluntary"), (True, "withdrawal")):
        for _ in range(2):  # the second time after the same value was seen
            with pytest.raises(DomainError) as err:
                parse_sheet(sheet({"member_id": 7}, {"member_id": 8, field: raw}), GROUP)
            assert err.value.field == f"lines[1].{field}"
    # 1 and True are different amounts to the cache too
    assert parse_sheet(sheet({"member_id": 7, "voluntary": 1}), GROUP).lines[0].voluntary == kes(
        "1"
    )


def test_refusals_name_the_same_amounts_as_money_arithmetic() -> None:
    position = FundPosition(cash=kes("30"), social_fund=kes("20"), voluntary={7: kes("50")})
    members = [7, 8]

    def refusal(*lines: dict[str, object]) -> RuleViolation:
        with pytest.raises(RuleViolation) as err:
            validate_sheet(parse_sheet(sheet(*lines), GROUP), GROUP, members, position, DAY)
        return err.value

    too_much = refusal({"member_id": 7, "voluntary": "10.50", "withdrawal": "60.51"})
    assert too_much.field == "lines[0].withdrawal"
    assert too_much.values["available"] == kes("60.50")
    assert str(too_much.values["available"]) == "60.50 KES"
    payout = refusal(
        {"member_id": 7, "social": "1", "social_payout": "21.01", "social_payout_reason": "x"}
    )
    assert payout.values["social"] == kes("21") and payout.field == "lines[0].social_payout"
    # 30 + 0.01 in, 30 and 0.01 out: the fund ends at exactly zero, which is allowed
    empties = sheet(
        {"member_id": 7, "compulsory": "0", "withdrawal": "30"},
        {"member_id": 8, "compulsory": "0", "withdrawal": "0.01", "voluntary": "0.01"},
    )
    validate_sheet(parse_sheet(empties, GROUP), GROUP, members, position, DAY)


def test_the_fund_may_reach_zero_but_not_below() -> None:
    position = FundPosition(cash=kes("30"), social_fund=kes("0"), voluntary={7: kes("40")})
    fits = sheet({"member_id": 7, "compulsory": "0", "withdrawal": "30"})
    validate_sheet(parse_sheet(fits, GROUP), GROUP, [7], position, DAY)
    over = sheet({"member_id": 7, "compulsory": "0", "withdrawal": "30.01"})
    with pytest.raises(RuleViolation) as err:
        validate_sheet(parse_sheet(over, GROUP), GROUP, [7], position, DAY)
    assert err.value.field == "lines[0]"


def test_totals_are_the_sums_of_the_amounts() -> None:
    s = parse_sheet(
        sheet(
            {"member_id": 7, "voluntary": "1.10", "fines": [{"amount": "2", "reason": "late"}]},
            {"member_id": 8, "present": False, "voluntary": "0.05", "social": "3"},
        ),
        GROUP,
    )
    totals = summarise(s, "KES")
    assert totals["present"] == 1
    assert totals["compulsory"] == kes("100") and str(totals["compulsory"].amount) == "100.00"
    assert totals["voluntary"] == kes("1.15") and totals["fines"] == kes("2")
    assert str(totals["withdrawals"].amount) == "0.00" and totals["social"] == kes("3")


def test_keys_keep_their_hash_but_not_across_processes() -> None:
    key = AccountKey(AccountCode.MEMBER_SAVINGS, 1, 7)
    same = AccountKey(AccountCode.MEMBER_SAVINGS, 1, 7)
    assert hash(key) == hash(same) and {key: 1}[same] == 1
    assert key != AccountKey(AccountCode.VOLUNTARY_SAVINGS, 1, 7)
    copied = pickle.loads(pickle.dumps(key))
    assert "_hash" not in copied.__dict__ and copied == key and {key: 1}[copied] == 1
    assert Money.from_minor(1234, "KES").minor == 1234 == kes("12.34").minor
    assert Money.from_minor(-5, "UGX") == Money.of("-5", "UGX")
