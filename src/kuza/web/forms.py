"""The collection sheet as an HTML form: what the user typed, the sheet it becomes,
its totals, and where a service error belongs on the page."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from kuza.domain.errors import DomainError
from kuza.domain.money import Money
from kuza.services.loans.views import DueAtMeeting
from kuza.services.views import GroupView

AMOUNTS = ("compulsory", "voluntary", "social", "fine", "withdrawal")
_LINE_FIELD = re.compile(r"^lines\[(\d+)\](?:\.(\w+)(?:\[(\d+)\]\.(\w+))?)?")
Dues = Mapping[int, list[DueAtMeeting]]


@dataclass(frozen=True)
class RepaymentBox:
    """One of the member's active loans on her line: what was due at the meeting (the
    prefill) and what was typed."""

    loan_id: int
    product: str
    amount: str = ""

    @property
    def paid(self) -> bool:
        """Blank or zero means no repayment on this loan today."""
        try:
            return Decimal(self.amount.strip() or "0") != 0
        except InvalidOperation:
            return True  # not an amount: sent, so the service names it


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
    loans: tuple[RepaymentBox, ...] = ()

    @property
    def repaid(self) -> list[RepaymentBox]:
        return [box for box in self.loans if box.paid]

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
        if self.repaid:
            out["repayments"] = [
                {"loan_id": box.loan_id, "amount": box.amount.strip()} for box in self.repaid
            ]
        return out


@dataclass(frozen=True)
class SheetForm:
    group_id: int
    held_on: str
    notes: str
    rows: tuple[SheetRow, ...]

    @classmethod
    def blank(cls, view: GroupView, held_on: date, dues: Dues | None = None) -> SheetForm:
        """Every current member present, paying the group's compulsory saving and the
        instalments due on her loans (from the loan book)."""
        rule = str(view.compulsory_saving.amount)
        dues = dues or {}

        def boxes(mid: int) -> tuple[RepaymentBox, ...]:
            shown = {
                d.loan_id: "" if d.amount.is_zero() else str(d.amount.amount)
                for d in dues.get(mid, [])
            }
            return tuple(
                RepaymentBox(d.loan_id, d.product, shown[d.loan_id]) for d in dues.get(mid, [])
            )

        rows = tuple(
            SheetRow(m.id, m.name, compulsory=rule, loans=boxes(m.id)) for m in view.members
        )
        return cls(view.id, held_on.isoformat(), "", rows)

    @classmethod
    def parse(
        cls, form: Mapping[str, object], view: GroupView, dues: Dues | None = None
    ) -> SheetForm:
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

            products = {d.loan_id: d.product for d in (dues or {}).get(mid, [])}
            loan_ids = [str(x) for x in getlist(f"loan-{mid}")] if getlist else []
            boxes = tuple(
                RepaymentBox(
                    int(lid), products.get(int(lid), ""), str(form.get(f"repay-{mid}-{lid}") or "")
                )
                for lid in loan_ids
                if lid.isdigit() and len(lid) < 10
            )
            rows.append(
                SheetRow(
                    mid,
                    names.get(mid, f"member {mid}"),
                    present=form.get(f"present-{mid}") is not None,
                    loans=boxes,
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
    repayments: Money

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
    repaid = zero
    for row in form.rows:
        for box in row.repaid:
            with contextlib.suppress(DomainError):
                repaid = repaid + Money.of(box.amount.strip(), currency)
    cash_in = sums["compulsory"] + sums["voluntary"] + sums["social"] + sums["fine"] + repaid
    present = sum(1 for r in form.rows if r.present)
    return Totals(present, sums, cash_in, sums["withdrawal"], repaid)


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
    if found.group(2) == "repayments" and found.group(3) is not None:
        j = int(found.group(3))
        if j < len(row.repaid):
            key = f"repay-{row.member_id}-{row.repaid[j].loan_id}"
            return FieldError(err.message, key, row.member_id)
        return FieldError(err.message, f"row-{row.member_id}", row.member_id)
    name = found.group(4) or found.group(2) or ""
    if found.group(2) == "fines":
        name = "fine_reason" if name == "reason" else "fine"
    if name in (*AMOUNTS, "fine_reason"):
        return FieldError(err.message, f"{name}-{row.member_id}", row.member_id)
    return FieldError(err.message, f"row-{row.member_id}", row.member_id)
