"""The PDFs the pages and the API both serve, with headings and names in the reader's
language: a member's passbook statement, a group's share-out statement and the impact
report of a dashboard scope. Values are exact decimals, as in the CSV; names are set as
typed (text, not HTML)."""

from __future__ import annotations

from datetime import date

from fastapi.responses import Response

from kuza.adapters.db.engine import Database
from kuza.adapters.db.scoping import Groups
from kuza.domain.money import Money
from kuza.reports.dashboard import Dashboard
from kuza.reports.impact_export import to_pdf
from kuza.reports.pdf import TableDoc, pdf_bytes
from kuza.services.member_view import member_view
from kuza.services.shareout import ShareOutStatement
from kuza.web.i18n import format_code, format_day, text_for
from kuza.web.metrics_text import shown

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def attachment(body: bytes | str, media_type: str, filename: str) -> Response:
    """A file to download (not shown in the browser), under ``filename``."""
    disposition = f'attachment; filename="{filename}"'
    return Response(body, media_type=media_type, headers={"Content-Disposition": disposition})


def _amount(m: Money | None) -> str:
    return "" if m is None else str(m.amount)


def passbook_pdf(
    db: Database,
    member_id: int,
    today: date,
    only: Groups,
    locale: str,
) -> bytes:
    """Every movement with its running balance, as on her page; amounts in the group's
    currency (named at the top). ``only``: the groups in the reader's scope."""
    _ = text_for(locale)
    view = member_view(db, member_id, today, only)
    current = [m for m in view.memberships if m.left_on is None or m.left_on > today]
    about = [_("Printed by Kuza on %(day)s.", day=format_day(today, locale))]
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
    return pdf_bytes(doc)


def share_out_pdf(st: ShareOutStatement, today: date, locale: str) -> bytes:
    """Each member's line as on the page (savings back, income share, payout, shares)
    and a total row whose payout is the fund shared out; amounts in the group's
    currency (named at the top)."""
    _ = text_for(locale)
    cur = st.fund.currency
    zero = Money.zero(cur)
    about = [
        _("Group: %(group)s.", group=st.group_name),
        _("Shared out on %(day)s by the rule: %(rule)s.", day=format_day(st.on, locale),
          rule=format_code(st.rule.value, locale)),
        _("Fund shared out: %(amount)s %(currency)s; amounts in %(currency)s.",
          amount=st.fund.amount, currency=cur),
        _("Printed by Kuza on %(day)s.", day=format_day(today, locale)),
    ]  # fmt: skip
    rows = [
        [r.name, _amount(r.savings), _amount(r.income), _amount(r.payout),
         "" if r.shares is None else str(r.shares)]
        for r in st.rows
    ]  # fmt: skip
    savings = sum((r.savings for r in st.rows), zero)
    income = sum((r.income for r in st.rows), zero)
    rows.append([_("Total"), _amount(savings), _amount(income), _amount(st.fund), ""])
    doc = TableDoc(
        title=_("Share-out of cycle %(number)s: %(group)s", number=st.cycle_number,
                group=st.group_name),
        about=about,
        header=[_("Member"), _("Savings back"), _("Income share"), _("Payout"), _("Shares")],
        rows=rows,
        widths=(8, 4, 4, 4, 2),
        right=frozenset({1, 2, 3, 4}),
    )  # fmt: skip
    return pdf_bytes(doc)


def impact_pdf(board: Dashboard, today: date, locale: str) -> bytes:
    """The figures of the board's scope; figures only (no names, no rows), so a donor
    may be given it."""
    _ = text_for(locale)
    r = board.report
    about = [
        _("Programme %(code)s, %(start)s to %(end)s; amounts in %(currency)s.",
          code=r.programme_code, start=format_day(r.start, locale),
          end=format_day(r.end, locale), currency=r.currency),
        _("Printed by Kuza on %(day)s.", day=format_day(today, locale)),
    ]  # fmt: skip
    if not board.scope.whole:
        about.append(_("Figures of the funded scope only."))
    names = {m.code: shown(m, locale, _).name for m in r.metrics}
    return to_pdf(r, _("Impact report"), about, [_("Code"), _("Value"), _("Unit"), _("Figure")],
                  names)  # fmt: skip


def impact_file(board: Dashboard) -> str:
    """The exports' file name, without its suffix."""
    r = board.report
    return f"impact-{r.programme_code}-{r.start.isoformat()}-{r.end.isoformat()}"
