from __future__ import annotations

from datetime import date

import pytest

from kuza.domain.errors import UnbalancedEntry
from kuza.domain.ledger import (
    AccountCode,
    AccountKey,
    EntryBuilder,
    JournalEntry,
    Posting,
    balances,
    checked,
    normal_balance,
    reversal,
)
from kuza.domain.money import Money

CASH = AccountKey(AccountCode.GROUP_CASH, 1)
SAVINGS = AccountKey(AccountCode.MEMBER_SAVINGS, 1, 7)
D = date(2026, 3, 2)


def kes(v: str) -> Money:
    return Money.of(v, "KES")


def test_unbalanced_entry_is_refused() -> None:
    with pytest.raises(UnbalancedEntry, match=r"off by 1\.00 KES"):
        checked(JournalEntry(D, "bad", (Posting(CASH, kes("101")), Posting(SAVINGS, kes("-100")))))
    with pytest.raises(UnbalancedEntry):
        checked(JournalEntry(D, "empty", ()))


def test_balance_is_per_currency() -> None:
    entry = JournalEntry(
        D,
        "two currencies",
        (Posting(CASH, kes("1")), Posting(SAVINGS, Money.of("-1", "INR"))),
    )
    with pytest.raises(UnbalancedEntry):
        checked(entry)


def test_builder_and_reversal_cancel_exactly() -> None:
    book = EntryBuilder(D, "meeting")
    book.move(CASH, SAVINGS, kes("100"))
    book.move(CASH, SAVINGS, kes("0"))  # zero moves leave no line
    entry = book.build()
    assert len(entry.postings) == 2
    undo = reversal(5, entry, D, "typo")
    assert undo.reverses == 5
    net = balances([entry, undo])
    assert all(v.is_zero() for v in net.values())
    assert normal_balance(AccountCode.MEMBER_SAVINGS, balances([entry])[SAVINGS]) == kes("100")


def test_member_account_needs_a_member() -> None:
    with pytest.raises(ValueError):
        AccountKey(AccountCode.MEMBER_SAVINGS, 1)
