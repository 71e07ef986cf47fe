"""Posting a meeting: one transaction, one journal entry, idempotent.

Posting the same sheet twice books it once (the second call returns the first result).
A changed sheet for a meeting already posted is refused; ``correct_meeting`` replaces it
by reversing the old entry (and the loan repayments it booked) and posting the new one,
all kept in the ledger.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, insert, select, update

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import loan, meeting, meeting_line, member, savings_group
from kuza.domain.errors import Conflict, DomainError, NotFound, RuleViolation
from kuza.domain.groups import Group
from kuza.domain.ledger import AccountCode, AccountKey, JournalEntry, normal_balance
from kuza.domain.meetings import (
    FundPosition,
    MeetingSheet,
    meeting_entry,
    parse_sheet,
    summarise,
    validate_sheet,
)
from kuza.domain.money import Money
from kuza.services import audit
from kuza.services.groups import load_group, lock_group, members_on
from kuza.services.ledger import group_accounts, now, post_entry, reverse_entry
from kuza.services.loans.repayments import repay_on
from kuza.services.loans.reversals import reverse_meeting_repayments
from kuza.services.loans.store import load_loan


@dataclass(frozen=True)
class MeetingPosted:
    meeting_id: int
    entry_id: int | None
    created: bool  # False when an identical sheet had already been posted
    summary: dict[str, Any]


def group_id_of(data: object) -> int:
    if not isinstance(data, Mapping):
        raise DomainError("a meeting must be a JSON object")
    gid = data.get("group_id")
    if isinstance(gid, bool) or not isinstance(gid, int):
        raise DomainError("group_id must be a whole number", field="group_id")
    return gid


def check_members_exist(
    conn: Connection, sheet: MeetingSheet, programme_id: int, members: list[int]
) -> None:
    """Unknown members are named before any other refusal. ``members`` (the group's on
    the day) exist, so the database is asked only about the others."""
    active = set(members)
    ids = [ln.member_id for ln in sheet.lines if ln.member_id not in active]
    if not ids:
        return
    known = set(
        conn.execute(
            select(member.c.id).where(member.c.id.in_(ids), member.c.programme_id == programme_id)
        ).scalars()
    )
    for i, ln in enumerate(sheet.lines):
        if ln.member_id not in active and ln.member_id not in known:
            raise NotFound(
                "unknown member %(member_id)s",
                field=f"lines[{i}].member_id",
                member_id=ln.member_id,
            )


@dataclass
class GroupBooks:
    """A locked group's accounts as this transaction knows them: row ids and signed
    balances (minor units). Read once; a sync batch keeps it up to date in Python
    between the group's meetings instead of reading it again."""

    ids: dict[AccountKey, int]
    balances: dict[AccountKey, int]
    fresh: bool = True  # False once something not tracked here (a loan repayment) moved

    @classmethod
    def read(cls, conn: Connection, group: Group) -> GroupBooks:
        rows = group_accounts(conn, group.programme_id, group.id)
        return cls({k: i for k, (i, _) in rows.items()}, {k: b for k, (_, b) in rows.items()})

    def moved(self, entry: JournalEntry) -> None:
        for p in entry.postings:
            self.balances[p.account] = self.balances.get(p.account, 0) + p.amount.minor


def fund_position(
    conn: Connection, group: Group, books: GroupBooks, sheet: MeetingSheet
) -> FundPosition:
    """The fund before the meeting from the group's ``books``. The group's internal
    loans are read only when the sheet repays a loan: they are needed for nothing else."""
    cur = group.currency

    def balance(key: AccountKey) -> Money:
        return Money.from_minor(books.balances.get(key, 0), cur)

    voluntary = {
        k.member_id: normal_balance(k.code, Money.from_minor(bal, cur))
        for k, bal in books.balances.items()
        if k.code is AccountCode.VOLUNTARY_SAVINGS and k.member_id is not None
    }
    internal: frozenset[int] = frozenset()
    if any(ln.repayments for ln in sheet.lines):
        internal = frozenset(
            conn.execute(
                select(loan.c.id).where(loan.c.group_id == group.id, loan.c.kind == "internal")
            ).scalars()
        )
    return FundPosition(
        cash=balance(AccountKey(AccountCode.GROUP_CASH, group.id)),
        social_fund=normal_balance(
            AccountCode.SOCIAL_FUND, balance(AccountKey(AccountCode.SOCIAL_FUND, group.id))
        ),
        voluntary=voluntary,
        internal_loans=internal,
    )


def _posted(conn: Connection, group_id: int, held_on: date) -> Any:
    return conn.execute(
        select(meeting).where(
            meeting.c.group_id == group_id,
            meeting.c.held_on == held_on,
            meeting.c.status == "posted",
        )
    ).first()


