"""Admin pages: the audit log; loan products, programme settings and household
scorecards (admins, and a country manager for her own programme); accounts are in
:mod:`admin_accounts`. Every change goes through a service that writes the audit log."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kuza.domain.access import Principal, Role
from kuza.domain.errors import DomainError, NotFound
from kuza.domain.loans.book import LoanKind
from kuza.domain.stability import Component, StabilityPolicy
from kuza.domain.training import CompletionBasis, TrainingRules, training_rules
from kuza.services import admin, audit, visits
from kuza.services.loans import products
from kuza.services.visit_views import scorecard_page
from kuza.web.deps import Config, CurrentUser, Form, IdPath, render, tr
from kuza.web.i18n import N_

router = APIRouter()
PAGE = 50
ROLES = [r.value for r in Role]
KINDS = [k.value for k in LoanKind]
COMPONENTS = [c.value for c in Component]
PRODUCT_FIELDS = ("name", "kind", "terms", "ceilings", "savings_multiple", "guarantee_percent")
EXAMPLE_TERMS = {
    "rate": {"percent": "1", "per": "month"},
    "method": "flat",
    "instalments": 6,
    "every": {"n": 1, "unit": "month"},
}


def _admin_only(user: Principal) -> None:
    if user.role is not Role.ADMIN:
        raise HTTPException(403, N_("Only admins manage accounts."))


def _manages(user: Principal, programme_id: int) -> None:
    """Admins manage every programme; a country manager her own (another one is 404)."""
    if user.role is Role.ADMIN:
        return
    if user.role is Role.COUNTRY_MANAGER:
        if user.programme_id == programme_id:
            return
        raise HTTPException(404, N_("No such programme."))
    raise HTTPException(403, N_("Only admins and country managers manage programmes."))


def form_error(exc: DomainError, section: str = "") -> dict[str, str | None]:
    """A refusal as the templates place it: on the field it names, in that form."""
    return {"section": section, "field": exc.field, "message": exc.message}


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    user: CurrentUser,
    cfg: Config,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    if user.role is not Role.ADMIN:
        raise HTTPException(403, N_("Only admins see the audit log."))
    rows, total = audit.recent(cfg.db, PAGE, (page - 1) * PAGE)
    pages = max(1, (total + PAGE - 1) // PAGE)
    return render(
        request, "audit.html", {"rows": rows, "total": total, "page": page, "pages": pages}
    )


@router.get("/admin", response_class=HTMLResponse)
def admin_index(request: Request, user: CurrentUser, cfg: Config) -> HTMLResponse:
    """Admins and country managers: the programmes they set up; a branch manager: her
    branch's field agents."""
    branch = None
    if user.role is Role.ADMIN:
        shown = admin.programme_list(cfg.db)
    elif user.role is Role.COUNTRY_MANAGER and user.programme_id is not None:
        shown = [admin.Choice(user.programme_id, admin.programme_name(cfg.db, user.programme_id))]
    elif user.role is Role.BRANCH_MANAGER and user.branch_id is not None:
        shown, branch = [], admin.branch_choice(cfg.db, user.branch_id)
    else:
        raise HTTPException(403, N_("Only admins and country managers manage programmes."))
    return render(request, "admin_index.html", {"programmes": shown, "branch": branch})


# ---- loan products ----------------------------------------------------------------------


def _products_page(
    request: Request,
    cfg: Config,
    programme_id: int,
    typed: Mapping[str, Any] | None = None,
    error: Mapping[str, str | None] | None = None,
    status: int = 200,
) -> HTMLResponse:
    context = {
        "programme_id": programme_id,
        "programme": admin.programme_name(cfg.db, programme_id),
        "rows": admin.product_list(cfg.db, programme_id),
        "kinds": KINDS,
        "typed": defaultdict(str, typed or {"terms": json.dumps(EXAMPLE_TERMS, indent=1)}),
        "error": error,
    }
    return render(request, "admin_products.html", context, status)


@router.get("/admin/programmes/{programme_id}/products", response_class=HTMLResponse)
def products_page(
    request: Request, programme_id: IdPath, user: CurrentUser, cfg: Config
) -> HTMLResponse:
    _manages(user, programme_id)
    return _products_page(request, cfg, programme_id)


def _json_field(raw: str, field: str) -> object:
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        raise DomainError(N_("This is not valid JSON."), field=field) from None


def _on_product_field(exc: DomainError) -> DomainError:
    """Errors from inside the terms or ceilings land on their box."""
    where = exc.field or ""
    top = where.split(".")[0]
    if top not in PRODUCT_FIELDS:
        exc.field = "terms"
    else:
        exc.field = top
    return exc


