"""Stage 2, training: the catalogue, the completion rule and the gates.

Gates are data: each programme keeps them in ``programme.settings["training"]``, read
through :func:`training_rules`, so a programme can change the pass mark or the module
needed before credit without a code change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from kuza.domain.errors import DomainError
from kuza.domain.money import to_decimal


class TrainingCategory(StrEnum):
    BUSINESS = "business"  # bookkeeping, business planning, marketing, pricing
    VOCATIONAL = "vocational"  # poultry, tailoring, tea, handicrafts
    FINANCIAL = "financial"  # credit management
    SOCIAL = "social"  # health, children's education, self-confidence


class MaterialFormat(StrEnum):
    TEXT = "text"
    PICTORIAL = "pictorial"  # for members who cannot read


class CompletionBasis(StrEnum):
    SESSIONS = "sessions"  # sessions attended / sessions held for her group
    HOURS = "hours"  # hours attended / the module's expected hours


@dataclass(frozen=True)
class TrainingModule:
    id: int
    code: str
    name: str
    category: TrainingCategory
    expected_hours: Decimal
    material_format: MaterialFormat


def check_module(code: str, name: str, expected_hours: object) -> Decimal:
    """Validate a catalogue entry; returns the expected hours as a Decimal."""
    if not code.strip() or " " in code.strip():
        raise DomainError("code is required and has no spaces, e.g. credit-management", "code")
    if len(code.strip()) > 60:
        raise DomainError("a code has no spaces and at most %(max)s characters", "code", max=60)
    if not name.strip():
        raise DomainError("name is required", field="name")
    if len(name.strip()) > 200:
        raise DomainError("a name has at most %(max)s characters", field="name", max=200)
    hours = to_decimal(expected_hours, "expected_hours")
    if hours <= 0:
        raise DomainError("expected_hours must be more than zero", field="expected_hours")
    if hours > 1000 or hours != hours.quantize(Decimal("0.01")):
        raise DomainError(
            "expected_hours is at most 1000, with at most two decimals", field="expected_hours"
        )
    return hours


def check_session_hours(hours: object) -> Decimal:
    value = to_decimal(hours, "hours")
    if value <= 0 or value > 24:
        raise DomainError("hours of a session must be between 0 and 24", field="hours")
    return value


@dataclass(frozen=True)
class TrainingRules:
    """A programme's training settings (defaults apply to anything not set)."""

    basis: CompletionBasis = CompletionBasis.SESSIONS
    min_percent: Decimal = Decimal(75)
    stage2_needs_stability: bool = True  # group enters Stage 2 only with a passing grade
    credit_module: str | None = "credit-management"  # module needed before external loans


def training_rules(settings: Mapping[str, object] | None) -> TrainingRules:
    """Read ``settings["training"]``; unknown keys are refused so a typo is not a silent no."""
    raw = (settings or {}).get("training") or {}
    if not isinstance(raw, Mapping):
        raise DomainError("settings.training must be an object", field="training")
    known = {"basis", "min_percent", "stage2_needs_stability", "credit_module"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise DomainError(
            "unknown training setting(s): %(names)s", unknown[0], names=", ".join(unknown)
        )
    default = TrainingRules()
    try:
        basis = CompletionBasis(raw.get("basis", default.basis.value))
    except ValueError:
        raise DomainError("basis must be 'sessions' or 'hours'", field="basis") from None
    percent = to_decimal(raw.get("min_percent", str(default.min_percent)), "min_percent")
    if not 0 < percent <= 100:
        raise DomainError("min_percent must be above 0 and at most 100", field="min_percent")
    credit = raw.get("credit_module", default.credit_module)
    if credit is not None and not isinstance(credit, str):
        raise DomainError("credit_module must be a module code or null", "credit_module")
    return TrainingRules(
        basis=basis,
        min_percent=percent,
        stage2_needs_stability=bool(raw.get("stage2_needs_stability", True)),
        credit_module=credit,
    )


@dataclass(frozen=True)
class Attendance:
    """One session of a module held for the member's group, and whether she came."""

    session_id: int
    hours: Decimal
    present: bool


@dataclass(frozen=True)
class ModuleProgress:
    module: TrainingModule
    sessions_held: int
    sessions_attended: int
    hours_attended: Decimal
    percent: Decimal  # of sessions or of expected hours, per the rule's basis
    completed: bool


def progress(
    module: TrainingModule, attendance: Sequence[Attendance], rules: TrainingRules
) -> ModuleProgress:
    """Has a member completed ``module``? Attended ≥ ``min_percent`` of the basis.

    On the sessions basis the denominator is the sessions held for her group while she was
    a member; on the hours basis it is the module's expected hours (hours beyond it do not
    count twice: the percentage is capped at 100).
    """
    held = len(attendance)
    came = [a for a in attendance if a.present]
    hours = sum((a.hours for a in came), Decimal(0))
    percent = completion_percent(module.expected_hours, held, len(came), hours, rules)
    return ModuleProgress(
        module, held, len(came), hours, percent, held > 0 and percent >= rules.min_percent
    )


def completion_percent(
    expected_hours: Decimal, held: int, came: int, hours: Decimal, rules: TrainingRules
) -> Decimal:
    """The percentage :func:`progress` compares with the pass mark, from the counts alone
    (sessions held, sessions attended, hours attended): the dashboard counts them in SQL."""
    if rules.basis is CompletionBasis.SESSIONS:
        percent = Decimal(100) * came / held if held else Decimal(0)
    else:
        percent = min(Decimal(100), Decimal(100) * hours / expected_hours)
    return percent.quantize(Decimal("0.01"))


def completed(
    expected_hours: Decimal, held: int, came: int, hours: Decimal, rules: TrainingRules
) -> bool:
    """Whether :func:`progress` says completed, from the same counts."""
    return held > 0 and completion_percent(expected_hours, held, came, hours, rules) >= (
        rules.min_percent
    )
