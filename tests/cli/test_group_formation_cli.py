"""``kuza group create|enrol|leave|elect|move-meeting|status`` with ``--actor`` a login
whose role and scope are checked as on the pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import audit_log, membership, savings_group
from kuza.cli.main import app
from kuza.domain.access import Role
from kuza.services import meetings, programmes, users
from tests.cli.logins import make_logins
from tests.factories import FORMED, World, make_world, sheet

runner = CliRunner()
TODAY = "2026-02-02"


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Database, World, int]:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("KUZA_DATABASE_URL", url)
    monkeypatch.setenv("KUZA_PASSWORD", "not-a-real-one")  # every login's, where asked
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    db = Database(url)
    w = make_world(db)
    make_logins(db, w)  # manager (branch manager), boss (finance), donor
    agent = programmes.create_agent(db, w.programme_id, w.branch_id, "Agent A")
    other = programmes.create_agent(db, w.programme_id, w.branch_id, "Agent B")
    for name, aid in (("agent", agent), ("agentb", other)):
        new = users.NewUser(name, Role.FIELD_AGENT, "not-a-real-one", "", w.programme_id, None, aid)
        users.create_user(db, new, weak_password_ok=True)
    return db, w, agent


def run(*args: str) -> str:
    result = runner.invoke(app, ["group", *args])
    assert result.exit_code == 0, result.output
    return result.output


def fails(*args: str) -> str:
    result = runner.invoke(app, ["group", *args])
    assert result.exit_code == 2, result.output
    return result.output


def test_form_approve_and_run_a_group(world: tuple[Database, World, int]) -> None:
    db, _w, agent = world
    create = ("create", "Amani", "--agent", str(agent), "--saving", "50", "--today", TODAY)
    assert "field: role" in fails(*create, "--actor", "boss")  # finance does not form
    assert "choose the group's field agent" in fails(
        "create", "Amani", "--agent", str(agent), "--saving", "50", "--actor", "agentb"
    )
    assert "field: compulsory_saving" in fails(
        "create", "Amani", "--agent", str(agent), "--saving", "-5", "--actor", "agent"
    )
    out = run(*create, "--actor", "agent", "--village", "Gatundu")
    assert "(forming)" in out
    gid = int(out.split()[1])
    with db.read() as conn:
        row = conn.execute(select(savings_group).where(savings_group.c.id == gid)).one()
    assert (row.agent_id, row.status, row.formed_on.isoformat()) == (agent, "forming", TODAY)

    assert "field: role" in fails("status", str(gid), "active", "--actor", "agent")
    assert "no group" in fails("enrol", str(gid), "X", "--sex", "F", "--household", "3",
                               "--actor", "agentb")  # fmt: skip
    assert "is active" in run("status", str(gid), "active", "--actor", "manager", "--today", TODAY)
    assert "cannot become forming" in fails(
        "status", str(gid), "forming", "--actor", "manager", "--today", TODAY
    )

    enrol = ("enrol", str(gid), "Wanjiru", "--sex", "F", "--household", "4", "--literate")
    assert "field: sex" in fails("enrol", str(gid), "W", "--sex", "woman", "--household", "4",
                                 "--actor", "agent", "--today", TODAY)  # fmt: skip
    assert "after today" in fails(
        *enrol, "--on", "2026-03-01", "--actor", "agent", "--today", TODAY
    )
    out = run(*enrol, "--actor", "agent", "--today", TODAY)
    mid = int(out.split()[1])
    assert "is president" in run(
        "elect", str(gid), str(mid), "president", "--actor", "agent", "--today", TODAY
    )
    assert "'chief' is not one of president" in fails(
        "elect", str(gid), str(mid), "chief", "--actor", "agent", "--today", TODAY
    )
    assert "moved to 2026-02-11" in run(
        "move-meeting", str(gid), "--from", "2026-02-09", "--to", "2026-02-11",
        "--reason", "holiday", "--actor", "agent",
    )  # fmt: skip
    assert "already moved" in fails(
        "move-meeting", str(gid), "--from", "2026-02-09", "--to", "2026-02-12",
        "--reason", "holiday", "--actor", "agent",
    )  # fmt: skip
    assert "savings paid back 0.00 KES" in run(
        "leave", str(gid), str(mid), "--reason", "moved", "--actor", "manager", "--today", TODAY
    )
    with db.read() as conn:
        actors = {
            r.actor
            for r in conn.execute(select(audit_log.c.actor).where(audit_log.c.actor != "system"))
        }
    assert {"agent", "manager"} <= actors


def test_leaving_pays_back_and_refuses_bad_input(world: tuple[Database, World, int]) -> None:
    db, w, _ = world
    meetings.post_meeting(db, sheet(w, FORMED), "agent", FORMED)
    g, m = str(w.group_id), str(w.member_ids[0])
    assert "--reason" in runner.invoke(app, ["group", "leave", g, m, "--actor", "manager"]).output
    assert "field: left_on" in fails(
        "leave", g, m, "--reason", "x", "--on", "2025-01-01", "--actor", "manager", "--today", TODAY
    )
    assert "field: role" in fails("leave", g, m, "--reason", "x", "--actor", "donor")
    assert "'nobody'" in fails("leave", g, m, "--reason", "x", "--actor", "nobody")
    with db.read() as conn:
        left = conn.execute(
            select(func.count()).select_from(membership).where(membership.c.left_on.is_not(None))
        ).scalar_one()
    assert left == 0
    assert "paid back 100.00 KES" in run(
        "leave", g, m, "--reason", "moved", "--actor", "manager", "--today", TODAY
    )
