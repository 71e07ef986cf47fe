"""A synthetic country programme for scale work: ``kuza synth --groups N --months M``.

Everything is drawn from seeded generators per group, so the same spec gives the same
programme whatever the database or the order of writing. Two paths book it:

- ``service``: the real use cases (create_group, enrol_member, post_meeting …), one
  transaction per command, exactly as field agents would;
- ``bulk``: the same sheets parsed, validated and turned into entries by the same domain
  functions, then written set-based (COPY on PostgreSQL, executemany on SQLite) with the
  running balances moved once per batch by one ``UPDATE … FROM`` aggregate.

Both give the same ledger (``tests/services/test_synth.py`` proves it). With
``loans=True`` a loan step follows (``kuza.services.synth_loans``, same two paths).
Training, enterprises and jobs are left to their own generators: add them as further
steps in :func:`synthesise` (see ``EXTENSIONS``).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import journal_line, programme
from kuza.domain.calendar import Frequency
from kuza.domain.errors import Conflict
from kuza.domain.groups import GroupStatus, OfficerRole, Sex
from kuza.services import groups, meetings, programmes

WOMEN = (
    "Wanjiku",
    "Njeri",
    "Akinyi",
    "Wambui",
    "Muthoni",
    "Nyambura",
    "Achieng",
    "Wairimu",
    "Chebet",
    "Atieno",
    "Njoki",
    "Mumbi",
    "Wangari",
    "Kerubo",
    "Moraa",
    "Nduta",
    "Awino",
    "Jepkemboi",
    "Kawira",
    "Nafula",
    "Naliaka",
    "Makena",
    "Kendi",
    "Zawadi",
    "Rehema",
    "Halima",
    "Amina",
    "Mwanaisha",
    "Faith",
    "Grace",
    "Mercy",
    "Esther",
    "Lucy",
    "Beatrice",
)
MEN = (
    "Peter",
    "Kamau",
    "Otieno",
    "Mwangi",
    "Kipchoge",
    "Omondi",
    "Juma",
    "Baraka",
    "Musa",
    "Kiprono",
)
SURNAMES = (
    "Kariuki",
    "Odhiambo",
    "Mutua",
    "Wekesa",
    "Cheruiyot",
    "Maina",
    "Ochieng",
    "Njoroge",
    "Korir",
    "Wafula",
)
VILLAGES = (
    "Gatuanyaga",
    "Kamenu",
    "Kandara",
    "Makuyu",
    "Kabati",
    "Kenol",
    "Gatanga",
    "Kigumo",
    "Maragua",
    "Saba",
)
GROUP_WORDS = ("Umoja", "Tumaini", "Upendo", "Baraka", "Neema", "Amani", "Jitegemee", "Twiga")
BRANCH_NAMES = (
    "Thika",
    "Murang'a",
    "Kiambu",
    "Nyeri",
    "Embu",
    "Meru",
    "Machakos",
    "Nakuru",
    "Kisumu",
    "Eldoret",
)
STEP = Decimal(20)  # KES: voluntary deposits, social fund and fines go in steps of 20


class Mode(StrEnum):
    SERVICE = "service"
    BULK = "bulk"


@dataclass(frozen=True)
class SynthSpec:
    groups: int
    months: int
    seed: int = 1
    start: date = date(2025, 1, 6)  # a Monday
    groups_per_agent: int = 20
    agents_per_branch: int = 5
    code: str = ""  # programme code; default SYN-<seed>-<groups>x<months>
    loans: bool = False  # internal and external loans with repayments and arrears
    meetings: bool = True  # False: groups and members only (e.g. to benchmark loans)

    @property
    def programme_code(self) -> str:
        return self.code or f"SYN-{self.seed}-{self.groups}x{self.months}"

    @property
    def end(self) -> date:
        """Last day of history: ``months`` calendar months after ``start``."""
        index = self.start.month - 1 + self.months
        first_after = date(self.start.year + index // 12, index % 12 + 1, 1)
        return max(self.start, first_after - timedelta(days=1))


@dataclass(frozen=True)
class MemberPlan:
    name: str
    sex: Sex
    birth_year: int
    household_size: int
    literate: bool
    phone: str | None


@dataclass(frozen=True)
class GroupPlan:
    index: int
    branch: int  # index into the programme's branches
    agent: int  # index into the programme's agents
    name: str
    village: str
    formed_on: date
    frequency: Frequency
    compulsory: Decimal
    members: tuple[MemberPlan, ...]


def _rng(spec: SynthSpec, what: str, index: int) -> random.Random:
    # One stream per group and purpose: a group's history does not depend on the others.
    return random.Random(f"{spec.seed}:{what}:{index}")


def plan_group(spec: SynthSpec, index: int) -> GroupPlan:
    rng = _rng(spec, "group", index)
    agent = index // spec.groups_per_agent
    size = rng.randint(15, 25)
    # at most as many men as there are men's names (a draw over 10 broke big loads)
    men = min(len(MEN), sum(1 for _ in range(size) if rng.random() < 0.12))
    firsts = [*rng.sample(WOMEN, size - men), *rng.sample(MEN, men)]
    members = tuple(
        MemberPlan(
            name=f"{first} {rng.choice(SURNAMES)}",
            sex=Sex.MALE if first in MEN else Sex.FEMALE,
            birth_year=rng.randint(1960, 2005),
            household_size=rng.randint(1, 10),
            literate=rng.random() < 0.6,
            phone=f"+2547{rng.randrange(10**8):08d}" if rng.random() < 0.7 else None,
        )
        for first in firsts
    )
    latest_week = max(0, min(8, spec.months * 4 - 2))
    formed = spec.start + timedelta(weeks=rng.randint(0, latest_week), days=rng.randint(0, 4))
    village = rng.choice(VILLAGES)
    return GroupPlan(
        index=index,
        branch=agent // spec.agents_per_branch,
        agent=agent,
        name=f"{rng.choice(GROUP_WORDS)} {village} {index + 1:05d}",
        village=village,
        formed_on=formed,
        frequency=Frequency.WEEKLY if rng.random() < 0.6 else Frequency.BIWEEKLY,
        compulsory=Decimal(rng.choice((50, 100, 100, 200))),
        members=members,
    )


def meeting_dates(plan: GroupPlan, end: date) -> list[date]:
    step = timedelta(weeks=1 if plan.frequency is Frequency.WEEKLY else 2)
    days, day = [], plan.formed_on
    while day <= end:
        days.append(day)
        day += step
    return days


@dataclass
class _Fund:
    voluntary: dict[int, Decimal] = field(default_factory=dict)
    social: Decimal = Decimal(0)


def _lines(rng: random.Random, plan: GroupPlan, ids: Sequence[int], fund: _Fund) -> list[Any]:
    lines: list[dict[str, object]] = []
    for mid in ids:
        present = rng.random() < 0.9
        line: dict[str, object] = {"member_id": mid, "present": present}
        if not present:
            line["compulsory"] = "0" if rng.random() < 0.6 else str(plan.compulsory)
        if present and rng.random() < 0.35:
            deposit = STEP * rng.randint(1, 5)
            line["voluntary"] = str(deposit)
            fund.voluntary[mid] = fund.voluntary.get(mid, Decimal(0)) + deposit
        if present and rng.random() < 0.5:
            line["social"] = str(STEP)
            fund.social += STEP
        if rng.random() < 0.05:
            line["fines"] = [{"amount": str(STEP), "reason": rng.choice(["late", "absent"])}]
        if present and fund.voluntary.get(mid, Decimal(0)) > STEP * 4 and rng.random() < 0.1:
            line["withdrawal"] = str(STEP * 2)
            fund.voluntary[mid] -= STEP * 2
        lines.append(line)
    if fund.social > plan.compulsory * 3 and rng.random() < 0.08:
        pick = next((ln for ln in lines if ln["present"]), None)
        if pick is not None:
            pick["social_payout"] = str(plan.compulsory * 2)
            pick["social_payout_reason"] = rng.choice(["illness", "funeral", "school fees"])
            fund.social -= plan.compulsory * 2
    return lines


def group_sheets(
    spec: SynthSpec, plan: GroupPlan, group_id: int, member_ids: Sequence[int]
) -> Iterator[dict[str, object]]:
    """The group's meeting sheets in date order, as a field agent would submit them."""
    rng = _rng(spec, "meetings", plan.index)
    fund = _Fund()
    for day in meeting_dates(plan, spec.end):
        lines = _lines(rng, plan, member_ids, fund)
        yield {"group_id": group_id, "held_on": day.isoformat(), "lines": lines}


