"""The office's books: the programme's loan fund (what was put in, what is in hand), the
close-of-day runs, and the ledger check, for the pages and the API (the CLI has had
them as ``kuza loan fund``, ``kuza close-day`` and ``kuza ledger check``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import close_day_run, journal_entry, journal_line, ledger_account
from kuza.domain.errors import RuleViolation
from kuza.domain.ledger import AccountCode, AccountKey
from kuza.domain.money import Money
from kuza.services import ledger_check
from kuza.services.ledger import balances_of
from kuza.services.loans.close_day import AfterClose, CloseDayResult, close_day
from kuza.services.loans.products import fund_loan_fund
from kuza.services.programmes import programme_row

CASH = AccountKey(AccountCode.LOAN_FUND_CASH)
CAPITAL = AccountKey(AccountCode.LOAN_FUND_CAPITAL)


@dataclass(frozen=True)
class FundMove:
    """One movement of the loan fund's cash: in (capital, repayments) or out (loans)."""

    entry_id: int
    on: date
    memo: str
    amount: Money  # positive in, negative out


@dataclass(frozen=True)
class LoanFund:
    programme_id: int
    cash: Money  # in hand now
    capital: Money  # put in by the programme and its partners, in all
    moves: list[FundMove]  # the latest first
    move_count: int


def loan_fund(db: Database, programme_id: int, limit: int = 50, offset: int = 0) -> LoanFund:
    """The loan fund from the ledger: its cash balance, the capital put in, and a page of
    the movements of its cash, the latest posted first (read by the account's index, so a
    programme with millions of repayments pages as fast as a new one)."""
    line, entry, account = journal_line.c, journal_entry.c, ledger_account.c
    with db.read() as conn:
        currency = programme_row(conn, programme_id).currency
        balances = balances_of(conn, programme_id, (CASH, CAPITAL), currency)
        cash_account = conn.execute(
            select(account.id).where(
                account.programme_id == programme_id,
                account.code == CASH.code.value,
                account.group_id.is_(None),
                account.member_id.is_(None),
            )
        ).scalar()
        rows = conn.execute(
            select(entry.id, entry.posted_on, entry.memo, line.amount_minor, line.currency)
            .join(journal_entry, journal_entry.c.id == line.entry_id)
            .where(line.account_id == cash_account)
            .order_by(line.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
        count = conn.execute(
            select(func.count()).select_from(journal_line).where(line.account_id == cash_account)
        ).scalar_one()
    return LoanFund(
        programme_id=programme_id,
        cash=balances[CASH],
        capital=-balances[CAPITAL],  # a credit balance, shown as what was put in
        moves=[
            FundMove(r.id, r.posted_on, r.memo, Money.from_minor(r.amount_minor, r.currency))
            for r in rows
        ],
        move_count=count,
    )


def loan_fund_cash(db: Database, programme_id: int) -> Money:
    """The loan fund's cash in hand (its running balance), without reading its lines."""
    with db.read() as conn:
        currency = programme_row(conn, programme_id).currency
        return balances_of(conn, programme_id, (CASH,), currency)[CASH]


@dataclass(frozen=True)
class CloseDayRun:
    run_on: date
    loans: int
    penalties_charged: int
    ran_at: datetime
    ran_by: str


def close_day_runs(db: Database, limit: int = 10, offset: int = 0) -> list[CloseDayRun]:
    """A page of the close-of-day runs, the latest date first."""
    c = close_day_run.c
    with db.read() as conn:
        rows = conn.execute(
            select(c.run_on, c.loans, c.penalties_charged, c.ran_at, c.ran_by)
            .order_by(c.run_on.desc())
            .limit(limit)
            .offset(offset)
        ).all()
    return [CloseDayRun(r.run_on, r.loans, r.penalties_charged, r.ran_at, r.ran_by) for r in rows]


def close_day_run_count(db: Database) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(close_day_run)).scalar_one())


def run_close_day(
    db: Database, day: date, actor: str, today: date, after: Sequence[AfterClose] = ()
) -> CloseDayResult:
    """Close ``day`` for every loan of every programme (one run covers the whole book).
    A day after today is refused: its penalties and arrears are not known yet.
    ``after``: the stores close-day writes last, in its transaction."""
    if day > today:
        raise RuleViolation(
            "the day to close, %(day)s, is after today", field="on", day=day.isoformat()
        )
    return close_day(db, day, actor, after)


@dataclass(frozen=True)
class LedgerCheck:
    findings: list[ledger_check.Finding]  # none means clean
    entries: int
    lines: int
    accounts: int

    @property
    def clean(self) -> bool:
        return not self.findings


def check_ledger(db: Database) -> LedgerCheck:
    """Every entry balances, every stored balance equals its lines, and the records kept
    beside the ledger (meetings, share-outs, loans, accruals) agree with it."""
    findings = ledger_check.check(db)
    entries, lines, accounts = ledger_check.totals(db)
    return LedgerCheck(findings, entries, lines, accounts)


def deposit_to_loan_fund(
    db: Database, programme_id: int, amount: str, on: date, reference: str, actor: str,
    today: date,
) -> int:  # fmt: skip
    """Capital into the loan fund (Dr loan fund cash, Cr loan fund capital): the entry's
    id. A day after today is refused; a reference booked before is a Conflict."""
    if on > today:
        raise RuleViolation(
            "the deposit's day, %(day)s, is after today", field="on", day=on.isoformat()
        )
    return fund_loan_fund(db, programme_id, amount, on, reference, actor)
