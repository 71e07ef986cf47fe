"""What every page form does with its fields: keep what was typed (stripped), and read a
day or a choice from a list, refusing on the field that held it."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from enum import Enum
from typing import TypeVar

from kuza.domain.errors import DomainError
from kuza.web.i18n import N_

E = TypeVar("E", bound=Enum)


def typed(form: Mapping[str, object], names: Collection[str]) -> dict[str, str]:
    return {n: str(form.get(n) or "").strip() for n in names}


def day_field(raw: object, field: str) -> date:
    try:
        return date.fromisoformat(str(raw or "").strip())
    except ValueError:
        raise DomainError(N_("not a date like 2026-03-31"), field=field) from None


def choice(kind: type[E], raw: str, field: str, message: str = N_("choose one from the list")) -> E:
    """One of ``kind``'s values, picked from a list; anything else is refused on its field."""
    try:
        return kind(raw)
    except ValueError:
        raise DomainError(message, field=field) from None
