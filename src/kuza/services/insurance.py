"""Micro health insurance use cases: plans, enrolment with dependants, and premium
collection through the ledger (claims are in ``kuza.services.insurance_claims``).

A premium is one entry per enrolment and period (idempotency key
``premium:<enrolment>:<period start>``): the programme's subsidy moves from its operating
cash, the member's share from her passbook or in cash, both into the insurance fund.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, insert, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    insurance_dependant,
    insurance_enrolment,
    insurance_plan,
    insurance_premium,
)
from kuza.domain.errors import Conflict, DomainError, NotFound, RuleViolation
from kuza.domain.groups import Sex
from kuza.domain.insurance import (
    PaysFrom,
    Plan,
    PremiumPeriod,
    PremiumSplit,
    membership_year,
    period_start,
    plan_from,
    split_premium,
)
from kuza.domain.ledger import AccountCode, AccountKey, EntryBuilder, normal_balance
from kuza.domain.money import Money
from kuza.services import audit
from kuza.services.enterprises import programme_members
from kuza.services.ledger import balances_of, post_entry
from kuza.services.programmes import programme_row
from kuza.services.visits import group_of

FUND = AccountKey(AccountCode.INSURANCE_CASH)
INCOME = AccountKey(AccountCode.PREMIUM_INCOME)
SUBSIDY = AccountKey(AccountCode.PREMIUM_SUBSIDY)
PROGRAMME_CASH = AccountKey(AccountCode.OPERATING_CASH)


def create_plan(
    db: Database, programme_id: int, data: Mapping[str, Any], actor: str = "system"
) -> int:
    with db.transaction() as conn:
        cur = programme_row(conn, programme_id).currency
        plan = plan_from(dict(data), cur)
        if conn.execute(
            select(insurance_plan.c.id).where(
                insurance_plan.c.programme_id == programme_id, insurance_plan.c.name == plan.name
            )
        ).first():
            raise Conflict(
                "plan %(plan_name)s already exists", field="name", plan_name=repr(plan.name)
            )
        values = {
            "programme_id": programme_id,
            "name": plan.name,
            "currency": cur,
            "premium_minor": plan.premium.minor,
            "dependant_premium_minor": plan.dependant_premium.minor,
            "period": plan.period.value,
            "cover_per_year_minor": plan.cover_per_year.minor,
            "waiting_days": plan.waiting_days,
            "subsidy": [str(p) for p in plan.subsidy],
            "active": True,
        }
        pid = conn.execute(
            insert(insurance_plan).values(**values).returning(insurance_plan.c.id)
        ).scalar_one()
        audit.record(conn, programme_id, actor, "create", "insurance_plan", pid, None, values)
        return int(pid)


def plan_of(row: Any) -> Plan:
    cur = row.currency
    return Plan(
        row.name,
        Money.from_minor(row.premium_minor, cur),
        Money.from_minor(row.dependant_premium_minor, cur),
        PremiumPeriod(row.period),
        Money.from_minor(row.cover_per_year_minor, cur),
        int(row.waiting_days),
        tuple(Decimal(p) for p in row.subsidy),
    )


def plan_row(conn: Connection, plan_id: int, lock: bool = False) -> Any:
    """The plan; with ``lock``, held for update on PostgreSQL so that two collections of
    one plan queue up and the second sees the first's premiums."""
    query = select(insurance_plan).where(insurance_plan.c.id == plan_id)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise NotFound("no insurance plan %(plan_id)s", field="plan_id", plan_id=plan_id)
    return row


@dataclass(frozen=True)
class Dependant:
    name: str
    relation: str  # child, spouse, parent ...
    sex: Sex
    birth_year: int | None = None


def enrol(
    db: Database,
    plan_id: int,
    member_id: int,
    on: date,
    pays_from: PaysFrom = PaysFrom.CASH,
    dependants: Sequence[Dependant] = (),
    actor: str = "system",
) -> int:
    """Enrol a member of the programme and her dependants in a plan."""
    for d in dependants:
        if not d.name.strip() or not d.relation.strip():
            raise DomainError("each dependant needs a name and a relation", field="dependants")
    with db.transaction() as conn:
        plan = plan_row(conn, plan_id)
        programme_members(conn, plan.programme_id, [member_id])
        group_id = group_of(conn, plan.programme_id, member_id, on)
        if conn.execute(
            select(insurance_enrolment.c.id).where(
                insurance_enrolment.c.plan_id == plan_id,
                insurance_enrolment.c.member_id == member_id,
            )
        ).first():
            raise Conflict(
                "member %(member_id)s is already enrolled in this plan",
                "member_id",
                member_id=member_id,
            )
        eid = conn.execute(
            insert(insurance_enrolment)
            .values(
                programme_id=plan.programme_id,
                plan_id=plan_id,
                member_id=member_id,
                group_id=group_id,
                enrolled_on=on,
                pays_from=pays_from.value,
                recorded_by=actor,
            )
            .returning(insurance_enrolment.c.id)
        ).scalar_one()
        if dependants:
            conn.execute(
                insert(insurance_dependant),
                [
                    {
                        "programme_id": plan.programme_id,
                        "enrolment_id": eid,
                        "name": d.name.strip(),
                        "relation": d.relation.strip(),
                        "sex": d.sex.value,
                        "birth_year": d.birth_year,
                    }
                    for d in dependants
                ],
            )
        audit.record(
            conn,
            plan.programme_id,
            actor,
            "enrol",
            "insurance_enrolment",
            eid,
            None,
            {"plan_id": plan_id, "member_id": member_id, "dependants": len(dependants)},
        )
        return int(eid)


