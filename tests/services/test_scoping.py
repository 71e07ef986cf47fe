"""Every list limited to the groups a user sees resolves that scope in SQL (a subquery
on branch, programme or agent), never as one bound parameter per visible group.

A world of two programmes, three branches and four agents (and a group without one)
checks that each role sees exactly the rows it saw with the old list of ids, and the
rows expected from the rule itself; a programme of more than 33,000 groups (beyond
SQLite's 32,766 bound parameters) checks that the lists work at a country's size, and
that collecting a plan's premiums again lists no enrolment ids either. Both databases."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import Connection, Integer, String, cast, event, func, insert, literal, select, true
from sqlalchemy.exc import OperationalError

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    branch,
    field_agent,
    insurance_claim,
    insurance_enrolment,
    insurance_plan,
    insurance_premium,
    journal_entry,
    loan,
    loan_arrears,
    loan_product,
    member,
    membership,
    pending_action,
    programme,
    referral,
    savings_group,
)
from kuza.domain.access import GroupFilter, GroupScope, Principal, Role, group_filter
from kuza.reports.arrears import arrears_count, arrears_list, arrears_overview, portfolio
from kuza.services import approvals, insurance, users
from kuza.services.insurance_views import claim_queue
from kuza.services.loans.views import loan_list
from kuza.services.member_view import member_view
from kuza.services.views import group_list, group_total
from kuza.services.visit_views import open_referrals
from kuza.web.loan_forms import scope
from tests.factories import visible_group_ids

pytestmark = pytest.mark.storage

ON = date(2026, 1, 5)
TODAY = date(2026, 3, 2)
TERMS = {"rate": {"percent": "1", "per": "month"}, "method": "flat", "instalments": 4,
         "every": {"n": 1, "unit": "month"}}  # fmt: skip


def _add(conn: Connection, table: Any, **values: Any) -> int:
    return int(conn.execute(insert(table).values(**values).returning(table.c.id)).scalar_one())


def _group_values(pid: int, bid: int, aid: int | None, name: str) -> dict[str, Any]:
    return {
        "programme_id": pid, "branch_id": bid, "agent_id": aid, "name": name,
        "formed_on": ON, "status": "active", "frequency": "weekly", "first_meeting_on": ON,
        "currency": "KES", "compulsory_saving_minor": 10000, "share_out_rule": "pro_rata",
        "cycle_number": 1, "cycle_started_on": ON,
    }  # fmt: skip


@dataclass
class World:
    programmes: dict[str, int] = field(default_factory=dict)
    branches: dict[str, int] = field(default_factory=dict)
    agents: dict[str, int] = field(default_factory=dict)
    groups: dict[int, GroupScope] = field(default_factory=dict)
    memberships: dict[int, set[int]] = field(default_factory=dict)  # member -> groups, ever
    loans: dict[int, tuple[int, int]] = field(default_factory=dict)  # loan -> (group, member)
    late: set[int] = field(default_factory=set)  # loans with days past due
    actions: dict[int, int | None] = field(default_factory=dict)  # action -> group
    claims: dict[int, int] = field(default_factory=dict)  # claim -> member
    referrals: dict[int, int] = field(default_factory=dict)  # referral -> member
    mover: int = 0  # a member who left a group of agent A1 for one of agent A3


# (programme, branch, agent) of each group: B1 and B2 in P1, B3 in P2; one group of B1
# has no agent yet.
LAYOUT = [
    ("P1", "B1", "A1"), ("P1", "B1", "A1"), ("P1", "B1", "A2"), ("P1", "B1", None),
    ("P1", "B2", "A3"), ("P1", "B2", "A3"), ("P2", "B3", "A4"), ("P2", "B3", "A4"),
]  # fmt: skip


def _member(conn: Connection, w: World, gid: int, name: str) -> int:
    g = w.groups[gid]
    mid = _add(conn, member, programme_id=g.programme_id, branch_id=g.branch_id, name=name,
               sex="F", household_size=4, literate=True)  # fmt: skip
    _join(conn, w, gid, mid)
    return mid


def _join(conn: Connection, w: World, gid: int, mid: int, left: date | None = None) -> None:
    pid = w.groups[gid].programme_id
    _add(conn, membership, programme_id=pid, group_id=gid, member_id=mid, joined_on=ON,
         left_on=left)  # fmt: skip
    w.memberships.setdefault(mid, set()).add(gid)


def _loan(conn: Connection, w: World, products: dict[int, int], gid: int, mid: int) -> None:
    pid = w.groups[gid].programme_id
    lid = _add(conn, loan, programme_id=pid, group_id=gid, member_id=mid,
               product_id=products[pid], kind="internal", source="group_fund",
               principal_minor=100000, currency="KES", terms=TERMS, status="disbursed",
               loan_cycle=1, applied_on=ON, applied_by="agent")  # fmt: skip
    w.loans[lid] = (gid, mid)
    days = 10 * (lid % 3)  # a third of the loans on time, the rest late
    conn.execute(insert(loan_arrears).values(
        loan_id=lid, programme_id=pid, as_of=TODAY, days_past_due=days,
        principal_in_arrears_minor=days * 100, interest_in_arrears_minor=0, penalty_due_minor=0,
        outstanding_principal_minor=50000,
    ))  # fmt: skip
    if days:
        w.late.add(lid)


def _records(conn: Connection, w: World, products: dict[int, int]) -> None:
    """A loan, an insurance claim and a referral per member; an action per group."""
    plans = {
        pid: _add(conn, insurance_plan, programme_id=pid, name="Afya", currency="KES",
                  premium_minor=1000, dependant_premium_minor=500, period="year",
                  cover_per_year_minor=100000, waiting_days=0, subsidy=["100"])
        for pid in w.programmes.values()
    }  # fmt: skip
    for mid, gids in w.memberships.items():
        for gid in sorted(gids):
            _loan(conn, w, products, gid, mid)
        gid = min(gids)
        pid = w.groups[gid].programme_id
        eid = _add(conn, insurance_enrolment, programme_id=pid, plan_id=plans[pid],
                   member_id=mid, group_id=gid, enrolled_on=ON, pays_from="cash",
                   recorded_by="agent")  # fmt: skip
        cid = _add(conn, insurance_claim, programme_id=pid, enrolment_id=eid,
                   incurred_on=ON, membership_year=1, description="clinic", currency="KES",
                   claimed_minor=5000, status="submitted", submitted_on=ON,
                   submitted_by="agent")  # fmt: skip
        w.claims[cid] = mid
        rid = _add(conn, referral, programme_id=pid, member_id=mid, kind="health",
                   service="clinic", referred_on=ON, referred_by="agent",
                   status="referred")  # fmt: skip
        w.referrals[rid] = mid
    for gid, g in [*w.groups.items(), (None, None)]:
        pid = w.programmes["P1"] if g is None else g.programme_id
        aid = _add(conn, pending_action, programme_id=pid, kind="write_off", group_id=gid,
                   payload={"loan_id": 1}, status="pending", made_by="agent",
                   made_at=datetime(2026, 2, 1, 9, 0))  # fmt: skip
        w.actions[aid] = gid


@pytest.fixture
def world(db: Database) -> World:
    w = World()
    with db.transaction() as conn:
        for code in ("P1", "P2"):
            w.programmes[code] = _add(conn, programme, code=f"KE-{code}", name=code,
                                      country="KE", currency="KES", settings={})  # fmt: skip
        for code, pcode in (("B1", "P1"), ("B2", "P1"), ("B3", "P2")):
            w.branches[code] = _add(conn, branch, programme_id=w.programmes[pcode], name=code)
        for code, bcode, pcode in (("A1", "B1", "P1"), ("A2", "B1", "P1"), ("A3", "B2", "P1"),
                                   ("A4", "B3", "P2")):  # fmt: skip
            w.agents[code] = _add(conn, field_agent, programme_id=w.programmes[pcode],
                                  branch_id=w.branches[bcode], name=code)  # fmt: skip
        for i, (p, b, a) in enumerate(LAYOUT):
            pid, bid, aid = w.programmes[p], w.branches[b], w.agents.get(a or "")
            gid = _add(conn, savings_group, **_group_values(pid, bid, aid, f"G{i}"))
            w.groups[gid] = GroupScope(pid, bid, aid)
        gids = list(w.groups)
        for gid in gids:
            for k in range(2):
                _member(conn, w, gid, f"M{gid}.{k}")
        w.mover = _member(conn, w, gids[0], "Mover")  # of A1's group, then A3's
        conn.execute(
            membership.update()
            .where(membership.c.member_id == w.mover)
            .values(left_on=date(2026, 2, 1))
        )
        _join(conn, w, gids[4], w.mover)
        products = {
            pid: _add(conn, loan_product, programme_id=pid, name="Group loan", kind="internal",
                      currency="KES", terms=TERMS)
            for pid in w.programmes.values()
        }  # fmt: skip
        _records(conn, w, products)
    return w


def _principals(w: World) -> Iterator[tuple[str, Principal]]:
    p1, p2 = w.programmes["P1"], w.programmes["P2"]
    b, a = w.branches, w.agents
    yield "admin", Principal(1, "admin", "", Role.ADMIN)
    yield "country P1", Principal(2, "cm", "", Role.COUNTRY_MANAGER, p1)
    yield "finance P2", Principal(3, "fin", "", Role.FINANCE, p2)
    yield "branch B1", Principal(4, "bm1", "", Role.BRANCH_MANAGER, p1, b["B1"])
    yield "branch B2", Principal(5, "bm2", "", Role.BRANCH_MANAGER, p1, b["B2"])
    yield "branch B3 (P2)", Principal(6, "bm3", "", Role.BRANCH_MANAGER, p2, b["B3"])
    yield "agent A1", Principal(7, "a1", "", Role.FIELD_AGENT, p1, b["B1"], a["A1"])
    yield "agent A2", Principal(8, "a2", "", Role.FIELD_AGENT, p1, b["B1"], a["A2"])
    yield "agent A3", Principal(9, "a3", "", Role.FIELD_AGENT, p1, b["B2"], a["A3"])
    yield "agent A4", Principal(10, "a4", "", Role.FIELD_AGENT, p2, b["B3"], a["A4"])
    # Fail closed: a branch manager without her branch, one of a branch of another
    # programme, a donor.
    yield "branchless", Principal(11, "bm0", "", Role.BRANCH_MANAGER, p1)
    yield "branch B1 in P2", Principal(12, "bmx", "", Role.BRANCH_MANAGER, p2, b["B1"])
    yield "donor", Principal(13, "donor", "", Role.DONOR, p1)


def _seen(w: World, p: Principal) -> set[int]:
    f = group_filter(p)
    return {gid for gid, g in w.groups.items() if f.admits(g)}


def _lists(db: Database, w: World, p: Principal, only: Any) -> dict[str, Any]:
    """What each scoped list shows this user, with ``only`` as its scope."""
    pid = p.programme_id
    loans, loan_total = loan_list(db, only, limit=1000)
    actions, action_total = approvals.actions(db, only, None, limit=1000)
    claims, claim_total = claim_queue(db, only, None, 1000, 0)
    late = arrears_list(db, pid, only)
    view = member_view(db, w.mover, TODAY, only)
    overview = arrears_overview(db, pid, only, TODAY, limit=1000)
    books = {
        prog: portfolio(db, prog, "KES", TODAY, only, stored=False).loans
        for prog in sorted(w.programmes.values())
    }
    return {
        "loans": ({r.id for r in loans}, loan_total),
        "actions": ({r.id for r in actions}, action_total),
        "claims": ({r.claim.id for r in claims}, claim_total),
        "late": ({r.loan_id for r in late}, arrears_count(db, pid, only)),
        "overview": ({r.loan_id for r in overview.rows}, overview.late),
        "portfolio": books,
        "groups": ({g.id for g in group_list(db, pid, only)}, group_total(db, pid, only)),
        "member": ({m.group_id for m in view.memberships}, {r.id for r in view.loans}),
    }


def _expected(w: World, p: Principal) -> dict[str, Any]:
    seen = _seen(w, p) if p.role is not Role.ADMIN else set(w.groups)
    ours = {gid for gid in seen if p.programme_id in (None, w.groups[gid].programme_id)}
    members = {m for m, gids in w.memberships.items() if gids & seen}
    loans = {lid for lid, (gid, _) in w.loans.items() if gid in seen}
    late = {lid for lid in w.late if w.loans[lid][0] in ours}
    actions = {a for a, gid in w.actions.items() if gid in seen or p.role is Role.ADMIN}
    claims = {c for c, m in w.claims.items() if m in members}
    mover = {lid for lid, (gid, m) in w.loans.items() if m == w.mover and gid in seen}
    return {
        "loans": (loans, len(loans)),
        "actions": (actions, len(actions)),
        "claims": (claims, len(claims)),
        "late": (late, len(late)),
        "overview": (late, len(late)),
        "portfolio": {
            prog: sum(1 for lid in loans if w.groups[w.loans[lid][0]].programme_id == prog)
            for prog in sorted(w.programmes.values())
        },
        "groups": (ours, len(ours)),
        "member": (w.memberships[w.mover] & seen, mover),
    }


def test_each_role_sees_the_rows_it_saw_with_the_list_of_ids(db: Database, world: World) -> None:
    checked = 0
    for name, p in _principals(world):
        new = _lists(db, world, p, scope(db, p))
        if p.role is not Role.ADMIN:
            assert isinstance(scope(db, p), GroupFilter), name  # no id list is built
        old = _lists(db, world, p, None if p.role is Role.ADMIN else visible_group_ids(db, p))
        assert new == old, name
        assert new == _expected(world, p), name
        if new["loans"][0]:
            checked += 1
    assert checked == 10  # all but the three that fail closed saw some loans
    a1 = dict(_principals(world))["agent A1"]
    her_groups = _lists(db, world, a1, scope(db, a1))["member"][0]
    assert her_groups == {min(world.groups)}  # the mover's group she left, not her new one


def test_open_referrals_follow_the_member_s_groups(db: Database, world: World) -> None:
    for name, p in _principals(world):
        seen = _seen(world, p) if p.role is not Role.ADMIN else set(world.groups)
        members = {m for m, gids in world.memberships.items() if gids & seen}
        rows, total = open_referrals(db, p, limit=1000)
        expected = {r for r, m in world.referrals.items() if m in members}
        assert ({r.id for r in rows}, total) == (expected, len(expected)), name


def test_the_scope_of_a_user_is_a_filter_or_every_group(db: Database, world: World) -> None:
    cm = dict(_principals(world))["country P1"]
    assert users.group_scope(cm) == GroupFilter(programme_id=world.programmes["P1"])
    assert users.group_scope(dict(_principals(world))["admin"]) is None
    assert users.group_scope(dict(_principals(world))["donor"]) == GroupFilter(nothing=True)
    # A few explicit ids still work, and an empty set is no group at all.
    some = set(list(world.groups)[:2])
    assert {g.id for g in group_list(db, None, some)} == some
    assert group_list(db, None, set()) == [] and group_total(db, None, set()) == 0


# --- A country programme: more groups than SQLite takes bound parameters ------------

MANY = 33_000  # SQLite's SQLITE_MAX_VARIABLE_NUMBER is 32,766 by default
STOCK_SQLITE_LIMIT = 32_766


def _stock_sqlite_limit(dbapi_connection: Any, _record: Any) -> None:
    # Some builds (Debian's) raise the limit to 250,000; hold the connection to SQLite's
    # own default, as most builds ship it.
    dbapi_connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, STOCK_SQLITE_LIMIT)


def _as_stock_sqlite(db: Database) -> None:
    """New connections of ``db`` take at most SQLite's default count of bound
    parameters, and a list of MANY ids is refused (the premise of the test)."""
    if db.engine.dialect.name != "sqlite":
        return
    event.listen(db.engine, "connect", _stock_sqlite_limit)
    db.engine.dispose()
    with db.read() as conn, pytest.raises(OperationalError, match="too many SQL variables"):
        conn.execute(select(savings_group.c.id).where(savings_group.c.id.in_(range(MANY))))


def _numbers(n: int) -> Any:
    """``SELECT 1 … n`` as a recursive CTE (same SQL on SQLite and PostgreSQL)."""
    seq = select(literal(1, Integer).label("i")).cte("seq", recursive=True)
    return seq.union_all(select(seq.c.i + 1).where(seq.c.i < n))


def _country(db: Database) -> tuple[int, int, int, int]:
    """One programme of MANY groups of one branch and one agent, each with a member, a
    loan late, an action, a claim and a referral, all written set-based; and a second
    programme of one such group nobody in the first may see. Returns the programme,
    branch, agent and the other programme's group."""
    with db.transaction() as conn:
        pid = _add(conn, programme, code="KE-BIG", name="Big", country="KE", currency="KES",
                   settings={})  # fmt: skip
        bid = _add(conn, branch, programme_id=pid, name="Thika")
        aid = _add(conn, field_agent, programme_id=pid, branch_id=bid, name="Agent")
        product = _add(conn, loan_product, programme_id=pid, name="Loan", kind="internal",
                       currency="KES", terms=TERMS)  # fmt: skip
        plan = _add(conn, insurance_plan, programme_id=pid, name="Afya", currency="KES",
                    premium_minor=1000, dependant_premium_minor=500, period="year",
                    cover_per_year_minor=100000, waiting_days=0, subsidy=["100"])  # fmt: skip
        seq = _numbers(MANY)
        i = seq.c.i
        name = literal("G", String) + cast(i, String)
        values = _group_values(pid, bid, aid, "")
        cols = ["id", *values]
        conn.execute(insert(savings_group).from_select(cols, select(i, *[
            name if k == "name" else literal(v) for k, v in values.items()
        ])))  # fmt: skip
        conn.execute(insert(member).from_select(
            ["id", "programme_id", "branch_id", "name", "sex", "household_size", "literate"],
            select(i, literal(pid), literal(bid), name, literal("F"), literal(4), true()),
        ))  # fmt: skip
        conn.execute(insert(membership).from_select(
            ["id", "programme_id", "group_id", "member_id", "joined_on"],
            select(i, literal(pid), i, i, literal(ON)),
        ))  # fmt: skip
        conn.execute(insert(loan).from_select(
            ["id", "programme_id", "group_id", "member_id", "product_id", "kind", "source",
             "principal_minor", "currency", "terms", "status", "loan_cycle", "applied_on",
             "applied_by", "grant", "purpose", "guarantee_minor", "note"],
            select(i, literal(pid), i, i, literal(product), literal("internal"),
                   literal("group_fund"), literal(100000), literal("KES"),
                   literal(TERMS, loan.c.terms.type),
                   literal("disbursed"), literal(1), literal(ON), literal("agent"),
                   literal(False), literal(""), literal(0), literal("")),
        ))  # fmt: skip
        conn.execute(insert(loan_arrears).from_select(
            ["loan_id", "programme_id", "as_of", "days_past_due", "principal_in_arrears_minor",
             "interest_in_arrears_minor", "penalty_due_minor", "outstanding_principal_minor"],
            select(i, literal(pid), literal(TODAY), literal(10), literal(1000), literal(0),
                   literal(0), literal(50000)),
        ))  # fmt: skip
        conn.execute(insert(pending_action).from_select(
            ["id", "programme_id", "kind", "group_id", "payload", "reason", "status",
             "made_by", "made_at"],
            select(i, literal(pid), literal("write_off"), i,
                   literal({"loan_id": 1}, pending_action.c.payload.type),
                   literal(""), literal("pending"), literal("agent"),
                   literal(datetime(2026, 2, 1, 9, 0))),
        ))  # fmt: skip
        conn.execute(insert(insurance_enrolment).from_select(
            ["id", "programme_id", "plan_id", "member_id", "group_id", "enrolled_on",
             "pays_from", "recorded_by"],
            select(i, literal(pid), literal(plan), i, i, literal(ON), literal("cash"),
                   literal("agent")),
        ))  # fmt: skip
        conn.execute(insert(insurance_claim).from_select(
            ["id", "programme_id", "enrolment_id", "incurred_on", "membership_year",
             "description", "currency", "claimed_minor", "status", "submitted_on",
             "submitted_by", "reason"],
            select(i, literal(pid), i, literal(ON), literal(1), literal("clinic"),
                   literal("KES"), literal(5000), literal("submitted"), literal(ON),
                   literal("agent"), literal("")),
        ))  # fmt: skip
        conn.execute(insert(referral).from_select(
            ["id", "programme_id", "member_id", "kind", "service", "referred_on",
             "referred_by", "status", "note"],
            select(i, literal(pid), i, literal("health"), literal("clinic"), literal(ON),
                   literal("agent"), literal("referred"), literal("")),
        ))  # fmt: skip
        # Another programme's group, with its own records: in no one's scope above.
        other = _add(conn, programme, code="KE-OTHER", name="Other", country="KE",
                     currency="KES", settings={})  # fmt: skip
        obid = _add(conn, branch, programme_id=other, name="Nyeri")
        ogid = _add(conn, savings_group, id=MANY + 1,
                    **_group_values(other, obid, None, "Other"))  # fmt: skip
        conn.execute(insert(loan).values(
            id=MANY + 1, programme_id=other, group_id=ogid, member_id=1, product_id=product,
            kind="internal", source="group_fund", principal_minor=1, currency="KES",
            terms=TERMS, status="disbursed", loan_cycle=1, applied_on=ON, applied_by="x",
        ))  # fmt: skip
        conn.execute(insert(pending_action).values(
            id=MANY + 1, programme_id=other, kind="write_off", group_id=ogid, payload={},
            status="pending", made_by="x", made_at=datetime(2026, 2, 1),
        ))  # fmt: skip
        if conn.dialect.name == "postgresql":  # explicit ids: move the sequences past them
            for t in ("savings_group", "member", "membership", "loan", "pending_action",
                      "insurance_enrolment", "insurance_claim", "referral"):  # fmt: skip
                top = f"(SELECT max(id) FROM {t})"
                conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), {top})")
    if db.engine.dialect.name == "postgresql":  # as autovacuum would after such a load
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
    return pid, bid, aid, ogid


