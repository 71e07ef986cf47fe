"""``kuza ledger check``: prove that the books balance and that every stored balance
equals the ledger. Each finding is a readable sentence; no finding means clean."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    journal_entry,
    journal_line,
    ledger_account,
    loan,
    loan_accrual,
    loan_instalment,
    meeting,
    meeting_line,
    share_out,
    share_out_line,
)
from kuza.domain.ledger import AccountCode
from kuza.services.ledger import drifted_accounts, empty_entries, unbalanced_entries


def _meeting_cash_mismatches(conn: Connection) -> list[str]:
    """A posted meeting's sheet totals must equal what its entry moved through the cash."""
    sheet = (
        select(
            meeting_line.c.meeting_id,
            func.sum(
                meeting_line.c.compulsory_minor
                + meeting_line.c.voluntary_minor
                + meeting_line.c.social_minor
                + meeting_line.c.fines_minor
                - meeting_line.c.withdrawal_minor
                - meeting_line.c.social_payout_minor
            ).label("net"),
        )
        .group_by(meeting_line.c.meeting_id)
        .subquery()
    )
    booked = (
        select(journal_line.c.entry_id, func.sum(journal_line.c.amount_minor).label("net"))
        .join(ledger_account, ledger_account.c.id == journal_line.c.account_id)
        .where(ledger_account.c.code == AccountCode.GROUP_CASH.value)
        .group_by(journal_line.c.entry_id)
        .subquery()
    )
    rows = conn.execute(
        select(meeting.c.id, meeting.c.held_on, sheet.c.net, booked.c.net.label("booked"))
        .select_from(
            meeting.outerjoin(sheet, sheet.c.meeting_id == meeting.c.id).outerjoin(
                booked, booked.c.entry_id == meeting.c.entry_id
            )
        )
        .where(
            meeting.c.status == "posted",
            func.coalesce(sheet.c.net, 0) != func.coalesce(booked.c.net, 0),
        )
    )
    return [
        f"meeting {r.id} of {r.held_on}: sheet nets {r.net or 0} minor units "
        f"but its entry moved {r.booked or 0} through group cash"
        for r in rows
    ]


def _share_out_mismatches(conn: Connection) -> list[str]:
    lines = (
        select(
            share_out_line.c.share_out_id,
            func.sum(share_out_line.c.payout_minor).label("paid"),
        )
        .group_by(share_out_line.c.share_out_id)
        .subquery()
    )
    rows = conn.execute(
        select(share_out.c.id, share_out.c.fund_minor, lines.c.paid)
        .select_from(share_out.outerjoin(lines, lines.c.share_out_id == share_out.c.id))
        .where(share_out.c.fund_minor != func.coalesce(lines.c.paid, 0))
    )
    return [
        f"share-out {r.id}: fund {r.fund_minor} but members' statements add to {r.paid or 0}"
        for r in rows
    ]


def _broken_reversals(conn: Connection) -> list[str]:
    """A reversal must cancel its original account by account."""
    rev = journal_entry.alias("rev")
    rows = conn.execute(
        select(rev.c.id, rev.c.reverses_id)
        .join(journal_line, journal_line.c.entry_id.in_([rev.c.id, rev.c.reverses_id]))
        .where(rev.c.reverses_id.is_not(None))
        .group_by(rev.c.id, rev.c.reverses_id, journal_line.c.account_id)
        .having(func.sum(journal_line.c.amount_minor) != 0)
        .distinct()
    )
    return [f"entry {r.id} does not exactly cancel entry {r.reverses_id}" for r in rows]


def _loan_mismatches(conn: Connection) -> list[str]:
    """Each member's loan receivable must equal the outstanding principal of her loans in
    the loan tables (internal loans per group, external and in-kind programme-wide)."""
    i = loan_instalment.c
    owed = func.sum(i.principal_minor - i.principal_paid_minor - i.principal_written_off_minor)
    book: dict[tuple[str, int | None, int], int] = {}
    rows = conn.execute(
        select(loan.c.programme_id, loan.c.kind, loan.c.group_id, loan.c.member_id, owed)
        .join(loan_instalment, i.loan_id == loan.c.id)
        .group_by(loan.c.programme_id, loan.c.kind, loan.c.group_id, loan.c.member_id)
    )
    for pid, kind, group_id, member_id, total in rows:
        internal = kind == "internal"
        code = AccountCode.INTERNAL_LOANS if internal else AccountCode.EXTERNAL_LOANS
        key = (f"{pid}:{code.value}", group_id if internal else None, member_id)
        book[key] = book.get(key, 0) + int(total or 0)
    a = ledger_account.c
    ledger = {
        (f"{r.programme_id}:{r.code}", r.group_id, r.member_id): int(r.balance_minor)
        for r in conn.execute(
            select(a.programme_id, a.code, a.group_id, a.member_id, a.balance_minor).where(
                a.code.in_([AccountCode.INTERNAL_LOANS.value, AccountCode.EXTERNAL_LOANS.value])
            )
        )
    }
    return [
        f"loans of member {key[2]} ({key[0]}, group {key[1]}): loan tables owe "
        f"{book.get(key, 0)} minor units but the receivable shows {ledger.get(key, 0)}"
        for key in sorted(set(book) | set(ledger), key=str)
        if book.get(key, 0) != ledger.get(key, 0)
    ]


def _accrual_mismatches(conn: Connection) -> list[str]:
    """A programme's accrued interest receivable must equal the sum of the per-loan
    accruals stored by the latest close-day that accrued (``loan_accrual``)."""
    a = ledger_account.c
    ledger = {
        int(r.programme_id): int(r.balance_minor)
        for r in conn.execute(
            select(a.programme_id, a.balance_minor).where(
                a.code == AccountCode.ACCRUED_INTEREST_RECEIVABLE.value, a.group_id.is_(None)
            )
        )
    }
    c = loan_accrual.c
    stored = {
        int(r.programme_id): int(r.total)
        for r in conn.execute(
            select(c.programme_id, func.sum(c.accrued_minor).label("total")).group_by(
                c.programme_id
            )
        )
    }
    return [
        f"programme {pid}: accrued interest receivable shows {ledger.get(pid, 0)} minor units "
        f"but the loans' accruals of the last close-day add to {stored.get(pid, 0)}"
        for pid in sorted(set(ledger) | set(stored))
        if ledger.get(pid, 0) != stored.get(pid, 0)
    ]


def check(db: Database) -> list[str]:
    findings: list[str] = []
    with db.read() as conn:
        for entry_id, currency, off in unbalanced_entries(conn):
            findings.append(f"entry {entry_id} does not balance: off by {off} minor {currency}")
        for account_id, code, stored, total in drifted_accounts(conn):
            findings.append(
                f"account {account_id} ({code}) shows {stored} minor units "
                f"but its lines add to {total}"
            )
        findings.extend(f"entry {e} has no lines" for e in empty_entries(conn))
        findings.extend(_broken_reversals(conn))
        findings.extend(_meeting_cash_mismatches(conn))
        findings.extend(_share_out_mismatches(conn))
        findings.extend(_loan_mismatches(conn))
        findings.extend(_accrual_mismatches(conn))
    return findings


def totals(db: Database) -> tuple[int, int, int]:
    with db.read() as conn:
        return (
            conn.execute(select(func.count()).select_from(journal_entry)).scalar_one(),
            conn.execute(select(func.count()).select_from(journal_line)).scalar_one(),
            conn.execute(select(func.count()).select_from(ledger_account)).scalar_one(),
        )
