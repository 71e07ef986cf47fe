"""A member's passbook statement as a PDF: every movement with its running balance, as
on her page. Never for a donor (404, like the member page), only for a member in scope."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from kuza.domain.money import Money
from kuza.reports.pdf import TableDoc, pdf_bytes
from kuza.services.member_view import member_view
from kuza.web.deps import Config, locale_of, tr
from kuza.web.i18n import format_day
from kuza.web.loan_forms import scope
from kuza.web.routes.members import MemberId

router = APIRouter()


def _amount(m: Money | None) -> str:
    return "" if m is None else str(m.amount)


@router.get("/members/{member_id}/passbook.pdf")
def passbook_pdf(request: Request, member_id: MemberId, cfg: Config) -> Response:
    """Amounts are exact decimals in the group's currency (named at the top)."""
    view = member_view(cfg.db, member_id, cfg.today(), scope(cfg.db, request.state.user))
    _, locale = tr(request), locale_of(request)
    current = [m for m in view.memberships if m.left_on is None or m.left_on > cfg.today()]
    about = [_("Printed by Kuza on %(day)s.", day=format_day(cfg.today(), locale))]
    if current:
        about.insert(0, _("Group: %(group)s.", group=current[-1].group))
    if view.passbook_balance is not None:
        about.append(
            _("Balance: %(amount)s %(currency)s.", amount=view.passbook_balance.amount,
              currency=view.passbook_balance.currency)
        )  # fmt: skip
    rows = [
        [ln.on.isoformat(), ln.description, _amount(ln.deposit), _amount(ln.withdrawal),
         _amount(ln.balance)]
        for ln in view.passbook
    ]  # fmt: skip
    doc = TableDoc(
        title=_("Passbook statement: %(name)s", name=view.name),
        about=about,
        header=[_("Date"), _("Description"), _("Deposit"), _("Withdrawal"), _("Balance")],
        rows=rows or [["", _("No passbook movements yet."), "", "", ""]],
        widths=(3, 9, 3, 3, 3),
        right=frozenset({2, 3, 4}),
    )
    disposition = f'attachment; filename="passbook-{member_id}.pdf"'
    return Response(
        pdf_bytes(doc), media_type="application/pdf", headers={"Content-Disposition": disposition}
    )
