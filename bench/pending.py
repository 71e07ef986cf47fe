"""Hooks for the benchmarks whose parts are still being built. Each reports a row saying
what it waits for, so the table always shows all five ((2) bench/close_day.py, (5)
bench/http.py).

- (3) dashboard and arrears report: measured by ``bench/close_day.py`` on the loan book
  it builds (100k loans ≈ 1.5M ledger lines, 300k ≈ 4.5M). Left: a 10M / 30M-line
  book (``--loans 700000,2000000``: ~1 h of loading on the shared box).
"""

from __future__ import annotations

from bench.common import Row

PENDING = (("3 dashboard/arrears", "needs the reports at 1M/10M/30M synth lines"),)


def run() -> list[Row]:
    return [Row(name, "-", "-", "pending", 0.0, "-", note=why) for name, why in PENDING]
