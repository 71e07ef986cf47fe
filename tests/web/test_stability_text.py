"""A group's stability reasons in the reader's language: worded at the edge from the
grade's values (the domain builds no sentence), English as it always read, French with
French numbers; the group page and the API say the same."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import meeting
from kuza.domain.money import Money
from kuza.domain.stability import Component, StabilityPolicy, grade_stability
from kuza.services import users
from kuza.services.meetings import post_meeting
from kuza.web import stability_text
from kuza.web.i18n import translations
from tests.domain.test_stability import DEFAULT, EXAMPLE
from tests.factories import FORMED, sheet
from tests.web.conftest import PASSWORD, TODAY, Org, login

NB = "\xa0"  # French puts a no-break space before the percent sign


def test_english_reasons_read_as_they_always_did() -> None:
    assert stability_text.reasons(grade_stability(EXAMPLE, DEFAULT), "en") == [
        "meeting regularity 100% ≥ 80%",
        "attendance 62% < 75%",
        "savings regularity 90% ≥ 80%",
        "internal lending 40%",
        "on-time repayment 95% ≥ 90%",
        "bookkeeping 75% of meetings posted within 7 days",
        "score 78.8 ≥ pass mark 75; below the minimum: attendance",
    ]
    young = replace(EXAMPLE, lent=Money.of("0", "KES"), on_time_repayment=None)
    said = stability_text.reasons(grade_stability(young, DEFAULT), "en")
    assert said[3:5] == [
        "internal lending 0% (no internal loans yet)",
        "on-time repayment not applicable: no loan instalment is due yet, so its 15 points "
        "are shared among the other components",
    ]
    policy = StabilityPolicy.from_settings(
        {"stability": {"pass_mark": 80, "posting_days": 14, "minimums": {"bookkeeping": 82.5}}}
    )
    said = stability_text.reasons(grade_stability(EXAMPLE, policy), "en")
    assert said[5] == "bookkeeping 91% ≥ 82.5% of meetings posted within 14 days"
    assert said[6] == "score 81.3 ≥ pass mark 80; below the minimum: attendance"
    # 85.0 keeps its decimal; under the pass mark without a minimum missed
    strict = StabilityPolicy.from_settings({"stability": {"pass_mark": 85, "minimums": {}}})
    loose = replace(EXAMPLE, present=255)  # attendance 85%: 20+12.75+18+6+14.25+11.25 = 82.25
    assert stability_text.verdict(grade_stability(loose, strict), "en") == (
        "score 82.3 < pass mark 85"
    )


def test_french_reasons_with_french_numbers() -> None:
    grade = grade_stability(EXAMPLE, DEFAULT)
    assert stability_text.reasons(grade, "fr") == [
        f"régularité des réunions 100{NB}% ≥ 80{NB}%",
        f"assiduité 62{NB}% < 75{NB}%",
        f"régularité de l'épargne 90{NB}% ≥ 80{NB}%",
        f"prêts internes 40{NB}%",
        f"remboursement à temps 95{NB}% ≥ 90{NB}%",
        f"tenue des livres 75{NB}% des réunions saisies dans les 7 jours",
        "score 78,8 ≥ note de passage 75 ; sous le minimum : assiduité",
    ]
    young = replace(EXAMPLE, lent=Money.of("0", "KES"), on_time_repayment=None)
    said = stability_text.reasons(grade_stability(young, DEFAULT), "fr")
    assert said[3:5] == [
        f"prêts internes 0{NB}% (pas encore de prêt interne)",
        "remboursement à temps sans objet : aucune échéance de prêt n'est encore due, ses 15 "
        "points sont donc répartis entre les autres composantes",
    ]
    policy = StabilityPolicy.from_settings({"stability": {"minimums": {"bookkeeping": 82.5}}})
    said = stability_text.reasons(grade_stability(EXAMPLE, policy), "fr")
    assert said[5] == f"tenue des livres 75{NB}% < 82,5{NB}% des réunions saisies dans les 7 jours"
    assert said[6] == (
        "score 78,8 ≥ note de passage 75 ; sous le minimum : assiduité, tenue des livres"
    )


def test_every_component_label_is_in_the_french_catalogue() -> None:
    assert set(stability_text.LABELS) == {c.label for c in Component}
    french = translations("fr")
    assert all(french.gettext(c.label) != c.label for c in Component)


def _history(db: Database, org: Org) -> None:
    """4 of the 5 meetings scheduled by TODAY held, each posted the next day; member 2
    absent twice (10 of 12 present), member 1 paying 50 of the 100 once; no loans."""
    w = org.world
    held = [FORMED + timedelta(weeks=i) for i in range(4)]
    for i, day in enumerate(held):
        lines: dict[str, dict[str, object]] = {}
        if i in (1, 2):
            lines["m2"] = {"present": False}
        if i == 3:
            lines["m1"] = {"compulsory": "50"}
        post_meeting(db, sheet(w, day, **lines), "agent", TODAY)
    with db.transaction() as conn:
        for day in held:
            posted = datetime(day.year, day.month, day.day, 18) + timedelta(days=1)
            conn.execute(
                update(meeting)
                .where(meeting.c.group_id == w.group_id, meeting.c.held_on == day)
                .values(posted_at=posted)
            )


# 4/5 meetings, 10/12 present, 9/12 paid in full (absent pays nothing), lending 0,
# repayment n/a, all posted in time: (16 + 12.5 + 15 + 0 + 15) / 85 = 68.8 → C.
ENGLISH = [
    "meeting regularity 80% ≥ 80%",
    "attendance 83% ≥ 75%",
    "savings regularity 75% < 80%",
    "internal lending 0% (no internal loans yet)",
    "on-time repayment not applicable: no loan instalment is due yet, so its 15 points are "
    "shared among the other components",
    "bookkeeping 100% of meetings posted within 7 days",
    "score 68.8 < pass mark 75; below the minimum: savings regularity",
]
FRENCH = [
    f"régularité des réunions 80{NB}% ≥ 80{NB}%",
    f"assiduité 83{NB}% ≥ 75{NB}%",
    f"régularité de l'épargne 75{NB}% < 80{NB}%",
    f"prêts internes 0{NB}% (pas encore de prêt interne)",
    "remboursement à temps sans objet : aucune échéance de prêt n'est encore due, ses 15 points "
    "sont donc répartis entre les autres composantes",
    f"tenue des livres 100{NB}% des réunions saisies dans les 7 jours",
    "score 68,8 < note de passage 75 ; sous le minimum : régularité de l'épargne",
]


def _listed(html: str) -> list[str]:
    block = html[html.index('<ul id="stability-reasons">') :]
    block = block[: block.index("</ul>")]
    return [unescape(li.split("</li>")[0]) for li in block.split("<li>")[1:]]


@pytest.mark.storage
def test_the_group_page_words_the_grade_in_the_users_language(
    client: TestClient, org: Org, db: Database
) -> None:
    _history(db, org)
    login(client, "agent")
    page = client.get(f"/groups/{org.world.group_id}").text
    assert _listed(page) == ENGLISH
    assert "score 68.8 of 100" in page
    agent = users.authenticate(db, "agent", PASSWORD)
    users.set_locale(db, agent.user_id, "fr")
    page = client.get(f"/groups/{org.world.group_id}").text
    assert _listed(page) == FRENCH
    assert "score de 68,8 sur 100" in page


@pytest.mark.storage
def test_the_api_gives_the_components_and_their_reasons_in_the_callers_language(
    client: TestClient, org: Org, db: Database
) -> None:
    _history(db, org)
    r = client.post("/api/v1/auth/token", json={"username": "agent", "password": PASSWORD})
    auth = {"Authorization": f"Bearer {r.json()['access_token']}"}
    url = f"/api/v1/groups/{org.world.group_id}/stability"
    english = client.get(url, headers=auth).json()
    assert english["reasons"] == ENGLISH and english["verdict"] == ENGLISH[-1]
    assert (english["score"], english["pass_mark"], english["passed"]) == ("68.8", "75", False)
    assert (english["below_minimum"], english["posting_days"]) == (["savings"], 7)
    savings = english["components"][2]
    assert savings == {
        "component": "savings", "label": "savings regularity", "ratio": "0.75",
        "percent": "75", "weight": "20", "minimum": "0.80", "below_minimum": True,
        "note": None, "reason": ENGLISH[2],
    }  # fmt: skip
    assert [c["note"] for c in english["components"]] == [
        None, None, None, "no_internal_loans", "no_instalment_due", None,
    ]  # fmt: skip
    french = client.get(url, headers=auth | {"Accept-Language": "fr-FR,fr;q=0.9"}).json()
    assert french["reasons"] == FRENCH and french["verdict"] == FRENCH[-1]
    assert [c["reason"] for c in french["components"]] == FRENCH[:-1]
    assert french["components"][2]["label"] == "régularité de l'épargne"
    # the values do not change with the language
    strip = ("label", "reason")
    assert [{k: v for k, v in c.items() if k not in strip} for c in french["components"]] == [
        {k: v for k, v in c.items() if k not in strip} for c in english["components"]
    ]
    assert Decimal(french["score"]) == Decimal("68.8")
