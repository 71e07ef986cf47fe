"""Grow a synthetic loan book by copying it in SQL: ``replicate(db, pid, copies)``.

Loading a 1M-loan book through the bulk path (``kuza.services.synth_loans``) takes hours
on a busy box: every loan's rows are built in Python. For benchmarks the programme's
groups, with their members, accounts, loans, instalments, transactions, journal entries
and lines and audit rows, are copied ``copies`` times with ``INSERT … SELECT``, each copy
under new ids (every table's ids shifted by a fixed offset per copy), into the same
programme, branches and field agents, so one programme holds ``copies + 1`` times the
book. What names an object is rewritten with the new ids (idempotency keys, entry sources
and memos, loan-transaction references, audit object ids and the ids inside audit JSON);
group names get a ``/n`` suffix. Programme-wide accounts (the loan fund, its capital, the
income accounts of external loans) are shared: their running balances grow by the seed's
balance per copy. The result is what the bulk path would have written for the same
groups booked again under other ids: ``tests/services/test_synth_replicate.py`` compares
it with the seed (counts, balances per account code, loans per status, close-day's
arrears) and the ledger check.

Only a freshly loaded programme without meetings is copied (``SynthSpec(meetings=False,
loans=True)``, the close-day benchmark's book): any other row of the programme (a
meeting, a close-day's arrears, an enterprise …) is refused rather than left behind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, text

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    audit_log,
    group_status_event,
    journal_entry,
    journal_line,
    ledger_account,
    loan,
    loan_instalment,
    loan_transaction,
    member,
    membership,
    metadata,
    officer_term,
    savings_group,
)
from kuza.domain.errors import Conflict

# In dependency order; each gets its own id offset per copy.
COPIED: tuple[Table, ...] = (
    savings_group,
    member,
    group_status_event,
    membership,
    officer_term,
    ledger_account,
    journal_entry,
    journal_line,
    loan,
    loan_instalment,
    loan_transaction,
    audit_log,
)
# Kept as they are: the copies belong to the same programme, branches, agents, products.
SHARED = frozenset({"programme", "branch", "field_agent", "loan_product", "user_account"})
# Audit rows of these objects are copied (the programme's own set-up is not).
AUDITED = {"group": "group", "member": "member", "officer_term": "group", "loan": "loan"}


@dataclass(frozen=True)
class Replicated:
    programme_id: int
    copies: int
    rows: dict[str, int]  # rows written per table


def _seed_rows(conn: Connection, pid: int) -> dict[str, int]:
    """Rows of the programme in every table that has a programme_id; refuses what this
    module does not copy."""
    counts: dict[str, int] = {}
    copied = {t.name for t in COPIED}
    for table in metadata.sorted_tables:
        if "programme_id" not in table.c or table.name in SHARED:
            continue
        n = conn.execute(
            text(f'SELECT count(*) FROM "{table.name}" WHERE programme_id = :p'), {"p": pid}
        ).scalar_one()
        if n and table.name not in copied:
            raise Conflict(
                "programme %(programme_id)s cannot be replicated: it has rows in %(table)s",
                field="programme_id",
                programme_id=pid,
                table=table.name,
            )
        counts[table.name] = int(n)
    return counts


def _json_ids(dialect: str, column: str) -> str:
    """``column`` (JSON) with the ids it names moved to the copy's: entry, member, group
    and loan ids, where present."""
    keys = (("entry_id", "eo"), ("member_id", "mo"), ("group_id", "go"), ("loan_id", "lo"))
    if dialect == "postgresql":
        base = f"s.{column}::jsonb"
        out = base
        for key, off in keys:
            value = f"COALESCE(to_jsonb(({base}->>'{key}')::bigint + :{off}), 'null'::jsonb)"
            out = f"jsonb_set({out}, '{{{key}}}', {value}, false)"
        return f"CASE WHEN jsonb_typeof({base}) = 'object' THEN ({out})::json ELSE s.{column} END"
    args = ", ".join(
        f"'$.{key}', json_extract(s.{column}, '$.{key}') + :{off}" for key, off in keys
    )
    replaced = f"json_replace(s.{column}, {args})"
    return f"CASE WHEN json_type(s.{column}) = 'object' THEN {replaced} ELSE s.{column} END"


def _int_text(expr: str) -> str:
    return f"CAST({expr} AS TEXT)"


def _select(table: Table, dialect: str) -> tuple[str, str]:
    """(the SELECT list in ``table``'s column order, the FROM … part) of one copy."""
    new_loan = _int_text("t.loan_id + :lo")
    exprs: dict[str, str] = {"id": "s.id + :o"}
    source = f'"{table.name}" s'
    if table is savings_group:
        exprs["name"] = "s.name || :tag"
    elif table in (group_status_event, officer_term, membership):
        exprs["group_id"] = "s.group_id + :go"
        if table is not group_status_event:
            exprs["member_id"] = "s.member_id + :mo"
        if table is membership:
            exprs["payout_entry_id"] = "s.payout_entry_id + :eo"
    elif table is ledger_account:
        exprs.update(group_id="s.group_id + :go", member_id="s.member_id + :mo")
    elif table is journal_entry:
        # The synth loan step's formats (synth_loans._loan, _fund): rebuilt with new ids.
        source += (
            " LEFT JOIN loan_transaction t ON t.entry_id = s.id"
            " LEFT JOIN loan l ON l.id = t.loan_id"
        )
        fund = "'loan-fund:synth-group-'"
        new_group = _int_text(
            f"CAST(substr(s.idempotency_key, {len('loan-fund:synth-group-') + 1}) AS INTEGER) + :go"
        )
        exprs.update(
            reverses_id="s.reverses_id + :eo",
            memo=(
                "CASE t.kind WHEN 'disbursement' THEN 'Loan ' || "
                f"{new_loan} || ' disbursed to member ' || {_int_text('l.member_id + :mo')} "
                f"WHEN 'repayment' THEN 'Repayment of loan ' || {new_loan} ELSE s.memo END"
            ),
            source=(
                f"CASE t.kind WHEN 'disbursement' THEN 'loan:' || {new_loan} || :disbursement "
                f"WHEN 'repayment' THEN 'loan:' || {new_loan} ELSE s.source END"
            ),
            idempotency_key=(
                f"CASE t.kind WHEN 'disbursement' THEN 'loan:' || {new_loan} || :disbursement "
                f"WHEN 'repayment' THEN 'loan-repayment:synth:' || {new_loan} || "
                f"substr(t.reference, length('synth:' || {_int_text('t.loan_id')}) + 1) "
                f"ELSE CASE WHEN s.idempotency_key LIKE {fund} || '%' THEN {fund} || {new_group} "
                "ELSE s.idempotency_key || :tag END END"
            ),
        )
    elif table is journal_line:
        source += " JOIN ledger_account a ON a.id = s.account_id"
        exprs.update(
            entry_id="s.entry_id + :eo",
            account_id=(
                "CASE WHEN a.group_id IS NULL AND a.member_id IS NULL "
                "THEN s.account_id ELSE s.account_id + :ao END"
            ),
        )
    elif table is loan:
        exprs.update(group_id="s.group_id + :go", member_id="s.member_id + :mo")
    elif table is loan_instalment:
        exprs["loan_id"] = "s.loan_id + :lo"
    elif table is loan_transaction:
        source = '"loan_transaction" t'
        exprs = {
            "id": "t.id + :o",
            "loan_id": "t.loan_id + :lo",
            "entry_id": "t.entry_id + :eo",
            "reference": (
                f"CASE WHEN t.kind = 'disbursement' THEN 'loan:' || {new_loan} || :disbursement "
                f"WHEN t.reference LIKE 'synth:%' THEN 'synth:' || {new_loan} || "
                f"substr(t.reference, length('synth:' || {_int_text('t.loan_id')}) + 1) "
                "ELSE t.reference || :tag END"
            ),
        }
    elif table is audit_log:
        whens = " ".join(
            f"WHEN '{kind}' THEN {_int_text(f'CAST(s.object_id AS INTEGER) + :{of[0]}o')}"
            for kind, of in AUDITED.items()
        )
        exprs.update(
            object_id=f"CASE s.object_kind {whens} ELSE s.object_id END",
            before=_json_ids(dialect, "before"),
            after=_json_ids(dialect, "after"),
        )
    alias = "t" if table is loan_transaction else "s"
    cols = ", ".join(exprs.get(c.name, f"{alias}.{c.name}") for c in table.c)
    where = f"{alias}.programme_id = :p AND {alias}.id BETWEEN :first AND :last"
    if table is ledger_account:
        where += " AND (s.group_id IS NOT NULL OR s.member_id IS NOT NULL)"
    if table is audit_log:
        kinds = ", ".join(f"'{k}'" for k in (*AUDITED, "loan_fund"))
        where += f" AND s.object_kind IN ({kinds})"
    return cols, f"FROM {source} WHERE {where}"


Progress = Callable[[int], None]  # called with the number of the copy just written


def replicate(
    db: Database,
    pid: int,
    copies: int,
    progress: Progress | None = None,
    trust_keys: bool = False,
) -> Replicated:
    """Add ``copies`` copies of programme ``pid``'s groups and everything booked for them;
    one transaction per copy, so the ledger balances after each.

    ``trust_keys`` (PostgreSQL, a superuser's connection; benchmark books): the copies
    skip the foreign-key triggers (``session_replication_role = replica``), a row-by-row
    lookup per reference that cost about half of a copy. The copied rows reference
    copies of rows that passed those checks, shifted by the same offsets; the tests
    copy with the checks on."""
    if copies < 1:
        raise Conflict("replicate at least one copy", field="copies")
    dialect = db.engine.dialect.name
    with db.transaction() as conn:
        seed = _seed_rows(conn, pid)
        if not seed.get("loan"):
            raise Conflict(
                "programme %(programme_id)s has no loans to replicate",
                field="programme_id",
                programme_id=pid,
            )
        ranges: dict[str, tuple[int, int, int]] = {}  # first, last, span
        for table in COPIED:
            first, last = conn.execute(
                text(f'SELECT min(id), max(id) FROM "{table.name}" WHERE programme_id = :p'),
                {"p": pid},
            ).one()
            top = conn.execute(text(f'SELECT max(id) FROM "{table.name}"')).scalar_one()
            ranges[table.name] = (int(first), int(last), int(top) - int(first) + 1)
        shared_balances = conn.execute(
            text(
                "SELECT id, balance_minor FROM ledger_account WHERE programme_id = :p "
                "AND group_id IS NULL AND member_id IS NULL"
            ),
            {"p": pid},
        ).all()
        if dialect == "postgresql":  # new rows of other writers go above every copy
            for table in COPIED:
                first, _, span = ranges[table.name]
                seq = f"pg_get_serial_sequence('{table.name}', 'id')"
                conn.execute(
                    text(f"SELECT setval({seq}, :top)"), {"top": first + span * (copies + 1) - 1}
                )
    statements = {t.name: _select(t, dialect) for t in COPIED}
    written = dict.fromkeys(statements, 0)
    for c in range(1, copies + 1):
        params: dict[str, Any] = {"p": pid, "tag": f"/{c + 1}", "disbursement": ":disbursement"}
        offset = {name: span * c for name, (_, _, span) in ranges.items()}
        params.update(
            go=offset[savings_group.name],
            mo=offset[member.name],
            ao=offset[ledger_account.name],
            eo=offset[journal_entry.name],
            lo=offset[loan.name],
        )
        with db.transaction() as conn:
            if trust_keys and dialect == "postgresql":
                conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            for table in COPIED:
                cols, rest = statements[table.name]
                first, last, _ = ranges[table.name]
                names = ", ".join(f'"{col.name}"' for col in table.c)
                result = conn.execute(
                    text(f'INSERT INTO "{table.name}" ({names}) SELECT {cols} {rest}'),
                    {**params, "o": offset[table.name], "first": first, "last": last},
                )
                written[table.name] += result.rowcount
            for account_id, balance in shared_balances:
                conn.execute(
                    text(
                        "UPDATE ledger_account SET balance_minor = balance_minor + :b WHERE id = :i"
                    ),
                    {"b": balance, "i": account_id},
                )
        if progress:
            progress(c)
    if dialect == "postgresql":
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    return Replicated(pid, copies, written)
