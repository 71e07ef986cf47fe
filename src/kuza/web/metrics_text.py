"""The impact figures as people read them: a translated name and definition per metric
code, the dashboard's sections, and each value formatted per locale with its unit.

The definitions say the same as docs/impact.md and ``kuza.reports.impact``, shorter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from babel.numbers import format_decimal

from kuza.domain.metrics import Metric
from kuza.domain.money import Money
from kuza.web.i18n import N_, format_money

TEXTS: dict[str, tuple[str, str]] = {
    "jobs_created": (
        N_("Jobs created"),
        N_("Jobs whose 'created' event happened in the period and was verified; each job once."),
    ),
    "fte_created": (
        N_("Full-time equivalents created"),
        N_("Of the jobs created: full-time (35 hours a week or more) 1.0, part-time 0.5."),
    ),
    "jobs_grown": (
        N_("Jobs grown"),
        N_("Jobs with a verified 'grown' event in the period (more hours or income), once each."),
    ),
    "jobs_lost": (N_("Jobs lost"), N_("Jobs with a verified 'lost' event in the period.")),
    "net_fte": (N_("Net new full-time equivalents"), N_("Created + grown − lost FTE.")),
    "jobs_created_per_day": (
        N_("Jobs created per day"),
        N_("Jobs created ÷ days in the period."),
    ),
    "programme_costs": (
        N_("Programme costs"),
        N_("Costs recorded for periods ending in the period (staff, training, materials, "
           "overhead)."),
    ),
    "cost_per_job": (N_("Cost per job"), N_("All costs ÷ verified jobs created.")),
    "members_reached": (
        N_("Members reached"),
        N_("Members in a group at any time in the period."),
    ),
    "women_share": (N_("Women's share"), N_("Women ÷ members reached.")),
    "enterprises_active": (
        N_("Enterprises active"),
        N_("Enterprises with status active started by the end date."),
    ),
    "family_members_benefiting": (
        N_("Family members benefiting"),
        N_("Household size (latest check) of the enterprises with a job counted."),
    ),
    "savings_mobilised": (
        N_("Savings mobilised"),
        N_("Members' compulsory, voluntary and passbook savings held on the end date."),
    ),
    "training_completion": (
        N_("Training completion"),
        N_("Member and module pairs completed ÷ pairs taught, by the programme's rule."),
    ),
    "loans_disbursed": (N_("Loans disbursed"), N_("Loans (not grants) disbursed in the period.")),
    "loans_disbursed_amount": (
        N_("Amount disbursed"),
        N_("Principal of the loans disbursed in the period."),
    ),
    "repayment_rate": (
        N_("Repayment rate"),
        N_("Amount repaid on or before each due date ÷ amount fallen due by the end date; "
           "from the last close-day when the period reaches it."),
    ),
    "par30": (
        N_("Portfolio at risk over 30 days"),
        N_("Outstanding principal of loans more than 30 days late, plus rescheduled loans, "
           "÷ gross outstanding principal, from the last close-day."),
    ),
    "linkages_active": (
        N_("Market linkages active"),
        N_("Linkages with a buyer or supplier running at any time in the period."),
    ),
    "linkage_women": (
        N_("Women in market linkages"),
        N_("Distinct women members named on the active linkages."),
    ),
    "insurance_enrolled": (
        N_("Members insured"),
        N_("Enrolments in a health plan on the end date."),
    ),
    "insured_people": (
        N_("People covered"),
        N_("Insured members plus their dependants on the end date."),
    ),
    "household_score_change": (
        N_("Household score change"),
        N_("Mean of latest − first score per household visited at least twice."),
    ),
}  # fmt: skip
STAGE_NAME = N_("Cost per job, stage %(stage)s")
STAGE_DEFINITION = N_("Costs of stage %(stage)s ÷ verified jobs created.")

SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (N_("Jobs"), ("jobs_created", "fte_created", "jobs_grown", "jobs_lost", "net_fte",
                  "jobs_created_per_day")),
    (N_("Cost per job"), ("cost_per_job", "programme_costs", "cost_per_job_stage_1",
                          "cost_per_job_stage_2", "cost_per_job_stage_3",
                          "cost_per_job_stage_4")),
    (N_("Outreach"), ("members_reached", "women_share", "family_members_benefiting",
                      "enterprises_active")),
    (N_("Savings and credit"), ("savings_mobilised", "loans_disbursed", "loans_disbursed_amount",
                                "repayment_rate", "par30")),
    (N_("Training, family progress, markets and insurance"), (
        "training_completion", "household_score_change", "linkages_active", "linkage_women",
        "insurance_enrolled", "insured_people")),
)  # fmt: skip


@dataclass(frozen=True)
class Shown:
    code: str
    name: str
    definition: str
    value: str
    rows: int | None  # None: not counted (the figures-only report)


Gettext = Callable[..., str]


def value_text(m: Metric, locale: str, _: Gettext) -> str:
    if m.value is None:
        return "—"
    if m.unit == "percent":
        return f"{format_decimal(m.value, locale=locale)} %"
    if m.unit == "FTE":
        return f"{format_decimal(m.value, locale=locale)} FTE"
    if m.unit == "points":
        return str(_("%(value)s points", value=format_decimal(m.value, locale=locale)))
    if m.unit in ("count", "count/day"):
        return str(format_decimal(m.value, locale=locale))
    return format_money(Money.of(m.value, m.unit), locale)


def shown(m: Metric, locale: str, _: Gettext) -> Shown:
    if m.code in TEXTS:
        name, definition = TEXTS[m.code]
        name, definition = _(name), _(definition)
    elif m.code.startswith("cost_per_job_stage_"):
        stage = m.code.rsplit("_", 1)[1]
        name, definition = _(STAGE_NAME, stage=stage), _(STAGE_DEFINITION, stage=stage)
    else:
        name, definition = m.name, m.definition
    return Shown(m.code, str(name), str(definition), value_text(m, locale, _), m.row_count)


def sections(metrics: tuple[Metric, ...], locale: str, _: Gettext) -> list[tuple[str, list[Shown]]]:
    """The report's metrics in the dashboard's sections; a section left empty (a narrowed
    scope) is not shown. Metrics the sections do not name come last."""
    by_code = {m.code: m for m in metrics}
    placed: set[str] = set()
    out = []
    for title, codes in SECTIONS:
        items = [shown(by_code[c], locale, _) for c in codes if c in by_code]
        placed.update(codes)
        if items:
            out.append((str(_(title)), items))
    rest = [shown(m, locale, _) for m in metrics if m.code not in placed]
    if rest:
        out.append((str(_("Other figures")), rest))
    return out
