"""Use cases of a self-help group: form it, enrol and release members, elect officers,
move a meeting, change its status; and load it back as domain objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, insert, select, update

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    branch,
    field_agent,
    group_status_event,
    loan,
    loan_instalment,
    loan_performance,
    meeting_move,
    member,
    membership,
    officer_term,
    savings_group,
)
from kuza.domain.calendar import Frequency, MeetingCalendar
from kuza.domain.errors import DomainError, NotFound, RuleViolation
from kuza.domain.groups import (
    Group,
    GroupStatus,
    Member,
    Membership,
    OfficerRole,
    OfficerTerm,
    Sex,
    ShareOutRule,
    check_officer_election,
    next_status,
)
from kuza.domain.ledger import AccountCode, AccountKey, EntryBuilder, normal_balance
from kuza.domain.loans.lifecycle import LoanStatus
from kuza.domain.money import Money
from kuza.services import audit
from kuza.services.ledger import balances_of, post_entry
from kuza.services.programmes import programme_row


@dataclass(frozen=True)
class NewGroup:
    branch_id: int
    name: str
    formed_on: date
    frequency: Frequency
    first_meeting_on: date
    compulsory_saving: str
    agent_id: int | None = None
    village: str = ""
    share_out_rule: ShareOutRule = ShareOutRule.PRO_RATA
    share_value: str | None = None


# Beyond this a typed amount is a slip, and it would overflow the minor-unit columns.
MAX_MINOR = 10**15
NAME_LENGTH = 200  # the name and village columns
PHONE_LENGTH = 40


def create_group(db: Database, programme_id: int, new: NewGroup, actor: str = "system") -> int:
    with db.transaction() as conn:
        return insert_group(conn, programme_id, new, actor)


def _rule_amount(raw: str, currency: str, field: str) -> Money:
    amount = Money.of(raw, currency, field)
    if amount.minor > MAX_MINOR:
        raise DomainError("%(field_name)s is too large", field=field, field_name=field)
    return amount


def _check_group_names(new: NewGroup) -> None:
    if not new.name.strip():
        raise DomainError("the group needs a name", field="name")
    if len(new.name.strip()) > NAME_LENGTH:
        raise DomainError("the name is longer than 200 characters", field="name")
    if len(new.village.strip()) > NAME_LENGTH:
        raise DomainError("the village is longer than 200 characters", field="village")


def insert_group(conn: Connection, programme_id: int, new: NewGroup, actor: str) -> int:
    """Form the group (status ``forming``) inside the caller's transaction. Its field
    agent, when named, works in its branch."""
    _check_group_names(new)
    prog = programme_row(conn, programme_id)
    b = conn.execute(
        select(branch.c.id).where(
            branch.c.id == new.branch_id, branch.c.programme_id == programme_id
        )
    ).first()
    if b is None:
        raise NotFound(
            "no branch %(branch_id)s in this programme",
            field="branch_id",
            branch_id=new.branch_id,
        )
    if new.agent_id is not None:
        a = conn.execute(
            select(field_agent.c.branch_id).where(field_agent.c.id == new.agent_id)
        ).first()
        if a is None or a.branch_id != new.branch_id:
            raise RuleViolation(
                "field agent %(agent_id)s does not work in branch %(branch_id)s",
                field="agent_id",
                agent_id=new.agent_id,
                branch_id=new.branch_id,
            )
    saving = _rule_amount(new.compulsory_saving, prog.currency, "compulsory_saving")
    if saving.is_negative():
        raise DomainError("compulsory_saving must not be negative", field="compulsory_saving")
    share_value = None
    if new.share_out_rule is ShareOutRule.SHARES:
        if new.share_value is None:
            raise DomainError("a shares rule needs share_value", field="share_value")
        share_value = _rule_amount(new.share_value, prog.currency, "share_value")
        if share_value.amount <= 0:
            raise DomainError("share_value must be positive", field="share_value")
    if new.first_meeting_on < new.formed_on:
        raise RuleViolation("first meeting is before the group formed", "first_meeting_on")
    gid = conn.execute(
        insert(savings_group)
        .values(
            programme_id=programme_id,
            branch_id=new.branch_id,
            agent_id=new.agent_id,
            name=new.name.strip(),
            village=new.village.strip(),
            formed_on=new.formed_on,
            status=GroupStatus.FORMING.value,
            frequency=new.frequency.value,
            first_meeting_on=new.first_meeting_on,
            currency=prog.currency,
            compulsory_saving_minor=saving.minor,
            share_out_rule=new.share_out_rule.value,
            share_value_minor=share_value.minor if share_value else None,
            cycle_number=1,
            cycle_started_on=new.formed_on,
        )
        .returning(savings_group.c.id)
    ).scalar_one()
    conn.execute(
        insert(group_status_event).values(
            programme_id=programme_id,
            group_id=gid,
            status=GroupStatus.FORMING.value,
            on_date=new.formed_on,
            note="formed",
        )
    )
    audit.record(conn, programme_id, actor, "create", "group", gid, None, {"name": new.name})
    return int(gid)


def group_row(conn: Connection, group_id: int, programme_id: int | None = None) -> Any:
    query = select(savings_group).where(savings_group.c.id == group_id)
    if programme_id is not None:
        query = query.where(savings_group.c.programme_id == programme_id)
    row = conn.execute(query).first()
    if row is None:
        raise NotFound("no group %(group_id)s", field="group_id", group_id=group_id)
    return row


def to_group(row: Any) -> Group:
    cur = row.currency
    return Group(
        id=row.id,
        programme_id=row.programme_id,
        name=row.name,
        currency=cur,
        formed_on=row.formed_on,
        status=GroupStatus(row.status),
        frequency=Frequency(row.frequency),
        first_meeting_on=row.first_meeting_on,
        compulsory_saving=Money.from_minor(row.compulsory_saving_minor, cur),
        share_out_rule=ShareOutRule(row.share_out_rule),
        share_value=(
            Money.from_minor(row.share_value_minor, cur) if row.share_value_minor else None
        ),
        cycle_number=row.cycle_number,
        cycle_started_on=row.cycle_started_on,
    )


def load_group(conn: Connection, group_id: int, programme_id: int | None = None) -> Group:
    return to_group(group_row(conn, group_id, programme_id))


def lock_group(conn: Connection, group_id: int, programme_id: int | None = None) -> Group:
    """Load the group, holding its row until the transaction ends, so that two writers of
    one group's books queue up (PostgreSQL row lock; SQLite already holds its write lock
    from BEGIN IMMEDIATE)."""
    query = select(savings_group).where(savings_group.c.id == group_id)
    if programme_id is not None:
        query = query.where(savings_group.c.programme_id == programme_id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise NotFound("no group %(group_id)s", field="group_id", group_id=group_id)
    return to_group(row)


def load_calendar(conn: Connection, group: Group) -> MeetingCalendar:
    moves = {
        r.nominal_on: r.moved_to
        for r in conn.execute(
            select(meeting_move.c.nominal_on, meeting_move.c.moved_to).where(
                meeting_move.c.group_id == group.id
            )
        )
    }
    return MeetingCalendar(group.first_meeting_on, group.frequency, moves)


def memberships(conn: Connection, group_id: int) -> list[Membership]:
    rows = conn.execute(
        select(membership.c.member_id, membership.c.joined_on, membership.c.left_on)
        .where(membership.c.group_id == group_id)
        .order_by(membership.c.id)
    )
    return [Membership(r.member_id, r.joined_on, r.left_on) for r in rows]


def members_on(conn: Connection, group_id: int, day: date) -> list[int]:
    return [m.member_id for m in memberships(conn, group_id) if m.active_on(day)]


@dataclass(frozen=True)
class NewMember:
    name: str
    sex: Sex
    household_size: int
    literate: bool
    birth_year: int | None = None
    phone: str | None = None
    consent_on: date | None = None


def enrol_member(
    db: Database, group_id: int, new: NewMember, joined_on: date, actor: str = "system"
) -> int:
    """Register a person and make her a member of the group from ``joined_on``."""
    if new.household_size < 1:
        raise DomainError("household_size must be at least 1", field="household_size")
    if not new.name.strip():
        raise DomainError("name is required", field="name")
    if len(new.name.strip()) > NAME_LENGTH:
        raise DomainError("the name is longer than 200 characters", field="name")
    if new.phone is not None and len(new.phone) > PHONE_LENGTH:
        raise DomainError("the phone number is longer than 40 characters", field="phone")
    if new.birth_year is not None and not 1900 <= new.birth_year <= joined_on.year:
        raise DomainError(
            "birth_year %(year)s is not a year from 1900 to %(last)s",
            field="birth_year",
            year=new.birth_year,
            last=joined_on.year,
        )
    with db.transaction() as conn:
        g = group_row(conn, group_id)
        if g.status in (GroupStatus.CLOSED.value, GroupStatus.GRADUATED.value):
            raise RuleViolation(
                "group %(g_name)s is %(status)s", field="group_id", g_name=g.name, status=g.status
            )
        if joined_on < g.formed_on:
            raise RuleViolation("joined_on is before the group formed", field="joined_on")
        mid = conn.execute(
            insert(member)
            .values(
                programme_id=g.programme_id,
                branch_id=g.branch_id,
                name=new.name.strip(),
                sex=new.sex.value,
                birth_year=new.birth_year,
                household_size=new.household_size,
                literate=new.literate,
                phone=new.phone,
                consent_on=new.consent_on,
            )
            .returning(member.c.id)
        ).scalar_one()
        conn.execute(
            insert(membership).values(
                programme_id=g.programme_id, group_id=group_id, member_id=mid, joined_on=joined_on
            )
        )
        audit.record(
            conn,
            g.programme_id,
            actor,
            "enrol",
            "member",
            mid,
            None,
            {"group_id": group_id, "name": new.name},
        )
        return int(mid)


# A member who leaves takes her savings; a loan still applied for, approved or being
# repaid must be settled (or withdrawn) first.
OPEN_LOANS = (
    LoanStatus.APPLIED,
    LoanStatus.APPROVED,
    LoanStatus.DISBURSED,
    LoanStatus.RESCHEDULED,
)


def leave_group(
    db: Database,
    group_id: int,
    member_id: int,
    left_on: date,
    reason: str,
    actor: str = "system",
) -> Money:
    """A member leaves: her compulsory and voluntary savings are paid back from the fund."""
    with db.transaction() as conn:
        group = lock_group(conn, group_id)
        row = conn.execute(
            select(membership).where(
                membership.c.group_id == group_id,
                membership.c.member_id == member_id,
                membership.c.left_on.is_(None),
            )
        ).first()
        if row is None:
            raise NotFound(
                "member %(member_id)s is not in group %(group_id)s",
                field="member_id",
                member_id=member_id,
                group_id=group_id,
            )
        if left_on < row.joined_on:
            raise RuleViolation(
                "she joined on %(joined_on)s: she cannot leave before",
                field="left_on",
                joined_on=row.joined_on,
            )
        owing = conn.execute(
            select(loan.c.id).where(
                loan.c.group_id == group_id,
                loan.c.member_id == member_id,
                loan.c.status.in_([s.value for s in OPEN_LOANS]),
            )
        ).first()
        if owing is not None:
            raise RuleViolation(
                "member %(member_id)s has loan %(loan_id)s open: settle or withdraw it first",
                field="member_id",
                member_id=member_id,
                loan_id=owing.id,
            )
        cash_key = AccountKey(AccountCode.GROUP_CASH, group_id)
        saving_keys = [
            AccountKey(AccountCode.MEMBER_SAVINGS, group_id, member_id),
            AccountKey(AccountCode.VOLUNTARY_SAVINGS, group_id, member_id),
        ]
        bal = balances_of(conn, group.programme_id, [cash_key, *saving_keys], group.currency)
        book = EntryBuilder(left_on, f"Member {member_id} leaves: {reason}", f"leave:{row.id}")
        payout = Money.zero(group.currency)
        for key in saving_keys:
            owed = normal_balance(key.code, bal[key])
            book.move(key, cash_key, owed, "savings paid back on leaving")
            payout = payout + owed
        if payout > bal[cash_key]:
            raise RuleViolation(
                "the fund holds %(value)s, less than the %(payout)s owed; collect loans first",
                field="member_id",
                value=bal[cash_key],
                payout=payout,
            )
        entry_id = (
            post_entry(conn, group.programme_id, book.build(), actor) if book.postings else None
        )
        conn.execute(
            update(membership)
            .where(membership.c.id == row.id)
            .values(left_on=left_on, leave_reason=reason, payout_entry_id=entry_id)
        )
        conn.execute(
            update(officer_term)
            .where(
                officer_term.c.group_id == group_id,
                officer_term.c.member_id == member_id,
                officer_term.c.ended_on.is_(None),
            )
            .values(ended_on=left_on)
        )
        audit.record(
            conn,
            group.programme_id,
            actor,
            "leave",
            "membership",
            row.id,
            {"left_on": None},
            {"left_on": left_on.isoformat(), "payout": str(payout.amount)},
        )
        return payout


def officer_terms(conn: Connection, group_id: int) -> list[OfficerTerm]:
    rows = conn.execute(
        select(officer_term).where(officer_term.c.group_id == group_id).order_by(officer_term.c.id)
    )
    return [OfficerTerm(r.member_id, OfficerRole(r.role), r.started_on, r.ended_on) for r in rows]


def elect_officer(
    db: Database,
    group_id: int,
    member_id: int,
    role: OfficerRole,
    started_on: date,
    actor: str = "system",
) -> int:
    """Record an election; the previous holder's open term ends the day the new one starts."""
    with db.transaction() as conn:
        group = lock_group(conn, group_id)
        terms = officer_terms(conn, group_id)
        previous = [
            t for t in terms if t.role is role and t.ended_on is None and t.started_on < started_on
        ]
        after_handover = [
            OfficerTerm(t.member_id, t.role, t.started_on, started_on) if t in previous else t
            for t in terms
        ]
        check_officer_election(
            after_handover, memberships(conn, group_id), OfficerTerm(member_id, role, started_on)
        )
        conn.execute(
            update(officer_term)
            .where(
                officer_term.c.group_id == group_id,
                officer_term.c.role == role.value,
                officer_term.c.ended_on.is_(None),
                officer_term.c.started_on < started_on,
            )
            .values(ended_on=started_on)
        )
        tid = conn.execute(
            insert(officer_term)
            .values(
                programme_id=group.programme_id,
                group_id=group_id,
                member_id=member_id,
                role=role.value,
                started_on=started_on,
            )
            .returning(officer_term.c.id)
        ).scalar_one()
        audit.record(
            conn,
            group.programme_id,
            actor,
            "elect",
            "officer_term",
            tid,
            {"previous": [t.member_id for t in previous]},
            {"member_id": member_id, "role": role.value},
        )
        return int(tid)