def _dependants(conn: Connection, enrolment_id: int) -> int:
    return int(
        conn.execute(
            select(func.count())
            .select_from(insurance_dependant)
            .where(insurance_dependant.c.enrolment_id == enrolment_id)
        ).scalar_one()
    )


def _book_premium(
    conn: Connection, plan: Any, e: Any, start: date, actor: str
) -> tuple[int, PremiumSplit]:
    year = membership_year(e.enrolled_on, start)
    split = split_premium(plan_of(plan), _dependants(conn, e.id), year)
    pays = PaysFrom(e.pays_from)
    key = f"premium:{e.id}:{start.isoformat()}"
    book = EntryBuilder(start, f"Health premium {start:%Y-%m}, member {e.member_id}", key, key)
    book.move(SUBSIDY, INCOME, split.subsidy, f"subsidy, year {year} of membership")
    book.move(FUND, PROGRAMME_CASH, split.subsidy, "subsidy paid in")
    if pays is PaysFrom.PASSBOOK:
        passbook = AccountKey(AccountCode.PASSBOOK, e.group_id, e.member_id)
        held = normal_balance(
            AccountCode.PASSBOOK,
            balances_of(conn, e.programme_id, [passbook], plan.currency)[passbook],
        )
        if split.member_share > held:
            raise RuleViolation(
                (
                    "member %(member_id)s's passbook holds %(held)s, her share "
                    "is %(member_share)s: collect it in cash"
                ),
                field="pays_from",
                member_id=e.member_id,
                held=held,
                member_share=split.member_share,
            )
        book.move(passbook, INCOME, split.member_share, "member's share from her passbook")
        cash = AccountKey(AccountCode.PASSBOOK_CASH, e.group_id)
        book.move(FUND, cash, split.member_share, "passbook cash paid in")
    else:
        book.move(FUND, INCOME, split.member_share, "member's share in cash")
    entry_id = post_entry(conn, e.programme_id, book.build(), actor)
    pid = conn.execute(
        insert(insurance_premium)
        .values(
            programme_id=e.programme_id,
            enrolment_id=e.id,
            period_start=start,
            membership_year=year,
            currency=plan.currency,
            premium_minor=split.premium.minor,
            subsidy_minor=split.subsidy.minor,
            member_minor=split.member_share.minor,
            pays_from=pays.value,
            entry_id=entry_id,
            recorded_by=actor,
        )
        .returning(insurance_premium.c.id)
    ).scalar_one()
    return int(pid), split


@dataclass(frozen=True)
class Collection:
    period_start: date
    collected: list[int]  # insurance_premium ids booked now
    already: list[int]  # enrolments whose premium for the period was booked before
    premiums: Money
    subsidies: Money


def collect_premiums(
    db: Database, plan_id: int, period: date, today: date, actor: str = "system"
) -> Collection:
    """Premiums of every enrolment active on the period's first day, all or none.

    Collecting a period again books nothing twice: enrolments already collected are
    listed in ``already``.
    """
    with db.transaction() as conn:
        plan = plan_row(conn, plan_id, lock=True)
        start = period_start(PremiumPeriod(plan.period), period)
        if start > today:
            raise RuleViolation(
                "the period starting %(start)s has not begun", field="period", start=start
            )
        en = insurance_enrolment.c
        active = (
            en.plan_id == plan_id,
            en.enrolled_on <= start,
            en.ended_on.is_(None) | (en.ended_on > start),
        )
        enrolments = conn.execute(select(insurance_enrolment).where(*active).order_by(en.id)).all()
        # The plan's enrolments as a subquery, not one bound parameter per enrolment.
        done = set(
            conn.execute(
                select(insurance_premium.c.enrolment_id).where(
                    insurance_premium.c.period_start == start,
                    insurance_premium.c.enrolment_id.in_(select(en.id).where(*active)),
                )
            ).scalars()
        )
        zero = Money.zero(plan.currency)
        collected, premiums, subsidies = [], zero, zero
        for e in enrolments:
            if e.id in done:
                continue
            pid, split = _book_premium(conn, plan, e, start, actor)
            collected.append(pid)
            premiums, subsidies = premiums + split.premium, subsidies + split.subsidy
        audit.record(
            conn,
            plan.programme_id,
            actor,
            "collect_premiums",
            "insurance_plan",
            plan_id,
            None,
            {"period": start.isoformat(), "premiums": collected, "total": str(premiums.amount)},
        )
        return Collection(start, collected, sorted(done), premiums, subsidies)
