"""A phone's sync batch (post_meetings): the same ledger as posting the sheets one by
one, a replay books nothing, a bad sheet is refused alone with its own error."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import audit_log, journal_entry, meeting, savings_group
from kuza.domain.errors import Conflict, DomainError, NotFound, RuleViolation
from kuza.services import ledger_check
from kuza.services.meeting_batch import MAX_BATCH, MeetingRefused, post_meetings
from kuza.services.meetings import MeetingPosted, post_meeting
from kuza.services.synth import SynthSpec, group_sheets, organisation, plan_group
from kuza.services.synth_bulk import create_groups
from tests.factories import make_world, sheet
from tests.loan_world import counts as loan_counts
from tests.loan_world import disbursed_loan, make_loan_world
from tests.services.test_synth import counts, ledger_by_names

pytestmark = pytest.mark.storage

TODAY = date(2026, 6, 1)
SPEC = SynthSpec(groups=3, months=2, seed=11)


def _programme(db: Database, code: str) -> tuple[int, list[dict[str, Any]]]:
    """A synthetic programme's groups and members, and its sheets in the order a phone
    would sync them (by date, groups interleaved)."""
    spec = SynthSpec(SPEC.groups, SPEC.months, SPEC.seed, code=code)
    pid, branches, agents = organisation(db, spec)
    plans = [plan_group(spec, i) for i in range(spec.groups)]
    made = create_groups(db, pid, plans, branches, agents)
    sheets = [
        data
        for plan, (gid, mids) in zip(plans, made, strict=True)
        for data in group_sheets(spec, plan, gid, mids)
    ]
    return pid, sorted(sheets, key=lambda d: str(d["held_on"]))


def meetings_by_names(db: Database, pid: int) -> list[tuple[Any, ...]]:
    with db.read() as conn:
        rows = conn.execute(
            # content hashes hold group and member ids, which differ between programmes
            select(savings_group.c.name, meeting.c.held_on, meeting.c.status, meeting.c.notes)
            .join(savings_group, savings_group.c.id == meeting.c.group_id)
            .where(meeting.c.programme_id == pid)
        ).all()
    return sorted(tuple(r) for r in rows)


def audits(db: Database, pid: int) -> list[tuple[Any, ...]]:
    with db.read() as conn:
        rows = conn.execute(
            select(audit_log.c.action, audit_log.c.object_kind, audit_log.c.after).where(
                audit_log.c.programme_id == pid, audit_log.c.object_kind == "meeting"
            )
        ).all()
    return sorted(
        (r.action, r.object_kind, r.after["held_on"], r.after["compulsory"]) for r in rows
    )


def test_a_batch_books_the_same_ledger_as_posting_one_by_one(db: Database) -> None:
    one_pid, one_sheets = _programme(db, "ONE")
    batch_pid, batch_sheets = _programme(db, "BATCH")
    for data in one_sheets:
        assert post_meeting(db, data, "agent", SPEC.end).created
    results: list[Any] = []
    for i in range(0, len(batch_sheets), 7):
        results.extend(post_meetings(db, batch_sheets[i : i + 7], "agent", SPEC.end))

    assert len(results) == len(batch_sheets) > 10
    assert all(isinstance(r, MeetingPosted) and r.created for r in results)
    assert counts(db, one_pid) == counts(db, batch_pid)
    ledger = ledger_by_names(db, one_pid)
    assert ledger == ledger_by_names(db, batch_pid)
    assert any(balance != 0 for balance, _ in ledger.values())
    assert meetings_by_names(db, one_pid) == meetings_by_names(db, batch_pid)
    assert audits(db, one_pid) == audits(db, batch_pid)
    with db.read() as conn:
        keys = conn.execute(
            select(journal_entry.c.idempotency_key).where(journal_entry.c.programme_id == batch_pid)
        ).scalars()
        assert all(k is not None and k.startswith("meeting:") for k in keys)
    assert ledger_check.check(db) == []

    # the whole sync sent again, and one sheet posted one by one again: nothing twice
    before = counts(db, batch_pid)
    again = post_meetings(db, batch_sheets[:12], "agent", SPEC.end)
    assert [r.meeting_id for r in again if isinstance(r, MeetingPosted)] == [
        r.meeting_id for r in results[:12]
    ]
    assert not any(isinstance(r, MeetingRefused) or r.created for r in again)
    assert again[3].summary == results[3].summary
    assert not post_meeting(db, batch_sheets[-1], "agent", SPEC.end).created
    assert counts(db, batch_pid) == before


def test_a_bad_sheet_is_refused_alone_and_the_next_sees_the_books_without_it(
    db: Database,
) -> None:
    w = make_world(db)
    first = sheet(w, date(2026, 1, 12), m0={"voluntary": "50"})
    too_much = sheet(w, date(2026, 1, 19), m0={"withdrawal": "500"})
    bad_amount = sheet(w, date(2026, 1, 26), m1={"voluntary": "-3"})
    # withdraws the 50 saved by the first sheet: fine only because that one is booked
    later = sheet(w, date(2026, 2, 2), m0={"withdrawal": "50"})
    not_an_object = ["a", "list"]
    results = post_meetings(db, [first, too_much, bad_amount, later, not_an_object], "agent", TODAY)

    assert [type(r).__name__ for r in results] == [
        "MeetingPosted",
        "MeetingRefused",
        "MeetingRefused",
        "MeetingPosted",
        "MeetingRefused",
    ]
    refused = [r for r in results if isinstance(r, MeetingRefused)]
    assert [r.index for r in refused] == [1, 2, 4]
    assert isinstance(refused[0].error, RuleViolation)
    assert refused[0].error.field == "lines[0].withdrawal"
    assert refused[1].error.field == "lines[1].voluntary"
    assert refused[2].error.message == "a meeting must be a JSON object"
    assert "savings balance 50.00 KES" in refused[0].error.message
    with db.read() as conn:
        held = conn.execute(select(meeting.c.held_on).order_by(meeting.c.held_on)).scalars()
        assert list(held) == [date(2026, 1, 12), date(2026, 2, 2)]
    assert ledger_check.check(db) == []


def test_duplicates_changed_sheets_and_unknown_groups_in_a_batch(db: Database) -> None:
    w = make_world(db)
    other = make_world(db, code="KE-OTHER")
    data = sheet(w, date(2026, 1, 12))
    posted = post_meeting(db, data, "agent", TODAY)
    changed = sheet(w, date(2026, 1, 12), m0={"voluntary": "5"})
    fresh = sheet(w, date(2026, 1, 19))
    results = post_meetings(
        db,
        [
            data,
            changed,
            fresh,
            fresh,
            {**fresh, "group_id": 99999},
            sheet(other, date(2026, 1, 19)),
        ],
        "agent",
        TODAY,
        programme_id=w.programme_id,
    )
    assert isinstance(results[0], MeetingPosted) and not results[0].created
    assert results[0].meeting_id == posted.meeting_id
    assert results[0].summary == posted.summary
    assert isinstance(results[1], MeetingRefused) and isinstance(results[1].error, Conflict)
    assert isinstance(results[2], MeetingPosted) and results[2].created
    # the same sheet twice in one sync: booked once
    assert isinstance(results[3], MeetingPosted) and not results[3].created
    assert results[3].meeting_id == results[2].meeting_id
    # no such group, and a group of another programme: the same 404 refusal
    for r in results[4:]:
        assert isinstance(r, MeetingRefused) and isinstance(r.error, NotFound)
        assert r.error.field == "group_id"
    with db.read() as conn:
        assert conn.execute(select(func.count()).select_from(meeting)).scalar_one() == 2
    assert ledger_check.check(db) == []


def test_repayments_in_a_batch_and_a_refused_repayment_undoes_only_its_meeting(
    db: Database,
) -> None:
    lw = make_loan_world(db)
    internal = disbursed_loan(db, lw, "1000")
    w = lw.world
    good = sheet(w, date(2026, 3, 2), m0={"repayments": [{"loan_id": internal, "amount": "260"}]})
    # not her loan: refused after its meeting row was written, so rolled back to the savepoint
    wrong = sheet(w, date(2026, 3, 9), m1={"repayments": [{"loan_id": internal, "amount": "10"}]})
    plain = sheet(w, date(2026, 3, 9))
    results = post_meetings(db, [good, wrong, plain], "agent", TODAY)
    assert isinstance(results[0], MeetingPosted) and results[0].created
    assert isinstance(results[1], MeetingRefused)
    assert results[1].error.field is not None and results[1].error.field.startswith("lines[1]")
    assert isinstance(results[2], MeetingPosted) and results[2].created
    before = loan_counts(db)
    again = post_meetings(db, [good, plain], "agent", TODAY)
    assert not any(isinstance(r, MeetingRefused) or r.created for r in again)
    assert loan_counts(db) == before
    assert ledger_check.check(db) == []


def test_a_batch_too_big_is_refused_whole(db: Database) -> None:
    w = make_world(db)
    with pytest.raises(DomainError) as too_big:
        post_meetings(db, [sheet(w, date(2026, 1, 12))] * (MAX_BATCH + 1), "agent", TODAY)
    assert too_big.value.field == "meetings"
    assert post_meetings(db, [], "agent", TODAY) == []


def test_two_syncs_of_the_same_groups_in_opposite_orders_book_each_sheet_once(
    db: Database,
) -> None:
    pid, sheets = _programme(db, "RACE")
    firsts = list({int(d["group_id"]): d for d in reversed(sheets)}.values())[:3]
    assert len({d["group_id"] for d in firsts}) == 3
    results: list[Any] = []
    start = threading.Barrier(2)

    def phone(batch: list[dict[str, Any]]) -> None:
        start.wait()
        results.extend(post_meetings(db, batch, "agent", SPEC.end))

    # groups locked in id order by both: the second sync waits, then finds them posted
    threads = [
        threading.Thread(target=phone, args=(firsts,)),
        threading.Thread(target=phone, args=(firsts[::-1],)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == 6
    assert all(isinstance(r, MeetingPosted) for r in results)
    assert sorted(r.created for r in results) == [False] * 3 + [True] * 3
    assert counts(db, pid)["meeting"] == 3
    assert ledger_check.check(db) == []