def _book_repayments(
    conn: Connection, group: Group, sheet: MeetingSheet, meeting_id: int, actor: str
) -> None:
    """Loan repayments on the sheet, each its own entry, in the meeting's transaction."""
    for i, ln in enumerate(sheet.lines):
        for j, r in enumerate(ln.repayments):
            at = f"lines[{i}].repayments[{j}]"
            try:
                row = load_loan(conn, r.loan_id, group.programme_id)
                if (row.group_id, row.member_id) != (group.id, ln.member_id):
                    raise RuleViolation(
                        "loan %(loan_id)s is not member %(member_id)s's loan in this group",
                        field="loan_id",
                        loan_id=r.loan_id,
                        member_id=ln.member_id,
                    )
                ref = f"meeting:{meeting_id}:loan:{r.loan_id}"
                repay_on(conn, row, r.amount, sheet.held_on, ref, actor, meeting_id)
            except DomainError as exc:
                exc.field = f"{at}.{exc.field or 'loan_id'}"
                raise


@dataclass(frozen=True)
class CheckedMeeting:
    """A sheet that passed every check against the books before it: what to write."""

    group: Group
    sheet: MeetingSheet
    digest: str
    entry: JournalEntry | None  # None: attendance only, nothing moves
    summary: dict[str, Any]

    def meeting_line_rows(self, meeting_id: int) -> list[dict[str, Any]]:
        return [
            {
                "programme_id": self.group.programme_id,
                "meeting_id": meeting_id,
                "member_id": ln.member_id,
                "present": ln.present,
                "compulsory_minor": ln.compulsory.minor,
                "voluntary_minor": ln.voluntary.minor,
                "social_minor": ln.social.minor,
                "fines_minor": sum(f.amount.minor for f in ln.fines),
                "withdrawal_minor": ln.withdrawal.minor,
                "social_payout_minor": ln.social_payout.minor,
            }
            for ln in self.sheet.lines
        ]

    def audit_after(self) -> dict[str, Any]:
        g, held_on = self.group.id, self.sheet.held_on.isoformat()
        return {"group_id": g, "held_on": held_on, **self.summary}


def check_meeting(
    conn: Connection,
    group: Group,
    sheet: MeetingSheet,
    members: list[int],
    books: GroupBooks,
    today: date,
) -> CheckedMeeting:
    """Every check of a sheet not posted yet, against ``books``; builds its keyed entry.
    Reads the database only for the group's internal loans, and only if it repays one."""
    if group.cycle_started_on and sheet.held_on < group.cycle_started_on:
        raise RuleViolation(
            (
                "held_on %(held_on)s is before the current savings cycle "
                "began on %(cycle_started_on)s"
            ),
            field="held_on",
            held_on=sheet.held_on,
            cycle_started_on=group.cycle_started_on,
        )
    validate_sheet(sheet, group, members, fund_position(conn, group, books, sheet), today)
    digest = sheet.content_hash()
    source = f"meeting:{group.id}:{sheet.held_on.isoformat()}"
    entry = meeting_entry(sheet, source)
    keyed = None
    if entry.postings:
        keyed = JournalEntry(
            entry.posted_on, entry.memo, entry.postings, source, None, f"{source}:{digest[:24]}"
        )
    summary = {
        k: str(v.amount) if isinstance(v, Money) else v
        for k, v in summarise(sheet, group.currency).items()
    }
    return CheckedMeeting(group, sheet, digest, keyed, summary)


def _book(
    conn: Connection,
    group: Group,
    sheet: MeetingSheet,
    members: list[int],
    actor: str,
    today: date,
    books: GroupBooks | None = None,
) -> MeetingPosted:
    """Check and write a sheet not posted yet. ``books``: the group's accounts if the
    caller holds them (a sync batch); this meeting's entry moves them."""
    if books is None:
        books = GroupBooks.read(conn, group)
    done = check_meeting(conn, group, sheet, members, books, today)
    entry_id = None
    if done.entry is not None:
        entry_id = post_entry(conn, group.programme_id, done.entry, actor, books.ids)
        books.moved(done.entry)
    meeting_id = conn.execute(
        insert(meeting)
        .values(
            programme_id=group.programme_id,
            group_id=group.id,
            held_on=sheet.held_on,
            cycle_number=group.cycle_number,
            content_hash=done.digest,
            entry_id=entry_id,
            status="posted",
            notes=sheet.notes,
            posted_at=now(),
            posted_by=actor,
        )
        .returning(meeting.c.id)
    ).scalar_one()
    if sheet.lines:
        conn.execute(insert(meeting_line), done.meeting_line_rows(int(meeting_id)))
    if any(ln.repayments for ln in sheet.lines):
        _book_repayments(conn, group, sheet, int(meeting_id), actor)
        books.fresh = False
    audit.record(
        conn, group.programme_id, actor, "post", "meeting", meeting_id, None, done.audit_after()
    )
    return MeetingPosted(int(meeting_id), entry_id, True, done.summary)


def post_meeting(
    db: Database, data: object, actor: str, today: date, programme_id: int | None = None
) -> MeetingPosted:
    """Validate and book a meeting sheet; an identical resubmission books nothing."""
    group_id = group_id_of(data)
    with db.transaction() as conn:
        return book_sheet(conn, lock_group(conn, group_id, programme_id), data, actor, today)


