"""Building blocks for loan tests: a group with savings, loan products and a funded
loan fund."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    audit_log,
    journal_entry,
    journal_line,
    loan,
    loan_instalment,
    loan_transaction,
)
from kuza.domain.ledger import AccountKey
from kuza.domain.money import Money
from kuza.services.loans import products
from kuza.services.loans.applications import LoanRequest, apply, approve
from kuza.services.loans.disbursement import disburse
from kuza.services.loans.store import balance
from kuza.services.meetings import post_meeting
from tests.factories import FORMED, World, make_world, sheet

TODAY = date(2026, 12, 31)
SAVED_BY = FORMED + timedelta(weeks=3)  # the fourth weekly meeting

FLAT_4_MONTHS: dict[str, Any] = {
    "rate": {"percent": "1", "per": "month"},
    "method": "flat",
    "instalments": 4,
    "every": {"n": 1, "unit": "month"},
}


@dataclass
class LoanWorld:
    world: World
    internal: int
    external: int

    @property
    def pid(self) -> int:
        return self.world.programme_id

    @property
    def gid(self) -> int:
        return self.world.group_id

    def m(self, i: int) -> int:
        return self.world.member_ids[i]


def make_loan_world(db: Database, fund: str = "100000", **product: Any) -> LoanWorld:
    """Group cash 2000 after four meetings; member 0 has saved 1200 (400 + 800)."""
    w = make_world(db)
    for week in range(4):
        day = FORMED + timedelta(weeks=week)
        post_meeting(db, sheet(w, day, m0={"voluntary": "200"}), "agent", TODAY)
    internal = products.create_product(
        db,
        w.programme_id,
        {"name": "Group loan", "kind": "internal", "terms": FLAT_4_MONTHS, "savings_multiple": "3"},
        "manager",
    )
    external = products.create_product(
        db,
        w.programme_id,
        {
            "name": "Enterprise loan",
            "kind": "external",
            "terms": FLAT_4_MONTHS,
            "ceilings": {"1": "5000", "2": "10000"},
            "guarantee_percent": "10",
            "penalty": {"percent": "5", "after_days": 7},
            **product,
        },
        "manager",
    )
    if fund != "0":
        products.fund_loan_fund(db, w.programme_id, fund, FORMED, "grant-1", "finance")
    return LoanWorld(w, internal, external)


def request(lw: LoanWorld, amount: str, external: bool = False, **kw: Any) -> LoanRequest:
    fields: dict[str, Any] = {
        "group_id": lw.gid,
        "member_id": lw.m(0),
        "product_id": lw.external if external else lw.internal,
        "amount": amount,
        "applied_on": date(2026, 2, 1),
    }
    if external:
        fields |= {"monthly_revenue": "3000", "monthly_costs": "1000", "purpose": "poultry"}
    fields.update(kw)
    return LoanRequest(**fields)


def disbursed_loan(
    db: Database, lw: LoanWorld, amount: str = "1000", external: bool = False, **kw: Any
) -> int:
    loan_id = apply(db, request(lw, amount, external, **kw), "agent", TODAY)
    approve(db, loan_id, date(2026, 2, 1), "manager", TODAY)
    disburse(db, loan_id, date(2026, 2, 1), "agent", TODAY)
    return loan_id


def bal(db: Database, lw: LoanWorld, key: AccountKey) -> Money:
    with db.read() as conn:
        return balance(conn, lw.pid, key, "KES")


def counts(db: Database) -> tuple[int, ...]:
    tables = (journal_entry, journal_line, loan, loan_instalment, loan_transaction, audit_log)
    with db.read() as conn:
        return tuple(conn.execute(select(func.count()).select_from(t)).scalar_one() for t in tables)