@router.post("/admin/programmes/{programme_id}/products", response_model=None)
def product_create(
    request: Request, programme_id: IdPath, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    _manages(user, programme_id)
    typed: dict[str, Any] = {k: str(data.get(k) or "") for k in PRODUCT_FIELDS}
    typed["starter"] = data.get("starter") is not None
    try:
        product: dict[str, Any] = {
            "name": typed["name"],
            "kind": typed["kind"],
            "terms": _json_field(typed["terms"], "terms"),
            "ceilings": _json_field(typed["ceilings"], "ceilings"),
            "starter": typed["starter"],
        }
        for key in ("savings_multiple", "guarantee_percent"):
            if typed[key].strip():
                product[key] = typed[key].strip()
        products.create_product(cfg.db, programme_id, product, actor=user.username)
    except DomainError as exc:
        error = form_error(_on_product_field(exc))
        return _products_page(request, cfg, programme_id, typed, error, 422)
    request.session["flash"] = tr(request)(N_("Loan product %(name)s created."), name=typed["name"])
    return RedirectResponse(f"/admin/programmes/{programme_id}/products", status_code=303)


@router.post("/admin/programmes/{programme_id}/products/{product_id}/active", response_model=None)
def product_active(
    request: Request,
    programme_id: IdPath,
    product_id: IdPath,
    user: CurrentUser,
    cfg: Config,
    data: Form,
) -> Response:
    """``active=0`` switches the product off (gone from the application form, refused at
    approval), ``1`` on again; loans already made with it are not touched."""
    _manages(user, programme_id)
    raw = str(data.get("active") or "")
    try:
        if raw not in ("0", "1"):
            raise DomainError(N_("Choose active or not."), field="active")
        products.set_active(cfg.db, programme_id, product_id, raw == "1", actor=user.username)
    except NotFound:
        raise  # a product of another programme, or none: 404
    except DomainError as exc:
        error = form_error(exc, f"product-{product_id}")
        return _products_page(request, cfg, programme_id, None, error, 422)
    message = N_("Loan product switched on.") if raw == "1" else N_("Loan product switched off.")
    request.session["flash"] = tr(request)(message)
    return RedirectResponse(f"/admin/programmes/{programme_id}/products", status_code=303)


# ---- programme settings -----------------------------------------------------------------


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _current_values(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The settings in force as the form shows them (percent where the form asks one)."""
    try:
        policy = StabilityPolicy.from_settings(settings)
    except DomainError:
        policy = StabilityPolicy()
    try:
        rules = training_rules(settings)
    except DomainError:
        rules = TrainingRules()
    values: dict[str, Any] = {}
    for comp in Component:
        values[f"stability.weights.{comp.value}"] = _plain(policy.weights.get(comp, Decimal(0)))
        minimum = policy.minimums.get(comp)
        values[f"stability.minimums.{comp.value}"] = (
            "" if minimum is None else _plain(minimum * 100)
        )
    values["stability.grade_a_above"] = _plain(policy.grade_a_above)
    values["stability.pass_mark"] = _plain(policy.pass_mark)
    values["stability.window_meetings"] = str(policy.window_meetings)
    values["stability.posting_days"] = str(policy.posting_days)
    values["stability.lending_target"] = _plain(policy.lending_target * 100)
    values["training.basis"] = rules.basis.value
    values["training.min_percent"] = _plain(rules.min_percent)
    values["training.stage2_needs_stability"] = rules.stage2_needs_stability
    values["training.credit_module"] = rules.credit_module or ""
    gates = settings.get("loan_gates") if isinstance(settings.get("loan_gates"), Mapping) else {}
    for kind in KINDS:
        values[f"loan_gates.{kind}"] = list((gates or {}).get(kind) or [])
    return values


def _settings_page(
    request: Request,
    cfg: Config,
    programme_id: int,
    typed: Mapping[str, Any] | None = None,
    error: Mapping[str, str | None] | None = None,
    status: int = 200,
) -> HTMLResponse:
    values = _current_values(admin.settings_of(cfg.db, programme_id)) | dict(typed or {})
    context = {
        "programme_id": programme_id,
        "programme": admin.programme_name(cfg.db, programme_id),
        "values": values,
        "fields": {sec: [k for k in values if k.startswith(sec + ".")] for sec in admin.SECTIONS},
        "components": COMPONENTS,
        "kinds": KINDS,
        "gates": admin.gate_names(),
        "bases": [b.value for b in CompletionBasis],
        "scorecards": scorecard_page(cfg.db, programme_id, PAGE)[0],
        "error": error,
    }
    return render(request, "admin_settings.html", context, status)


@router.get("/admin/programmes/{programme_id}/settings", response_class=HTMLResponse)
def settings_page(
    request: Request, programme_id: IdPath, user: CurrentUser, cfg: Config
) -> HTMLResponse:
    _manages(user, programme_id)
    return _settings_page(request, cfg, programme_id)


def _whole_or_text(raw: str) -> int | str:
    return int(raw) if raw.isdigit() and len(raw) < 7 else raw


def _section(data: Form, section: str) -> tuple[dict[str, Any], Any]:
    """What the form typed (by field name) and the settings section it becomes."""
    typed: dict[str, Any] = {}
    if section == "stability":
        names = [f"stability.{part}.{c}" for part in ("weights", "minimums") for c in COMPONENTS]
        names += [f"stability.{k}" for k in ("grade_a_above", "pass_mark", "window_meetings")]
        names += ["stability.posting_days", "stability.lending_target"]
        typed = {n: str(data.get(n) or "").strip() for n in names}
        value: Any = {
            "weights": {c: typed[f"stability.weights.{c}"] for c in COMPONENTS},
            "minimums": {c: typed[f"stability.minimums.{c}"] or None for c in COMPONENTS},
            "grade_a_above": typed["stability.grade_a_above"],
            "pass_mark": typed["stability.pass_mark"],
            "window_meetings": _whole_or_text(typed["stability.window_meetings"]),
            "posting_days": _whole_or_text(typed["stability.posting_days"]),
            "lending_target": typed["stability.lending_target"],
        }
        return typed, value
    if section == "training":
        typed = {
            n: str(data.get(n) or "").strip()
            for n in ("training.basis", "training.min_percent", "training.credit_module")
        }
        typed["training.stage2_needs_stability"] = (
            data.get("training.stage2_needs_stability") is not None
        )
        value = {
            "basis": typed["training.basis"],
            "min_percent": typed["training.min_percent"],
            "stage2_needs_stability": typed["training.stage2_needs_stability"],
            "credit_module": typed["training.credit_module"] or None,
        }
        return typed, value
    if section == "loan_gates":
        typed = {
            f"loan_gates.{k}": [str(g) for g in data.getlist(f"loan_gates.{k}")] for k in KINDS
        }
        return typed, {k: typed[f"loan_gates.{k}"] for k in KINDS if typed[f"loan_gates.{k}"]}
    raise DomainError(N_("Unknown settings section."), field="section")


@router.post("/admin/programmes/{programme_id}/settings", response_model=None)
def settings_change(
    request: Request, programme_id: IdPath, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    _manages(user, programme_id)
    section = str(data.get("section") or "")
    typed: dict[str, Any] = {}
    try:
        typed, value = _section(data, section)
        admin.change_section(cfg.db, programme_id, section, value, actor=user.username)
    except DomainError as exc:
        return _settings_page(request, cfg, programme_id, typed, form_error(exc, section), 422)
    request.session["flash"] = tr(request)(N_("Settings saved."))
    return RedirectResponse(f"/admin/programmes/{programme_id}/settings", status_code=303)


@router.post("/admin/programmes/{programme_id}/scorecards", response_model=None)
def scorecard_load(
    request: Request, programme_id: IdPath, user: CurrentUser, cfg: Config, data: Form
) -> Response:
    """A household scorecard pasted as JSON, as ``kuza visit scorecard`` loads a file;
    a refusal (naming the part of the document) is shown on the box, nothing stored."""
    _manages(user, programme_id)
    text = str(data.get("scorecard") or "")
    try:
        if not text.strip():
            raise DomainError(N_("Paste the scorecard's JSON."), field="scorecard")
        visits.load_programme_scorecard(cfg.db, programme_id, text, cfg.today(), user.username)
    except DomainError as exc:
        exc.field = "scorecard"
        error = form_error(exc, "scorecard")
        return _settings_page(request, cfg, programme_id, {"scorecard": text}, error, 422)
    request.session["flash"] = tr(request)(N_("Scorecard loaded."))
    return RedirectResponse(f"/admin/programmes/{programme_id}/settings#scorecards", 303)


# Values shown through _() on these pages.
SHOWN_VALUES = (
    N_("admin"),
    N_("country manager"),
    N_("branch manager"),
    N_("field agent"),
    N_("finance"),
    N_("donor"),
    N_("internal"),
    N_("external"),
    N_("in_kind"),
    N_("meetings"),
    N_("attendance"),
    N_("savings"),
    N_("lending"),
    N_("repayment"),
    N_("bookkeeping"),
    N_("sessions"),
    N_("hours"),
    N_("credit_training"),
)
