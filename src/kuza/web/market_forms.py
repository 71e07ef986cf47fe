"""The group page's "Market links" section: the group's and its members' linkages with
partner, women, contracts and activities, the forms' choices, and the refused form (its
``section`` and the input it names) with what was typed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kuza.adapters.db.engine import Database
from kuza.domain.access import Principal, may_record_meetings
from kuza.domain.groups import Sex
from kuza.domain.markets import MarketActivityKind, PartnerKind, WomanRole, may_add_partners
from kuza.services.market_views import (
    ActivityRow,
    ContractRow,
    LinkageRow,
    PartnerRow,
    group_activities,
    group_linkages,
    linkage_contracts,
    programme_partners,
    programme_value_chains,
)
from kuza.services.views import GroupView

LINKED_KINDS = (PartnerKind.BUYER.value, PartnerKind.SUPPLIER.value, PartnerKind.PROCESSOR.value)
SHOWN = 50  # linkages and activities on the page, newest first


@dataclass(frozen=True)
class MarketSection:
    linkages: list[LinkageRow]
    linkage_total: int
    contracts: dict[int, list[ContractRow]]
    activities: list[ActivityRow]
    activity_total: int
    partners: list[PartnerRow]  # those a linkage may be made with
    value_chains: list[tuple[str, str]]
    names: dict[int, str]  # the group's members now, for the women and the party
    women: list[tuple[int, str]]  # the women members now: who may be named in a link
    may_record: bool
    may_add_partners: bool
    error: Mapping[str, str | None] | None = None
    typed: dict[str, str] = field(default_factory=dict)

    roles = tuple(r.value for r in WomanRole)
    kinds = tuple(k.value for k in MarketActivityKind)

    def name(self, member_id: int | None) -> str:
        return self.names.get(member_id or 0, f"#{member_id}")


def market_section(
    db: Database,
    user: Principal,
    view: GroupView,
    error: Mapping[str, str | None] | None = None,
    typed: dict[str, str] | None = None,
) -> MarketSection:
    links, link_total = group_linkages(db, view.id, limit=SHOWN)
    done, done_total = group_activities(db, view.id, limit=SHOWN)
    partners, _count = programme_partners(db, view.programme_id)
    return MarketSection(
        linkages=links,
        linkage_total=link_total,
        contracts=linkage_contracts(db, [r.id for r in links]),
        activities=done,
        activity_total=done_total,
        partners=[p for p in partners if p.kind in LINKED_KINDS],
        value_chains=programme_value_chains(db, view.programme_id),
        names={m.id: m.name for m in view.members},
        women=[(m.id, m.name) for m in view.members if m.sex == Sex.FEMALE.value],
        may_record=may_record_meetings(user),
        may_add_partners=may_add_partners(user.role),
        error=error,
        typed=typed or {},
    )
