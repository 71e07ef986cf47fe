"""Small forms of the member, loan and approval pages: what was typed, read back, and
where a service error belongs (the input it names, else the top of the form)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from kuza.adapters.db.engine import Database
from kuza.domain.access import Principal, Role
from kuza.domain.errors import DomainError
from kuza.services import users


@dataclass(frozen=True)
class FormState:
    """One form of a page: its name (several forms share a page), the values typed and
    the error to show, with ``key`` the input it names (``form`` when none does)."""

    name: str
    values: dict[str, str] = field(default_factory=dict)
    message: str = ""
    key: str = "form"

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def error_on(self, name: str) -> str:
        return self.message if self.message and self.key == name else ""


def failed(name: str, values: dict[str, str], err: DomainError) -> FormState:
    """The error beside the input it names; a nested name (``lines[0].amount``) or an
    unknown one goes to the top of the form."""
    where = (err.field or "").rsplit(".", 1)[-1]
    return FormState(name, values, err.message, where if where in values else "form")


def day(raw: str, name: str = "on") -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise DomainError("give a date like 2026-03-02", field=name) from None


def whole(raw: str, name: str) -> int:
    if not raw.isdigit() or len(raw) > 9:
        raise DomainError("choose one from the list", field=name)
    return int(raw)


def scope(db: Database, user: Principal) -> set[int] | None:
    """The groups whose records this user sees; None for an admin (every group)."""
    return None if user.role is Role.ADMIN else users.visible_group_ids(db, user)
