"""The member page's "Household visits" section: her score history, the programme's
scorecards as visit forms, her referrals (the open ones with a follow-up form), and the
refused form (its ``section`` and the input it names) with what was typed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kuza.adapters.db.engine import Database
from kuza.domain.access import Principal, may_record_meetings
from kuza.domain.scorecard import Scorecard
from kuza.domain.visits import ReferralKind, ReferralStatus, ScoreProgress, score_progress
from kuza.services import visits
from kuza.services.visit_views import ReferralRow, member_referrals, programme_scorecards

FOLLOW_UP_STATUSES = tuple(s.value for s in ReferralStatus if s is not ReferralStatus.REFERRED)


@dataclass(frozen=True)
class VisitSection:
    history: list[visits.ScorePoint]
    cards: list[Scorecard]
    referrals: list[ReferralRow]
    may_record: bool
    error: Mapping[str, str | None] | None = None
    typed: dict[str, str] = field(default_factory=dict)

    kinds = tuple(k.value for k in ReferralKind)
    statuses = FOLLOW_UP_STATUSES

    @property
    def progress(self) -> list[ScoreProgress]:
        """Per scorecard visited more than once: baseline, latest and change."""
        rows = score_progress(
            (p.scorecard, p.visited_on, p.visit_id, p.score) for p in self.history
        )
        return [p for p in rows if p.visits > 1]

    @property
    def open_referrals(self) -> list[ReferralRow]:
        return [r for r in self.referrals if r.open]

    @property
    def closed_referrals(self) -> list[ReferralRow]:
        return [r for r in self.referrals if not r.open]


def visit_section(
    db: Database,
    user: Principal,
    member_id: int,
    error: Mapping[str, str | None] | None = None,
    typed: dict[str, str] | None = None,
) -> VisitSection:
    pid = visits.programme_of_member(db, member_id)
    return VisitSection(
        history=visits.score_history(db, member_id),
        cards=programme_scorecards(db, pid),
        referrals=member_referrals(db, member_id),
        may_record=may_record_meetings(user),
        error=error,
        typed=typed or {},
    )
