"""The bulk path of ``kuza synth``: a batch of groups booked in one transaction.

The sheets go through the same domain functions as ``post_meeting`` (parse_sheet,
validate_sheet against the fund position, meeting_entry, the same idempotency key), so a
later service post of the same sheet is recognised as already booked. Only the writing
differs: rows are appended set-based and the running balances move once, at the end,
by one ``UPDATE … FROM`` over the sums of the new lines.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, insert, text

from kuza.adapters.db.bulk import (
    AUDIT_COLS,
    ENTRY_COLS,
    LINE_COLS,
    MEETING_COLS,
    MLINE_COLS,
    hold,
    reserve_ids,
    write_rows,
)
from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    audit_log,
    group_status_event,
    journal_entry,
    journal_line,
    meeting,
    meeting_line,
    member,
    membership,
    officer_term,
    savings_group,
)
from kuza.domain.groups import Group, GroupStatus, ShareOutRule
from kuza.domain.ledger import AccountCode, AccountKey, JournalEntry
from kuza.domain.meetings import FundPosition, meeting_entry, parse_sheet, summarise, validate_sheet
from kuza.domain.money import Money
from kuza.services.ledger import account_ids, now
from kuza.services.synth import (
    ACTOR,
    OFFICERS,
    GroupPlan,
    SynthResult,
    SynthSpec,
    group_sheets,
)

CURRENCY = "KES"


@dataclass
class _Booked:
    group_id: int
    held_on: date
    digest: str
    entry: JournalEntry | None
    lines: list[tuple[int, bool, int, int, int, int, int, int]]
    summary: dict[str, Any]


def _insert_ids(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> list[int]:
    result = conn.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
    return [int(i) for i in result.scalars()]


def _groups_and_members(
    conn: Connection,
    pid: int,
    plans: Sequence[GroupPlan],
    branches: list[int],
    agents: list[int],
    audit: list[tuple[Any, ...]],
    at: Any,
) -> tuple[list[int], list[list[int]]]:
    gids = _insert_ids(
        conn,
        savings_group,
        [
            {
                "programme_id": pid,
                "branch_id": branches[p.branch],
                "agent_id": agents[p.agent],
                "name": p.name,
                "village": p.village,
                "formed_on": p.formed_on,
                "status": GroupStatus.ACTIVE.value,
                "frequency": p.frequency.value,
                "first_meeting_on": p.formed_on,
                "currency": CURRENCY,
                "compulsory_saving_minor": Money.of(p.compulsory, CURRENCY).minor,
                "share_out_rule": ShareOutRule.PRO_RATA.value,
                "share_value_minor": None,
                "cycle_number": 1,
                "cycle_started_on": p.formed_on,
            }
            for p in plans
        ],
    )
    people = [(gid, p, m) for gid, p in zip(gids, plans, strict=True) for m in p.members]
    mids = _insert_ids(
        conn,
        member,
        [
            {
                "programme_id": pid,
                "branch_id": branches[p.branch],
                "name": m.name,
                "sex": m.sex.value,
                "birth_year": m.birth_year,
                "household_size": m.household_size,
                "literate": m.literate,
                "phone": m.phone,
                "consent_on": p.formed_on,
            }
            for _, p, m in people
        ],
    )
    write_rows(
        conn,
        membership,
        ("programme_id", "group_id", "member_id", "joined_on"),
        [(pid, gid, mid, p.formed_on) for (gid, p, _), mid in zip(people, mids, strict=True)],
    )
    per_group: list[list[int]] = []
    at_member = 0
    for p in plans:
        per_group.append(mids[at_member : at_member + len(p.members)])
        at_member += len(p.members)
    write_rows(
        conn,
        group_status_event,
        ("programme_id", "group_id", "status", "on_date", "note"),
        [
            (pid, gid, status, p.formed_on, note)
            for gid, p in zip(gids, plans, strict=True)
            for status, note in (("forming", "formed"), ("active", "synth"))
        ],
    )
    write_rows(
        conn,
        officer_term,
        ("programme_id", "group_id", "member_id", "role", "started_on"),
        [
            (pid, gid, mid, role.value, p.formed_on)
            for gid, p, ms in zip(gids, plans, per_group, strict=True)
            for role, mid in zip(OFFICERS, ms, strict=False)
        ],
    )
    for gid, p in zip(gids, plans, strict=True):
        audit.append((pid, at, ACTOR, "create", "group", str(gid), {"name": p.name}))
    for (gid, _, m), mid in zip(people, mids, strict=True):
        audit.append(
            (pid, at, ACTOR, "enrol", "member", str(mid), {"group_id": gid, "name": m.name})
        )
    return gids, per_group


def _book_sheets(
    spec: SynthSpec, pid: int, plan: GroupPlan, gid: int, mids: list[int]
) -> list[_Booked]:
    group = Group(
        gid,
        pid,
        plan.name,
        CURRENCY,
        plan.formed_on,
        GroupStatus.ACTIVE,
        plan.frequency,
        plan.formed_on,
        Money.of(plan.compulsory, CURRENCY),
        cycle_started_on=plan.formed_on,
    )
    signed: dict[AccountKey, int] = defaultdict(int)
    cash_key = AccountKey(AccountCode.GROUP_CASH, gid)
    social_key = AccountKey(AccountCode.SOCIAL_FUND, gid)
    booked = []
    for data in group_sheets(spec, plan, gid, mids):
        sheet = parse_sheet(data, group)
        position = FundPosition(
            cash=Money.from_minor(signed[cash_key], CURRENCY),
            social_fund=Money.from_minor(-signed[social_key], CURRENCY),
            voluntary={
                k.member_id: Money.from_minor(-v, CURRENCY)
                for k, v in signed.items()
                if k.code is AccountCode.VOLUNTARY_SAVINGS and k.member_id is not None
            },
        )
        validate_sheet(sheet, group, mids, position, spec.end)
        digest = sheet.content_hash()
        source = f"meeting:{gid}:{sheet.held_on.isoformat()}"
        entry = meeting_entry(sheet, source)
        for p in entry.postings:
            signed[p.account] += p.amount.minor
        summary = {
            k: str(v.amount) if isinstance(v, Money) else v
            for k, v in summarise(sheet, CURRENCY).items()
        }
        lines = [
            (
                ln.member_id,
                ln.present,
                ln.compulsory.minor,
                ln.voluntary.minor,
                ln.social.minor,
                sum(f.amount.minor for f in ln.fines),
                ln.withdrawal.minor,
                ln.social_payout.minor,
            )
            for ln in sheet.lines
        ]
        keyed = (
            JournalEntry(
                entry.posted_on, entry.memo, entry.postings, source, None, f"{source}:{digest[:24]}"
            )
            if entry.postings
            else None
        )
        booked.append(_Booked(gid, sheet.held_on, digest, keyed, lines, summary))
    return booked


def book_groups(
    db: Database,
    spec: SynthSpec,
    pid: int,
    plans: Sequence[GroupPlan],
    branches: list[int],
    agents: list[int],
) -> SynthResult:
    """Create ``plans``' groups with their members and book all their meetings."""
    at = now()
    audit: list[tuple[Any, ...]] = []
    with db.transaction() as conn:
        hold(conn, journal_entry, meeting)
        gids, members_of = _groups_and_members(conn, pid, plans, branches, agents, audit, at)
        booked: list[_Booked] = []
        for plan, gid, mids in zip(plans, gids, members_of, strict=True):
            booked.extend(_book_sheets(spec, pid, plan, gid, mids))
            audit.append(
                (pid, at, ACTOR, "status", "group", str(gid), {"status": GroupStatus.ACTIVE.value})
            )
            for role, mid in zip(OFFICERS, mids, strict=False):
                audit.append(
                    (
                        pid,
                        at,
                        ACTOR,
                        "elect",
                        "officer_term",
                        str(gid),
                        {"member_id": mid, "role": role.value},
                    )
                )
        entries = [b.entry for b in booked if b.entry is not None]
        ids = account_ids(
            conn, pid, ((p.account, p.amount.currency) for e in entries for p in e.postings)
        )
        first_entry = reserve_ids(conn, journal_entry, len(entries)) if entries else 0
        first_meeting = reserve_ids(conn, meeting, len(booked))
        entry_rows: list[tuple[Any, ...]] = []
        line_rows: list[tuple[Any, ...]] = []
        meeting_rows: list[tuple[Any, ...]] = []
        mline_rows: list[tuple[Any, ...]] = []
        next_entry = first_entry
        for n, b in enumerate(booked):
            meeting_id = first_meeting + n
            entry_id = None
            if b.entry is not None:
                entry_id = next_entry
                next_entry += 1
                e = b.entry
                entry_rows.append((entry_id, pid, e.posted_on, e.memo, e.source, e.key, at, ACTOR))
                line_rows.extend(
                    (pid, entry_id, ids[p.account], p.amount.minor, p.amount.currency, p.memo)
                    for p in e.postings
                )
            meeting_rows.append(
                (
                    meeting_id,
                    pid,
                    b.group_id,
                    b.held_on,
                    1,
                    b.digest,
                    entry_id,
                    "posted",
                    "",
                    at,
                    ACTOR,
                )
            )
            mline_rows.extend((pid, meeting_id, *ln) for ln in b.lines)
            after = {"group_id": b.group_id, "held_on": b.held_on.isoformat(), **b.summary}
            audit.append((pid, at, ACTOR, "post", "meeting", str(meeting_id), after))
        write_rows(conn, journal_entry, ENTRY_COLS, entry_rows)
        write_rows(conn, journal_line, LINE_COLS, line_rows)
        write_rows(conn, meeting, MEETING_COLS, meeting_rows)
        write_rows(conn, meeting_line, MLINE_COLS, mline_rows)
        write_rows(conn, audit_log, AUDIT_COLS, audit)
        if entries:
            move_balances(conn, first_entry, next_entry - 1)
    return SynthResult(
        pid,
        groups=len(plans),
        members=sum(len(p.members) for p in plans),
        meetings=len(booked),
        entries=len(entries),
        lines=len(line_rows),
    )


def create_groups(
    db: Database,
    pid: int,
    plans: Sequence[GroupPlan],
    branches: list[int],
    agents: list[int],
) -> list[tuple[int, list[int]]]:
    """Only the groups and their members, set-based, no meetings: (group id, member ids)."""
    audit: list[tuple[Any, ...]] = []
    with db.transaction() as conn:
        gids, members_of = _groups_and_members(conn, pid, plans, branches, agents, audit, now())
        write_rows(conn, audit_log, AUDIT_COLS, audit)
    return list(zip(gids, members_of, strict=True))


def move_balances(conn: Connection, first_entry: int, last_entry: int) -> None:
    """Add the lines of entries ``first_entry..last_entry`` to their accounts' balances."""
    conn.execute(
        text(
            "UPDATE ledger_account SET balance_minor = ledger_account.balance_minor + s.total "
            "FROM (SELECT account_id, SUM(amount_minor) AS total FROM journal_line "
            "WHERE entry_id BETWEEN :lo AND :hi GROUP BY account_id) AS s "
            "WHERE ledger_account.id = s.account_id"
        ),
        {"lo": first_entry, "hi": last_entry},
    )
