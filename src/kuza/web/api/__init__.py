"""The HTTP API under /api/v1: JSON over the same services as the pages, bearer tokens,
one error body, paged lists and ``Idempotency-Key`` on every write."""

from __future__ import annotations

from fastapi import FastAPI

from kuza.web.api import (
    accounts,
    approvals,
    arrears,
    auth,
    books,
    calculator,
    costs,
    enterprises,
    errors,
    group_formation,
    groups,
    insurance,
    insurance_claims,
    insurance_plans,
    loan_products,
    loan_servicing,
    loans,
    markets,
    meetings,
    member_imports,
    members,
    metrics,
    partners,
    passbook,
    referrals,
    scorecards,
    settings,
    setup,
    training,
    visits,
)
from kuza.web.deps import WebConfig

API_PREFIX = "/api/v1"


def create_api(config: WebConfig) -> FastAPI:
    api = FastAPI(
        title="Kuza API",
        version="1",
        description=(
            "Money is a decimal string in the group's currency, dates are ISO 8601. "
            'Errors are {"error": {"code", "message", "field"}}. Lists take '
            "limit/offset and return total. Writes accept an Idempotency-Key header."
        ),
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    api.state.kuza = config
    errors.install(api)
    for module in (
        auth,
        groups,
        group_formation,
        meetings,
        members,
        passbook,
        metrics,
        loans,
        loan_servicing,
        approvals,
        books,
        calculator,
        training,
        enterprises,
        markets,
        partners,
        visits,
        referrals,
        insurance,
        insurance_plans,
        insurance_claims,
        settings,
        costs,
        member_imports,
        arrears,
        loan_products,
        accounts,
        scorecards,
        setup,
    ):
        api.include_router(module.router)
    return api
