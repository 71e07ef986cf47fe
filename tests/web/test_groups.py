"""The groups list and a group's page, as each role sees them."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import Org, login

pytestmark = pytest.mark.storage


@pytest.mark.parametrize(
    ("username", "sees"),
    [
        ("admin", {"Umoja", "Tumaini"}),
        ("manager", {"Umoja", "Tumaini"}),
        ("branch", {"Umoja", "Tumaini"}),
        ("agent", {"Umoja"}),
        ("agentb", {"Tumaini"}),
    ],
)
def test_groups_list_is_scoped(client: TestClient, org: Org, username: str, sees: set[str]) -> None:
    login(client, username)
    page = client.get("/groups").text
    assert {name for name in ("Umoja", "Tumaini") if name in page} == sees


def test_group_page_shows_members_fund_and_next_meeting(client: TestClient, org: Org) -> None:
    login(client, "agent")
    page = client.get(f"/groups/{org.world.group_id}")
    assert page.status_code == 200
    for i in range(3):
        assert f"Member {i}" in page.text
    assert "Fund cash" in page.text
    assert "0.00 KES" in page.text
    assert "2026-02-09" in page.text  # next weekly meeting after TODAY (a meeting day)


def test_agent_cannot_see_another_agents_group(client: TestClient, org: Org) -> None:
    login(client, "agent")
    hidden = client.get(f"/groups/{org.other_group_id}")
    missing = client.get("/groups/999999")
    assert hidden.status_code == missing.status_code == 404
    assert "Tumaini" not in hidden.text
    assert client.get(f"/groups/{org.other_group_id}/meetings/new").status_code == 404


def test_donor_sees_no_group_pages(client: TestClient, org: Org) -> None:
    login(client, "donor")
    assert client.get("/").status_code == 200
    assert client.get("/groups").status_code == 404
    assert client.get(f"/groups/{org.world.group_id}").status_code == 404
    assert client.get(f"/groups/{org.world.group_id}/meetings/new").status_code == 404


def test_page_text_is_escaped(client: TestClient, org: Org, db: object) -> None:
    from kuza.adapters.db.schema import savings_group

    with db.transaction() as conn:  # type: ignore[attr-defined]
        conn.execute(
            savings_group.update()
            .where(savings_group.c.id == org.world.group_id)
            .values(name="<script>alert(1)</script>")
        )
    login(client, "admin")
    page = client.get("/groups").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
