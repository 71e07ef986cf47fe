"""The loan calculator over HTTP: ``kuza loan schedule`` and ``kuza loan apr`` through the
same JSON contract (``kuza.domain.loans.calculator``), so the CLI, the pages and the API
cannot drift. Pure: nothing is read or written. Any logged-in user (a donor too: no
personal data goes in or out)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from kuza.domain.loans.calculator import apr_from_json, schedule_from_json
from kuza.web.api.calculator_schemas import (
    AprCreate,
    AprPublic,
    LoanScheduleCreate,
    LoanSchedulePublic,
)
from kuza.web.api.deps import ApiUser
from kuza.web.api.schemas import error_responses

router = APIRouter(tags=["loan calculator"])
CALC = error_responses(401, 422)


def contract(body: LoanScheduleCreate | AprCreate) -> dict[str, Any]:
    """The body as the calculator's JSON (dates ISO, money strings), unset options left
    to the calculator's defaults."""
    data: dict[str, Any] = body.model_dump(mode="json", exclude_none=True)
    return data


@router.post("/loan-schedules", response_model=LoanSchedulePublic, responses=CALC)
def loan_schedule(body: LoanScheduleCreate, user: ApiUser) -> LoanSchedulePublic:
    """The repayment schedule of these terms, with APR and EIR (what the member pays,
    fees included); computed, not stored."""
    return LoanSchedulePublic.model_validate(schedule_from_json(contract(body)))


@router.post("/apr-calculations", response_model=AprPublic, responses=CALC)
def apr(body: AprCreate, user: ApiUser) -> AprPublic:
    """The APR (Regulation Z actuarial method) and EIR of an advance repaid by these
    payments; computed, not stored."""
    return AprPublic.model_validate(apr_from_json(contract(body)))
