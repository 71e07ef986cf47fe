"""A phone's sync batch: many meeting sheets booked in one transaction.

An offline phone delivers every meeting recorded since its last sync at once. Each sheet
is checked exactly as ``post_meeting`` checks it (same domain functions, same entry, same
idempotency key, so a replayed batch, or a sheet already posted one by one, books
nothing twice), but the batch shares one transaction: the groups are locked and read
once (group, members, posted meetings, accounts: one query each for the whole batch),
each sheet is checked against the books as the earlier sheets of the batch left them,
and the accepted sheets are written set-based (COPY on PostgreSQL) with one move of the
running balances and one commit (docs/scale.md: the round trips and the commit were the
cost of one transaction per meeting).

A refused sheet rejects only itself: it is checked before anything of it is written, so
the others are kept, and the result says, sheet by sheet in order, what was booked or
why not (the error ``post_meeting`` would give). A sheet with loan repayments goes
through ``post_meeting``'s own path under a savepoint (a repayment can be refused after
its meeting is written). A database failure rejects the whole batch: nothing is booked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from kuza.adapters.db.bulk import (
    AUDIT_COLS,
    ENTRY_COLS,
    LINE_COLS,
    MEETING_COLS,
    MLINE_COLS,
    draw_ids,
    write_rows,
)
from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    audit_log,
    journal_entry,
    journal_line,
    ledger_account,
    meeting,
    meeting_line,
    membership,
    savings_group,
)
from kuza.domain.errors import Conflict, DomainError, NotFound
from kuza.domain.groups import Group, Membership
from kuza.domain.ledger import AccountCode, AccountKey
from kuza.domain.meetings import parse_sheet
from kuza.services.groups import to_group
from kuza.services.ledger import account_ids, move_balances, now
from kuza.services.meetings import (
    CheckedMeeting,
    GroupBooks,
    MeetingPosted,
    book_sheet,
    check_meeting,
    check_members_exist,
    group_id_of,
    refuse_changed,
    summary_of,
)

MAX_BATCH = 100  # meetings per sync batch: a month offline for a 20-group agent


@dataclass(frozen=True)
class MeetingRefused:
    """A sheet of the batch that was not booked, and why."""

    index: int
    error: DomainError


BatchResult = MeetingPosted | MeetingRefused


@dataclass
class _Group:
    group: Group
    memberships: list[Membership]
    books: GroupBooks | None  # None: read again (a loan repayment moved it)


@dataclass
class _Pending:
    index: int
    checked: CheckedMeeting
    booked: MeetingPosted | None = None


@dataclass(frozen=True)
class _Posted:
    meeting_id: int
    entry_id: int | None
    content_hash: str


def post_meetings(
    db: Database,
    batch: Sequence[object],
    actor: str,
    today: date,
    programme_id: int | None = None,
) -> list[BatchResult]:
    """Book a sync batch in one transaction; one result per sheet, in order."""
    if len(batch) > MAX_BATCH:
        raise DomainError(
            "a sync batch holds at most %(max_batch)s meetings",
            field="meetings",
            max_batch=MAX_BATCH,
        )
    with db.transaction() as conn:
        run = _Batch(conn, actor, today)
        run.load(batch, programme_id)
        outcome = [run.post(i, data) for i, data in enumerate(batch)]
        run.flush()
    results: list[BatchResult] = []
    for item in outcome:
        if isinstance(item, _Pending):
            assert item.booked is not None  # flushed above
            results.append(item.booked)
        else:
            results.append(item)
    return results


def _day(raw: object) -> date | None:
    try:
        return date.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


class _Batch:
    """The batch's view of its locked groups, and the sheets accepted but not written."""

    def __init__(self, conn: Connection, actor: str, today: date) -> None:
        self.conn = conn
        self.actor = actor
        self.today = today
        self.groups: dict[int, _Group] = {}
        self.posted: dict[tuple[int, date], _Posted | _Pending] = {}
        self.keys: set[str] = set()
        self.pending: list[_Pending] = []

    def load(self, batch: Sequence[object], programme_id: int | None) -> None:
        """Lock the batch's groups in id order (two batches sharing groups queue instead
        of deadlocking) and read what checking their sheets needs, one query each."""
        wanted: set[int] = set()
        days: set[date] = set()
        sources: set[str] = set()
        for data in batch:
            if isinstance(data, Mapping):
                gid, day = data.get("group_id"), _day(data.get("held_on"))
                if isinstance(gid, int) and not isinstance(gid, bool):
                    wanted.add(gid)
                    if day is not None:
                        sources.add(f"meeting:{gid}:{day.isoformat()}")
                if day is not None:
                    days.add(day)
        if not wanted:
            return
        conn = self.conn
        query = select(savings_group).where(savings_group.c.id.in_(wanted))
        if programme_id is not None:
            query = query.where(savings_group.c.programme_id == programme_id)
        query = query.order_by(savings_group.c.id)
        if conn.dialect.name == "postgresql":
            query = query.with_for_update()
        for row in conn.execute(query).all():
            self.groups[row.id] = _Group(to_group(row), [], GroupBooks({}, {}))
        gids = list(self.groups)
        if not gids:
            return
        for r in conn.execute(
            select(
                membership.c.group_id,
                membership.c.member_id,
                membership.c.joined_on,
                membership.c.left_on,
            )
            .where(membership.c.group_id.in_(gids))
            .order_by(membership.c.id)
        ).all():
            self.groups[r.group_id].memberships.append(
                Membership(r.member_id, r.joined_on, r.left_on)
            )
        for a in conn.execute(
            select(
                ledger_account.c.id,
                ledger_account.c.code,
                ledger_account.c.group_id,
                ledger_account.c.member_id,
                ledger_account.c.balance_minor,
            ).where(ledger_account.c.group_id.in_(gids))
        ).all():
            books = self.groups[a.group_id].books
            assert books is not None
            key = AccountKey(AccountCode(a.code), a.group_id, a.member_id)
            books.ids[key] = a.id
            books.balances[key] = a.balance_minor
        if not days:
            return
        for m in conn.execute(
            select(meeting.c.id, meeting.c.group_id, meeting.c.held_on)
            .add_columns(meeting.c.entry_id, meeting.c.content_hash)
            .where(
                meeting.c.group_id.in_(gids),
                meeting.c.held_on.in_(days),
                meeting.c.status == "posted",
            )
        ).all():
            self.posted[(m.group_id, m.held_on)] = _Posted(m.id, m.entry_id, m.content_hash)
        self.keys.update(
            k
            for k in conn.execute(
                select(journal_entry.c.idempotency_key).where(journal_entry.c.source.in_(sources))
            ).scalars()
            if k is not None
        )

    def post(self, index: int, data: object) -> BatchResult | _Pending:
        try:
            gid = group_id_of(data)
            state = self.groups.get(gid)
            if state is None:
                raise NotFound("no group %(gid)s", field="group_id", gid=gid)
            group = state.group
            sheet = parse_sheet(data, group)
            members = [m.member_id for m in state.memberships if m.active_on(sheet.held_on)]
            check_members_exist(self.conn, sheet, group.programme_id, members)
            existing = self.posted.get((gid, sheet.held_on))
            if existing is not None:
                if isinstance(existing, _Pending):
                    self.flush()  # a sheet sent twice in one batch: read the first back
                    assert existing.booked is not None
                    existing = _Posted(
                        existing.booked.meeting_id,
                        existing.booked.entry_id,
                        existing.checked.digest,
                    )
                if existing.content_hash != sheet.content_hash():
                    raise refuse_changed(sheet)
                summary = summary_of(self.conn, existing.meeting_id)
                return MeetingPosted(existing.meeting_id, existing.entry_id, False, summary)
            if any(ln.repayments for ln in sheet.lines):
                return self._post_with_repayments(index, state, data)
            if state.books is None:
                state.books = GroupBooks.read(self.conn, group)
            checked = check_meeting(self.conn, group, sheet, members, state.books, self.today)
            key = checked.entry.key if checked.entry is not None else None
            if key is not None and key in self.keys:
                raise Conflict(
                    "entry with key %(key)s is already posted", field="key", key=repr(key)
                )
        except DomainError as exc:
            return MeetingRefused(index, exc)
        if checked.entry is not None:
            state.books.moved(checked.entry)
        if key is not None:
            self.keys.add(key)
        pending = _Pending(index, checked)
        self.pending.append(pending)
        self.posted[(gid, sheet.held_on)] = pending
        return pending

    def _post_with_repayments(self, index: int, state: _Group, data: object) -> BatchResult:
        """``post_meeting``'s own path, under a savepoint: a refused repayment undoes its
        meeting only. The sheets before it are written first (it reads the books)."""
        self.flush()
        group = state.group
        try:
            with self.conn.begin_nested():
                done = book_sheet(self.conn, group, data, self.actor, self.today)
        except DomainError as exc:
            return MeetingRefused(index, exc)
        finally:
            state.books = None  # the repayments moved accounts this batch does not track
        sheet = parse_sheet(data, group)
        self.posted[(group.id, sheet.held_on)] = _Posted(
            done.meeting_id, done.entry_id, sheet.content_hash()
        )
        return done

    def flush(self) -> None:
        """Write the accepted sheets: ids drawn up front, rows appended set-based, the
        running balances moved once (accounts locked in id order)."""
        pending, self.pending = self.pending, []
        if not pending:
            return
        conn, at = self.conn, now()
        self._create_accounts(pending)
        entries = iter(draw_ids(conn, journal_entry, sum(1 for p in pending if p.checked.entry)))
        meeting_ids = draw_ids(conn, meeting, len(pending))
        entry_rows: list[tuple[Any, ...]] = []
        line_rows: list[tuple[Any, ...]] = []
        meeting_rows: list[tuple[Any, ...]] = []
        mline_rows: list[tuple[Any, ...]] = []
        audit_rows: list[tuple[Any, ...]] = []
        moves: dict[int, int] = defaultdict(int)
        for p, meeting_id in zip(pending, meeting_ids, strict=True):
            c, group = p.checked, p.checked.group
            pid = group.programme_id
            entry_id = None
            if c.entry is not None:
                entry_id = next(entries)
                e = c.entry
                entry_rows.append(
                    (entry_id, pid, e.posted_on, e.memo, e.source, e.key, at, self.actor)
                )
                books = self.groups[group.id].books
                assert books is not None
                for posting in e.postings:
                    account = books.ids[posting.account]
                    amount = posting.amount
                    line_rows.append(
                        (pid, entry_id, account, amount.minor, amount.currency, posting.memo)
                    )
                    moves[account] += amount.minor
            sheet = c.sheet
            meeting_rows.append(
                (meeting_id, pid, group.id, sheet.held_on, group.cycle_number, c.digest)
            )
            meeting_rows[-1] += (entry_id, "posted", sheet.notes, at, self.actor)
            mline_rows.extend(
                tuple(r[col] for col in MLINE_COLS) for r in c.meeting_line_rows(meeting_id)
            )
            audit_rows.append(
                (pid, at, self.actor, "post", "meeting", str(meeting_id), c.audit_after())
            )
            p.booked = MeetingPosted(meeting_id, entry_id, True, c.summary)
        write_rows(conn, journal_entry, ENTRY_COLS, entry_rows)
        write_rows(conn, journal_line, LINE_COLS, line_rows)
        write_rows(conn, meeting, MEETING_COLS, meeting_rows)
        write_rows(conn, meeting_line, MLINE_COLS, mline_rows)
        write_rows(conn, audit_log, AUDIT_COLS, audit_rows)
        move_balances(conn, moves)

    def _create_accounts(self, pending: list[_Pending]) -> None:
        """The accounts the sheets move for the first time (a new member's savings),
        created in one statement per programme; their ids join the group's books."""
        missing: dict[int, dict[AccountKey, str]] = defaultdict(dict)
        for p in pending:
            books = self.groups[p.checked.group.id].books
            if p.checked.entry is None or books is None:
                continue
            for posting in p.checked.entry.postings:
                if posting.account not in books.ids:
                    missing[p.checked.group.programme_id][posting.account] = posting.amount.currency
        for pid, keys in missing.items():
            made: dict[AccountKey, int] = {}
            account_ids(self.conn, pid, keys.items(), made)
            for key, account in made.items():
                assert key.group_id is not None
                books = self.groups[key.group_id].books
                assert books is not None
                books.ids[key] = account
