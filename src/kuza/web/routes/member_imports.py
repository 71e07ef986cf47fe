"""Member import from the web: an admin or a branch manager uploads a CSV or XLSX sheet
(``kuza import members``), gets a summary, the rows left out and why, and the per-row
report as an XLSX; the empty template is downloadable. A branch manager imports into her
branch's groups only."""

from __future__ import annotations

import re
import secrets
import tempfile
import time
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from kuza.domain.access import Principal, Role, sees_group_pages
from kuza.domain.errors import DomainError
from kuza.services import admin
from kuza.services.imports import (
    FAILED,
    HEADER,
    write_template,
)
from kuza.web.deps import Config, CurrentUser, Form, render
from kuza.web.documents import XLSX, attachment
from kuza.web.i18n import N_
from kuza.web.member_upload import MAX_FILE, check_upload, run_import

router = APIRouter()
# Reports live a day in the machine's temp directory, named by user and a random token
# (workers of one `kuza serve` share it; the report is shown right after the upload).
REPORTS = Path(tempfile.gettempdir()) / "kuza-import-reports"
KEEP_SECONDS = 24 * 3600
SHOWN_FAILURES = 50  # on the page; the report holds every row
Token = Annotated[str, PathParam(pattern=r"^[A-Za-z0-9_-]{22}$")]


def _importer(user: Principal) -> None:
    if not sees_group_pages(user):
        raise HTTPException(404, N_("No such page."))
    if user.role not in (Role.ADMIN, Role.BRANCH_MANAGER):
        raise HTTPException(403, N_("Only admins and branch managers import members."))


def _page(
    request: Request,
    cfg: Config,
    user: Principal,
    error: str | None = None,
    result: dict[str, object] | None = None,
    status: int = 200,
) -> HTMLResponse:
    context = {
        "programmes": admin.programme_list(cfg.db) if user.role is Role.ADMIN else [],
        "columns": HEADER,
        "error": error,
        "result": result,
    }
    return render(request, "member_import.html", context, status)


@router.get("/members/import", response_class=HTMLResponse)
def import_page(request: Request, user: CurrentUser, cfg: Config) -> HTMLResponse:
    _importer(user)
    return _page(request, cfg, user)


@router.get("/members/import/template.xlsx")
def import_template(user: CurrentUser) -> Response:
    _importer(user)
    with tempfile.TemporaryDirectory() as tmp:
        body = write_template(Path(tmp) / "members.xlsx").read_bytes()
    return attachment(body, XLSX, "members-template.xlsx")


def _programme(user: Principal, raw: str, cfg: Config) -> int:
    if user.role is not Role.ADMIN:
        if user.programme_id is None or user.branch_id is None:
            raise DomainError(N_("Your account has no branch."), field="programme_id")
        return user.programme_id
    if raw.isdigit() and int(raw) in {c.id for c in admin.programme_list(cfg.db)}:
        return int(raw)
    raise DomainError(N_("Choose a programme."), field="programme_id")


def _sweep(now: float) -> None:
    for old in REPORTS.glob("*.xlsx"):
        if now - old.stat().st_mtime > KEEP_SECONDS:
            old.unlink(missing_ok=True)


@router.post("/members/import", response_model=None)
def import_upload(request: Request, user: CurrentUser, cfg: Config, data: Form) -> Response:
    _importer(user)
    upload = data.get("file")
    try:
        pid = _programme(user, str(data.get("programme_id") or ""), cfg)
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise DomainError(N_("Choose a CSV or XLSX file."), field="file")
        raw = upload.file.read(MAX_FILE + 1)
        check_upload(upload.filename, raw)
        REPORTS.mkdir(mode=0o700, parents=True, exist_ok=True)
        _sweep(time.time())
        token = secrets.token_urlsafe(16)
        report = REPORTS / f"{user.user_id}-{token}.xlsx"
        done = run_import(cfg.db, user, pid, upload.filename, raw, report, cfg.today())
    except DomainError as exc:
        return _page(request, cfg, user, exc.message, status=422)
    failures = [(n, why) for n, (status, why) in enumerate(done.statuses, 2) if status == FAILED]
    result = {
        "imported": done.imported, "present": done.present, "failed": done.failed,
        "token": token, "name": upload.filename, "failures": failures[:SHOWN_FAILURES],
    }  # fmt: skip
    return _page(request, cfg, user, result=result)


@router.get("/members/import/reports/{token}")
def import_report(token: Token, user: CurrentUser) -> Response:
    _importer(user)
    found = REPORTS / f"{user.user_id}-{token}.xlsx"
    if not re.fullmatch(r"[A-Za-z0-9_-]{22}", token) or not found.is_file():
        raise HTTPException(404, N_("This report is gone: import the sheet again."))
    return attachment(found.read_bytes(), XLSX, "members-report.xlsx")
