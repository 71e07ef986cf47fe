"""Grading a group's stability from its records, in a fixed handful of queries."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import case, func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import meeting, meeting_line
from kuza.domain.ledger import AccountCode, normal_balance
from kuza.domain.money import Money, total
from kuza.domain.stability import (
    StabilityGrade,
    StabilityInputs,
    StabilityPolicy,
    grade_stability,
)
from kuza.services.groups import load_calendar, load_group, memberships
from kuza.services.ledger import group_balances
from kuza.services.loans.track_record import lending_record
from kuza.services.programmes import programme_row


def grade_group(
    db: Database,
    group_id: int,
    as_of: date,
    lent: Money | None = None,
    on_time_repayment: Decimal | None = None,
    programme_id: int | None = None,
) -> StabilityGrade:
    """Grade over the group's last ``policy.window_meetings`` scheduled meetings up to
    ``as_of``. ``lent`` (internal principal lent in the window) and ``on_time_repayment``
    are read from the loan book (``loans.track_record``) unless given; with no internal
    loan lending scores 0, and with no instalment due in the window repayment does not
    apply."""
    with db.read() as conn:
        group = load_group(conn, group_id, programme_id)
        policy = StabilityPolicy.from_settings(programme_row(conn, group.programme_id).settings)
        scheduled = load_calendar(conn, group).between(group.first_meeting_on, as_of)
        window = scheduled[-policy.window_meetings :]
        start = window[0] if window else group.first_meeting_on
        first_posting: dict[date, date] = {}
        held: dict[int, date] = {}
        for r in conn.execute(
            select(meeting.c.id, meeting.c.held_on, meeting.c.status, meeting.c.posted_at).where(
                meeting.c.group_id == group.id,
                meeting.c.held_on >= start,
                meeting.c.held_on <= as_of,
            )
        ):
            posted_on = r.posted_at.date()
            # A corrected meeting was on the books from its first posting.
            first_posting[r.held_on] = min(posted_on, first_posting.get(r.held_on, posted_on))
            if r.status == "posted":
                held[r.id] = r.held_on
        lines = conn.execute(
            select(
                meeting_line.c.meeting_id,
                func.sum(case((meeting_line.c.present, 1), else_=0)).label("present"),
                func.sum(
                    case(
                        (meeting_line.c.compulsory_minor >= group.compulsory_saving.minor, 1),
                        else_=0,
                    )
                ).label("in_full"),
            )
            .where(meeting_line.c.meeting_id.in_(list(held)))
            .group_by(meeting_line.c.meeting_id)
        ).all()
        members = memberships(conn, group.id)
        balances = group_balances(conn, group.programme_id, group.id, group.currency)
        if lent is None or on_time_repayment is None:
            record = lending_record(conn, group.id, group.currency, start, as_of)
            lent = record.lent if lent is None else lent
            if on_time_repayment is None:
                on_time_repayment = record.on_time_repayment
    savings = total(
        (
            normal_balance(k.code, v)
            for k, v in balances.items()
            if k.code in (AccountCode.MEMBER_SAVINGS, AccountCode.VOLUNTARY_SAVINGS)
        ),
        group.currency,
    )
    expected: dict[int, int] = {
        mid: sum(1 for m in members if m.active_on(day)) for mid, day in held.items()
    }
    counted: dict[str, int] = defaultdict(int)
    for line in lines:
        # A member marked twice cannot raise the ratios above the members expected.
        counted["present"] += min(int(line.present or 0), expected[line.meeting_id])
        counted["in_full"] += min(int(line.in_full or 0), expected[line.meeting_id])
    inputs = StabilityInputs(
        window_start=start,
        window_end=as_of,
        meetings_scheduled=len(window),
        meetings_held=len(set(held.values())),
        member_meetings=sum(expected.values()),
        present=counted["present"],
        saved_in_full=counted["in_full"],
        posting_delays=tuple((first_posting[day] - day).days for day in sorted(set(held.values()))),
        savings=savings,
        lent=lent,
        on_time_repayment=on_time_repayment,
    )
    return grade_stability(inputs, policy)
