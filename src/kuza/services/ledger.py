"""Writing journal entries to the database and reading balances back.

``post_entry`` is the one way money enters the database: it resolves account keys to
rows (creating missing ones), appends the entry and its lines, and moves the running
balances in the same transaction. Nothing here updates or deletes a line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, MutableMapping
from datetime import UTC, date, datetime

from sqlalchemy import (
    Connection,
    Insert,
    bindparam,
    false,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from kuza.adapters.db.schema import journal_entry, journal_line, ledger_account
from kuza.domain.errors import Conflict, NotFound
from kuza.domain.ledger import AccountCode, AccountKey, JournalEntry, Posting, checked, reversal
from kuza.domain.money import Money


def now() -> datetime:
    return datetime.now(UTC)


def _insert_if_absent(conn: Connection) -> Insert:
    if conn.dialect.name == "postgresql":
        return postgresql.insert(ledger_account).on_conflict_do_nothing()
    return sqlite.insert(ledger_account).on_conflict_do_nothing()


def account_ids(
    conn: Connection,
    programme_id: int,
    keys: Iterable[tuple[AccountKey, str]],
    known: MutableMapping[AccountKey, int] | None = None,
) -> dict[AccountKey, int]:
    """Row ids of the accounts ``keys`` (key, currency), creating the missing ones.

    ``known``: the ids of accounts the caller has just read in this transaction (a
    meeting reads all its group's accounts for the fund position); the keys not in it
    are created straight away, without a lookup (one made meanwhile is read back), and
    added to it."""
    wanted = {k: cur for k, cur in keys}
    if not wanted:
        return {}
    found: dict[AccountKey, int] = {}
    if known is not None:
        found = {k: known[k] for k in wanted if k in known}
        missing = [(k, cur) for k, cur in wanted.items() if k not in found]
        if missing:
            made = _create_accounts(conn, programme_id, missing)
            found.update(made)
            known.update(made)
        return found
    group_ids = {k.group_id for k in wanted if k.group_id is not None}
    in_groups = or_(
        ledger_account.c.group_id.in_(group_ids),
        ledger_account.c.group_id.is_(None) if None in {k.group_id for k in wanted} else false(),
    )
    rows = conn.execute(
        select(
            ledger_account.c.id,
            ledger_account.c.code,
            ledger_account.c.group_id,
            ledger_account.c.member_id,
        ).where(
            ledger_account.c.programme_id == programme_id,
            ledger_account.c.code.in_({k.code.value for k in wanted}),
            in_groups,
        )
    )
    for r in rows:
        key = AccountKey(AccountCode(r.code), r.group_id, r.member_id)
        if key in wanted:
            found[key] = r.id
    absent = [(k, cur) for k, cur in wanted.items() if k not in found]
    if absent:
        found.update(_create_accounts(conn, programme_id, absent))
    return found


def _create_accounts(
    conn: Connection, programme_id: int, keys: list[tuple[AccountKey, str]]
) -> dict[AccountKey, int]:
    """Insert the accounts ``keys``; returns their ids. Another transaction may create the
    same account at the same moment: its rows are skipped (ON CONFLICT DO NOTHING, so
    RETURNING gives only the rows made here) and read back."""
    if conn.dialect.name == "postgresql":
        # One fixed statement over arrays: a multi-row VALUES list is a new query text
        # for every count of accounts, parsed again by the driver each time (a sync
        # batch creates hundreds of accounts at once).
        made = conn.execute(
            text(
                "INSERT INTO ledger_account "
                "(programme_id, code, group_id, member_id, currency, balance_minor) "
                "SELECT :pid, k.code, k.group_id, k.member_id, k.currency, 0 "
                "FROM unnest(CAST(:codes AS varchar[]), CAST(:groups AS integer[]), "
                "CAST(:members AS integer[]), CAST(:currencies AS varchar[])) "
                "WITH ORDINALITY AS k(code, group_id, member_id, currency, n) ORDER BY k.n "
                "ON CONFLICT DO NOTHING RETURNING id, code, group_id, member_id"
            ),
            {
                "pid": programme_id,
                "codes": [k.code.value for k, _ in keys],
                "groups": [k.group_id for k, _ in keys],
                "members": [k.member_id for k, _ in keys],
                "currencies": [cur for _, cur in keys],
            },
        )
    else:
        made = conn.execute(
            _insert_if_absent(conn).returning(
                ledger_account.c.id,
                ledger_account.c.code,
                ledger_account.c.group_id,
                ledger_account.c.member_id,
            ),
            [
                {
                    "programme_id": programme_id,
                    "code": k.code.value,
                    "group_id": k.group_id,
                    "member_id": k.member_id,
                    "currency": cur,
                    "balance_minor": 0,
                }
                for k, cur in keys
            ],
        )
    found = {AccountKey(AccountCode(r.code), r.group_id, r.member_id): r.id for r in made}
    raced = [(k, cur) for k, cur in keys if k not in found]
    if raced:
        found.update(account_ids(conn, programme_id, raced))
    return found


def _insert_entry(conn: Connection) -> Insert:
    # A reused key inserts nothing (and returns no id) instead of failing the
    # transaction: the check and the write are one statement.
    keys = ["programme_id", "idempotency_key"]
    if conn.dialect.name == "postgresql":
        return postgresql.insert(journal_entry).on_conflict_do_nothing(index_elements=keys)
    return sqlite.insert(journal_entry).on_conflict_do_nothing(index_elements=keys)


def post_entry(
    conn: Connection,
    programme_id: int,
    entry: JournalEntry,
    actor: str,
    known: MutableMapping[AccountKey, int] | None = None,
) -> int:
    """Append a balanced entry; returns its id. Raises Conflict on a reused key.
    ``known``: account ids the caller already holds (see :func:`account_ids`)."""
    checked(entry)
    entry_id = conn.execute(
        _insert_entry(conn)
        .values(
            programme_id=programme_id,
            posted_on=entry.posted_on,
            memo=entry.memo,
            source=entry.source,
            reverses_id=entry.reverses,
            idempotency_key=entry.key,
            created_at=now(),
            created_by=actor,
        )
        .returning(journal_entry.c.id)
    ).scalar()
    if entry_id is None:
        raise Conflict("entry with key %(key)s is already posted", field="key", key=repr(entry.key))
    ids = account_ids(
        conn, programme_id, ((p.account, p.amount.currency) for p in entry.postings), known
    )
    conn.execute(
        insert(journal_line),
        [
            {
                "programme_id": programme_id,
                "entry_id": entry_id,
                "account_id": ids[p.account],
                "amount_minor": p.amount.minor,
                "currency": p.amount.currency,
                "memo": p.memo,
            }
            for p in entry.postings
        ],
    )
    moves: dict[int, int] = defaultdict(int)
    for p in entry.postings:
        moves[ids[p.account]] += p.amount.minor
    move_balances(conn, moves)
    return int(entry_id)


def move_balances(conn: Connection, moves: dict[int, int]) -> None:
    """Add ``moves`` (account id -> minor units) to the running balances.

    A meeting moves ~30 accounts; one UPDATE per account was two thirds of its posting
    time (docs/scale.md). PostgreSQL: lock the rows in id order (so two entries sharing
    accounts queue instead of deadlocking) and move them with ``UPDATE … FROM unnest``,
    in one statement. SQLite
    holds the write lock already: one prepared UPDATE, executemany.
    """
    ordered = sorted(moves.items())
    if not ordered:
        return
    if conn.dialect.name == "postgresql":
        # One round trip: the MATERIALIZED CTE locks every row in id order, and the
        # one-time filter on its count runs it to the end before the first row moves.
        conn.execute(
            text(
                "WITH locked AS MATERIALIZED (SELECT id FROM ledger_account "
                "WHERE id = ANY(CAST(:ids AS bigint[])) ORDER BY id FOR UPDATE) "
                "UPDATE ledger_account SET balance_minor = ledger_account.balance_minor + m.delta "
                "FROM unnest(CAST(:ids AS bigint[]), CAST(:deltas AS bigint[])) AS m(id, delta) "
                "WHERE ledger_account.id = m.id AND (SELECT count(*) FROM locked) > 0"
            ),
            {"ids": [a for a, _ in ordered], "deltas": [d for _, d in ordered]},
        )
        return
    conn.execute(
        update(ledger_account)
        .where(ledger_account.c.id == bindparam("account_id"))
        .values(balance_minor=ledger_account.c.balance_minor + bindparam("delta")),
        [{"account_id": a, "delta": d} for a, d in ordered],
    )


def load_entry(conn: Connection, entry_id: int) -> JournalEntry:
    head = conn.execute(select(journal_entry).where(journal_entry.c.id == entry_id)).first()
    if head is None:
        raise NotFound("no journal entry %(entry_id)s", field="entry_id", entry_id=entry_id)
    rows = conn.execute(
        select(
            journal_line.c.amount_minor,
            journal_line.c.currency,
            journal_line.c.memo,
            ledger_account.c.code,
            ledger_account.c.group_id,
            ledger_account.c.member_id,
        )
        .join(ledger_account, ledger_account.c.id == journal_line.c.account_id)
        .where(journal_line.c.entry_id == entry_id)
        .order_by(journal_line.c.id)
    )
    postings = tuple(
        Posting(
            AccountKey(AccountCode(r.code), r.group_id, r.member_id),
            Money.from_minor(r.amount_minor, r.currency),
            r.memo,
        )
        for r in rows
    )
    return JournalEntry(
        head.posted_on, head.memo, postings, head.source, head.reverses_id, head.idempotency_key
    )


def reverse_entry(
    conn: Connection, programme_id: int, entry_id: int, on: date, reason: str, actor: str
) -> int:
    already = conn.execute(
        select(journal_entry.c.id).where(journal_entry.c.reverses_id == entry_id)
    ).scalar()
    if already is not None:
        raise Conflict(
            "entry %(entry_id)s is already reversed by entry %(already)s",
            "entry_id",
            entry_id=entry_id,
            already=already,
        )
    original = load_entry(conn, entry_id)
    if original.reverses is not None:
        raise Conflict(
            "entry %(entry_id)s is itself a reversal; post a new entry",
            "entry_id",
            entry_id=entry_id,
        )
    return post_entry(conn, programme_id, reversal(entry_id, original, on, reason), actor)


def balances_of(
    conn: Connection, programme_id: int, keys: Iterable[AccountKey], currency: str
) -> dict[AccountKey, Money]:
    """Signed balances (debit-positive) of ``keys``; accounts never used are zero."""
    keys = list(keys)
    result = {k: Money.zero(currency) for k in keys}
    if not keys:
        return result
    rows = conn.execute(
        select(
            ledger_account.c.code,
            ledger_account.c.group_id,
            ledger_account.c.member_id,
            ledger_account.c.balance_minor,
            ledger_account.c.currency,
        ).where(
            ledger_account.c.programme_id == programme_id,
            ledger_account.c.code.in_({k.code.value for k in keys}),
            or_(
                ledger_account.c.group_id.in_({k.group_id for k in keys if k.group_id}),
                # programme-wide accounts (no group) are looked up too
                ledger_account.c.group_id.is_(None)
                if any(k.group_id is None for k in keys)
                else false(),
            ),
        )
    )
    for r in rows:
        key = AccountKey(AccountCode(r.code), r.group_id, r.member_id)
        if key in result:
            result[key] = Money.from_minor(r.balance_minor, r.currency)
    return result


def group_accounts(
    conn: Connection, programme_id: int, group_id: int
) -> dict[AccountKey, tuple[int, int]]:
    """Every account of a group: its row id and signed balance in minor units."""
    rows = conn.execute(
        select(
            ledger_account.c.id,
            ledger_account.c.code,
            ledger_account.c.member_id,
            ledger_account.c.balance_minor,
        ).where(
            ledger_account.c.programme_id == programme_id,
            ledger_account.c.group_id == group_id,
        )
    ).all()  # one fetch: iterating the result fetched row by row
    return {
        AccountKey(AccountCode(r.code), group_id, r.member_id): (r.id, r.balance_minor)
        for r in rows
    }


def group_balances(
    conn: Connection, programme_id: int, group_id: int, currency: str
) -> dict[AccountKey, Money]:
    """Every account of a group with its signed balance."""
    return {
        k: Money.from_minor(balance, currency)
        for k, (_, balance) in group_accounts(conn, programme_id, group_id).items()
    }


def account_lines(
    conn: Connection, programme_id: int, key: AccountKey
) -> list[tuple[int, date, str, str, int, str]]:
    """(entry id, date, entry memo, line memo, amount minor, currency) of one account."""
    rows = conn.execute(
        select(
            journal_entry.c.id,
            journal_entry.c.posted_on,
            journal_entry.c.memo,
            journal_line.c.memo.label("line_memo"),
            journal_line.c.amount_minor,
            journal_line.c.currency,
        )
        .join(journal_line, journal_line.c.entry_id == journal_entry.c.id)
        .join(ledger_account, ledger_account.c.id == journal_line.c.account_id)
        .where(
            ledger_account.c.programme_id == programme_id,
            ledger_account.c.code == key.code.value,
            ledger_account.c.group_id.is_(None)
            if key.group_id is None
            else ledger_account.c.group_id == key.group_id,
            ledger_account.c.member_id.is_(None)
            if key.member_id is None
            else ledger_account.c.member_id == key.member_id,
        )
        .order_by(journal_entry.c.posted_on, journal_entry.c.id, journal_line.c.id)
    )
    return [(r.id, r.posted_on, r.memo, r.line_memo, r.amount_minor, r.currency) for r in rows]


def unbalanced_entries(conn: Connection) -> list[tuple[int, str, int]]:
    rows = conn.execute(
        select(
            journal_line.c.entry_id,
            journal_line.c.currency,
            func.sum(journal_line.c.amount_minor).label("off"),
        )
        .group_by(journal_line.c.entry_id, journal_line.c.currency)
        .having(func.sum(journal_line.c.amount_minor) != 0)
    )
    return [(r.entry_id, r.currency, int(r.off)) for r in rows]


def drifted_accounts(conn: Connection) -> list[tuple[int, str, int, int]]:
    """Accounts whose stored running balance differs from the sum of their lines."""
    sums = (
        select(
            journal_line.c.account_id,
            func.sum(journal_line.c.amount_minor).label("total"),
        )
        .group_by(journal_line.c.account_id)
        .subquery()
    )
    rows = conn.execute(
        select(
            ledger_account.c.id,
            ledger_account.c.code,
            ledger_account.c.balance_minor,
            func.coalesce(sums.c.total, 0).label("total"),
        )
        .select_from(ledger_account.outerjoin(sums, sums.c.account_id == ledger_account.c.id))
        .where(ledger_account.c.balance_minor != func.coalesce(sums.c.total, 0))
    )
    return [(r.id, r.code, int(r.balance_minor), int(r.total)) for r in rows]


def empty_entries(conn: Connection) -> list[int]:
    lines = select(journal_line.c.entry_id).distinct().subquery()
    rows = conn.execute(
        select(journal_entry.c.id)
        .select_from(journal_entry.outerjoin(lines, lines.c.entry_id == journal_entry.c.id))
        .where(lines.c.entry_id.is_(None))
    )
    return [r.id for r in rows]
