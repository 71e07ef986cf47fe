"""The books: the programme's loan fund (finance and the programme's managers), the
close of day over the whole book and the ledger check (admins: both cover every
programme), and the groups' share-out statements (whoever sees the group)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response

from kuza.domain.access import Principal, may_keep_books, may_run_the_whole_book
from kuza.reports.dashboard_snapshot import write_snapshots
from kuza.services import books, shareout
from kuza.web.api.book_schemas import (
    CloseDayCreate,
    CloseDayPublic,
    CloseDayRunPublic,
    CloseDayRunsPublic,
    FundMovePublic,
    LedgerCheckPublic,
    LedgerFindingPublic,
    LoanFundDepositCreate,
    LoanFundDepositPublic,
    LoanFundPublic,
    ShareOutLinePublic,
    ShareOutPublic,
    ShareOutsPublic,
    ShareOutSummaryPublic,
)
from kuza.web.api.deps import (
    ApiUser,
    GroupReader,
    IdempotencyKey,
    Limit,
    Offset,
    check_group,
    idempotent,
)
from kuza.web.api.insurance_plans import own_programme
from kuza.web.api.schemas import error_responses, file_response, money
from kuza.web.deps import Config, IdPath, api_locale_of
from kuza.web.documents import PDF, attachment, share_out_pdf

router = APIRouter(tags=["books"])
READ = error_responses(401, 403, 404, 422)
WRITE = error_responses(401, 403, 404, 409, 422)


def book_keeper(user: ApiUser) -> Principal:
    if not may_keep_books(user):
        raise HTTPException(403, "only finance and the programme's managers keep the books")
    return user


def whole_book(user: ApiUser) -> Principal:
    if not may_run_the_whole_book(user):
        raise HTTPException(403, "only admins close the day and check the whole ledger")
    return user


BookKeeper = Annotated[Principal, Depends(book_keeper)]
WholeBook = Annotated[Principal, Depends(whole_book)]


@router.get("/programmes/{programme_id}/loan-fund", response_model=LoanFundPublic, responses=READ)
def get_loan_fund(
    programme_id: IdPath, user: BookKeeper, cfg: Config, limit: Limit = 50, offset: Offset = 0
) -> LoanFundPublic:
    """The loan fund's cash in hand and the capital put in, from the ledger, with a page
    of the movements of its cash (latest first)."""
    pid = own_programme(user, programme_id)
    fund = books.loan_fund(cfg.db, pid, limit, offset)
    return LoanFundPublic(
        programme_id=pid,
        currency=fund.cash.currency,
        cash=money(fund.cash),
        capital=money(fund.capital),
        total=fund.move_count,
        limit=limit,
        offset=offset,
        items=[FundMovePublic(entry_id=m.entry_id, on=m.on, memo=m.memo, amount=money(m.amount))
               for m in fund.moves],
    )  # fmt: skip


@router.post(
    "/programmes/{programme_id}/loan-fund/deposits",
    response_model=LoanFundDepositPublic,
    status_code=201,
    responses=WRITE,
)
def deposit_to_loan_fund(
    request: Request,
    programme_id: IdPath,
    body: LoanFundDepositCreate,
    user: BookKeeper,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Capital into the loan fund (Dr loan fund cash, Cr loan fund capital); a reference
    booked before is refused (409) and books nothing."""
    pid = own_programme(user, programme_id)

    def run() -> tuple[int, LoanFundDepositPublic]:
        entry_id = books.deposit_to_loan_fund(
            cfg.db, pid, body.amount, body.on, body.reference.strip(), user.username, cfg.today()
        )
        cash = books.loan_fund_cash(cfg.db, pid)
        return 201, LoanFundDepositPublic(
            programme_id=pid,
            entry_id=entry_id,
            amount=body.amount,
            currency=cash.currency,
            cash=money(cash),
        )

    return idempotent(request, cfg, user, key, body, run)


@router.post("/close-days", response_model=CloseDayPublic, responses=WRITE)
def close_day(
    request: Request, body: CloseDayCreate, user: WholeBook, cfg: Config, key: IdempotencyKey = None
) -> JSONResponse:
    """Penalties, arrears and interest accrual for every loan of every programme as of
    ``on`` (not after today); closing a day again changes nothing."""

    def run() -> tuple[int, CloseDayPublic]:
        done = books.run_close_day(cfg.db, body.on, user.username, cfg.today(), (write_snapshots,))
        return 200, CloseDayPublic(
            on=done.run_on,
            loans=done.loans,
            penalties_charged=done.penalties_charged,
            first_run=done.first_run,
            interest_accrued=done.accrued,
            loans_accruing=done.loans_accruing,
        )

    return idempotent(request, cfg, user, key, body, run)


