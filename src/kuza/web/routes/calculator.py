"""The loan calculator page: terms in, the repayment schedule with its APR and EIR out,
before anyone applies (what the member will pay, fees included, as client-protection
practice asks). A GET form: nothing is stored, the link can be shared. It uses the
calculators' JSON contract, like ``kuza loan schedule`` and the API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kuza.domain.errors import DomainError
from kuza.domain.loans.calculator import schedule_from_json
from kuza.services import admin
from kuza.services.costs import programme_currency
from kuza.web.deps import Config, CurrentUser, render
from kuza.web.form_fields import day_field
from kuza.web.i18n import N_

router = APIRouter()
FIELDS = (
    "principal", "currency", "rate", "per", "method", "instalments", "every_n", "every_unit",
    "disbursed_on", "fee_percent",
)  # fmt: skip
METHODS = (N_("flat"), N_("declining_equal_instalments"), N_("declining_equal_principal"))
UNITS = (N_("day"), N_("week"), N_("month"))
PER = (N_("year"), N_("month"), N_("week"))


def _currency(cfg: Config, programme_id: int | None) -> str:
    if programme_id is None:
        first = admin.programme_list(cfg.db)
        if not first:
            return "USD"
        programme_id = first[0].id
    return programme_currency(cfg.db, programme_id)


def _terms(typed: dict[str, str]) -> dict[str, Any]:
    """The form as the calculator's JSON; each field's mistake names the field."""

    def count(name: str) -> int:
        if not typed[name].isdigit() or len(typed[name]) > 3:
            raise DomainError(N_("Give a whole number."), field=name)
        return int(typed[name])

    terms: dict[str, Any] = {
        "principal": typed["principal"],
        "currency": typed["currency"].upper(),
        "rate": {"percent": typed["rate"], "per": typed["per"]},
        "method": typed["method"],
        "instalments": count("instalments"),
        "every": {"n": count("every_n"), "unit": typed["every_unit"]},
        "disbursed_on": day_field(typed["disbursed_on"], "disbursed_on").isoformat(),
    }
    if typed["fee_percent"]:
        terms["fees"] = [{"name": "fee", "kind": "percent", "value": typed["fee_percent"]}]
    return terms


FIELD_OF = {"rate.percent": "rate", "rate.per": "per", "every.n": "every_n",
            "every.unit": "every_unit", "fees[0].value": "fee_percent"}  # fmt: skip


@router.get("/loan-calculator", response_class=HTMLResponse)
def calculator(request: Request, user: CurrentUser, cfg: Config) -> HTMLResponse:
    q = request.query_params
    typed = {k: str(q.get(k) or "").strip() for k in FIELDS}
    defaults = {
        "currency": _currency(cfg, user.programme_id),
        "rate": "1.5", "per": "month", "method": "declining_equal_instalments",
        "instalments": "12", "every_n": "1", "every_unit": "month",
        "disbursed_on": cfg.today().isoformat(),
    }  # fmt: skip
    asked = bool(typed["principal"])
    typed = {k: v or defaults.get(k, "") for k, v in typed.items()}
    result, error, status = None, None, 200
    if asked:
        try:
            result = schedule_from_json(_terms(typed))
        except DomainError as exc:
            field = FIELD_OF.get(exc.field or "", exc.field)
            error, status = {"field": field, "message": exc.message}, 422
    context = {
        "typed": typed,
        "result": result,
        "error": error,
        "methods": METHODS,
        "units": UNITS,
        "pers": PER,
    }
    return render(request, "loan_calculator.html", context, status)
