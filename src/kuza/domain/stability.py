"""The group stability grade: the rule-based gate to Stage 2 (enterprise) training.

Six components, each a ratio in [0, 1] over a window of the group's recent meetings,
after the Panchasutra grading of Indian SHGs (regular meetings, regular savings,
internal lending, timely repayment, proper books) plus attendance. The score is the
weighted mean of the ratios on a 100-point scale; the grid (A > 85, B 75-85, C < 75,
pass = 75+) is the common NRLM one. Weights, minimums and thresholds are data: a
programme overrides them in ``programme.settings["stability"]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import StrEnum

from kuza.domain.errors import DomainError, RuleViolation
from kuza.domain.money import Money


class Component(StrEnum):
    MEETINGS = "meetings"
    ATTENDANCE = "attendance"
    SAVINGS = "savings"
    LENDING = "lending"
    REPAYMENT = "repayment"
    BOOKKEEPING = "bookkeeping"

    @property
    def label(self) -> str:
        """Its name in English: the label key the edges translate (the msgid)."""
        return _LABELS[self]


_LABELS = {
    Component.MEETINGS: "meeting regularity",
    Component.ATTENDANCE: "attendance",
    Component.SAVINGS: "savings regularity",
    Component.LENDING: "internal lending",
    Component.REPAYMENT: "on-time repayment",
    Component.BOOKKEEPING: "bookkeeping",
}


class Grade(StrEnum):
    A = "A"
    B = "B"
    C = "C"


DEFAULT_WEIGHTS: Mapping[Component, Decimal] = {
    Component.MEETINGS: Decimal("20"),
    Component.ATTENDANCE: Decimal("15"),
    Component.SAVINGS: Decimal("20"),
    Component.LENDING: Decimal("15"),
    Component.REPAYMENT: Decimal("15"),
    Component.BOOKKEEPING: Decimal("15"),
}

# Ratios a group must reach whatever its total; programmes change or drop them.
DEFAULT_MINIMUMS: Mapping[Component, Decimal] = {
    Component.MEETINGS: Decimal("0.80"),
    Component.ATTENDANCE: Decimal("0.75"),
    Component.SAVINGS: Decimal("0.80"),
    Component.REPAYMENT: Decimal("0.90"),
}

GRADE_A_ABOVE = Decimal("85")
PASS_MARK = Decimal("75")
LENDING_TARGET = Decimal("0.5")

# The score is shown and graded to one decimal, half up (84.95 reads, and grades, 85.0).
SCORE_QUANTUM = Decimal("0.1")


@dataclass(frozen=True)
class StabilityPolicy:
    weights: Mapping[Component, Decimal] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    minimums: Mapping[Component, Decimal] = field(default_factory=lambda: dict(DEFAULT_MINIMUMS))
    grade_a_above: Decimal = GRADE_A_ABOVE  # A when score > 85
    pass_mark: Decimal = PASS_MARK  # B from 75, C below; 75+ passes
    window_meetings: int = 12  # the last N scheduled meetings up to the grading day
    posting_days: int = 7  # books are up to date when a meeting is posted within N days
    lending_target: Decimal = LENDING_TARGET  # lent ÷ savings at which lending scores in full

    @classmethod
    def from_settings(cls, settings: Mapping[str, object]) -> StabilityPolicy:
        """Defaults overridden by ``settings["stability"]``: ``weights`` (points per
        component), ``minimums`` (percent, or null to drop one), ``grade_a_above``,
        ``pass_mark``, ``window_meetings``, ``posting_days``, ``lending_target`` (percent)."""
        raw = settings.get("stability")
        if raw is None:
            raw = {}
        if not isinstance(raw, Mapping):
            raise DomainError("settings.stability must be an object", field="stability")
        weights = dict(DEFAULT_WEIGHTS)
        for key, value in _mapping(raw, "weights").items():
            weights[_component(key, "weights")] = _number(value, f"stability.weights.{key}")
        if sum(weights.values()) <= 0:
            raise DomainError("stability weights add up to zero", field="stability.weights")
        minimums = dict(DEFAULT_MINIMUMS)
        for key, value in _mapping(raw, "minimums").items():
            comp = _component(key, "minimums")
            if value is None:
                minimums.pop(comp, None)
                continue
            pct = _number(value, f"stability.minimums.{key}")
            if pct > 100:
                raise DomainError(
                    "minimum for %(key)s is a percent (0-100), got %(pct)s",
                    field=f"stability.minimums.{key}",
                    key=key,
                    pct=pct,
                )
            minimums[comp] = pct / 100
        base = cls()
        target = raw.get("lending_target")
        return cls(
            weights=weights,
            minimums=minimums,
            grade_a_above=_number(
                raw.get("grade_a_above", base.grade_a_above), "stability.grade_a_above"
            ),
            pass_mark=_number(raw.get("pass_mark", base.pass_mark), "stability.pass_mark"),
            window_meetings=_whole(
                raw.get("window_meetings", base.window_meetings), "stability.window_meetings"
            ),
            posting_days=_whole(
                raw.get("posting_days", base.posting_days), "stability.posting_days"
            ),
            lending_target=base.lending_target
            if target is None
            else _number(target, "stability.lending_target") / 100,
        )


def _mapping(raw: Mapping[str, object], key: str) -> Mapping[str, object]:
    value = raw.get(key) or {}
    if not isinstance(value, Mapping):
        raise DomainError("stability.%(key)s must be an object", field=f"stability.{key}", key=key)
    return value


def _component(key: object, section: str) -> Component:
    try:
        return Component(str(key))
    except ValueError:
        known = ", ".join(c.value for c in Component)
        raise DomainError(
            "unknown component %(key)s in stability.%(section)s; use one of %(known)s",
            field=f"stability.{section}.{key}",
            key=repr(key),
            section=section,
            known=known,
        ) from None


def _number(value: object, field_name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise DomainError(
            "%(field_name)s must be a number", field=field_name, field_name=field_name
        )
    try:
        # str() first: a JSON float such as 12.5 is read as written, not as its binary value.
        number = Decimal(str(value))
    except ArithmeticError:
        raise DomainError(
            "%(field_name)s must be a number, not %(value)s",
            field_name,
            field_name=field_name,
            value=repr(value),
        ) from None
    if not number.is_finite() or number < 0:
        raise DomainError(
            "%(field_name)s must be zero or more, not %(value)s",
            field_name,
            field_name=field_name,
            value=repr(value),
        )
    return number


def _whole(value: object, field_name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise DomainError(
            "%(field_name)s must be a whole number ≥ 1", field=field_name, field_name=field_name
        )
    return value


@dataclass(frozen=True)
class StabilityInputs:
    """What happened in the window, counted by the caller."""

    window_start: date
    window_end: date
    meetings_scheduled: int
    meetings_held: int
    member_meetings: int  # members in the group at each meeting held, summed
    present: int  # of those, members marked present
    saved_in_full: int  # of those, members who paid at least the compulsory saving
    posting_delays: tuple[int, ...]  # days from holding to posting, one per meeting held
    savings: Money  # members' savings, the denominator of loan-fund utilisation
    lent: Money  # principal lent from the group fund in the window (0: no loans yet)
    on_time_repayment: Decimal | None = None  # None: no instalment due yet


class Note(StrEnum):
    """Why a component reads as it does, beyond its ratio."""

    NO_INSTALMENT_DUE = "no_instalment_due"  # repayment does not apply, its weight shared
    NO_INTERNAL_LOANS = "no_internal_loans"  # lending is 0 because nothing was lent yet


@dataclass(frozen=True)
class ComponentScore:
    component: Component
    ratio: Decimal | None  # None: not applicable, its weight goes to the others
    weight: Decimal  # the component's points
    minimum: Decimal | None
    note: Note | None = None

    @property
    def below_minimum(self) -> bool:
        return self.ratio is not None and self.minimum is not None and self.ratio < self.minimum

    @property
    def percent(self) -> Decimal | None:
        """The ratio as a whole percent rounded down, as shown: 0.749 reads 74, so a
        ratio below a minimum of 75% never reads as 75."""
        if self.ratio is None:
            return None
        return (self.ratio * 100).quantize(Decimal(1), rounding=ROUND_DOWN)


@dataclass(frozen=True)
class StabilityGrade:
    """The grade and what it is made of; its reasons are worded at the edges, in the
    reader's language, from these values (no sentence is built here)."""

    score: Decimal  # 0-100, one decimal (SCORE_QUANTUM, half up)
    grade: Grade
    passed: bool
    components: tuple[ComponentScore, ...]
    inputs: StabilityInputs
    pass_mark: Decimal
    posting_days: int  # bookkeeping counts the meetings posted within this many days

    @property
    def reaches_pass_mark(self) -> bool:
        return self.score >= self.pass_mark

    @property
    def below_minimum(self) -> tuple[ComponentScore, ...]:
        return tuple(c for c in self.components if c.below_minimum)


