"""The collection sheet as an HTML form: what the user typed, the sheet it becomes,
its totals, and where a service error belongs on the page."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from kuza.domain.errors import DomainError
from kuza.domain.money import Money
from kuza.services.views import GroupView

AMOUNTS = ("compulsory", "voluntary", "social", "fine", "withdrawal")
_LINE_FIELD = re.compile(r"^lines\[(\d+)\](?:\.(\w+)(?:\[\d+\]\.(\w+))?)?")


@dataclass(frozen=True)
class SheetRow:
    member_id: int
    name: str
    present: bool = True
    compulsory: str = ""
    voluntary: str = ""
    social: str = ""
    fine: str = ""
    fine_reason: str = ""
    withdrawal: str = ""

    def line(self) -> dict[str, object]:
        """The sheet line; an empty compulsory box means nothing paid, not the rule."""
        out: dict[str, object] = {
            "member_id": self.member_id,
            "present": self.present,
            "compulsory": self.compulsory.strip() or "0",
        }
        for name in ("voluntary", "social", "withdrawal"):
            value = getattr(self, name).strip()
            if value:
                out[name] = value
        if self.fine.strip() or self.fine_reason.strip():
            out["fines"] = [{"amount": self.fine.strip() or "0", "reason": self.fine_reason}]
        return out


@dataclass(frozen=True)
class SheetForm:
    group_id: int
    held_on: str
    notes: str
    rows: tuple[SheetRow, ...]

    @classmethod
    def blank(cls, view: GroupView, held_on: date) -> SheetForm:
        """Every current member present, paying the group's compulsory saving."""
        rule = str(view.compulsory_saving.amount)
        rows = tuple(SheetRow(m.id, m.name, compulsory=rule) for m in view.members)
        return cls(view.id, held_on.isoformat(), "", rows)

    @classmethod
    def parse(cls, form: Mapping[str, object], view: GroupView) -> SheetForm:
        """What was typed, row by row in the order the page listed the members."""
        names = {m.id: m.name for m in view.members}
        getlist = getattr(form, "getlist", None)
        raw_ids = getlist("member") if getlist else []
        rows = []
        for raw in raw_ids:
            if not str(raw).isdigit():
                continue
            mid = int(str(raw))

            def text(name: str, mid: int = mid) -> str:
                return str(form.get(f"{name}-{mid}") or "")

            rows.append(
                SheetRow(
                    mid,
                    names.get(mid, f"member {mid}"),
                    present=form.get(f"present-{mid}") is not None,
                    **{name: text(name) for name in (*AMOUNTS, "fine_reason")},
                )
            )
        held_on = str(form.get("held_on") or "")
        return cls(view.id, held_on, str(form.get("notes") or ""), tuple(rows))

    def sheet(self) -> dict[str, object]:
        return {
            "group_id": self.group_id,
            "held_on": self.held_on.strip(),
            "notes": self.notes,
            "lines": [row.line() for row in self.rows],
        }


@dataclass(frozen=True)
class Totals:
    present: int
    amounts: dict[str, Money]
    cash_in: Money
    cash_out: Money

    @property
    def net(self) -> Money:
        return self.cash_in - self.cash_out


def totals(form: SheetForm, currency: str) -> Totals:
    """Sums of what was typed; a box that is not an amount counts as nothing here (the
    post names it)."""
    zero = Money.zero(currency)
    sums = dict.fromkeys(AMOUNTS, zero)
    for row in form.rows:
        for name in AMOUNTS:
            with contextlib.suppress(DomainError):
                sums[name] = sums[name] + Money.of(getattr(row, name).strip() or "0", currency)
    cash_in = sums["compulsory"] + sums["voluntary"] + sums["social"] + sums["fine"]
    return Totals(sum(1 for r in form.rows if r.present), sums, cash_in, sums["withdrawal"])


@dataclass(frozen=True)
class FieldError:
    """A service error placed on the page: ``key`` is the id of the input it names
    (``held_on``, ``voluntary-12``), ``row`` the member whose line it is."""

    message: str
    key: str = "form"
    row: int | None = None


def place_error(err: DomainError, form: SheetForm) -> FieldError:
    where = err.field or ""
    if where in ("held_on", "notes"):
        return FieldError(err.message, where)
    found = _LINE_FIELD.match(where)
    if found is None or int(found.group(1)) >= len(form.rows):
        return FieldError(err.message)
    row = form.rows[int(found.group(1))]
    name = found.group(3) or found.group(2) or ""
    if found.group(2) == "fines":
        name = "fine_reason" if name == "reason" else "fine"
    if name in (*AMOUNTS, "fine_reason"):
        return FieldError(err.message, f"{name}-{row.member_id}", row.member_id)
    return FieldError(err.message, f"row-{row.member_id}", row.member_id)
