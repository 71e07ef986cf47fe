"""Programme costs: by stage, branch, period and category, and their CSV rows.

Costs are what the cost-per-job figure divides; they are booked to expense accounts
(one per category) against the programme's operating cash.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import IntEnum, StrEnum

from kuza.domain.access import Role
from kuza.domain.errors import N_, DomainError
from kuza.domain.ledger import AccountCode
from kuza.domain.money import Money


class Stage(IntEnum):
    """Hand in Hand's four stages."""

    GROUPS = 1
    TRAINING = 2
    CREDIT = 3
    MARKETS = 4


class CostCategory(StrEnum):
    STAFF = "staff"
    TRAINING = "training"
    MATERIALS = "materials"
    OVERHEAD = "overhead"

    @property
    def account(self) -> AccountCode:
        return {
            CostCategory.STAFF: AccountCode.STAFF_COST,
            CostCategory.TRAINING: AccountCode.TRAINING_COST,
            CostCategory.MATERIALS: AccountCode.MATERIALS_COST,
            CostCategory.OVERHEAD: AccountCode.OVERHEAD_COST,
        }[self]


@dataclass(frozen=True)
class CostLine:
    reference: str  # the voucher number; importing it again books nothing new
    stage: Stage
    category: CostCategory
    period_start: date
    period_end: date
    amount: Money
    branch: str | None = None  # branch name; None for programme-wide costs
    memo: str = ""


def check_cost(line: CostLine) -> CostLine:
    if not line.reference.strip():
        raise DomainError("reference (voucher number) is required", field="reference")
    if line.amount.amount <= 0:
        raise DomainError("amount must be more than zero", field="amount")
    if line.period_end < line.period_start:
        raise DomainError("period_end is before period_start", field="period_end")
    return line


COST_KEEPERS = frozenset({Role.ADMIN, Role.COUNTRY_MANAGER, Role.FINANCE})


def may_record_costs(role: Role) -> bool:
    """Costs are the programme's books: finance and the managers of the programme."""
    return role in COST_KEEPERS


class _Rows:
    """The bad rows as one value of a message, read in the language of the moment."""

    def __init__(self, rows: list[tuple[int, DomainError]]) -> None:
        self.rows = rows

    def __str__(self) -> str:
        return "; ".join(str(row_error(n, e)) for n, e in self.rows)


def row_error(n: int, error: DomainError) -> DomainError:
    """``error`` placed on row ``n`` of a sheet (its message is read when shown)."""
    return type(error)(N_("row %(row)s: %(problem)s"), error.field, row=n, problem=error)


class CostRowsRefused(DomainError):
    """An import with bad rows, each one named (row number, field, message); the field
    is the first bad row's."""

    def __init__(self, rows: list[tuple[int, DomainError]]) -> None:
        super().__init__(
            N_("nothing was booked, %(count)s bad rows: %(rows)s"),
            rows[0][1].field,
            count=len(rows),
            rows=_Rows(rows),
        )
        self.rows = rows


CSV_COLUMNS = ("reference", "stage", "category", "period_start", "period_end", "amount")
CSV_OPTIONAL = ("branch", "memo")


def _date(raw: str, name: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise DomainError(
            "%(name)s %(raw)s is not a date like 2026-03-31", field=name, name=name, raw=repr(raw)
        ) from None


def parse_cost_row(row: Mapping[str, str | None], currency: str) -> CostLine:
    """One CSV row (header names as in :data:`CSV_COLUMNS`) into a checked cost line."""
    missing = [c for c in CSV_COLUMNS if not (row.get(c) or "").strip()]
    if missing:
        raise DomainError("missing value for %(value)s", field=missing[0], value=missing[0])
    raw_stage = (row["stage"] or "").strip()
    if raw_stage not in {str(s.value) for s in Stage}:
        raise DomainError(
            "stage must be 1, 2, 3 or 4, not %(raw_stage)s",
            field="stage",
            raw_stage=repr(raw_stage),
        )
    raw_category = (row["category"] or "").strip().lower()
    try:
        category = CostCategory(raw_category)
    except ValueError:
        names = ", ".join(c.value for c in CostCategory)
        raise DomainError(
            "category must be one of %(names)s", field="category", names=names
        ) from None
    return check_cost(
        CostLine(
            reference=(row["reference"] or "").strip(),
            stage=Stage(int(raw_stage)),
            category=category,
            period_start=_date(row["period_start"] or "", "period_start"),
            period_end=_date(row["period_end"] or "", "period_end"),
            amount=Money.of((row["amount"] or "").strip(), currency),
            branch=(row.get("branch") or "").strip() or None,
            memo=(row.get("memo") or "").strip(),
        )
    )
