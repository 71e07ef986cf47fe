"""The arrears list and portfolio quality (PAR, repayment rates), as the arrears page
shows them: from what the last close-day stored, ``?live=true`` computing the rates from
the book as of today. Scoped like the page (an agent her groups, a branch manager her
branch, an admin every programme); a donor is refused, as the page refuses her."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kuza.reports.arrears import arrears_count, arrears_list, programme_portfolios
from kuza.services import users
from kuza.web.api.deps import GroupReader, Limit, Offset
from kuza.web.api.report_schemas import (
    ArrearsPublic,
    ArrearsRowPublic,
    PortfolioPublic,
    PortfoliosPublic,
)
from kuza.web.api.schemas import error_responses, money
from kuza.web.deps import Config

router = APIRouter(tags=["loans"])


@router.get("/arrears", response_model=ArrearsPublic, responses=error_responses(401, 403))
def list_arrears(
    user: GroupReader, cfg: Config, limit: Limit = 50, offset: Offset = 0
) -> ArrearsPublic:
    """Loans with something late at the last close-day, the longest late first."""
    only = users.group_scope(user)
    rows = arrears_list(cfg.db, user.programme_id, only, limit=limit, offset=offset)
    return ArrearsPublic(
        total=arrears_count(cfg.db, user.programme_id, only),
        limit=limit,
        offset=offset,
        items=[
            ArrearsRowPublic(
                loan_id=r.loan_id,
                member_id=r.member_id,
                member=r.member,
                group_id=r.group_id,
                group=r.group,
                days_late=r.days_late,
                bucket=r.bucket,
                principal_in_arrears=money(r.principal_in_arrears),
                interest_in_arrears=money(r.interest_in_arrears),
                penalties_due=money(r.penalties_due),
                outstanding=money(r.outstanding),
                currency=r.outstanding.currency,
                as_of=r.as_of,
            )
            for r in rows
        ],
    )


@router.get("/portfolio", response_model=PortfoliosPublic, responses=error_responses(401, 403))
def read_portfolio(
    user: GroupReader,
    cfg: Config,
    live: Annotated[bool, Query(description="Rates computed from the book now")] = False,
) -> PortfoliosPublic:
    """Per programme in scope: PAR and repayment rates of the loans the user may see."""
    found = programme_portfolios(
        cfg.db, user.programme_id, users.group_scope(user), cfg.today(), live=live
    )
    return PortfoliosPublic(
        live=live,
        items=[
            PortfolioPublic(
                programme_id=p.programme_id,
                programme=p.name,
                loans=p.portfolio.loans,
                gross=money(p.portfolio.gross),
                currency=p.portfolio.gross.currency,
                par={k: str(v) for k, v in p.portfolio.par.items()},
                on_time_rate=_rate(p.portfolio.on_time_rate),
                cumulative_rate=_rate(p.portfolio.cumulative_rate),
                rates_from_close_day=p.portfolio.rates_from_close_day,
            )
            for p in found
        ],
    )


def _rate(value: object) -> str | None:
    return None if value is None else str(value)