def move_meeting(
    db: Database,
    group_id: int,
    nominal_on: date,
    moved_to: date,
    reason: str,
    actor: str = "system",
) -> None:
    """A holiday moves one meeting; the cycle after it stays where it was. Loans that
    repay at the group's meetings have their instalment due that day moved with it."""
    with db.transaction() as conn:
        group = lock_group(conn, group_id)
        calendar = load_calendar(conn, group)
        if nominal_on in calendar.moves:
            raise RuleViolation(
                "the meeting of %(nominal)s was already moved to %(moved_to)s",
                field="nominal_on",
                nominal=nominal_on,
                moved_to=calendar.moves[nominal_on],
            )
        calendar.with_move(nominal_on, moved_to)  # validates
        moved = _move_loan_due_dates(conn, group.id, nominal_on, moved_to)
        conn.execute(
            insert(meeting_move).values(
                programme_id=group.programme_id,
                group_id=group_id,
                nominal_on=nominal_on,
                moved_to=moved_to,
                reason=reason,
            )
        )
        audit.record(
            conn,
            group.programme_id,
            actor,
            "move_meeting",
            "group",
            group_id,
            None,
            {
                "nominal_on": nominal_on.isoformat(),
                "moved_to": moved_to.isoformat(),
                "loans_moved": moved,
            },
        )