def _ratio(part: int, whole: int) -> Decimal:
    return Decimal(0) if whole <= 0 else min(Decimal(part) / Decimal(whole), Decimal(1))


def ratios(inputs: StabilityInputs, policy: StabilityPolicy) -> dict[Component, Decimal | None]:
    if inputs.meetings_scheduled <= 0:
        raise RuleViolation(
            (
                "no meeting was scheduled between %(window_start)s and "
                "%(window_end)s; grade the group after its first meetings"
            ),
            field="as_of",
            window_start=inputs.window_start,
            window_end=inputs.window_end,
        )
    on_time = sum(1 for d in inputs.posting_delays if d <= policy.posting_days)
    if inputs.savings.amount > 0 and policy.lending_target > 0:
        used = inputs.lent.amount / inputs.savings.amount
        lending = min(used / policy.lending_target, Decimal(1))
    else:
        lending = Decimal(0)
    repayment = inputs.on_time_repayment
    if repayment is not None and not Decimal(0) <= repayment <= Decimal(1):
        raise DomainError("on-time repayment is a rate between 0 and 1", "on_time_repayment")
    return {
        Component.MEETINGS: _ratio(inputs.meetings_held, inputs.meetings_scheduled),
        Component.ATTENDANCE: _ratio(inputs.present, inputs.member_meetings),
        Component.SAVINGS: _ratio(inputs.saved_in_full, inputs.member_meetings),
        Component.LENDING: lending,
        Component.REPAYMENT: repayment,
        Component.BOOKKEEPING: _ratio(on_time, len(inputs.posting_delays)),
    }


