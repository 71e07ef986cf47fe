"""Loan products of a programme, and the money in its loan fund."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import loan_product
from kuza.domain.errors import DomainError, InvalidAmount, NotFound
from kuza.domain.ledger import AccountCode, AccountKey, EntryBuilder
from kuza.domain.loans.book import LoanKind, check_template, order_from, penalty_from
from kuza.domain.money import Money, to_decimal
from kuza.services import audit
from kuza.services.ledger import post_entry
from kuza.services.programmes import programme_row


def _decimal(data: Mapping[str, Any], key: str) -> str | None:
    raw = data.get(key)
    if raw is None:
        return None
    value = to_decimal(raw, key)
    if value < 0:
        raise InvalidAmount("%(key)s cannot be negative", field=key, key=key)
    return str(value)


def create_product(db: Database, programme_id: int, data: Mapping[str, Any], actor: str) -> int:
    """A product from JSON-like data::

    {"name": "Starter", "kind": "external", "terms": {<calculator input>},
     "ceilings": {"1": "30", "2": "60"}, "savings_multiple": "3",
     "guarantee_percent": "10", "penalty": {"flat": "0", "percent": "5", "after_days": 7},
     "starter": true, "allocation_order": ["penalties", "fees", "interest", "principal"]}
    """
    name = str(data.get("name") or "").strip()
    if not name:
        raise DomainError("a product needs a name", field="name")
    try:
        kind = LoanKind(str(data.get("kind")))
    except ValueError:
        raise DomainError("kind must be internal, external or in_kind", field="kind") from None
    with db.transaction() as conn:
        cur = programme_row(conn, programme_id).currency
        terms = data.get("terms")
        if not isinstance(terms, Mapping):
            raise DomainError("terms must be a JSON object", field="terms")
        check_template(terms, cur)
        raw_ceilings = data.get("ceilings") or {}
        if not isinstance(raw_ceilings, Mapping):
            raise DomainError("ceilings must map a loan cycle to an amount", field="ceilings")
        ceilings = {}
        for cycle, amount in raw_ceilings.items():
            if not str(cycle).isdigit() or int(cycle) < 1:
                raise DomainError("ceiling cycles are 1, 2, 3 ...", field="ceilings")
            money = Money.of(amount, cur, f"ceilings.{cycle}")
            if money.amount <= 0:
                raise InvalidAmount("a ceiling must be more than zero", field="ceilings")
            ceilings[str(int(cycle))] = str(money.amount)
        penalty = penalty_from(data.get("penalty"), cur)
        order = order_from(data.get("allocation_order"))
        guarantee = _decimal(data, "guarantee_percent")
        if guarantee is not None and Decimal(guarantee) > 100:
            raise InvalidAmount("guarantee_percent is at most 100", field="guarantee_percent")
        values = {
            "programme_id": programme_id,
            "name": name,
            "kind": kind.value,
            "currency": cur,
            "terms": dict(terms),
            "ceilings": ceilings,
            "savings_multiple": _decimal(data, "savings_multiple"),
            "guarantee_percent": guarantee,
            "has_penalty": penalty is not None,
            "penalty_flat_minor": penalty.flat_minor if penalty else 0,
            "penalty_percent_bp": penalty.percent_bp if penalty else 0,
            "penalty_after_days": penalty.after_days if penalty else 0,
            "starter": bool(data.get("starter", False)),
            "allocation_order": [c.value for c in order],
            "active": True,
        }
        pid = conn.execute(
            insert(loan_product).values(**values).returning(loan_product.c.id)
        ).scalar_one()
        audit.record(conn, programme_id, actor, "create", "loan_product", pid, None, values)
        return int(pid)


def set_active(db: Database, programme_id: int, product_id: int, active: bool, actor: str) -> None:
    """Switch a product off (no new application or approval names it; loans already
    approved or disbursed carry on under their stored terms) or on again; audited."""
    with db.transaction() as conn:
        row = conn.execute(
            select(loan_product.c.id, loan_product.c.active).where(
                loan_product.c.id == product_id, loan_product.c.programme_id == programme_id
            )
        ).first()
        if row is None:
            raise NotFound(
                "no loan product %(product_id)s in this programme",
                "product_id",
                product_id=product_id,
            )
        conn.execute(update(loan_product).where(loan_product.c.id == row.id).values(active=active))
        audit.record(
            conn, programme_id, actor, "set_active", "loan_product", row.id,
            {"active": bool(row.active)}, {"active": active},
        )  # fmt: skip


def fund_loan_fund(
    db: Database, programme_id: int, amount: str, on: date, reference: str, actor: str
) -> int:
    """Money put into the programme's loan fund (by the programme or a partner); a
    reused reference is refused (Conflict) and books nothing."""
    if not reference.strip():
        raise DomainError("reference is required", field="reference")
    with db.transaction() as conn:
        cur = programme_row(conn, programme_id).currency
        money = Money.of(amount, cur)
        if money.amount <= 0:
            raise InvalidAmount("amount must be more than zero", field="amount")
        key = f"loan-fund:{reference.strip()}"
        book = EntryBuilder(on, "Capital into the loan fund", "loan-fund", key)
        book.move(
            AccountKey(AccountCode.LOAN_FUND_CASH), AccountKey(AccountCode.LOAN_FUND_CAPITAL), money
        )
        entry_id = post_entry(conn, programme_id, book.build(), actor)
        audit.record(
            conn,
            programme_id,
            actor,
            "fund",
            "loan_fund",
            programme_id,
            None,
            {"amount": str(money.amount), "entry_id": entry_id},
        )
        return entry_id
