"""Interest accrual on external loans by ``kuza close-day`` (accrue and reverse).

The programme books interest on external and in-kind loans when it is earned, not only
when it is paid; the groups' internal loans stay on cash basis (a group keeps a cash
book). Repayment entries are unchanged (Cr interest income when paid): instead, each
close-day reverses the previous accrual entry and books the new one, so at any time
ACCRUED_INTEREST_RECEIVABLE equals the latest accrual and interest income equals cash
received plus interest earned but not yet due.

Per loan (one INSERT ... SELECT over all loans, docs/credit.md "Interest accrual"): in the
current instalment period (from the previous due date, or the disbursement, to the next
due date after D), the instalment's interest x elapsed days / days in the period, rounded
down to the minor unit, never more than the interest still unpaid on that instalment and
never negative. Closed, written-off and other inactive loans accrue nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, Date, Integer, case, cast, delete, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite

from kuza.adapters.db.schema import journal_entry, loan, loan_accrual, loan_instalment
from kuza.domain.ledger import AccountCode, AccountKey, EntryBuilder
from kuza.domain.loans.book import LoanKind
from kuza.domain.loans.lifecycle import ACTIVE
from kuza.domain.money import Money
from kuza.services.ledger import post_entry, reverse_entry

ACCRUAL_SOURCE = "close-day:accrual"
RECEIVABLE = AccountKey(AccountCode.ACCRUED_INTEREST_RECEIVABLE)
INCOME = AccountKey(AccountCode.INTEREST_INCOME)
_ACTIVE = sorted(s.value for s in ACTIVE)


def _days(conn: Connection, later: Any, earlier: Any) -> Any:
    """Whole days from ``earlier`` to ``later`` (date expressions) as an SQL integer."""
    if conn.dialect.name == "postgresql":
        return later - earlier
    return cast(func.julianday(later) - func.julianday(earlier), Integer)


def _rewrite_accruals(conn: Connection, day: date) -> None:
    i, ln = loan_instalment.c, loan.c
    periods = (
        select(
            i.loan_id,
            i.due_on,
            i.interest_minor,
            i.interest_paid_minor,
            func.lag(i.due_on).over(partition_by=i.loan_id, order_by=(i.due_on, i.n)).label("prev"),
        )
        .join(loan, ln.id == i.loan_id)
        .where(
            ln.status.in_(_ACTIVE),
            ln.kind != LoanKind.INTERNAL.value,
            ln.disbursed_on.is_not(None),
        )
        .subquery()
    )
    p = periods.c
    d = literal(day, Date)
    start = func.coalesce(p.prev, ln.disbursed_on)
    earned = p.interest_minor * _days(conn, d, start) // _days(conn, p.due_on, start)
    unpaid = p.interest_minor - p.interest_paid_minor
    accrued = case((earned < unpaid, earned), else_=unpaid)
    rows = (
        select(ln.id, ln.programme_id, d, ln.currency, accrued)
        .select_from(periods.join(loan, ln.id == p.loan_id))
        .where(start <= d, p.due_on > d, ln.disbursed_on <= d, unpaid > 0, accrued > 0)
    )
    # In place: a loan still accruing has its row updated (no foreign-key check: the
    # key does not move), a new one gets a row, and the rows not touched today (loans
    # no longer accruing) go. Deleting and re-inserting every row cost two foreign-key
    # checks per loan: 5.7 s of 14 s at 1M loans (BENCHMARKS.md, ninth round).
    a = loan_accrual.c
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    upsert = dialect.insert(loan_accrual).from_select(
        [a.loan_id, a.programme_id, a.as_of, a.currency, a.accrued_minor], rows
    )
    new = upsert.excluded
    conn.execute(
        upsert.on_conflict_do_update(
            index_elements=[a.loan_id],
            set_={a.as_of: new.as_of, a.currency: new.currency, a.accrued_minor: new.accrued_minor},
        )
    )
    conn.execute(delete(loan_accrual).where(a.as_of != d))


def _standing_accrual_entries(conn: Connection) -> list[tuple[int, int]]:
    """(programme id, entry id) of every accrual entry not reversed yet."""
    e = journal_entry.c
    rev = journal_entry.alias("rev")
    rows = conn.execute(
        select(e.programme_id, e.id)
        .select_from(journal_entry.outerjoin(rev, rev.c.reverses_id == e.id))
        .where(e.source == ACCRUAL_SOURCE, e.reverses_id.is_(None), rev.c.id.is_(None))
        .order_by(e.id)
    )
    return [(int(r.programme_id), int(r.id)) for r in rows]


def accrue_interest(conn: Connection, day: date, actor: str) -> int:
    """Replace the accrual of the previous close-day by the accrual as of ``day``; returns
    the number of loans accruing. Call once per new, latest close-day date."""
    _rewrite_accruals(conn, day)
    for programme_id, entry_id in _standing_accrual_entries(conn):
        reverse_entry(conn, programme_id, entry_id, day, f"accrual replaced on {day}", actor)
    a = loan_accrual.c
    totals = conn.execute(
        select(a.programme_id, a.currency, func.sum(a.accrued_minor), func.count())
        .group_by(a.programme_id, a.currency)
        .order_by(a.programme_id, a.currency)
    ).all()
    loans = 0
    for programme_id, currency, total, count in totals:
        loans += int(count)
        key = f"accrual:{programme_id}:{day.isoformat()}:{currency}"
        book = EntryBuilder(
            day, f"Interest accrued on external loans as of {day}", ACCRUAL_SOURCE, key
        )
        book.move(RECEIVABLE, INCOME, Money.from_minor(int(total), currency), "accrued interest")
        post_entry(conn, int(programme_id), book.build(), actor)
    return loans
