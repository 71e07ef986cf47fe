"""Every list page shows a page of rows with links to the next ones, and only the rows of
the user's scope: a programme has tens of thousands of groups, an agent sees her own."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import pending_action
from kuza.domain.access import Role
from kuza.domain.calendar import Frequency
from kuza.domain.groups import Sex
from kuza.domain.markets import PartnerKind
from kuza.domain.visits import ReferralKind
from kuza.services import books, costs, enterprises, groups, markets, programmes, users, visits
from kuza.services.enterprises import NewEnterprise
from kuza.web.deps import PAGE_SIZE
from tests.factories import FORMED
from tests.web.conftest import PASSWORD, TODAY, Org, csrf_of, login

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


def _enterprises(db: Database, org: Org) -> tuple[set[str], str]:
    """51 enterprises of a member of agent A's group; one of a member of agent B's."""
    pid = org.world.programme_id
    owner = org.world.member_ids[0]
    mine = {
        str(
            enterprises.register_enterprise(
                db, pid, NewEnterprise(f"Duka {i:03}", [owner], "retail", TODAY)
            )
        )
        for i in range(PAGE_SIZE + 1)
    }
    other = groups.enrol_member(
        db,
        org.other_group_id,
        groups.NewMember("Other", Sex.FEMALE, household_size=2, literate=True),
        FORMED,
    )
    hidden = enterprises.register_enterprise(
        db, pid, NewEnterprise("Hidden", [other], "retail", TODAY)
    )
    return mine, str(hidden)


def _approvals(db: Database, org: Org) -> tuple[set[str], str]:
    """51 share-outs waiting on agent A's group; one on agent B's."""

    def waiting(group_id: int) -> str:
        with db.transaction() as conn:
            return str(
                conn.execute(
                    insert(pending_action)
                    .values(
                        programme_id=org.world.programme_id,
                        kind="share_out",
                        group_id=group_id,
                        payload={"group_id": group_id, "on": TODAY.isoformat()},
                        reason="",
                        status="pending",
                        made_by="agent",
                        made_at=datetime(2026, 2, 2, 9, tzinfo=UTC),
                    )
                    .returning(pending_action.c.id)
                ).scalar_one()
            )

    return {waiting(org.world.group_id) for _ in range(PAGE_SIZE + 1)}, waiting(org.other_group_id)


def _referrals(db: Database, org: Org) -> tuple[set[str], str]:
    """51 open referrals of a member of agent A's group; one of agent B's."""
    pid = org.world.programme_id
    mid = org.world.member_ids[0]
    for i in range(PAGE_SIZE + 1):
        visits.refer(db, pid, mid, ReferralKind.HEALTH, f"Clinic {i:03}", TODAY)
    other = groups.enrol_member(
        db,
        org.other_group_id,
        groups.NewMember("Other", Sex.FEMALE, household_size=2, literate=True),
        FORMED,
    )
    visits.refer(db, pid, other, ReferralKind.HEALTH, "Clinic 999", TODAY)
    return {f"{i:03}" for i in range(PAGE_SIZE + 1)}, "999"


def _partners(db: Database, org: Org) -> tuple[set[str], str]:
    """51 partners of the programme; one of another programme."""
    for i in range(PAGE_SIZE + 1):
        markets.add_partner(db, org.world.programme_id, f"Buyer {i:03}", PartnerKind.BUYER)
    other = programmes.create_programme(db, "XX", "Other", "KE", "KES")
    markets.add_partner(db, other, "Buyer 999", PartnerKind.BUYER)
    return {f"{i:03}" for i in range(PAGE_SIZE + 1)}, "999"


def _costs(db: Database, org: Org) -> tuple[set[str], str]:
    """51 costs of the programme; one of another programme."""
    head = "reference,stage,category,period_start,period_end,amount\n"
    rows = "".join(f"V{i:03},1,staff,2026-01-01,2026-01-31,10.00\n" for i in range(PAGE_SIZE + 1))
    costs.import_costs_csv(db, org.world.programme_id, head + rows)
    other = programmes.create_programme(db, "XX", "Other", "KE", "KES")
    costs.import_costs_csv(db, other, head + "V999,1,staff,2026-01-01,2026-01-31,10.00\n")
    return {f"{i:03}" for i in range(PAGE_SIZE + 1)}, "999"


LISTS = {  # path: (rows and the one out of scope, what marks a row, who looks)
    "/enterprises": (_enterprises, r'href="/enterprises/(\d+)"', "agent"),
    "/approvals": (_approvals, r'id="action-(\d+)"', "agent"),
    "/referrals": (_referrals, r">Clinic (\d{3})<", "agent"),
    "/market-partners": (_partners, r">Buyer (\d{3})<", "agent"),
    "/costs": (_costs, r">V(\d{3})<", "finance"),
}


@pytest.mark.parametrize("path", list(LISTS))
def test_capped_lists_are_paged_and_scoped(
    client: TestClient, org: Org, db: Database, path: str
) -> None:
    """51 rows in scope are two pages, every row on one of them; the row out of the
    user's scope (another agent's group, another programme) on neither."""
    make, mark, who = LISTS[path]
    if who == "finance":
        users.create_user(
            db,
            users.NewUser("finance", Role.FINANCE, PASSWORD, programme_id=org.world.programme_id),
        )
    mine, hidden = make(db, org)
    login(client, who)
    first, second = client.get(path), client.get(f"{path}?page=2")
    assert first.status_code == second.status_code == 200
    one, two = re.findall(mark, first.text), re.findall(mark, second.text)
    assert len(one) == PAGE_SIZE and len(two) == 1
    assert set(one) | set(two) == mine and hidden not in one + two
    assert "Page 1 of 2" in first.text and "Page 2 of 2" in second.text
    assert client.get(f"{path}?page=0").status_code == 422


@pytest.mark.parametrize("path", ["/costs", "/market-partners"])
def test_an_admins_page_links_keep_the_programme(
    client: TestClient, org: Org, db: Database, path: str
) -> None:
    make, mark, _who = LISTS[path]
    make(db, org)
    pid = org.world.programme_id
    login(client, "admin")
    first = client.get(f"{path}?programme={pid}").text
    assert f'href="{path}?programme={pid}&amp;page=2"' in first
    second = client.get(f"{path}?programme={pid}&page=2").text
    assert len(re.findall(mark, second)) == 1 and "999" not in second


def test_the_loan_funds_movements_are_paged(client: TestClient, org: Org, db: Database) -> None:
    """21 deposits: the latest 20 on the first page, the first one (7) alone on the
    second; another programme's fund (999) on neither."""
    pid = org.world.programme_id
    for i in range(21):
        books.deposit_to_loan_fund(db, pid, "7" if i == 0 else "10", TODAY, f"S{i}", "admin", TODAY)
    other = programmes.create_programme(db, "XX", "Other", "KE", "KES")
    books.deposit_to_loan_fund(db, other, "999", TODAY, "S999", "admin", TODAY)
    users.create_user(db, users.NewUser("finance", Role.FINANCE, PASSWORD, programme_id=pid))
    login(client, "finance")
    first, second = client.get("/books").text, client.get("/books?page=2").text
    amounts = re.compile(r'data-label="Amount" class="num">([\d.,]+) KES<')
    assert amounts.findall(first) == ["10.00"] * 20 and amounts.findall(second) == ["7.00"]
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
