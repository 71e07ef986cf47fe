"""What the admin pages read and the checked settings change: programmes, their
branches, agents and value chains, accounts, loan products, and programme settings
validated by the parsers that later read them (stability, training, loan gates)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    branch,
    donor_scope,
    field_agent,
    loan_product,
    programme,
    user_account,
    value_chain,
)
from kuza.domain.errors import DomainError, NotFound
from kuza.domain.loans.book import LoanKind
from kuza.domain.stability import StabilityPolicy
from kuza.domain.training import training_rules
from kuza.services import programmes
from kuza.services.loans.applications import GATES

SECTIONS = ("stability", "training", "loan_gates")


@dataclass(frozen=True)
class Choice:
    id: int
    name: str


@dataclass(frozen=True)
class Places:
    """What an account or a donor scope may name in one programme."""

    branches: list[Choice]
    agents: list[Choice]
    value_chains: list[Choice]


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    display_name: str
    role: str
    programme_id: int | None
    branch_id: int | None
    agent_id: int | None
    active: bool


@dataclass(frozen=True)
class ProductRow:
    id: int
    name: str
    kind: str
    terms: dict[str, Any]
    ceilings: dict[str, str]
    savings_multiple: str | None
    guarantee_percent: str | None
    starter: bool
    active: bool


def programme_list(db: Database) -> list[Choice]:
    with db.read() as conn:
        rows = conn.execute(select(programme.c.id, programme.c.name).order_by(programme.c.id))
        return [Choice(r.id, r.name) for r in rows]


def programme_name(db: Database, programme_id: int) -> str:
    with db.read() as conn:
        return str(programmes.programme_row(conn, programme_id).name)


def branch_choice(db: Database, branch_id: int) -> Choice:
    with db.read() as conn:
        row = programmes.branch_row(conn, branch_id)
    return Choice(row.id, row.name)


def places(db: Database, programme_id: int) -> Places:
    with db.read() as conn:
        out = []
        for table in (branch, field_agent, value_chain):
            rows = conn.execute(
                select(table.c.id, table.c.name)
                .where(table.c.programme_id == programme_id)
                .order_by(table.c.name, table.c.id)
            )
            out.append([Choice(r.id, r.name) for r in rows])
    return Places(*out)


def _user_row(r: Any) -> UserRow:
    return UserRow(
        r.id,
        r.username,
        r.display_name,
        r.role,
        r.programme_id,
        r.branch_id,
        r.agent_id,
        bool(r.active),
    )


def user_page(db: Database, limit: int, offset: int = 0) -> tuple[list[UserRow], int]:
    """A page of every account by username (ties by id), and how many there are."""
    query = select(user_account).order_by(user_account.c.username, user_account.c.id)
    with db.read() as conn:
        total = int(conn.execute(select(func.count()).select_from(user_account)).scalar_one())
        rows = conn.execute(query.limit(limit).offset(offset)).all()
    return [_user_row(r) for r in rows], total


def username_of(db: Database, user_id: int) -> str:
    with db.read() as conn:
        name = conn.execute(
            select(user_account.c.username).where(user_account.c.id == user_id)
        ).scalar()
    if name is None:
        raise NotFound("no user %(user_id)s", field="user_id", user_id=user_id)
    return str(name)


def product_list(db: Database, programme_id: int) -> list[ProductRow]:
    with db.read() as conn:
        rows = conn.execute(
            select(loan_product)
            .where(loan_product.c.programme_id == programme_id)
            .order_by(loan_product.c.name, loan_product.c.id)
        )
        return [
            ProductRow(
                r.id,
                r.name,
                r.kind,
                dict(r.terms or {}),
                dict(r.ceilings or {}),
                None if r.savings_multiple is None else str(r.savings_multiple),
                None if r.guarantee_percent is None else str(r.guarantee_percent),
                bool(r.starter),
                bool(r.active),
            )
            for r in rows
        ]


def product(db: Database, programme_id: int, product_id: int) -> ProductRow:
    """One of the programme's loan products; NotFound for another programme's or none."""
    for row in product_list(db, programme_id):
        if row.id == product_id:
            return row
    raise NotFound(
        "no loan product %(product_id)s in this programme", "product_id", product_id=product_id
    )


def settings_of(db: Database, programme_id: int) -> dict[str, Any]:
    with db.read() as conn:
        return dict(programmes.programme_row(conn, programme_id).settings or {})


def gate_names() -> list[str]:
    return sorted(GATES)


def check_loan_gates(raw: object) -> None:
    """``{"external": ["credit_training"], ...}``: known kinds, registered gates only."""
    if not isinstance(raw, Mapping):
        raise DomainError("loan_gates must map a loan kind to a list of gates", "loan_gates")
    kinds = {k.value for k in LoanKind}
    for kind, gates in raw.items():
        if kind not in kinds:
            raise DomainError("unknown loan kind %(kind)s", field="loan_gates", kind=repr(kind))
        if not isinstance(gates, list) or not all(isinstance(g, str) for g in gates):
            raise DomainError("gates are a list of names", field=f"loan_gates.{kind}")
        unknown = sorted(set(gates) - set(GATES))
        if unknown:
            raise DomainError(
                "no check is registered for %(names)s",
                field=f"loan_gates.{kind}",
                names=", ".join(unknown),
            )


def check_settings(settings: Mapping[str, Any]) -> None:
    """Refuse what the readers of these settings would refuse, naming the field."""
    StabilityPolicy.from_settings(settings)
    try:
        training_rules(settings)
    except DomainError as exc:
        field = exc.field or ""
        exc.field = field if field.startswith("training") else f"training.{field}"
        raise
    check_loan_gates(settings.get("loan_gates") or {})


def change_section(
    db: Database, programme_id: int, section: str, value: Any, actor: str
) -> dict[str, Any]:
    """Replace one section of the programme's settings after checking the whole result;
    audited by :func:`kuza.services.programmes.change_settings`."""
    if section not in SECTIONS:
        raise DomainError(
            "unknown settings section %(section)s", field="section", section=repr(section)
        )
    check_settings(settings_of(db, programme_id) | {section: value})
    return programmes.change_settings(db, programme_id, {section: value}, actor)


def account(db: Database, user_id: int) -> UserRow:
    """One account as the admin pages show it; NotFound when absent."""
    with db.read() as conn:
        r = conn.execute(select(user_account).where(user_account.c.id == user_id)).first()
    if r is None:
        raise NotFound("no user %(user_id)s", field="user_id", user_id=user_id)
    return _user_row(r)


def scope_ids(db: Database, user_id: int) -> tuple[list[int], list[int]]:
    """A donor's funded scope: (branch ids, value chain ids); both empty for the whole
    programme or for any other account."""
    with db.read() as conn:
        rows = conn.execute(
            select(donor_scope.c.branch_id, donor_scope.c.value_chain_id).where(
                donor_scope.c.user_id == user_id
            )
        ).all()
    branches = sorted(r.branch_id for r in rows if r.branch_id is not None)
    chains = sorted(r.value_chain_id for r in rows if r.value_chain_id is not None)
    return branches, chains


def change_sections(
    db: Database, programme_id: int, sections: Mapping[str, Any], actor: str
) -> dict[str, Any]:
    """Replace several sections at once (the API's PATCH), checked as one result and
    saved in one audited change: all of them or none."""
    unknown = sorted(set(sections) - set(SECTIONS))
    if unknown:
        raise DomainError(
            "unknown settings section %(value)s", field=unknown[0], value=repr(unknown[0])
        )
    check_settings(settings_of(db, programme_id) | dict(sections))
    return programmes.change_settings(db, programme_id, dict(sections), actor)