@router.get("/close-days", response_model=CloseDayRunsPublic, responses=READ)
def close_day_runs(
    user: BookKeeper, cfg: Config, limit: Limit = 50, offset: Offset = 0
) -> CloseDayRunsPublic:
    """The close-of-day runs (the whole book's), latest date first, paged."""
    return CloseDayRunsPublic(
        total=books.close_day_run_count(cfg.db),
        limit=limit,
        offset=offset,
        items=[
            CloseDayRunPublic(
                on=r.run_on,
                loans=r.loans,
                penalties_charged=r.penalties_charged,
                ran_at=r.ran_at,
                ran_by=r.ran_by,
            )
            for r in books.close_day_runs(cfg.db, limit, offset)
        ],
    )


@router.get("/ledger/check", response_model=LedgerCheckPublic, responses=READ)
def ledger_check(user: WholeBook, cfg: Config) -> LedgerCheckPublic:
    """``kuza ledger check`` over HTTP: every entry balances, every stored balance equals
    its lines, and the meetings, share-outs, loans and accruals agree with the ledger.
    Each finding is a sentence in the caller's language and, in ``details``, its kind and
    values."""
    found = books.check_ledger(cfg.db)
    return LedgerCheckPublic(
        clean=found.clean,
        entries=found.entries,
        lines=found.lines,
        accounts=found.accounts,
        findings=[f.message for f in found.findings],
        details=[
            LedgerFindingPublic(kind=f.kind.value, values=dict(f.values), message=f.message)
            for f in found.findings
        ],
    )


@router.get("/groups/{group_id}/share-outs", response_model=ShareOutsPublic, responses=READ)
def group_share_outs(
    group_id: IdPath, user: GroupReader, cfg: Config, limit: Limit = 50, offset: Offset = 0
) -> ShareOutsPublic:
    """The group's share-outs (one a cycle), the latest cycle first, paged."""
    check_group(cfg, user, group_id)
    found = shareout.share_outs_of_group(cfg.db, group_id)
    return ShareOutsPublic(
        group_id=group_id,
        total=len(found),
        limit=limit,
        offset=offset,
        items=[
            ShareOutSummaryPublic(
                id=s.share_out_id,
                cycle_number=s.cycle_number,
                on=s.on,
                rule=s.rule.value,
                fund=money(s.fund),
                currency=s.fund.currency,
                members=s.members,
            )
            for s in found[offset : offset + limit]
        ],
    )


@router.get("/share-outs/{share_out_id}", response_model=ShareOutPublic, responses=READ)
def share_out_statement(share_out_id: IdPath, user: GroupReader, cfg: Config) -> ShareOutPublic:
    """Each member's line of a share-out: savings back, income share, payout."""
    st = shareout.share_out_statement(cfg.db, share_out_id, user.programme_id)
    check_group(cfg, user, st.group_id)
    return ShareOutPublic(
        id=st.share_out_id,
        group_id=st.group_id,
        group_name=st.group_name,
        cycle_number=st.cycle_number,
        on=st.on,
        rule=st.rule.value,
        fund=money(st.fund),
        currency=st.fund.currency,
        lines=[
            ShareOutLinePublic(
                member_id=r.member_id,
                name=r.name,
                savings=money(r.savings),
                income=money(r.income),
                payout=money(r.payout),
                shares=r.shares,
            )
            for r in st.rows
        ],
    )


@router.get(
    "/share-outs/{share_out_id}/statement.pdf",
    response_class=Response,
    responses=file_response(PDF, "The statement: each member's savings, income share, payout")
    | READ,
)
def share_out_statement_pdf(
    request: Request, share_out_id: IdPath, user: GroupReader, cfg: Config
) -> Response:
    """The page's statement PDF: exact decimals in the group's currency, headings in the
    user's language (as the error messages). Never for a donor (403)."""
    st = shareout.share_out_statement(cfg.db, share_out_id, user.programme_id)
    check_group(cfg, user, st.group_id)
    body = share_out_pdf(st, cfg.today(), api_locale_of(request))
    return attachment(body, PDF, f"share-out-{share_out_id}.pdf")
