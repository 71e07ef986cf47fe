"""Statements as PDF: a member's passbook (every movement with its running balance, as
on her page) and a group's share-out (each member's line, as on its page). Never for a
donor (404, like the pages), only within the reader's scope."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from kuza.web.deps import Config, CurrentUser, IdPath, locale_of
from kuza.web.documents import PDF, attachment, passbook_pdf, share_out_pdf
from kuza.web.loan_forms import scope
from kuza.web.routes.books import visible_share_out
from kuza.web.routes.members import MemberId

router = APIRouter()


@router.get("/members/{member_id}/passbook.pdf")
def passbook_statement(request: Request, member_id: MemberId, cfg: Config) -> Response:
    """Amounts are exact decimals in the group's currency (named at the top)."""
    only = scope(cfg.db, request.state.user)
    body = passbook_pdf(cfg.db, member_id, cfg.today(), only, locale_of(request))
    return attachment(body, PDF, f"passbook-{member_id}.pdf")


@router.get("/share-outs/{share_out_id}/statement.pdf")
def share_out_statement(
    request: Request, share_out_id: IdPath, user: CurrentUser, cfg: Config
) -> Response:
    """Amounts are exact decimals in the group's currency (named at the top)."""
    st = visible_share_out(cfg, user, share_out_id)
    body = share_out_pdf(st, cfg.today(), locale_of(request))
    return attachment(body, PDF, f"share-out-{share_out_id}.pdf")
