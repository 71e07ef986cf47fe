"""``kuza market``, ``kuza visit`` and ``kuza insurance``: each works end to end over a
SQLite file, and bad input exits 2 naming the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kuza.adapters.db.engine import Database
from kuza.cli.main import app
from tests.cli.logins import PASSWORD, make_logins
from tests.factories import World, make_world

runner = CliRunner()
TODAY = "2026-12-31"
UNDATED = {("market", "partner"), ("visit", "history"), ("insurance", "plan")}


def _dated(args: tuple[str, ...]) -> list[str]:
    return list(args) if args[:2] in UNDATED else [*args, "--today", TODAY]


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("KUZA_DATABASE_URL", url)
    monkeypatch.setenv("KUZA_PASSWORD", PASSWORD)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    w = make_world(Database(url))
    make_logins(Database(url), w)
    return w


def run(*args: str) -> str:
    result = runner.invoke(app, _dated(args))
    assert result.exit_code == 0, result.output
    return result.output


def fails(*args: str) -> str:
    result = runner.invoke(app, _dated(args))
    assert result.exit_code == 2, result.output
    return " ".join(result.output.split())


def test_market_partner_linkage_contract_activity(world: World) -> None:
    pid, gid, mid = str(world.programme_id), str(world.group_id), str(world.member_ids[0])
    assert "partner 1 added" in run("market", "partner", pid, "Tuzo Dairy", "--kind", "buyer")
    assert "field: kind" in fails("market", "partner", pid, "X", "--kind", "friend")
    out = run(
        "market", "link", pid, "1", "--group", gid, "--on", "2026-03-01",
        "--woman", f"{mid}=producer",
    )  # fmt: skip
    assert "linkage 1 recorded" in out
    assert "field: woman" in fails("market", "link", pid, "1", "--group", gid, "--woman", "x")
    assert "field: on" in fails("market", "link", pid, "1", "--group", gid, "--on", "soon")
    assert "contract 1" in run(
        "market", "contract", "1", "milk", "200", "litre", "45", "--on", "2026-03-01"
    )
    assert "market activity 1" in run(
        "market", "activity", pid, gid, "collective_purchase", "Feed bought together",
        "--members", "8", "--amount", "1200", "--on", "2026-04-01",
    )  # fmt: skip
    assert "field: kind" in fails("market", "activity", pid, gid, "barter", "x", "--members", "1")
    assert "linkage 1 ended" in run("market", "end", "1", "--on", "2026-06-30")


GRID = {
    "code": "grid",
    "questions": [
        {"code": "roof", "text": "Roof", "points": {"thatch": 0, "iron": 10}},
        {"code": "school", "text": "All children at school", "points": {"no": 0, "yes": 20}},
    ],
    "lookup": [[0, "80"], [10, "50"], [30, "10"]],
}


def test_visit_scorecard_record_history_referral(world: World, tmp_path: Path) -> None:
    pid, mid = str(world.programme_id), str(world.member_ids[0])
    card = tmp_path / "grid.json"
    card.write_text(json.dumps(GRID))
    assert "stored" in run("visit", "scorecard", pid, str(card), "--on", "2026-01-10")
    assert "field: FILE" in fails("visit", "scorecard", pid, str(tmp_path / "none.json"))
    out = run(
        "visit", "record", pid, mid, "grid", "--by", "Asha", "--household", "4",
        "--answer", "roof=iron", "--answer", "school=yes", "--on", "2026-02-01",
    )  # fmt: skip
    assert "score 30" in out
    assert "field: answer" in fails(
        "visit", "record", pid, mid, "grid", "--by", "Asha", "--household", "4", "--answer", "roof"
    )
    assert "2026-02-01" in run("visit", "history", mid)
    assert "referral 1 recorded" in run(
        "visit", "refer", pid, mid, "health", "Clinic", "--on", "2026-02-01"
    )
    assert "field: kind" in fails("visit", "refer", pid, mid, "magic", "Clinic")
    assert "resolved" in run("visit", "follow-up", "1", "resolved", "--on", "2026-02-10")
    assert "field: status" in fails("visit", "follow-up", "1", "finished")


PLAN = {
    "name": "Afya",
    "premium": "100",
    "dependant_premium": "50",
    "period": "month",
    "cover_per_year": "1000",
    "waiting_days": 30,
    "subsidy": ["100", "66", "33"],
}


def test_insurance_plan_enrol_collect_and_a_claim(world: World, tmp_path: Path) -> None:
    pid, mid = str(world.programme_id), str(world.member_ids[0])
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(PLAN))
    assert "plan 1 created" in run("insurance", "plan", pid, str(plan))
    assert "enrolment 1" in run(
        "insurance", "enrol", "1", mid, "--dependant", "Wanjiru:child:F:2018",
        "--on", "2026-01-10",
    )  # fmt: skip
    assert "field: dependant" in fails("insurance", "enrol", "1", mid, "--dependant", "Kamau")
    assert "field: pays_from" in fails("insurance", "enrol", "1", mid, "--pays-from", "goats")
    assert "premium(s) booked" in run("insurance", "collect", "1", "--period", "2026-02-01")
    assert "field: period" in fails("insurance", "collect", "1", "--period", "feb")
    assert "claim 1 submitted" in run(
        "insurance", "claim", "submit", "1", "120", "Clinic visit", "--incurred-on", "2026-03-01",
        "--on", "2026-03-02", "--actor", "manager",
    )  # fmt: skip
    assert "field: incurred_on" in fails(
        "insurance", "claim", "submit", "1", "120", "x", "--incurred-on", "yesterday"
    )
    approve = ("insurance", "claim", "approve", "1", "120", "--on", "2026-03-03", "--actor")
    assert "field: actor" in fails(*approve, "officer")  # not a login
    assert "field: role" in fails(*approve, "donor")
    assert "field: actor" in fails(*approve, "manager")  # submitted it: maker-checker
    assert "approved for" in run(*approve, "boss")
    assert "paid" in run("insurance", "claim", "pay", "1", "--on", "2026-03-04")
    assert "field: reason" in fails(
        "insurance", "claim", "reject", "1", "--reason", " ", "--actor", "boss"
    )
