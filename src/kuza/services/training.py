"""Stage 2 use cases: the catalogue, a group entering Stage 2, sessions with attendance,
a member's training record, and the credit gate the loans service asks about."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import Connection, insert, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.impact_months import mark_stale, session_days_of
from kuza.adapters.db.schema import (
    group_stage,
    member,
    programme,
    training_attendance,
    training_module,
    training_session,
)
from kuza.domain.errors import Conflict, DomainError, NotFound, RuleViolation
from kuza.domain.training import (
    Attendance,
    MaterialFormat,
    ModuleProgress,
    TrainingCategory,
    TrainingModule,
    TrainingRules,
    check_module,
    check_session_hours,
    progress,
    training_rules,
)
from kuza.services import audit
from kuza.services.groups import group_row, members_on

TRAINING_STAGE = 2


class Grade(Protocol):
    @property
    def passed(self) -> bool: ...


GradeCheck = Callable[[Database, int, date], Grade]


def _default_grade_check() -> GradeCheck:
    try:
        stability = importlib.import_module("kuza.services.stability")
    except ModuleNotFoundError:
        raise RuleViolation(
            "stability grading is not available; pass a grade check", field="grade"
        ) from None
    check: GradeCheck = stability.grade_group
    return check


def rules_for(conn: Connection, programme_id: int) -> TrainingRules:
    settings = conn.execute(
        select(programme.c.settings).where(programme.c.id == programme_id)
    ).scalar()
    if settings is None:
        raise NotFound(
            "no programme %(programme_id)s", field="programme_id", programme_id=programme_id
        )
    return training_rules(settings)


def _to_module(r: Any) -> TrainingModule:
    return TrainingModule(
        r.id,
        r.code,
        r.name,
        TrainingCategory(r.category),
        Decimal(r.expected_hours),
        MaterialFormat(r.material_format),
    )


def add_module(
    db: Database,
    programme_id: int,
    code: str,
    name: str,
    category: TrainingCategory,
    expected_hours: str,
    material_format: MaterialFormat = MaterialFormat.TEXT,
    actor: str = "system",
) -> int:
    hours = check_module(code, name, expected_hours)
    with db.transaction() as conn:
        rules_for(conn, programme_id)  # the programme exists and its settings parse
        exists = conn.execute(
            select(training_module.c.id).where(
                training_module.c.programme_id == programme_id,
                training_module.c.code == code.strip(),
            )
        ).scalar()
        if exists is not None:
            raise Conflict(
                "module %(code)s is already in the catalogue", field="code", code=repr(code)
            )
        mid = conn.execute(
            insert(training_module)
            .values(
                programme_id=programme_id,
                code=code.strip(),
                name=name.strip(),
                category=category.value,
                expected_hours=hours,
                material_format=material_format.value,
            )
            .returning(training_module.c.id)
        ).scalar_one()
        audit.record(
            conn, programme_id, actor, "create", "training_module", mid, None, {"code": code}
        )
        return int(mid)


def catalogue(db: Database, programme_id: int) -> list[TrainingModule]:
    with db.read() as conn:
        rows = conn.execute(
            select(training_module)
            .where(training_module.c.programme_id == programme_id)
            .order_by(training_module.c.category, training_module.c.code)
        )
        return [_to_module(r) for r in rows]


def module_by_code(conn: Connection, programme_id: int, code: str) -> TrainingModule:
    row = conn.execute(
        select(training_module).where(
            training_module.c.programme_id == programme_id, training_module.c.code == code
        )
    ).first()
    if row is None:
        raise NotFound(
            "no training module %(code)s in this programme", field="module_code", code=repr(code)
        )
    return _to_module(row)


def stage_entered_on(conn: Connection, group_id: int, stage: int) -> date | None:
    found: date | None = conn.execute(
        select(group_stage.c.entered_on).where(
            group_stage.c.group_id == group_id, group_stage.c.stage == stage
        )
    ).scalar()
    return found


def enter_training_stage(
    db: Database,
    group_id: int,
    on: date,
    actor: str = "system",
    grade_check: GradeCheck | None = None,
) -> int:
    """Admit a group to Stage 2; with the programme's gate on, only on a passing grade."""
    with db.read() as conn:
        g = group_row(conn, group_id)
        rules = rules_for(conn, g.programme_id)
    evidence: dict[str, Any] = {"stability_required": rules.stage2_needs_stability}
    if rules.stage2_needs_stability:
        # Graded before our transaction opens: the grader reads with its own connection.
        grade = (grade_check or _default_grade_check())(db, group_id, on)
        evidence["stability_passed"] = bool(grade.passed)
        if not grade.passed:
            raise RuleViolation(
                (
                    "group %(g_name)s has no passing stability grade on %(on)s; "
                    "it cannot start training yet"
                ),
                field="group_id",
                g_name=g.name,
                on=on,
            )
    with db.transaction() as conn:
        if stage_entered_on(conn, group_id, TRAINING_STAGE) is not None:
            raise Conflict(
                "group %(g_name)s is already in Stage 2", field="group_id", g_name=g.name
            )
        if on < g.formed_on:
            raise RuleViolation("the date is before the group formed", field="on")
        sid = conn.execute(
            insert(group_stage)
            .values(
                programme_id=g.programme_id,
                group_id=group_id,
                stage=TRAINING_STAGE,
                entered_on=on,
                evidence=evidence,
            )
            .returning(group_stage.c.id)
        ).scalar_one()
        audit.record(conn, g.programme_id, actor, "enter_stage", "group", group_id, None, evidence)
        return int(sid)


