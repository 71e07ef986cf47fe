"""Family progress: household visits scored with the programme's scorecard, and referrals.

Score change is the field's question "are families moving up?": for each household
(member) visited at least twice with the same scorecard, the latest score minus her
first (baseline) score; the programme figure is the mean over households.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum

from kuza.domain.errors import RuleViolation


class ReferralKind(StrEnum):
    HEALTH = "health"
    SCHOOL = "school"
    LEGAL = "legal"
    SOCIAL_SERVICES = "social_services"


class ReferralStatus(StrEnum):
    REFERRED = "referred"  # the agent gave the referral
    IN_PROGRESS = "in_progress"  # she went; the service is following up
    RESOLVED = "resolved"
    DROPPED = "dropped"  # she did not go, or the service could not help


REFERRAL_MOVES: dict[ReferralStatus, frozenset[ReferralStatus]] = {
    ReferralStatus.REFERRED: frozenset(
        {ReferralStatus.IN_PROGRESS, ReferralStatus.RESOLVED, ReferralStatus.DROPPED}
    ),
    ReferralStatus.IN_PROGRESS: frozenset({ReferralStatus.RESOLVED, ReferralStatus.DROPPED}),
    ReferralStatus.RESOLVED: frozenset(),
    ReferralStatus.DROPPED: frozenset(),
}


def next_referral_status(current: ReferralStatus, wanted: ReferralStatus) -> ReferralStatus:
    if wanted not in REFERRAL_MOVES[current]:
        raise RuleViolation(
            "a referral that is %(current)s cannot become %(wanted)s",
            field="status",
            current=repr(current.value),
            wanted=repr(wanted.value),
        )
    return wanted


@dataclass(frozen=True)
class ScoredVisit:
    visit_id: int
    member_id: int
    scorecard_id: int
    visited_on: date
    score: int


@dataclass(frozen=True)
class ScoreChange:
    member_id: int
    scorecard_id: int
    baseline: ScoredVisit
    latest: ScoredVisit

    @property
    def change(self) -> int:
        return self.latest.score - self.baseline.score


def score_changes(visits: Iterable[ScoredVisit], start: date, end: date) -> list[ScoreChange]:
    """Per (household, scorecard): baseline = first visit ever, latest = last visit on or
    before ``end``; counted when the latest is in [start, end] and is not the baseline."""
    by_household: dict[tuple[int, int], list[ScoredVisit]] = defaultdict(list)
    for v in visits:
        if v.visited_on <= end:
            by_household[(v.member_id, v.scorecard_id)].append(v)
    changes = []
    for (member_id, card), seen in sorted(by_household.items()):
        seen.sort(key=lambda v: (v.visited_on, v.visit_id))
        first, last = seen[0], seen[-1]
        if last.visit_id != first.visit_id and start <= last.visited_on:
            changes.append(ScoreChange(member_id, card, first, last))
    return changes


def mean(values: Iterable[int | Decimal]) -> Decimal | None:
    """Arithmetic mean to two decimals (half-even); None for no values."""
    items = [Decimal(v) for v in values]
    return mean_of(sum(items, Decimal(0)), len(items))


def mean_of(total: int | Decimal, count: int) -> Decimal | None:
    """:func:`mean` of ``count`` values summing to ``total`` (a sum taken in SQL)."""
    if not count:
        return None
    return (Decimal(total) / count).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class ScoreProgress:
    """One household's way on one scorecard: her first (baseline) and latest visit."""

    scorecard: str
    visits: int
    baseline_on: date
    baseline: int
    latest_on: date
    latest: int

    @property
    def change(self) -> int:
        return self.latest - self.baseline


def score_progress(history: Iterable[tuple[str, date, int, int]]) -> list[ScoreProgress]:
    """Per scorecard, in the order first used: baseline and latest score of a household
    from her visits as (scorecard, visited_on, visit_id, score); ties on a day go by id."""
    by_card: dict[str, list[tuple[date, int, int]]] = defaultdict(list)
    for card, on, visit_id, score in history:
        by_card[card].append((on, visit_id, score))
    out = []
    for card, seen in sorted(by_card.items(), key=lambda kv: min(kv[1])):
        seen.sort()
        (first_on, _f, first), (last_on, _l, last) = seen[0], seen[-1]
        out.append(ScoreProgress(card, len(seen), first_on, first, last_on, last))
    return out
