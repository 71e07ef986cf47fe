"""A member's passbook: GET the statement (paged, or whole as a PDF), POST a deposit or
withdrawal."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse, Response

from kuza.services import passbook
from kuza.web.api.deps import (
    GroupReader,
    IdempotencyKey,
    Limit,
    Offset,
    Recorder,
    check_member,
    idempotent,
)
from kuza.web.api.schemas import (
    PassbookLinePublic,
    PassbookMoveCreate,
    PassbookMovePublic,
    PassbookPublic,
    error_responses,
    file_response,
    money,
)
from kuza.web.deps import Config, api_locale_of
from kuza.web.documents import PDF, attachment, passbook_pdf
from kuza.web.loan_forms import scope

router = APIRouter(tags=["passbook"])
MemberPath = Annotated[int, Path(ge=1, le=2**31 - 1)]
ERRORS = error_responses(401, 403, 404)


@router.get("/members/{member_id}/passbook", response_model=PassbookPublic, responses=ERRORS)
def read_passbook(
    member_id: MemberPath, user: GroupReader, cfg: Config, limit: Limit = 50, offset: Offset = 0
) -> PassbookPublic:
    check_member(cfg, user, member_id)
    lines = passbook.statement(cfg.db, member_id, cfg.today())
    balance = lines[-1].balance if lines else None
    return PassbookPublic(
        member_id=member_id,
        balance=money(balance) if balance else "0",
        total=len(lines),
        limit=limit,
        offset=offset,
        items=[
            PassbookLinePublic(
                on=ln.on,
                entry_id=ln.entry_id,
                description=ln.description,
                deposit=money(ln.deposit) if ln.deposit else None,
                withdrawal=money(ln.withdrawal) if ln.withdrawal else None,
                balance=money(ln.balance),
            )
            for ln in lines[offset : offset + limit]
        ],
    )


@router.get(
    "/members/{member_id}/passbook.pdf",
    response_class=Response,
    responses=file_response(PDF, "The statement: every movement with its running balance") | ERRORS,
)
def read_passbook_pdf(
    request: Request, member_id: MemberPath, user: GroupReader, cfg: Config
) -> Response:
    """The page's statement PDF: exact decimals in the group's currency, headings in the
    user's language (as the error messages). Never for a donor (403)."""
    check_member(cfg, user, member_id)
    locale = api_locale_of(request)
    body = passbook_pdf(cfg.db, member_id, cfg.today(), scope(cfg.db, user), locale)
    return attachment(body, PDF, f"passbook-{member_id}.pdf")


@router.post(
    "/members/{member_id}/passbook",
    response_model=PassbookMovePublic,
    status_code=201,
    responses=error_responses(401, 403, 404, 409, 422),
)
def create_passbook_move(
    request: Request,
    member_id: MemberPath,
    body: PassbookMoveCreate,
    user: Recorder,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    check_member(cfg, user, member_id)

    def run() -> tuple[int, PassbookMovePublic]:
        done = passbook.move(
            cfg.db,
            member_id,
            passbook.PassbookMove(body.kind),
            body.amount,
            body.on,
            body.reference or key or "",
            user.username,
            cfg.today(),
        )
        public = PassbookMovePublic(
            member_id=member_id,
            entry_id=done.entry_id,
            balance=money(done.balance),
            created=done.created,
        )
        return (201 if done.created else 200), public

    return idempotent(request, cfg, user, key, body, run)
