"""``kuza loan apply/approve/disburse/repay/show/arrears``, ``kuza close-day`` and the
maker-checker commands (``--actor`` a login; ``kuza approval``)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import journal_entry, pending_action
from kuza.cli.main import app
from tests.cli.logins import PASSWORD, make_logins
from tests.factories import FORMED, sheet
from tests.loan_world import LoanWorld
from tests.loan_world import make_loan_world as _make_loan_world

runner = CliRunner()


@pytest.fixture
def env_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("KUZA_DATABASE_URL", url)
    monkeypatch.setenv("KUZA_PASSWORD", PASSWORD)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    return Database(url)


def make_loan_world(db: Database) -> LoanWorld:
    lw = _make_loan_world(db)
    make_logins(db, lw.world)
    return lw


def run(*args: str) -> str:
    undated = ("show", "arrears", "product-off", "product-on")
    dated = (args[0] == "loan" and args[1] not in undated) or args[:2] in (
        ("meeting", "correct"),
        ("group", "share-out"),
    )
    result = runner.invoke(app, [*args, "--today", "2026-12-31"] if dated else args)
    assert result.exit_code == 0, result.output
    return result.output


def test_loan_lifecycle_through_the_cli(env_db: Database) -> None:
    lw = make_loan_world(env_db)
    g, m, p = str(lw.gid), str(lw.m(0)), str(lw.internal)
    assert "loan 1 applied" in run(
        "loan", "apply", g, m, p, "1000", "--on", "2026-02-01", "--actor", "manager"
    )
    approve = ("loan", "approve", "1", "--on", "2026-02-01", "--actor")
    assert "maker-checker" in fails(*approve, "manager")  # who applied
    assert "wrong login or password for --actor 'treasurer'" in fails(*approve, "treasurer")
    assert "field: role" in fails(*approve, "donor")
    assert "--actor" in fails("loan", "approve", "1")  # required
    assert "approved" in run(*approve, "boss")
    assert "4 instalments" in run("loan", "disburse", "1", "--on", "2026-02-01")
    assert "booked" in run("loan", "repay", "1", "260", "--ref", "r1", "--on", "2026-03-01")
    assert "nothing changed" in run(
        "loan", "repay", "1", "260", "--ref", "r1", "--on", "2026-03-01"
    )
    assert "2026-06-01" in run("loan", "show", "1")
    assert "1 active loans" in run("close-day", "--date", "2026-04-20", "--today", "2026-12-31")
    assert "nothing new" in run("close-day", "--date", "2026-04-20", "--today", "2026-12-31")
    late = fails("close-day", "--date", "2027-01-01")  # after --today 2026-12-31
    assert "after today" in late and "field: on" in late
    assert "PAR1" in run("loan", "arrears", str(lw.pid))
    assert run("ledger", "check").startswith("✓")


def fails(*args: str) -> str:
    result = runner.invoke(app, [*args, "--today", "2026-12-31"])
    assert result.exit_code == 2, result.output
    return " ".join(result.output.split())  # rich wraps long lines


def decide(verb: str, action: str, actor: str, *more: str) -> str:
    """``kuza approval approve|reject``; its output, or its refusal (exit 2)."""
    dated = ["--today", "2026-12-31"] if verb == "approve" else []
    result = runner.invoke(app, ["approval", verb, action, "--actor", actor, *more, *dated])
    assert result.exit_code in (0, 2), result.output
    return " ".join(result.output.split())


def test_withdraw_undo_approval_reschedule_write_off_recover(env_db: Database) -> None:
    lw = make_loan_world(env_db)
    g, m, p = str(lw.gid), str(lw.m(0)), str(lw.internal)
    run("loan", "apply", g, m, p, "500", "--on", "2026-02-01")
    run("loan", "approve", "1", "--on", "2026-02-01", "--actor", "boss")
    undo = ("loan", "undo-approval", "1", "--actor")
    assert "field: reason" in fails(*undo, "boss", "--reason", " ")
    assert "field: role" in fails(*undo, "donor", "--reason", "wrong member")
    assert "applied again" in run(*undo, "boss", "--reason", "wrong member")
    assert "withdrawn" in run("loan", "withdraw", "1", "--reason", "changed her mind")
    assert "field: status" in fails("loan", "disburse", "1")
    run("loan", "apply", g, m, p, "1000", "--on", "2026-02-01")
    run("loan", "approve", "2", "--on", "2026-02-01", "--actor", "boss")
    run("loan", "disburse", "2", "--on", "2026-02-01")
    run("loan", "repay", "2", "260", "--ref", "r1", "--on", "2026-03-01")
    resched = ("loan", "reschedule", "2", "--actor", "boss")
    assert "field: terms" in fails(*resched, "--reason", "x", "--terms", "[1")
    assert "field: terms" in fails(*resched, "--reason", "drought")
    assert "field: on" in fails(
        *resched, "--reason", "drought", "--instalments", "6", "--on", "3/4"
    )
    assert "750.00 KES over 6 instalments" in run(
        *resched, "--reason", "drought", "--instalments", "6", "--on", "2026-04-15"
    )
    write_off = ("loan", "write-off", "2", "--reason", "left", "--actor")
    assert "field: role" in fails(*write_off, "donor")
    assert "field: actor" in fails(*write_off, "cli")  # not a login
    assert "field: on" in fails(*write_off, "manager", "--on", "2027-01-01")  # in the future
    assert "submitted as action 1" in run(*write_off, "manager", "--on", "2026-09-01")
    assert "field: kind" in fails(*write_off, "manager", "--on", "2026-09-01")  # one waits
    assert "written_off" not in run("loan", "show", "2")  # nothing booked yet
    assert "field: actor" in decide("approve", "1", "manager")  # the maker
    assert "field: role" in decide("approve", "1", "donor")
    assert '"written_off": "750.00"' in decide("approve", "1", "boss")
    assert "field: action_id" in decide("approve", "1", "boss")  # already approved
    assert "field: amount" in fails("loan", "recover", "2", "0", "--ref", "rc0")
    assert "written_off" in run("loan", "recover", "2", "500", "--ref", "rc1")
    assert "nothing changed" in run("loan", "recover", "2", "500", "--ref", "rc1")
    assert "recovered" in run("loan", "recover", "2", "250", "--ref", "rc2")
    assert run("ledger", "check").startswith("✓")


def test_reverse_a_repayment_through_the_cli(env_db: Database) -> None:
    lw = make_loan_world(env_db)
    g, m, p = str(lw.gid), str(lw.m(0)), str(lw.internal)
    run("loan", "apply", g, m, p, "1000", "--on", "2026-02-01")
    run("loan", "approve", "1", "--on", "2026-02-01", "--actor", "boss")
    run("loan", "disburse", "1", "--on", "2026-02-01")
    assert "closed" in run(
        "loan", "repay", "1", "1040", "--ref", "r1", "--on", "2026-03-01", "--actor", "manager"
    )
    args = ("loan", "reverse-repayment", "1", "--ref", "r1", "--reason", "bounced")
    assert "--actor" in fails(*args)
    assert "field: actor" in fails(*args, "--actor", "nobody")
    assert "field: role" in fails(*args, "--actor", "donor")
    assert "field: reference" in fails(*args[:4], "nope", *args[5:], "--actor", "manager")
    assert "field: on" in fails(*args, "--actor", "manager", "--on", "2027-01-01")
    assert "field: on" in fails(*args, "--actor", "manager", "--on", "2026-02-28")
    out = run(*args, "--actor", "manager", "--on", "2026-03-02")
    assert "repayment reversal submitted as action 1" in out
    listed = runner.invoke(app, ["approval", "list", "--actor", "boss"])
    assert listed.exit_code == 0 and "repayment_reversal" in listed.output
    assert "r1" in listed.output and "bounced" in listed.output
    assert "field: role" in decide("approve", "1", "donor")
    assert "maker-checker" in decide("approve", "1", "manager")  # submitted it, recorded it
    assert "closed" in run("loan", "show", "1")  # nothing booked while it waits
    assert '"reversed": "1040.00"' in decide("approve", "1", "boss")
    assert "disbursed" in run("loan", "show", "1")
    assert run("ledger", "check").startswith("✓")


def test_share_out_and_meeting_correction_wait_for_a_checker(
    env_db: Database, tmp_path: Path
) -> None:
    lw = make_loan_world(env_db)
    held_on = FORMED + timedelta(weeks=3)  # the latest meeting
    fixed = tmp_path / "sheet.json"
    fixed.write_text(json.dumps(sheet(lw.world, held_on, m0={"voluntary": "150"})))
    correct = ("meeting", "correct", str(fixed), "--reason", "typo", "--actor")
    assert "field: actor" in fails(*correct, "nobody")
    assert "field: role" in fails(*correct, "boss")  # finance does not correct sheets
    assert "meeting correction submitted as action 1" in run(*correct, "manager")
    assert "rejected" in decide("reject", "1", "boss", "--reason", "the sheet was right")
    assert "field: action_id" in decide("approve", "1", "boss")  # rejected: nothing runs
    share = ("group", "share-out", str(lw.gid), "--actor", "manager", "--on")
    assert "field: on" in fails(*share, "2027-01-05")  # in the future
    assert "field: on" in fails(*share, "2026-01-20")  # before the cycle's last meeting
    assert "share out submitted as action 2" in run(*share, "2026-02-02")
    before = run("group", "show", str(lw.gid))
    assert "fund cash 2000.00 KES" in " ".join(before.split())
    assert "share_out_id" in decide("approve", "2", "boss")
    assert "cycle 2" in run("group", "show", str(lw.gid))
    assert run("ledger", "check").startswith("✓")


def test_guarantee_and_overpayment_commands(env_db: Database) -> None:
    lw = make_loan_world(env_db)
    g, m, p = str(lw.gid), str(lw.m(0)), str(lw.external)
    money = ("--revenue", "3000", "--costs", "1000")
    for n in ("1", "2"):
        run("loan", "apply", g, m, p, "2000", *money, "--on", "2026-02-01")
        run("loan", "approve", n, "--on", "2026-02-01", "--actor", "boss")
        run("loan", "disburse", n, "--on", "2026-02-01")
    assert "over-paid 20.00" in run("loan", "repay", "1", "2100", "--ref", "r1", "--on",
                                    "2026-02-15")  # fmt: skip
    assert "field: amount" in fails("loan", "refund-overpayment", "1", "50", "--ref", "v1")
    assert "5.00 KES refunded" in run("loan", "refund-overpayment", "1", "5", "--ref", "v1")
    assert "applied to loan 2: principal 0.00 KES, interest 15.00 KES" in run(
        "loan", "apply-overpayment", "1", "2", "--ref", "c1", "--on", "2026-03-01"
    )
    run("loan", "write-off", "2", "--reason", "left", "--actor", "manager")
    assert "written_off" in decide("approve", "1", "boss")
    assert "field: role" in fails("loan", "call-guarantee", "2", "--actor", "donor")
    assert "180.00 KES called, 0.00 KES released" in run(  # 10 % of the 1800 left
        "loan", "call-guarantee", "2", "--actor", "boss"
    )
    assert run("ledger", "check").startswith("✓")


def test_a_product_switched_off_takes_no_application_until_switched_on(env_db: Database) -> None:
    lw = make_loan_world(env_db)
    g, m, p, pid = str(lw.gid), str(lw.m(0)), str(lw.internal), str(lw.pid)
    assert "switched off" in run("loan", "product-off", pid, p)
    refused = fails("loan", "apply", g, m, p, "1000", "--on", "2026-02-01")
    assert "switched off" in refused and "product_id" in refused
    absent = runner.invoke(app, ["loan", "product-off", pid, "999"])
    assert absent.exit_code == 2 and "product_id" in absent.output
    assert "switched on" in run("loan", "product-on", pid, p)
    assert "loan 1 applied" in run("loan", "apply", g, m, p, "1000", "--on", "2026-02-01")


def test_funding_the_loan_fund_refuses_a_later_day_and_a_reused_reference(
    env_db: Database,
) -> None:
    lw = make_loan_world(env_db)
    pid = str(lw.pid)
    assert "credited with 500" in run("loan", "fund", pid, "500", "slip-9", "--on", "2026-12-01")
    assert "after today" in fails("loan", "fund", pid, "500", "slip-10", "--on", "2027-01-02")
    again = fails("loan", "fund", pid, "500", "slip-9", "--on", "2026-12-01")
    assert "slip-9" in again or "already" in again
    assert run("ledger", "check").startswith("✓")


def _pending(db: Database) -> list[tuple[str, str, str | None]]:
    with db.read() as conn:
        rows = conn.execute(
            select(
                pending_action.c.kind, pending_action.c.status, pending_action.c.checked_by
            ).order_by(pending_action.c.id)
        ).all()
    return [tuple(r) for r in rows]


def test_the_actor_proves_her_login_with_its_password(
    env_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The maker's submit and the checker's decision each need the login's password:
    from KUZA_PASSWORD or typed at the hidden prompt; wrong or missing, nothing moves."""
    lw = make_loan_world(env_db)
    g, m, p = str(lw.gid), str(lw.m(0)), str(lw.internal)
    run("loan", "apply", g, m, p, "1000", "--on", "2026-02-01")
    run("loan", "approve", "1", "--on", "2026-02-01", "--actor", "boss")
    run("loan", "disburse", "1", "--on", "2026-02-01")
    write_off = ["loan", "write-off", "1", "--reason", "left", "--on", "2026-09-01"]
    entries = journal_entries(env_db)

    monkeypatch.setenv("KUZA_PASSWORD", "guessed")
    refused = fails(*write_off, "--actor", "manager")
    assert "wrong login or password for --actor 'manager'" in refused and "field: actor" in refused
    assert _pending(env_db) == []  # the maker's wrong password submits nothing

    monkeypatch.delenv("KUZA_PASSWORD")
    typed = runner.invoke(app, [*write_off, "--actor", "manager", "--today", "2026-12-31"],
                          input=f"{PASSWORD}\n")  # fmt: skip
    assert typed.exit_code == 0, typed.output
    assert "Password of manager" in typed.output and PASSWORD not in typed.output  # no echo
    assert _pending(env_db) == [("write_off", "pending", None)]

    # The checker: no password at all (no terminal, nothing in the environment) ...
    missing = runner.invoke(app, ["approval", "approve", "1", "--actor", "boss"], input="")
    assert missing.exit_code == 2, missing.output
    assert "give the password of 'boss'" in " ".join(missing.output.split())
    # ... a wrong one, typed or from the environment, and an empty one ...
    wrong = runner.invoke(app, ["approval", "approve", "1", "--actor", "boss"], input="nope\n")
    assert wrong.exit_code == 2 and "wrong login or password" in " ".join(wrong.output.split())
    monkeypatch.setenv("KUZA_PASSWORD", PASSWORD.upper())
    assert "wrong login or password" in decide("approve", "1", "boss")
    assert "wrong login or password" in decide("reject", "1", "boss", "--reason", "no")
    assert _pending(env_db) == [("write_off", "pending", None)]
    assert journal_entries(env_db) == entries and "written_off" not in run("loan", "show", "1")

    # ... then the right one: approved and booked as boss.
    monkeypatch.setenv("KUZA_PASSWORD", PASSWORD)
    assert '"written_off"' in decide("approve", "1", "boss")
    assert _pending(env_db) == [("write_off", "approved", "boss")]
    assert journal_entries(env_db) > entries


def journal_entries(db: Database) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(journal_entry)).scalar_one())