def book_sheet(
    conn: Connection, group: Group, data: object, actor: str, today: date
) -> MeetingPosted:
    """``post_meeting``'s work on a group the caller has locked, in its transaction."""
    sheet = parse_sheet(data, group)
    members = members_on(conn, group.id, sheet.held_on)
    check_members_exist(conn, sheet, group.programme_id, members)
    existing = _posted(conn, group.id, sheet.held_on)
    if existing is not None:
        if existing.content_hash == sheet.content_hash():
            return MeetingPosted(
                existing.id, existing.entry_id, False, summary_of(conn, existing.id)
            )
        raise refuse_changed(sheet)
    return _book(conn, group, sheet, members, actor, today)


def refuse_changed(sheet: MeetingSheet) -> Conflict:
    return Conflict(
        (
            "the meeting of %(held_on)s is already posted with other "
            "amounts; post a correction to replace it"
        ),
        field="held_on",
        held_on=sheet.held_on,
    )


def correct_meeting(
    db: Database,
    data: object,
    reason: str,
    actor: str,
    today: date,
    programme_id: int | None = None,
) -> MeetingPosted:
    """Replace the latest posted meeting: reverse its entry and the loan repayments it
    booked, then book the new sheet (with its own repayments), in one transaction."""
    with db.transaction() as conn:
        return correct_meeting_in(conn, data, reason, actor, today, programme_id)


def _to_correct(conn: Connection, group: Group, sheet: MeetingSheet) -> Any:
    """The posted meeting the sheet corrects: the group's latest, and changed."""
    old = _posted(conn, group.id, sheet.held_on)
    if old is None:
        raise NotFound(
            "no posted meeting on %(held_on)s to correct", field="held_on", held_on=sheet.held_on
        )
    latest = conn.execute(
        select(meeting.c.held_on)
        .where(meeting.c.group_id == group.id, meeting.c.status == "posted")
        .order_by(meeting.c.held_on.desc())
        .limit(1)
    ).scalar_one()
    if latest != sheet.held_on:
        raise RuleViolation(
            "only the latest meeting (%(latest)s) can be corrected", field="held_on", latest=latest
        )
    if old.content_hash == sheet.content_hash():
        raise Conflict("the correction changes nothing", field="lines")
    return old


def check_correction(conn: Connection, data: object, today: date) -> None:
    """Refuse a correction that could not run: a sheet in the future, no posted meeting
    of its date, not the latest, or nothing changed. Run when it is submitted for a
    checker; approval runs every check again (the books may have moved)."""
    group = load_group(conn, group_id_of(data))
    sheet = parse_sheet(data, group)
    if sheet.held_on > today:
        raise RuleViolation(
            "held_on %(held_on)s is in the future", field="held_on", held_on=sheet.held_on
        )
    members = members_on(conn, group.id, sheet.held_on)
    check_members_exist(conn, sheet, group.programme_id, members)
    _to_correct(conn, group, sheet)


def correct_meeting_in(
    conn: Connection,
    data: object,
    reason: str,
    actor: str,
    today: date,
    programme_id: int | None = None,
) -> MeetingPosted:
    """:func:`correct_meeting` inside the caller's transaction (an approved pending action)."""
    if not reason.strip():
        raise DomainError("a correction needs a reason", field="reason")
    group_id = group_id_of(data)
    group = lock_group(conn, group_id, programme_id)
    sheet = parse_sheet(data, group)
    members = members_on(conn, group.id, sheet.held_on)
    check_members_exist(conn, sheet, group.programme_id, members)
    old = _to_correct(conn, group, sheet)
    reverse_meeting_repayments(conn, old.id, sheet.held_on, reason, actor)
    if old.entry_id is not None:
        reverse_entry(conn, group.programme_id, old.entry_id, sheet.held_on, reason, actor)
    conn.execute(update(meeting).where(meeting.c.id == old.id).values(status="superseded"))
    audit.record(
        conn,
        group.programme_id,
        actor,
        "supersede",
        "meeting",
        old.id,
        {"status": "posted"},
        {"status": "superseded", "reason": reason},
    )
    return _book(conn, group, sheet, members, actor, today)


def summary_of(conn: Connection, meeting_id: int) -> dict[str, Any]:
    rows = conn.execute(select(meeting_line).where(meeting_line.c.meeting_id == meeting_id)).all()
    cur = conn.execute(
        select(savings_group.c.currency)
        .join(meeting, meeting.c.group_id == savings_group.c.id)
        .where(meeting.c.id == meeting_id)
    ).scalar_one()

    def tot(col: str) -> str:
        return str(Money.from_minor(sum(getattr(r, col) for r in rows), cur).amount)

    return {
        "present": sum(1 for r in rows if r.present),
        "compulsory": tot("compulsory_minor"),
        "voluntary": tot("voluntary_minor"),
        "social": tot("social_minor"),
        "fines": tot("fines_minor"),
        "withdrawals": tot("withdrawal_minor"),
        "social_payouts": tot("social_payout_minor"),
    }
