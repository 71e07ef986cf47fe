"""The impact report on a small hand-made programme; every answer worked out by hand.

The same data set and arithmetic are written out in docs/impact.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import job_event
from kuza.cli.main import app
from kuza.domain.costs import CostCategory, CostLine, Stage
from kuza.domain.groups import Sex
from kuza.domain.jobs import JobEventKind, JobRole, VerificationMethod
from kuza.domain.money import Money
from kuza.domain.training import TrainingCategory
from kuza.reports.impact import ImpactReport, impact_report
from kuza.reports.impact_export import to_csv, write_xlsx
from kuza.services import costs, enterprises, groups, jobs, training
from kuza.services.meetings import post_meeting
from tests.factories import make_world, sheet

MARCH = (date(2026, 3, 1), date(2026, 3, 31))
TODAY = date(2026, 4, 15)
VISIT = VerificationMethod.AGENT_VISIT


@dataclass(frozen=True)
class Passed:
    passed: bool = True


def build(db: Database) -> int:
    w = make_world(db)  # three women, households of 4
    man = groups.enrol_member(
        db, w.group_id, groups.NewMember("Otieno", Sex.MALE, 5, True), date(2026, 1, 5)
    )
    w.member_ids.append(man)
    m0, m1, _m2, m3 = w.member_ids
    # savings: 4 × 100 compulsory + 50 voluntary = 450.00
    post_meeting(db, sheet(w, date(2026, 3, 2), m0={"voluntary": "50"}), "agent", TODAY)
    # training: two credit sessions; m0 and m3 at both (100%), m1 at one (50%), m2 at none
    training.add_module(
        db, w.programme_id, "credit-management", "Credit", TrainingCategory.FINANCIAL, "2"
    )
    training.enter_training_stage(db, w.group_id, date(2026, 3, 1), grade_check=lambda *_: Passed())
    for day, present in [(3, [m0, m1, m3]), (10, [m0, m3])]:
        training.record_session(
            db, w.group_id, "credit-management", "Asha", date(2026, 3, day), "1", present
        )
    # enterprises: E1 (m0, household 4) and E2 (m3, household 5, checked at 6 in March)
    e1 = enterprises.register_enterprise(
        db,
        w.programme_id,
        enterprises.NewEnterprise("E1", [m0], "poultry", date(2026, 2, 1)),
    )
    e2 = enterprises.register_enterprise(
        db, w.programme_id, enterprises.NewEnterprise("E2", [m3], "dairy", date(2026, 2, 1))
    )
    enterprises.check_enterprise(db, e2, date(2026, 3, 20), "500", "400", 1, 6)
    # E1: owner job full time (1.0), verified
    ev = jobs.record_job_created(db, jobs.NewJob(e1, JobRole.OWNER, date(2026, 3, 2), "40", m0))
    jobs.verify_job_event(db, ev, date(2026, 3, 5), VISIT, "Asha", TODAY)
    # E1: Ken part time (0.5), verified; grown to full time (+0.5), verified
    ev = jobs.record_job_created(
        db, jobs.NewJob(e1, JobRole.EMPLOYEE, date(2026, 3, 10), "20", None, "Ken", Sex.MALE)
    )
    jobs.verify_job_event(db, ev, date(2026, 3, 12), VISIT, "Asha", TODAY)
    with db.read() as conn:
        ken = conn.execute(select(job_event.c.job_id).where(job_event.c.id == ev)).scalar_one()
    ev = jobs.record_job_change(db, ken, JobEventKind.GROWN, date(2026, 3, 20), "40")
    jobs.verify_job_event(db, ev, date(2026, 3, 21), VerificationMethod.PHONE, "Asha", TODAY)
    # E2: owner job in March never verified -> not counted
    jobs.record_job_created(db, jobs.NewJob(e2, JobRole.OWNER, date(2026, 3, 15), "40", m3))
    # E2: an employee from February, verified -> outside the period
    ev = jobs.record_job_created(
        db, jobs.NewJob(e2, JobRole.EMPLOYEE, date(2026, 2, 20), "40", None, "Wanjiru", Sex.FEMALE)
    )
    jobs.verify_job_event(db, ev, date(2026, 2, 25), VISIT, "Asha", TODAY)
    # costs: March 1000.00 (stage 1) + 250.50 (stage 2); April's 99.99 is outside
    for ref, stage, cat, end, amount in [
        ("V-1", Stage.GROUPS, CostCategory.STAFF, date(2026, 3, 31), "1000"),
        ("V-2", Stage.TRAINING, CostCategory.TRAINING, date(2026, 3, 31), "250.50"),
        ("V-3", Stage.GROUPS, CostCategory.OVERHEAD, date(2026, 4, 30), "99.99"),
    ]:
        costs.record_cost(
            db,
            w.programme_id,
            CostLine(ref, stage, cat, date(end.year, end.month, 1), end, Money.of(amount, "KES")),
        )
    return w.programme_id


EXPECTED = {
    "jobs_created": Decimal(2),  # E1 owner + Ken; E2's March job unverified, Feb job outside
    "fte_created": Decimal("1.5"),  # 1.0 + 0.5
    "jobs_grown": Decimal(1),  # Ken, part → full
    "jobs_lost": Decimal(0),
    "net_fte": Decimal("2.0"),  # 1.5 + 0.5 − 0
    "jobs_created_per_day": Decimal("0.0645"),  # 2 ÷ 31 = 0.064516…
    "programme_costs": Decimal("1250.50"),  # 1000.00 + 250.50
    "cost_per_job": Decimal("625.25"),  # 1250.50 ÷ 2
    "cost_per_job_stage_1": Decimal("500.00"),  # 1000.00 ÷ 2
    "cost_per_job_stage_2": Decimal("125.25"),  # 250.50 ÷ 2
    "cost_per_job_stage_3": Decimal("0.00"),
    "members_reached": Decimal(4),
    "women_share": Decimal("75.00"),  # 3 ÷ 4
    "enterprises_active": Decimal(2),
    "family_members_benefiting": Decimal(4),  # only E1 has a job counted: household 4
    "savings_mobilised": Decimal("450.00"),  # 4 × 100 + 50
    "training_completion": Decimal("50.00"),  # m0, m3 complete; m1 50% < 75%; m2 0%
}


def check(report: ImpactReport) -> None:
    got = {code: report.metric(code).value for code in EXPECTED}
    assert got == EXPECTED


def test_every_metric_matches_the_hand_check(db: Database) -> None:
    pid = build(db)
    report = impact_report(db, pid, *MARCH)
    check(report)
    assert report.metric("household_score_change").value is None
    # traceable: the job figures name exactly the three verified March events
    assert len(report.metric("jobs_created").sources) == 3
    assert report.metric("cost_per_job").sources == ("cost_entry:1", "cost_entry:2")


def test_csv_and_xlsx_read_back(db: Database, tmp_path: Path) -> None:
    import csv
    import io

    report = impact_report(db, build(db), *MARCH)
    by_code = {r["code"]: r for r in csv.DictReader(io.StringIO(to_csv(report)))}
    assert Decimal(by_code["cost_per_job"]["value"]) == Decimal("625.25")
    path = tmp_path / "impact.xlsx"
    write_xlsx(report, path)
    sheet_ = load_workbook(path, read_only=True)["impact"]
    values = [list(r) for r in sheet_.iter_rows(values_only=True)]
    header, body = values[0], values[1:]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in body}
    assert Decimal(str(rows["jobs_created"]["value"])) == 2
    assert Decimal(str(rows["savings_mobilised"]["value"])) == Decimal("450.00")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_cli_report_impact(
    sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    pid = build(sqlite_db)
    monkeypatch.setenv("KUZA_DATABASE_URL", sqlite_db.url)
    out = tmp_path / f"impact.{fmt}"
    result = CliRunner().invoke(
        app,
        [
            "report",
            "impact",
            "--programme",
            str(pid),
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-31",
            f"--{fmt}",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Cost per job" in result.output and out.exists()
    bad = CliRunner().invoke(app, ["report", "impact", "--programme", "99"])
    assert bad.exit_code == 2
