"""Small forms of the member, loan and approval pages: what was typed, read back, and
where a service error belongs (the input it names, else the top of the form)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kuza.adapters.db.engine import Database
from kuza.domain.access import GroupFilter, Principal
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


def scope(db: Database, user: Principal) -> GroupFilter | None:
    """The groups whose records this user sees, as a filter the lists resolve in SQL;
    None for an admin (every group)."""
    return users.group_scope(user)


# The reschedule form's term changes: typed inputs, blank for "unchanged".
TERM_FIELDS = ("instalments", "every_n", "every_unit", "rate_percent", "rate_per", "method",
               "grace_principal", "grace_interest")  # fmt: skip
MAX_EVERY = 52  # every 52 months at most: a longer step runs the schedule past year 9999


def bounded(raw: str, name: str, low: int, high: int) -> int:
    if not raw.isdigit() or len(raw) > 4 or not low <= int(raw) <= high:
        raise DomainError(
            "give a whole number from %(low)s to %(high)s", field=name, low=low, high=high
        )
    return int(raw)


def term_changes(typed: dict[str, str], now: Mapping[str, str]) -> dict[str, Any]:
    """The changes of a reschedule as the loan's terms spell them (``every``, ``rate``,
    ``grace`` in part: what is blank, or left as the form showed it, ``now``, stays as
    it is). Names, units and rates are checked by the terms' own parser in the service;
    ``on_form_fields`` puts its refusals on these inputs."""
    v = {k: "" if typed[k] == now.get(k) else typed[k] for k in TERM_FIELDS}
    changes: dict[str, Any] = {}
    if v["instalments"]:
        changes["instalments"] = bounded(v["instalments"], "instalments", 1, 520)
    every: dict[str, Any] = {"unit": v["every_unit"]} if v["every_unit"] else {}
    if v["every_n"]:
        every["n"] = bounded(v["every_n"], "every_n", 1, MAX_EVERY)
    rate = {k: v[f"rate_{k}"] for k in ("percent", "per") if v[f"rate_{k}"]}
    grace = {
        k: bounded(v[f"grace_{k}"], f"grace_{k}", 0, 519)
        for k in ("principal", "interest")
        if v[f"grace_{k}"]
    }
    for key, part in (("every", every), ("rate", rate), ("grace", grace)):
        if part:
            changes[key] = part
    if v["method"]:
        changes["method"] = v["method"]
    return changes


@contextmanager
def on_form_fields() -> Iterator[None]:
    """A refusal of the new terms (``every.n``, ``rate.percent``) names the input that
    holds it (``every_n``, ``rate_percent``)."""
    try:
        yield
    except DomainError as exc:
        name = (exc.field or "").replace(".", "_")
        if name in TERM_FIELDS:
            exc.field = name
        raise
