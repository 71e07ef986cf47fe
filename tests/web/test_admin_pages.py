"""Admin pages: accounts (with a donor's funded scope), loan products and programme
settings; refused input shown on its field; every change in the audit log."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import audit_log, donor_scope, programme
from kuza.services import programmes, users
from tests.web.conftest import PASSWORD, Org, csrf_of, login

pytestmark = pytest.mark.storage


def _post(client: TestClient, path: str, data: dict[str, object]) -> object:
    token = csrf_of(client.get("/login").text)
    return client.post(path, data={"csrf_token": token, **data})


def _audited(db: Database, kind: str, action: str) -> int:
    with db.read() as conn:
        return len(
            conn.execute(
                select(audit_log.c.id).where(
                    audit_log.c.object_kind == kind, audit_log.c.action == action
                )
            ).all()
        )


def test_admin_creates_a_donor_with_a_scope_and_deactivates_an_agent(
    client: TestClient, org: Org, db: Database
) -> None:
    login(client, "admin")
    page = client.get("/admin/users")
    assert page.status_code == 200 and "agentb" in page.text
    pid, bid = org.world.programme_id, org.world.branch_id
    r = _post(
        client,
        "/admin/users",
        {"username": "funder", "password": PASSWORD, "role": "donor", "programme_id": pid,
         "branch_ids": bid, "locale": "fr"},
    )  # fmt: skip
    assert r.status_code == 303, r.text  # type: ignore[attr-defined]
    with db.read() as conn:
        rows = conn.execute(select(donor_scope.c.branch_id)).scalars().all()
    assert rows == [bid]
    assert _audited(db, "user_account", "donor_scope") == 1
    # refused input lands on its field, nothing created
    bad = _post(
        client,
        "/admin/users",
        {"username": "x y", "password": PASSWORD, "role": "finance", "programme_id": pid},
    )
    assert bad.status_code == 422  # type: ignore[attr-defined]
    assert re.search(r'id="username-error"', bad.text)  # type: ignore[attr-defined]
    weak = _post(
        client,
        "/admin/users",
        {"username": "shorty", "password": "short", "role": "finance", "programme_id": pid},
    )
    assert 'id="password-error"' in weak.text  # type: ignore[attr-defined]
    agentb = next(u for u in _users(db) if u.username == "agentb")
    assert _post(client, f"/admin/users/{agentb.id}/active", {"active": "0"}).status_code == 303  # type: ignore[attr-defined]
    assert users.load_principal(db, agentb.id) is None
    assert _audited(db, "user_account", "set_active") == 1
    me = next(u for u in _users(db) if u.username == "admin")
    own = _post(client, f"/admin/users/{me.id}/active", {"active": "0"})
    assert own.status_code == 422  # type: ignore[attr-defined]
    assert _post(client, "/admin/users/999999/active", {"active": "0"}).status_code == 404  # type: ignore[attr-defined]


def _users(db: Database) -> list[object]:
    from kuza.services import admin

    return admin.user_page(db, 200)[0]  # type: ignore[return-value]


def test_country_manager_manages_her_programme_only(
    client: TestClient, org: Org, db: Database
) -> None:
    other = programmes.create_programme(db, "XX", "Other", "KE", "KES")
    login(client, "manager")
    assert client.get("/admin/users").status_code == 403
    pid = org.world.programme_id
    assert client.get(f"/admin/programmes/{pid}/products").status_code == 200
    assert client.get(f"/admin/programmes/{other}/products").status_code == 404
    assert client.get(f"/admin/programmes/{other}/settings").status_code == 404
    r = _post(
        client,
        f"/admin/programmes/{pid}/products",
        {"name": "Starter", "kind": "internal",
         "terms": '{"rate": {"percent": "1", "per": "month"}, "method": "flat",'
                  ' "instalments": 4, "every": {"n": 1, "unit": "month"}}',
         "ceilings": '{"1": "5000"}', "starter": "on"},
    )  # fmt: skip
    assert r.status_code == 303, r.text  # type: ignore[attr-defined]
    assert "Starter" in client.get(f"/admin/programmes/{pid}/products").text
    assert _audited(db, "loan_product", "create") == 1
    bad = _post(
        client,
        f"/admin/programmes/{pid}/products",
        {"name": "Broken", "kind": "internal", "terms": "{not json"},
    )
    assert bad.status_code == 422 and 'id="terms-error"' in bad.text  # type: ignore[attr-defined]


def test_settings_are_checked_by_their_parsers_and_audited(
    client: TestClient, org: Org, db: Database
) -> None:
    login(client, "admin")
    pid = org.world.programme_id
    page = client.get(f"/admin/programmes/{pid}/settings")
    assert page.status_code == 200 and 'name="stability.weights.savings"' in page.text
    form = {
        "section": "training",
        "training.basis": "hours",
        "training.min_percent": "150",
        "training.credit_module": "",
    }
    bad = _post(client, f"/admin/programmes/{pid}/settings", form)
    assert bad.status_code == 422  # type: ignore[attr-defined]
    assert 'id="training.min_percent-error"' in bad.text  # type: ignore[attr-defined]
    assert 'value="150"' in bad.text  # type: ignore[attr-defined]
    ok = _post(client, f"/admin/programmes/{pid}/settings", form | {"training.min_percent": "70"})
    assert ok.status_code == 303  # type: ignore[attr-defined]
    stability = {
        f"stability.weights.{c}": "20"
        for c in ("meetings", "attendance", "savings", "lending", "repayment", "bookkeeping")
    }
    stability |= {
        "section": "stability", "stability.minimums.meetings": "120",
        "stability.grade_a_above": "85", "stability.pass_mark": "70",
        "stability.window_meetings": "12", "stability.posting_days": "7",
        "stability.lending_target": "50",
    }  # fmt: skip
    refused = _post(client, f"/admin/programmes/{pid}/settings", stability)
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert 'id="stability.minimums.meetings-error"' in refused.text  # type: ignore[attr-defined]
    stability["stability.minimums.meetings"] = "70"
    assert _post(client, f"/admin/programmes/{pid}/settings", stability).status_code == 303  # type: ignore[attr-defined]
    gates = {"section": "loan_gates", "loan_gates.external": "credit_training"}
    assert _post(client, f"/admin/programmes/{pid}/settings", gates).status_code == 303  # type: ignore[attr-defined]
    unknown = _post(
        client, f"/admin/programmes/{pid}/settings", gates | {"loan_gates.external": "magic"}
    )
    assert 'id="loan_gates.external-error"' in unknown.text  # type: ignore[attr-defined]
    with db.read() as conn:
        settings = conn.execute(select(programme.c.settings).where(programme.c.id == pid)).scalar()
    assert settings["training"]["min_percent"] == "70"
    assert settings["stability"]["pass_mark"] == "70"
    assert settings["loan_gates"] == {"external": ["credit_training"]}
    assert _audited(db, "programme", "settings") == 3
    page = client.get(f"/admin/programmes/{pid}/settings")
    assert (
        'id="stability.minimums.meetings" name="stability.minimums.meetings" value="70"'
        in page.text
    )


def test_a_scorecard_pasted_on_the_settings_page_is_loaded_once(
    client: TestClient, org: Org, db: Database
) -> None:
    pid = org.world.programme_id
    url = f"/admin/programmes/{pid}/scorecards"
    card = (
        '{"code": "progress", "questions": [{"code": "roof", "text": "Roof",'
        ' "points": {"thatch": 0, "iron": 15}}], "lookup": [[0, "80"], [10, "40"]]}'
    )
    login(client, "branch")
    assert _post(client, url, {"scorecard": card}).status_code == 403  # type: ignore[attr-defined]
    client.cookies.clear()
    login(client, "manager")
    page = client.get(f"/admin/programmes/{pid}/settings")
    assert f'action="/admin/programmes/{pid}/scorecards"' in page.text
    assert "No scorecard loaded yet." in page.text
    for bad in ("", "{not json", card.replace('[[0, "80"]', '[[5, "80"]')):
        r = _post(client, url, {"scorecard": bad})
        assert r.status_code == 422 and 'id="scorecard-error"' in r.text, bad  # type: ignore[attr-defined]
    assert "lookup must start at score 0" in r.text  # type: ignore[attr-defined]
    assert _audited(db, "scorecard", "load") == 0
    ok = _post(client, url, {"scorecard": card})
    assert ok.status_code == 303, ok.text  # type: ignore[attr-defined]
    page = client.get(f"/admin/programmes/{pid}/settings")
    assert "<strong>progress</strong>" in page.text and "by manager" in page.text
    again = _post(client, url, {"scorecard": card})
    assert again.status_code == 422 and "already loaded" in again.text  # type: ignore[attr-defined]
    assert _audited(db, "scorecard", "load") == 1
