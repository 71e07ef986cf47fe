"""Sharing out a group's fund at the end of its savings cycle, and the members' statement.

One transaction reads the balances from the ledger, books the share-out entry, stores
every member's statement line and starts the next cycle. A cycle is shared out once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    meeting,
    member,
    savings_group,
    share_out_line,
)
from kuza.adapters.db.schema import (
    share_out as share_out_table,
)
from kuza.domain.errors import Conflict, NotFound, RuleViolation
from kuza.domain.groups import Group, GroupStatus, ShareOutRule
from kuza.domain.ledger import CHART_BY_CODE, AccountCode, AccountKey, AccountType, normal_balance
from kuza.domain.money import Money, total
from kuza.domain.shareout import (
    CycleBalances,
    MemberSavings,
    ShareOutPlan,
    is_earnings,
    plan_share_out,
    share_out_entry,
)
from kuza.services import audit
from kuza.services.groups import load_group, lock_group, members_on
from kuza.services.ledger import group_balances, post_entry


@dataclass(frozen=True)
class ShareOutDone:
    share_out_id: int
    entry_id: int
    cycle_number: int  # the cycle that was closed; the group is now in the next one
    plan: ShareOutPlan


def cycle_balances(conn: Connection, group: Group, on: date) -> CycleBalances:
    """The fund from the ledger; savings for every current member and anyone still owed."""
    cur = group.currency
    zero = Money.zero(cur)
    bal = group_balances(conn, group.programme_id, group.id, cur)

    def shown(code: AccountCode, member_id: int | None = None) -> Money:
        return normal_balance(code, bal.get(AccountKey(code, group.id, member_id), zero))

    owed = {
        k.member_id
        for k, v in bal.items()
        if k.code in (AccountCode.MEMBER_SAVINGS, AccountCode.VOLUNTARY_SAVINGS)
        and k.member_id is not None
        and not v.is_zero()
    }
    people = sorted(owed | set(members_on(conn, group.id, on)))
    return CycleBalances(
        currency=cur,
        cash=shown(AccountCode.GROUP_CASH),
        social_fund=shown(AccountCode.SOCIAL_FUND),
        internal_loans=total(
            (v for k, v in bal.items() if k.code is AccountCode.INTERNAL_LOANS), cur
        ),
        # credit-normal net: an income's credit balance counts +, an expense's debit -
        income={
            k.code: -v
            for k, v in bal.items()
            if k.member_id is None and is_earnings(k.code) and not v.is_zero()
        },
        other_assets={
            k.code: v
            for k, v in bal.items()
            if k.member_id is None
            and CHART_BY_CODE[k.code].type is AccountType.ASSET
            # passbooks are the members' own money beside the fund, never shared out
            and k.code not in (AccountCode.GROUP_CASH, AccountCode.PASSBOOK_CASH)
            and not v.is_zero()
        },
        savings=tuple(
            MemberSavings(
                m,
                shown(AccountCode.MEMBER_SAVINGS, m),
                shown(AccountCode.VOLUNTARY_SAVINGS, m),
            )
            for m in people
        ),
    )


def _check_dates(conn: Connection, group: Group, on: date, today: date) -> None:
    if on > today:
        raise RuleViolation("the share-out date %(on)s is in the future", field="on", on=on)
    if group.cycle_started_on and on < group.cycle_started_on:
        raise RuleViolation(
            (
                "the share-out date %(on)s is before cycle %(cycle_number)s "
                "began on %(cycle_started_on)s"
            ),
            field="on",
            on=on,
            cycle_number=group.cycle_number,
            cycle_started_on=group.cycle_started_on,
        )
    last = conn.execute(
        select(func.max(meeting.c.held_on)).where(
            meeting.c.group_id == group.id,
            meeting.c.status == "posted",
            meeting.c.cycle_number == group.cycle_number,
        )
    ).scalar()
    if last is None:
        previous = conn.execute(
            select(share_out_table.c.id, share_out_table.c.on_date)
            .where(
                share_out_table.c.group_id == group.id,
                share_out_table.c.cycle_number == group.cycle_number - 1,
            )
            .limit(1)
        ).first()
        if previous is not None:
            raise Conflict(
                (
                    "cycle %(value)s was already shared out on %(on_date)s "
                    "(share-out %(id)s); cycle %(cycle_number)s has no meetings "
                    "yet"
                ),
                field="group_id",
                value=group.cycle_number - 1,
                on_date=previous.on_date,
                id=previous.id,
                cycle_number=group.cycle_number,
            )
        raise RuleViolation(
            "cycle %(cycle_number)s has no posted meetings to share out",
            field="group_id",
            cycle_number=group.cycle_number,
        )
    if on < last:
        raise RuleViolation(
            "the share-out date %(on)s is before the cycle's last meeting on %(last)s",
            field="on",
            on=on,
            last=last,
        )


def _check_ready(conn: Connection, group: Group, on: date, today: date) -> None:
    if group.status is GroupStatus.CLOSED:
        raise RuleViolation(
            "group %(group_name)s is closed", field="group_id", group_name=group.name
        )
    _check_dates(conn, group, on, today)


def check_share_out(conn: Connection, group_id: int, on: date, today: date) -> None:
    """Refuse a share-out the group's state or the date rules out. Run when it is
    submitted for a checker and again when she approves it."""
    _check_ready(conn, load_group(conn, group_id), on, today)


def share_out(
    db: Database,
    group_id: int,
    on: date,
    actor: str,
    today: date,
    programme_id: int | None = None,
) -> ShareOutDone:
    """Close the group's current cycle: pay out the fund, record the statements, and
    start the next cycle on ``on``. Refused (nothing written) if already shared out."""
    with db.transaction() as conn:
        return share_out_in(conn, group_id, on, actor, today, programme_id)


def share_out_in(
    conn: Connection,
    group_id: int,
    on: date,
    actor: str,
    today: date,
    programme_id: int | None = None,
) -> ShareOutDone:
    """:func:`share_out` inside the caller's transaction (an approved pending action)."""
    group = lock_group(conn, group_id, programme_id)
    _check_ready(conn, group, on, today)
    balances = cycle_balances(conn, group, on)
    plan = plan_share_out(balances, group.share_out_rule, group.share_value)
    cycle = group.cycle_number
    source = f"share-out:{group.id}:{cycle}"
    entry = share_out_entry(group.id, balances, plan, on, source, key=source)
    entry_id = post_entry(conn, group.programme_id, entry, actor)
    try:
        so_id = conn.execute(
            insert(share_out_table)
            .values(
                programme_id=group.programme_id,
                group_id=group.id,
                cycle_number=cycle,
                on_date=on,
                rule=plan.rule.value,
                fund_minor=plan.fund.minor,
                currency=group.currency,
                entry_id=entry_id,
            )
            .returning(share_out_table.c.id)
        ).scalar_one()
    except IntegrityError:
        raise Conflict(
            "cycle %(cycle)s of group %(group_name)s is already shared out",
            field="group_id",
            cycle=cycle,
            group_name=group.name,
        ) from None
    conn.execute(
        insert(share_out_line),
        [
            {
                "programme_id": group.programme_id,
                "share_out_id": so_id,
                "member_id": ln.member_id,
                "savings_minor": ln.savings.minor,
                "income_minor": ln.income.minor,
                "payout_minor": ln.payout.minor,
                "shares": ln.shares,
            }
            for ln in plan.lines
        ],
    )
    conn.execute(
        update(savings_group)
        .where(savings_group.c.id == group.id)
        .values(cycle_number=cycle + 1, cycle_started_on=on)
    )
    audit.record(
        conn,
        group.programme_id,
        actor,
        "share_out",
        "group",
        group.id,
        {"cycle_number": cycle, "cycle_started_on": str(group.cycle_started_on)},
        {
            "cycle_number": cycle + 1,
            "cycle_started_on": on.isoformat(),
            "share_out_id": so_id,
            "rule": plan.rule.value,
            "fund": str(plan.fund.amount),
            "income": str(plan.income.amount),
        },
    )
    return ShareOutDone(int(so_id), entry_id, cycle, plan)