def _note(component: Component, ratio: Decimal | None, inputs: StabilityInputs) -> Note | None:
    if ratio is None:
        return Note.NO_INSTALMENT_DUE
    if component is Component.LENDING and inputs.lent.is_zero():
        return Note.NO_INTERNAL_LOANS
    return None


def grade_stability(inputs: StabilityInputs, policy: StabilityPolicy) -> StabilityGrade:
    components = tuple(
        ComponentScore(
            comp,
            ratio,
            policy.weights.get(comp, Decimal(0)),
            policy.minimums.get(comp),
            _note(comp, ratio, inputs),
        )
        for comp, ratio in ratios(inputs, policy).items()
    )
    counted = [c for c in components if c.ratio is not None]
    weight = sum((c.weight for c in counted), Decimal(0))
    if weight <= 0:
        raise DomainError("the components that apply all weigh zero", field="stability.weights")
    exact = sum((c.weight * c.ratio for c in counted if c.ratio is not None), Decimal(0))
    score = (exact * 100 / weight).quantize(SCORE_QUANTUM, rounding=ROUND_HALF_UP)
    if score > policy.grade_a_above:
        grade = Grade.A
    elif score >= policy.pass_mark:
        grade = Grade.B
    else:
        grade = Grade.C
    passed = score >= policy.pass_mark and not any(c.below_minimum for c in components)
    return StabilityGrade(
        score, grade, passed, components, inputs, policy.pass_mark, policy.posting_days
    )
