"""The demo shows the whole path (member → training → loan → enterprise → verified jobs →
market linkage, visits, insurance, costs) with a clean ledger and a cost per job."""

from __future__ import annotations

from datetime import date

from kuza.adapters.db.engine import Database
from kuza.reports.impact import impact_report
from kuza.services import ledger_check
from kuza.services.demo import load_demo

UNTIL = date(2026, 11, 20)


def test_demo_path_with_jobs_cost_per_job_and_clean_ledger(db: Database) -> None:
    stats = load_demo(db, seed=7, until=UNTIL, months=2)
    assert (stats["loans"], stats["jobs"], stats["linkages"]) == (4, 8, 4)
    assert ledger_check.check(db) == []
    for pid in (1, 2, 3, 4):
        report = impact_report(db, pid, None, UNTIL)
        got = {m.code: m.value for m in report.metrics}
        # two verified jobs (owner full-time 1.0, employee part-time 0.5) per programme
        assert (got["jobs_created"], got["fte_created"]) == (2, 1.5)
        # the four demo costs are 60 + 20 + 15 + 5 = 100 units; 100 units ÷ 2 jobs
        assert got["cost_per_job"] == got["programme_costs"] / 2
        assert got["loans_disbursed"] == 1 and got["linkages_active"] == 1
        assert got["linkage_women"] == 3 and got["insurance_enrolled"] == 4
        assert got["household_score_change"] is not None
    again = load_demo(db, seed=7, until=UNTIL, months=2)  # a rerun books nothing twice
    assert again["programmes"] == 0 and again["loans"] == 0
    assert ledger_check.check(db) == []