@pytest.mark.parametrize("role", [Role.COUNTRY_MANAGER, Role.BRANCH_MANAGER, Role.FIELD_AGENT])
def test_the_lists_work_for_more_groups_than_sqlite_takes_parameters(
    db: Database, role: Role
) -> None:
    pid, bid, aid, other = _country(db)
    _as_stock_sqlite(db)
    p = Principal(
        1, "u", "", role, pid,
        bid if role is not Role.COUNTRY_MANAGER else None,
        aid if role is Role.FIELD_AGENT else None,
    )  # fmt: skip
    only = scope(db, p)
    loans, total = loan_list(db, only, limit=20)
    assert total == MANY and len(loans) == 20
    assert all(r.group_id != other for r in loans)
    actions, total = approvals.actions(db, only, limit=5)
    assert total == MANY and len(actions) == 5
    claims, total = claim_queue(db, only, None, 5, 0)
    assert total == MANY and len(claims) == 5
    assert arrears_count(db, pid, only) == MANY
    assert len(arrears_list(db, pid, only, limit=10)) == 10
    overview = arrears_overview(db, pid, only, TODAY, limit=10)
    assert overview.late == MANY and len(overview.rows) == 10
    assert overview.portfolios[0].portfolio.loans == MANY
    assert group_total(db, pid, only) == MANY
    assert len(group_list(db, pid, only, 50, 32_950)) == 50
    view = member_view(db, MANY, TODAY, only)
    assert [m.group_id for m in view.memberships] == [MANY]
    assert [r.id for r in view.loans] == [MANY]
    rows, total = open_referrals(db, p, limit=5)
    assert total == MANY and len(rows) == 5


