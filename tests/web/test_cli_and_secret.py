"""`kuza user create`, the demo logins and where the session secret comes from."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kuza.adapters.db.engine import Database
from kuza.cli.main import app
from kuza.domain.access import Role
from kuza.services import programmes, users
from kuza.services.demo_users import create_demo_users
from kuza.web.security import SECRET_ENV, secret_key
from tests.factories import make_world


def test_cli_creates_a_user_reading_the_password_from_stdin(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = make_world(sqlite_db)
    monkeypatch.setenv("KUZA_DATABASE_URL", sqlite_db.url)
    args = ["user", "create", "Wanjiku", "--role", "country_manager"]
    args += ["--programme", str(world.programme_id), "--password-stdin"]
    result = CliRunner().invoke(app, args, input="a long enough password\n")
    assert result.exit_code == 0, result.output
    p = users.authenticate(sqlite_db, "wanjiku", "a long enough password")
    assert (p.role, p.programme_id) == (Role.COUNTRY_MANAGER, world.programme_id)


def test_cli_names_the_field_at_fault(sqlite_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUZA_DATABASE_URL", sqlite_db.url)
    result = CliRunner().invoke(
        app, ["user", "create", "x1", "--role", "branch_manager", "--password-stdin"], input="p\n"
    )
    assert result.exit_code == 2
    assert "programme_id" in result.output


def test_demo_users_are_created_once(sqlite_db: Database) -> None:
    world = make_world(sqlite_db)
    programmes.create_agent(sqlite_db, world.programme_id, world.branch_id, "Agent")
    assert create_demo_users(sqlite_db) == 3
    assert create_demo_users(sqlite_db) == 0
    assert users.authenticate(sqlite_db, "admin", "admin").role is Role.ADMIN
    assert users.authenticate(sqlite_db, "agent.ke", "agent").role is Role.FIELD_AGENT
    assert users.authenticate(sqlite_db, "branch.ke", "branch").branch_id == world.branch_id


def test_secret_from_env_else_a_private_file_beside_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'kuza.sqlite3'}"
    monkeypatch.setenv(SECRET_ENV, "from-the-environment")
    assert secret_key(url) == "from-the-environment"
    monkeypatch.delenv(SECRET_ENV)
    first = secret_key(url)
    assert len(first) >= 48
    assert secret_key(url) == first
    kept = tmp_path / "kuza.sqlite3.secret"
    assert kept.stat().st_mode & 0o077 == 0
    with pytest.raises(RuntimeError, match=SECRET_ENV):
        secret_key("postgresql+psycopg://db/kuza")


def test_cli_changes_a_role_resets_a_password_and_reactivates(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = make_world(sqlite_db)
    monkeypatch.setenv("KUZA_DATABASE_URL", sqlite_db.url)
    pid = str(world.programme_id)
    new = users.NewUser(
        "peter", Role.FINANCE, "a long enough password", programme_id=world.programme_id
    )
    users.create_user(sqlite_db, new)
    run = CliRunner().invoke
    bad = run(app, ["user", "set-role", "peter", "--role", "branch_manager", "--programme", pid])
    assert bad.exit_code == 2 and "branch_id" in bad.output
    assert users.authenticate(sqlite_db, "peter", "a long enough password").role is Role.FINANCE
    args = ["user", "set-role", "peter", "--role", "branch_manager", "--programme", pid]
    ok = run(app, [*args, "--branch", str(world.branch_id)])
    assert ok.exit_code == 0, ok.output
    reset = run(
        app, ["user", "set-password", "peter", "--password-stdin"], input="another long one\n"
    )
    assert reset.exit_code == 0, reset.output
    p = users.authenticate(sqlite_db, "peter", "another long one")
    assert (p.role, p.branch_id) == (Role.BRANCH_MANAGER, world.branch_id)
    short = run(app, ["user", "set-password", "peter", "--password-stdin"], input="short\n")
    assert short.exit_code == 2 and "password" in short.output
    assert run(app, ["user", "deactivate", "peter"]).exit_code == 0
    assert users.load_principal(sqlite_db, p.user_id) is None
    assert run(app, ["user", "reactivate", "peter"]).exit_code == 0
    assert users.load_principal(sqlite_db, p.user_id) is not None
