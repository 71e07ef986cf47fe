"""What a user typed comes back in a refusal escaped, never as markup: the error
messages quote the value ("volume is not a number: …"), and a page that marks the
message safe would let a typed <script> run in the next user's browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

import kuza.web
from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import market_linkage
from kuza.domain.markets import PartnerKind
from kuza.services import markets
from tests.web.conftest import Org, csrf_of, login

pytestmark = pytest.mark.storage

TYPED = '<b id="typed">7</b>'


def test_a_typed_value_in_a_refusal_is_escaped(client: TestClient, org: Org, db: Database) -> None:
    pid, gid = org.world.programme_id, org.world.group_id
    buyer = markets.add_partner(db, pid, "Brookside Dairy", PartnerKind.BUYER)
    login(client, "agent")
    page = client.get(f"/groups/{gid}").text
    link = {"partner_id": str(buyer), "party": "", "started_on": "2026-01-20"}
    r = client.post(f"/groups/{gid}/market-linkages", data={"csrf_token": csrf_of(page), **link})
    assert r.status_code == 303
    with db.read() as conn:
        lid = conn.execute(select(market_linkage.c.id)).scalar_one()
    contract = {"group_id": str(gid), "product": "milk", "volume": TYPED, "unit": "litre",
                "price": "45.50", "starts_on": "2026-01-25"}  # fmt: skip
    r = client.post(
        f"/market-linkages/{lid}/contracts", data={"csrf_token": csrf_of(page), **contract}
    )
    assert r.status_code == 422
    error = r.text.split(f'id="contract-{lid}-volume-error">', 1)[1].split("</span>", 1)[0]
    assert "&lt;b id=&#34;typed&#34;&gt;7&lt;/b&gt;" in error and "<b" not in error, error
    assert TYPED not in r.text


def test_no_template_marks_a_message_safe_through_gettext() -> None:
    """``_()`` returns Markup under autoescape: fine for a literal, not for a message
    that may quote what was typed (messages come translated already)."""
    templates = Path(kuza.web.__file__).parent / "templates"
    offenders = [
        f"{t.name}: {m.group(0)}"
        for t in sorted(templates.glob("*.html"))
        for m in re.finditer(r"_\(\s*[\w.]*message\s*\)", t.read_text())
    ]
    assert offenders == []
