"""The stability grade, scored by hand with the default 100-point grid:
meetings 20, attendance 15, savings 20, lending 15, repayment 15, bookkeeping 15."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from kuza.domain.errors import DomainError, RuleViolation
from kuza.domain.money import Money
from kuza.domain.stability import (
    Component,
    ComponentScore,
    Grade,
    Note,
    StabilityGrade,
    StabilityInputs,
    StabilityPolicy,
    grade_stability,
)

DEFAULT = StabilityPolicy()


def kes(value: str) -> Money:
    return Money.of(value, "KES")


# 12 of 12 meetings held, 25 members: 300 member-meetings, 186 present (62%), 270 paid
# the compulsory saving in full (90%); 2000 lent on 10000 savings = 20% ÷ 50% target = 40%;
# 95% repaid on time; 9 of 12 meetings posted within 7 days (75%).
EXAMPLE = StabilityInputs(
    window_start=date(2026, 1, 5),
    window_end=date(2026, 3, 23),
    meetings_scheduled=12,
    meetings_held=12,
    member_meetings=300,
    present=186,
    saved_in_full=270,
    posting_delays=(0, 1, 2, 3, 7, 7, 0, 0, 1, 8, 14, 30),
    savings=kes("10000"),
    lent=kes("2000"),
    on_time_repayment=Decimal("0.95"),
)


def shown(result: StabilityGrade) -> dict[Component, tuple[object, ...]]:
    """Per component what its reason says: percent shown, minimum, below it, note."""
    return {c.component: (c.percent, c.minimum, c.below_minimum, c.note) for c in result.components}


def component(result: StabilityGrade, which: Component) -> ComponentScore:
    return next(c for c in result.components if c.component is which)


def test_hand_scored_example() -> None:
    # 20×1 + 15×0.62 + 20×0.9 + 15×0.4 + 15×0.95 + 15×0.75
    # = 20 + 9.3 + 18 + 6 + 14.25 + 11.25 = 78.8 of 100 → B, but attendance is below 75%.
    result = grade_stability(EXAMPLE, DEFAULT)
    assert result.score == Decimal("78.8")
    assert result.grade is Grade.B
    assert not result.passed
    assert shown(result) == {
        Component.MEETINGS: (100, Decimal("0.80"), False, None),
        Component.ATTENDANCE: (62, Decimal("0.75"), True, None),
        Component.SAVINGS: (90, Decimal("0.80"), False, None),
        Component.LENDING: (40, None, False, None),
        Component.REPAYMENT: (95, Decimal("0.90"), False, None),
        Component.BOOKKEEPING: (75, None, False, None),
    }
    assert [c.weight for c in result.components] == [20, 15, 20, 15, 15, 15]
    assert (result.pass_mark, result.reaches_pass_mark, result.posting_days) == (75, True, 7)
    assert [c.component for c in result.below_minimum] == [Component.ATTENDANCE]


def test_repayment_not_applicable_is_dropped_and_weights_renormalised() -> None:
    # Without repayment the weights add to 85: (20 + 9.3 + 18 + 6 + 11.25) / 85 × 100
    # = 64.55 / 85 × 100 = 75.9411... → 75.9.
    result = grade_stability(replace(EXAMPLE, on_time_repayment=None), DEFAULT)
    assert result.score == Decimal("75.9")
    repayment = component(result, Component.REPAYMENT)
    assert (repayment.ratio, repayment.percent, repayment.weight) == (None, None, 15)
    assert repayment.note is Note.NO_INSTALMENT_DUE and not repayment.below_minimum


def test_a_young_group_without_loans() -> None:
    # Everything perfect, no loans yet: lending 0, repayment dropped.
    # (20 + 15 + 20 + 0 + 15) / 85 × 100 = 82.352... → 82.4 → B, passes (no minimum missed).
    young = replace(
        EXAMPLE,
        present=300,
        saved_in_full=300,
        posting_delays=(0,) * 12,
        lent=kes("0"),
        on_time_repayment=None,
    )
    result = grade_stability(young, DEFAULT)
    assert (result.score, result.grade, result.passed) == (Decimal("82.4"), Grade.B, True)
    assert shown(result)[Component.LENDING] == (0, None, False, Note.NO_INTERNAL_LOANS)
    # Lending half its savings fills the lending target: 100 → A.
    lending = grade_stability(replace(young, lent=kes("5000")), DEFAULT)
    assert (lending.score, lending.grade) == (Decimal("100.0"), Grade.A)
    assert component(lending, Component.LENDING).note is None


def test_weights_override_from_programme_settings() -> None:
    # attendance 35, lending 0; others default → weights add to 105.
    # 20 + 35×0.62 + 18 + 0 + 14.25 + 11.25 = 85.2; 85.2 / 105 × 100 = 81.142... → 81.1.
    policy = StabilityPolicy.from_settings(
        {"stability": {"weights": {"attendance": 35, "lending": "0"}}}
    )
    assert policy.weights[Component.ATTENDANCE] == Decimal(35)
    assert grade_stability(EXAMPLE, policy).score == Decimal("81.1")


def test_minimums_override_and_drop() -> None:
    policy = StabilityPolicy.from_settings({"stability": {"minimums": {"attendance": 60}}})
    result = grade_stability(EXAMPLE, policy)
    assert shown(result)[Component.ATTENDANCE] == (62, Decimal("0.6"), False, None)
    assert result.passed and result.below_minimum == ()  # 78.8 ≥ 75, every minimum met
    dropped = StabilityPolicy.from_settings({"stability": {"minimums": {"attendance": None}}})
    assert shown(grade_stability(EXAMPLE, dropped))[Component.ATTENDANCE] == (62, None, False, None)


def test_score_rounds_half_up_and_the_a_boundary_is_strict() -> None:
    # Only attendance weighs: 1699 present of 2000 = 84.95% → 85.0 (half up) → B, since A
    # needs more than 85. The percent shown rounds down, so it never looks like it passed.
    policy = StabilityPolicy.from_settings(
        {
            "stability": {
                "weights": {c.value: 0 for c in Component if c is not Component.ATTENDANCE},
                "minimums": {"attendance": "85"},
            }
        }
    )
    inputs = replace(EXAMPLE, member_meetings=2000, present=1699)
    result = grade_stability(inputs, policy)
    assert (result.score, result.grade) == (Decimal("85.0"), Grade.B)
    assert shown(result)[Component.ATTENDANCE] == (84, Decimal("0.85"), True, None)
    assert result.reaches_pass_mark and not result.passed


def test_thresholds_from_settings() -> None:
    policy = StabilityPolicy.from_settings(
        {"stability": {"pass_mark": 80, "grade_a_above": "90", "posting_days": 14}}
    )
    result = grade_stability(EXAMPLE, policy)
    # delays within 14 days: 11 of 12 → 91.66%; 20 + 9.3 + 18 + 6 + 14.25 + 15×11/12
    # = 67.55 + 13.75 = 81.3 → B under a pass mark of 80, still held back by attendance.
    assert result.score == Decimal("81.3")
    assert (component(result, Component.BOOKKEEPING).percent, result.posting_days) == (91, 14)
    assert (result.pass_mark, result.reaches_pass_mark) == (80, True)
    assert [c.component for c in result.below_minimum] == [Component.ATTENDANCE]


def test_ratios_are_capped_and_empty_windows_refused() -> None:
    # An extra, unscheduled meeting does not make regularity more than 100%.
    extra = grade_stability(replace(EXAMPLE, meetings_held=13), DEFAULT)
    assert extra.components[0].ratio == Decimal(1)
    with pytest.raises(RuleViolation) as err:
        grade_stability(replace(EXAMPLE, meetings_scheduled=0), DEFAULT)
    assert err.value.field == "as_of"


@pytest.mark.parametrize(
    "settings,field",
    [
        ({"stability": {"weights": {"punctuality": 10}}}, "stability.weights.punctuality"),
        ({"stability": {"weights": {"attendance": -1}}}, "stability.weights.attendance"),
        ({"stability": {"weights": {"attendance": True}}}, "stability.weights.attendance"),
        ({"stability": {"minimums": {"attendance": 120}}}, "stability.minimums.attendance"),
        ({"stability": {"window_meetings": 0}}, "stability.window_meetings"),
        ({"stability": []}, "stability"),
    ],
)
def test_bad_settings_name_the_field(settings: dict[str, object], field: str) -> None:
    with pytest.raises(DomainError) as err:
        StabilityPolicy.from_settings(settings)
    assert err.value.field == field


def test_empty_settings_are_the_defaults() -> None:
    assert StabilityPolicy.from_settings({}) == DEFAULT
