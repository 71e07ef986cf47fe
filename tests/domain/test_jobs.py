"""Job counting: FTE rule, verification rule, and no job counted twice (property)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kuza.domain.enterprises import ProfitBand, profit_band
from kuza.domain.errors import DomainError, RuleViolation
from kuza.domain.jobs import (
    JobEventKind,
    JobEventRow,
    WorkTime,
    check_verified_on,
    count_jobs,
    fte_change,
    work_time_for,
)
from kuza.domain.money import Money

D = date(2026, 3, 1)


def test_full_time_is_35_hours_or_more() -> None:
    assert work_time_for("35") is WorkTime.FULL_TIME
    assert work_time_for("34.5") is WorkTime.PART_TIME
    assert WorkTime.FULL_TIME.fte == 1 and WorkTime.PART_TIME.fte == Decimal("0.5")
    with pytest.raises(DomainError) as exc:
        work_time_for("0")
    assert exc.value.field == "hours_per_week"


def test_fte_changes() -> None:
    assert fte_change(JobEventKind.CREATED, None, WorkTime.PART_TIME) == Decimal("0.5")
    assert fte_change(JobEventKind.GROWN, WorkTime.PART_TIME, WorkTime.FULL_TIME) == Decimal("0.5")
    assert fte_change(JobEventKind.LOST, WorkTime.FULL_TIME, None) == -1
    with pytest.raises(RuleViolation):
        fte_change(JobEventKind.CREATED, WorkTime.PART_TIME, WorkTime.PART_TIME)
    with pytest.raises(RuleViolation):
        fte_change(JobEventKind.GROWN, WorkTime.FULL_TIME, WorkTime.PART_TIME)


def test_verification_cannot_precede_the_event() -> None:
    with pytest.raises(RuleViolation) as exc:
        check_verified_on(D, D - timedelta(days=1), D)
    assert exc.value.field == "verified_on"
    with pytest.raises(RuleViolation):
        check_verified_on(D, D + timedelta(days=1), D)
    check_verified_on(D, D, D)


def test_counting_a_hand_example() -> None:
    events = [
        JobEventRow(1, 10, JobEventKind.CREATED, D, Decimal(1), (D,)),
        JobEventRow(2, 11, JobEventKind.CREATED, D, Decimal("0.5"), (D, D)),  # verified twice
        JobEventRow(3, 12, JobEventKind.CREATED, D, Decimal(1), ()),  # not verified
        JobEventRow(4, 11, JobEventKind.GROWN, D, Decimal("0.5"), (D,)),
        JobEventRow(5, 10, JobEventKind.LOST, D + timedelta(40), Decimal(-1), (D + timedelta(41),)),
    ]
    c = count_jobs(events, D, D + timedelta(days=30))
    # created: jobs 10 and 11 (12 unverified) = 2 jobs, 1 + 0.5 = 1.5 FTE
    # grown: job 11 part→full = 1 job, 0.5 FTE; the loss falls after the period
    assert (c.jobs_created, c.fte_created, c.jobs_grown, c.fte_grown) == (2, 1.5, 1, 0.5)
    assert (c.jobs_lost, c.net_fte, c.event_ids) == (0, 2, (1, 2, 4))
    assert count_jobs(events).net_fte == 1  # 1.5 + 0.5 − 1
    assert count_jobs(events, as_of=D).jobs_lost == 0  # verified later than as_of


def test_profit_bands() -> None:
    def band(r: str, c: str) -> ProfitBand:
        return profit_band(Money.of(r, "KES"), Money.of(c, "KES"))

    assert band("100", "120") is ProfitBand.LOSS
    assert band("100", "95") is ProfitBand.LOW  # 5%
    assert band("100", "80") is ProfitBand.MEDIUM  # 20%
    assert band("100", "75") is ProfitBand.HIGH  # 25%


event_st = st.builds(
    lambda job, kind, day, verified: (job, kind, day, verified),
    st.integers(1, 6),
    st.sampled_from(list(JobEventKind)),
    st.integers(0, 60),
    st.lists(st.integers(-5, 70), max_size=3),
)


@given(st.lists(event_st, max_size=40), st.integers(0, 30), st.integers(0, 60))
def test_no_job_is_ever_counted_twice(
    raw: list[tuple[int, JobEventKind, int, list[int]]], a: int, b: int
) -> None:
    # duplicated rows (same id twice, several verifications) must not inflate the count
    events = [
        JobEventRow(
            i, job, kind, D + timedelta(day), Decimal("0.5"), tuple(D + timedelta(v) for v in ver)
        )
        for i, (job, kind, day, ver) in enumerate(raw)
    ]
    events = events + events  # the same rows read twice, e.g. from a bad join
    start, end = D + timedelta(min(a, b)), D + timedelta(max(a, b))
    c = count_jobs(events, start, end)
    jobs = {e.job_id for e in events}
    assert c.jobs_created <= len(jobs)
    assert c.jobs_grown <= len(jobs) and c.jobs_lost <= len(jobs)
    assert len(c.event_ids) == len(set(c.event_ids))
    counted = [e for e in events if e.id in c.event_ids]
    assert all(start <= e.on <= end and any(v >= e.on for v in e.verified_on) for e in counted)
    created_jobs = [
        e.job_id for e in events if e.id in c.event_ids and e.kind is JobEventKind.CREATED
    ]
    assert len(set(created_jobs)) == c.jobs_created
    assert c.fte_created == Decimal("0.5") * c.jobs_created
