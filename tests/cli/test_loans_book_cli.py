"""``kuza loan apply/approve/disburse/repay/show/arrears`` and ``kuza close-day``."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kuza.adapters.db.engine import Database
from kuza.cli.main import app
from tests.loan_world import make_loan_world

runner = CliRunner()


@pytest.fixture
def env_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("KUZA_DATABASE_URL", url)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    return Database(url)


def run(*args: str) -> str:
    dated = args[0] == "loan" and args[1] not in ("show", "arrears")
    result = runner.invoke(app, [*args, "--today", "2026-12-31"] if dated else args)
    assert result.exit_code == 0, result.output
    return result.output


def test_loan_lifecycle_through_the_cli(env_db: Database) -> None:
    lw = make_loan_world(env_db)
    g, m, p = str(lw.gid), str(lw.m(0)), str(lw.internal)
    assert "loan 1 applied" in run("loan", "apply", g, m, p, "1000", "--on", "2026-02-01")
    refused = runner.invoke(
        app, ["loan", "approve", "1", "--on", "2026-02-01", "--today", "2026-12-31"]
    )
    assert refused.exit_code == 2 and "maker-checker" in refused.output
    run("loan", "approve", "1", "--on", "2026-02-01", "--actor", "treasurer")
    assert "4 instalments" in run("loan", "disburse", "1", "--on", "2026-02-01")
    assert "booked" in run("loan", "repay", "1", "260", "--ref", "r1", "--on", "2026-03-01")
    assert "nothing changed" in run(
        "loan", "repay", "1", "260", "--ref", "r1", "--on", "2026-03-01"
    )
    assert "2026-06-01" in run("loan", "show", "1")
    assert "1 active loans" in run("close-day", "--date", "2026-04-20")
    assert "nothing new" in run("close-day", "--date", "2026-04-20")
    assert "PAR1" in run("loan", "arrears", str(lw.pid))
    assert run("ledger", "check").startswith("✓")
