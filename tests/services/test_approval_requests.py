"""What approval would refuse for a reason already known is refused when the action is
submitted (a date in the future, an unknown reference, a loan or group whose state does
not allow it), on both databases; approval still checks again, since the books move."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import pending_action
from kuza.domain.access import Role
from kuza.domain.approvals import PendingKind, PendingStatus
from kuza.domain.errors import DomainError
from kuza.services import approvals
from kuza.services.loans.applications import apply
from kuza.services.loans.repayments import repay
from tests.factories import FORMED, sheet
from tests.loan_world import TODAY, counts, disbursed_loan, make_loan_world, request

MAR1, APR1 = date(2026, 3, 1), date(2026, 4, 1)
TOMORROW = TODAY + timedelta(days=1)
LAST_MEETING = FORMED + timedelta(weeks=3)


def _waiting(db: Database) -> int:
    with db.read() as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(pending_action)
                .where(pending_action.c.status == PendingStatus.PENDING.value)
            ).scalar_one()
        )


def _submit(db: Database, kind: PendingKind, payload: dict[str, Any]) -> int:
    return approvals.submit(db, kind, payload, "typed twice", "agent", Role.FIELD_AGENT, TODAY)


def test_refused_when_submitted_with_the_field_named(db: Database) -> None:
    lw = make_loan_world(db)
    loan_id = disbursed_loan(db, lw, "1000")
    applied = apply(db, request(lw, "300"), "agent", TODAY)
    repay(db, loan_id, "260", MAR1, "r1", "agent", TODAY)
    repay(db, loan_id, "260", APR1, "r2", "agent", TODAY)
    rev = PendingKind.REPAYMENT_REVERSAL
    w = lw.world
    latest = sheet(w, LAST_MEETING, m0={"voluntary": "200"})
    cases: list[tuple[PendingKind, dict[str, Any], str]] = [
        (rev, {"loan_id": loan_id, "reference": "r2", "on": TOMORROW.isoformat()}, "on"),
        (rev, {"loan_id": loan_id, "reference": "r2", "on": "2026-03-31"}, "on"),  # before it
        (rev, {"loan_id": loan_id, "reference": "nope", "on": APR1.isoformat()}, "reference"),
        (rev, {"loan_id": loan_id, "reference": "r1", "on": APR1.isoformat()}, "reference"),
        (rev, {"loan_id": 999, "reference": "r2", "on": APR1.isoformat()}, "loan_id"),
        (PendingKind.WRITE_OFF, {"loan_id": loan_id, "on": TOMORROW.isoformat()}, "on"),
        (PendingKind.WRITE_OFF, {"loan_id": loan_id, "on": "2026-01-31"}, "on"),
        (PendingKind.WRITE_OFF, {"loan_id": applied, "on": APR1.isoformat()}, "status"),
        (PendingKind.SHARE_OUT, {"group_id": lw.gid, "on": TOMORROW.isoformat()}, "on"),
        (PendingKind.SHARE_OUT, {"group_id": lw.gid, "on": "2026-01-20"}, "on"),
        (PendingKind.MEETING_CORRECTION, {"sheet": latest}, "lines"),  # changes nothing
        (
            PendingKind.MEETING_CORRECTION,
            {"sheet": sheet(w, FORMED + timedelta(weeks=2))},  # not the latest
            "held_on",
        ),
        (
            PendingKind.MEETING_CORRECTION,
            {"sheet": sheet(w, TOMORROW)},
            "held_on",
        ),
    ]
    before = counts(db)
    for kind, payload, field in cases:
        with pytest.raises(DomainError) as err:
            _submit(db, kind, payload)
        assert err.value.field == field, (kind, payload)
    assert _waiting(db) == 0
    assert counts(db) == before


def test_approval_checks_again_when_the_loan_moved_since(db: Database) -> None:
    lw = make_loan_world(db)
    loan_id = disbursed_loan(db, lw, "1000")
    repay(db, loan_id, "260", MAR1, "r1", "agent", TODAY)
    payload = {"loan_id": loan_id, "reference": "r1", "on": APR1.isoformat()}
    action = _submit(db, PendingKind.REPAYMENT_REVERSAL, payload)
    repay(db, loan_id, "260", APR1, "r2", "agent", TODAY)  # r1 is no longer the latest
    before = counts(db)
    with pytest.raises(DomainError) as err:
        approvals.approve(db, action, "manager", Role.BRANCH_MANAGER, TODAY)
    assert err.value.field == "reference"
    assert counts(db) == before and _waiting(db) == 1
