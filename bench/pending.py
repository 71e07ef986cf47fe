"""Hooks for the benchmarks whose parts are still being built. Each reports a row saying
what it waits for, so the table always shows all five ((2) bench/close_day.py, (5)
bench/http.py).

- (3) dashboard and arrears report at 1M / 10M / 30M lines: load ``kuza synth`` at
  those sizes (the bulk path writes ~74 lines per meeting), then time the report
  functions (``kuza.reports``) p50/p95 over repeated calls, against a raw
  ``SELECT sum(amount_minor) … GROUP BY`` baseline.
"""

from __future__ import annotations

from bench.common import Row

PENDING = (("3 dashboard/arrears", "needs the reports at 1M/10M/30M synth lines"),)


def run() -> list[Row]:
    return [Row(name, "-", "-", "pending", 0.0, "-", note=why) for name, why in PENDING]
