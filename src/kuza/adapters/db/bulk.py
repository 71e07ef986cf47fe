"""Set-based writes for bulk loads: PostgreSQL ``COPY`` through psycopg, a prepared
multi-row ``INSERT`` (executemany) on SQLite.

Used by loaders that write thousands of rows in one transaction (synthetic data, member
imports); the rows are plain tuples in the order of ``columns``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, cast

import psycopg
from sqlalchemy import JSON, Connection, Table, insert, text

# The columns a meeting's rows are bulk-written with, in the order of their tuples
# (services.meeting_batch, services.synth_bulk, services.synth_loans).
ENTRY_COLS = (
    "id",
    "programme_id",
    "posted_on",
    "memo",
    "source",
    "idempotency_key",
    "created_at",
    "created_by",
)
LINE_COLS = ("programme_id", "entry_id", "account_id", "amount_minor", "currency", "memo")
MEETING_COLS = (
    "id",
    "programme_id",
    "group_id",
    "held_on",
    "cycle_number",
    "content_hash",
    "entry_id",
    "status",
    "notes",
    "posted_at",
    "posted_by",
)
MLINE_COLS = (
    "programme_id",
    "meeting_id",
    "member_id",
    "present",
    "compulsory_minor",
    "voluntary_minor",
    "social_minor",
    "fines_minor",
    "withdrawal_minor",
    "social_payout_minor",
)
AUDIT_COLS = ("programme_id", "at", "actor", "action", "object_kind", "object_id", "after")


def _copy_value(value: Any) -> Any:
    # COPY sends text; JSON columns need their JSON text, not Python's repr of a dict.
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


def write_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Append ``rows`` to ``table`` in the current transaction; returns the row count."""
    if conn.dialect.name == "postgresql":
        raw = cast(psycopg.Connection[Any], conn.connection.dbapi_connection)
        names = ", ".join(f'"{c}"' for c in columns)  # quoted: loan has a column "grant"
        count = 0
        # Only JSON columns need their values turned into text first (the audit's
        # before/after); the other tables' rows go as they are.
        as_json = any(isinstance(table.c[c].type, JSON) for c in columns)
        with (
            raw.cursor() as cur,
            cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy,
        ):
            for row in rows:
                copy.write_row([_copy_value(v) for v in row] if as_json else row)
                count += 1
        return count
    batch = [dict(zip(columns, row, strict=True)) for row in rows]
    if batch:
        conn.execute(insert(table), batch)
    return len(batch)


def reserve_ids(conn: Connection, table: Table, count: int) -> int:
    """Reserve ``count`` consecutive ids of ``table``; returns the first.

    The caller must hold the table for itself (:func:`hold`), so no other writer draws
    from the same sequence meanwhile.
    """
    if count <= 0:
        raise ValueError("reserve at least one id")
    if conn.dialect.name == "postgresql":
        seq = f"pg_get_serial_sequence('{table.name}', 'id')"
        last = conn.execute(
            text(f"SELECT setval({seq}, GREATEST(nextval({seq}), 1) + :n - 1)"), {"n": count}
        ).scalar_one()
        return int(last) - count + 1
    # SQLite: the transaction began IMMEDIATE, so the write lock is ours already.
    top = conn.execute(text(f'SELECT COALESCE(MAX(id), 0) FROM "{table.name}"')).scalar_one()
    return int(top) + 1


def draw_ids(conn: Connection, table: Table, count: int) -> list[int]:
    """``count`` fresh ids of ``table`` for rows about to be written with :func:`write_rows`.

    PostgreSQL: one ``nextval`` per row in one query, so concurrent writers are never
    blocked (the ids need not be consecutive). SQLite: the transaction began IMMEDIATE,
    so the ids above the current largest are ours.
    """
    if count <= 0:
        return []
    if conn.dialect.name == "postgresql":
        seq = f"pg_get_serial_sequence('{table.name}', 'id')"
        return [
            int(i)
            for i in conn.execute(
                text(f"SELECT nextval({seq}) FROM generate_series(1, :n) ORDER BY 1"),
                {"n": count},
            ).scalars()
        ]
    first = reserve_ids(conn, table, count)
    return list(range(first, first + count))


def hold(conn: Connection, *tables: Table) -> None:
    """Keep other writers off ``tables`` until the transaction ends (readers go on)."""
    if conn.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        conn.exec_driver_sql(f"LOCK TABLE {names} IN EXCLUSIVE MODE")
