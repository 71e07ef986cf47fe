"""The programme dashboard, its exports and /api/v1/metrics on the hand-made impact data
set: the numbers are the impact report's, a donor sees her scope's figures and never a
name or a phone."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import branch, enterprise, job, member, membership
from kuza.domain.access import Role
from kuza.domain.groups import Sex
from kuza.reports.impact import impact_report
from kuza.services import enterprises, groups, programmes, users
from kuza.services.donor_scope import set_donor_scope
from kuza.web.i18n import gettext_for
from kuza.web.metrics_text import value_text
from tests.reports.test_impact import MARCH, build
from tests.web.conftest import PASSWORD, login

pytestmark = pytest.mark.storage
PERIOD = "from=2026-03-01&to=2026-03-31"
PHONE = "+254700111222"
VALUE = re.compile(r'data-code="([a-z0-9_]+)">([^<]*)<')
ROWS = re.compile(r'/dashboard/rows/([a-z0-9_]+)\?[^"]*">(\d+) rows? behind it')


@dataclass
class Impact:
    programme_id: int
    branch_id: int
    dairy_id: int


@pytest.fixture
def impact(db: Database) -> Impact:
    return make_impact(db)


def make_impact(db: Database) -> Impact:
    """The impact hand check's data set, one more member with a phone, a value chain with
    no enterprise, and a login for every role (donors of the whole programme, of its
    branch, of the dairy chain)."""
    pid = build(db)
    with db.read() as conn:
        bid = conn.execute(select(branch.c.id).where(branch.c.programme_id == pid)).scalar_one()
        group_id = conn.execute(select(membership.c.group_id).limit(1)).scalar_one()
    groups.enrol_member(
        db,
        group_id,
        groups.NewMember("Nyokabi Wambui", Sex.FEMALE, 3, True, phone=PHONE),
        date(2026, 1, 5),
    )
    dairy = enterprises.add_value_chain(db, pid, "dairy", "Dairy")
    agent = programmes.create_agent(db, pid, bid, "Agent A")
    for name, role, extra in [
        ("admin", Role.ADMIN, {}),
        ("manager", Role.COUNTRY_MANAGER, {"programme_id": pid}),
        ("finance", Role.FINANCE, {"programme_id": pid}),
        ("branch", Role.BRANCH_MANAGER, {"programme_id": pid, "branch_id": bid}),
        ("agent", Role.FIELD_AGENT, {"programme_id": pid, "agent_id": agent}),
        ("donor", Role.DONOR, {"programme_id": pid}),
        ("donorb", Role.DONOR, {"programme_id": pid}),
        ("donorv", Role.DONOR, {"programme_id": pid}),
    ]:
        uid = users.create_user(db, users.NewUser(name, role, PASSWORD, **extra))
        if name == "donorb":
            set_donor_scope(db, uid, branch_ids=[bid])
        if name == "donorv":
            set_donor_scope(db, uid, value_chain_ids=[dairy])
    return Impact(pid, bid, dairy)


def _shown(html: str) -> dict[str, str]:
    return dict(VALUE.findall(html))


@pytest.mark.parametrize("who", ["manager", "finance", "admin"])
def test_dashboard_numbers_are_the_impact_report(
    client: TestClient, impact: Impact, db: Database, who: str
) -> None:
    login(client, who)
    page = client.get(f"/dashboard?{PERIOD}")
    assert page.status_code == 200
    report = impact_report(db, impact.programme_id, *MARCH)
    en = gettext_for("en")
    expected = {m.code: value_text(m, "en", en) for m in report.metrics}
    assert _shown(page.text) == expected
    assert _shown(page.text)["cost_per_job"] == "625.25 KES"
    assert "Jobs whose &#39;created&#39; event happened in the period" in page.text
    assert page.text.count("<svg") == 3  # month, branch, value chain
    assert 'href="/dashboard/rows/jobs_created?' in page.text
    # the page reads figures only, yet says how many rows the full report lists
    rows = dict(ROWS.findall(page.text))
    counted = {m.code: str(len(m.sources)) for m in report.metrics if m.sources}
    del counted["savings_mobilised"]  # not counted: the link alone
    assert rows == counted
    assert re.search(r'rows/savings_mobilised\?[^"]*">The rows behind it<', page.text)


def test_the_charts_add_up_to_the_jobs_created(client: TestClient, impact: Impact) -> None:
    login(client, "manager")
    page = client.get("/dashboard?from=2026-01-01&to=2026-03-31").text
    assert _shown(page)["jobs_created"] == "3"  # Wanjiru's February job counts now
    assert page.count("<svg") == 3
    month = page.split('id="chart-month-title"')[1].split("</figure>")[0]
    rows = re.findall(r'<th scope="row">([^<]+)</th><td class="num">(\d+)</td>', month)
    assert rows == [("2026-01", "0"), ("2026-02", "1"), ("2026-03", "2")]
    branch_chart = page.split('id="chart-branch-title"')[1].split("</figure>")[0]
    assert re.findall(r'<th scope="row">([^<]+)</th><td class="num">(\d+)</td>', branch_chart) == [
        ("Thika", "3")
    ]


def test_rows_behind_a_figure(client: TestClient, impact: Impact, db: Database) -> None:
    login(client, "manager")
    page = client.get(f"/dashboard/rows/enterprises_active?{PERIOD}")
    assert page.status_code == 200
    with db.read() as conn:
        ids = sorted(conn.execute(select(enterprise.c.id)).scalars())
    for i in ids:
        assert f'<a href="/enterprises/{i}">{i}</a>' in page.text
    assert client.get(f"/dashboard/rows/nonsense?{PERIOD}").status_code == 404


def test_csv_and_xlsx_downloads_read_back(client: TestClient, impact: Impact) -> None:
    login(client, "manager")
    r = client.get(f"/dashboard/impact.csv?{PERIOD}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = {row["code"]: row for row in csv.DictReader(io.StringIO(r.text))}
    assert Decimal(rows["cost_per_job"]["value"]) == Decimal("625.25")
    assert rows["jobs_created"]["sources"].startswith("job_event:")
    x = client.get(f"/dashboard/impact.xlsx?{PERIOD}")
    assert x.status_code == 200
    book = load_workbook(io.BytesIO(x.content), read_only=True)
    values = [list(v) for v in book["impact"].iter_rows(values_only=True)]
    by_code = {v[0]: dict(zip(values[0], v, strict=True)) for v in values[1:]}
    assert Decimal(str(by_code["savings_mobilised"]["value"])) > 0
    assert Decimal(str(by_code["jobs_created"]["value"])) == 2
    assert client.get("/dashboard/impact.csv?from=bad").status_code == 422


def test_bad_period_names_the_field(client: TestClient, impact: Impact) -> None:
    login(client, "manager")
    r = client.get("/dashboard?from=2026-13-01")
    assert r.status_code == 422
    assert 'id="period-from" name="from" value="2026-13-01"' in r.text
    assert 'aria-invalid="true"' in r.text
    r = client.get("/dashboard?from=2026-03-31&to=2026-03-01")
    assert r.status_code == 422 and "the end date is before the start date" in r.text


def test_the_api_gives_the_same_figures(client: TestClient, impact: Impact, db: Database) -> None:
    token = client.post(
        "/api/v1/auth/token", json={"username": "manager", "password": PASSWORD}
    ).json()["access_token"]
    r = client.get(f"/api/v1/metrics?{PERIOD}", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    body = r.json()
    report = impact_report(db, impact.programme_id, *MARCH)
    got = {m["code"]: m["value"] for m in body["items"]}
    assert got == {m.code: None if m.value is None else str(m.value) for m in report.metrics}
    assert body["scope"]["whole_programme"] is True and body["total"] == len(report.metrics)


def _personal(db: Database) -> list[str]:
    with db.read() as conn:
        names = list(conn.execute(select(member.c.name)).scalars())
        workers = [w for w in conn.execute(select(job.c.worker_name)).scalars() if w]
    return [*names, *workers, PHONE]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href and href.startswith("/") and not href.startswith("//"):
            self.links.append(href)


@pytest.mark.parametrize("donor", ["donor", "donorb", "donorv"])
def test_a_donor_never_sees_personal_data(
    client: TestClient, impact: Impact, db: Database, donor: str
) -> None:
    personal = _personal(db)
    assert "Otieno" in personal and "Ken" in personal
    login(client, donor)
    seen: dict[str, str] = {}
    todo = ["/", f"/dashboard?{PERIOD}", "/dashboard", "/groups", "/admin/audit"]
    while todo and len(seen) < 60:
        path = todo.pop()
        if path in seen:
            continue
        r = client.get(path)
        seen[path] = r.text if r.status_code < 400 else ""
        if r.headers.get("content-type", "").startswith("text/html"):
            parser = _Links()
            parser.feed(r.text)
            todo += [p for p in parser.links if p not in seen and not p.startswith("/static")]
    xlsx = client.get(f"/dashboard/impact.xlsx?{PERIOD}")
    book = load_workbook(io.BytesIO(xlsx.content), read_only=True)
    cells = " ".join(
        str(c) for s in book.worksheets for row in s.iter_rows(values_only=True) for c in row
    )
    client.cookies.clear()
    token = client.post(
        "/api/v1/auth/token", json={"username": donor, "password": PASSWORD}
    ).json()["access_token"]
    api = client.get(f"/api/v1/metrics?{PERIOD}", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200
    texts = [*seen.values(), cells, api.text]
    leaks = [p for p in personal for t in texts if p in t]
    assert leaks == []
    assert all(m["sources"] == [] for m in api.json()["items"])
    assert seen.get(f"/dashboard?{PERIOD}")
    assert seen["/groups"] == "" and seen["/admin/audit"] == ""
    assert not any(p.startswith("/dashboard/rows") for p in seen)
    assert client.get(f"/dashboard/rows/jobs_created?{PERIOD}").status_code in (303, 404)


def test_a_donor_sees_only_her_funded_scope(client: TestClient, impact: Impact) -> None:
    login(client, "donorb")
    page = client.get(f"/dashboard?{PERIOD}").text
    shown = _shown(page)
    assert "Figures of the funded scope only." in page and "Branches: Thika." in page
    assert shown["jobs_created"] == "2"
    assert shown["programme_costs"] == "0.00 KES"  # the costs were booked to no branch
    assert "savings_mobilised" not in shown  # not cut by branch: not shown
    client.cookies.clear()
    login(client, "donorv")
    shown = _shown(client.get(f"/dashboard?{PERIOD}").text)
    assert shown["jobs_created"] == "0"  # no enterprise in the dairy chain
    assert "members_reached" not in shown and "cost_per_job" not in shown


def test_field_agents_have_no_dashboard(client: TestClient, impact: Impact) -> None:
    login(client, "agent")
    assert client.get("/dashboard").status_code == 403
    login(client, "branch")
    page = client.get(f"/dashboard?{PERIOD}")
    assert page.status_code == 200 and "Branches: Thika." in page.text
