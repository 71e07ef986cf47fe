"""Loan pages: apply (the maker), the list a checker works from, approve or reject (the
service refuses the applicant as approver), disburse, repay, submit a write-off for
approval; one loan with its schedule; the arrears list with PAR and repayment rates."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kuza.domain.access import Principal, Role, group_filter, sees_group_pages
from kuza.domain.approvals import (
    PendingKind,
    may_apply_for_loans,
    may_decide_loans,
    may_disburse,
    may_submit,
)
from kuza.domain.errors import DomainError
from kuza.domain.loans.lifecycle import LoanStatus
from kuza.reports.arrears import arrears_overview
from kuza.services import approvals, users
from kuza.services.loans import applications, disbursement, repayments
from kuza.services.loans.applications import LoanRequest
from kuza.services.loans.views import loan_detail, loan_group, loan_list, products_of
from kuza.services.views import group_view
from kuza.web.deps import Config, CurrentUser, Form, GroupId, render, tr
from kuza.web.form_fields import typed
from kuza.web.i18n import N_
from kuza.web.loan_forms import FormState, day, failed, scope, whole

router = APIRouter()
PAGE = 50
# Statuses and kinds shown through _() in the templates.
SHOWN = (
    N_("applied"),
    N_("approved"),
    N_("rejected"),
    N_("withdrawn"),
    N_("disbursed"),
    N_("rescheduled"),
    N_("written off"),
    N_("recovered"),
    N_("internal"),
    N_("external"),
    N_("in kind"),
)
APPLY_FIELDS = (
    "member_id",
    "product_id",
    "amount",
    "applied_on",
    "purpose",
    "monthly_revenue",
    "monthly_costs",
    "goods_description",
    "goods_supplier",
)
ACTION_FIELDS = {
    "approve": ("on",),
    "reject": ("on", "reason"),
    "disburse": ("on",),
    "repay": ("amount", "on", "reference"),
    "write-off": ("on", "reason"),
}


class BlankForms(dict[str, FormState]):
    """The page's forms by name: the one refused as typed, any other blank, dated today."""

    def __init__(self, today: str) -> None:
        super().__init__()
        self.today = today

    def __missing__(self, name: str) -> FormState:
        return FormState(name, {"on": self.today})


def _no_pages(user: Principal) -> None:
    if not sees_group_pages(user):
        raise HTTPException(404, N_("No such page."))


def visible_loan(loan_id: int, user: CurrentUser, cfg: Config) -> int:
    """404 alike for a loan out of scope and one that does not exist."""
    gid = loan_group(cfg.db, loan_id) if sees_group_pages(user) else None
    if gid is None or not users.can_see_group(cfg.db, user, gid):
        raise HTTPException(404, N_("No such loan."))
    return loan_id


LoanId = Annotated[int, Depends(visible_loan)]


def _may(allowed: bool, why: str) -> None:
    if not allowed:
        raise HTTPException(403, why)


