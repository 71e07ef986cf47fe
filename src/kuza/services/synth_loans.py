"""The loan step of ``kuza synth``: internal loans from the group fund and external loans
from the programme's loan fund, with their schedules, repayments and some arrears.

Each group's loans are drawn from their own seeded stream, capped by what the group's
cash holds once its meetings are booked, so both paths make the same loans:

- ``service``: fund_loan_fund, apply, approve (another officer), disburse and repay, one
  command per transaction, as the office would;
- ``bulk``: the same schedules (``build_schedule``), allocations (``allocate_repayment``)
  and entries (``EntryBuilder``) computed in Python, written set-based in one transaction
  per batch of groups, the running balances moved once by one aggregate ``UPDATE``.

Good payers (80%) pay every instalment fallen due by the end of history on its due date;
the others stop after a few, so ``kuza close-day`` finds them in arrears.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, select

from kuza.adapters.db.bulk import ENTRY_COLS, LINE_COLS, hold, reserve_ids, write_rows
from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    audit_log,
    journal_entry,
    journal_line,
    ledger_account,
    loan,
    loan_instalment,
    loan_transaction,
    membership,
    savings_group,
)
from kuza.domain.ledger import AccountCode, AccountKey, EntryBuilder, JournalEntry
from kuza.domain.loans.allocation import Allocation, Due, allocate_repayment
from kuza.domain.loans.book import LoanKind, LoanSource, loan_terms, order_from
from kuza.domain.loans.lifecycle import LoanStatus
from kuza.domain.loans.schedule import Schedule, build_schedule
from kuza.domain.money import Money
from kuza.services.ledger import account_ids, now

CURRENCY = "KES"
MAKER = "synth"
CHECKER = "synth-checker"
INTERNAL_TERMS: dict[str, Any] = {
    "rate": {"percent": "1", "per": "month"},
    "method": "flat",
    "instalments": 4,
    "every": {"n": 1, "unit": "month"},
}
EXTERNAL_TERMS: dict[str, Any] = {
    "rate": {"percent": "1.5", "per": "month"},
    "method": "flat",
    "instalments": 6,
    "every": {"n": 1, "unit": "month"},
}
PRODUCTS: tuple[dict[str, Any], ...] = (
    {
        "name": "Synth group loan",
        "kind": "internal",
        "terms": INTERNAL_TERMS,
        "penalty": {"flat": "50", "after_days": 3},
    },
    {
        "name": "Synth enterprise loan",
        "kind": "external",
        "terms": EXTERNAL_TERMS,
        "penalty": {"percent": "5", "after_days": 7},
    },
)
REVENUE, COSTS = Decimal(10000), Decimal(3000)  # the appraisal of every external loan


@dataclass(frozen=True)
class LoanPlan:
    member: int  # index into the group's members
    kind: LoanKind
    principal: Decimal
    on: date  # applied, approved and disbursed
    pays: int  # instalments paid, each in full on its due date


def plan_loans(
    seed: int, index: int, members: int, formed_on: date, end: date, group_cash_minor: int
) -> list[LoanPlan]:
    """A group's loans, all handed out at one of its meetings: internal ones within 80%
    of its cash, external ones funded by the programme."""
    rng = random.Random(f"{seed}:loans:{index}")
    on = formed_on + timedelta(weeks=rng.randint(1, 6))
    room = group_cash_minor * 8 // 10
    plans: list[LoanPlan] = []
    for m in range(members):
        for kind, share, low, high, step in (
            (LoanKind.INTERNAL, 0.3, 1, 6, 500),
            (LoanKind.EXTERNAL, 0.6, 2, 20, 1000),
        ):
            if rng.random() >= share:
                continue
            principal = Decimal(step * rng.randint(low, high))
            good = rng.random() < 0.8
            stop = rng.randint(0, 3)
            if on > end:
                continue
            if kind is LoanKind.INTERNAL:
                if principal * 100 > room:
                    continue
                room -= int(principal * 100)
            schedule, _ = _repayments(kind, int(principal * 100), on)
            due = sum(1 for i in schedule.instalments if i.due_on <= end)
            plans.append(LoanPlan(m, kind, principal, on, due if good else min(due, stop)))
    return plans


@lru_cache(maxsize=65536)
def _repayments(
    kind: LoanKind, principal_minor: int, on: date
) -> tuple[Schedule, tuple[Allocation, ...]]:
    """The schedule and, instalment after instalment, what paying each one settles.
    Amounts come in steps of 100 and dates in a window, so most loans share one."""
    terms = INTERNAL_TERMS if kind is LoanKind.INTERNAL else EXTERNAL_TERMS
    schedule = build_schedule(loan_terms(terms, Money.from_minor(principal_minor, CURRENCY), on))
    zero = Money.zero(CURRENCY)
    dues = [Due(i.n, i.due_on, i.principal, i.interest, i.fees, zero) for i in schedule.instalments]
    allocations = []
    for inst in schedule.instalments:
        alloc = allocate_repayment(inst.total, dues, order_from(None))
        allocations.append(alloc)
        dues = list(alloc.remaining)
    return schedule, tuple(allocations)


def create_products(db: Database, pid: int) -> dict[LoanKind, int]:
    from kuza.services.loans import products

    return {LoanKind(p["kind"]): products.create_product(db, pid, p, MAKER) for p in PRODUCTS}


def loaded_groups(db: Database, pid: int) -> list[tuple[int, list[int], int]]:
    """(group id, member ids, group cash in minor units) in creation order."""
    with db.read() as conn:
        gids = list(
            conn.execute(
                select(savings_group.c.id)
                .where(savings_group.c.programme_id == pid)
                .order_by(savings_group.c.id)
            ).scalars()
        )
        members: dict[int, list[int]] = {g: [] for g in gids}
        for gid, mid in conn.execute(
            select(membership.c.group_id, membership.c.member_id)
            .where(membership.c.programme_id == pid)
            .order_by(membership.c.id)
        ):
            members[gid].append(mid)
        cash = dict(
            conn.execute(
                select(ledger_account.c.group_id, ledger_account.c.balance_minor).where(
                    ledger_account.c.programme_id == pid,
                    ledger_account.c.code == AccountCode.GROUP_CASH.value,
                    ledger_account.c.member_id.is_(None),
                )
            ).all()
        )
    return [(g, members[g], int(cash.get(g, 0))) for g in gids]


def _request(gid: int, mid: int, product_id: int, lp: LoanPlan) -> Any:
    from kuza.services.loans.applications import LoanRequest

    external = lp.kind is not LoanKind.INTERNAL
    return LoanRequest(
        group_id=gid,
        member_id=mid,
        product_id=product_id,
        amount=str(lp.principal),
        applied_on=lp.on,
        purpose="enterprise" if external else "",
        monthly_revenue=str(REVENUE) if external else None,
        monthly_costs=str(COSTS) if external else None,
    )


def _fund_reference(gid: int) -> str:
    return f"synth-group-{gid}"


def _repay_reference(loan_id: int, n: int) -> str:
    return f"synth:{loan_id}:{n}"


def service_loans(
    db: Database,
    pid: int,
    gid: int,
    mids: Sequence[int],
    plans: Sequence[LoanPlan],
    product_ids: dict[LoanKind, int],
    today: date,
) -> int:
    """Book ``plans`` through the real loan services; returns the number of loans."""
    from kuza.services.loans import applications, disbursement, products, repayments

    external = sum((p.principal for p in plans if p.kind is LoanKind.EXTERNAL), Decimal(0))
    if external:
        first = min(p.on for p in plans if p.kind is LoanKind.EXTERNAL)
        products.fund_loan_fund(db, pid, str(external), first, _fund_reference(gid), MAKER)
    ids = []
    for lp in plans:
        req = _request(gid, mids[lp.member], product_ids[lp.kind], lp)
        loan_id = applications.apply(db, req, MAKER, today)
        applications.approve(db, loan_id, lp.on, CHECKER, today)
        disbursement.disburse(db, loan_id, lp.on, MAKER, today)
        ids.append(loan_id)
    for loan_id, lp in zip(ids, plans, strict=True):
        schedule, _ = _repayments(lp.kind, int(lp.principal * 100), lp.on)
        for inst in schedule.instalments[: lp.pays]:
            amount = str(inst.total.amount)
            ref = _repay_reference(loan_id, inst.n)
            repayments.repay(db, loan_id, amount, inst.due_on, ref, MAKER, today)
    return len(plans)


LOAN_COLS = (
    "id",
    "programme_id",
    "group_id",
    "member_id",
    "product_id",
    "kind",
    "source",
    "principal_minor",
    "currency",
    "terms",
    "status",
    "loan_cycle",
    "grant",
    "purpose",
    "monthly_revenue_minor",
    "monthly_costs_minor",
    "guarantee_minor",
    "applied_on",
    "applied_by",
    "decided_on",
    "decided_by",
    "disbursed_on",
    "disbursed_by",
    "closed_on",
    "closed_by",
    "note",
)
INST_COLS = (
    "programme_id",
    "loan_id",
    "n",
    "due_on",
    "principal_minor",
    "interest_minor",
    "fee_minor",
    "penalty_minor",
    "principal_paid_minor",
    "interest_paid_minor",
    "fee_paid_minor",
    "penalty_paid_minor",
    "principal_written_off_minor",
)
TX_COLS = (
    "programme_id",
    "loan_id",
    "kind",
    "on_date",
    "amount_minor",
    "currency",
    "principal_minor",
    "interest_minor",
    "fee_minor",
    "penalty_minor",
    "overpaid_minor",
    "allocation",
    "entry_id",
    "reference",
    "created_at",
    "created_by",
)
AUDIT_COLS = (
    "programme_id",
    "at",
    "actor",
    "action",
    "object_kind",
    "object_id",
    "before",
    "after",
)


Posting_ = tuple[AccountKey, int, str]  # account, minor units, line memo
Entry_ = tuple[date, str, str, str, str, list[Posting_]]  # on, memo, source, key, actor


class _Batch:
    """Rows of one bulk batch, with entry ids handed out as the entries are built."""

    def __init__(self, pid: int, at: Any) -> None:
        self.pid, self.at = pid, at
        self.entries: list[Entry_] = []
        self.loans: list[tuple[Any, ...]] = []
        self.instalments: list[tuple[Any, ...]] = []
        self.txs: list[tuple[Any, ...]] = []  # entry index in place of the id
        self.audit: list[tuple[Any, ...]] = []

    def entry(self, built: JournalEntry, actor: str) -> int:
        postings = [(p.account, p.amount.minor, p.memo) for p in built.postings]
        self.entries.append(
            (built.posted_on, built.memo, built.source, built.key or "", actor, postings)
        )
        return len(self.entries) - 1

    def log(self, actor: str, action: str, kind: str, oid: object, before: Any, after: Any) -> None:
        self.audit.append((self.pid, self.at, actor, action, kind, str(oid), before, after))


def _snapshot(principal_minor: int, product_id: int, member_id: int, status: str) -> Any:
    return {
        "status": status,
        "principal": str(Money.from_minor(principal_minor, CURRENCY).amount),
        "product_id": product_id,
        "member_id": member_id,
    }


def _fund(b: _Batch, amount: Decimal, on: date, reference: str) -> None:
    money = Money.of(amount, CURRENCY)
    key = f"loan-fund:{reference}"
    book = EntryBuilder(on, "Capital into the loan fund", "loan-fund", key)
    book.move(
        AccountKey(AccountCode.LOAN_FUND_CASH), AccountKey(AccountCode.LOAN_FUND_CAPITAL), money
    )
    n = b.entry(book.build(), MAKER)
    b.log(MAKER, "fund", "loan_fund", b.pid, None, {"amount": str(money.amount), "entry": n})


ROLES = ("receivable", "cash", "interest", "fees")
_PLACEHOLDER = -1  # group and member of the template's accounts


@dataclass(frozen=True)
class _Repayment:
    n: int  # the instalment it pays
    on: date
    amount: int
    parts: tuple[int, int, int]  # principal, interest, fees
    allocation: tuple[tuple[int, int, int, int, int], ...]  # n, principal, interest, fees, pen.
    postings: tuple[tuple[str, int, str], ...]  # role, minor units, memo
    closes: bool


@dataclass(frozen=True)
class _Template:
    """What a loan of (kind, principal, day, instalments paid) books, with its accounts as
    roles: the same for every such loan, so it is built once with the domain functions."""

    disbursement: tuple[tuple[str, int, str], ...]
    repayments: tuple[_Repayment, ...]
    instalments: tuple[tuple[Any, ...], ...]  # n, due_on, p, i, f, p paid, i paid, f paid


def _roles(acc: Any) -> dict[AccountKey, str]:
    return {getattr(acc, r): r for r in ROLES}


@lru_cache(maxsize=65536)
def _template(kind: LoanKind, principal_minor: int, on: date, pays: int) -> _Template:
    from kuza.services.loans.store import accounts_for

    schedule, allocations = _repayments(kind, principal_minor, on)
    acc = accounts_for(kind, _PLACEHOLDER, _PLACEHOLDER)
    role = _roles(acc)
    book = EntryBuilder(on, "", "", "")
    book.move(acc.receivable, acc.cash, schedule.net_disbursed, "cash")
    book.move(acc.receivable, acc.fees, schedule.upfront_fees, "fees deducted")
    disbursement = tuple((role[p.account], p.amount.minor, p.memo) for p in book.build().postings)
    paid = [(0, 0, 0)] * len(schedule.instalments)
    repayments = []
    for inst, alloc in zip(schedule.instalments[:pays], allocations, strict=False):
        parts = (
            sum(d.principal.minor for d in alloc.paid),
            sum(d.interest.minor for d in alloc.paid),
            sum(d.fees.minor for d in alloc.paid),
        )
        for i, d in enumerate(alloc.paid):
            p = paid[i]
            paid[i] = (p[0] + d.principal.minor, p[1] + d.interest.minor, p[2] + d.fees.minor)
        book = EntryBuilder(inst.due_on, "", "", "")
        for amount, credit, memo in zip(
            parts,
            (acc.receivable, acc.interest, acc.fees),
            ("principal", "interest", "fees"),
            strict=True,
        ):
            book.move(acc.cash, credit, Money.from_minor(amount, CURRENCY), memo)
        repayments.append(
            _Repayment(
                inst.n,
                inst.due_on,
                inst.total.minor,
                parts,
                tuple(
                    (d.n, d.principal.minor, d.interest.minor, d.fees.minor, d.penalties.minor)
                    for d in alloc.paid
                    if not d.total.is_zero()
                ),
                tuple((role[p.account], p.amount.minor, p.memo) for p in book.build().postings),
                all(d.total.is_zero() for d in alloc.remaining),
            )
        )
    instalments = tuple(
        (i.n, i.due_on, i.principal.minor, i.interest.minor, i.fees.minor, *done)
        for i, done in zip(schedule.instalments, paid, strict=True)
    )
    return _Template(disbursement, tuple(repayments), instalments)


def _loan(b: _Batch, loan_id: int, gid: int, mid: int, product_id: int, lp: LoanPlan) -> None:
    from kuza.services.loans.store import accounts_for

    principal = Money.of(lp.principal, CURRENCY)
    t = _template(lp.kind, principal.minor, lp.on, lp.pays)
    acc = accounts_for(lp.kind, gid, mid)
    keys = {r: getattr(acc, r) for r in ROLES}
    external = lp.kind is not LoanKind.INTERNAL
    source = LoanSource.PROGRAMME if external else LoanSource.INTERNAL
    terms = {**(EXTERNAL_TERMS if external else INTERNAL_TERMS)}
    terms.update(principal=str(principal.amount), currency=CURRENCY)
    purpose = "enterprise" if external else ""
    revenue = int(REVENUE * 100) if external else None
    costs = int(COSTS * 100) if external else None
    applied = {
        "programme_id": b.pid,
        "group_id": gid,
        "member_id": mid,
        "product_id": product_id,
        "kind": lp.kind.value,
        "source": source.value,
        "partner_id": None,
        "principal_minor": principal.minor,
        "currency": CURRENCY,
        "terms": terms,
        "status": LoanStatus.APPLIED.value,
        "loan_cycle": 1,
        "grant": False,
        "purpose": purpose,
        "monthly_revenue_minor": revenue,
        "monthly_costs_minor": costs,
        "goods_description": None,
        "goods_supplier": None,
        "guarantee_minor": 0,
        "applied_by": MAKER,
        "note": "",
    }
    b.log(MAKER, "apply", "loan", loan_id, None, applied | {"cycle": 1})
    snap = _snapshot(principal.minor, product_id, mid, LoanStatus.APPLIED.value)
    b.log(CHECKER, "approve", "loan", loan_id, snap, {"status": "approved", "on": str(lp.on)})
    key = f"loan:{loan_id}:disbursement"
    memo = f"Loan {loan_id} disbursed to member {mid}"
    postings = [(keys[r], amount, m) for r, amount, m in t.disbursement]
    b.entries.append((lp.on, memo, key, key, MAKER, postings))
    n = len(b.entries) - 1
    b.txs.append(
        (loan_id, "disbursement", lp.on, principal.minor, principal.minor, 0, 0, 0, 0, None, n, key)
    )
    b.log(MAKER, "disburse", "loan", loan_id, {**snap, "status": "approved"}, {"entry": n})
    status, closed_on = LoanStatus.DISBURSED, None
    for r in t.repayments:
        ref = _repay_reference(loan_id, r.n)
        postings = [(keys[role], amount, m) for role, amount, m in r.postings]
        b.entries.append(
            (
                r.on,
                f"Repayment of loan {loan_id}",
                f"loan:{loan_id}",
                f"loan-repayment:{ref}",
                MAKER,
                postings,
            )
        )
        n = len(b.entries) - 1
        if r.closes:
            status, closed_on = LoanStatus.CLOSED, r.on
        allocation = [
            {"n": a[0], "principal": a[1], "interest": a[2], "fees": a[3], "penalties": a[4]}
            for a in r.allocation
        ]
        b.txs.append((loan_id, "repayment", r.on, r.amount, *r.parts, 0, 0, allocation, n, ref))
        b.log(MAKER, "repay", "loan", loan_id, snap, {"status": status.value, "entry": n})
    b.loans.append(
        (
            loan_id,
            b.pid,
            gid,
            mid,
            product_id,
            lp.kind.value,
            source.value,
            principal.minor,
            CURRENCY,
            {**terms, "disbursed_on": lp.on.isoformat()},
            status.value,
            1,
            False,
            purpose,
            revenue,
            costs,
            0,
            lp.on,
            MAKER,
            lp.on,
            CHECKER,
            lp.on,
            MAKER,
            closed_on,
            MAKER if closed_on else None,
            "",
        )
    )
    b.instalments.extend((b.pid, loan_id, *i[:5], 0, *i[5:], 0, 0) for i in t.instalments)


def book_loans(
    db: Database,
    pid: int,
    groups: Sequence[tuple[int, Sequence[int], Sequence[LoanPlan]]],
    product_ids: dict[LoanKind, int],
) -> int:
    """Book the loans of a batch of groups (group id, member ids, plans) set-based."""
    count = sum(len(plans) for _, _, plans in groups)
    if not count:
        return 0
    b = _Batch(pid, now())
    with db.transaction() as conn:
        hold(conn, journal_entry, loan)
        first_loan = reserve_ids(conn, loan, count)
        loan_id = first_loan
        for gid, mids, plans in groups:
            external = [p for p in plans if p.kind is LoanKind.EXTERNAL]
            if external:
                total = sum((p.principal for p in external), Decimal(0))
                _fund(b, total, min(p.on for p in external), _fund_reference(gid))
            for lp in plans:
                _loan(b, loan_id, gid, mids[lp.member], product_ids[lp.kind], lp)
                loan_id += 1
        _write(conn, b)
    return count


def _write(conn: Connection, b: _Batch) -> None:
    ids = account_ids(conn, b.pid, ((k, CURRENCY) for e in b.entries for k, _, _ in e[5]))
    first = reserve_ids(conn, journal_entry, len(b.entries))
    write_rows(
        conn,
        journal_entry,
        ENTRY_COLS,
        (
            (first + n, b.pid, on, memo, source, key, b.at, actor)
            for n, (on, memo, source, key, actor, _) in enumerate(b.entries)
        ),
    )
    write_rows(
        conn,
        journal_line,
        LINE_COLS,
        (
            (b.pid, first + n, ids[k], minor, CURRENCY, memo)
            for n, e in enumerate(b.entries)
            for k, minor, memo in e[5]
        ),
    )
    write_rows(conn, loan, LOAN_COLS, b.loans)
    write_rows(conn, loan_instalment, INST_COLS, b.instalments)
    write_rows(
        conn,
        loan_transaction,
        TX_COLS,
        ((b.pid, *t[:4], CURRENCY, *t[4:10], first + t[10], t[11], b.at, MAKER) for t in b.txs),
    )

    def entry_ids(after: Any) -> Any:
        if isinstance(after, dict) and "entry" in after:
            after = {k: v for k, v in after.items() if k != "entry"} | {
                "entry_id": first + after["entry"]
            }
        return after

    write_rows(conn, audit_log, AUDIT_COLS, ((*a[:7], entry_ids(a[7])) for a in b.audit))
    from kuza.services.synth_bulk import move_balances

    move_balances(conn, first, first + len(b.entries) - 1)
