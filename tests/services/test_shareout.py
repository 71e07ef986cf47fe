"""Sharing out a cycle on both databases: the ledger, the statements, the next cycle."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import audit_log, journal_entry, journal_line, share_out_line
from kuza.adapters.db.schema import share_out as share_out_table
from kuza.domain.errors import Conflict, DomainError, RuleViolation
from kuza.domain.groups import ShareOutRule
from kuza.domain.ledger import AccountCode, AccountKey, EntryBuilder
from kuza.domain.money import Money
from kuza.services import ledger_check
from kuza.services.groups import load_group
from kuza.services.ledger import group_balances, post_entry
from kuza.services.meetings import post_meeting
from kuza.services.shareout import share_out, share_out_statement
from tests.cli.logins import PASSWORD, make_logins
from tests.factories import World, make_world, sheet

TODAY = date(2026, 6, 1)
ON = date(2026, 1, 30)


def three_meetings(db: Database, w: World) -> None:
    """Compulsory saving 100. Savings: m0 300 + 200 voluntary = 500, m1 300, m2 200
    (absent on the 26th) → 1000. Fines 30 + 30 = 60. Social fund 3 × 10 = 30.
    Group cash 1090; distributable fund 1090 - 30 = 1060; income 60."""
    post_meeting(
        db,
        sheet(
            w,
            date(2026, 1, 12),
            m0={"voluntary": "200", "social": "10"},
            m1={"fines": [{"amount": "30", "reason": "late"}], "social": "10"},
            m2={"social": "10"},
        ),
        "agent",
        TODAY,
    )
    post_meeting(
        db,
        sheet(w, date(2026, 1, 19), m2={"fines": [{"amount": "30", "reason": "absent"}]}),
        "agent",
        TODAY,
    )
    post_meeting(db, sheet(w, date(2026, 1, 26), m2={"present": False}), "agent", TODAY)


def shown(db: Database, w: World) -> dict[AccountKey, Decimal]:
    with db.read() as conn:
        bal = group_balances(conn, w.programme_id, w.group_id, "KES")
    return {k: v.amount for k, v in bal.items() if not v.is_zero()}


def counts(db: Database) -> tuple[int, ...]:
    with db.read() as conn:
        return tuple(
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (journal_entry, journal_line, share_out_table, share_out_line, audit_log)
        )


def test_pro_rata_share_out_empties_the_fund_but_the_social_fund(db: Database) -> None:
    w = make_world(db)
    three_meetings(db, w)
    done = share_out(db, w.group_id, ON, "treasurer", TODAY)
    # Income 60 in proportion to 500/300/200: 30, 18, 12 → payouts 530, 318, 212.
    statement = share_out_statement(db, done.share_out_id)
    assert [
        (r.name, r.savings.amount, r.income.amount, r.payout.amount) for r in statement.rows
    ] == [
        ("Member 0", Decimal("500.00"), Decimal("30.00"), Decimal("530.00")),
        ("Member 1", Decimal("300.00"), Decimal("18.00"), Decimal("318.00")),
        ("Member 2", Decimal("200.00"), Decimal("12.00"), Decimal("212.00")),
    ]
    assert statement.fund.amount == Decimal("1060.00")
    assert statement.cycle_number == 1
    assert statement.rule is ShareOutRule.PRO_RATA
    # Only the social fund is left: cash 30 against the social fund's 30.
    assert shown(db, w) == {
        AccountKey(AccountCode.GROUP_CASH, w.group_id): Decimal("30.00"),
        AccountKey(AccountCode.SOCIAL_FUND, w.group_id): Decimal("-30.00"),
    }
    assert ledger_check.check(db) == []
    with db.read() as conn:
        group = load_group(conn, w.group_id)
    assert (group.cycle_number, group.cycle_started_on) == (2, ON)


def test_shares_rule_returns_remainders(db: Database) -> None:
    w = make_world(db, rule=ShareOutRule.SHARES, share_value="150")
    three_meetings(db, w)
    done = share_out(db, w.group_id, ON, "treasurer", TODAY)
    # Shares of 150: 500 → 3 (50 left), 300 → 2, 200 → 1 (50 left). Fund 1060 less the
    # 100 of remainders = 960 over 6 shares = 160 a share → 480+50, 320, 160+50.
    rows = share_out_statement(db, done.share_out_id).rows
    assert [(r.shares, r.payout.amount) for r in rows] == [
        (3, Decimal("530.00")),
        (2, Decimal("320.00")),
        (1, Decimal("210.00")),
    ]
    assert ledger_check.check(db) == []


def test_second_share_out_of_the_cycle_is_refused_and_writes_nothing(db: Database) -> None:
    w = make_world(db)
    three_meetings(db, w)
    share_out(db, w.group_id, ON, "treasurer", TODAY)
    before = counts(db)
    with pytest.raises(Conflict) as err:
        share_out(db, w.group_id, ON, "treasurer", TODAY)
    assert "already shared out" in err.value.message
    assert counts(db) == before
    with db.read() as conn:
        assert load_group(conn, w.group_id).cycle_number == 2


def test_next_cycle_meetings_post_and_earlier_ones_are_refused(db: Database) -> None:
    w = make_world(db)
    three_meetings(db, w)
    share_out(db, w.group_id, ON, "treasurer", TODAY)
    with pytest.raises(RuleViolation) as err:
        post_meeting(db, sheet(w, date(2026, 1, 28)), "agent", TODAY)
    assert err.value.field == "held_on"
    posted = post_meeting(db, sheet(w, date(2026, 2, 2)), "agent", TODAY)
    assert posted.created
    # Cycle 2 holds one meeting of 3 × 100 and no income: everyone gets her 100 back.
    done = share_out(db, w.group_id, date(2026, 2, 2), "treasurer", TODAY)
    assert done.cycle_number == 2
    assert [ln.payout.amount for ln in done.plan.lines] == [Decimal("100.00")] * 3
    assert ledger_check.check(db) == []


@pytest.mark.parametrize(
    "on,field",
    [(date(2026, 6, 2), "on"), (date(2026, 1, 20), "on"), (date(2026, 1, 1), "on")],
    ids=["future", "before last meeting", "before the cycle"],
)
def test_dates_are_checked(db: Database, on: date, field: str) -> None:
    w = make_world(db)
    three_meetings(db, w)
    before = counts(db)
    with pytest.raises(RuleViolation) as err:
        share_out(db, w.group_id, on, "treasurer", TODAY)
    assert err.value.field == field
    assert counts(db) == before


def test_a_cycle_without_meetings_is_refused(db: Database) -> None:
    w = make_world(db)
    with pytest.raises(RuleViolation) as err:
        share_out(db, w.group_id, ON, "treasurer", TODAY)
    assert err.value.field == "group_id"


def test_outstanding_internal_loans_are_refused(db: Database) -> None:
    w = make_world(db)
    three_meetings(db, w)
    loan = EntryBuilder(date(2026, 1, 26), "loan to member 0")
    loan.move(
        AccountKey(AccountCode.INTERNAL_LOANS, w.group_id, w.member_ids[0]),
        AccountKey(AccountCode.GROUP_CASH, w.group_id),
        Money.of("100", "KES"),
    )
    with db.transaction() as conn:
        post_entry(conn, w.programme_id, loan.build(), "test")
    before = counts(db)
    with pytest.raises(RuleViolation) as err:
        share_out(db, w.group_id, ON, "treasurer", TODAY)
    assert err.value.field == "internal_loans"
    assert counts(db) == before


def test_unknown_statement(db: Database) -> None:
    with pytest.raises(DomainError) as err:
        share_out_statement(db, 999)
    assert err.value.field == "share_out_id"


def test_cli_share_out_and_statement(sqlite_db: Database, monkeypatch) -> None:
    from kuza.cli.main import app

    monkeypatch.setenv("KUZA_DATABASE_URL", sqlite_db.url)
    monkeypatch.setenv("KUZA_PASSWORD", PASSWORD)
    w = make_world(sqlite_db)
    three_meetings(sqlite_db, w)
    make_logins(sqlite_db, w)
    runner = CliRunner()
    args = ["group", "share-out", str(w.group_id), "--on", "2026-01-30", "--today", "2026-06-01"]
    result = runner.invoke(app, [*args, "--actor", "manager"])
    assert result.exit_code == 0, result.output
    assert "share out submitted as action 1" in result.output
    again = runner.invoke(app, [*args, "--actor", "manager"])
    assert again.exit_code == 2  # one share-out of a group waits at a time
    approve = ["approval", "approve", "1", "--today", "2026-06-01", "--actor"]
    assert runner.invoke(app, [*approve, "manager"]).exit_code == 2  # the maker
    result = runner.invoke(app, [*approve, "boss"])
    assert result.exit_code == 0, result.output
    assert "share_out_id" in result.output
    statement = runner.invoke(app, ["group", "statement", "1"])
    assert statement.exit_code == 0, statement.output
    assert "1060.00" in statement.output
    assert "530.00" in statement.output and "Member 2" in statement.output


def test_passbooks_are_not_shared_and_do_not_block_the_share_out(db: Database) -> None:
    from kuza.services.passbook import PassbookMove, move

    w = make_world(db)
    three_meetings(db, w)
    move(db, w.member_ids[1], PassbookMove.DEPOSIT, "400", date(2026, 1, 20), "R1", "a", TODAY)
    done = share_out(db, w.group_id, ON, "treasurer", TODAY)
    statement = share_out_statement(db, done.share_out_id)
    assert statement.fund.amount == Decimal("1060.00")  # as without the passbook
    passbook_cash = AccountKey(AccountCode.PASSBOOK_CASH, w.group_id)
    assert shown(db, w)[passbook_cash] == Decimal("400.00")  # her own money stays
    assert ledger_check.check(db) == []
