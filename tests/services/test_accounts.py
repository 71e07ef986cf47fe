"""One ledger account per key, also for programme-wide accounts (NULL group/member)."""

from __future__ import annotations

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import ledger_account
from kuza.domain.ledger import AccountCode, AccountKey
from kuza.services.ledger import account_ids
from tests.factories import make_world


def test_programme_wide_account_cannot_be_created_twice(db: Database) -> None:
    w = make_world(db)
    row = {
        "programme_id": w.programme_id,
        "code": AccountCode.FEE_INCOME.value,
        "group_id": None,
        "member_id": None,
        "currency": "KES",
        "balance_minor": 0,
    }
    with db.transaction() as conn:
        conn.execute(insert(ledger_account).values(**row))
    with pytest.raises(IntegrityError), db.transaction() as conn:
        conn.execute(insert(ledger_account).values(**row))


def test_account_ids_creates_once_and_reuses(db: Database) -> None:
    w = make_world(db)
    key = AccountKey(AccountCode.FEE_INCOME, None)
    with db.transaction() as conn:
        first = account_ids(conn, w.programme_id, [(key, "KES")])
    with db.transaction() as conn:
        again = account_ids(conn, w.programme_id, [(key, "KES")])
    assert first == again
