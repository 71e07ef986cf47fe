"""What happens to a loan after its application, over the API: withdraw, undo an
approval, reschedule, recover after a write-off, call or release the group guarantee,
refund or apply an over-payment, and submit the reversal of a repayment for a checker
(maker-checker). Thin routes over the services of ``kuza loan``; the roles are those of
the loan page (docs/security.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse

from kuza.domain.access import Principal
from kuza.domain.approvals import PendingKind, may_submit
from kuza.services import approvals
from kuza.services.loans import applications, guarantees, overpayments, writeoff
from kuza.web.api.approvals import action_public
from kuza.web.api.deps import GroupReader, IdempotencyKey, idempotent
from kuza.web.api.loan_schemas import (
    GuaranteeCallCreate,
    GuaranteePublic,
    LoanRejectionCreate,
    LoanStatusPublic,
    LoanWithdrawalCreate,
    OverpaymentApplicationCreate,
    OverpaymentRefundCreate,
    OverpaymentRefundPublic,
    PendingActionPublic,
    RecoveryCreate,
    RecoveryPublic,
    RepaymentPublic,
    RepaymentReversalCreate,
    RescheduleCreate,
    RescheduledPublic,
)
from kuza.web.api.loans import WRITE, Checker, Disburser, LoanPath, Maker, check_loan
from kuza.web.api.schemas import money
from kuza.web.deps import Config

router = APIRouter(tags=["loans"])


def reverser(user: GroupReader) -> Principal:
    if not may_submit(PendingKind.REPAYMENT_REVERSAL, user.role):
        raise HTTPException(403, "your role does not submit the reversal of a repayment")
    return user


Reverser = Annotated[Principal, Depends(reverser)]


@router.post("/loans/{loan_id}/withdraw", response_model=LoanStatusPublic, responses=WRITE)
def withdraw_loan(
    request: Request,
    loan_id: LoanPath,
    body: LoanWithdrawalCreate,
    user: Maker,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """The member no longer wants the loan (applied or approved, not yet disbursed)."""
    check_loan(cfg, user, loan_id)

    def run() -> tuple[int, LoanStatusPublic]:
        status = applications.withdraw(
            cfg.db, loan_id, body.on, body.reason, user.username, cfg.today()
        )
        return 200, LoanStatusPublic(id=loan_id, status=status.value)

    return idempotent(request, cfg, user, key, body, run)


@router.post("/loans/{loan_id}/undo-approval", response_model=LoanStatusPublic, responses=WRITE)
def undo_approval(
    request: Request,
    loan_id: LoanPath,
    body: LoanRejectionCreate,
    user: Checker,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Back to applied before disbursement; another checker than the applicant decides
    again."""
    check_loan(cfg, user, loan_id)

    def run() -> tuple[int, LoanStatusPublic]:
        status = applications.undo_approval(
            cfg.db, loan_id, body.on, body.reason, user.username, cfg.today()
        )
        return 200, LoanStatusPublic(id=loan_id, status=status.value)

    return idempotent(request, cfg, user, key, body, run)


