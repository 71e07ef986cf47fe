"""A member's passbook statement as a PDF: every movement with its running balance, as
on her page. Never for a donor (404, like the member page), only for a member in scope."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from kuza.web.deps import Config, locale_of, tr
from kuza.web.documents import PDF, attachment, passbook_pdf
from kuza.web.loan_forms import scope
from kuza.web.routes.members import MemberId

router = APIRouter()


@router.get("/members/{member_id}/passbook.pdf")
def passbook_statement(request: Request, member_id: MemberId, cfg: Config) -> Response:
    """Amounts are exact decimals in the group's currency (named at the top)."""
    only = scope(cfg.db, request.state.user)
    body = passbook_pdf(cfg.db, member_id, cfg.today(), only, tr(request), locale_of(request))
    return attachment(body, PDF, f"passbook-{member_id}.pdf")
