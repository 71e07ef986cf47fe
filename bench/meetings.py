"""(1) Meeting posting throughput: the service path (``post_meeting``, one transaction per
meeting), the sync-batch path (``post_meetings``, one transaction per phone sync) and the
bulk path of ``kuza synth``, each against raw writes of the very same ledger rows (COPY
on PostgreSQL, executemany INSERT on SQLite) in the same database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from bench.common import Row, peak_mb, scratch_database, timed
from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import journal_entry, journal_line
from kuza.services.meeting_batch import MeetingRefused, post_meetings
from kuza.services.meetings import post_meeting
from kuza.services.synth import SynthSpec, group_sheets, organisation, plan_group, synthesise
from kuza.services.synth_bulk import create_groups

ENTRY_COLS = ("programme_id", "posted_on", "memo", "source", "created_at", "created_by")
LINE_COLS = ("programme_id", "entry_id", "account_id", "amount_minor", "currency", "memo")
SYNC = 20  # sheets per phone sync: an agent's 20 groups, one meeting each


def _lines_of(db: Database, pid: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    with db.read() as conn:
        entries = [
            tuple(r)
            for r in conn.execute(
                select(journal_entry.c.id, *(journal_entry.c[c] for c in ENTRY_COLS))
                .where(journal_entry.c.programme_id == pid)
                .order_by(journal_entry.c.id)
            )
        ]
        lines = [
            tuple(r)
            for r in conn.execute(
                select(*(journal_line.c[c] for c in LINE_COLS))
                .where(journal_line.c.programme_id == pid)
                .order_by(journal_line.c.id)
            )
        ]
    return entries, lines


def raw_write(db: Database, entries: list[tuple[Any, ...]], lines: list[tuple[Any, ...]]) -> None:
    """The database's own speed: the same entry and line rows, no Python domain work.
    Entry ids are shifted past the existing ones; everything in one transaction."""
    with db.engine.connect() as conn:
        raw: Any = conn.connection.dbapi_connection
        if db.is_postgres:
            cur = raw.cursor()
            shift = cur.execute("SELECT COALESCE(MAX(id), 0) FROM journal_entry").fetchone()[0]
            with cur.copy(f"COPY journal_entry (id, {', '.join(ENTRY_COLS)}) FROM STDIN") as cp:
                for e in entries:
                    cp.write_row((e[0] + shift, *e[1:]))
            with cur.copy(f"COPY journal_line ({', '.join(LINE_COLS)}) FROM STDIN") as cp:
                for ln in lines:
                    cp.write_row((ln[0], ln[1] + shift, *ln[2:]))
            cur.execute(
                "SELECT setval(pg_get_serial_sequence('journal_entry', 'id'), "
                "(SELECT MAX(id) FROM journal_entry))"
            )
            raw.commit()
            return
        cur = raw.cursor()
        cur.execute("BEGIN IMMEDIATE")
        shift = cur.execute("SELECT COALESCE(MAX(id), 0) FROM journal_entry").fetchone()[0]
        cur.executemany(
            f"INSERT INTO journal_entry (id, {', '.join(ENTRY_COLS)}) VALUES (?,?,?,?,?,?,?)",
            [(e[0] + shift, e[1], e[2].isoformat(), *e[3:5], str(e[5]), e[6]) for e in entries],
        )
        cur.executemany(
            f"INSERT INTO journal_line ({', '.join(LINE_COLS)}) VALUES (?,?,?,?,?,?)",
            [(ln[0], ln[1] + shift, *ln[2:]) for ln in lines],
        )
        cur.execute("COMMIT")


def _sheets(db: Database, spec: SynthSpec) -> tuple[int, list[dict[str, object]]]:
    """A programme's groups and members, and their sheets in the order the phones send
    them (by date; each sync holds the agent's groups' meetings of that week)."""
    pid, branches, agents = organisation(db, spec)
    plans = [plan_group(spec, i) for i in range(spec.groups)]
    made = create_groups(db, pid, plans, branches, agents)
    sheets = [
        data
        for plan, (gid, mids) in zip(plans, made, strict=True)
        for data in group_sheets(spec, plan, gid, mids)
    ]
    return pid, sorted(sheets, key=lambda d: str(d["held_on"]))


def run(backend: str, groups: int, months: int) -> list[Row]:
    size = f"{groups} groups x {months} mo"
    rows: list[Row] = []
    with scratch_database(backend) as db:
        spec = SynthSpec(groups=groups, months=months, seed=7, code="BENCH-SERVICE")
        pid, sheets = _sheets(db, spec)
        with timed() as service:
            for data in sheets:
                post_meeting(db, data, "bench", spec.end)
        entries, lines = _lines_of(db, pid)
        _, batched = _sheets(db, SynthSpec(groups, months, seed=7, code="BENCH-SYNC"))
        with timed() as sync:
            for at in range(0, len(batched), SYNC):
                done = post_meetings(db, batched[at : at + SYNC], "bench", spec.end)
                assert not any(isinstance(d, MeetingRefused) for d in done)
        with timed() as raw:
            raw_write(db, entries, lines)
        with timed() as bulk:
            synthesise(db, SynthSpec(groups=groups, months=months, seed=7, code="BENCH-BULK"))
        with db.read() as conn:
            total = conn.execute(select(func.count()).select_from(journal_line)).scalar_one()
        assert total == 4 * len(lines), "the four paths must write the same lines"
    raw_name = "raw COPY" if backend == "postgresql" else "raw executemany INSERT"
    raw_lps = len(lines) / raw.seconds
    rows.append(
        Row(
            "1 meeting posting",
            backend,
            size,
            "service path (post_meeting)",
            len(lines) / service.seconds,
            "lines/s",
            raw_name,
            raw_lps,
            seconds=service.seconds,
            note=f"{len(sheets) / service.seconds:.0f} meetings/s, {len(sheets)} meetings",
        )
    )
    rows.append(
        Row(
            "1 meeting posting",
            backend,
            size,
            f"sync-batch path (post_meetings, {SYNC} per sync)",
            len(lines) / sync.seconds,
            "lines/s",
            raw_name,
            raw_lps,
            seconds=sync.seconds,
            note=f"{len(sheets) / sync.seconds:.0f} meetings/s, {len(sheets)} meetings",
        )
    )
    rows.append(
        Row(
            "1 meeting posting",
            backend,
            size,
            "bulk path (kuza synth)",
            len(lines) / bulk.seconds,
            "lines/s",
            raw_name,
            raw_lps,
            seconds=bulk.seconds,
            note=f"{len(sheets) / bulk.seconds:.0f} meetings/s incl. groups and members",
        )
    )
    mb = peak_mb()
    return [Row(**{**r.__dict__, "peak_mb": mb}) for r in rows]
