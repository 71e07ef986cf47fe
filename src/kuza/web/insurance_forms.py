"""The member page's "Health insurance" section: her enrolments with their dependants
and claims, the programme's plans for the enrol form, and the refused form (its
``section`` and the input it names) with what was typed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kuza.adapters.db.engine import Database
from kuza.domain.access import Principal, may_record_meetings
from kuza.domain.insurance import PaysFrom
from kuza.services import visits
from kuza.services.insurance_views import (
    ClaimRow,
    DependantRow,
    EnrolmentRow,
    PlanRow,
    enrolment_claims,
    enrolment_dependants,
    member_enrolments,
    plan_list,
)

DEPENDANT_ROWS = 3  # blank dependant lines on the enrol form


@dataclass(frozen=True)
class Enrolled:
    row: EnrolmentRow
    dependants: list[DependantRow]
    claims: list[ClaimRow]


@dataclass(frozen=True)
class InsuranceSection:
    enrolments: list[Enrolled]
    plans: list[PlanRow]
    may_record: bool
    error: Mapping[str, str | None] | None = None
    typed: dict[str, str] = field(default_factory=dict)

    pays_from = tuple(p.value for p in PaysFrom)
    dependant_rows = tuple(range(DEPENDANT_ROWS))


def insurance_section(
    db: Database,
    user: Principal,
    member_id: int,
    error: Mapping[str, str | None] | None = None,
    typed: dict[str, str] | None = None,
) -> InsuranceSection:
    rows = member_enrolments(db, member_id)
    dependants = enrolment_dependants(db, [r.id for r in rows])
    enrolled = [
        Enrolled(r, [d for d in dependants if d.enrolment_id == r.id], enrolment_claims(db, r.id))
        for r in rows
    ]
    taken = {r.plan_id for r in rows}
    plans = plan_list(db, visits.programme_of_member(db, member_id))
    return InsuranceSection(
        enrolments=enrolled,
        plans=[p for p in plans if p.active and p.id not in taken],
        may_record=may_record_meetings(user),
        error=error,
        typed=typed or {},
    )
