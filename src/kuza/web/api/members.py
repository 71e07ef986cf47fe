"""GET /members/{id}: a member as her page shows her (details, memberships, savings,
passbook balance); her passbook, loans, training, visits, referrals and insurance have
their own routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from kuza.services.member_view import member_view
from kuza.web.api.deps import GroupReader, check_member
from kuza.web.api.schemas import MemberDetailPublic, MembershipPublic, error_responses, money
from kuza.web.deps import Config
from kuza.web.loan_forms import scope

router = APIRouter(tags=["members"])
MemberPath = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get(
    "/members/{member_id}",
    response_model=MemberDetailPublic,
    responses=error_responses(401, 403, 404),
)
def read_member(member_id: MemberPath, user: GroupReader, cfg: Config) -> MemberDetailPublic:
    """Never for a donor (403); a member of no group the caller sees is 404."""
    check_member(cfg, user, member_id)
    v = member_view(cfg.db, member_id, cfg.today(), scope(cfg.db, user))
    return MemberDetailPublic(
        id=v.id,
        name=v.name,
        sex=v.sex,
        birth_year=v.birth_year,
        household_size=v.household_size,
        literate=v.literate,
        phone=v.phone,
        consent_on=v.consent_on,
        memberships=[
            MembershipPublic(
                group_id=m.group_id,
                group=m.group,
                joined_on=m.joined_on,
                left_on=m.left_on,
                savings=money(m.compulsory),
                voluntary=money(m.voluntary),
                currency=m.compulsory.currency,
            )
            for m in v.memberships
        ],
        passbook_balance=None if v.passbook_balance is None else money(v.passbook_balance),
    )
