"""Bulk import of members from a CSV or XLSX sheet (``kuza import members``).

The sheet follows Fineract's bulk-import templates: one header row, ``*`` marks the
required columns. Every row is checked; the valid rows are written in one set-based
batch, the others are left out whole, and a copy of the sheet comes back with a
``Status`` and a ``Failure Report`` column (``<name>_report.csv|xlsx``). A row's reasons
are templates of the error catalogue with their values (:class:`Problem`): they read, and
the report is written, in the language of the request being served (English in the CLI).

Importing the same sheet again adds nobody: a member is known by (group_id, name, phone).
An optional ``external_id`` column must be unique within the sheet.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import Connection, select

from kuza.adapters.db.bulk import draw_ids, write_rows
from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import audit_log, member, membership, savings_group
from kuza.domain.errors import N_, DomainError, translated
from kuza.domain.groups import GroupStatus, Sex
from kuza.services.ledger import now
from kuza.services.programmes import programme_row

COLUMNS = (
    ("group_id", True),
    ("name", True),
    ("sex", True),
    ("birth_year", False),
    ("household_size", True),
    ("literate", True),
    ("phone", False),
    ("joined_on", True),
    ("external_id", False),
)
HEADER = [f"{name}*" if required else name for name, required in COLUMNS]
STATUS, FAILURE = N_("Status"), N_("Failure Report")
IMPORTED, PRESENT, FAILED = N_("Imported"), N_("Already present"), N_("Failed")
SEXES = {"f": Sex.FEMALE, "female": Sex.FEMALE, "m": Sex.MALE, "male": Sex.MALE}
SEXES |= {"x": Sex.OTHER, "other": Sex.OTHER}
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}

Progress = Callable[[int], None]  # rows just checked or written


class Problem(NamedTuple):
    """Why a row is refused: the column (None when no one column is wrong) and what, as
    a template of the error catalogue and its values."""

    field: str | None
    template: str
    values: Mapping[str, object]

    @property
    def message(self) -> str:
        """In the language of the request being served (English elsewhere)."""
        return translated(self.template, self.values)

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


def _problem(column: str | None, template: str, **values: object) -> Problem:
    return Problem(column, template, values)


@dataclass(frozen=True)
class MemberRow:
    group_id: int
    name: str
    sex: Sex
    birth_year: int | None
    household_size: int
    literate: bool
    phone: str | None
    joined_on: date
    external_id: str | None

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.group_id, self.name.casefold(), self.phone or "")


@dataclass
class ImportResult:
    imported: int = 0
    present: int = 0
    failed: int = 0
    report: Path | None = None
    statuses: list[tuple[str, str]] = field(default_factory=list)  # per data row
    # (sheet row, problem) for every refused row: the header is row 1, blank rows skipped
    problems: list[tuple[int, Problem]] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.statuses)


def cell_text(value: object) -> str:
    """A sheet cell as a CSV would hold it: a date as its ISO day, 12.0 as 12."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


def _whole(raw: str, column: str, errors: list[Problem]) -> int | None:
    try:
        return int(raw)
    except ValueError:
        errors.append(_problem(column, N_("%(value)s is not a whole number"), value=repr(raw)))
        return None


def parse_row(cells: dict[str, str], this_year: int) -> tuple[MemberRow | None, list[Problem]]:
    """One sheet row to a :class:`MemberRow`, or the reasons it is refused (per column)."""
    errors: list[Problem] = []
    for name, required in COLUMNS:
        if required and not cells.get(name):
            errors.append(_problem(name, N_("required")))
    if errors:
        return None, errors
    group_id = _whole(cells["group_id"], "group_id", errors)
    sex = SEXES.get(cells["sex"].casefold())
    if sex is None:
        errors.append(_problem("sex", N_("%(value)s is not F, M or X"), value=repr(cells["sex"])))
    birth_year = None
    if cells.get("birth_year"):
        birth_year = _whole(cells["birth_year"], "birth_year", errors)
        if birth_year is not None and not 1900 <= birth_year <= this_year:
            errors.append(
                _problem(
                    "birth_year",
                    N_("%(year)s is not between 1900 and %(this_year)s"),
                    year=birth_year,
                    this_year=this_year,
                )
            )
    household = _whole(cells["household_size"], "household_size", errors)
    if household is not None and household < 1:
        errors.append(
            _problem("household_size", N_("must be at least 1 (got %(value)s)"), value=household)
        )
    literate_raw = cells["literate"].casefold()
    if literate_raw not in YES | NO:
        errors.append(
            _problem("literate", N_("%(value)s is not yes or no"), value=repr(cells["literate"]))
        )
    joined_on = None
    try:
        joined_on = date.fromisoformat(cells["joined_on"][:10])
    except ValueError:
        errors.append(
            _problem(
                "joined_on",
                N_("%(value)s is not a date like 2026-03-02"),
                value=repr(cells["joined_on"]),
            )
        )
    phone = cells.get("phone") or None
    if phone and (len(phone) > 40 or not phone.lstrip("+").replace(" ", "").isdigit()):
        errors.append(_problem("phone", N_("%(value)s is not a phone number"), value=repr(phone)))
    if errors or group_id is None or sex is None or household is None or joined_on is None:
        return None, errors
    return MemberRow(
        group_id,
        cells["name"],
        sex,
        birth_year,
        household,
        literate_raw in YES,
        phone,
        joined_on,
        cells.get("external_id") or None,
    ), []


