"""A pluggable household scorecard (e.g. a poverty-likelihood index) loaded as data.

The questions, their points and the score → likelihood table come from a JSON document
per programme; the engine never alters them. A group's poverty rate is the mean of its
members' likelihoods, not the likelihood of the mean score.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from kuza.domain.errors import DomainError
from kuza.domain.money import to_decimal


@dataclass(frozen=True)
class Question:
    code: str
    text: str
    points: Mapping[str, int]  # answer code → points


@dataclass(frozen=True)
class Scorecard:
    code: str
    questions: tuple[Question, ...]
    lookup: tuple[tuple[int, Decimal], ...]  # (lowest score of the band, likelihood %)

    def score(self, answers: Mapping[str, str]) -> int:
        known = {q.code for q in self.questions}
        unknown = sorted(set(answers) - known)
        if unknown:
            raise DomainError(
                "unknown question %(value)s", field=unknown[0], value=repr(unknown[0])
            )
        total = 0
        for q in self.questions:
            if q.code not in answers:
                raise DomainError(
                    "question %(code)s is not answered", field=q.code, code=repr(q.code)
                )
            if answers[q.code] not in q.points:
                raise DomainError(
                    "%(value)s is not an answer to %(code)s",
                    q.code,
                    value=repr(answers[q.code]),
                    code=q.code,
                )
            total += q.points[answers[q.code]]
        return total

    def likelihood(self, score: int) -> Decimal:
        """Likelihood (percent) from the table band the score falls in."""
        found = [lk for low, lk in self.lookup if score >= low]
        if not found:
            raise DomainError(
                "score %(score)s is below the lookup table", field="score", score=score
            )
        return found[-1]


def load_scorecard(text: str) -> Scorecard:
    """Parse and validate a scorecard document; any defect names the field."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DomainError(
            "scorecard is not valid JSON: %(msg)s", field="scorecard", msg=exc.msg
        ) from None
    if not isinstance(raw, dict):
        raise DomainError("scorecard must be an object", field="scorecard")
    extra = sorted(set(raw) - {"code", "questions", "lookup"})
    if extra:
        raise DomainError("unknown scorecard key %(value)s", field=extra[0], value=repr(extra[0]))
    questions = []
    for i, q in enumerate(raw.get("questions") or []):
        if not isinstance(q, dict) or not isinstance(q.get("points"), dict):
            raise DomainError(
                "question %(value)s needs code, text and points", "questions", value=i + 1
            )
        if not all(isinstance(p, int) and not isinstance(p, bool) for p in q["points"].values()):
            raise DomainError(
                "points of question %(value)s must be integers", "points", value=q.get("code")
            )
        questions.append(Question(str(q.get("code")), str(q.get("text", "")), dict(q["points"])))
    if not questions:
        raise DomainError("scorecard has no questions", field="questions")
    if len({q.code for q in questions}) != len(questions):
        raise DomainError("question codes must be unique", field="questions")
    lookup = sorted(
        (int(row[0]), to_decimal(str(row[1]), "lookup")) for row in raw.get("lookup") or []
    )
    if not lookup or lookup[0][0] != 0:
        raise DomainError("lookup must start at score 0", field="lookup")
    if any(not 0 <= lk <= 100 for _, lk in lookup):
        raise DomainError("likelihoods must be between 0 and 100", field="lookup")
    return Scorecard(str(raw.get("code", "")), tuple(questions), tuple(lookup))


def poverty_rate(likelihoods: Sequence[Decimal]) -> Decimal | None:
    """Mean of members' likelihoods (percent, two decimals)."""
    if not likelihoods:
        return None
    mean = sum(likelihoods, Decimal(0)) / len(likelihoods)
    return mean.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