def record_session(
    db: Database,
    group_id: int,
    module_code: str,
    trainer: str,
    held_on: date,
    hours: str,
    present: Iterable[int],
    actor: str = "system",
) -> int:
    """A session given to a group; every member on that day gets an attendance line."""
    length = check_session_hours(hours)
    if not trainer.strip():
        raise DomainError("trainer is required", field="trainer")
    came = set(present)
    with db.transaction() as conn:
        g = group_row(conn, group_id)
        entered = stage_entered_on(conn, group_id, TRAINING_STAGE)
        if entered is None or held_on < entered:
            raise RuleViolation(
                "group %(g_name)s has not entered Stage 2 (training) by %(held_on)s",
                field="held_on",
                g_name=g.name,
                held_on=held_on,
            )
        module = module_by_code(conn, g.programme_id, module_code)
        roll = members_on(conn, group_id, held_on)
        strangers = sorted(came - set(roll))
        if strangers:
            raise DomainError(
                "member(s) %(strangers)s are not in group %(g_name)s on %(held_on)s",
                field="present",
                strangers=strangers,
                g_name=g.name,
                held_on=held_on,
            )
        # the dashboard's months of the session and of the members' other sessions of
        # the module: a (member, module) pair is summed in the month of its last one
        days = session_days_of(conn, g.programme_id, module.id, roll)
        mark_stale(conn, g.programme_id, [held_on, *days])
        sid = conn.execute(
            insert(training_session)
            .values(
                programme_id=g.programme_id,
                group_id=group_id,
                module_id=module.id,
                trainer=trainer.strip(),
                held_on=held_on,
                hours=length,
            )
            .returning(training_session.c.id)
        ).scalar_one()
        if roll:
            conn.execute(
                insert(training_attendance),
                [
                    {
                        "programme_id": g.programme_id,
                        "session_id": sid,
                        "member_id": m,
                        "present": m in came,
                    }
                    for m in roll
                ],
            )
        audit.record(
            conn,
            g.programme_id,
            actor,
            "record",
            "training_session",
            sid,
            None,
            {"module": module.code, "present": sorted(came)},
        )
        return int(sid)


def _member_programme(conn: Connection, member_id: int) -> int:
    pid = conn.execute(select(member.c.programme_id).where(member.c.id == member_id)).scalar()
    if pid is None:
        raise NotFound("no member %(member_id)s", field="member_id", member_id=member_id)
    return int(pid)


def _attendance(conn: Connection, member_id: int) -> dict[int, list[Attendance]]:
    rows = conn.execute(
        select(
            training_session.c.module_id,
            training_session.c.id,
            training_session.c.hours,
            training_attendance.c.present,
        )
        .join(training_session, training_session.c.id == training_attendance.c.session_id)
        .where(training_attendance.c.member_id == member_id)
        .order_by(training_session.c.held_on, training_session.c.id)
    )
    by_module: dict[int, list[Attendance]] = {}
    for r in rows:
        by_module.setdefault(r.module_id, []).append(
            Attendance(r.id, Decimal(r.hours), bool(r.present))
        )
    return by_module


def member_record(conn: Connection, member_id: int) -> list[ModuleProgress]:
    """Every module taught to her group(s), with her progress; reads inside ``conn``."""
    pid = _member_programme(conn, member_id)
    rules = rules_for(conn, pid)
    by_module = _attendance(conn, member_id)
    modules = conn.execute(
        select(training_module).where(training_module.c.id.in_(by_module or [-1]))
    )
    return sorted(
        (progress(_to_module(m), by_module[m.id], rules) for m in modules),
        key=lambda p: p.module.code,
    )


def training_record(db: Database, member_id: int) -> list[ModuleProgress]:
    with db.read() as conn:
        return member_record(conn, member_id)


def completed_in(conn: Connection, member_id: int, module_code: str) -> bool:
    pid = _member_programme(conn, member_id)
    module = module_by_code(conn, pid, module_code)
    attended = _attendance(conn, member_id).get(module.id, [])
    return progress(module, attended, rules_for(conn, pid)).completed


def has_completed(db: Database, member_id: int, module_code: str) -> bool:
    with db.read() as conn:
        return completed_in(conn, member_id, module_code)


def credit_gate_passed_in(conn: Connection, member_id: int) -> bool:
    """The external-loan gate, for callers already inside a transaction."""
    rules = rules_for(conn, _member_programme(conn, member_id))
    if rules.credit_module is None:
        return True
    return completed_in(conn, member_id, rules.credit_module)


def credit_gate_passed(db: Database, member_id: int) -> bool:
    """May this member take an external loan? Only after the programme's credit module."""
    with db.read() as conn:
        return credit_gate_passed_in(conn, member_id)
