"""Reading and writing the loan book's rows, and which ledger accounts a loan uses.

Internal loans live in the group's accounts (group fund cash, the group's interest
income); external and in-kind loans in the programme's loan-fund accounts, which have no
group (``group_id`` None). A member's receivable is per member either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, insert, select

from kuza.adapters.db.schema import (
    journal_entry,
    ledger_account,
    loan,
    loan_instalment,
    loan_product,
)
from kuza.adapters.db.schema import loan_transaction as loan_tx
from kuza.domain.errors import NotFound, RuleViolation
from kuza.domain.ledger import AccountCode, AccountKey
from kuza.domain.loans.allocation import Due
from kuza.domain.loans.book import LoanKind, Penalty, Product, order_from
from kuza.domain.loans.lifecycle import LoanStatus
from kuza.domain.money import Money
from kuza.services.ledger import now


def product_of(row: Any) -> Product:
    cur = row.currency
    return Product(
        id=row.id,
        name=row.name,
        kind=LoanKind(row.kind),
        terms=row.terms,
        ceilings={int(k): Money.of(v, cur) for k, v in (row.ceilings or {}).items()},
        savings_multiple=None if row.savings_multiple is None else Decimal(row.savings_multiple),
        guarantee_percent=None if row.guarantee_percent is None else Decimal(row.guarantee_percent),
        penalty=Penalty(row.penalty_flat_minor, row.penalty_percent_bp, row.penalty_after_days)
        if row.has_penalty
        else None,
        starter=row.starter,
        order=order_from(row.allocation_order),
    )


def load_product(
    conn: Connection, programme_id: int, product_id: int, active_only: bool = True
) -> Product:
    row = conn.execute(
        select(loan_product).where(
            loan_product.c.id == product_id, loan_product.c.programme_id == programme_id
        )
    ).first()
    if row is None:
        raise NotFound(
            "no loan product %(product_id)s in this programme",
            field="product_id",
            product_id=product_id,
        )
    if active_only and not row.active:
        raise RuleViolation(
            "loan product %(row_name)s is switched off: choose another product",
            "product_id",
            row_name=row.name,
        )
    return product_of(row)


def product_active(conn: Connection, product_id: int) -> bool:
    found = conn.execute(
        select(loan_product.c.active).where(loan_product.c.id == product_id)
    ).scalar()
    return bool(found)


def load_loan(
    conn: Connection, loan_id: object, programme_id: int | None = None, lock: bool = True
) -> Any:
    """The loan row; held for update on PostgreSQL so two commands on it queue up."""
    if isinstance(loan_id, bool) or not isinstance(loan_id, int):
        raise NotFound("no loan %(loan_id)s", field="loan_id", loan_id=repr(loan_id))
    query = select(loan).where(loan.c.id == loan_id)
    if programme_id is not None:
        query = query.where(loan.c.programme_id == programme_id)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise NotFound("no loan %(loan_id)s", field="loan_id", loan_id=loan_id)
    return row


def status_of(row: Any) -> LoanStatus:
    return LoanStatus(row.status)


@dataclass(frozen=True)
class LoanAccounts:
    receivable: AccountKey
    cash: AccountKey
    interest: AccountKey
    fees: AccountKey
    penalties: AccountKey
    write_off: AccountKey
    recovery: AccountKey
    overpaid: AccountKey


def accounts_for(kind: LoanKind, group_id: int, member_id: int) -> LoanAccounts:
    scope = group_id if kind is LoanKind.INTERNAL else None
    receivable = AccountCode.INTERNAL_LOANS if scope else AccountCode.EXTERNAL_LOANS
    cash = AccountCode.GROUP_CASH if scope else AccountCode.LOAN_FUND_CASH
    return LoanAccounts(
        receivable=AccountKey(receivable, scope, member_id),
        cash=AccountKey(cash, scope),
        interest=AccountKey(AccountCode.INTEREST_INCOME, scope),
        fees=AccountKey(AccountCode.FEE_INCOME, scope),
        penalties=AccountKey(AccountCode.PENALTY_INCOME, scope),
        write_off=AccountKey(AccountCode.WRITE_OFF_EXPENSE, scope),
        recovery=AccountKey(AccountCode.RECOVERY_INCOME, scope),
        overpaid=AccountKey(AccountCode.LOAN_OVERPAYMENTS, scope, member_id),
    )


def loan_accounts(row: Any) -> LoanAccounts:
    return accounts_for(LoanKind(row.kind), row.group_id, row.member_id)


def balance(conn: Connection, programme_id: int, key: AccountKey, currency: str) -> Money:
    """Signed (debit-positive) balance of one account, group-scoped or programme-wide."""
    c = ledger_account.c
    value = conn.execute(
        select(c.balance_minor).where(
            c.programme_id == programme_id,
            c.code == key.code.value,
            c.group_id.is_(None) if key.group_id is None else c.group_id == key.group_id,
            c.member_id.is_(None) if key.member_id is None else c.member_id == key.member_id,
        )
    ).scalar()
    return Money.from_minor(int(value or 0), currency)


def member_savings(
    conn: Connection, programme_id: int, group_id: int, member_id: int, currency: str
) -> Money:
    """Compulsory plus voluntary savings, as the member reads them (positive)."""
    total = Money.zero(currency)
    for code in (AccountCode.MEMBER_SAVINGS, AccountCode.VOLUNTARY_SAVINGS):
        total = total - balance(conn, programme_id, AccountKey(code, group_id, member_id), currency)
    return total


def loan_cycle(conn: Connection, member_id: int, kind: LoanKind) -> int:
    """1 + the member's loans of the same family (internal, or external and in-kind)
    repaid in full; a grant or a written-off loan does not raise the cycle."""
    family = [kind.value] if kind is LoanKind.INTERNAL else ["external", "in_kind"]
    done = conn.execute(
        select(func.count())
        .select_from(loan)
        .where(
            loan.c.member_id == member_id,
            loan.c.kind.in_(family),
            loan.c.grant.is_(False),
            loan.c.status == LoanStatus.CLOSED.value,
        )
    ).scalar_one()
    return int(done) + 1


def instalment_rows(conn: Connection, loan_id: int) -> list[Any]:
    return list(
        conn.execute(
            select(loan_instalment)
            .where(loan_instalment.c.loan_id == loan_id)
            .order_by(loan_instalment.c.n)
        )
    )


def dues_of(rows: Sequence[Any], currency: str) -> list[Due]:
    """What is still owed on each instalment, part by part."""

    def m(minor: int) -> Money:
        return Money.from_minor(int(minor), currency)

    return [
        Due(
            n=r.n,
            due_on=r.due_on,
            principal=m(r.principal_minor - r.principal_paid_minor - r.principal_written_off_minor),
            interest=m(r.interest_minor - r.interest_paid_minor),
            fees=m(r.fee_minor - r.fee_paid_minor),
            penalties=m(r.penalty_minor - r.penalty_paid_minor),
        )
        for r in rows
    ]


def outstanding_principal(rows: Sequence[Any], currency: str) -> Money:
    return sum((d.principal for d in dues_of(rows, currency)), Money.zero(currency))


def find_transaction(conn: Connection, programme_id: int, reference: str) -> Any:
    return conn.execute(
        select(loan_tx).where(
            loan_tx.c.programme_id == programme_id, loan_tx.c.reference == reference
        )
    ).first()


def unreversed() -> ColumnElement[bool]:
    """Loan transactions whose journal entry has not been reversed (a reversed repayment
    no longer counts as money received)."""
    reversed_ids = select(journal_entry.c.reverses_id).where(
        journal_entry.c.reverses_id.is_not(None)
    )
    return loan_tx.c.entry_id.is_(None) | loan_tx.c.entry_id.not_in(reversed_ids)


def is_reversed(conn: Connection, tx: Any) -> bool:
    if tx.entry_id is None:
        return False
    found = conn.execute(
        select(journal_entry.c.id).where(journal_entry.c.reverses_id == tx.entry_id)
    ).first()
    return found is not None


def add_transaction(
    conn: Connection,
    row: Any,
    kind: str,
    on: date,
    amount: Money,
    reference: str,
    actor: str,
    entry_id: int | None,
    **parts: Any,
) -> int:
    tx_id = conn.execute(
        insert(loan_tx)
        .values(
            programme_id=row.programme_id,
            loan_id=row.id,
            kind=kind,
            on_date=on,
            amount_minor=amount.minor,
            currency=amount.currency,
            entry_id=entry_id,
            reference=reference,
            created_at=now(),
            created_by=actor,
            **parts,
        )
        .returning(loan_tx.c.id)
    ).scalar_one()
    return int(tx_id)


def snapshot(row: Any) -> dict[str, Any]:
    """What the audit trail keeps of a loan before and after a change."""
    return {
        "status": row.status,
        "principal": str(Money.from_minor(row.principal_minor, row.currency).amount),
        "product_id": row.product_id,
        "member_id": row.member_id,
    }
