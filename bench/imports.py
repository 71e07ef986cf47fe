"""(4) Bulk import of members from CSV and XLSX (``kuza import members``), against a raw
COPY / executemany of the same member and membership rows."""

from __future__ import annotations

import csv
import random
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from bench.common import Row, peak_mb, scratch_database, timed
from kuza.adapters.db.bulk import reserve_ids, write_rows
from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import member, membership, savings_group
from kuza.services import programmes
from kuza.services.imports import HEADER, import_members

FORMED = date(2025, 1, 6)
TODAY = date(2026, 1, 1)
PER_GROUP = 20


def _programme(db: Database, code: str, groups: int) -> tuple[int, int, list[int]]:
    pid = programmes.create_programme(db, code, code, "KE", "KES")
    bid = programmes.create_branch(db, pid, "Thika")
    with db.transaction() as conn:
        first = reserve_ids(conn, savings_group, groups)
        write_rows(
            conn,
            savings_group,
            (
                "id", "programme_id", "branch_id", "name", "formed_on", "status", "frequency",
                "first_meeting_on", "currency", "compulsory_saving_minor", "share_out_rule",
                "cycle_number", "cycle_started_on",
            ),
            [
                (first + i, pid, bid, f"Group {i}", FORMED, "active", "weekly", FORMED, "KES",
                 10000, "pro_rata", 1, FORMED)
                for i in range(groups)
            ],
        )  # fmt: skip
    return pid, bid, list(range(first, first + groups))


def _sheet_rows(group_ids: list[int], n: int) -> list[list[Any]]:
    rng = random.Random(4)
    return [
        [
            group_ids[i // PER_GROUP % len(group_ids)],
            f"Member {i}",
            rng.choice("FFFFM"),
            rng.randint(1960, 2005),
            rng.randint(1, 10),
            rng.choice(["yes", "no"]),
            f"+2547{i:08d}",
            "2025-02-03",
            f"EXT-{i}",
        ]
        for i in range(n)
    ]


def _write_csv(path: Path, rows: list[list[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def _write_xlsx(path: Path, rows: list[list[Any]]) -> Path:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Members")
    sheet.append(HEADER)
    for r in rows:
        sheet.append([*r[:7], date.fromisoformat(r[7]), r[8]])
    book.save(path)
    return path


def _raw(db: Database, pid: int, bid: int, rows: list[list[Any]]) -> None:
    with db.transaction() as conn:
        first = reserve_ids(conn, member, len(rows))
        write_rows(
            conn,
            member,
            ("id", "programme_id", "branch_id", "name", "sex", "birth_year", "household_size",
             "literate", "phone"),
            [(first + i, pid, bid, r[1], r[2], r[3], r[4], r[5] == "yes", r[6])
             for i, r in enumerate(rows)],
        )  # fmt: skip
        write_rows(
            conn,
            membership,
            ("programme_id", "group_id", "member_id", "joined_on"),
            [(pid, r[0], first + i, date.fromisoformat(r[7])) for i, r in enumerate(rows)],
        )


def run(backend: str, members: int) -> list[Row]:
    groups = max(1, members // PER_GROUP)
    out: list[Row] = []
    with scratch_database(backend) as db, tempfile.TemporaryDirectory() as tmp:
        figures: dict[str, float] = {}
        for kind in ("raw", "csv", "xlsx"):
            pid, bid, gids = _programme(db, f"IMPORT-{kind}", groups)
            rows = _sheet_rows(gids, members)
            if kind == "raw":
                with timed() as t:
                    _raw(db, pid, bid, rows)
            else:
                writer = _write_csv if kind == "csv" else _write_xlsx
                path = writer(Path(tmp) / f"members.{kind}", rows)
                with timed() as t:
                    result = import_members(db, pid, path, "bench", today=TODAY)
                assert result.imported == members, result.statuses[:3]
            figures[kind] = t.seconds
    raw_name = "raw COPY" if backend == "postgresql" else "raw executemany INSERT"
    for kind in ("csv", "xlsx"):
        out.append(
            Row(
                "4 member import",
                backend,
                f"{members} members",
                f"{kind.upper()} import (checked, report written)",
                members / figures[kind],
                "rows/s",
                raw_name,
                members / figures["raw"],
                peak_mb(),
                figures[kind],
                note=f"{figures[kind]:.1f} s (goal < 30 s at 100k)",
            )
        )
    return out
