"""Deterministic demo data: four country programmes with months of meeting history,
all booked through the real services (so the demo ledger is a real ledger)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import programme
from kuza.domain.calendar import Frequency
from kuza.domain.groups import GroupStatus, OfficerRole, Sex, ShareOutRule
from kuza.services import groups, meetings, programmes
from kuza.services.demo_impact import load_impact_path
from kuza.services.demo_users import create_demo_users


@dataclass(frozen=True)
class CountryDemo:
    code: str
    name: str
    country: str
    currency: str
    branches: tuple[str, ...]
    villages: tuple[str, ...]
    women: tuple[str, ...]
    men: tuple[str, ...]
    compulsory: Decimal
    step: Decimal  # typical multiple for voluntary amounts and fines
    frequency: Frequency
    group_words: tuple[str, ...]


COUNTRIES = (
    CountryDemo(
        "IN-TN",
        "Tamil Nadu livelihoods",
        "IN",
        "INR",
        ("Kanchipuram", "Vellore"),
        ("Walajabad", "Uthiramerur", "Sriperumbudur", "Arcot"),
        (
            "Padmavathi",
            "Lakshmi",
            "Meena",
            "Kavitha",
            "Selvi",
            "Revathi",
            "Anitha",
            "Malar",
            "Saraswathi",
            "Vasuki",
            "Deepa",
            "Jayanthi",
            "Chitra",
            "Bhavani",
            "Uma",
            "Gowri",
        ),
        ("Murugan", "Senthil"),
        Decimal(50),
        Decimal(10),
        Frequency.WEEKLY,
        ("Mahalir", "Mahila", "Annai", "Jothi"),
    ),
    CountryDemo(
        "KE-CEN",
        "Central Kenya jobs",
        "KE",
        "KES",
        ("Thika", "Murang'a"),
        ("Gatuanyaga", "Kamenu", "Kandara", "Makuyu"),
        (
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
        ),
        ("Peter", "Kamau"),
        Decimal(100),
        Decimal(20),
        Frequency.BIWEEKLY,
        ("Umoja", "Tumaini", "Upendo", "Baraka"),
    ),
    CountryDemo(
        "AF-BLK",
        "Balkh enterprise",
        "AF",
        "AFN",
        ("Mazar-i-Sharif",),
        ("Dehdadi", "Nahr-e Shahi", "Balkh"),
        (
            "Fatima",
            "Zahra",
            "Maryam",
            "Parwana",
            "Shabnam",
            "Nasrin",
            "Freshta",
            "Laila",
            "Mursal",
            "Halima",
            "Gulalai",
            "Sima",
            "Roya",
            "Nazifa",
        ),
        ("Ahmad",),
        Decimal(50),
        Decimal(10),
        Frequency.WEEKLY,
        ("Omid", "Bahar", "Setara"),
    ),
    CountryDemo(
        "MG-ANA",
        "Analamanga microfinance sociale",
        "MG",
        "MGA",
        ("Antananarivo",),
        ("Ambohidratrimo", "Andoharanofotsy", "Ivato"),
        (
            "Voahangy",
            "Hanitra",
            "Lalao",
            "Nirina",
            "Fara",
            "Tiana",
            "Haingo",
            "Mialy",
            "Noro",
            "Holy",
            "Rindra",
            "Zo",
            "Sitraka",
            "Vola",
        ),
        ("Rakoto", "Andry"),
        Decimal(2000),
        Decimal(500),
        Frequency.BIWEEKLY,
        ("Fanantenana", "Firaisankina", "Tsinjo"),
    ),
)

SURNAME_INITIALS = "ABCDEGHKLMNRSTW"


def _amount(rng: random.Random, step: Decimal, most: int) -> str:
    return str(step * rng.randint(1, most))


def _meeting_lines(
    rng: random.Random,
    c: CountryDemo,
    member_ids: list[int],
    voluntary: dict[int, Decimal],
    social_fund: Decimal,
) -> tuple[list[dict[str, object]], Decimal]:
    lines: list[dict[str, object]] = []
    for mid in member_ids:
        present = rng.random() < 0.9
        line: dict[str, object] = {"member_id": mid, "present": present}
        if not present:
            line["compulsory"] = "0" if rng.random() < 0.6 else str(c.compulsory)
        if present and rng.random() < 0.35:
            dep = Decimal(_amount(rng, c.step, 5))
            line["voluntary"] = str(dep)
            voluntary[mid] = voluntary.get(mid, Decimal(0)) + dep
        if present and rng.random() < 0.5:
            line["social"] = str(c.step)
            social_fund += c.step
        if rng.random() < 0.05:
            line["fines"] = [{"amount": str(c.step), "reason": rng.choice(["late", "absent"])}]
        if present and voluntary.get(mid, Decimal(0)) > c.step * 4 and rng.random() < 0.1:
            take = c.step * 2
            line["withdrawal"] = str(take)
            voluntary[mid] -= take
        lines.append(line)
    if social_fund > c.compulsory * 3 and rng.random() < 0.08:
        payout = c.compulsory * 2
        pick = next(ln for ln in lines if ln["present"])
        pick["social_payout"] = str(payout)
        pick["social_payout_reason"] = rng.choice(["illness", "funeral", "school fees"])
        social_fund -= payout
    return lines, social_fund


def load_demo(db: Database, seed: int, until: date, months: int) -> dict[str, int]:
    """Load the demo; a second run on the same database loads nothing twice."""
    rng = random.Random(seed)
    stats = {"programmes": 0, "groups": 0, "members": 0, "meetings": 0}
    start = until - timedelta(days=30 * months)
    start -= timedelta(days=start.weekday())  # groups meet on Mondays
    with db.read() as conn:
        known = set(conn.execute(select(programme.c.code)).scalars())
    for c in COUNTRIES:
        if c.code in known:
            continue
        pid = programmes.create_programme(db, c.code, c.name, c.country, c.currency, actor="demo")
        stats["programmes"] += 1
        for b_name in c.branches:
            bid = programmes.create_branch(db, pid, b_name, actor="demo")
            aid = programmes.create_agent(db, pid, bid, f"Agent {b_name}", actor="demo")
            for _ in range(2):
                village = rng.choice(c.villages)
                formed = start + timedelta(weeks=rng.randint(0, 3))
                gid = groups.create_group(
                    db,
                    pid,
                    groups.NewGroup(
                        branch_id=bid,
                        agent_id=aid,
                        name=f"{village} {rng.choice(c.group_words)} group",
                        village=village,
                        formed_on=formed,
                        frequency=c.frequency,
                        first_meeting_on=formed,
                        compulsory_saving=str(c.compulsory),
                        share_out_rule=rng.choice([ShareOutRule.PRO_RATA, ShareOutRule.SHARES]),
                        share_value=str(c.compulsory),
                    ),
                    actor="demo",
                )
                stats["groups"] += 1
                size = rng.randint(12, min(20, len(c.women) + 1))
                names = [*rng.sample(c.women, size - 1), rng.choice(c.men)]
                mids = []
                for name in names:
                    sex = Sex.MALE if name in c.men else Sex.FEMALE
                    mids.append(
                        groups.enrol_member(
                            db,
                            gid,
                            groups.NewMember(
                                f"{name} {rng.choice(SURNAME_INITIALS)}.",
                                sex,
                                household_size=rng.randint(2, 9),
                                literate=rng.random() < 0.55,
                                birth_year=rng.randint(1965, 2004),
                                consent_on=formed,
                            ),
                            formed,
                            actor="demo",
                        )
                    )
                stats["members"] += len(mids)
                groups.change_status(db, gid, GroupStatus.ACTIVE, formed, "demo", actor="demo")
                for role, mid in zip(OfficerRole, mids[:4], strict=False):
                    if role is OfficerRole.EDUCATOR and c.country != "MG":
                        continue
                    groups.elect_officer(db, gid, mid, role, formed, actor="demo")
                voluntary: dict[int, Decimal] = {}
                social = Decimal(0)
                step = timedelta(weeks=1 if c.frequency is Frequency.WEEKLY else 2)
                day = formed
                while day <= until:
                    lines, social = _meeting_lines(rng, c, mids, voluntary, social)
                    meetings.post_meeting(
                        db,
                        {"group_id": gid, "held_on": day.isoformat(), "lines": lines},
                        "demo",
                        until,
                    )
                    stats["meetings"] += 1
                    day += step
    stats["users"] = create_demo_users(db)
    stats |= load_impact_path(db, until)
    return stats
