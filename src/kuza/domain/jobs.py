"""Jobs at members' enterprises: events, full-time equivalents and the counting rules.

The rules (written out in ``docs/impact.md``):

* A job is one position at one enterprise, held by its owner or by an employee.
* Full-time means at least :data:`FULL_TIME_HOURS` hours a week and is 1.0 FTE; anything
  less is part-time and is 0.5 FTE, whatever the exact hours (one rule, easy to verify on
  a visit, as IRIS+ OD0660 only asks full/part).
* A job has exactly one ``created`` event. It then may be ``grown`` (more hours or more
  income; part-time to full-time adds 0.5 FTE) and ``lost`` (its FTE leaves the count).
* An event counts only once it is verified (agent visit, phone call or document) on or
  after the day it happened; verifying it twice never counts it twice.
* Events count in the period of the day they happened.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from kuza.domain.errors import DomainError, RuleViolation
from kuza.domain.money import to_decimal

FULL_TIME_HOURS = Decimal(35)


class JobRole(StrEnum):
    OWNER = "owner"
    EMPLOYEE = "employee"


class WorkTime(StrEnum):
    FULL_TIME = "full_time"
    PART_TIME = "part_time"

    @property
    def fte(self) -> Decimal:
        return Decimal("1.0") if self is WorkTime.FULL_TIME else Decimal("0.5")


class JobEventKind(StrEnum):
    CREATED = "created"
    GROWN = "grown"
    LOST = "lost"


class VerificationMethod(StrEnum):
    AGENT_VISIT = "agent_visit"
    PHONE = "phone"
    DOCUMENT = "document"


def work_time_for(hours_per_week: object) -> WorkTime:
    """Full-time from :data:`FULL_TIME_HOURS` hours a week; part-time below."""
    hours = to_decimal(hours_per_week, "hours_per_week")
    if hours <= 0 or hours > 112:
        raise DomainError("hours_per_week must be between 0 and 112", field="hours_per_week")
    return WorkTime.FULL_TIME if hours >= FULL_TIME_HOURS else WorkTime.PART_TIME


def fte_change(kind: JobEventKind, before: WorkTime | None, after: WorkTime | None) -> Decimal:
    """FTE an event adds (created, grown) or removes (lost)."""
    if kind is JobEventKind.CREATED:
        if before is not None or after is None:
            raise RuleViolation("a job is created only once", field="kind")
        return after.fte
    if before is None:
        raise RuleViolation("record the job's creation first", field="kind")
    if kind is JobEventKind.LOST:
        return -before.fte
    if after is None or after.fte < before.fte:
        raise RuleViolation("a grown job cannot have fewer hours than before", "hours_per_week")
    return after.fte - before.fte


def check_verified_on(event_on: date, verified_on: date, today: date) -> None:
    if verified_on < event_on:
        raise RuleViolation(
            "verification on %(verified_on)s is before the event on %(event_on)s",
            field="verified_on",
            verified_on=verified_on,
            event_on=event_on,
        )
    if verified_on > today:
        raise RuleViolation(
            "verification on %(verified_on)s is in the future",
            "verified_on",
            verified_on=verified_on,
        )


@dataclass(frozen=True)
class JobEventRow:
    """One recorded event with every verification date it has (possibly none)."""

    id: int
    job_id: int
    kind: JobEventKind
    on: date
    fte_change: Decimal
    verified_on: tuple[date, ...] = ()


@dataclass(frozen=True)
class JobCount:
    jobs_created: int
    fte_created: Decimal
    jobs_grown: int
    fte_grown: Decimal
    jobs_lost: int
    fte_lost: Decimal
    event_ids: tuple[int, ...]  # the verified events behind the figures

    @property
    def net_fte(self) -> Decimal:
        """IRIS+ PI3687-style net new FTE: created + grown − lost."""
        return self.fte_created + self.fte_grown - self.fte_lost


def count_jobs(
    events: Iterable[JobEventRow],
    start: date | None = None,
    end: date | None = None,
    as_of: date | None = None,
) -> JobCount:
    """Count verified events that happened in [start, end]; each job once per kind.

    ``as_of`` ignores verifications recorded later (to reproduce an earlier report).
    """
    seen: dict[tuple[int, JobEventKind], list[JobEventRow]] = {}
    for e in events:
        if start is not None and e.on < start:
            continue
        if end is not None and e.on > end:
            continue
        valid = [v for v in e.verified_on if v >= e.on and (as_of is None or v <= as_of)]
        if not valid:
            continue
        bucket = seen.setdefault((e.job_id, e.kind), [])
        if all(other.id != e.id for other in bucket):
            bucket.append(e)
    created = [es[0] for (_, k), es in seen.items() if k is JobEventKind.CREATED]
    grown = [e for (_, k), es in seen.items() if k is JobEventKind.GROWN for e in es]
    lost = [es[0] for (_, k), es in seen.items() if k is JobEventKind.LOST]
    grown_jobs = {e.job_id for e in grown}
    return JobCount(
        jobs_created=len(created),
        fte_created=sum((e.fte_change for e in created), Decimal(0)),
        jobs_grown=len(grown_jobs),
        fte_grown=sum((e.fte_change for e in grown), Decimal(0)),
        jobs_lost=len(lost),
        fte_lost=-sum((e.fte_change for e in lost), Decimal(0)),
        event_ids=tuple(sorted(e.id for e in (*created, *grown, *lost))),
    )
