"""The loan page's forms for what follows an application: withdraw, undo an approval,
reschedule, recover after a write-off, call or release the guarantee, refund or apply a
held over-payment, and submit the reversal of a repayment for a checker. Each form is
shown for the loan's state and the user's role (``loans._loan_page``); a refusal shows
the page again with the error beside its input and nothing written."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from kuza.domain.access import Principal
from kuza.domain.approvals import (
    PendingKind,
    may_apply_for_loans,
    may_decide_loans,
    may_disburse,
    may_submit,
)
from kuza.domain.errors import DomainError
from kuza.services import approvals
from kuza.services.loans import applications, guarantees, overpayments, writeoff
from kuza.services.loans.views import terms_of
from kuza.web.deps import Config, CurrentUser, Form, tr
from kuza.web.form_fields import typed
from kuza.web.i18n import N_
from kuza.web.loan_forms import TERM_FIELDS, day, failed, on_form_fields, term_changes
from kuza.web.routes.loans import LoanId, _loan_page, _may

router = APIRouter()
SERVICING_FIELDS = {
    "withdraw": ("on", "reason"),
    "undo-approval": ("on", "reason"),
    "reschedule": ("on", "reason", *TERM_FIELDS),
    "recover": ("amount", "on", "reference"),
    "guarantee": ("on", "release"),
    "refund": ("amount", "on", "reference"),
    "apply-overpayment": ("to_loan_id", "amount", "on", "reference"),
    "reverse": ("reference", "on", "reason"),
}


def _loan_number(raw: str) -> int:
    if not raw.isdigit() or len(raw) > 9:
        raise DomainError("give the number of the member's other loan", field="to_loan_id")
    return int(raw)


def _run(request: Request, cfg: Config, loan_id: int, action: str, v: dict[str, str]) -> str:
    """The service behind one form; returns the message to flash."""
    user: Principal = request.state.user
    who, today, on = user.username, cfg.today(), day(v["on"])
    _ = tr(request)
    if action == "withdraw":
        applications.withdraw(cfg.db, loan_id, on, v["reason"], who, today)
        return _("Loan withdrawn.")
    if action == "undo-approval":
        applications.undo_approval(cfg.db, loan_id, on, v["reason"], who, today)
        return _("Approval undone: the loan waits for a decision again.")
    if action == "reschedule":
        with on_form_fields():
            changes = term_changes(v, terms_of(cfg.db, loan_id).fields())
            writeoff.reschedule(cfg.db, loan_id, on, changes, v["reason"], who, today)
        return _("Loan rescheduled.")
    if action == "recover":
        r = writeoff.recover(cfg.db, loan_id, v["amount"], on, v["reference"], who, today)
        return _("Recovery booked.") if r.created else _("Already booked: nothing again.")
    if action == "guarantee":
        release = v["release"] == "yes"
        guarantees.call_guarantee(cfg.db, loan_id, on, who, user.role.value, today, release)
        return _("Guarantee settled.")
    if action == "refund":
        done = overpayments.refund_overpayment(
            cfg.db, loan_id, v["amount"] or None, on, v["reference"], who, today
        )
        return _("Over-payment refunded.") if done.created else _("Already booked: nothing again.")
    if action == "apply-overpayment":
        target = _loan_number(v["to_loan_id"])
        r = overpayments.apply_overpayment(
            cfg.db, loan_id, target, v["amount"] or None, on, v["reference"], who, today
        )
        return _("Over-payment applied.") if r.created else _("Already booked: nothing again.")
    payload = {"loan_id": loan_id, "reference": v["reference"], "on": on.isoformat()}
    approvals.submit(
        cfg.db, PendingKind.REPAYMENT_REVERSAL, payload, v["reason"], who, user.role, today,
        user.programme_id,
    )  # fmt: skip
    return _("Reversal submitted: a checker must approve it.")


def _act(request: Request, cfg: Config, loan_id: int, action: str, data: Form) -> Response:
    v = typed(data, SERVICING_FIELDS[action])
    try:
        done = _run(request, cfg, loan_id, action, v)
    except DomainError as exc:
        return _loan_page(request, cfg, loan_id, failed(action, v, exc), 422)
    request.session["flash"] = done
    return RedirectResponse(f"/loans/{loan_id}", status_code=303)


@router.post("/loans/{loan_id}/withdraw", response_model=None)
def withdraw_loan(
    request: Request, loan_id: LoanId, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    _may(may_apply_for_loans(user.role), N_("Your role does not record loan applications."))
    return _act(request, cfg, loan_id, "withdraw", data)


@router.post("/loans/{loan_id}/undo-approval", response_model=None)
def undo_approval(
    request: Request, loan_id: LoanId, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    _may(may_decide_loans(user.role), N_("Your role does not approve loans."))
    return _act(request, cfg, loan_id, "undo-approval", data)


@router.post("/loans/{loan_id}/reschedule", response_model=None)
def reschedule_loan(
    request: Request, loan_id: LoanId, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    _may(may_decide_loans(user.role), N_("Your role does not approve loans."))
    return _act(request, cfg, loan_id, "reschedule", data)


@router.post("/loans/{loan_id}/recover", response_model=None)
def recover_loan(
    request: Request, loan_id: LoanId, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    _may(may_apply_for_loans(user.role), N_("Your role does not record repayments."))
    return _act(request, cfg, loan_id, "recover", data)


@router.post("/loans/{loan_id}/guarantee", response_model=None)
def call_guarantee(
    request: Request, loan_id: LoanId, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    _may(may_decide_loans(user.role), N_("Your role does not approve loans."))
    return _act(request, cfg, loan_id, "guarantee", data)


@router.post("/loans/{loan_id}/refund", response_model=None)
def refund_overpayment(
    request: Request, loan_id: LoanId, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    _may(may_disburse(user.role), N_("Your role does not pay money out."))
    return _act(request, cfg, loan_id, "refund", data)


@router.post("/loans/{loan_id}/apply-overpayment", response_model=None)
def apply_overpayment(
    request: Request, loan_id: LoanId, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    _may(may_apply_for_loans(user.role), N_("Your role does not record repayments."))
    return _act(request, cfg, loan_id, "apply-overpayment", data)


@router.post("/loans/{loan_id}/reverse", response_model=None)
def reverse_repayment(
    request: Request, loan_id: LoanId, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    _may(
        may_submit(PendingKind.REPAYMENT_REVERSAL, user.role),
        N_("Your role does not submit the reversal of a repayment."),
    )
    return _act(request, cfg, loan_id, "reverse", data)
