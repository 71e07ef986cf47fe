"""A member sheet uploaded from the page or the API, checked the same way before
``import_members`` reads it: a .csv or .xlsx name, not empty, at most 20 MB; a branch
manager's rows may name only her branch's groups. A refused file imports nobody."""

from __future__ import annotations

import re
import tempfile
from datetime import date
from pathlib import Path

from kuza.adapters.db.engine import Database
from kuza.domain.access import Principal, Role
from kuza.domain.errors import DomainError
from kuza.services.imports import ImportResult, import_members
from kuza.web.i18n import N_

MAX_FILE = 20_000_000  # bytes: ~100k members
SUFFIXES = (".csv", ".xlsx")


def check_upload(filename: str | None, raw: bytes) -> str:
    """The sheet's suffix, or the reason the file is refused (on ``file``). ``raw`` is
    read up to ``MAX_FILE + 1`` bytes, so a larger file shows as one byte too many."""
    if not filename:
        raise DomainError(N_("Choose a CSV or XLSX file."), field="file")
    suffix = Path(filename).suffix.casefold()
    if suffix not in SUFFIXES:
        raise DomainError(N_("Only .csv and .xlsx sheets are read."), field="file")
    if len(raw) > MAX_FILE:
        raise DomainError(N_("The file is too large (20 MB at most)."), field="file")
    if not raw:
        raise DomainError(N_("The file is empty."), field="file")
    return suffix


def run_import(
    db: Database,
    user: Principal,
    programme_id: int,
    filename: str,
    raw: bytes,
    report: Path | None,
    today: date,
) -> ImportResult:
    """Check the upload, then import it as ``user`` (the audit's actor) from a temporary
    copy named like her file (the service names it in its messages). A sheet with no
    row below its header is refused too."""
    suffix = check_upload(filename, raw)
    branch = None if user.role is Role.ADMIN else user.branch_id
    if user.role is not Role.ADMIN and branch is None:
        raise DomainError(N_("Your account has no branch."), field="programme_id")
    with tempfile.TemporaryDirectory() as tmp:
        stem = re.sub(r"[^\w.-]", "_", Path(filename).stem)[:80] or "sheet"
        sheet = Path(tmp) / f"{stem}{suffix}"
        sheet.write_bytes(raw)
        try:
            done = import_members(
                db, programme_id, sheet, user.username, today=today,
                branch_id=branch, report=report or Path(tmp) / f"report{suffix}",
            )  # fmt: skip
        except DomainError as exc:
            if exc.field == "FILE":  # the CLI's argument; here the upload's field
                exc.field = "file"
            raise
    if done.rows == 0:
        raise DomainError(N_("The sheet has no rows below its header."), field="file")
    return done
