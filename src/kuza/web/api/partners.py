"""Market partners of a programme (buyers, suppliers, processors ...): the list, read
by all but donors, and add one, by the programme's managers (admin, country manager,
branch manager)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from kuza.domain.access import Principal, Role
from kuza.domain.errors import DomainError
from kuza.domain.markets import PartnerKind, may_add_partners
from kuza.reports.dashboard import programme_choices
from kuza.services import markets
from kuza.services.market_views import PartnerRow, programme_partners
from kuza.web.api.deps import GroupReader, IdempotencyKey, Limit, Offset, idempotent
from kuza.web.api.market_schemas import PartnerCreate, PartnerPublic, PartnersPublic
from kuza.web.api.schemas import error_responses
from kuza.web.deps import Config

router = APIRouter(tags=["markets"])


def partner_keeper(user: GroupReader) -> Principal:
    if not may_add_partners(user.role):
        raise HTTPException(403, "your role does not add market partners")
    return user


PartnerKeeper = Annotated[Principal, Depends(partner_keeper)]


def _public(r: PartnerRow) -> PartnerPublic:
    return PartnerPublic(id=r.id, name=r.name, kind=r.kind)


@router.get("/market-partners", response_model=PartnersPublic, responses=error_responses(401, 403))
def list_partners(
    user: GroupReader,
    cfg: Config,
    programme: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="Admins; default the first")
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> PartnersPublic:
    pid = user.programme_id
    if user.role is Role.ADMIN:
        choices = programme_choices(cfg.db)
        pid = programme or (choices[0][0] if choices else None)
    rows, total = programme_partners(cfg.db, pid, limit, offset) if pid else ([], 0)
    return PartnersPublic(
        programme_id=pid, total=total, limit=limit, offset=offset, items=[_public(r) for r in rows]
    )


@router.post(
    "/market-partners",
    response_model=PartnerPublic,
    status_code=201,
    responses=error_responses(401, 403, 404, 409, 422),
)
def create_partner(
    request: Request,
    body: PartnerCreate,
    user: PartnerKeeper,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """A partner of the caller's programme (an admin names the programme)."""
    pid = body.programme_id if user.role is Role.ADMIN else user.programme_id
    if pid is None:
        raise DomainError("name the programme", field="programme_id")
    if body.programme_id not in (None, pid):
        raise HTTPException(404, "no such programme")

    def run() -> tuple[int, PartnerPublic]:
        kind = PartnerKind(body.kind)
        made = markets.add_partner(cfg.db, pid, body.name, kind, actor=user.username)
        return 201, PartnerPublic(id=made, name=body.name.strip(), kind=kind.value)

    return idempotent(request, cfg, user, key, body, run)
