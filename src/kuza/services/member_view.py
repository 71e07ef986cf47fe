"""A member as her page shows her: details, memberships, savings from the ledger, her
passbook statement and her loans. Only groups the caller may see are shown (``only``)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import member, membership, savings_group
from kuza.adapters.db.scoping import Groups, in_groups
from kuza.domain.errors import NotFound
from kuza.domain.ledger import AccountCode, AccountKey, normal_balance
from kuza.domain.money import Money
from kuza.services import passbook
from kuza.services.ledger import balances_of
from kuza.services.loans.views import LoanRow, loan_list


@dataclass(frozen=True)
class MembershipRow:
    group_id: int
    group: str
    joined_on: date
    left_on: date | None
    compulsory: Money
    voluntary: Money


@dataclass(frozen=True)
class MemberView:
    id: int
    name: str
    sex: str
    birth_year: int | None
    household_size: int
    literate: bool
    phone: str
    consent_on: date | None
    memberships: list[MembershipRow]
    passbook: list[passbook.StatementLine]
    passbook_balance: Money | None  # None: no current group, no passbook to move
    loans: list[LoanRow]


def member_view(db: Database, member_id: int, today: date, only: Groups) -> MemberView:
    with db.read() as conn:
        person = conn.execute(select(member).where(member.c.id == member_id)).first()
        if person is None:
            raise NotFound("no member %(member_id)s", field="member_id", member_id=member_id)
        query = (
            select(
                membership.c.group_id,
                membership.c.joined_on,
                membership.c.left_on,
                savings_group.c.name,
                savings_group.c.programme_id,
                savings_group.c.currency,
            )
            .join(savings_group, savings_group.c.id == membership.c.group_id)
            .where(membership.c.member_id == member_id)
            .order_by(membership.c.joined_on, membership.c.id)
        )
        scope = in_groups(membership.c.group_id, only)
        if scope is not None:
            query = query.where(scope)
        rows = conn.execute(query).all()
        shown = []
        for r in rows:
            keys = [
                AccountKey(code, r.group_id, member_id)
                for code in (AccountCode.MEMBER_SAVINGS, AccountCode.VOLUNTARY_SAVINGS)
            ]
            bal = balances_of(conn, r.programme_id, keys, r.currency)
            compulsory, voluntary = (normal_balance(k.code, bal[k]) for k in keys)
            shown.append(
                MembershipRow(r.group_id, r.name, r.joined_on, r.left_on, compulsory, voluntary)
            )
    lines: list[passbook.StatementLine] = []
    balance: Money | None = None
    current = [m for m in shown if m.left_on is None or m.left_on > today]
    if current:
        with contextlib.suppress(NotFound):  # joined later than today: nothing to show
            lines = passbook.statement(db, member_id, today)
            balance = lines[-1].balance if lines else Money.zero(current[-1].compulsory.currency)
    loans, _ = loan_list(db, only, member_id=member_id, limit=200)
    return MemberView(
        id=person.id,
        name=person.name,
        sex=person.sex,
        birth_year=person.birth_year,
        household_size=person.household_size,
        literate=bool(person.literate),
        phone=person.phone or "",
        consent_on=person.consent_on,
        memberships=shown,
        passbook=lines,
        passbook_balance=balance,
        loans=loans,
    )