def _cell(value: object) -> object:
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _columns(header: list[object]) -> list[str]:
    return [cell_text(h).rstrip("*").strip().casefold() for h in header]


def read_sheet(path: Path) -> tuple[list[object], list[list[object]]]:
    """The header row and the non-empty data rows (CSV, or the first sheet of an XLSX)."""
    if path.suffix.casefold() == ".xlsx":
        # python-calamine (Rust) reads the cached values ~10x faster than openpyxl; its
        # cells are brought to what openpyxl gave: None for empty, int for whole numbers.
        from python_calamine import CalamineError, CalamineWorkbook

        try:
            with CalamineWorkbook.from_path(str(path)) as book:
                grid = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except CalamineError:
            raise DomainError(
                "%(path_name)s: not a readable XLSX workbook", field="FILE", path_name=path.name
            ) from None
        cells = [[_cell(v) for v in r] for r in grid]
        first: list[object] = cells[0] if cells else []
        return first, [r for r in cells[1:] if any(v is not None for v in r)]
    if path.suffix.casefold() != ".csv":
        raise DomainError(
            "%(path_name)s: only .csv and .xlsx sheets are read", field="FILE", path_name=path.name
        )
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header: list[object] = list(next(reader, []))
            return header, [list(r) for r in reader if any(c.strip() for c in r)]
    except (UnicodeDecodeError, csv.Error):
        raise DomainError(
            "%(path_name)s: not a UTF-8 CSV sheet", field="FILE", path_name=path.name
        ) from None


def _groups(
    conn: Connection, programme_id: int, ids: set[int], branch_id: int | None = None
) -> dict[int, Any]:
    found: dict[int, Any] = {}
    wanted = sorted(ids)
    for at in range(0, len(wanted), 5000):
        query = select(
            savings_group.c.id,
            savings_group.c.branch_id,
            savings_group.c.formed_on,
            savings_group.c.status,
        ).where(
            savings_group.c.programme_id == programme_id,
            savings_group.c.id.in_(wanted[at : at + 5000]),
        )
        if branch_id is not None:
            query = query.where(savings_group.c.branch_id == branch_id)
        for r in conn.execute(query):
            found[r.id] = r
    return found


def _known(conn: Connection, programme_id: int, group_ids: set[int]) -> set[tuple[int, str, str]]:
    known: set[tuple[int, str, str]] = set()
    wanted = sorted(group_ids)
    for at in range(0, len(wanted), 5000):
        for r in conn.execute(
            select(membership.c.group_id, member.c.name, member.c.phone)
            .join(member, member.c.id == membership.c.member_id)
            .where(
                membership.c.programme_id == programme_id,
                membership.c.group_id.in_(wanted[at : at + 5000]),
            )
        ):
            known.add((r.group_id, r.name.casefold(), r.phone or ""))
    return known


def import_members(
    db: Database,
    programme_id: int,
    path: Path,
    actor: str = "import",
    progress: Progress | None = None,
    today: date | None = None,
    branch_id: int | None = None,
    report: Path | None = None,
) -> ImportResult:
    """Import the sheet at ``path`` and write its report beside it (or at ``report``,
    whose suffix picks CSV or XLSX). With ``branch_id`` (a branch manager's import) a row
    naming a group of another branch fails like a group that does not exist."""
    if not path.exists():
        raise DomainError("no such file: %(path)s", field="FILE", path=path)
    today = today or date.today()
    header, data = read_sheet(path)
    names = _columns(header)
    missing = [n for n, required in COLUMNS if required and n not in names]
    if missing:
        raise DomainError(
            "%(path_name)s: the header lacks %(names)s; expected %(names2)s",
            field="FILE",
            path_name=path.name,
            names=", ".join(missing),
            names2=", ".join(HEADER),
        )
    raw_rows = [r + [None] * (len(header) - len(r)) for r in data]
    parsed: list[tuple[MemberRow | None, list[Problem]]] = []
    for n, raw in enumerate(raw_rows, 1):
        cells = {k: cell_text(v) for k, v in zip(names, raw, strict=False)}
        parsed.append(parse_row(cells, today.year))
        if progress and n % 1000 == 0:
            progress(1000)
    result = ImportResult()
    with db.transaction() as conn:
        programme_row(conn, programme_id)
        group_ids = {row.group_id for row, _ in parsed if row is not None}
        groups = _groups(conn, programme_id, group_ids, branch_id)
        known = _known(conn, programme_id, set(groups))
        seen: dict[object, int] = {}
        valid: list[MemberRow] = []
        for n, (row, errors) in enumerate(parsed, 2):  # sheet row numbers: header is 1
            if row is not None:
                errors = _check_against(row, groups, seen, n, today)
            if errors:
                result.statuses.append((FAILED, "; ".join(map(str, errors))))
                result.problems += [(n, e) for e in errors]
            elif row is not None and row.key in known:
                result.statuses.append((PRESENT, ""))
            elif row is not None:
                known.add(row.key)
                valid.append(row)
                result.statuses.append((IMPORTED, ""))
        _write_members(conn, programme_id, valid, groups, actor)
    result.imported = len(valid)
    result.failed = sum(1 for s, _ in result.statuses if s == FAILED)
    result.present = sum(1 for s, _ in result.statuses if s == PRESENT)
    if progress:
        progress(len(parsed) % 1000)
    result.report = write_report(report or report_path(path), header, raw_rows, result.statuses)
    return result


