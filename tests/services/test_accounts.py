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


def test_balances_of_reads_programme_wide_accounts(db: Database) -> None:
    from kuza.domain.ledger import EntryBuilder
    from kuza.domain.money import Money
    from kuza.services.ledger import balances_of, post_entry
    from tests.factories import FORMED

    w = make_world(db)
    fee = AccountKey(AccountCode.FEE_INCOME, None)
    cash = AccountKey(AccountCode.GROUP_CASH, w.group_id)
    book = EntryBuilder(FORMED, "fee")
    book.move(cash, fee, Money.of("12.50", "KES"))
    with db.transaction() as conn:
        post_entry(conn, w.programme_id, book.build(), "t")
    with db.read() as conn:
        bal = balances_of(conn, w.programme_id, [fee, cash], "KES")
    assert bal[fee] == Money.of("-12.50", "KES")
    assert bal[cash] == Money.of("12.50", "KES")


def test_a_reader_does_not_wait_for_a_writer_on_sqlite(sqlite_db: Database) -> None:
    make_world(sqlite_db)
    with sqlite_db.transaction() as writer:
        writer.exec_driver_sql("UPDATE programme SET name = name")
        with sqlite_db.read() as reader:  # would wait for the write lock before the fix
            assert reader.exec_driver_sql("SELECT count(*) FROM programme").scalar() == 1


def test_an_entrys_lines_are_stored_in_posting_order(db: Database) -> None:
    """One INSERT per entry on PostgreSQL (unnest … ORDER BY): line ids follow the postings."""
    from kuza.domain.ledger import EntryBuilder
    from kuza.domain.money import Money
    from kuza.services.ledger import load_entry, post_entry
    from tests.factories import FORMED

    w = make_world(db, members=3)
    cash = AccountKey(AccountCode.GROUP_CASH, w.group_id)
    book = EntryBuilder(FORMED, "many", key="order-test")
    for i, mid in enumerate([*w.member_ids, *reversed(w.member_ids)]):
        saving = AccountKey(AccountCode.MEMBER_SAVINGS, w.group_id, mid)
        book.move(cash, saving, Money.of(f"{i + 1}.25", "KES"), "" if i % 2 else f"wk {i} ü'\"")
    entry = book.build()
    with db.transaction() as conn:
        entry_id = post_entry(conn, w.programme_id, entry, "t")
    with db.read() as conn:
        again = load_entry(conn, entry_id)
    assert again.postings == entry.postings
    assert (again.key, again.memo, again.posted_on) == ("order-test", "many", FORMED)
