"""``kuza loan schedule`` and ``kuza loan apr``: JSON in on stdin, JSON out, exit 2 on bad input."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from typer.testing import CliRunner

from kuza.cli.main import app

runner = CliRunner()


def call(command: str, payload: Any) -> tuple[int, dict[str, Any]]:
    text = payload if isinstance(payload, str) else json.dumps(payload)
    result = runner.invoke(app, ["loan", command], input=text)
    return result.exit_code, json.loads(result.stdout)


def schedule_input(**change: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "principal": "5000",
        "currency": "EUR",
        "decimals": 2,
        "instalment_multiple": None,
        "rate": {"percent": "12", "per": "year"},
        "method": "declining_equal_instalments",
        "interest_period": "repayment",
        "days_in_year": 365,
        "instalments": 18,
        "every": {"n": 1, "unit": "month"},
        "disbursed_on": "2022-11-01",
        "first_due_on": None,
        "grace": {"principal": 0, "interest": 0, "interest_free": 0},
        "fees": [],
    }
    return {**base, **change}


def test_schedule_contract() -> None:
    code, out = call("schedule", schedule_input())
    assert code == 0
    rows = out["instalments"]
    assert len(rows) == 18
    assert set(rows[0]) == {
        "n",
        "due_on",
        "principal",
        "interest",
        "fees",
        "total",
        "balance_after",
    }
    assert rows[0]["due_on"] == "2022-12-01"
    assert sum(Decimal(r["principal"]) for r in rows) == Decimal(5000)
    assert rows[-1]["balance_after"] == "0.00"
    # A 12% nominal monthly annuity without fees discloses an APR of 12.00%.
    assert out["apr_percent"] == "12.00"
    assert out["eir_percent"] == "12.68"
    assert isinstance(out["total_interest"], str)


def test_fineract_table_through_the_cli() -> None:
    # Apache Fineract e2e feature: 100 EUR, 7%/year, 6 monthly, 360/30 days, EMI 17.01.
    code, out = call(
        "schedule",
        schedule_input(
            principal="100",
            rate={"percent": "7", "per": "year"},
            instalments=6,
            days_in_year=360,
            disbursed_on="2024-01-01",
        ),
    )
    assert code == 0
    assert [r["total"] for r in out["instalments"]] == ["17.01"] * 5 + ["17.00"]
    assert out["total_interest"] == "2.05"


def test_upfront_fee_raises_the_apr() -> None:
    fee = {"name": "processing", "kind": "percent", "value": "2", "collect": "disbursement"}
    code, out = call("schedule", schedule_input(fees=[fee]))
    assert code == 0
    assert Decimal(out["apr_percent"]) > 12


def test_meeting_dates() -> None:
    dates = ["2024-01-15", "2024-01-29", "2024-02-12", "2024-02-26"]
    code, out = call(
        "schedule",
        schedule_input(
            principal="400",
            instalments=4,
            every={"n": 2, "unit": "week"},
            disbursed_on="2024-01-01",
            interest_period="daily",
            due_dates=dates,
        ),
    )
    assert code == 0
    assert [r["due_on"] for r in out["instalments"]] == dates


def test_apr_by_dates_regulation_z_c1_v() -> None:
    # Reg Z Appendix J (c)(1)(v): 500 advanced 3/20/78, 30 weekly payments of 17.60 from
    # 4/21/78: APR 14.96%.
    first = date(1978, 4, 21)
    payments = [
        {"on": (first + timedelta(weeks=k)).isoformat(), "amount": "17.60"} for k in range(30)
    ]
    code, out = call(
        "apr",
        {
            "amount_financed": "500",
            "advance_on": "1978-03-20",
            "unit_period": "week",
            "payments": payments,
        },
    )
    assert code == 0
    assert out["apr_percent"] == "14.96"
    assert set(out) == {"apr_percent", "apr_exact", "eir_percent"}


def test_apr_by_dates_regulation_z_c1_i() -> None:
    # Reg Z Appendix J (c)(1)(i): 5000 advanced 1/10/78, 24 monthly payments of 230: 9.69%.
    payments = [
        {"on": date(1978 + (1 + k) // 12, (1 + k) % 12 + 1, 10).isoformat(), "amount": "230"}
        for k in range(24)
    ]
    code, out = call(
        "apr",
        {
            "amount_financed": "5000",
            "advance_on": "1978-01-10",
            "unit_period": "month",
            "payments": payments,
        },
    )
    assert code == 0
    assert out["apr_percent"] == "9.69"


def test_apr_by_t_f_regulation_z_c1_v() -> None:
    payments = [{"t": 4 + k, "f": "4/7", "amount": "17.60"} for k in range(30)]
    code, out = call(
        "apr", {"amount_financed": "500", "periods_per_year": 52, "payments": payments}
    )
    assert code == 0
    assert out["apr_percent"] == "14.96"


def test_apr_single_payment_regulation_z_c5_i() -> None:
    # Reg Z Appendix J (c)(5)(i): 1000 for 255 days, 1080 repaid: unit-period = the term.
    code, out = call(
        "apr",
        {
            "amount_financed": "1000",
            "periods_per_year": "365/255",
            "payments": [{"t": 1, "f": "0", "amount": "1080"}],
        },
    )
    assert code == 0
    assert out["apr_percent"] == "11.45"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"principal": "-5000"}, "principal"),
        ({"principal": 5000.5}, "principal"),
        ({"instalments": 0}, "instalments"),
        ({"method": "balloon"}, "method"),
        ({"rate": {"percent": "1200", "per": "year"}}, "rate.percent"),
        ({"rate": {"percent": "12.5", "per": "fortnight"}}, "rate.per"),
        ({"rate": {"percent": 12.5, "per": "year"}}, "rate.percent"),
        ({"disbursed_on": "2022-13-01"}, "disbursed_on"),
        ({"first_due_on": "1st of May"}, "first_due_on"),
        ({"days_in_year": 366}, "days_in_year"),
        ({"every": {"n": 1, "unit": "fortnight"}}, "every.unit"),
        ({"currency": "XYZ"}, "currency"),
        ({"fees": [{"kind": "flat", "value": 10.0}]}, "fees[0].value"),
        ({"due_dates": ["2023-01-01"]}, "due_dates"),
    ],
)
def test_schedule_bad_input(change: dict[str, Any], field: str) -> None:
    # json.dumps writes Python floats as JSON numbers with a decimal point, as a client would
    code, out = call("schedule", schedule_input(**change))
    assert code == 2
    assert out["error"]["field"] == field
    assert out["error"]["message"]


def test_float_literal_in_json_is_refused() -> None:
    text = json.dumps(schedule_input()).replace('"principal": "5000"', '"principal": 5000.00')
    code, out = call("schedule", text)
    assert code == 2
    assert out["error"]["field"] == "principal"


def test_malformed_json() -> None:
    code, out = call("schedule", "{not json")
    assert code == 2
    assert out["error"]["code"] == "malformed_json"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"amount_financed": "0", "payments": []}, "amount_financed"),
        ({"amount_financed": "500", "payments": []}, "payments"),
        (
            {
                "amount_financed": "500",
                "advance_on": "1978-03-20",
                "unit_period": "fortnightly",
                "payments": [{"on": "1978-04-01", "amount": "510"}],
            },
            "unit_period",
        ),
        (
            {
                "amount_financed": "500",
                "advance_on": "1978-03-20",
                "unit_period": "week",
                "payments": [{"on": "1978-02-30", "amount": "510"}],
            },
            "payments[0].on",
        ),
        (
            {
                "amount_financed": "500",
                "periods_per_year": 52,
                "payments": [{"t": 1, "f": "9/7", "amount": "510"}],
            },
            "payments[0].f",
        ),
        (
            {
                "amount_financed": "500",
                "periods_per_year": 52,
                "payments": [{"t": 1, "amount": 510.5}],
            },
            "payments[0].amount",
        ),
    ],
)
def test_apr_bad_input(payload: dict[str, Any], field: str) -> None:
    code, out = call("apr", payload)
    assert code == 2
    assert out["error"]["field"] == field
