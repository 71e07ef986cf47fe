"""Building blocks for tests: a programme with a branch and a group of members."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kuza.adapters.db import scoping
from kuza.adapters.db.engine import Database
from kuza.domain.access import Principal, group_filter
from kuza.domain.calendar import Frequency
from kuza.domain.groups import GroupStatus, Sex, ShareOutRule
from kuza.services import groups, programmes

FORMED = date(2026, 1, 5)  # a Monday


@dataclass
class World:
    programme_id: int
    branch_id: int
    group_id: int
    member_ids: list[int]


def make_world(
    db: Database,
    members: int = 3,
    currency: str = "KES",
    compulsory: str = "100",
    frequency: Frequency = Frequency.WEEKLY,
    rule: ShareOutRule = ShareOutRule.PRO_RATA,
    share_value: str | None = None,
    code: str = "KE-TEST",
) -> World:
    name = "Test programme" if code == "KE-TEST" else f"Test programme {code}"  # names are unique
    pid = programmes.create_programme(db, code, name, "KE", currency)
    bid = programmes.create_branch(db, pid, "Thika")
    gid = groups.create_group(
        db,
        pid,
        groups.NewGroup(
            branch_id=bid,
            name="Umoja",
            formed_on=FORMED,
            frequency=frequency,
            first_meeting_on=FORMED,
            compulsory_saving=compulsory,
            share_out_rule=rule,
            share_value=share_value,
        ),
    )
    mids = [
        groups.enrol_member(
            db,
            gid,
            groups.NewMember(f"Member {i}", Sex.FEMALE, household_size=4, literate=i % 2 == 0),
            FORMED,
        )
        for i in range(members)
    ]
    groups.change_status(db, gid, GroupStatus.ACTIVE, FORMED)
    return World(pid, bid, gid, mids)


def sheet(world: World, held_on: date, **per_member: dict[str, object]) -> dict[str, object]:
    """A meeting sheet where everybody is present and pays the compulsory saving;
    ``per_member`` overrides lines by member index, e.g. m0={"voluntary": "50"}."""
    lines = []
    for i, mid in enumerate(world.member_ids):
        line: dict[str, object] = {"member_id": mid, "present": True}
        line.update(per_member.get(f"m{i}", {}))
        lines.append(line)
    return {"group_id": world.group_id, "held_on": held_on.isoformat(), "lines": lines}


def visible_group_ids(db: Database, p: Principal) -> set[int]:
    """Every group id this user sees, read into memory: the tests' list of ids to compare
    the lists' SQL scope (``users.group_scope``) with."""
    f = group_filter(p)
    if f.nothing:
        return set()
    with db.read() as conn:
        return set(conn.execute(scoping.group_ids(f)).scalars())
