"""The demo's full job-creation path, per demo programme, through the real services:
member → training (credit module) → loan (apply, approve by another officer, disburse,
repay) → enterprise → verified jobs → market linkage; household visits with a referral,
a health plan with enrolments, premiums and one paid claim, and programme costs.

Dates are fractions of the demo group's history (formed → ``until``), so any
``--months`` gives a complete path; nothing depends on the clock or a random draw.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import insurance_plan, loan_instalment, programme, savings_group
from kuza.domain.costs import CostCategory, CostLine, Stage
from kuza.domain.groups import Sex
from kuza.domain.insurance import PaysFrom
from kuza.domain.jobs import JobRole, VerificationMethod
from kuza.domain.markets import MarketActivityKind, PartnerKind, WomanRole
from kuza.domain.money import Money
from kuza.domain.training import TrainingCategory
from kuza.domain.visits import ReferralKind, ReferralStatus
from kuza.services import (
    costs,
    enterprises,
    insurance,
    insurance_claims,
    jobs,
    markets,
    programmes,
    training,
    visits,
)
from kuza.services.groups import members_on
from kuza.services.loans import products
from kuza.services.loans.applications import LoanRequest, apply, approve
from kuza.services.loans.close_day import close_day
from kuza.services.loans.disbursement import disburse
from kuza.services.loans.repayments import repay

PLAN_NAME = "Demo health plan"
# A made-up progress grid for the demo (real PPI tables are loaded as data, never shipped).
GRID = {
    "code": "demo-progress",
    "questions": [
        {"code": "roof", "text": "Roof", "points": {"thatch": 0, "iron": 15}},
        {"code": "school", "text": "All children at school", "points": {"no": 0, "yes": 25}},
        {"code": "meals", "text": "Three meals a day", "points": {"no": 0, "yes": 20}},
    ],
    "lookup": [[0, "85"], [20, "60"], [40, "35"], [60, "10"]],
}
ANSWERS = (
    (
        {"roof": "thatch", "school": "no", "meals": "no"},
        {"roof": "iron", "school": "no", "meals": "yes"},
    ),
    (
        {"roof": "thatch", "school": "yes", "meals": "no"},
        {"roof": "iron", "school": "yes", "meals": "yes"},
    ),
    (
        {"roof": "iron", "school": "no", "meals": "no"},
        {"roof": "iron", "school": "yes", "meals": "no"},
    ),
)


@dataclass(frozen=True)
class Path:
    sector: str
    chain: str
    buyer: str
    product: str
    unit: Decimal  # one "unit" of money in the programme's currency


PATHS = {
    "IN-TN": Path("textiles", "textiles", "Kanchi Silk Cooperative", "saree", Decimal(50)),
    "KE-CEN": Path("dairy", "dairy", "Brookside Dairy", "milk", Decimal(100)),
    "AF-BLK": Path("handicrafts", "carpets", "Balkh Carpet Traders", "carpet", Decimal(50)),
    "MG-ANA": Path("poultry", "poultry", "Antananarivo Poultry Market", "eggs", Decimal(2000)),
}
TERMS = {
    "rate": {"percent": "1", "per": "month"},
    "method": "flat",
    "instalments": 3,
    "every": {"n": 1, "unit": "month"},
}


def load_impact_path(db: Database, until: date) -> dict[str, int]:
    """Add the path to each demo programme that has none yet (a rerun adds nothing)."""
    stats = {"loans": 0, "jobs": 0, "linkages": 0, "visits": 0, "enrolments": 0}
    with db.read() as conn:
        rows = conn.execute(
            select(programme.c.id, programme.c.code).where(programme.c.code.in_(PATHS))
        ).all()
        done = set(conn.execute(select(insurance_plan.c.programme_id)).scalars())
    for pid, code in rows:
        if pid not in done:
            _path(db, pid, PATHS[code], until, stats)
    if rows:
        close_day(db, until, "demo")
    return stats


def _path(db: Database, pid: int, p: Path, until: date, stats: dict[str, int]) -> None:
    with db.read() as conn:
        g = conn.execute(
            select(savings_group)
            .where(savings_group.c.programme_id == pid)
            .order_by(savings_group.c.id)
        ).first()
        assert g is not None
        m = members_on(conn, g.id, g.formed_on)
    formed: date = g.formed_on
    span = (until - formed).days

    def day(fraction: str) -> date:
        return formed + timedelta(days=int(span * Decimal(fraction)))

    def money(times: int) -> str:
        return str(p.unit * times)

    # Demo meetings are all posted on the day the demo loads, so no demo group can pass the
    # stability grade's bookkeeping component: the demo admits its group without that gate.
    programmes.change_settings(
        db,
        pid,
        {
            "training": {"stage2_needs_stability": False},
            "loan_gates": {"external": ["credit_training"]},
        },
        "demo",
    )
    training.add_module(
        db,
        pid,
        "credit-management",
        "Credit management",
        TrainingCategory.FINANCIAL,
        "4",
        actor="demo",
    )
    training.enter_training_stage(db, g.id, day("0.05"), actor="demo")
    for f in ("0.08", "0.12"):
        training.record_session(
            db, g.id, "credit-management", "Demo trainer", day(f), "2", m[:6], "demo"
        )
    # credit: the first member borrows from the programme's loan fund and repays on time
    products.fund_loan_fund(db, pid, money(1000), day("0.05"), "demo-fund", "demo")
    product = products.create_product(
        db, pid, {"name": "Enterprise loan", "kind": "external", "terms": TERMS}, "demo"
    )
    loan_id = apply(
        db,
        LoanRequest(
            g.id,
            m[0],
            product,
            money(20),
            day("0.15"),
            p.sector,
            monthly_revenue=money(15),
            monthly_costs=money(4),
        ),
        "demo-agent",
        until,
    )
    approve(db, loan_id, day("0.15"), "demo-manager", until)
    disburse(db, loan_id, day("0.15"), "demo-agent", until)
    stats["loans"] += 1
    with db.read() as conn:
        dues = conn.execute(
            select(loan_instalment)
            .where(loan_instalment.c.loan_id == loan_id)
            .order_by(loan_instalment.c.n)
        ).all()
    for d in dues:
        if d.due_on <= until:
            owed = Money.from_minor(d.principal_minor + d.interest_minor + d.fee_minor, g.currency)
            repay(
                db,
                loan_id,
                str(owed.amount),
                d.due_on,
                f"demo-{loan_id}-{d.n}",
                "demo-agent",
                until,
            )
    # enterprise and verified jobs
    enterprises.add_value_chain(db, pid, p.chain, p.chain.title(), "demo")
    ent = enterprises.register_enterprise(
        db,
        pid,
        enterprises.NewEnterprise(
            f"{p.product.title()} enterprise", [m[0]], p.sector, day("0.2"), value_chain=p.chain
        ),
        "demo",
    )
    owner = jobs.record_job_created(
        db, jobs.NewJob(ent, JobRole.OWNER, day("0.2"), "40", m[0]), actor="demo"
    )
    worker = jobs.record_job_created(
        db, jobs.NewJob(ent, JobRole.EMPLOYEE, day("0.25"), "20", m[1]), actor="demo"
    )
    jobs.verify_job_event(
        db, owner, day("0.3"), VerificationMethod.AGENT_VISIT, "Demo agent", until, actor="demo"
    )
    jobs.verify_job_event(
        db, worker, day("0.3"), VerificationMethod.PHONE, "Demo agent", until, actor="demo"
    )
    stats["jobs"] += 2
    # market linkage: the group sells to a buyer; three women named with their role
    buyer = markets.add_partner(db, pid, p.buyer, PartnerKind.BUYER, "demo")
    women = {m[0]: WomanRole.LEADER, m[1]: WomanRole.PRODUCER, m[2]: WomanRole.AGGREGATOR}
    link = markets.record_linkage(
        db,
        pid,
        markets.NewLinkage(buyer, day("0.35"), group_id=g.id, value_chain=p.chain, women=women),
        "demo",
    )
    markets.record_contract(
        db, link, p.product, "500", "piece", money(1), day("0.35"), until, "demo"
    )
    for kind, f in (
        (MarketActivityKind.COLLECTIVE_PURCHASE, "0.4"),
        (MarketActivityKind.PACKAGING, "0.45"),
    ):
        markets.record_market_activity(
            db,
            pid,
            markets.NewMarketActivity(
                kind,
                g.id,
                day(f),
                f"Demo {kind.value.replace('_', ' ')}",
                6,
                money(30),
                link,
                p.chain,
            ),
            "demo",
        )
    stats["linkages"] += 1
    # family progress: two visits each for three households, one referral followed up
    visits.load_programme_scorecard(db, pid, json.dumps(GRID), day("0.05"), "demo")
    for mid, (first, later) in zip(m[:3], ANSWERS, strict=True):
        for f, answers in (("0.1", first), ("0.9", later)):
            visits.record_visit(
                db,
                pid,
                visits.NewVisit(mid, "demo-progress", day(f), "Demo agent", answers, 5, g.agent_id),
                until,
                "demo",
            )
            stats["visits"] += 1
    ref = visits.refer(
        db, pid, m[2], ReferralKind.HEALTH, "District health centre", day("0.1"), actor="demo"
    )
    visits.follow_up_referral(db, ref, ReferralStatus.RESOLVED, day("0.2"), "treated", "demo")
    # health insurance: four members (one with two children), monthly premiums, one claim
    plan = insurance.create_plan(
        db,
        pid,
        {
            "name": PLAN_NAME,
            "premium": money(1),
            "dependant_premium": str(p.unit / 2),
            "period": "month",
            "cover_per_year": money(40),
            "waiting_days": 14,
            "subsidy": ["100", "66", "33"],
        },
        "demo",
    )
    kids = [
        insurance.Dependant("Child 1", "child", Sex.FEMALE, 2016),
        insurance.Dependant("Child 2", "child", Sex.MALE, 2019),
    ]
    enrolled = day("0.02")
    claimant = insurance.enrol(db, plan, m[0], enrolled, PaysFrom.CASH, kids, "demo")
    for mid in m[1:4]:
        insurance.enrol(db, plan, mid, enrolled, PaysFrom.CASH, (), "demo")
    stats["enrolments"] += 4
    month = (enrolled.replace(day=1) + timedelta(days=32)).replace(day=1)
    while month <= until:
        insurance.collect_premiums(db, plan, month, until, "demo")
        month = (month + timedelta(days=32)).replace(day=1)
    claim = insurance_claims.submit_claim(
        db,
        claimant,
        day("0.7"),
        money(1),
        "Clinic visit",
        until,
        submitted_on=day("0.7"),
        actor="demo-agent",
    )
    insurance_claims.approve_claim(db, claim, money(1), day("0.72"), "demo-manager")
    insurance_claims.pay_claim(db, claim, day("0.75"), "demo")
    # programme costs, one per stage over the whole demo period
    for stage, category, times in (
        (Stage.GROUPS, CostCategory.STAFF, 60),
        (Stage.TRAINING, CostCategory.TRAINING, 20),
        (Stage.CREDIT, CostCategory.STAFF, 15),
        (Stage.MARKETS, CostCategory.MATERIALS, 5),
    ):
        costs.record_cost(
            db,
            pid,
            CostLine(
                f"DEMO-{pid}-S{stage.value}",
                stage,
                category,
                g.formed_on,
                until,
                Money.of(money(times), g.currency),
            ),
            "demo",
        )
