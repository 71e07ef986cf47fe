"""Organisation: programmes, branches, field agents, partners.

Setting one up is refused with a message naming the field when a name or code is empty,
too long or already taken (a programme's code or name anywhere, a branch's name in its
programme, a field agent's name in her branch), the currency is not one Kuza knows
(ISO 4217, :data:`kuza.domain.money.MINOR_UNITS`) or the country not a two-letter code;
nothing is written then. Each write is one transaction with its audit line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import branch, field_agent, partner, programme, user_account
from kuza.domain.errors import Conflict, DomainError, NotFound
from kuza.domain.money import minor_units
from kuza.services import audit

NAME_MAX = 200
CODE_MAX = 40
PHONE_MAX = 40


@dataclass(frozen=True)
class ProgrammeRow:
    id: int
    code: str
    name: str
    country: str
    currency: str
    branches: int


@dataclass(frozen=True)
class BranchRow:
    id: int
    programme_id: int
    name: str
    agents: int


@dataclass(frozen=True)
class AgentRow:
    id: int
    programme_id: int
    branch_id: int
    name: str
    phone: str | None
    logins: tuple[str, ...]  # the field-agent accounts that are her (users.agent_id)


def _name(raw: str, field: str = "name") -> str:
    name = raw.strip()
    if not name:
        raise DomainError("name is required", field=field)
    if len(name) > NAME_MAX:
        raise DomainError("a name has at most %(max)s characters", field=field, max=NAME_MAX)
    return name


def _code(raw: str) -> str:
    code = raw.strip()
    if not code:
        raise DomainError("code is required", field="code")
    if len(code) > CODE_MAX or any(c.isspace() for c in code):
        raise DomainError(
            "a code has no spaces and at most %(max)s characters",
            field="code",
            max=CODE_MAX,
        )
    return code


def _phone(raw: str | None) -> str | None:
    phone = (raw or "").strip()
    if not phone:
        return None
    if len(phone) > PHONE_MAX or not phone.lstrip("+").replace(" ", "").isdigit():
        raise DomainError("%(value)s is not a phone number", field="phone", value=repr(phone))
    return phone


def _same_name(column: Any, name: str) -> Any:
    return func.lower(column) == name.lower()


def _name_taken(conn: Connection, table: Table, name: str, *where: Any) -> bool:
    """A row of ``table`` (among those ``where``) has this name, whatever its case."""
    found = conn.execute(select(table.c.id).where(_same_name(table.c.name, name), *where))
    return found.first() is not None


def _how_many(table: Table, *where: Any) -> Any:
    """The count of ``table``'s rows ``where``, as a column of the outer query."""
    return select(func.count()).select_from(table).where(*where).scalar_subquery()


def create_programme(
    db: Database,
    code: str,
    name: str,
    country: str,
    currency: str,
    settings: dict[str, Any] | None = None,
    actor: str = "system",
) -> int:
    code, name = _code(code), _name(name)
    currency = currency.strip().upper()
    minor_units(currency)  # refuses unknown currencies
    country = country.strip()
    if len(country) != 2 or not country.isascii() or not country.isalpha():
        raise DomainError("country must be an ISO 3166 two-letter code", field="country")
    with db.transaction() as conn:
        if conn.execute(select(programme.c.id).where(programme.c.code == code)).first():
            raise Conflict("programme %(code)s already exists", field="code", code=repr(code))
        if _name_taken(conn, programme, name):
            raise Conflict(
                "a programme named %(name)s already exists", field="name", name=repr(name)
            )
        try:
            pid = conn.execute(
                insert(programme)
                .values(
                    code=code,
                    name=name,
                    country=country.upper(),
                    currency=currency,
                    settings=settings or {},
                )
                .returning(programme.c.id)
            ).scalar_one()
        except IntegrityError:  # the same code created at the same moment
            raise Conflict(
                "programme %(code)s already exists", field="code", code=repr(code)
            ) from None
        audit.record(conn, pid, actor, "create", "programme", pid, None, {"code": code})
        return int(pid)


def programme_row(conn: Connection, programme_id: int) -> Any:
    row = conn.execute(select(programme).where(programme.c.id == programme_id)).first()
    if row is None:
        raise NotFound(
            "no programme %(programme_id)s", field="programme_id", programme_id=programme_id
        )
    return row


def branch_row(conn: Connection, branch_id: int, programme_id: int | None = None) -> Any:
    """The branch (in ``programme_id`` when given); absent alike when not there."""
    query = select(branch).where(branch.c.id == branch_id)
    if programme_id is not None:
        query = query.where(branch.c.programme_id == programme_id)
    row = conn.execute(query).first()
    if row is None:
        raise NotFound(
            "no branch %(branch_id)s in this programme", field="branch_id", branch_id=branch_id
        )
    return row


def create_branch(db: Database, programme_id: int, name: str, actor: str = "system") -> int:
    name = _name(name)
    with db.transaction() as conn:
        programme_row(conn, programme_id)
        if _name_taken(conn, branch, name, branch.c.programme_id == programme_id):
            raise Conflict(
                "branch %(name)s already exists in this programme", field="name", name=repr(name)
            )
        bid = conn.execute(
            insert(branch).values(programme_id=programme_id, name=name).returning(branch.c.id)
        ).scalar_one()
        audit.record(conn, programme_id, actor, "create", "branch", bid, None, {"name": name})
        return int(bid)


