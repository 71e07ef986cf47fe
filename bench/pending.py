"""Hooks for the benchmarks whose parts are still being built. Each reports a row saying
what it waits for, so the table always shows all five ((2) and (3) bench/close_day.py,
(5) bench/http.py).

- (3) dashboard and arrears report: measured by ``bench/close_day.py`` on the loan book
  it builds (100k loans ≈ 1.5M ledger lines, 300k ≈ 4.4M, 433k ≈ 6.3M). Left: a 10M /
  30M-line book (~700k / 2M loans: the loader does ~150-370 loans/s on the shared box,
  so hours) and the dashboard over a book with meetings (savings lines).
"""

from __future__ import annotations

from bench.common import Row

PENDING = (("3 dashboard/arrears", "10M / 30M lines not loaded yet (loader ~150-370 loans/s)"),)


def run() -> list[Row]:
    return [Row(name, "-", "-", "pending", 0.0, "-", note=why) for name, why in PENDING]
