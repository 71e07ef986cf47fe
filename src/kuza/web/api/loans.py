"""Loans: a page of them, one with its schedule, apply, approve, reject, disburse and
repay (writes take an Idempotency-Key); the same services and roles as the pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse

from kuza.domain.access import Principal
from kuza.domain.approvals import may_apply_for_loans, may_decide_loans, may_disburse
from kuza.domain.loans.lifecycle import LoanStatus
from kuza.services import users
from kuza.services.loans import applications, disbursement, repayments
from kuza.services.loans.applications import LoanRequest
from kuza.services.loans.views import LoanRow, loan_detail, loan_group, loan_list
from kuza.web.api.deps import (
    GroupReader,
    IdempotencyKey,
    Limit,
    Offset,
    check_group,
    idempotent,
)
from kuza.web.api.loan_schemas import (
    InstalmentPublic,
    LoanCreate,
    LoanDecisionCreate,
    LoanPublic,
    LoanRejectionCreate,
    LoansPublic,
    LoanStatusPublic,
    LoanSummaryPublic,
    RepaymentCreate,
    RepaymentPublic,
)
from kuza.web.api.schemas import error_responses, money
from kuza.web.deps import Config
from kuza.web.loan_forms import scope

router = APIRouter(tags=["loans"])
LoanPath = Annotated[int, Path(ge=1, le=2**31 - 1)]
WRITE = error_responses(401, 403, 404, 409, 422)


def _role(allowed: bool, why: str) -> None:
    if not allowed:
        raise HTTPException(403, why)


def maker(user: GroupReader) -> Principal:
    _role(may_apply_for_loans(user.role), "your role does not record loans or repayments")
    return user


def checker(user: GroupReader) -> Principal:
    _role(may_decide_loans(user.role), "your role does not approve loans")
    return user


def disburser(user: GroupReader) -> Principal:
    _role(may_disburse(user.role), "your role does not disburse loans")
    return user


Maker = Annotated[Principal, Depends(maker)]
Checker = Annotated[Principal, Depends(checker)]
Disburser = Annotated[Principal, Depends(disburser)]


def check_loan(cfg: Config, user: Principal, loan_id: int) -> None:
    gid = loan_group(cfg.db, loan_id)
    if gid is None or not users.can_see_group(cfg.db, user, gid):
        raise HTTPException(404, "no such loan")


def _summary(r: LoanRow) -> LoanSummaryPublic:
    return LoanSummaryPublic(
        id=r.id,
        group_id=r.group_id,
        member_id=r.member_id,
        product=r.product,
        kind=r.kind,
        status=r.status,
        principal=money(r.principal),
        outstanding=money(r.outstanding),
        currency=r.principal.currency,
        applied_on=r.applied_on,
        applied_by=r.applied_by,
    )


@router.get("/loans", response_model=LoansPublic, responses=error_responses(401, 403))
def list_loans(
    user: GroupReader,
    cfg: Config,
    status: Annotated[LoanStatus | None, Query()] = None,
    member_id: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="Only this member's loans")
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> LoansPublic:
    """Loans in scope, newest application first (a member's, as her page lists them)."""
    rows, total = loan_list(cfg.db, scope(cfg.db, user), status, member_id, limit, offset)
    return LoansPublic(total=total, limit=limit, offset=offset, items=[_summary(r) for r in rows])


def _public(cfg: Config, loan_id: int) -> LoanPublic:
    d = loan_detail(cfg.db, loan_id)
    return LoanPublic(
        **_summary(d.loan).model_dump(),
        purpose=d.loan.purpose,
        cycle=d.cycle,
        decided_on=d.decided_on,
        decided_by=d.decided_by,
        disbursed_on=d.disbursed_on,
        still_owed=money(d.due),
        instalments=[
            InstalmentPublic(
                n=i.n,
                due_on=i.due_on,
                principal=money(i.principal),
                interest=money(i.interest),
                fees=money(i.fees),
                penalties=money(i.penalties),
                total=money(i.total),
                paid=money(i.paid),
                due=money(i.left),
            )
            for i in d.instalments
        ],
    )


@router.get("/loans/{loan_id}", response_model=LoanPublic, responses=error_responses(401, 403, 404))
def read_loan(loan_id: LoanPath, user: GroupReader, cfg: Config) -> LoanPublic:
    check_loan(cfg, user, loan_id)
    return _public(cfg, loan_id)


@router.post("/loans", response_model=LoanPublic, status_code=201, responses=WRITE)
def apply_for_loan(
    request: Request, body: LoanCreate, user: Maker, cfg: Config, key: IdempotencyKey = None
) -> JSONResponse:
    check_group(cfg, user, body.group_id)

    def run() -> tuple[int, LoanPublic]:
        req = LoanRequest(**body.model_dump())
        loan_id = applications.apply(cfg.db, req, user.username, cfg.today())
        return 201, _public(cfg, loan_id)

    return idempotent(request, cfg, user, key, body, run)


def _status(loan_id: int, status: LoanStatus) -> tuple[int, LoanStatusPublic]:
    return 200, LoanStatusPublic(id=loan_id, status=status.value)


@router.post("/loans/{loan_id}/approve", response_model=LoanStatusPublic, responses=WRITE)
def approve_loan(
    request: Request,
    loan_id: LoanPath,
    body: LoanDecisionCreate,
    user: Checker,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Refused (422) when the checker is the officer who recorded the application."""
    check_loan(cfg, user, loan_id)
    return idempotent(
        request, cfg, user, key, body,
        lambda: _status(loan_id, applications.approve(
            cfg.db, loan_id, body.on, user.username, cfg.today())),
    )  # fmt: skip


@router.post("/loans/{loan_id}/reject", response_model=LoanStatusPublic, responses=WRITE)
def reject_loan(
    request: Request,
    loan_id: LoanPath,
    body: LoanRejectionCreate,
    user: Checker,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    check_loan(cfg, user, loan_id)
    return idempotent(
        request, cfg, user, key, body,
        lambda: _status(loan_id, applications.reject(
            cfg.db, loan_id, body.on, body.reason, user.username, cfg.today())),
    )  # fmt: skip


@router.post("/loans/{loan_id}/disburse", response_model=LoanStatusPublic, responses=WRITE)
def disburse_loan(
    request: Request,
    loan_id: LoanPath,
    body: LoanDecisionCreate,
    user: Disburser,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    check_loan(cfg, user, loan_id)

    def run() -> tuple[int, LoanStatusPublic]:
        disbursement.disburse(cfg.db, loan_id, body.on, user.username, cfg.today())
        return 200, LoanStatusPublic(id=loan_id, status=loan_detail(cfg.db, loan_id).loan.status)

    return idempotent(request, cfg, user, key, body, run)


@router.post(
    "/loans/{loan_id}/repayments", response_model=RepaymentPublic, status_code=201, responses=WRITE
)
def repay_loan(
    request: Request,
    loan_id: LoanPath,
    body: RepaymentCreate,
    user: Maker,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    check_loan(cfg, user, loan_id)

    def run() -> tuple[int, RepaymentPublic]:
        reference = body.reference or key or ""
        r = repayments.repay(
            cfg.db, loan_id, body.amount, body.on, reference, user.username, cfg.today()
        )
        public = RepaymentPublic(
            loan_id=loan_id,
            transaction_id=r.transaction_id,
            created=r.created,
            status=r.status.value,
            principal=money(r.principal),
            interest=money(r.interest),
            fees=money(r.fees),
            penalties=money(r.penalties),
            overpaid=money(r.overpaid),
        )
        return (201 if r.created else 200), public

    return idempotent(request, cfg, user, key, body, run)