@dataclass
class SynthResult:
    programme_id: int
    groups: int = 0
    members: int = 0
    meetings: int = 0
    entries: int = 0
    lines: int = 0
    loans: int = 0


Progress = Callable[[int], None]  # called with the number of groups just finished

OFFICERS = (OfficerRole.PRESIDENT, OfficerRole.TREASURER, OfficerRole.SECRETARY)
ACTOR = "synth"


def organisation(db: Database, spec: SynthSpec) -> tuple[int, list[int], list[int]]:
    with db.read() as conn:
        known = conn.execute(
            select(programme.c.id).where(programme.c.code == spec.programme_code)
        ).first()
    if known is not None:
        raise Conflict(
            "programme %(programme_code)s is already loaded",
            field="code",
            programme_code=spec.programme_code,
        )
    pid = programmes.create_programme(
        db,
        spec.programme_code,
        f"Synthetic programme {spec.programme_code}",
        "KE",
        "KES",
        actor=ACTOR,
    )
    n_agents = -(-spec.groups // spec.groups_per_agent)
    n_branches = -(-n_agents // spec.agents_per_branch)
    branch_ids = [
        programmes.create_branch(db, pid, f"{BRANCH_NAMES[b % 10]} {b + 1}", actor=ACTOR)
        for b in range(n_branches)
    ]
    agent_ids = [
        programmes.create_agent(
            db, pid, branch_ids[a // spec.agents_per_branch], f"Agent {a + 1}", actor=ACTOR
        )
        for a in range(n_agents)
    ]
    return pid, branch_ids, agent_ids


def _service_group(
    db: Database, spec: SynthSpec, pid: int, plan: GroupPlan, branches: list[int], agents: list[int]
) -> SynthResult:
    gid = groups.create_group(
        db,
        pid,
        groups.NewGroup(
            branch_id=branches[plan.branch],
            agent_id=agents[plan.agent],
            name=plan.name,
            village=plan.village,
            formed_on=plan.formed_on,
            frequency=plan.frequency,
            first_meeting_on=plan.formed_on,
            compulsory_saving=str(plan.compulsory),
        ),
        actor=ACTOR,
    )
    mids = [
        groups.enrol_member(
            db,
            gid,
            groups.NewMember(
                m.name, m.sex, m.household_size, m.literate, m.birth_year, m.phone, plan.formed_on
            ),
            plan.formed_on,
            actor=ACTOR,
        )
        for m in plan.members
    ]
    groups.change_status(db, gid, GroupStatus.ACTIVE, plan.formed_on, "synth", actor=ACTOR)
    for role, mid in zip(OFFICERS, mids, strict=False):
        groups.elect_officer(db, gid, mid, role, plan.formed_on, actor=ACTOR)
    done = SynthResult(pid, groups=1, members=len(mids))
    for data in group_sheets(spec, plan, gid, mids) if spec.meetings else ():
        posted = meetings.post_meeting(db, data, ACTOR, spec.end)
        done.meetings += 1
        done.entries += posted.entry_id is not None
    return done


def synthesise(
    db: Database,
    spec: SynthSpec,
    mode: Mode = Mode.BULK,
    progress: Progress | None = None,
    batch_groups: int = 50,
) -> SynthResult:
    """Generate and book the programme; refuses a programme code already loaded."""
    if spec.groups < 1 or spec.months < 1:
        raise Conflict("a programme needs at least one group and one month", field="groups")
    pid, branches, agents = organisation(db, spec)
    total = SynthResult(pid)
    plans = (plan_group(spec, i) for i in range(spec.groups))
    if mode is Mode.SERVICE:
        for plan in plans:
            _add(total, _service_group(db, spec, pid, plan, branches, agents))
            if progress:
                progress(1)
    else:
        batch: list[GroupPlan] = []
        for plan in plans:
            batch.append(plan)
            if len(batch) == batch_groups:
                _add(total, _bulk_batch(db, spec, pid, batch, branches, agents))
                if progress:
                    progress(len(batch))
                batch = []
        if batch:
            _add(total, _bulk_batch(db, spec, pid, batch, branches, agents))
            if progress:
                progress(len(batch))
    # EXTENSIONS: trainings, enterprises and jobs hook in here like the loans, each as a
    # step over the same plans with its own seeded stream per group.
    if spec.loans:
        total.loans = _loans(db, spec, pid, mode, batch_groups)
    if mode is Mode.SERVICE or spec.loans:
        with db.read() as conn:
            total.lines = conn.execute(
                select(func.count()).where(journal_line.c.programme_id == pid)
            ).scalar_one()
    return total


def _bulk_batch(
    db: Database,
    spec: SynthSpec,
    pid: int,
    batch: list[GroupPlan],
    branches: list[int],
    agents: list[int],
) -> SynthResult:
    from kuza.services.synth_bulk import book_groups, create_groups

    if spec.meetings:
        return book_groups(db, spec, pid, batch, branches, agents)
    made = create_groups(db, pid, batch, branches, agents)
    return SynthResult(pid, groups=len(made), members=sum(len(m) for _, m in made))


def _loans(db: Database, spec: SynthSpec, pid: int, mode: Mode, batch_groups: int) -> int:
    """The loan step (``kuza.services.synth_loans``), after every meeting is booked: each
    group's loans are capped by its cash then, whichever path booked the meetings."""
    from kuza.services import synth_loans

    products = synth_loans.create_products(db, pid)
    made = 0
    batch: list[tuple[int, list[int], list[synth_loans.LoanPlan]]] = []
    for index, (gid, mids, cash) in enumerate(synth_loans.loaded_groups(db, pid)):
        plan = plan_group(spec, index)
        loans = synth_loans.plan_loans(spec.seed, index, len(mids), plan.formed_on, spec.end, cash)
        if mode is Mode.SERVICE:
            made += synth_loans.service_loans(db, pid, gid, mids, loans, products, spec.end)
            continue
        batch.append((gid, mids, loans))
        if len(batch) == batch_groups:
            made += synth_loans.book_loans(db, pid, batch, products)
            batch = []
    if batch:
        made += synth_loans.book_loans(db, pid, batch, products)
    return made


def _add(total: SynthResult, part: SynthResult) -> None:
    total.groups += part.groups
    total.members += part.members
    total.meetings += part.meetings
    total.entries += part.entries
    total.lines += part.lines
    total.loans += part.loans
