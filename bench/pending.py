"""Hooks for the benchmarks whose parts are still being built. Each reports a row saying
what it waits for, so the table always shows all five.

- (2) close-day over 100k / 300k / 1M loans: ``kuza.services.loans.close_day.close_day``
  exists; it needs a loan generator in ``kuza.services.synth`` (see its EXTENSIONS
  note) to book disbursed loans with arrears in bulk. Then: time ``close_day`` per size
  against a raw ``UPDATE … FROM`` over the same instalments, loans/s and the curve.
- (3) dashboard and arrears report at 1M / 10M / 30M lines: load ``kuza synth`` at
  those sizes (the bulk path writes ~74 lines per meeting), then time the report
  functions (``kuza.reports``) p50/p95 over repeated calls, against a raw
  ``SELECT sum(amount_minor) … GROUP BY`` baseline.
- (5) HTTP: ``/api/v1`` (bearer tokens, ``Idempotency-Key``) now posts meetings; what
  is left is the driver: N simulated agents on
  loopback against ``uvicorn`` for a bounded time, throughput, p95, errors, and
  ``kuza ledger check`` clean afterwards.
"""

from __future__ import annotations

from bench.common import Row

PENDING = (
    ("2 close-day", "needs a bulk loan generator in kuza synth (close_day exists)"),
    ("3 dashboard/arrears", "needs the reports at 1M/10M/30M synth lines"),
    ("5 HTTP agents", "/api/v1 meetings endpoint has landed: agents to drive it are next"),
)


def run() -> list[Row]:
    return [Row(name, "-", "-", "pending", 0.0, "-", note=why) for name, why in PENDING]