def test_collecting_premiums_again_over_more_enrolments_than_parameters(db: Database) -> None:
    """The same pattern keyed by enrolment: a plan's ~33,000 enrolments, their premiums
    of the period already booked; collecting again books nothing (and builds no list of
    their ids)."""
    pid, _, _, _ = _country(db)
    start = date(2027, 1, 1)
    with db.transaction() as conn:
        plan = conn.execute(
            select(insurance_plan.c.id).where(insurance_plan.c.programme_id == pid)
        ).scalar_one()
        entry = _add(conn, journal_entry, programme_id=pid, posted_on=start, memo="premiums",
                     source="test", created_at=datetime(2027, 1, 1), created_by="test")  # fmt: skip
        en = insurance_enrolment.c
        conn.execute(insert(insurance_premium).from_select(
            ["programme_id", "enrolment_id", "period_start", "membership_year", "currency",
             "premium_minor", "subsidy_minor", "member_minor", "pays_from", "entry_id",
             "recorded_by"],
            select(en.programme_id, en.id, literal(start), literal(2), literal("KES"),
                   literal(1000), literal(1000), literal(0), en.pays_from, literal(entry),
                   literal("test")).where(en.plan_id == plan),
        ))  # fmt: skip
    _as_stock_sqlite(db)
    done = insurance.collect_premiums(db, plan, start, date(2027, 1, 2))
    assert done.collected == [] and len(done.already) == MANY
    with db.read() as conn:
        booked = conn.execute(select(func.count()).select_from(insurance_premium)).scalar_one()
    assert booked == MANY