@router.get("/loans", response_class=HTMLResponse)
def loans_page(
    request: Request,
    user: CurrentUser,
    cfg: Config,
    status: Annotated[LoanStatus | None, Query()] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    _no_pages(user)
    rows, total = loan_list(cfg.db, scope(cfg.db, user), status, None, PAGE, (page - 1) * PAGE)
    pages = max(1, (total + PAGE - 1) // PAGE)
    context = {
        "loans": rows,
        "status": status.value if status else "",
        "statuses": [s.value for s in LoanStatus],
        "page": page,
        "pages": pages,
        "total": total,
    }
    return render(request, "loans.html", context)


def _apply_page(
    request: Request, cfg: Config, group_id: int, form: FormState, status: int = 200
) -> HTMLResponse:
    user = request.state.user
    view = group_view(cfg.db, group_id, cfg.today(), user.programme_id)
    products = products_of(cfg.db, view.programme_id)
    context = {"group": view, "products": products, "form": form}
    return render(request, "loan_form.html", context, status)


@router.get("/groups/{group_id}/loans/new", response_class=HTMLResponse)
def new_loan(request: Request, group_id: GroupId, user: CurrentUser, cfg: Config) -> HTMLResponse:
    _may(may_apply_for_loans(user.role), N_("Your role does not record loan applications."))
    blank = {"applied_on": cfg.today().isoformat()}
    return _apply_page(request, cfg, group_id, FormState("apply", blank))


@router.post("/groups/{group_id}/loans", response_model=None)
def apply_for_loan(
    request: Request, group_id: GroupId, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    _may(may_apply_for_loans(user.role), N_("Your role does not record loan applications."))
    v = typed(data, APPLY_FIELDS)
    try:
        req = LoanRequest(
            group_id=group_id,
            member_id=whole(v["member_id"], "member_id"),
            product_id=whole(v["product_id"], "product_id"),
            amount=v["amount"],
            applied_on=day(v["applied_on"], "applied_on"),
            purpose=v["purpose"],
            monthly_revenue=v["monthly_revenue"] or None,
            monthly_costs=v["monthly_costs"] or None,
            goods_description=v["goods_description"] or None,
            goods_supplier=v["goods_supplier"] or None,
        )
        loan_id = applications.apply(cfg.db, req, user.username, cfg.today())
    except DomainError as exc:
        return _apply_page(request, cfg, group_id, failed("apply", v, exc), 422)
    _ = tr(request)
    request.session["flash"] = _("Application recorded: another officer must approve it.")
    return RedirectResponse(f"/loans/{loan_id}", status_code=303)


def _loan_page(
    request: Request, cfg: Config, loan_id: int, form: FormState | None = None, status: int = 200
) -> HTMLResponse:
    user: Principal = request.state.user
    role = user.role
    today = cfg.today().isoformat()
    detail = loan_detail(cfg.db, loan_id)
    forms = BlankForms(today)
    forms["reschedule"] = FormState("reschedule", {"on": today, **detail.terms.fields()})
    if form is not None:
        forms[form.name] = form
    context = {
        "detail": detail,
        "forms": forms,
        "may_decide": may_decide_loans(role),
        "may_disburse": may_disburse(role),
        "may_repay": may_apply_for_loans(role),
        "may_write_off": may_submit(PendingKind.WRITE_OFF, role),
        "may_reverse": may_submit(PendingKind.REPAYMENT_REVERSAL, role),
    }
    return render(request, "loan.html", context, status)


@router.get("/loans/{loan_id}", response_class=HTMLResponse)
def loan_page(request: Request, loan_id: LoanId, cfg: Config) -> HTMLResponse:
    return _loan_page(request, cfg, loan_id)


def _act(request: Request, cfg: Config, loan_id: int, action: str, data: Form) -> Response:
    """Run one command of the loan page; on refusal the page again, the error beside its
    input and nothing written."""
    user: Principal = request.state.user
    v = typed(data, ACTION_FIELDS[action])
    _ = tr(request)
    try:
        on = day(v["on"])
        if action == "approve":
            applications.approve(cfg.db, loan_id, on, user.username, cfg.today())
            done = _("Loan approved.")
        elif action == "reject":
            applications.reject(cfg.db, loan_id, on, v["reason"], user.username, cfg.today())
            done = _("Loan rejected.")
        elif action == "disburse":
            disbursement.disburse(cfg.db, loan_id, on, user.username, cfg.today())
            done = _("Loan disbursed.")
        elif action == "repay":
            r = repayments.repay(
                cfg.db, loan_id, v["amount"], on, v["reference"], user.username, cfg.today()
            )
            done = _("Repayment booked.") if r.created else _("Already booked: nothing again.")
        else:
            payload = {"loan_id": loan_id, "on": on.isoformat()}
            approvals.submit(
                cfg.db, PendingKind.WRITE_OFF, payload, v["reason"], user.username, user.role,
                cfg.today(), user.programme_id,
            )  # fmt: skip
            done = _("Write-off submitted: a checker must approve it.")
    except DomainError as exc:
        return _loan_page(request, cfg, loan_id, failed(action, v, exc), 422)
    request.session["flash"] = done
    return RedirectResponse(f"/loans/{loan_id}", status_code=303)


@router.post("/loans/{loan_id}/approve", response_model=None)
def approve_loan(
    request: Request, loan_id: LoanId, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    _may(may_decide_loans(user.role), N_("Your role does not approve loans."))
    return _act(request, cfg, loan_id, "approve", data)


@router.post("/loans/{loan_id}/reject", response_model=None)
def reject_loan(
    request: Request, loan_id: LoanId, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    _may(may_decide_loans(user.role), N_("Your role does not approve loans."))
    return _act(request, cfg, loan_id, "reject", data)


@router.post("/loans/{loan_id}/disburse", response_model=None)
def disburse_loan(
    request: Request, loan_id: LoanId, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    _may(may_disburse(user.role), N_("Your role does not disburse loans."))
    return _act(request, cfg, loan_id, "disburse", data)


@router.post("/loans/{loan_id}/repay", response_model=None)
def repay_loan(
    request: Request, loan_id: LoanId, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    _may(may_apply_for_loans(user.role), N_("Your role does not record repayments."))
    return _act(request, cfg, loan_id, "repay", data)


@router.post("/loans/{loan_id}/write-off", response_model=None)
def write_off_loan(
    request: Request, loan_id: LoanId, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    _may(may_submit(PendingKind.WRITE_OFF, user.role), N_("Your role does not write loans off."))
    return _act(request, cfg, loan_id, "write-off", data)


@router.get("/arrears", response_class=HTMLResponse)
def arrears_page(
    request: Request,
    user: CurrentUser,
    cfg: Config,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    live: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    """The last close-day's figures (stored, fast at any size); ``live`` computes the
    repayment rates from the book as of today instead (docs/decisions.md)."""
    _no_pages(user)
    # A whole programme or a branch: its figures from close-day's summary, the list by
    # branch; an agent (or no scope): her groups.
    seen = group_filter(user)
    wide = user.role is Role.ADMIN or (
        user.programme_id is not None and not seen.nothing and seen.agent_id is None
    )
    overview = arrears_overview(
        cfg.db,
        user.programme_id,
        None if wide else scope(cfg.db, user),
        cfg.today(),
        live=live,
        offset=(page - 1) * PAGE,
        limit=PAGE,
        branch_id=seen.branch_id if wide else None,
    )
    pages = max(1, (overview.late + PAGE - 1) // PAGE)
    context = {"overview": overview, "page": page, "pages": pages, "today": cfg.today()}
    return render(request, "arrears.html", context)
