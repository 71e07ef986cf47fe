"""A small made-up scorecard (not a real PPI table): loading, scoring, group rate."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from kuza.domain.errors import DomainError
from kuza.domain.scorecard import load_scorecard, poverty_rate

CARD = {
    "code": "test-card",
    "questions": [
        {"code": "roof", "text": "Roof material?", "points": {"thatch": 0, "iron": 10}},
        {"code": "kids", "text": "Children in school?", "points": {"none": 0, "all": 15}},
    ],
    "lookup": [[0, "80"], [10, "50"], [25, "10"]],
}


def test_score_and_likelihood() -> None:
    card = load_scorecard(json.dumps(CARD))
    assert card.score({"roof": "iron", "kids": "all"}) == 25
    assert card.likelihood(25) == 10
    assert card.likelihood(9) == 80


def test_group_rate_is_the_mean_of_likelihoods_not_of_scores() -> None:
    card = load_scorecard(json.dumps(CARD))
    scores = [0, 25]  # likelihoods 80 and 10 → mean 45; the mean score 12.5 would give 50
    assert poverty_rate([card.likelihood(s) for s in scores]) == Decimal("45.00")
    assert poverty_rate([]) is None


def test_unknown_questions_and_bad_files_are_refused() -> None:
    card = load_scorecard(json.dumps(CARD))
    with pytest.raises(DomainError) as exc:
        card.score({"roof": "iron", "kids": "all", "cows": "3"})
    assert exc.value.field == "cows"
    with pytest.raises(DomainError) as exc:
        card.score({"roof": "gold", "kids": "all"})
    assert exc.value.field == "roof"
    with pytest.raises(DomainError) as exc:
        load_scorecard(json.dumps({**CARD, "bonus": 1}))
    assert exc.value.field == "bonus"
    with pytest.raises(DomainError) as exc:
        load_scorecard(json.dumps({**CARD, "lookup": [[5, "50"]]}))
    assert exc.value.field == "lookup"
    with pytest.raises(DomainError) as exc:
        load_scorecard("{not json")
    assert exc.value.field == "scorecard"
