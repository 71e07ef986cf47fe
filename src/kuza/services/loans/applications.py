"""Applying for a loan, and the checker's decision (maker-checker).

Gates: a programme lists what a member must have done before borrowing in
``programme.settings["loan_gates"]``, per loan kind, e.g.
``{"external": ["credit_training"], "in_kind": ["credit_training"]}``. Each gate name is
checked by a function registered with :func:`register_gate`; ``credit_training`` asks
the training module whether the member completed the programme's credit module. A gate
with no registered check fails closed: the loan is refused, saying the gate cannot be
checked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, insert, update

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import loan, partner
from kuza.domain.errors import DomainError, NotFound, RuleViolation
from kuza.domain.loans.book import (
    Application,
    Appraisal,
    LoanKind,
    LoanSource,
    Product,
    application_problems,
    loan_terms,
)
from kuza.domain.loans.lifecycle import LoanEvent, LoanStatus, next_status
from kuza.domain.loans.schedule import build_schedule
from kuza.domain.money import Money
from kuza.services import audit
from kuza.services.groups import load_group, members_on
from kuza.services.loans.store import (
    accounts_for,
    balance,
    load_loan,
    load_product,
    loan_cycle,
    member_savings,
    product_active,
    snapshot,
    status_of,
)
from kuza.services.programmes import programme_row
from kuza.services.training import credit_gate_passed_in

GateCheck = Callable[[Connection, int, int, date], bool]  # (conn, programme, member, on)
GATES: dict[str, GateCheck] = {
    "credit_training": lambda conn, _programme, member_id, _on: credit_gate_passed_in(
        conn, member_id
    ),
}


def register_gate(name: str, check: GateCheck) -> None:
    GATES[name] = check


@dataclass(frozen=True)
class LoanRequest:
    group_id: int
    member_id: int
    product_id: int
    amount: str
    applied_on: date
    purpose: str = ""
    source: LoanSource | None = None  # default: internal for internal products, programme
    partner_id: int | None = None
    monthly_revenue: str | None = None
    monthly_costs: str | None = None
    goods_description: str | None = None
    goods_supplier: str | None = None
    grant: bool = False


def _gate_problems(
    conn: Connection,
    programme_id: int,
    settings: Mapping[str, Any],
    kind: LoanKind,
    member_id: int,
    on: date,
) -> list[RuleViolation]:
    gates = (settings.get("loan_gates") or {}).get(kind.value) or []
    problems = []
    for gate in gates:
        check = GATES.get(gate)
        if check is None:
            problems.append(
                RuleViolation(
                    "gate %(gate)s cannot be checked yet: no check registered",
                    "gate",
                    gate=repr(gate),
                )
            )
        elif not check(conn, programme_id, member_id, on):
            problems.append(
                RuleViolation(
                    "member %(member_id)s has not passed %(gate)s yet",
                    field="gate",
                    member_id=member_id,
                    gate=repr(gate),
                )
            )
    return problems


def _appraisal(req: LoanRequest, cur: str) -> Appraisal | None:
    if req.monthly_revenue is None and req.monthly_costs is None:
        return None
    revenue = Money.of(req.monthly_revenue or "0", cur, "monthly_revenue")
    costs = Money.of(req.monthly_costs or "0", cur, "monthly_costs")
    if revenue.is_negative() or costs.is_negative():
        raise DomainError("revenue and costs cannot be negative", field="monthly_revenue")
    return Appraisal(req.purpose, revenue, costs)


def _source(req: LoanRequest, product: Product) -> LoanSource:
    if product.kind is LoanKind.INTERNAL:
        if req.source not in (None, LoanSource.INTERNAL):
            raise DomainError("an internal loan comes from the group fund", field="source")
        return LoanSource.INTERNAL
    source = req.source or LoanSource.PROGRAMME
    if source is LoanSource.INTERNAL:
        raise DomainError("this product lends from the loan fund, not the group", "source")
    if (source is LoanSource.PARTNER) != (req.partner_id is not None):
        raise DomainError("give partner_id exactly when the source is a partner", "partner_id")
    return source


def apply(db: Database, req: LoanRequest, actor: str, today: date) -> int:
    """Record an application after every rule the maker can check; returns the loan id."""
    if req.applied_on > today:
        raise RuleViolation(
            "%(applied_on)s is in the future", field="applied_on", applied_on=req.applied_on
        )
    with db.transaction() as conn:
        group = load_group(conn, req.group_id)
        prog = programme_row(conn, group.programme_id)
        product = load_product(conn, group.programme_id, req.product_id)
        cur = group.currency
        principal = Money.of(req.amount, cur)
        if req.member_id not in members_on(conn, group.id, req.applied_on):
            raise RuleViolation(
                "member %(member_id)s is not in group %(group_name)s on %(applied_on)s",
                field="member_id",
                member_id=req.member_id,
                group_name=group.name,
                applied_on=req.applied_on,
            )
        source = _source(req, product)
        if req.partner_id is not None:
            found = conn.execute(
                partner.select().where(
                    partner.c.id == req.partner_id, partner.c.programme_id == group.programme_id
                )
            ).first()
            if found is None:
                raise NotFound(
                    "no partner %(partner_id)s", field="partner_id", partner_id=req.partner_id
                )
        if product.kind is LoanKind.IN_KIND and not (req.goods_description or "").strip():
            raise DomainError("describe the goods given", field="goods_description")
        accounts = accounts_for(product.kind, group.id, req.member_id)
        cycle = loan_cycle(conn, req.member_id, product.kind)
        appraisal = _appraisal(req, cur)
        schedule = None
        if principal.amount > 0 and not req.grant:
            schedule = build_schedule(loan_terms(product.terms, principal, req.applied_on))
        application = Application(
            kind=product.kind,
            principal=principal,
            cycle=cycle,
            savings=member_savings(conn, group.programme_id, group.id, req.member_id, cur),
            fund_cash=balance(conn, group.programme_id, accounts.cash, cur),
            grant=req.grant,
            appraisal=appraisal,
        )
        problems = application_problems(application, product, schedule)
        problems += _gate_problems(
            conn,
            group.programme_id,
            prog.settings or {},
            product.kind,
            req.member_id,
            req.applied_on,
        )
        if problems:
            raise problems[0]
        terms = {k: v for k, v in product.terms.items()}
        terms.update(principal=str(principal.amount), currency=cur)
        values = {
            "programme_id": group.programme_id,
            "group_id": group.id,
            "member_id": req.member_id,
            "product_id": product.id,
            "kind": product.kind.value,
            "source": source.value,
            "partner_id": req.partner_id,
            "principal_minor": principal.minor,
            "currency": cur,
            "terms": terms,
            "status": LoanStatus.APPLIED.value,
            "loan_cycle": cycle,
            "grant": req.grant,
            "purpose": req.purpose,
            "monthly_revenue_minor": appraisal.monthly_revenue.minor if appraisal else None,
            "monthly_costs_minor": appraisal.monthly_costs.minor if appraisal else None,
            "goods_description": req.goods_description,
            "goods_supplier": req.goods_supplier,
            "guarantee_minor": 0,
            "applied_on": req.applied_on,
            "applied_by": actor,
            "note": "",
        }
        loan_id = int(conn.execute(insert(loan).values(**values).returning(loan.c.id)).scalar_one())
        audit.record(
            conn,
            group.programme_id,
            actor,
            "apply",
            "loan",
            loan_id,
            None,
            {k: v for k, v in values.items() if not k.endswith("_on")} | {"cycle": cycle},
        )
        return loan_id


def _decide(
    db: Database, loan_id: int, event: LoanEvent, on: date, actor: str, note: str, today: date
) -> LoanStatus:
    if on > today:
        raise RuleViolation("%(on)s is in the future", field="on", on=on)
    with db.transaction() as conn:
        row = load_loan(conn, loan_id)
        new = next_status(status_of(row), event)
        if event in (LoanEvent.APPROVE, LoanEvent.REJECT) and actor == row.applied_by:
            raise RuleViolation(
                (
                    "%(actor)s recorded this application and cannot also decide "
                    "it: another officer must check it (maker-checker)"
                ),
                field="actor",
                actor=actor,
            )
        if on < row.applied_on:
            raise RuleViolation(
                "%(on)s is before the application (%(applied_on)s)",
                "on",
                on=on,
                applied_on=row.applied_on,
            )
        if event is LoanEvent.APPROVE and not product_active(conn, row.product_id):
            raise RuleViolation(
                "this loan's product is switched off: no new approvals with it "
                "(reject the application, or switch the product on again)",
                field="product_id",
            )
        values: dict[str, Any] = {"status": new.value}
        if event is LoanEvent.UNDO_APPROVAL:
            values |= {"decided_on": None, "decided_by": None}
        elif event is not LoanEvent.WITHDRAW:
            values |= {"decided_on": on, "decided_by": actor}
        if note:
            values["note"] = note
        conn.execute(update(loan).where(loan.c.id == row.id).values(**values))
        audit.record(
            conn,
            row.programme_id,
            actor,
            event.value,
            "loan",
            row.id,
            snapshot(row),
            {"status": new.value, "on": on.isoformat(), "note": note},
        )
        return new


def approve(db: Database, loan_id: int, on: date, actor: str, today: date) -> LoanStatus:
    """The checker approves; she must not be the officer who recorded the application."""
    return _decide(db, loan_id, LoanEvent.APPROVE, on, actor, "", today)


def reject(
    db: Database, loan_id: int, on: date, reason: str, actor: str, today: date
) -> LoanStatus:
    if not reason.strip():
        raise DomainError("say why the loan is rejected", field="reason")
    return _decide(db, loan_id, LoanEvent.REJECT, on, actor, reason, today)


def withdraw(
    db: Database, loan_id: int, on: date, reason: str, actor: str, today: date
) -> LoanStatus:
    """The member no longer wants the loan (before disbursement)."""
    return _decide(db, loan_id, LoanEvent.WITHDRAW, on, actor, reason, today)


def undo_approval(
    db: Database, loan_id: int, on: date, reason: str, actor: str, today: date
) -> LoanStatus:
    """Back to applied before disbursement (a mistaken approval); a checker other than
    the applicant must approve it again."""
    if not reason.strip():
        raise DomainError("say why the approval is undone", field="reason")
    return _decide(db, loan_id, LoanEvent.UNDO_APPROVAL, on, actor, reason, today)
