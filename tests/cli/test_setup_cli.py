"""``kuza programme|branch|agent|training module|value-chain``: a programme set up end
to end over a SQLite file, each write audited; bad input exits 2 naming the field and
writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    audit_log,
    branch,
    field_agent,
    programme,
    training_module,
    value_chain,
)
from kuza.cli.main import app

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("KUZA_DATABASE_URL", url)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    return Database(url)


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def fails(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 2, result.output
    return " ".join(result.output.split())


def counts(db: Database) -> tuple[int, ...]:
    with db.read() as conn:
        return tuple(
            int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for t in (programme, branch, field_agent, training_module, value_chain, audit_log)
        )


def test_a_programme_set_up_from_the_command_line(db: Database) -> None:
    out = run(
        "programme", "create", "UG-SHG", "Uganda SHG", "--country", "UG", "--currency", "UGX",
        "--actor", "amina",
    )  # fmt: skip
    assert "programme 1 created" in out
    assert "UG-SHG" in run("programme", "list")
    assert "branch 1 created" in run("branch", "create", "1", "Gulu")
    assert "field agent 1 created" in run("agent", "create", "1", "Grace", "--phone", "+256 7")
    assert "training module 1 added" in run(
        "training", "module", "add", "1", "poultry", "Poultry", "--category", "vocational",
        "--hours", "6", "--format", "pictorial",
    )  # fmt: skip
    assert "value chain 1 added" in run("value-chain", "add", "1", "dairy", "Dairy")
    assert counts(db) == (1, 1, 1, 1, 1, 5)
    with db.read() as conn:
        actors = set(conn.execute(select(audit_log.c.actor)).scalars())
        agent = conn.execute(select(field_agent)).one()
    assert actors == {"amina", "cli"}
    assert (agent.programme_id, agent.branch_id, agent.phone) == (1, 1, "+256 7")


def test_bad_set_up_exits_2_naming_the_field_and_writes_nothing(db: Database) -> None:
    run("programme", "create", "UG-SHG", "Uganda SHG", "--country", "UG", "--currency", "UGX")
    run("branch", "create", "1", "Gulu")
    run("agent", "create", "1", "Grace")
    run("value-chain", "add", "1", "dairy", "Dairy")
    before = counts(db)
    new = ("programme", "create", "KE-SHG", "Kenya SHG", "--country", "KE")
    assert "unknown currency 'XYZ' (field: currency)" in fails(*new, "--currency", "XYZ")
    assert "(field: country)" in fails("programme", "create", "X", "Y", "--country", "KEN",
                                       "--currency", "KES")  # fmt: skip
    assert "programme 'UG-SHG' already exists (field: code)" in fails(
        "programme", "create", "UG-SHG", "Other", "--country", "UG", "--currency", "UGX"
    )
    assert "name is required (field: name)" in fails("branch", "create", "1", "  ")
    assert "(field: name)" in fails("branch", "create", "1", "gulu")
    assert "no programme 9 (field: programme_id)" in fails("branch", "create", "9", "Lira")
    assert "(field: name)" in fails("agent", "create", "1", "GRACE")
    assert "(field: phone)" in fails("agent", "create", "1", "Hope", "--phone", "soon")
    assert "(field: branch_id)" in fails("agent", "create", "7", "Hope")
    assert "(field: category)" in fails(
        "training", "module", "add", "1", "tea", "Tea", "--category", "farming", "--hours", "2"
    )
    assert "(field: expected_hours)" in fails(
        "training", "module", "add", "1", "tea", "Tea", "--category", "vocational", "--hours", "0"
    )
    assert "value chain 'dairy' already exists (field: code)" in fails(
        "value-chain", "add", "1", "dairy", "Milk"
    )
    assert "(field: name)" in fails("value-chain", "add", "1", "tea", " ")
    assert counts(db) == before