def create_agent(
    db: Database,
    programme_id: int,
    branch_id: int,
    name: str,
    phone: str | None = None,
    actor: str = "system",
) -> int:
    name, phone = _name(name), _phone(phone)
    with db.transaction() as conn:
        branch_row(conn, branch_id, programme_id)
        if _name_taken(conn, field_agent, name, field_agent.c.branch_id == branch_id):
            raise Conflict(
                "field agent %(name)s already works in this branch", field="name", name=repr(name)
            )
        aid = conn.execute(
            insert(field_agent)
            .values(programme_id=programme_id, branch_id=branch_id, name=name, phone=phone)
            .returning(field_agent.c.id)
        ).scalar_one()
        audit.record(
            conn,
            programme_id,
            actor,
            "create",
            "field_agent",
            aid,
            None,
            {"name": name, "branch_id": branch_id},
        )
        return int(aid)


def create_partner(
    db: Database, programme_id: int, name: str, kind: str, actor: str = "system"
) -> int:
    with db.transaction() as conn:
        pid = conn.execute(
            insert(partner)
            .values(programme_id=programme_id, name=name, kind=kind)
            .returning(partner.c.id)
        ).scalar_one()
        audit.record(conn, programme_id, actor, "create", "partner", pid, None, {"name": name})
        return int(pid)


def change_settings(
    db: Database, programme_id: int, changes: dict[str, Any], actor: str = "system"
) -> dict[str, Any]:
    """Set top-level programme settings (e.g. ``training``, ``loan_gates``), audited."""
    with db.transaction() as conn:
        before = dict(programme_row(conn, programme_id).settings or {})
        after = before | changes
        conn.execute(update(programme).where(programme.c.id == programme_id).values(settings=after))
        audit.record(
            conn, programme_id, actor, "settings", "programme", programme_id, before, after
        )
        return after


# ---- what the set-up pages and routes read ----------------------------------------------
# Each list is a page (``limit``/``offset``) and its total: a synthetic programme has
# hundreds of branches.

Paged = tuple[list[Any], int]


def _page(conn: Connection, query: Any, limit: int, offset: int) -> Paged:
    total = int(conn.execute(select(func.count()).select_from(query.subquery())).scalar_one())
    return list(conn.execute(query.limit(limit).offset(offset)).all()), total


def programme_rows(
    db: Database, only: int | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[ProgrammeRow], int]:
    """Every programme (or the one ``only``) by name, with how many branches it has."""
    count = _how_many(branch, branch.c.programme_id == programme.c.id)
    query = select(
        programme.c.id,
        programme.c.code,
        programme.c.name,
        programme.c.country,
        programme.c.currency,
        count.label("branches"),
    ).order_by(programme.c.name, programme.c.id)
    if only is not None:
        query = query.where(programme.c.id == only)
    with db.read() as conn:
        rows, total = _page(conn, query, limit, offset)
    return [
        ProgrammeRow(r.id, r.code, r.name, r.country, r.currency, r.branches) for r in rows
    ], total


def programme_of(db: Database, programme_id: int) -> ProgrammeRow:
    found = programme_rows(db, programme_id)[0]
    if not found:
        raise NotFound(
            "no programme %(programme_id)s", field="programme_id", programme_id=programme_id
        )
    return found[0]


def branch_rows(
    db: Database, programme_id: int, limit: int = 50, offset: int = 0, only: int | None = None
) -> tuple[list[BranchRow], int]:
    """The programme's branches (or the one ``only``) by name, with their agent counts."""
    count = _how_many(field_agent, field_agent.c.branch_id == branch.c.id)
    query = (
        select(branch.c.id, branch.c.programme_id, branch.c.name, count.label("agents"))
        .where(branch.c.programme_id == programme_id)
        .order_by(branch.c.name, branch.c.id)
    )
    if only is not None:
        query = query.where(branch.c.id == only)
    with db.read() as conn:
        rows, total = _page(conn, query, limit, offset)
    return [BranchRow(r.id, r.programme_id, r.name, r.agents) for r in rows], total


def branch_of(db: Database, branch_id: int) -> BranchRow:
    """404 alike for no branch: the route checks the reader's scope on what it returns."""
    with db.read() as conn:
        row = branch_row(conn, branch_id)
    return branch_rows(db, row.programme_id, only=branch_id)[0][0]


def agent_rows(
    db: Database, branch_id: int, limit: int = 50, offset: int = 0, only: int | None = None
) -> tuple[list[AgentRow], int]:
    """A branch's field agents (or the one ``only``) by name, each with the logins
    linked to her."""
    query = (
        select(field_agent)
        .where(field_agent.c.branch_id == branch_id)
        .order_by(field_agent.c.name, field_agent.c.id)
    )
    if only is not None:
        query = query.where(field_agent.c.id == only)
    links: dict[int, list[str]] = {}
    with db.read() as conn:
        rows, total = _page(conn, query, limit, offset)
        ids = [r.id for r in rows]
        if ids:
            for agent_id, username in conn.execute(
                select(user_account.c.agent_id, user_account.c.username)
                .where(user_account.c.agent_id.in_(ids))
                .order_by(user_account.c.username)
            ):
                links.setdefault(agent_id, []).append(username)
    found = [
        AgentRow(r.id, r.programme_id, r.branch_id, r.name, r.phone, tuple(links.get(r.id, [])))
        for r in rows
    ]
    return found, total
