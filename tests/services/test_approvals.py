"""Approving a pending action is one transaction: a crash between claiming the action and
finishing it leaves it pending with nothing booked, and it is then approved exactly
once. Rows left 'running' by the old two-step approval are settled by migration 0012.
Both databases."""

from __future__ import annotations

import importlib
import threading
from datetime import date
from typing import Any

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import func, insert, select, update

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import audit_log, journal_entry, loan, pending_action, share_out
from kuza.domain.access import Role
from kuza.domain.approvals import PendingKind
from kuza.domain.errors import Conflict
from kuza.services import approvals, ledger_check, shareout
from kuza.services.ledger import now
from tests.factories import World, make_world
from tests.services.test_shareout import TODAY, three_meetings

ON = date(2026, 1, 26)


class Crash(BaseException):
    """The process dying mid-way (not an error the code could catch and handle)."""


def _count(db: Database, table: Any) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _status(db: Database, action_id: int) -> str:
    with db.read() as conn:
        found = conn.execute(
            select(pending_action.c.status).where(pending_action.c.id == action_id)
        ).scalar_one()
    return str(found)


def _share_out_waiting(db: Database) -> tuple[World, int]:
    w = make_world(db)
    three_meetings(db, w)
    action = approvals.submit(
        db,
        PendingKind.SHARE_OUT,
        {"group_id": w.group_id, "on": ON.isoformat()},
        "",
        "agent",
        Role.FIELD_AGENT,
        TODAY,
    )
    return w, action


@pytest.mark.parametrize("dies_at", ["share_out", "approve"])
def test_a_crash_during_approval_leaves_it_pending_then_it_books_once(
    db: Database, monkeypatch: pytest.MonkeyPatch, dies_at: str
) -> None:
    """Dies at the share-out's own audit row (its entry and rows written) or at the
    approval's (the command done, the action marked approved): nothing stays."""
    _w, action = _share_out_waiting(db)
    entries = _count(db, journal_entry)
    real = approvals.audit.record

    def dying_audit(conn: Any, pid: Any, actor: str, action_name: str, *rest: Any) -> None:
        if action_name == dies_at:
            raise Crash
        real(conn, pid, actor, action_name, *rest)

    monkeypatch.setattr(approvals.audit, "record", dying_audit)
    with pytest.raises(Crash):
        approvals.approve(db, action, "manager", Role.COUNTRY_MANAGER, TODAY)
    monkeypatch.undo()
    assert _status(db, action) == "pending"
    assert (_count(db, share_out), _count(db, journal_entry)) == (0, entries)
    result = approvals.approve(db, action, "manager", Role.COUNTRY_MANAGER, TODAY)
    assert _status(db, action) == "approved"
    assert (_count(db, share_out), _count(db, journal_entry)) == (1, entries + 1)
    with pytest.raises(Conflict, match="already approved"):
        approvals.approve(db, action, "finance", Role.FINANCE, TODAY)
    assert (_count(db, share_out), _count(db, journal_entry)) == (1, entries + 1)
    with db.read() as conn:
        row = conn.execute(select(pending_action)).one()
        approved = conn.execute(
            select(func.count()).where(audit_log.c.action == "approve")
        ).scalar_one()
    assert (row.checked_by, row.result) == ("manager", result) and approved == 1
    assert ledger_check.check(db) == []


def test_a_refused_command_leaves_the_action_pending(db: Database) -> None:
    w, action = _share_out_waiting(db)
    with db.transaction() as conn:  # the share-out date now lies in the future
        conn.execute(
            update(pending_action)
            .where(pending_action.c.id == action)
            .values(payload={"group_id": w.group_id, "on": "2027-01-01"})
        )
    with pytest.raises(Exception, match="in the future"):
        approvals.approve(db, action, "manager", Role.COUNTRY_MANAGER, TODAY)
    assert _status(db, action) == "pending" and _count(db, share_out) == 0
    approvals.reject(db, action, "manager", Role.COUNTRY_MANAGER, "wrong date")
    assert _status(db, action) == "rejected"


def test_two_checkers_at_once_book_once(db: Database) -> None:
    _w, action = _share_out_waiting(db)
    entries = _count(db, journal_entry)
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def checker(name: str, role: Role) -> None:
        start.wait()
        try:
            approvals.approve(db, action, name, role, TODAY)
            outcomes.append("approved")
        except Conflict:
            outcomes.append("conflict")

    threads = [
        threading.Thread(target=checker, args=("manager", Role.COUNTRY_MANAGER)),
        threading.Thread(target=checker, args=("finance", Role.FINANCE)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["approved", "conflict"]
    assert (_count(db, share_out), _count(db, journal_entry)) == (1, entries + 1)


def _run_0012(db: Database) -> None:
    module = importlib.import_module(
        "kuza.adapters.db.migrations.versions.0012_pending_action_unstick"
    )
    with db.transaction() as conn, Operations.context(MigrationContext.configure(conn)):
        module.upgrade()


def _stuck(db: Database, w: World, kind: str, payload: dict[str, Any]) -> int:
    with db.transaction() as conn:
        return int(
            conn.execute(
                insert(pending_action)
                .values(
                    programme_id=w.programme_id, kind=kind, group_id=w.group_id,
                    payload=payload, reason="r", status="running", made_by="agent",
                    made_at=now(),
                )
                .returning(pending_action.c.id)
            ).scalar_one()
        )  # fmt: skip


def test_migration_0012_settles_actions_left_running(db: Database) -> None:
    w, _action = _share_out_waiting(db)
    with db.transaction() as conn:  # the old code's crash: share-out booked, row left running
        conn.execute(update(pending_action).values(status="running"))
    shareout.share_out(db, w.group_id, ON, "manager", TODAY)
    booked_then_crashed = 1
    not_booked = _stuck(db, w, "write_off", {"loan_id": 999, "on": ON.isoformat()})
    unreadable = _stuck(db, w, "share_out", {"group_id": w.group_id, "on": "not a date"})
    _run_0012(db)
    with db.read() as conn:
        rows = {r.id: r for r in conn.execute(select(pending_action))}
        so = conn.execute(select(share_out.c.id, share_out.c.entry_id)).one()
        assert conn.execute(select(func.count()).select_from(loan)).scalar_one() == 0
    assert rows[booked_then_crashed].status == "approved"
    assert rows[booked_then_crashed].result == {"share_out_id": so.id, "entry_id": so.entry_id}
    assert (rows[not_booked].status, rows[unreadable].status) == ("pending", "pending")
    # the recovered share-out cannot be approved again; the others can be decided
    with pytest.raises(Conflict, match="already approved"):
        approvals.approve(db, booked_then_crashed, "finance", Role.FINANCE, TODAY)
    approvals.reject(db, not_booked, "finance", Role.FINANCE, "no such loan")
    assert _status(db, not_booked) == "rejected"
