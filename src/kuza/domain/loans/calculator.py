"""The loan calculators' JSON contract: parse and check a request, compute, answer with
money as decimal strings. Shared by the CLI, the web UI and the API so they cannot drift.

Inputs must come from ``json.loads(text, parse_float=Decimal)``: a JSON number with a
decimal point then arrives as ``Decimal`` and is refused for money (write "12.50", not
12.50), because a client that sends floats has usually already lost a cent somewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, TypeVar

from kuza.domain.errors import InvalidTerms
from kuza.domain.loans.apr import (
    AprResult,
    CashFlow,
    UnitKind,
    UnitPeriod,
    annual_percentage_rate,
    flows_on_dates,
)
from kuza.domain.loans.schedule import Schedule, build_schedule
from kuza.domain.loans.terms import (
    DaysInYear,
    Fee,
    FeeCollection,
    FeeKind,
    Frequency,
    FrequencyUnit,
    Grace,
    GraceInterest,
    InterestMethod,
    InterestPeriod,
    LoanTerms,
    Rate,
    RatePer,
)
from kuza.domain.money import Rounding

E = TypeVar("E", bound=Enum)
Json = Mapping[str, Any]


def schedule_from_json(data: Any) -> dict[str, Any]:
    """``kuza loan schedule``: terms in, instalments plus APR and EIR out."""
    terms = terms_from_json(_object(data, "input"))
    schedule = build_schedule(terms)
    result = schedule_apr(schedule)
    return {
        "currency": terms.currency,
        "instalments": [
            {
                "n": i.n,
                "due_on": i.due_on.isoformat(),
                "principal": str(i.principal.amount),
                "interest": str(i.interest.amount),
                "fees": str(i.fees.amount),
                "total": str(i.total.amount),
                "balance_after": str(i.balance_after.amount),
            }
            for i in schedule.instalments
        ],
        "total_principal": str(schedule.total_principal.amount),
        "total_interest": str(schedule.total_interest.amount),
        "total_fees": str(schedule.total_fees.amount),
        "net_disbursed": str(schedule.net_disbursed.amount),
        "apr_percent": str(result.apr_percent),
        "eir_percent": str(result.eir_percent),
    }


def apr_from_json(data: Any) -> dict[str, Any]:
    """``kuza loan apr``: an advance and its payments (by date or by (t, f)) in, APR out."""
    obj = _object(data, "input")
    amount = _money(obj, "amount_financed")
    if amount <= 0:
        raise InvalidTerms("amount financed must be more than zero", field="amount_financed")
    raw_payments = obj.get("payments")
    if not isinstance(raw_payments, list) or not raw_payments:
        raise InvalidTerms("give a non-empty list of payments", field="payments")
    if "periods_per_year" in obj:
        per_year = _fraction(obj["periods_per_year"], "periods_per_year")
        if per_year <= 0:
            raise InvalidTerms("periods per year must be positive", field="periods_per_year")
        payments = [_tf_payment(p, f"payments[{k}]") for k, p in enumerate(raw_payments)]
    else:
        unit = UnitPeriod.parse(_str(obj, "unit_period"))
        per_year = unit.per_year
        start = _date(obj, "advance_on")
        dated = [_dated_payment(p, f"payments[{k}]") for k, p in enumerate(raw_payments)]
        for k, (on, _) in enumerate(dated):
            if on <= start:
                raise InvalidTerms("payments must fall after the advance", f"payments[{k}].on")
        payments = flows_on_dates(start, dated, unit)
    result = annual_percentage_rate([CashFlow(amount, 0)], payments, per_year)
    return {
        "apr_percent": str(result.apr_percent),
        "apr_exact": str(result.apr_exact),
        "eir_percent": str(result.eir_percent),
    }


def schedule_apr(schedule: Schedule) -> AprResult:
    """APR of a schedule: the member receives the net disbursement and pays every
    instalment total (fees included), in unit-periods of the repayment frequency."""
    terms = schedule.terms
    every = terms.every
    if every.unit is FrequencyUnit.MONTH:
        unit = UnitPeriod(UnitKind.MONTHS, min(every.n, 12))
    else:
        unit = UnitPeriod(UnitKind.DAYS, every.n * (7 if every.unit is FrequencyUnit.WEEK else 1))
    dated = [(i.due_on, i.total.amount) for i in schedule.instalments]
    payments = flows_on_dates(terms.disbursed_on, dated, unit)
    advance = CashFlow(schedule.net_disbursed.amount, 0)
    return annual_percentage_rate([advance], payments, unit.per_year)


def terms_from_json(obj: Json) -> LoanTerms:
    rate = _object(obj.get("rate"), "rate")
    every = _object(obj.get("every", {"n": 1, "unit": "month"}), "every")
    grace = _object(obj.get("grace") or {}, "grace")
    multiple = obj.get("instalment_multiple")
    due_dates = obj.get("due_dates")
    return LoanTerms(
        principal=_money(obj, "principal"),
        currency=_str(obj, "currency"),
        rate=Rate(_money(rate, "percent", "rate.percent"), _enum(RatePer, rate, "per", "rate.per")),
        instalments=_int(obj, "instalments"),
        disbursed_on=_date(obj, "disbursed_on"),
        method=_enum(InterestMethod, obj, "method"),
        interest_period=_enum(InterestPeriod, obj, "interest_period", default="repayment"),
        days_in_year=_days_in_year(obj.get("days_in_year", 365)),
        every=Frequency(
            _int(every, "n", "every.n"), _enum(FrequencyUnit, every, "unit", "every.unit")
        ),
        first_due_on=None if obj.get("first_due_on") is None else _date(obj, "first_due_on"),
        due_dates=None
        if due_dates is None
        else tuple(_as_date(d, f"due_dates[{k}]") for k, d in enumerate(_list(due_dates))),
        grace=Grace(
            principal=_int(grace, "principal", "grace.principal", default=0),
            interest=_int(grace, "interest", "grace.interest", default=0),
            interest_free=_int(grace, "interest_free", "grace.interest_free", default=0),
            interest_in_grace=_enum(
                GraceInterest, grace, "interest_in_grace", "grace.interest_in_grace", "accrued"
            ),
        ),
        fees=tuple(_fee(f, f"fees[{k}]") for k, f in enumerate(_list(obj.get("fees") or []))),
        rounding=Rounding(
            decimals=_int(obj, "decimals", default=2),
            multiple=None if multiple is None else _money(obj, "instalment_multiple"),
        ),
    )


# -- field parsers: each names the field it was reading when it fails ----------------


def _object(value: Any, field: str) -> Json:
    if not isinstance(value, Mapping):
        raise InvalidTerms("%(field_name)s must be a JSON object", field=field, field_name=field)
    return value


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise InvalidTerms("expected a JSON list", field="due_dates")
    return value


def _str(obj: Json, key: str, field: str | None = None) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidTerms("%(key)s must be a non-empty string", field=field or key, key=key)
    return value


def _int(obj: Json, key: str, field: str | None = None, default: int | None = None) -> int:
    value = obj.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidTerms("%(key)s must be a whole number", field=field or key, key=key)
    return value


def _money(obj: Json, key: str, field: str | None = None) -> Decimal:
    name = field or key
    value = obj.get(key)
    if isinstance(value, (bool, float, Decimal)):
        raise InvalidTerms(
            ('%(name)s must be a decimal string such as "12.50", not a JSON number'),
            field=name,
            name=name,
        )
    if isinstance(value, int):
        return Decimal(value)
    if not isinstance(value, str):
        raise InvalidTerms("%(name)s must be a decimal string", field=name, name=name)
    try:
        result = Decimal(value.strip())
    except InvalidOperation:
        raise InvalidTerms(
            "%(name)s is not a number: %(value)s", field=name, name=name, value=repr(value)
        ) from None
    if not result.is_finite():
        raise InvalidTerms("%(name)s must be a finite number", field=name, name=name)
    return result


def _fraction(value: Any, field: str) -> Decimal:
    """'4/7', '0.5', 52 or '365/255'."""
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, str) and "/" in value:
        top, _, bottom = value.partition("/")
        try:
            return Decimal(top.strip()) / Decimal(bottom.strip())
        except (InvalidOperation, ZeroDivisionError):
            raise InvalidTerms(
                "%(field_name)s is not a fraction: %(value)s",
                field=field,
                field_name=field,
                value=repr(value),
            ) from None
    return _money({"v": value}, "v", field)


def _as_date(value: Any, field: str) -> date:
    if not isinstance(value, str):
        raise InvalidTerms(
            "%(field_name)s must be a date as YYYY-MM-DD", field=field, field_name=field
        )
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidTerms(
            "%(field_name)s is not a date (YYYY-MM-DD): %(value)s",
            field=field,
            field_name=field,
            value=repr(value),
        ) from None


def _date(obj: Json, key: str) -> date:
    return _as_date(obj.get(key), key)


def _enum(
    cls: type[E], obj: Json, key: str, field: str | None = None, default: str | None = None
) -> E:
    value = obj.get(key, default)
    try:
        return cls(value)
    except ValueError:
        allowed = ", ".join(m.value for m in cls)
        raise InvalidTerms(
            "%(key)s must be one of: %(allowed)s", field=field or key, key=key, allowed=allowed
        ) from None


def _days_in_year(value: Any) -> DaysInYear:
    try:
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise ValueError(value)
        return DaysInYear(str(value))
    except ValueError:
        raise InvalidTerms(
            'days_in_year must be 360, 364, 365 or "actual"', field="days_in_year"
        ) from None


def _fee(value: Any, field: str) -> Fee:
    obj = _object(value, field)
    return Fee(
        name=str(obj.get("name", "fee")),
        kind=_enum(FeeKind, obj, "kind", f"{field}.kind"),
        value=_money(obj, "value", f"{field}.value"),
        collect=_enum(FeeCollection, obj, "collect", f"{field}.collect", "disbursement"),
    )


def _dated_payment(value: Any, field: str) -> tuple[date, Decimal]:
    obj = _object(value, field)
    return _as_date(obj.get("on"), f"{field}.on"), _positive(obj, field)


def _tf_payment(value: Any, field: str) -> CashFlow:
    obj = _object(value, field)
    t = _int(obj, "t", f"{field}.t")
    f = _fraction(obj.get("f", 0), f"{field}.f")
    if t < 0 or not 0 <= f < 1:
        raise InvalidTerms("t must be 0 or more and f from 0 up to 1", field=f"{field}.f")
    return CashFlow(_positive(obj, field), t, f)


def _positive(obj: Json, field: str) -> Decimal:
    amount = _money(obj, "amount", f"{field}.amount")
    if amount <= 0:
        raise InvalidTerms("a payment must be more than zero", field=f"{field}.amount")
    return amount
