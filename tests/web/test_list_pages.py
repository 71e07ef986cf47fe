"""Every list page shows a page of rows with links to the next ones, and only the rows of
the user's scope: a programme has tens of thousands of groups, an agent sees her own."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from kuza.adapters.db.engine import Database
from kuza.domain.access import Role
from kuza.domain.calendar import Frequency
from kuza.services import groups, users
from kuza.web.deps import PAGE_SIZE
from tests.factories import FORMED
from tests.web.conftest import PASSWORD, Org, csrf_of, login

pytestmark = pytest.mark.storage

GROUP_LINK = re.compile(r'href="/(?:training/)?groups/(\d+)"')
ACCOUNT_LINK = re.compile(r'href="/admin/users/(\d+)"')


def _more_groups(db: Database, org: Org, count: int) -> list[int]:
    """``count`` more groups run by agent A ("Group 000" ...), all in the one branch."""
    return [
        groups.create_group(
            db,
            org.world.programme_id,
            groups.NewGroup(
                branch_id=org.world.branch_id,
                agent_id=org.agent_id,
                name=f"Group {i:03}",
                formed_on=FORMED,
                frequency=Frequency.WEEKLY,
                first_meeting_on=FORMED,
                compulsory_saving="100",
            ),
        )
        for i in range(count)
    ]


def _linked(html: str) -> list[int]:
    return [int(g) for g in GROUP_LINK.findall(html)]


@pytest.mark.parametrize("path", ["/groups", "/training"])
def test_group_lists_are_paged_and_scoped(
    client: TestClient, org: Org, db: Database, path: str
) -> None:
    """Agent A runs Umoja and 50 more (51): two pages, Tumaini (agent B's) on neither; an
    admin's 52 groups are two pages too; a page past the end shows no group."""
    mine = set(_more_groups(db, org, PAGE_SIZE)) | {org.world.group_id}
    login(client, "agent")
    first = client.get(path)
    second = client.get(f"{path}?page=2")
    assert first.status_code == second.status_code == 200
    one, two = _linked(first.text), _linked(second.text)
    assert len(one) == PAGE_SIZE and len(two) == 1
    assert set(one) | set(two) == mine and not set(one) & set(two)
    assert "Page 1 of 2" in first.text and f'href="{path}?page=2"' in first.text
    assert "Page 2 of 2" in second.text and f'href="{path}?page=1"' in second.text
    assert org.other_group_id not in one + two
    assert _linked(client.get(f"{path}?page=3").text) == []
    assert client.get(f"{path}?page=0").status_code == 422

    client.cookies.clear()
    login(client, "admin")
    seen = _linked(client.get(path).text) + _linked(client.get(f"{path}?page=2").text)
    assert set(seen) == mine | {org.other_group_id}


def test_a_short_group_list_has_no_page_links(client: TestClient, org: Org) -> None:
    login(client, "branch")
    page = client.get("/groups").text
    assert set(_linked(page)) == {org.world.group_id, org.other_group_id}
    assert "Page 1 of" not in page


def test_accounts_page_is_paged_and_a_row_form_keeps_its_page(
    client: TestClient, org: Org, db: Database
) -> None:
    """The org's 6 accounts and 50 more: two pages by username; deactivating one on page
    2 comes back to page 2, and a refusal there is shown beside its row."""
    for i in range(PAGE_SIZE):
        users.create_user(
            db,
            users.NewUser(f"zz{i:03}", Role.FINANCE, PASSWORD, programme_id=org.world.programme_id),
        )
    login(client, "admin")
    first, second = client.get("/admin/users").text, client.get("/admin/users?page=2").text
    one, two = ACCOUNT_LINK.findall(first), ACCOUNT_LINK.findall(second)
    assert len(one) == PAGE_SIZE and len(two) == 6 and not set(one) & set(two)
    assert "Page 2 of 2" in second and "zz049" in second and "zz049" not in first
    last = int(two[-1])
    token = csrf_of(second)
    done = client.post(
        f"/admin/users/{last}/active", data={"csrf_token": token, "active": "0", "page": "2"}
    )
    assert done.status_code == 303 and done.headers["location"] == "/admin/users?page=2"
    assert users.load_principal(db, last) is None
    bad = client.post(
        f"/admin/users/{last}/active", data={"csrf_token": token, "active": "x", "page": "2"}
    )
    assert bad.status_code == 422 and "Page 2 of 2" in bad.text
    assert 'role="alert">Choose active or not.</p>' in bad.text  # beside the row, on page 2
