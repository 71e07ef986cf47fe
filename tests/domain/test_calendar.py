from __future__ import annotations

from datetime import date

import pytest

from kuza.domain.calendar import Frequency, MeetingCalendar
from kuza.domain.errors import RuleViolation


def test_biweekly_holiday_moves_one_meeting_not_the_cycle() -> None:
    cal = MeetingCalendar(date(2026, 1, 5), Frequency.BIWEEKLY)
    moved = cal.with_move(date(2026, 2, 2), date(2026, 2, 4))  # a holiday Monday
    assert moved.between(date(2026, 1, 1), date(2026, 3, 1)) == [
        date(2026, 1, 5),
        date(2026, 1, 19),
        date(2026, 2, 4),
        date(2026, 2, 16),
    ]
    assert moved.next_after(date(2026, 2, 3)) == date(2026, 2, 4)
    assert moved.next_after(date(2026, 2, 4)) == date(2026, 2, 16)


def test_monthly_keeps_the_ordinal_weekday() -> None:
    cal = MeetingCalendar(date(2026, 1, 13), Frequency.MONTHLY)  # 2nd Tuesday
    assert [cal.nominal(i) for i in range(3)] == [
        date(2026, 1, 13),
        date(2026, 2, 10),
        date(2026, 3, 10),
    ]
    fifth = MeetingCalendar(date(2026, 1, 29), Frequency.MONTHLY)  # 5th Thursday
    assert fifth.nominal(1) == date(2026, 2, 26)  # February has four: take the last


def test_only_scheduled_dates_move_and_not_far() -> None:
    cal = MeetingCalendar(date(2026, 1, 5), Frequency.WEEKLY)
    with pytest.raises(RuleViolation) as err:
        cal.with_move(date(2026, 1, 6), date(2026, 1, 7))
    assert err.value.field == "nominal_on"
    with pytest.raises(RuleViolation):
        cal.with_move(date(2026, 1, 12), date(2026, 2, 12))
