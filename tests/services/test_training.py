"""Stage 2: catalogue, the stability gate, sessions, completion and the credit gate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import programme, training_session
from kuza.domain.errors import Conflict, DomainError, NotFound, RuleViolation
from kuza.domain.training import (
    Attendance,
    CompletionBasis,
    MaterialFormat,
    TrainingCategory,
    TrainingModule,
    TrainingRules,
    progress,
    training_rules,
)
from kuza.services import training
from tests.factories import make_world

DAY = date(2026, 3, 2)


@dataclass(frozen=True)
class FakeGrade:
    passed: bool


def passing(_db: Database, _gid: int, _on: date) -> FakeGrade:
    return FakeGrade(True)


def failing(_db: Database, _gid: int, _on: date) -> FakeGrade:
    return FakeGrade(False)


def set_settings(db: Database, pid: int, settings: dict[str, object]) -> None:
    with db.transaction() as conn:
        conn.execute(programme.update().where(programme.c.id == pid).values(settings=settings))


def catalogue(db: Database, pid: int) -> None:
    training.add_module(
        db, pid, "credit-management", "Credit management", TrainingCategory.FINANCIAL, "6"
    )
    training.add_module(
        db,
        pid,
        "poultry",
        "Poultry keeping",
        TrainingCategory.VOCATIONAL,
        "4",
        MaterialFormat.PICTORIAL,
    )


# -- pure rule --------------------------------------------------------------------------
MODULE = TrainingModule(1, "m", "M", TrainingCategory.BUSINESS, Decimal(4), MaterialFormat.TEXT)


def test_sessions_basis_needs_the_percentage_of_sessions_held() -> None:
    rows = [Attendance(i, Decimal(2), i < 3) for i in range(4)]  # 3 of 4 = 75%
    assert progress(MODULE, rows, TrainingRules()).completed
    assert not progress(MODULE, rows, TrainingRules(min_percent=Decimal(80))).completed


def test_hours_basis_counts_attended_hours_against_expected_hours() -> None:
    rules = TrainingRules(basis=CompletionBasis.HOURS, min_percent=Decimal(75))
    # 1.5 + 1.5 = 3 hours of the module's 4 = 75%
    rows = [Attendance(1, Decimal("1.5"), True), Attendance(2, Decimal("1.5"), True)]
    assert progress(MODULE, rows, rules).percent == Decimal("75.00")
    assert progress(MODULE, rows, rules).completed
    # extra hours never push the share beyond 100%
    assert progress(MODULE, [Attendance(1, Decimal(9), True)], rules).percent == 100


def test_no_session_held_is_not_completed() -> None:
    assert not progress(MODULE, [], TrainingRules()).completed


def test_rules_are_read_from_settings_and_typos_refused() -> None:
    rules = training_rules({"training": {"basis": "hours", "min_percent": "80"}})
    assert rules.basis is CompletionBasis.HOURS and rules.min_percent == 80
    with pytest.raises(DomainError) as exc:
        training_rules({"training": {"min_pct": "80"}})
    assert exc.value.field == "min_pct"
    with pytest.raises(DomainError) as exc:
        training_rules({"training": {"min_percent": "120"}})
    assert exc.value.field == "min_percent"


# -- storage ----------------------------------------------------------------------------
def test_catalogue_and_duplicate_code(db: Database) -> None:
    w = make_world(db)
    catalogue(db, w.programme_id)
    mods = training.catalogue(db, w.programme_id)
    assert [(m.code, m.material_format) for m in mods] == [
        ("credit-management", MaterialFormat.TEXT),
        ("poultry", MaterialFormat.PICTORIAL),
    ]
    with pytest.raises(Conflict):
        training.add_module(db, w.programme_id, "poultry", "x", TrainingCategory.VOCATIONAL, "1")
    with pytest.raises(DomainError) as exc:
        training.add_module(db, w.programme_id, "tea", "Tea", TrainingCategory.VOCATIONAL, "0")
    assert exc.value.field == "expected_hours"


def test_stage2_gate_needs_a_passing_grade(db: Database) -> None:
    w = make_world(db)
    with pytest.raises(RuleViolation) as exc:
        training.enter_training_stage(db, w.group_id, DAY, grade_check=failing)
    assert exc.value.field == "group_id"
    catalogue(db, w.programme_id)
    with pytest.raises(RuleViolation):  # nothing was written: still not in Stage 2
        training.record_session(db, w.group_id, "poultry", "Asha", DAY, "2", w.member_ids)
    training.enter_training_stage(db, w.group_id, DAY, grade_check=passing)
    with pytest.raises(Conflict):
        training.enter_training_stage(db, w.group_id, DAY, grade_check=passing)


def test_gate_switched_off_in_settings_needs_no_grade(db: Database) -> None:
    w = make_world(db)
    set_settings(db, w.programme_id, {"training": {"stage2_needs_stability": False}})
    training.enter_training_stage(db, w.group_id, DAY, grade_check=failing)


def test_completion_and_credit_gate(db: Database) -> None:
    w = make_world(db, members=3)
    a, b, c = w.member_ids
    catalogue(db, w.programme_id)
    training.enter_training_stage(db, w.group_id, DAY, grade_check=passing)
    # four credit sessions: a comes to 4 (100%), b to 3 (75%), c to 2 (50%)
    for i, present in enumerate([[a, b, c], [a, b, c], [a, b], [a]]):
        training.record_session(
            db, w.group_id, "credit-management", "Asha", date(2026, 3, 2 + 7 * i), "1.5", present
        )
    assert training.credit_gate_passed(db, a)
    assert training.credit_gate_passed(db, b)
    assert not training.credit_gate_passed(db, c)
    assert not training.has_completed(db, a, "poultry")
    record = training.training_record(db, c)
    assert [(p.module.code, p.sessions_held, p.sessions_attended) for p in record] == [
        ("credit-management", 4, 2)
    ]
    assert record[0].hours_attended == Decimal("3.0")
    # a stricter programme: 80% needed, so b (75%) no longer passes
    set_settings(db, w.programme_id, {"training": {"min_percent": "80"}})
    assert not training.credit_gate_passed(db, b)
    # a programme without a credit module gate lets everybody through
    set_settings(db, w.programme_id, {"training": {"credit_module": None}})
    assert training.credit_gate_passed(db, c)


def test_bad_sessions_write_nothing(db: Database) -> None:
    w = make_world(db)
    catalogue(db, w.programme_id)
    training.enter_training_stage(db, w.group_id, DAY, grade_check=passing)
    with pytest.raises(DomainError) as exc:
        training.record_session(db, w.group_id, "poultry", "Asha", DAY, "2", [999])
    assert exc.value.field == "present"
    with pytest.raises(NotFound) as exc:
        training.record_session(db, w.group_id, "weaving", "Asha", DAY, "2", [])
    assert exc.value.field == "module_code"
    with pytest.raises(DomainError) as exc:
        training.record_session(db, w.group_id, "poultry", "Asha", DAY, "-1", [])
    assert exc.value.field == "hours"
    with pytest.raises(RuleViolation) as exc:
        training.record_session(db, w.group_id, "poultry", "Asha", date(2026, 2, 1), "2", [])
    assert exc.value.field == "held_on"
    with db.read() as conn:
        assert conn.execute(select(func.count()).select_from(training_session)).scalar() == 0
