"""Repayments at a meeting (same transaction as the meeting), and the property that the
ledger stays balanced through any sequence of disburse / repay / write-off."""

from __future__ import annotations

import shutil
import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kuza.adapters.db.engine import Database
from kuza.domain.errors import DomainError, IllegalTransition
from kuza.domain.ledger import AccountCode, AccountKey
from kuza.services.ledger_check import check
from kuza.services.loans.repayments import repay
from kuza.services.loans.store import instalment_rows, outstanding_principal
from kuza.services.loans.writeoff import write_off
from kuza.services.meetings import post_meeting
from tests.factories import FORMED, sheet
from tests.loan_world import TODAY, bal, counts, disbursed_loan, make_loan_world


def test_repayments_at_a_meeting_book_with_it(db: Database) -> None:
    lw = make_loan_world(db)
    internal = disbursed_loan(db, lw, "1000")
    external = disbursed_loan(db, lw, "1000", external=True, member_id=lw.m(1))
    held = date(2026, 3, 2)
    data = sheet(
        lw.world,
        held,
        m0={"repayments": [{"loan_id": internal, "amount": "260"}]},
        m1={"repayments": [{"loan_id": external, "amount": "100"}]},
    )
    posted = post_meeting(db, data, "agent", TODAY)
    assert posted.created
    owed = AccountKey(AccountCode.INTERNAL_LOANS, lw.gid, lw.m(0))
    assert bal(db, lw, owed).amount == Decimal("750.00")
    ext = AccountKey(AccountCode.EXTERNAL_LOANS, None, lw.m(1))
    assert bal(db, lw, ext).amount == Decimal("910.00")
    before = counts(db)
    assert not post_meeting(db, data, "agent", TODAY).created  # identical: nothing twice
    assert counts(db) == before
    assert check(db) == []


def test_bad_meeting_repayments_write_nothing(db: Database) -> None:
    lw = make_loan_world(db)
    internal = disbursed_loan(db, lw, "1000")
    before = counts(db)
    cases = [
        ({"m1": {"repayments": [{"loan_id": internal, "amount": "10"}]}}, "lines[1]"),
        ({"m0": {"repayments": [{"loan_id": 9999, "amount": "10"}]}}, "lines[0]"),
        ({"m0": {"repayments": [{"loan_id": internal, "amount": "-1"}]}}, "lines[0]"),
        ({"m0": {"repayments": [{"loan_id": internal, "amount": "0"}]}}, "lines[0]"),
    ]
    for overrides, where in cases:
        with pytest.raises(DomainError) as err:
            post_meeting(db, sheet(lw.world, date(2026, 3, 2), **overrides), "agent", TODAY)
        assert (err.value.field or "").startswith(f"{where}.repayments[0]"), err.value.field
    assert counts(db) == before


step = st.tuples(st.sampled_from(["disburse", "repay", "write_off"]), st.integers(1, 1500))


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(step, min_size=1, max_size=8))
def test_any_loan_sequence_keeps_the_books(sqlite_template: Path, steps) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.sqlite3"
        shutil.copy(sqlite_template, path)
        db = Database(f"sqlite:///{path}")
        lw = make_loan_world(db)
        loans: list[int] = []
        disbursed = repaid = written = Decimal(0)
        day = date(2026, 2, 1)
        for k, (action, amount) in enumerate(steps):
            day += timedelta(days=7)
            try:
                if action == "disburse":
                    loans.append(disbursed_loan(db, lw, str(amount), external=True))
                    disbursed += amount
                elif action == "repay" and loans:
                    done = repay(db, loans[-1], str(amount), day, f"r{k}", "agent", TODAY)
                    repaid += done.principal.amount
                elif action == "write_off" and loans:
                    lost = write_off(db, loans[-1], day, "gone", "boss", "finance", TODAY)
                    written += lost.amount
            except (IllegalTransition, DomainError):
                pass  # refused commands must leave the books as they were
            assert check(db) == [], (action, amount)
        with db.read() as conn:
            owed = sum(
                (outstanding_principal(instalment_rows(conn, i), "KES").amount for i in loans),
                Decimal(0),
            )
        assert owed == disbursed - repaid - written
        assert day > FORMED
        db.dispose()