@dataclass(frozen=True)
class StatementRow:
    member_id: int
    name: str
    savings: Money
    income: Money
    payout: Money
    shares: int | None


@dataclass(frozen=True)
class ShareOutStatement:
    share_out_id: int
    group_id: int
    group_name: str
    cycle_number: int
    on: date
    rule: ShareOutRule
    fund: Money
    rows: list[StatementRow]


@dataclass(frozen=True)
class ShareOutSummary:
    share_out_id: int
    cycle_number: int
    on: date
    rule: ShareOutRule
    fund: Money
    members: int


def share_outs_of_group(db: Database, group_id: int) -> list[ShareOutSummary]:
    """The group's share-outs, the latest cycle first."""
    s = share_out_table.c
    with db.read() as conn:
        counted = (
            select(share_out_line.c.share_out_id, func.count().label("members"))
            .where(share_out_line.c.share_out_id.in_(select(s.id).where(s.group_id == group_id)))
            .group_by(share_out_line.c.share_out_id)
            .subquery()
        )
        rows = conn.execute(
            select(s.id, s.cycle_number, s.on_date, s.rule, s.fund_minor, s.currency,
                   func.coalesce(counted.c.members, 0).label("members"))
            .select_from(share_out_table.outerjoin(counted, counted.c.share_out_id == s.id))
            .where(s.group_id == group_id)
            .order_by(s.cycle_number.desc())
        ).all()  # fmt: skip
    return [
        ShareOutSummary(
            share_out_id=r.id,
            cycle_number=r.cycle_number,
            on=r.on_date,
            rule=ShareOutRule(r.rule),
            fund=Money.from_minor(r.fund_minor, r.currency),
            members=r.members,
        )
        for r in rows
    ]


def share_out_statement(
    db: Database, share_out_id: int, programme_id: int | None = None
) -> ShareOutStatement:
    """Each member's line of a share-out, as recorded when it was booked."""
    with db.read() as conn:
        query = (
            select(share_out_table, savings_group.c.name.label("group_name"))
            .join(savings_group, savings_group.c.id == share_out_table.c.group_id)
            .where(share_out_table.c.id == share_out_id)
        )
        if programme_id is not None:
            query = query.where(share_out_table.c.programme_id == programme_id)
        head = conn.execute(query).first()
        if head is None:
            raise NotFound(
                "no share-out %(share_out_id)s", field="share_out_id", share_out_id=share_out_id
            )
        cur = head.currency
        rows = conn.execute(
            select(share_out_line, member.c.name)
            .join(member, member.c.id == share_out_line.c.member_id)
            .where(share_out_line.c.share_out_id == share_out_id)
            .order_by(share_out_line.c.member_id)
        ).all()
    return ShareOutStatement(
        share_out_id=head.id,
        group_id=head.group_id,
        group_name=head.group_name,
        cycle_number=head.cycle_number,
        on=head.on_date,
        rule=ShareOutRule(head.rule),
        fund=Money.from_minor(head.fund_minor, cur),
        rows=[
            StatementRow(
                r.member_id,
                r.name,
                Money.from_minor(r.savings_minor, cur),
                Money.from_minor(r.income_minor, cur),
                Money.from_minor(r.payout_minor, cur),
                r.shares,
            )
            for r in rows
        ],
    )