def _check_against(
    row: MemberRow, groups: dict[int, Any], seen: dict[object, int], n: int, today: date
) -> list[Problem]:
    errors = []
    group = groups.get(row.group_id)
    if group is None:
        errors.append(
            _problem("group_id", N_("no group %(group)s in this programme"), group=row.group_id)
        )
    elif group.status in ENDED:
        errors.append(_problem("group_id", ENDED[group.status], group=row.group_id))
    elif row.joined_on < group.formed_on:
        errors.append(
            _problem(
                "joined_on",
                N_("%(joined_on)s is before the group formed on %(formed_on)s"),
                joined_on=row.joined_on.isoformat(),
                formed_on=group.formed_on.isoformat(),
            )
        )
    if row.joined_on > today:
        errors.append(
            _problem(
                "joined_on",
                N_("%(joined_on)s is in the future"),
                joined_on=row.joined_on.isoformat(),
            )
        )
    duplicates = (
        (row.key, None, N_("the same member as row %(row)s")),
        (row.external_id, "external_id", N_("the same as row %(row)s")),
    )
    for key, column, template in duplicates:
        if key is None:
            continue
        if key in seen:
            errors.append(_problem(column, template, row=seen[key]))
        else:
            seen[key] = n
    return errors


# A row may not join a group that has ended.
ENDED = {
    GroupStatus.CLOSED.value: N_("group %(group)s is closed"),
    GroupStatus.GRADUATED.value: N_("group %(group)s is graduated"),
}


def _write_members(
    conn: Connection, programme_id: int, rows: list[MemberRow], groups: dict[int, Any], actor: str
) -> None:
    if not rows:
        return
    ids = draw_ids(conn, member, len(rows))
    write_rows(
        conn,
        member,
        ("id", "programme_id", "branch_id", "name", "sex", "birth_year", "household_size",
         "literate", "phone", "consent_on"),
        [
            (mid, programme_id, groups[r.group_id].branch_id, r.name, r.sex.value, r.birth_year,
             r.household_size, r.literate, r.phone, None)
            for r, mid in zip(rows, ids, strict=True)
        ],
    )  # fmt: skip
    write_rows(
        conn,
        membership,
        ("programme_id", "group_id", "member_id", "joined_on"),
        [(programme_id, r.group_id, mid, r.joined_on) for r, mid in zip(rows, ids, strict=True)],
    )
    at = now()
    write_rows(
        conn,
        audit_log,
        ("programme_id", "at", "actor", "action", "object_kind", "object_id", "after"),
        [
            (programme_id, at, actor, "import", "member", str(mid),
             {"group_id": r.group_id, "name": r.name, "external_id": r.external_id})
            for r, mid in zip(rows, ids, strict=True)
        ],
    )  # fmt: skip


def report_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}_report{path.suffix.casefold()}")


def write_report(
    out: Path, header: list[object], rows: list[list[object]], statuses: list[tuple[str, str]]
) -> Path:
    """A copy of the sheet with a Status and a Failure Report column per row, at ``out``;
    the two headings and the statuses in the language of the request being served."""
    added = [translated(STATUS, {}), translated(FAILURE, {})]
    shown = {s: translated(s, {}) for s in (IMPORTED, PRESENT, FAILED)}
    if out.suffix == ".xlsx":
        # XlsxWriter streams rows to disk (constant_memory), ~2x openpyxl's write-only
        # mode; text stays text (no formulas or links made of what the sheet said).
        import xlsxwriter  # type: ignore[import-untyped]

        options = {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "default_date_format": "yyyy-mm-dd",
        }
        with xlsxwriter.Workbook(str(out), options) as book:
            sheet = book.add_worksheet("Members")
            sheet.write_row(0, 0, [*header, *added])
            for n, (raw, (status, why)) in enumerate(zip(rows, statuses, strict=True), 1):
                sheet.write_row(n, 0, [*raw, shown[status], why])
        return out
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*header, *added])
        for raw, (status, why) in zip(rows, statuses, strict=True):
            writer.writerow([*raw, shown[status], why])
    return out


def write_template(path: Path) -> Path:
    """An empty sheet with the header, for field staff to fill in."""
    if path.suffix.casefold() == ".xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "Members"
        sheet.append(HEADER)
        book.save(path)
    else:
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerow(HEADER)
    return path
