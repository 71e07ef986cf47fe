"""The books page: the programme's loan fund (its cash, the capital put in, a deposit
form), the close-of-day runs and, for admins, closing a day and checking the ledger
(both cover every programme). And a group's share-out statement, member by member."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kuza.domain.access import (
    Principal,
    Role,
    may_keep_books,
    may_run_the_whole_book,
    sees_group_pages,
)
from kuza.domain.errors import DomainError
from kuza.services import admin, books, shareout, users
from kuza.services.shareout import ShareOutStatement
from kuza.web.deps import (
    Config,
    CurrentUser,
    Form,
    IdPath,
    PageNo,
    page_count,
    programme_or_404,
    render,
    tr,
)
from kuza.web.form_fields import day_field
from kuza.web.i18n import N_

router = APIRouter()
MOVES = 20


def _keeper(user: Principal) -> None:
    if not sees_group_pages(user):
        raise HTTPException(404, N_("No such page."))
    if not may_keep_books(user):
        raise HTTPException(403, N_("Only finance and the programme's managers keep the books."))


def _admin_only(user: Principal) -> None:
    _keeper(user)
    if not may_run_the_whole_book(user):
        raise HTTPException(403, N_("Only admins close the day and check the whole ledger."))


def _page(
    request: Request,
    cfg: Config,
    user: Principal,
    programme_id: int,
    typed: Mapping[str, str] | None = None,
    error: Mapping[str, str | None] | None = None,
    check: books.LedgerCheck | None = None,
    status: int = 200,
    page: int = 1,
) -> HTMLResponse:
    fund = books.loan_fund(cfg.db, programme_id, MOVES, (page - 1) * MOVES)
    context: dict[str, Any] = {
        "programme_id": programme_id,
        "programmes": admin.programme_list(cfg.db) if user.role is Role.ADMIN else [],
        "fund": fund,
        "page": page,
        "pages": page_count(fund.move_count, MOVES),
        "query": {"programme": programme_id} if user.role is Role.ADMIN else {},
        "runs": books.close_day_runs(cfg.db),
        "whole_book": may_run_the_whole_book(user),
        "typed": dict(typed or {}),
        "error": error,
        "check": check,
        "today": cfg.today().isoformat(),
    }
    return render(request, "books.html", context, status)


@router.get("/books", response_class=HTMLResponse)
def books_page(
    request: Request,
    user: CurrentUser,
    cfg: Config,
    programme: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    page: PageNo = 1,
) -> HTMLResponse:
    """The loan fund with a page of its cash movements (latest first), the close-day runs."""
    _keeper(user)
    pid = programme_or_404(user, str(programme) if programme else None, cfg)
    return _page(request, cfg, user, pid, page=page)


def _done(request: Request, programme_id: int, message: str) -> Response:
    request.session["flash"] = message
    return RedirectResponse(f"/books?programme={programme_id}", status_code=303)


@router.post("/books/loan-fund", response_model=None)
def loan_fund_deposit(request: Request, user: CurrentUser, cfg: Config, data: Form) -> Response:
    _keeper(user)
    pid = programme_or_404(user, str(data.get("programme_id") or "") or None, cfg)
    typed = {k: str(data.get(k) or "").strip() for k in ("amount", "on", "reference")}
    try:
        books.deposit_to_loan_fund(
            cfg.db,
            pid,
            typed["amount"],
            day_field(typed["on"], "on"),
            typed["reference"],
            user.username,
            cfg.today(),
        )
    except DomainError as exc:
        error = {"form": "fund", "field": exc.field, "message": exc.message}
        return _page(request, cfg, user, pid, typed, error, status=422)
    return _done(request, pid, tr(request)(N_("Deposit booked into the loan fund.")))


@router.post("/books/close-day", response_model=None)
def close_day(request: Request, user: CurrentUser, cfg: Config, data: Form) -> Response:
    _admin_only(user)
    pid = programme_or_404(user, str(data.get("programme_id") or "") or None, cfg)
    typed = {"close_on": str(data.get("on") or "").strip()}
    try:
        done = books.run_close_day(
            cfg.db, day_field(typed["close_on"], "on"), user.username, cfg.today()
        )
    except DomainError as exc:
        error = {"form": "close", "field": exc.field, "message": exc.message}
        return _page(request, cfg, user, pid, typed, error, status=422)
    if done.first_run:
        message = tr(request)(
            N_("Day closed: %(loans)s active loans, %(penalties)s penalties charged."),
            loans=done.loans,
            penalties=done.penalties_charged,
        )
    else:
        message = tr(request)(N_("That day had been closed before: nothing new was charged."))
    return _done(request, pid, message)


@router.get("/books/ledger-check", response_class=HTMLResponse)
def ledger_check(
    request: Request,
    user: CurrentUser,
    cfg: Config,
    programme: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> HTMLResponse:
    _admin_only(user)
    pid = programme_or_404(user, str(programme) if programme else None, cfg)
    return _page(request, cfg, user, pid, check=books.check_ledger(cfg.db))


def visible_share_out(cfg: Config, user: Principal, share_out_id: int) -> ShareOutStatement:
    """The statement of a share-out of a group she sees; else, donors included, absent."""
    try:
        st = shareout.share_out_statement(cfg.db, share_out_id, user.programme_id)
    except DomainError:
        raise HTTPException(404, N_("No such share-out.")) from None
    if not users.can_see_group(cfg.db, user, st.group_id):
        raise HTTPException(404, N_("No such share-out."))
    return st


@router.get("/share-outs/{share_out_id}", response_class=HTMLResponse)
def share_out_page(
    request: Request, share_out_id: IdPath, user: CurrentUser, cfg: Config
) -> HTMLResponse:
    """A share-out's statement, member by member; printable, and as a PDF."""
    st = visible_share_out(cfg, user, share_out_id)
    return render(request, "share_out.html", {"statement": st})


# Values shown through the `word` filter on the pages.
SHOWN_VALUES = (N_("pro_rata"), N_("shares"), N_("equal_income"))
