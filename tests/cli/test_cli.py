"""The CLI end to end on a real SQLite file: db upgrade, demo, ledger check, meeting
post (good, duplicate, malformed), group show, passbook."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kuza.adapters.db.engine import Database
from kuza.cli.main import app
from tests.factories import make_world

runner = CliRunner()


@pytest.fixture
def env_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("KUZA_DATABASE_URL", url)
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    return Database(url)


def test_meeting_post_is_idempotent_and_ledger_check_is_clean(env_db: Database, tmp_path: Path):
    w = make_world(env_db)
    sheet = tmp_path / "m.json"
    sheet.write_text(
        json.dumps(
            {
                "group_id": w.group_id,
                "held_on": "2026-01-12",
                "lines": [{"member_id": m, "voluntary": "10"} for m in w.member_ids],
            }
        )
    )
    first = runner.invoke(app, ["meeting", "post", str(sheet), "--today", "2026-02-01"])
    assert first.exit_code == 0, first.output
    assert "posted" in first.output
    second = runner.invoke(app, ["meeting", "post", str(sheet), "--today", "2026-02-01"])
    assert second.exit_code == 0
    assert "nothing booked" in second.output
    check = runner.invoke(app, ["ledger", "check"])
    assert check.exit_code == 0
    assert "1 entries" in check.output
    shown = runner.invoke(app, ["group", "show", str(w.group_id), "--today", "2026-02-01"])
    assert shown.exit_code == 0
    assert "330.00 KES" in shown.output


@pytest.mark.parametrize(
    "content,needle",
    [
        ("{not json", "not valid JSON"),
        (
            json.dumps(
                {
                    "group_id": 1,
                    "held_on": "2026-01-12",
                    "lines": [{"member_id": 1, "voluntary": "-3"}],
                }
            ),
            "lines[0].voluntary",
        ),
        (
            json.dumps(
                {
                    "group_id": 1,
                    "held_on": "2026-01-12",
                    "lines": [{"member_id": 1, "voluntary": 2.5}],
                }
            ),
            "lines[0].voluntary",
        ),
    ],
)
def test_bad_meeting_files_exit_2_naming_the_field(env_db, tmp_path, content, needle):
    make_world(env_db)
    sheet = tmp_path / "bad.json"
    sheet.write_text(content)
    result = runner.invoke(app, ["meeting", "post", str(sheet), "--today", "2026-02-01"])
    assert result.exit_code == 2
    assert needle in result.output
    assert "0 entries" in runner.invoke(app, ["ledger", "check"]).output


def test_missing_file(env_db):
    result = runner.invoke(app, ["meeting", "post", "/nonexistent.json"])
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_demo_loads_and_balances(env_db):
    result = runner.invoke(app, ["demo", "--until", "2026-03-30", "--months", "2"])
    assert result.exit_code == 0, result.output
    check = runner.invoke(app, ["ledger", "check"])
    assert check.exit_code == 0, check.output
    # a second demo run loads nothing twice
    again = runner.invoke(app, ["demo", "--until", "2026-03-30", "--months", "2"])
    assert "'programmes': 0" in again.output


def test_passbook_commands(env_db):
    w = make_world(env_db)
    m = str(w.member_ids[0])
    ok = runner.invoke(app, ["passbook", "deposit", m, "75", "--ref", "R1", "--on", "2026-02-01"])
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(app, ["passbook", "withdraw", m, "100", "--ref", "R2"])
    assert bad.exit_code == 2
    assert "above the passbook balance" in bad.output
    stmt = runner.invoke(app, ["passbook", "statement", m])
    assert "75.00" in stmt.output


def test_serve_starts_the_workers_asked_and_refuses_none(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    calls: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda target, **kw: calls.append({"app": target, **kw}))
    result = runner.invoke(app, ["serve", "--workers", "3", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert calls == [
        {
            "app": "kuza.web.app:create_app",
            "factory": True,
            "host": "127.0.0.1",
            "port": 8123,
            "workers": 3,
        }
    ]
    refused = runner.invoke(app, ["serve", "--workers", "0"])
    assert refused.exit_code == 2 and len(calls) == 1
