from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import journal_entry, journal_line, meeting
from kuza.domain.errors import Conflict, DomainError, NotFound, RuleViolation
from kuza.domain.ledger import AccountCode, AccountKey
from kuza.services.ledger import balances_of
from kuza.services.meetings import correct_meeting, post_meeting
from tests.factories import make_world, sheet

TODAY = date(2026, 6, 1)


def counts(db: Database) -> tuple[int, int, int]:
    with db.read() as conn:
        return (
            conn.execute(select(func.count()).select_from(journal_entry)).scalar_one(),
            conn.execute(select(func.count()).select_from(journal_line)).scalar_one(),
            conn.execute(select(func.count()).select_from(meeting)).scalar_one(),
        )


def cash(db: Database, world) -> Decimal:
    key = AccountKey(AccountCode.GROUP_CASH, world.group_id)
    with db.read() as conn:
        return balances_of(conn, world.programme_id, [key], "KES")[key].amount


def test_posting_books_savings_fines_and_social_fund(db: Database) -> None:
    w = make_world(db)
    data = sheet(
        w,
        date(2026, 1, 12),
        m0={"voluntary": "50", "fines": [{"amount": "10", "reason": "late"}], "social": "20"},
        m2={"present": False},
    )
    result = post_meeting(db, data, "agent", TODAY)
    assert result.created
    # two present members pay the 100 compulsory by default, the absent one pays nothing
    assert result.summary["compulsory"] == "200.00"
    assert cash(db, w) == Decimal("280.00")
    saving = AccountKey(AccountCode.MEMBER_SAVINGS, w.group_id, w.member_ids[0])
    with db.read() as conn:
        bal = balances_of(conn, w.programme_id, [saving], "KES")
    assert bal[saving].amount == Decimal("-100.00")  # a liability: credit balance


def test_identical_resubmission_books_once(db: Database) -> None:
    w = make_world(db)
    data = sheet(w, date(2026, 1, 12))
    first = post_meeting(db, data, "agent", TODAY)
    before = counts(db)
    again = post_meeting(db, data, "agent", TODAY)
    assert not again.created
    assert again.meeting_id == first.meeting_id
    assert counts(db) == before
    assert cash(db, w) == Decimal("300.00")


def test_changed_resubmission_is_refused_then_corrected_by_reversal(db: Database) -> None:
    w = make_world(db)
    post_meeting(db, sheet(w, date(2026, 1, 12)), "agent", TODAY)
    changed = sheet(w, date(2026, 1, 12), m1={"voluntary": "40"})
    with pytest.raises(Conflict) as err:
        post_meeting(db, changed, "agent", TODAY)
    assert err.value.field == "held_on"
    assert cash(db, w) == Decimal("300.00")
    fixed = correct_meeting(db, changed, "voluntary saving was missed", "agent", TODAY)
    assert fixed.created
    assert cash(db, w) == Decimal("340.00")
    with db.read() as conn:
        reversals = conn.execute(
            select(func.count())
            .select_from(journal_entry)
            .where(journal_entry.c.reverses_id.is_not(None))
        ).scalar_one()
        statuses = sorted(conn.execute(select(meeting.c.status)).scalars())
    assert reversals == 1
    assert statuses == ["posted", "superseded"]


def test_withdrawal_within_voluntary_balance(db: Database) -> None:
    w = make_world(db)
    post_meeting(db, sheet(w, date(2026, 1, 12), m0={"voluntary": "80"}), "agent", TODAY)
    post_meeting(db, sheet(w, date(2026, 1, 19), m0={"withdrawal": "80"}), "agent", TODAY)
    assert cash(db, w) == Decimal("600.00")


BAD_CASES = [
    ("unknown member", {"m0": {"member_id": 99999}}, NotFound, "lines[0].member_id"),
    ("negative amount", {"m0": {"voluntary": "-5"}}, DomainError, "lines[0].voluntary"),
    ("non-numeric", {"m1": {"voluntary": "ten"}}, DomainError, "lines[1].voluntary"),
    ("float amount", {"m1": {"voluntary": 1.5}}, DomainError, "lines[1].voluntary"),
    ("too many decimals", {"m1": {"social": "1.005"}}, DomainError, "lines[1].social"),
    ("withdrawal above balance", {"m0": {"withdrawal": "1"}}, RuleViolation, "lines[0].withdrawal"),
    (
        "payout above social fund",
        {"m0": {"social_payout": "5", "social_payout_reason": "x"}},
        RuleViolation,
        "lines[0].social_payout",
    ),
    (
        "fine without reason",
        {"m0": {"fines": [{"amount": "5"}]}},
        DomainError,
        "lines[0].fines[0].reason",
    ),
]


@pytest.mark.parametrize("label,overrides,error,field", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_lines_write_nothing(db: Database, label, overrides, error, field) -> None:
    w = make_world(db)
    before = counts(db)
    with pytest.raises(error) as err:
        post_meeting(db, sheet(w, date(2026, 1, 12), **overrides), "agent", TODAY)
    assert err.value.field == field
    assert counts(db) == before


def test_bad_meeting_level_input_writes_nothing(db: Database) -> None:
    w = make_world(db)
    other = make_world(db, code="KE-OTHER")
    before = counts(db)
    cases = [
        ({**sheet(w, date(2025, 12, 1))}, "held_on"),  # before the group formed
        ({**sheet(w, date(2026, 7, 1))}, "held_on"),  # in the future
        ({**sheet(w, date(2026, 1, 12)), "currency": "USD"}, "currency"),
        ({**sheet(w, date(2026, 1, 12)), "held_on": "2026-13-01"}, "held_on"),
        ({**sheet(w, date(2026, 1, 12)), "group_id": "x"}, "group_id"),
        ({**sheet(w, date(2026, 1, 12)), "group_id": 424242}, "group_id"),
    ]
    foreign = sheet(w, date(2026, 1, 12))
    foreign["lines"][0]["member_id"] = other.member_ids[0]  # type: ignore[index]
    cases.append((foreign, "lines[0].member_id"))
    for data, field in cases:
        with pytest.raises(DomainError) as err:
            post_meeting(db, data, "agent", TODAY)
        assert err.value.field == field, data
    assert counts(db) == before
