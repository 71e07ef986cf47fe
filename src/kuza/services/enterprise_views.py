"""Read models of the enterprise and job pages, and who may see an enterprise.

Scoping follows the groups rule: admin all; country manager and finance the programme;
branch manager the enterprise's branch; field agent the enterprises owned by members of
her groups; donors none (names of owners and workers are personal data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    branch,
    enterprise,
    enterprise_owner,
    job,
    job_event,
    job_verification,
    member,
    membership,
    savings_group,
    value_chain,
)
from kuza.domain.access import Principal, Role, group_filter
from kuza.domain.errors import NotFound


@dataclass(frozen=True)
class EnterpriseRow:
    id: int
    name: str
    sector: str
    value_chain: str
    branch: str
    status: str
    started_on: date
    jobs: int


@dataclass(frozen=True)
class EventRow:
    id: int
    kind: str
    on: date
    work_time: str
    fte_change: Decimal
    verified_on: date | None
    verified_by: str
    method: str


@dataclass(frozen=True)
class JobRow:
    id: int
    role: str
    worker: str
    events: list[EventRow]


@dataclass(frozen=True)
class EnterpriseView:
    row: EnterpriseRow
    location: str
    registered: bool
    household_size: int
    owners: list[tuple[int, str]]
    jobs: list[JobRow]


def _scoped(query: Select[Any], user: Principal) -> Select[Any] | None:
    if user.role is Role.ADMIN:
        return query
    if user.role is Role.DONOR or user.programme_id is None:
        return None
    query = query.where(enterprise.c.programme_id == user.programme_id)
    if user.role in (Role.COUNTRY_MANAGER, Role.FINANCE):
        return query
    if user.role is Role.BRANCH_MANAGER and user.branch_id is not None:
        return query.where(enterprise.c.branch_id == user.branch_id)
    f = group_filter(user)
    if user.role is Role.FIELD_AGENT and f.agent_id is not None:
        owned = (
            select(enterprise_owner.c.enterprise_id)
            .join(membership, membership.c.member_id == enterprise_owner.c.member_id)
            .join(savings_group, savings_group.c.id == membership.c.group_id)
            .where(savings_group.c.agent_id == f.agent_id)
        )
        return query.where(enterprise.c.id.in_(owned))
    return None


def _listing() -> Select[Any]:
    jobs = select(func.count()).where(job.c.enterprise_id == enterprise.c.id).scalar_subquery()
    return (
        select(
            enterprise,
            branch.c.name.label("branch_name"),
            value_chain.c.name.label("chain_name"),
            jobs.label("jobs"),
        )
        .join(branch, branch.c.id == enterprise.c.branch_id)
        .outerjoin(value_chain, value_chain.c.id == enterprise.c.value_chain_id)
        .order_by(enterprise.c.name, enterprise.c.id)
    )


def _row(r: Any) -> EnterpriseRow:
    return EnterpriseRow(
        r.id, r.name, r.sector, r.chain_name or "", r.branch_name, r.status, r.started_on, r.jobs
    )


def enterprise_list(
    db: Database, user: Principal, limit: int = 200, offset: int = 0
) -> list[EnterpriseRow]:
    query = _scoped(_listing(), user)
    if query is None:
        return []
    with db.read() as conn:
        return [_row(r) for r in conn.execute(query.limit(limit).offset(offset))]


def enterprise_total(db: Database, user: Principal) -> int:
    """How many enterprises the user sees (the API's page total)."""
    query = _scoped(select(func.count()).select_from(enterprise), user)
    if query is None:
        return 0
    with db.read() as conn:
        return int(conn.execute(query).scalar_one())


def can_see_enterprise(db: Database, user: Principal, enterprise_id: int) -> bool:
    query = _scoped(select(enterprise.c.id).where(enterprise.c.id == enterprise_id), user)
    if query is None:
        return False
    with db.read() as conn:
        return conn.execute(query).first() is not None


def enterprise_of_job(db: Database, job_id: int) -> int:
    with db.read() as conn:
        found = conn.execute(select(job.c.enterprise_id).where(job.c.id == job_id)).scalar()
    if found is None:
        raise NotFound("no job %(job_id)s", field="job_id", job_id=job_id)
    return int(found)


def enterprise_of_event(db: Database, event_id: int) -> int:
    with db.read() as conn:
        found = conn.execute(
            select(job.c.enterprise_id)
            .join(job_event, job_event.c.job_id == job.c.id)
            .where(job_event.c.id == event_id)
        ).scalar()
    if found is None:
        raise NotFound("no job event %(event_id)s", field="event_id", event_id=event_id)
    return int(found)


def enterprise_view(db: Database, enterprise_id: int) -> EnterpriseView:
    with db.read() as conn:
        r = conn.execute(_listing().where(enterprise.c.id == enterprise_id)).first()
        if r is None:
            raise NotFound(
                "no enterprise %(enterprise_id)s",
                field="enterprise_id",
                enterprise_id=enterprise_id,
            )
        owners = conn.execute(
            select(member.c.id, member.c.name)
            .join(enterprise_owner, enterprise_owner.c.member_id == member.c.id)
            .where(enterprise_owner.c.enterprise_id == enterprise_id)
            .order_by(member.c.name)
        ).all()
        jobs = conn.execute(
            select(job, member.c.name.label("member_name"))
            .outerjoin(member, member.c.id == job.c.member_id)
            .where(job.c.enterprise_id == enterprise_id)
            .order_by(job.c.id)
        ).all()
        events = conn.execute(
            select(job_event, job_verification.c.verified_on, job_verification.c.verified_by,
                   job_verification.c.method)
            .outerjoin(job_verification, job_verification.c.event_id == job_event.c.id)
            .where(job_event.c.job_id.in_([j.id for j in jobs] or [-1]))
            .order_by(job_event.c.on_date, job_event.c.id)
        ).all()  # fmt: skip
    by_job: dict[int, list[EventRow]] = {}
    for e in events:
        by_job.setdefault(e.job_id, []).append(
            EventRow(
                e.id, e.kind, e.on_date, e.work_time or "", Decimal(e.fte_change),
                e.verified_on, e.verified_by or "", e.method or "",
            )
        )  # fmt: skip
    return EnterpriseView(
        _row(r),
        r.location,
        bool(r.registered),
        int(r.household_size),
        [(o.id, o.name) for o in owners],
        [JobRow(j.id, j.role, j.member_name or j.worker_name, by_job.get(j.id, [])) for j in jobs],
    )
