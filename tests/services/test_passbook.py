from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kuza.adapters.db.engine import Database
from kuza.domain.errors import Conflict, DomainError, RuleViolation
from kuza.services.ledger_check import check
from kuza.services.passbook import PassbookMove, move, statement
from tests.factories import make_world

TODAY = date(2026, 6, 1)


def test_deposits_withdrawals_and_statement(db: Database) -> None:
    w = make_world(db)
    m = w.member_ids[0]
    move(db, m, PassbookMove.DEPOSIT, "500", date(2026, 2, 1), "R-1", "agent", TODAY)
    move(db, m, PassbookMove.DEPOSIT, "250.50", date(2026, 2, 8), "R-2", "agent", TODAY)
    out = move(db, m, PassbookMove.WITHDRAWAL, "300", date(2026, 3, 1), "R-3", "agent", TODAY)
    assert out.balance.amount == Decimal("450.50")
    lines = statement(db, m, TODAY)
    assert [
        (
            ln.deposit and ln.deposit.amount,
            ln.withdrawal and ln.withdrawal.amount,
            ln.balance.amount,
        )
        for ln in lines
    ] == [
        (Decimal("500.00"), None, Decimal("500.00")),
        (Decimal("250.50"), None, Decimal("750.50")),
        (None, Decimal("300.00"), Decimal("450.50")),
    ]
    assert check(db) == []


def test_same_reference_books_once_and_reuse_for_other_amount_is_refused(db: Database) -> None:
    w = make_world(db)
    m = w.member_ids[1]
    first = move(db, m, PassbookMove.DEPOSIT, "100", date(2026, 2, 1), "R-9", "agent", TODAY)
    again = move(db, m, PassbookMove.DEPOSIT, "100", date(2026, 2, 1), "R-9", "agent", TODAY)
    assert first.created and not again.created
    assert again.entry_id == first.entry_id
    with pytest.raises(Conflict):
        move(db, m, PassbookMove.DEPOSIT, "120", date(2026, 2, 1), "R-9", "agent", TODAY)
    assert len(statement(db, m, TODAY)) == 1


@pytest.mark.parametrize(
    "kind,amount,ref,on,error,field",
    [
        (PassbookMove.WITHDRAWAL, "1", "R", date(2026, 2, 1), RuleViolation, "amount"),
        (PassbookMove.DEPOSIT, "-5", "R", date(2026, 2, 1), DomainError, "amount"),
        (PassbookMove.DEPOSIT, "abc", "R", date(2026, 2, 1), DomainError, "amount"),
        (PassbookMove.DEPOSIT, "5", " ", date(2026, 2, 1), DomainError, "reference"),
        (PassbookMove.DEPOSIT, "5", "R", date(2026, 7, 1), RuleViolation, "on"),
        (PassbookMove.DEPOSIT, "5", "R", date(2025, 7, 1), DomainError, "member_id"),
    ],
)
def test_bad_passbook_input_changes_nothing(db: Database, kind, amount, ref, on, error, field):
    w = make_world(db)
    with pytest.raises(error) as err:
        move(db, w.member_ids[0], kind, amount, on, ref, "agent", TODAY)
    assert err.value.field == field
    assert statement(db, w.member_ids[0], TODAY) == []
