"""The dashboard page and /api/v1/metrics serve the whole programme's figures as the last
close-day left them by default, say so (in French too), and compute now with ?live=1, for
a period, or for a narrowed scope; before any close-day they compute now."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import membership
from kuza.domain.groups import Sex
from kuza.reports.dashboard import Scope, dashboard
from kuza.reports.dashboard_snapshot import write_snapshots
from kuza.services import groups
from kuza.services.loans.close_day import close_day
from kuza.web.i18n import gettext_for
from kuza.web.metrics_text import value_text
from tests.web.conftest import PASSWORD, TODAY, csrf_of, login
from tests.web.test_dashboard import PERIOD, VALUE, Impact, make_impact

pytestmark = pytest.mark.storage
NOTE = "Figures as of the close of"


@pytest.fixture
def impact(db: Database) -> Impact:
    return make_impact(db)


def _closed(db: Database) -> None:
    close_day(db, TODAY, "test", (write_snapshots,))


def _join(db: Database) -> None:
    """A member enrolled after close-day, in the period it closed."""
    with db.read() as conn:
        group_id = conn.execute(select(membership.c.group_id).limit(1)).scalar_one()
    groups.enrol_member(
        db, group_id, groups.NewMember("Late Comer", Sex.FEMALE, 3, True), date(2026, 1, 10)
    )


def _token(client: TestClient, who: str = "manager") -> dict[str, str]:
    r = client.post("/api/v1/auth/token", json={"username": who, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_the_page_shows_the_last_close_days_figures_until_asked_to_compute(
    client: TestClient, impact: Impact, db: Database
) -> None:
    login(client, "manager")
    before = client.get("/dashboard")
    assert before.status_code == 200 and NOTE not in before.text  # no close-day yet: live
    _closed(db)
    board = dashboard(db, Scope(impact.programme_id), None, TODAY, figures_only=True)
    en = gettext_for("en")
    expected = {m.code: value_text(m, "en", en) for m in board.report.metrics}
    page = client.get("/dashboard")
    assert dict(VALUE.findall(page.text)) == expected
    assert NOTE in page.text and 'href="/dashboard?live=1"' in page.text
    _join(db)
    reached = expected["members_reached"]
    assert dict(VALUE.findall(client.get("/dashboard").text))["members_reached"] == reached
    now = client.get("/dashboard?live=1")
    assert now.status_code == 200 and NOTE not in now.text
    assert int(dict(VALUE.findall(now.text))["members_reached"]) == int(reached) + 1
    # a period asked is computed now, even one ending on the closed day
    asked = client.get(f"/dashboard?from={board.report.start}&to={TODAY}")
    assert NOTE not in asked.text
    assert int(dict(VALUE.findall(asked.text))["members_reached"]) == int(reached) + 1


def test_the_admin_link_keeps_the_programme_and_a_branch_computes_now(
    client: TestClient, impact: Impact, db: Database
) -> None:
    _closed(db)
    login(client, "admin")
    page = client.get(f"/dashboard?programme={impact.programme_id}")
    assert NOTE in page.text
    assert f'href="/dashboard?live=1&amp;programme={impact.programme_id}"' in page.text
    client.cookies.clear()
    login(client, "branch")
    assert NOTE not in client.get("/dashboard").text  # a narrowed scope: live


def test_the_note_in_french(client: TestClient, impact: Impact, db: Database) -> None:
    _closed(db)
    login(client, "manager")
    page = client.get("/dashboard")
    r = client.post(
        "/locale", data={"csrf_token": csrf_of(page.text), "locale": "fr", "next": "/dashboard"}
    )
    assert r.status_code == 303
    page = client.get("/dashboard")
    assert '<html lang="fr">' in page.text
    assert 'Chiffres à la clôture du <time datetime="2026-02-02">2 févr. 2026</time>' in page.text
    assert "calculer maintenant" in page.text and NOTE not in page.text


def test_the_api_says_as_of_and_live(client: TestClient, impact: Impact, db: Database) -> None:
    auth = _token(client)
    first = client.get("/api/v1/metrics", headers=auth).json()
    assert (first["as_of"], first["live"]) == (None, True)
    _closed(db)
    _join(db)
    stored = client.get("/api/v1/metrics", headers=auth).json()
    assert (stored["as_of"], stored["live"]) == (TODAY.isoformat(), False)
    assert all(m["sources"] == [] for m in stored["items"])
    now = client.get("/api/v1/metrics?live=1", headers=auth).json()
    assert (now["as_of"], now["live"]) == (None, True)
    values = {m["code"]: m["value"] for m in stored["items"]}
    live = {m["code"]: m["value"] for m in now["items"]}
    assert int(live["members_reached"]) == int(values["members_reached"]) + 1
    assert any(m["sources"] for m in now["items"])
    period = client.get(f"/api/v1/metrics?{PERIOD}", headers=auth).json()
    assert (period["as_of"], period["live"]) == (None, True)
