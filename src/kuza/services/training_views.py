"""Read models of the training pages: a group's sessions with attendance counts and a
member's name beside her training record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Integer, cast, func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import member, training_attendance, training_module, training_session
from kuza.domain.errors import NotFound
from kuza.domain.training import ModuleProgress
from kuza.services.training import member_record


@dataclass(frozen=True)
class SessionRow:
    id: int
    held_on: date
    module_code: str
    module_name: str
    trainer: str
    hours: Decimal
    present: int
    roll: int


def group_sessions(db: Database, group_id: int) -> list[SessionRow]:
    """The group's sessions, newest first, with how many of the roll came."""
    a = training_attendance.c
    present = func.sum(cast(a.present, Integer))
    with db.read() as conn:
        rows = conn.execute(
            select(
                training_session.c.id,
                training_session.c.held_on,
                training_module.c.code,
                training_module.c.name,
                training_session.c.trainer,
                training_session.c.hours,
                func.count(a.id).label("roll"),
                func.coalesce(present, 0).label("present"),
            )
            .join(training_module, training_module.c.id == training_session.c.module_id)
            .outerjoin(training_attendance, a.session_id == training_session.c.id)
            .where(training_session.c.group_id == group_id)
            .group_by(
                training_session.c.id,
                training_session.c.held_on,
                training_module.c.code,
                training_module.c.name,
                training_session.c.trainer,
                training_session.c.hours,
            )
            .order_by(training_session.c.held_on.desc(), training_session.c.id.desc())
        ).all()
    return [
        SessionRow(
            r.id, r.held_on, r.code, r.name, r.trainer, Decimal(r.hours), int(r.present), r.roll
        )
        for r in rows
    ]


@dataclass(frozen=True)
class MemberTraining:
    member_id: int
    name: str
    modules: list[ModuleProgress]


def member_training(db: Database, member_id: int) -> MemberTraining:
    with db.read() as conn:
        name = conn.execute(select(member.c.name).where(member.c.id == member_id)).scalar()
        if name is None:
            raise NotFound("no member %(member_id)s", field="member_id", member_id=member_id)
        return MemberTraining(member_id, str(name), member_record(conn, member_id))
