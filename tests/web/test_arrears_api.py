"""The loan book's reports and the group grade over /api/v1, as the pages show them:
the arrears list and PAR/repayment rates from the last close-day (live when asked), and
a group's stability grade; scoped like the pages (an agent her groups, a donor none), on
both databases."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from kuza.adapters.db.engine import Database
from kuza.reports.arrears import current_portfolio
from kuza.services.loans.close_day import close_day
from kuza.services.stability import grade_group
from kuza.web import stability_text
from tests.web.conftest import PASSWORD, TODAY, Org
from tests.web.loan_setup import LoanBook, make_loan_book

pytestmark = pytest.mark.storage
API = "/api/v1"


@pytest.fixture
def book(db: Database, org: Org) -> LoanBook:
    return make_loan_book(db, org)


def bearer(client: TestClient, username: str) -> dict[str, str]:
    r = client.post(f"{API}/auth/token", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_arrears_list_from_the_last_close_day_scoped_like_the_page(
    client: TestClient, org: Org, book: LoanBook, db: Database
) -> None:
    manager = bearer(client, "manager")
    empty = client.get(f"{API}/arrears", headers=manager)
    assert empty.status_code == 200, empty.text
    assert (empty.json()["total"], empty.json()["items"]) == (0, [])  # no close-day yet
    close_day(db, TODAY, "system")
    for user in ("admin", "manager", "branch", "agent"):
        body = client.get(f"{API}/arrears", headers=bearer(client, user)).json()
        assert body["total"] == 1, (user, body)
        row = body["items"][0]
        assert (row["loan_id"], row["member_id"], row["group_id"]) == (
            book.active, org.world.member_ids[0], org.world.group_id,
        )  # fmt: skip
        # 4 weekly instalments of 100 from 19 January, none repaid: on 2 February three
        # are due, the first 14 days late
        assert (row["days_late"], row["bucket"], row["as_of"]) == (14, "PAR1", TODAY.isoformat())
        assert row["currency"] == "KES" and Decimal(row["principal_in_arrears"]) == 300
        assert Decimal(row["outstanding"]) == 400
    other = client.get(f"{API}/arrears", headers=bearer(client, "agentb")).json()
    assert (other["total"], other["items"]) == (0, [])  # not her group
    page = client.get(f"{API}/arrears?limit=1&offset=1", headers=manager).json()
    assert (page["total"], page["items"], page["limit"], page["offset"]) == (1, [], 1, 1)
    assert client.get(f"{API}/arrears", headers=bearer(client, "donor")).status_code == 403
    assert client.get(f"{API}/arrears?limit=500", headers=manager).status_code == 422
    assert client.get(f"{API}/arrears").status_code == 401


def test_portfolio_rates_of_the_close_day_or_live_and_scoped(
    client: TestClient, org: Org, book: LoanBook, db: Database
) -> None:
    close_day(db, TODAY, "system")
    manager = bearer(client, "manager")
    body = client.get(f"{API}/portfolio", headers=manager).json()
    assert body["live"] is False and len(body["items"]) == 1
    p = body["items"][0]
    want = current_portfolio(db, org.world.programme_id, "KES", TODAY)
    assert p["programme_id"] == org.world.programme_id and p["currency"] == "KES"
    assert (p["loans"], Decimal(p["gross"])) == (want.loans, want.gross.amount)
    assert {k: Decimal(v) for k, v in p["par"].items()} == want.par
    assert Decimal(p["par"]["PAR1"]) == 1 and Decimal(p["par"]["PAR30"]) == 0
    assert Decimal(p["on_time_rate"]) == want.on_time_rate == 0
    assert p["rates_from_close_day"] == TODAY.isoformat()
    live = client.get(f"{API}/portfolio?live=true", headers=manager).json()
    assert live["live"] is True and live["items"][0]["rates_from_close_day"] is None
    assert live["items"][0]["on_time_rate"] == p["on_time_rate"]  # nothing repaid since
    mine = client.get(f"{API}/portfolio", headers=bearer(client, "agentb")).json()["items"][0]
    assert (mine["loans"], Decimal(mine["gross"]), mine["on_time_rate"]) == (0, 0, None)
    admin = client.get(f"{API}/portfolio", headers=bearer(client, "admin")).json()
    assert [x["programme_id"] for x in admin["items"]] == [org.world.programme_id]
    assert client.get(f"{API}/portfolio", headers=bearer(client, "donor")).status_code == 403


def test_group_stability_grade_as_the_page_shows_it(
    client: TestClient, org: Org, book: LoanBook, db: Database
) -> None:
    gid = org.world.group_id
    agent = bearer(client, "agent")
    r = client.get(f"{API}/groups/{gid}/stability", headers=agent)
    assert r.status_code == 200, r.text
    g = r.json()
    want = grade_group(db, gid, TODAY)
    assert (g["grade"], Decimal(g["score"]), g["passed"]) == (
        want.grade.value, want.score, want.passed,
    )  # fmt: skip
    assert [c["component"] for c in g["components"]] == [
        "meetings", "attendance", "savings", "lending", "repayment", "bookkeeping",
    ]  # fmt: skip
    assert g["reasons"] == stability_text.reasons(want, "en") and g["as_of"] == TODAY.isoformat()
    assert g["meetings_scheduled"] == want.inputs.meetings_scheduled
    earlier = client.get(f"{API}/groups/{gid}/stability?as_of=2026-01-12", headers=agent).json()
    assert earlier["window_end"] == "2026-01-12" and earlier["meetings_scheduled"] == 2
    for query, field in (("as_of=2026-02-03", "as_of"), ("as_of=2025-01-01", "as_of")):
        bad = client.get(f"{API}/groups/{gid}/stability?{query}", headers=agent)
        assert bad.status_code == 422 and bad.json()["error"]["field"] == field, bad.text
    other = client.get(f"{API}/groups/{gid}/stability", headers=bearer(client, "agentb"))
    assert other.status_code == 404
    assert client.get(f"{API}/groups/99999/stability", headers=agent).status_code == 404
    donor = client.get(f"{API}/groups/{gid}/stability", headers=bearer(client, "donor"))
    assert donor.status_code == 403