@router.post("/loans/{loan_id}/reschedule", response_model=RescheduledPublic, responses=WRITE)
def reschedule_loan(
    request: Request,
    loan_id: LoanPath,
    body: RescheduleCreate,
    user: Checker,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Re-spread the principal still owed on new terms from ``on``: the number of
    instalments, their frequency, the interest rate and method, the grace, as given (the
    rest stays). Books nothing; unpaid interest of the old schedule is dropped. New terms
    the calculator refuses are a 422 naming the field (``every.n``, ``rate.percent``)."""
    check_loan(cfg, user, loan_id)

    def run() -> tuple[int, RescheduledPublic]:
        done = writeoff.reschedule(
            cfg.db, loan_id, body.on, body.changes(), body.reason, user.username, cfg.today()
        )
        public = RescheduledPublic(
            id=loan_id,
            status="rescheduled",
            principal=money(done.principal),
            instalments=done.instalments,
        )
        return 200, public

    return idempotent(request, cfg, user, key, body, run)


@router.post(
    "/loans/{loan_id}/recoveries", response_model=RecoveryPublic, status_code=201, responses=WRITE
)
def recover_loan(
    request: Request,
    loan_id: LoanPath,
    body: RecoveryCreate,
    user: Maker,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Money received on a written-off loan; the same reference again books nothing
    (200, ``created`` false)."""
    check_loan(cfg, user, loan_id)

    def run() -> tuple[int, RecoveryPublic]:
        r = writeoff.recover(
            cfg.db, loan_id, body.amount, body.on, body.reference, user.username, cfg.today()
        )
        public = RecoveryPublic(
            loan_id=loan_id, transaction_id=r.transaction_id, created=r.created,
            status=r.status.value,
        )  # fmt: skip
        return (201 if r.created else 200), public

    return idempotent(request, cfg, user, key, body, run)


@router.post("/loans/{loan_id}/guarantee-call", response_model=GuaranteePublic, responses=WRITE)
def call_guarantee(
    request: Request,
    loan_id: LoanPath,
    body: GuaranteeCallCreate,
    user: Checker,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Settle a written-off loan's guarantee: call what covers the loss, release the
    rest (all of it with ``release``). Once per loan (409 after)."""
    check_loan(cfg, user, loan_id)

    def run() -> tuple[int, GuaranteePublic]:
        done = guarantees.call_guarantee(
            cfg.db, loan_id, body.on, user.username, user.role.value, cfg.today(),
            release=body.release,
        )  # fmt: skip
        public = GuaranteePublic(
            loan_id=loan_id, entry_id=done.entry_id, called=money(done.called),
            released=money(done.released), status=done.status.value,
        )  # fmt: skip
        return 200, public

    return idempotent(request, cfg, user, key, body, run)


@router.post(
    "/loans/{loan_id}/overpayment-refunds",
    response_model=OverpaymentRefundPublic,
    status_code=201,
    responses=WRITE,
)
def refund_overpayment(
    request: Request,
    loan_id: LoanPath,
    body: OverpaymentRefundCreate,
    user: Disburser,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Pay a held over-payment (all of it by default) back to the member in cash."""
    check_loan(cfg, user, loan_id)

    def run() -> tuple[int, OverpaymentRefundPublic]:
        done = overpayments.refund_overpayment(
            cfg.db, loan_id, body.amount, body.on, body.reference, user.username, cfg.today()
        )
        public = OverpaymentRefundPublic(
            loan_id=loan_id, transaction_id=done.transaction_id, amount=money(done.amount),
            created=done.created,
        )  # fmt: skip
        return (201 if done.created else 200), public

    return idempotent(request, cfg, user, key, body, run)


@router.post(
    "/loans/{loan_id}/overpayment-applications",
    response_model=RepaymentPublic,
    status_code=201,
    responses=WRITE,
)
def apply_overpayment(
    request: Request,
    loan_id: LoanPath,
    body: OverpaymentApplicationCreate,
    user: Maker,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Use a held over-payment as a repayment of the member's loan ``to_loan_id``."""
    check_loan(cfg, user, loan_id)
    check_loan(cfg, user, body.to_loan_id)

    def run() -> tuple[int, RepaymentPublic]:
        r = overpayments.apply_overpayment(
            cfg.db, loan_id, body.to_loan_id, body.amount, body.on, body.reference,
            user.username, cfg.today(),
        )  # fmt: skip
        public = RepaymentPublic(
            loan_id=body.to_loan_id,
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


@router.post(
    "/loans/{loan_id}/repayment-reversals",
    response_model=PendingActionPublic,
    status_code=201,
    responses=WRITE,
)
def submit_reversal(
    request: Request,
    loan_id: LoanPath,
    body: RepaymentReversalCreate,
    user: Reverser,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Submit the reversal of a repayment for a checker: nothing is booked until another
    user approves it (POST /pending-actions/{id}/approve), who must not have recorded the
    repayment either. A repayment taken at a meeting is corrected with the meeting."""
    check_loan(cfg, user, loan_id)

    def run() -> tuple[int, PendingActionPublic]:
        payload = {"loan_id": loan_id, "reference": body.reference.strip(),
                   "on": body.on.isoformat()}  # fmt: skip
        action_id = approvals.submit(
            cfg.db, PendingKind.REPAYMENT_REVERSAL, payload, body.reason, user.username,
            user.role, cfg.today(), user.programme_id,
        )  # fmt: skip
        return 201, action_public(approvals.action(cfg.db, action_id))

    return idempotent(request, cfg, user, key, body, run)
