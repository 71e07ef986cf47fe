"""A programme's loan products, as the admin page keeps them: the list, a new product
(``kuza loan product-add``), and switching one off or on again. Admins for every
programme, a country manager for hers (another is 404), others 403; the product
service checks the terms and writes the audit log."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from kuza.domain.errors import DomainError
from kuza.services import admin
from kuza.services.loans import products
from kuza.web.api.admin_schemas import (
    LoanProductCreate,
    LoanProductPublic,
    LoanProductsPublic,
    LoanProductUpdate,
)
from kuza.web.api.deps import IdempotencyKey, Limit, Offset, idempotent
from kuza.web.api.schemas import error_responses
from kuza.web.api.settings import Manager, check_programme
from kuza.web.deps import Config, IdPath

router = APIRouter(tags=["loans"])
PATH = "/programmes/{programme_id}/loan-products"


def _public(programme_id: int, r: admin.ProductRow) -> LoanProductPublic:
    return LoanProductPublic(
        id=r.id,
        programme_id=programme_id,
        name=r.name,
        kind=r.kind,
        terms=r.terms,
        ceilings=r.ceilings,
        savings_multiple=r.savings_multiple,
        guarantee_percent=r.guarantee_percent,
        starter=r.starter,
        active=r.active,
    )


def _in_body(exc: DomainError) -> DomainError:
    """The calculator names a field of the terms ('rate'); the body has it as 'terms.rate'."""
    top = (exc.field or "").split(".")[0].split("[")[0]
    if exc.field and top not in LoanProductCreate.model_fields:
        exc.field = f"terms.{exc.field}"
    return exc


@router.get(PATH, response_model=LoanProductsPublic, responses=error_responses(401, 403, 404))
def list_products(
    programme_id: IdPath, user: Manager, cfg: Config, limit: Limit = 50, offset: Offset = 0
) -> LoanProductsPublic:
    """By name, switched-off ones too (``active`` false)."""
    check_programme(cfg, user, programme_id)
    rows = admin.product_list(cfg.db, programme_id)
    return LoanProductsPublic(
        total=len(rows),
        limit=limit,
        offset=offset,
        items=[_public(programme_id, r) for r in rows[offset : offset + limit]],
    )


@router.post(
    PATH,
    response_model=LoanProductPublic,
    status_code=201,
    responses=error_responses(401, 403, 404, 409, 422),
)
def create_product(
    request: Request,
    programme_id: IdPath,
    body: LoanProductCreate,
    user: Manager,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Active at once; its currency is the programme's."""
    check_programme(cfg, user, programme_id)

    def run() -> tuple[int, LoanProductPublic]:
        data = body.model_dump(mode="json", exclude_none=True)
        try:
            made = products.create_product(cfg.db, programme_id, data, actor=user.username)
        except DomainError as exc:
            raise _in_body(exc) from None
        return 201, _public(programme_id, admin.product(cfg.db, programme_id, made))

    return idempotent(request, cfg, user, key, body, run)


@router.patch(
    PATH + "/{product_id}",
    response_model=LoanProductPublic,
    responses=error_responses(401, 403, 404, 409, 422),
)
def change_product(
    request: Request,
    programme_id: IdPath,
    product_id: IdPath,
    body: LoanProductUpdate,
    user: Manager,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Switched off, no new application or approval names it; loans already approved or
    disbursed carry on under their stored terms."""
    check_programme(cfg, user, programme_id)

    def run() -> tuple[int, LoanProductPublic]:
        products.set_active(cfg.db, programme_id, product_id, body.active, actor=user.username)
        return 200, _public(programme_id, admin.product(cfg.db, programme_id, product_id))

    return idempotent(request, cfg, user, key, body, run)
