"""The whole-programme dashboard as the last close-day left it (issue 7).

Close-day computes, in its transaction, each programme's default dashboard (figures
only, from the programme's start to the closed day) and stores it as JSON: values as
exact decimal strings, dates ISO, charts as (label, count) pairs; no rows, so a donor
sees nothing more than she would live. The default view reads it while it is of the
last close-day; a period, a narrowed scope or ``?live=1`` compute from the book.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import dashboard_snapshot, loan_performance_on, programme
from kuza.domain.metrics import Metric
from kuza.reports.dashboard import Bar, Dashboard, Scope, dashboard
from kuza.reports.impact import ImpactReport

CHARTS = ("by_month", "by_branch", "by_value_chain")


def to_dict(board: Dashboard) -> dict[str, Any]:
    r = board.report
    return {
        "programme_id": r.programme_id,
        "programme_code": r.programme_code,
        "currency": r.currency,
        "start": r.start.isoformat(),
        "end": r.end.isoformat(),
        "metrics": [
            {
                "code": m.code,
                "name": m.name,
                "value": None if m.value is None else str(m.value),
                "unit": m.unit,
                "definition": m.definition,
                "counted": m.row_count,
            }
            for m in r.metrics
        ],
        **{name: [[b.label, b.value] for b in getattr(board, name)] for name in CHARTS},
    }


def from_dict(data: dict[str, Any], scope: Scope) -> Dashboard:
    """The stored figures for ``scope`` (a whole programme): figures only, no rows."""
    metrics = tuple(
        Metric(
            m["code"],
            m["name"],
            None if m["value"] is None else Decimal(m["value"]),
            m["unit"],
            m["definition"],
            (),
            None if m["counted"] is None else int(m["counted"]),
            listed=False,
        )
        for m in data["metrics"]
    )
    report = ImpactReport(
        int(data["programme_id"]),
        data["programme_code"],
        data["currency"],
        date.fromisoformat(data["start"]),
        date.fromisoformat(data["end"]),
        metrics,
    )
    by_month, by_branch, by_chain = (
        tuple(Bar(str(label), int(n)) for label, n in data[name]) for name in CHARTS
    )
    return Dashboard(report, scope, (), (), by_month, by_branch, by_chain, as_of=report.end)


class _OnConnection(Database):
    """The database seen through one open connection: the reports' reads run inside
    close-day's transaction and see the summaries it has just written."""

    def __init__(self, conn: Connection) -> None:
        self.url = str(conn.engine.url)
        self.engine = conn.engine
        self._conn = conn

    @contextmanager
    def read(self, consistent: bool = False) -> Iterator[Connection]:
        yield self._conn

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        yield self._conn


def write_snapshots(conn: Connection, day: date) -> int:
    """Rewrite every programme's snapshot as of ``day`` (as ``portfolio_summary`` is,
    whatever the date); returns how many were written."""
    db = _OnConnection(conn)
    rows = []
    for pid in conn.execute(select(programme.c.id).order_by(programme.c.id)).scalars():
        board = dashboard(db, Scope(int(pid)), None, day, figures_only=True)
        figures = json.dumps(to_dict(board), ensure_ascii=False, separators=(",", ":"))
        rows.append({"programme_id": int(pid), "as_of": day, "figures": figures})
    conn.execute(delete(dashboard_snapshot))
    if rows:
        conn.execute(insert(dashboard_snapshot), rows)
    return len(rows)


def stored_dashboard(db: Database, scope: Scope) -> Dashboard | None:
    """The whole programme's dashboard as the last close-day left it; None for a
    narrowed scope, before any close-day, or when the stored one is of another day than
    the last close-day (one run without the store: what it wrote is not in it)."""
    if not scope.whole:
        return None
    s = dashboard_snapshot.c
    with db.read(consistent=True) as conn:
        row = conn.execute(
            select(s.as_of, s.figures).where(s.programme_id == scope.programme_id)
        ).first()
        # every close-day, of any date, records its date here (as it rewrites
        # ``portfolio_summary``)
        closed = conn.execute(select(func.max(loan_performance_on.c.as_of))).scalar()
    if row is None or row.as_of != closed:
        return None
    return from_dict(json.loads(row.figures), scope)
