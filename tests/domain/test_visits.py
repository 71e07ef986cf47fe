"""A household's score progress per scorecard: baseline is her first visit, latest her
last (same-day visits go by id), cards in the order first used."""

from __future__ import annotations

from datetime import date

from kuza.domain.visits import ScoreProgress, score_progress


def test_baseline_and_latest_per_scorecard() -> None:
    history = [
        ("grid", date(2026, 3, 1), 7, 40),
        ("ppi", date(2026, 2, 1), 5, 12),
        ("grid", date(2026, 1, 10), 2, 25),
        ("grid", date(2026, 3, 1), 9, 45),  # same day, later id: the latest
    ]
    assert score_progress(history) == [
        ScoreProgress("grid", 3, date(2026, 1, 10), 25, date(2026, 3, 1), 45),
        ScoreProgress("ppi", 1, date(2026, 2, 1), 12, date(2026, 2, 1), 12),
    ]
    assert [p.change for p in score_progress(history)] == [20, 0]


def test_a_fall_is_a_negative_change_and_no_visits_no_rows() -> None:
    history = [("grid", date(2026, 1, 1), 1, 30), ("grid", date(2026, 2, 1), 2, 10)]
    assert score_progress(history)[0].change == -20
    assert score_progress([]) == []
