"""Stored codes (enum values) are shown as words in the page's language: sex as woman /
man, not F / M; 'full_time' as 'full time' or 'temps plein', never with underscores."""

from __future__ import annotations

import re
from enum import StrEnum

import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from sqlalchemy import select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import audit_log, enterprise
from kuza.domain.enterprises import EnterpriseStatus
from kuza.domain.groups import Sex
from kuza.domain.jobs import JobEventKind, JobRole, VerificationMethod, WorkTime
from kuza.domain.markets import MarketActivityKind
from kuza.domain.visits import ReferralKind, ReferralStatus
from kuza.reports.impact import impact_report
from kuza.web.i18n import (
    AUDIT_ACTIONS,
    CODE_WORDS,
    RECORDS,
    TRANSLATIONS,
    format_code,
    format_record,
)
from tests.reports.test_impact import MARCH
from tests.web.conftest import Org, csrf_of, login
from tests.web.test_dashboard import PERIOD, make_impact

SHOWN_AS_WORDS: tuple[type[StrEnum], ...] = (
    Sex,
    EnterpriseStatus,
    JobRole,
    JobEventKind,
    WorkTime,
    VerificationMethod,
    MarketActivityKind,
    ReferralKind,
    ReferralStatus,
)
CODES = [v for enum in SHOWN_AS_WORDS for v in enum]


@pytest.mark.parametrize("code", CODES, ids=str)
def test_every_code_shown_has_an_english_word_and_a_french_one(code: StrEnum) -> None:
    english = format_code(code, "en")
    assert "_" not in english and len(english) > 1
    with (TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        french = {m.id: m.string for m in read_po(f) if m.id}
    assert french.get(CODE_WORDS.get(code.value, code.value)), f"no French for {code!r}"
    assert "_" not in format_code(code, "fr")


def test_words_are_the_forms_words() -> None:
    assert [format_code(s, "en") for s in Sex] == ["woman", "man", "other"]
    assert [format_code(s, "fr") for s in Sex] == ["femme", "homme", "autre"]
    assert format_code(WorkTime.FULL_TIME, "en") == "full time"
    assert format_code(WorkTime.FULL_TIME, "fr") == "temps plein"
    assert format_code("<b>not_a_code</b>", "en") == "<b>not a code</b>"  # a str: escaped


def _cell(html: str, label: str) -> list[str]:
    return re.findall(rf'data-label="{label}">([^<]*)</td>', html)


@pytest.mark.storage
def test_member_and_group_pages_say_woman_not_f(client: TestClient, org: Org) -> None:
    login(client, "agent")
    group = client.get(f"/groups/{org.world.group_id}")
    assert _cell(group.text, "Sex") == ["woman"] * 3
    member = client.get(f"/members/{org.world.member_ids[0]}").text
    assert "<dd>woman</dd>" in member and "<dd>F</dd>" not in member
    client.post(
        "/locale",
        data={"csrf_token": csrf_of(group.text), "locale": "fr", "next": "/groups"},
    )
    assert _cell(client.get(f"/groups/{org.world.group_id}").text, "Sexe") == ["femme"] * 3
    assert "<dd>femme</dd>" in client.get(f"/members/{org.world.member_ids[0]}").text


@pytest.mark.storage
def test_the_enterprise_page_says_part_time_not_part_time_code(
    client: TestClient, db: Database
) -> None:
    make_impact(db)
    with db.read() as conn:
        eid = conn.execute(select(enterprise.c.id).order_by(enterprise.c.id)).scalars().first()
    login(client, "branch")
    page = client.get(f"/enterprises/{eid}")
    r = client.post(
        f"/enterprises/{eid}/jobs",
        data={"csrf_token": csrf_of(page.text), "role": "employee", "on": "2026-02-01",
              "hours_per_week": "20", "worker_name": "Achieng", "worker_sex": "F"},
    )  # fmt: skip
    assert r.status_code == 303
    page = client.get(f"/enterprises/{eid}")
    assert "part time" in page.text and "agent visit" in page.text
    assert not re.search(r">[^<]*\b[a-z]+_[a-z]+\b[^<]*<", page.text), "a code with _ shown"


def _french() -> dict[str, str]:
    with (TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return {str(m.id): str(m.string) for m in read_po(f) if m.id}


@pytest.mark.storage
def test_record_kinds_and_audit_actions_have_words_in_both_languages(db: Database) -> None:
    """Every kind of record and every action the impact data set's audit rows name (and
    every record behind its figures) is a word in English and French, not a table name."""
    pid = make_impact(db).programme_id
    with db.read() as conn:
        done = conn.execute(select(audit_log.c.action, audit_log.c.object_kind).distinct()).all()
    kinds = {kind for _, kind in done} | {
        s.partition(":")[0] for m in impact_report(db, pid, *MARCH).metrics for s in m.sources
    }
    french = _french()
    assert kinds - set(RECORDS) == set()
    assert {k for k in RECORDS if not french.get(RECORDS[k])} == set()
    assert {a for a, _ in done} - set(AUDIT_ACTIONS) == set()
    assert [a for a in AUDIT_ACTIONS if not french.get(a)] == []
    assert format_record("job_event", "en") == "Job event"
    assert format_record("job_event", "fr") == "Événement d'emploi"
    assert format_code("enter_stage", "en") == "enter stage"


@pytest.mark.storage
def test_dashboard_rows_and_audit_log_name_records_not_tables(
    client: TestClient, db: Database
) -> None:
    make_impact(db)
    login(client, "manager")
    page = client.get(f"/dashboard/rows/jobs_created?{PERIOD}")
    cells = re.findall(r'<th scope="row" data-label="Record">([^<]*)</th>', page.text)
    assert cells and set(cells) == {"Job event"}
    client.post("/locale", data={"csrf_token": csrf_of(page.text), "locale": "fr", "next": "/"})
    page = client.get(f"/dashboard/rows/enterprises_active?{PERIOD}")
    cells = re.findall(r'<th scope="row" data-label="Enregistrement">([^<]*)</th>', page.text)
    assert cells and set(cells) == {"Entreprise"}
    assert "enterprise" not in cells and "job_event" not in page.text
    client.cookies.clear()
    login(client, "admin")
    token = csrf_of(client.get("/admin/audit").text)
    client.post("/locale", data={"csrf_token": token, "locale": "fr", "next": "/"})
    audit = client.get("/admin/audit").text
    assert "créer · Compte utilisateur" in audit and "user_account" not in audit
    assert "créer · Entreprise" in audit
