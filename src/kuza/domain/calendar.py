"""A group's meeting calendar.

Meetings follow a cycle (weekly, every two weeks, monthly on the same ordinal weekday).
A holiday moves one meeting to another date; the cycle itself never shifts, so the
following meetings stay where they were (the Fineract pain point of drifting dates).
"""

from __future__ import annotations

import calendar as _cal
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from kuza.domain.errors import RuleViolation


class Frequency(StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


def _add_months_same_weekday(first: date, months: int) -> date:
    """The same ordinal weekday ('2nd Tuesday') ``months`` months after ``first``;
    a 5th weekday that does not exist falls back to the last one of the month."""
    ordinal = (first.day - 1) // 7
    month_index = first.month - 1 + months
    year, month = first.year + month_index // 12, month_index % 12 + 1
    first_of_month = date(year, month, 1)
    offset = (first.weekday() - first_of_month.weekday()) % 7
    day = 1 + offset + 7 * ordinal
    last_day = _cal.monthrange(year, month)[1]
    while day > last_day:
        day -= 7
    return date(year, month, day)


@dataclass(frozen=True)
class MeetingCalendar:
    first_meeting: date
    frequency: Frequency
    moves: Mapping[date, date] = field(default_factory=dict)  # nominal date -> actual date

    def nominal(self, index: int) -> date:
        if self.frequency is Frequency.WEEKLY:
            return self.first_meeting + timedelta(weeks=index)
        if self.frequency is Frequency.BIWEEKLY:
            return self.first_meeting + timedelta(weeks=2 * index)
        return _add_months_same_weekday(self.first_meeting, index)

    def dates(self) -> Iterator[date]:
        """Actual meeting dates, in cycle order, forever."""
        index = 0
        while True:
            nominal = self.nominal(index)
            yield self.moves.get(nominal, nominal)
            index += 1

    def between(self, start: date, end: date) -> list[date]:
        """Actual meeting dates d with start <= d <= end."""
        result = []
        index = 0
        while True:
            nominal = self.nominal(index)
            if nominal > end + timedelta(days=31):
                break
            actual = self.moves.get(nominal, nominal)
            if start <= actual <= end:
                result.append(actual)
            index += 1
        return sorted(result)

    def next_after(self, day: date) -> date:
        """The first actual meeting date strictly after ``day``."""
        index = 0
        best: date | None = None
        while True:
            nominal = self.nominal(index)
            actual = self.moves.get(nominal, nominal)
            if actual > day and (best is None or actual < best):
                best = actual
            if best is not None and nominal > best + timedelta(days=31):
                return best
            index += 1

    def is_nominal(self, day: date) -> bool:
        if day < self.first_meeting:
            return False
        index = 0
        while (nominal := self.nominal(index)) <= day:
            if nominal == day:
                return True
            index += 1
        return False

    def with_move(self, nominal: date, actual: date) -> MeetingCalendar:
        if not self.is_nominal(nominal):
            raise RuleViolation(
                "%(nominal)s is not a scheduled meeting date", field="nominal_on", nominal=nominal
            )
        if abs((actual - nominal).days) > 14:
            raise RuleViolation("a meeting can move at most 14 days", field="moved_to")
        return MeetingCalendar(self.first_meeting, self.frequency, {**self.moves, nominal: actual})
