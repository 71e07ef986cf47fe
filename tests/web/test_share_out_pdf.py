"""A share-out's statement as a PDF, on the page and over the API, read back with pypdf:
each member's savings back, income share and payout are the share-out's, the payouts
add to the fund shared out, names are printed as typed; in English and French; refused
to a donor and to an agent who does not run the group."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import update

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import member, savings_group
from kuza.services.meetings import post_meeting
from kuza.services.shareout import ShareOutStatement, share_out, share_out_statement
from tests.factories import FORMED, sheet
from tests.web.conftest import PASSWORD, TODAY, Org, csrf_of, login

pytestmark = pytest.mark.storage
GROUP = "Umoja & N'Tumaini"
NAME = "Aïcha N'Diaye"


def _token(client: TestClient, username: str, language: str = "en") -> dict[str, str]:
    r = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}", "Accept-Language": language}


def _shared_out(db: Database, org: Org) -> ShareOutStatement:
    """Three weeks of savings with fines (income to share), then the share-out; the
    group and a member named with the characters HTML would escape."""
    w = org.world
    with db.transaction() as conn:
        conn.execute(
            update(savings_group).where(savings_group.c.id == w.group_id).values(name=GROUP)
        )
        conn.execute(update(member).where(member.c.id == w.member_ids[0]).values(name=NAME))
    fine = [{"amount": "7", "reason": "late"}]
    for week in range(3):
        day = FORMED + timedelta(weeks=week)
        post_meeting(db, sheet(w, day, m0={"voluntary": "150"}, m1={"fines": fine}), "agent", TODAY)
    sid = share_out(db, w.group_id, date(2026, 1, 26), "manager", TODAY).share_out_id
    return share_out_statement(db, sid)


def _text(body: bytes) -> str:
    assert body.startswith(b"%PDF-")
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)


def _lines(text: str, st: ShareOutStatement) -> dict[str, list[Decimal]]:
    """Each member's printed figures (savings, income, payout), and the total row's."""
    found: dict[str, list[Decimal]] = {}
    for line in text.splitlines():
        for label in [r.name for r in st.rows] + ["Total"]:
            if line.startswith(label + " "):
                found[label] = [Decimal(x) for x in line[len(label) :].split()[:3]]
    return found


def _check_figures(text: str, st: ShareOutStatement) -> None:
    lines = _lines(text, st)
    expected = {r.name: [r.savings.amount, r.income.amount, r.payout.amount] for r in st.rows}
    assert {n: lines.get(n) for n in expected} == expected
    payouts = sum(v[2] for n, v in lines.items() if n != "Total")
    assert payouts == st.fund.amount == lines["Total"][2] > 0
    assert any(r.income.amount > 0 for r in st.rows)  # the fines were shared too


def test_the_statement_pdf_has_the_share_outs_figures(
    client: TestClient, org: Org, db: Database
) -> None:
    st = _shared_out(db, org)
    login(client, "agent")
    page = client.get(f"/share-outs/{st.share_out_id}").text
    url = f"/share-outs/{st.share_out_id}/statement.pdf"
    assert f'href="{url}"' in page
    r = client.get(url)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == (
        f'attachment; filename="share-out-{st.share_out_id}.pdf"'
    )
    text = _text(r.content)
    assert f"Share-out of cycle 1: {GROUP}" in text
    assert "Shared out on Jan 26, 2026 by the rule: pro rata." in text
    assert "amounts in KES" in text
    assert f"Fund shared out: {st.fund.amount} KES" in text
    assert NAME in text and "&amp;" not in text and "&#39;" not in text
    _check_figures(text, st)

    # The API serves the same statement, headed in the caller's language.
    api = f"/api/v1/share-outs/{st.share_out_id}/statement.pdf"
    r = client.get(api, headers=_token(client, "agent"))
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    _check_figures(_text(r.content), st)
    r = client.get(api, headers=_token(client, "agent", "fr"))
    french = _text(r.content)
    assert f"Partage du cycle 1 : {GROUP}" in french and "Versement" in french
    assert "26 janv. 2026" in french and "au prorata" in french
    assert "Total" in french and NAME in french


def test_the_page_in_french_gives_a_french_pdf(client: TestClient, org: Org, db: Database) -> None:
    st = _shared_out(db, org)
    login(client, "branch")
    page = client.get(f"/share-outs/{st.share_out_id}").text
    client.post("/locale", data={"csrf_token": csrf_of(page), "locale": "fr", "next": "/"})
    text = _text(client.get(f"/share-outs/{st.share_out_id}/statement.pdf").content)
    assert "Épargne rendue" in text and "Part des revenus" in text and "Fonds partagé" in text
    assert "Imprimé par Kuza le 2 févr. 2026." in text
    assert "Partagé le 26 janv. 2026 selon la règle : au prorata de l'épargne." in text
    _check_figures(text, st)


def test_a_donor_and_another_branchs_agent_are_refused(
    client: TestClient, org: Org, db: Database
) -> None:
    st = _shared_out(db, org)
    url = f"/share-outs/{st.share_out_id}/statement.pdf"
    api = f"/api/v1{url}"
    for name, web, over_api in (("agentb", 404, 404), ("donor", 404, 403)):
        client.cookies.clear()
        login(client, name)
        assert client.get(url).status_code == web, name
        assert client.get(api, headers=_token(client, name)).status_code == over_api, name
    client.cookies.clear()
    assert client.get(api).status_code == 401
    r = client.get(url, follow_redirects=False)
    assert r.status_code in (302, 303) and "/login" in r.headers["location"]
    agent = _token(client, "agent")
    assert client.get("/api/v1/share-outs/0/statement.pdf", headers=agent).status_code == 422
    assert client.get("/api/v1/share-outs/999999/statement.pdf", headers=agent).status_code == 404
