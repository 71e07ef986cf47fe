"""Read models for pages and the CLI. Every balance shown comes from the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    branch,
    ledger_account,
    meeting,
    member,
    membership,
    savings_group,
)
from kuza.adapters.db.scoping import Groups, filter_groups, in_groups
from kuza.domain.access import GroupFilter
from kuza.domain.ledger import AccountCode, AccountKey, normal_balance
from kuza.domain.money import Money
from kuza.services.groups import load_calendar, load_group, load_members, officer_terms
from kuza.services.ledger import group_balances


@dataclass(frozen=True)
class MemberRow:
    id: int
    name: str
    sex: str
    savings: Money
    voluntary: Money
    joined_on: date


@dataclass(frozen=True)
class OfficerRow:
    role: str
    member_id: int
    name: str
    since: date


@dataclass(frozen=True)
class GroupView:
    id: int
    programme_id: int
    name: str
    village: str
    status: str
    currency: str
    frequency: str
    compulsory_saving: Money
    cycle_number: int
    fund_cash: Money
    social_fund: Money
    fines_income: Money
    next_meeting: date
    last_meeting: date | None
    members: list[MemberRow]
    officers: list[OfficerRow]


def group_view(
    db: Database, group_id: int, today: date, programme_id: int | None = None
) -> GroupView:
    with db.read() as conn:
        group = load_group(conn, group_id, programme_id)
        row = conn.execute(
            select(savings_group.c.village).where(savings_group.c.id == group_id)
        ).one()
        cur = group.currency
        bal = group_balances(conn, group.programme_id, group_id, cur)
        zero = Money.zero(cur)

        def shown(code: AccountCode, member_id: int | None = None) -> Money:
            return normal_balance(code, bal.get(AccountKey(code, group_id, member_id), zero))

        current = conn.execute(
            select(membership.c.member_id, membership.c.joined_on)
            .where(membership.c.group_id == group_id, membership.c.left_on.is_(None))
            .order_by(membership.c.member_id)
        ).all()
        people = load_members(conn, [r.member_id for r in current])
        terms = [t for t in officer_terms(conn, group_id) if t.current_on(today)]
        names = load_members(conn, [t.member_id for t in terms])
        last = conn.execute(
            select(func.max(meeting.c.held_on)).where(
                meeting.c.group_id == group_id, meeting.c.status == "posted"
            )
        ).scalar()
        return GroupView(
            id=group.id,
            programme_id=group.programme_id,
            name=group.name,
            village=row.village or "",
            status=group.status.value,
            currency=cur,
            frequency=group.frequency.value,
            compulsory_saving=group.compulsory_saving,
            cycle_number=group.cycle_number,
            fund_cash=shown(AccountCode.GROUP_CASH),
            social_fund=shown(AccountCode.SOCIAL_FUND),
            fines_income=shown(AccountCode.FINES_INCOME),
            next_meeting=load_calendar(conn, group).next_after(max(today, last or today)),
            last_meeting=last,
            members=[
                MemberRow(
                    r.member_id,
                    people[r.member_id].name,
                    people[r.member_id].sex.value,
                    shown(AccountCode.MEMBER_SAVINGS, r.member_id),
                    shown(AccountCode.VOLUNTARY_SAVINGS, r.member_id),
                    r.joined_on,
                )
                for r in current
            ],
            officers=[
                OfficerRow(t.role.value, t.member_id, names[t.member_id].name, t.started_on)
                for t in terms
            ],
        )


@dataclass(frozen=True)
class GroupListRow:
    id: int
    name: str
    village: str
    branch: str
    status: str
    members: int
    fund_cash: Money
    last_meeting: date | None


def _group_scope(query: Any, programme_id: int | None, only: Groups) -> Any:
    if programme_id is not None:
        query = query.where(savings_group.c.programme_id == programme_id)
    if isinstance(only, GroupFilter):
        return filter_groups(query, only)
    scope = in_groups(savings_group.c.id, only)
    return query if scope is None else query.where(scope)


def group_total(db: Database, programme_id: int | None = None, only: Groups = None) -> int:
    query = _group_scope(select(func.count()).select_from(savings_group), programme_id, only)
    with db.read() as conn:
        return int(conn.execute(query).scalar_one())


def group_list(
    db: Database,
    programme_id: int | None = None,
    only: Groups = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[GroupListRow]:
    """Groups (of a programme, or only those given) with member count, fund cash and last
    meeting, in four queries whatever the number of groups; a page of them with
    ``limit``/``offset``. The three figures are read for the page's ids (at most
    ``limit``), or for the whole scope as a subquery when there is no limit."""
    with db.read() as conn:
        query = (
            select(savings_group, branch.c.name.label("branch_name"))
            .join(branch, branch.c.id == savings_group.c.branch_id)
            .order_by(savings_group.c.programme_id, savings_group.c.name, savings_group.c.id)
        )
        query = _group_scope(query, programme_id, only)
        if limit is not None:
            query = query.limit(limit).offset(offset)
        groups = conn.execute(query).all()
        ids: Any = [g.id for g in groups]
        if limit is None:  # every group of the scope: no bound parameter per group
            ids = _group_scope(select(savings_group.c.id), programme_id, only)
        counts: dict[int, int] = dict(
            conn.execute(
                select(membership.c.group_id, func.count())
                .where(membership.c.left_on.is_(None), membership.c.group_id.in_(ids))
                .group_by(membership.c.group_id)
            ).all()
        )
        cash = dict(
            conn.execute(
                select(ledger_account.c.group_id, ledger_account.c.balance_minor).where(
                    ledger_account.c.code == AccountCode.GROUP_CASH.value,
                    ledger_account.c.group_id.in_(ids),
                )
            ).all()
        )
        last = dict(
            conn.execute(
                select(meeting.c.group_id, func.max(meeting.c.held_on))
                .where(meeting.c.status == "posted", meeting.c.group_id.in_(ids))
                .group_by(meeting.c.group_id)
            ).all()
        )
    return [
        GroupListRow(
            g.id,
            g.name,
            g.village or "",
            g.branch_name,
            g.status,
            int(counts.get(g.id, 0)),
            Money.from_minor(int(cash.get(g.id, 0)), g.currency),
            last.get(g.id),
        )
        for g in groups
    ]


def member_count(db: Database) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(member)).scalar_one())
