"""Member import over the API: the page's upload (``/members/import``) as a multipart
POST of a CSV or XLSX sheet, answered with counts and the refused rows' reasons; and
the empty template. Admins (naming the programme) and branch managers (their branch's
groups only), as on the page."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from kuza.domain.access import Principal, Role
from kuza.services.imports import ImportResult, write_template
from kuza.web.api.deps import GroupReader, IdempotencyKey, idempotent
from kuza.web.api.insurance_plans import own_programme
from kuza.web.api.schemas import error_responses, file_response
from kuza.web.deps import Config
from kuza.web.documents import XLSX, attachment
from kuza.web.member_upload import MAX_FILE, run_import

router = APIRouter(tags=["members"])
MAX_ERRORS = 500  # reasons listed in one answer; errors_total counts them all


def importer(user: GroupReader) -> Principal:
    if user.role not in (Role.ADMIN, Role.BRANCH_MANAGER):
        raise HTTPException(403, "only admins and branch managers import members")
    return user


Importer = Annotated[Principal, Depends(importer)]


class MemberImportRequest(BaseModel):
    """What a replay is compared on: the options and the file's name and content."""

    programme_id: int
    filename: str
    sha256: str


class MemberImportErrorPublic(BaseModel):
    row: int = Field(description="The row in the sheet: the header is row 1, blank rows skipped")
    field: str | None = Field(description="The column, null when no one column is wrong")
    message: str


class MemberImportPublic(BaseModel):
    programme_id: int
    file: str
    rows: int = Field(description="Data rows read")
    imported: int
    already_present: int = Field(description="Members already in their group: nobody added")
    rejected: int = Field(description="Rows refused; each is left out whole")
    errors: list[MemberImportErrorPublic] = Field(
        description=f"Why each refused row was refused, in sheet order; at most {MAX_ERRORS}"
    )
    errors_total: int


def _public(pid: int, name: str, done: ImportResult) -> MemberImportPublic:
    return MemberImportPublic(
        programme_id=pid,
        file=name,
        rows=done.rows,
        imported=done.imported,
        already_present=done.present,
        rejected=done.failed,
        errors=[
            MemberImportErrorPublic(row=n, field=p.field, message=p.message)
            for n, p in done.problems[:MAX_ERRORS]
        ],
        errors_total=len(done.problems),
    )


@router.post(
    "/member-imports",
    response_model=MemberImportPublic,
    responses=error_responses(401, 403, 404, 409, 422),
)
def import_member_sheet(
    request: Request,
    user: Importer,
    cfg: Config,
    file: Annotated[UploadFile, File(description="A .csv (UTF-8) or .xlsx sheet, 20 MB at most")],
    programme_id: Annotated[
        int | None, Form(ge=1, le=2**31 - 1, description="Admins: the programme")
    ] = None,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Rows are checked one by one: the valid ones are added in one transaction, each
    refused row is left out whole with its reasons; a member already in her group (same
    name and phone) is not added twice. A file that cannot be read as a member sheet
    (type, empty, too large, columns missing) is refused with 422 on ``file`` and
    nobody is added."""
    pid = own_programme(user, programme_id)
    name = file.filename or ""
    raw = file.file.read(MAX_FILE + 1)
    digest = hashlib.sha256(raw).hexdigest()

    def run() -> tuple[int, MemberImportPublic]:
        done = run_import(cfg.db, user, pid, name, raw, None, cfg.today())
        return 200, _public(pid, name, done)

    sent = MemberImportRequest(programme_id=pid, filename=name, sha256=digest)
    return idempotent(request, cfg, user, key, sent, run)


@router.get(
    "/member-imports/template.xlsx",
    response_class=Response,
    responses=file_response(XLSX, "An empty sheet with the header row") | error_responses(401, 403),
)
def member_import_template(user: Importer) -> Response:
    """The columns: a ``*`` marks the required ones."""
    with tempfile.TemporaryDirectory() as tmp:
        body = write_template(Path(tmp) / "members.xlsx").read_bytes()
    return attachment(body, XLSX, "members-template.xlsx")
