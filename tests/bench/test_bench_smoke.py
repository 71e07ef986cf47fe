"""Each benchmark runs at a tiny size so it keeps working. No timing is asserted: the
benchmarks are not tests (run them with ``make bench``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.__main__ import main
from bench.common import BACKENDS, postgres_available

from bench import close_day, http, imports, meetings, pending


def backends() -> list[str]:
    return [b for b in BACKENDS if b == "sqlite" or postgres_available()]


@pytest.mark.parametrize("backend", backends())
def test_meeting_posting_bench_produces_rows(backend: str) -> None:
    rows = meetings.run(backend, groups=1, months=1)
    assert [r.figure for r in rows] == [
        "service path (post_meeting)",
        "sync-batch path (post_meetings, 20 per sync)",
        "bulk path (kuza synth)",
    ]
    assert all(r.value > 0 and r.baseline_value and r.peak_mb for r in rows)


@pytest.mark.parametrize("backend", backends())
def test_member_import_bench_produces_rows(backend: str) -> None:
    rows = imports.run(backend, members=40)
    assert len(rows) == 2
    assert all(r.value > 0 and r.ratio is not None for r in rows)


@pytest.mark.skipif(not postgres_available(), reason="close-day is benchmarked on PostgreSQL")
def test_close_day_bench_produces_rows() -> None:
    rows = close_day.run("postgresql", loans=30, months=3, repeat=2)
    assert [r.bench for r in rows] == ["3 dashboard/arrears"] * 8 + ["2 close-day"] * 3
    assert all(r.value > 0 and r.baseline_value and r.peak_mb for r in rows)
    assert rows[-1].size.split()[0] != "0" and "active" in rows[-1].size


@pytest.mark.parametrize("backend", backends())
def test_http_bench_posts_meetings_and_leaves_a_clean_ledger(backend: str) -> None:
    rows = http.run(backend, agents=2, seconds=1.0, months=1)
    assert len(rows) == 1
    assert rows[0].value > 0 and rows[0].baseline_value
    assert "0 errors" in rows[0].note and "ledger check clean" in rows[0].note


def test_the_runner_writes_its_block_and_keeps_the_notes(tmp_path: Path) -> None:
    out = tmp_path / "BENCHMARKS.md"
    out.write_text("# Benchmarks\n\nnotes\n\n<!-- bench:start -->\nold\n<!-- bench:end -->\n")
    args = ["--only", "imports,pending", "--backends", "sqlite", "--members", "20"]
    assert main([*args, "--output", str(out)]) == 0
    text = out.read_text()
    assert "notes" in text and "old" not in text
    assert "4 member import" in text and "pending" in text
    assert len(pending.run()) == 1