def _move_loan_due_dates(conn: Connection, group_id: int, nominal: date, moved: date) -> list[int]:
    """Active loans of the group whose schedule follows its meetings
    (``repay_at_meetings``): the instalment due on the nominal date falls due on the new
    one, and the terms snapshot says so. Amounts stay as they are."""
    rows = conn.execute(
        select(loan.c.id, loan.c.terms).where(
            loan.c.group_id == group_id,
            loan.c.status.in_([LoanStatus.DISBURSED.value, LoanStatus.RESCHEDULED.value]),
        )
    ).all()
    ids = [r.id for r in rows if (r.terms or {}).get("repay_at_meetings")]
    if not ids:
        return []
    i = loan_instalment.c
    hit = conn.execute(
        update(loan_instalment)
        .where(i.loan_id.in_(ids), i.due_on == nominal)
        .values(due_on=moved)
        .returning(i.loan_id)
    ).scalars()
    touched = sorted(set(hit))
    # their stored repayment figures no longer follow from their events: recomputed at
    # the next close-day (kuza.services.loans.close_day)
    conn.execute(
        update(loan_performance).where(loan_performance.c.loan_id.in_(touched)).values(events=-1)
    )
    for r in rows:
        if r.id in touched:
            dates = [moved.isoformat() if d == nominal.isoformat() else d
                     for d in r.terms.get("due_dates") or []]  # fmt: skip
            conn.execute(
                update(loan).where(loan.c.id == r.id).values(terms={**r.terms, "due_dates": dates})
            )
    return touched


def change_status(
    db: Database,
    group_id: int,
    status: GroupStatus,
    on: date,
    note: str = "",
    actor: str = "system",
) -> None:
    with db.transaction() as conn:
        group = lock_group(conn, group_id)
        next_status(group.status, status)
        conn.execute(
            update(savings_group).where(savings_group.c.id == group_id).values(status=status.value)
        )
        conn.execute(
            insert(group_status_event).values(
                programme_id=group.programme_id,
                group_id=group_id,
                status=status.value,
                on_date=on,
                note=note,
            )
        )
        audit.record(
            conn,
            group.programme_id,
            actor,
            "status",
            "group",
            group_id,
            {"status": group.status.value},
            {"status": status.value},
        )


def load_members(conn: Connection, member_ids: list[int]) -> dict[int, Member]:
    rows = conn.execute(select(member).where(member.c.id.in_(member_ids)))
    return {
        r.id: Member(
            r.id,
            r.name,
            Sex(r.sex),
            r.birth_year,
            r.household_size,
            r.literate,
            r.phone,
            r.consent_on,
        )
        for r in rows
    }
