"""``kuza ledger check``: prove that the books balance and that every stored balance
equals the ledger. No finding means clean.

A finding is its kind and its values (ids, minor units, codes); its sentence is a
template in the error catalogue, read in the language of the request being served
(:func:`kuza.domain.errors.translated`), English in the CLI."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

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
from kuza.domain.errors import N_, translated
from kuza.domain.ledger import AccountCode
from kuza.services.ledger import drifted_accounts, empty_entries, unbalanced_entries


class FindingKind(StrEnum):
    UNBALANCED_ENTRY = "unbalanced_entry"
    DRIFTED_BALANCE = "drifted_balance"
    EMPTY_ENTRY = "empty_entry"
    BROKEN_REVERSAL = "broken_reversal"
    MEETING_CASH = "meeting_cash"
    SHARE_OUT = "share_out"
    LOAN_RECEIVABLE = "loan_receivable"
    ACCRUED_INTEREST = "accrued_interest"


SENTENCES: Mapping[FindingKind, str] = {
    FindingKind.UNBALANCED_ENTRY: N_(
        "entry %(entry)s does not balance: off by %(off)s minor %(currency)s"
    ),
    FindingKind.DRIFTED_BALANCE: N_(
        "account %(account)s (%(code)s) shows %(stored)s minor units but its lines add to %(lines)s"
    ),
    FindingKind.EMPTY_ENTRY: N_("entry %(entry)s has no lines"),
    FindingKind.BROKEN_REVERSAL: N_("entry %(entry)s does not exactly cancel entry %(reverses)s"),
    FindingKind.MEETING_CASH: N_(
        "meeting %(meeting)s of %(held_on)s: sheet nets %(sheet)s minor units "
        "but its entry moved %(booked)s through group cash"
    ),
    FindingKind.SHARE_OUT: N_(
        "share-out %(share_out)s: fund %(fund)s but members' statements add to %(paid)s"
    ),
    FindingKind.LOAN_RECEIVABLE: N_(
        "loans of member %(member)s (%(programme)s:%(code)s, group %(group)s): loan tables "
        "owe %(owed)s minor units but the receivable shows %(shown)s"
    ),
    FindingKind.ACCRUED_INTEREST: N_(
        "programme %(programme)s: accrued interest receivable shows %(shown)s minor units "
        "but the loans' accruals of the last close-day add to %(stored)s"
    ),
}
# An external loan's receivable is programme-wide: no group to name.
EXTERNAL_LOAN_RECEIVABLE = N_(
    "loans of member %(member)s (%(programme)s:%(code)s): loan tables owe %(owed)s minor "
    "units but the receivable shows %(shown)s"
)

Value = int | str | None


@dataclass(frozen=True)
class Finding:
    """One problem the check found: its kind and the values its sentence names."""

    kind: FindingKind
    values: Mapping[str, Value]

    @property
    def template(self) -> str:
        if self.kind is FindingKind.LOAN_RECEIVABLE and self.values.get("group") is None:
            return EXTERNAL_LOAN_RECEIVABLE
        return SENTENCES[self.kind]

    @property
    def message(self) -> str:
        """The sentence in the language of the request being served (English elsewhere)."""
        return translated(self.template, self.values)

    def __str__(self) -> str:
        return self.message


def _found(kind: FindingKind, **values: Value) -> Finding:
    return Finding(kind, values)


def _meeting_cash_mismatches(conn: Connection) -> list[Finding]:
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
        _found(
            FindingKind.MEETING_CASH,
            meeting=r.id,
            held_on=r.held_on.isoformat(),
            sheet=int(r.net or 0),
            booked=int(r.booked or 0),
        )
        for r in rows
    ]


def _share_out_mismatches(conn: Connection) -> list[Finding]:
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
        _found(FindingKind.SHARE_OUT, share_out=r.id, fund=int(r.fund_minor), paid=int(r.paid or 0))
        for r in rows
    ]


def _broken_reversals(conn: Connection) -> list[Finding]:
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
    return [_found(FindingKind.BROKEN_REVERSAL, entry=r.id, reverses=r.reverses_id) for r in rows]


def _loan_mismatches(conn: Connection) -> list[Finding]:
    """Each member's loan receivable must equal the outstanding principal of her loans in
    the loan tables (internal loans per group, external and in-kind programme-wide)."""
    i = loan_instalment.c
    owed = func.sum(i.principal_minor - i.principal_paid_minor - i.principal_written_off_minor)
    book: dict[tuple[int, str, int | None, int], int] = {}
    rows = conn.execute(
        select(loan.c.programme_id, loan.c.kind, loan.c.group_id, loan.c.member_id, owed)
        .join(loan_instalment, i.loan_id == loan.c.id)
        .group_by(loan.c.programme_id, loan.c.kind, loan.c.group_id, loan.c.member_id)
    )
    for pid, kind, group_id, member_id, total in rows:
        internal = kind == "internal"
        code = AccountCode.INTERNAL_LOANS if internal else AccountCode.EXTERNAL_LOANS
        key = (int(pid), code.value, group_id if internal else None, member_id)
        book[key] = book.get(key, 0) + int(total or 0)
    a = ledger_account.c
    ledger = {
        (int(r.programme_id), str(r.code), r.group_id, r.member_id): int(r.balance_minor)
        for r in conn.execute(
            select(a.programme_id, a.code, a.group_id, a.member_id, a.balance_minor).where(
                a.code.in_([AccountCode.INTERNAL_LOANS.value, AccountCode.EXTERNAL_LOANS.value])
            )
        )
    }
    return [
        _found(
            FindingKind.LOAN_RECEIVABLE,
            member=key[3],
            programme=key[0],
            code=key[1],
            group=key[2],
            owed=book.get(key, 0),
            shown=ledger.get(key, 0),
        )
        for key in sorted(set(book) | set(ledger), key=str)
        if book.get(key, 0) != ledger.get(key, 0)
    ]


def _accrual_mismatches(conn: Connection) -> list[Finding]:
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
        _found(
            FindingKind.ACCRUED_INTEREST,
            programme=pid,
            shown=ledger.get(pid, 0),
            stored=stored.get(pid, 0),
        )
        for pid in sorted(set(ledger) | set(stored))
        if ledger.get(pid, 0) != stored.get(pid, 0)
    ]


def check(db: Database) -> list[Finding]:
    findings: list[Finding] = []
    with db.read() as conn:
        for entry_id, currency, off in unbalanced_entries(conn):
            findings.append(
                _found(FindingKind.UNBALANCED_ENTRY, entry=entry_id, off=off, currency=currency)
            )
        for account_id, code, stored, total in drifted_accounts(conn):
            findings.append(
                _found(
                    FindingKind.DRIFTED_BALANCE,
                    account=account_id,
                    code=code,
                    stored=stored,
                    lines=total,
                )
            )
        findings.extend(_found(FindingKind.EMPTY_ENTRY, entry=e) for e in empty_entries(conn))
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
