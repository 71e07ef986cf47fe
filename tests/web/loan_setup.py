"""A loan book over the web ``org``: savings from four meetings, an internal product
repaid weekly, a funded loan fund, one application waiting for a checker, one active
loan with instalments due, and one write-off waiting for approval. Ids are fixed (a
fresh database per test) so the authorisation matrix can name them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import pending_action
from kuza.domain.approvals import PendingKind, PendingStatus
from kuza.services.loans import products
from kuza.services.loans.applications import LoanRequest, apply, approve
from kuza.services.loans.disbursement import disburse
from kuza.services.meetings import post_meeting
from tests.factories import FORMED, sheet
from tests.web.conftest import TODAY, Org

APPLIED_LOAN = 1  # applied by "agent" for member 1, waiting for a checker
ACTIVE_LOAN = 2  # member 0, disbursed 2026-01-12, weekly instalments from 2026-01-19
WAITING_ACTION = 1  # a write-off of the applied loan (illegal if approved: it stays)

WEEKLY_4: dict[str, Any] = {
    "rate": {"percent": "1", "per": "month"},
    "method": "flat",
    "instalments": 4,
    "every": {"n": 1, "unit": "week"},
}


@dataclass(frozen=True)
class LoanBook:
    product: int
    applied: int
    active: int
    action: int


def make_loan_book(db: Database, org: Org) -> LoanBook:
    w = org.world
    for week in range(4):  # Jan 5 .. Jan 26: group cash 2000, member 0 saved 1200
        day = FORMED + timedelta(weeks=week)
        post_meeting(db, sheet(w, day, m0={"voluntary": "200"}), "agent", TODAY)
    product = products.create_product(
        db,
        w.programme_id,
        {"name": "Weekly", "kind": "internal", "terms": WEEKLY_4, "savings_multiple": "3"},
        "manager",
    )
    applied = apply(
        db,
        LoanRequest(w.group_id, w.member_ids[1], product, "200", date(2026, 1, 26), "seeds"),
        "agent",
        TODAY,
    )
    active = apply(
        db,
        LoanRequest(w.group_id, w.member_ids[0], product, "400", date(2026, 1, 12), "goats"),
        "agent",
        TODAY,
    )
    approve(db, active, date(2026, 1, 12), "manager", TODAY)
    disburse(db, active, date(2026, 1, 12), "agent", TODAY)
    action = _stale_write_off(db, w.programme_id, w.group_id, applied)
    assert (applied, active, action) == (APPLIED_LOAN, ACTIVE_LOAN, WAITING_ACTION)
    return LoanBook(product, applied, active, action)


def _stale_write_off(db: Database, programme_id: int, group_id: int, loan_id: int) -> int:
    """A write-off waiting for a checker that approval must refuse, whoever tries, so the
    matrix can try it with every role. ``approvals.submit`` refuses it at once (a loan
    only applied for cannot be written off), so the row is stored as one submitted
    before the loan changed would be."""
    with db.transaction() as conn:
        return int(
            conn.execute(
                insert(pending_action)
                .values(
                    programme_id=programme_id,
                    kind=PendingKind.WRITE_OFF.value,
                    group_id=group_id,
                    payload={"loan_id": loan_id, "on": TODAY.isoformat()},
                    reason="moved away",
                    status=PendingStatus.PENDING.value,
                    made_by="agent",
                    made_at=datetime(2026, 1, 27, 9, 0, tzinfo=UTC),
                )
                .returning(pending_action.c.id)
            ).scalar_one()
        )
