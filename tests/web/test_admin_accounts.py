"""Admin changes to accounts (role and scope, new password, reactivation) and switching
a loan product off and on: audited before/after, refused input shown on its field with
nothing changed, on both databases."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import audit_log, donor_scope, loan, loan_product, user_account
from kuza.domain.access import LoginFailed, Role
from kuza.domain.errors import RuleViolation
from kuza.services import api_tokens, programmes, users
from kuza.services.loans.applications import LoanRequest, apply, approve
from kuza.services.loans.repayments import repay
from tests.web.conftest import PASSWORD, TODAY, Org, csrf_of, login
from tests.web.loan_setup import APPLIED_LOAN, make_loan_book

pytestmark = pytest.mark.storage
NEW_PASSWORD = "a brand new secret"


def _post(client: TestClient, path: str, data: dict[str, object]) -> httpx.Response:
    token = csrf_of(client.get("/login").text)
    return client.post(path, data={"csrf_token": token, **data})


def _account(db: Database, username: str) -> Any:
    with db.read() as conn:
        return conn.execute(select(user_account).where(user_account.c.username == username)).one()


def _audits(db: Database, kind: str, action: str) -> list[Any]:
    with db.read() as conn:
        return list(
            conn.execute(
                select(audit_log)
                .where(audit_log.c.object_kind == kind, audit_log.c.action == action)
                .order_by(audit_log.c.id)
            )
        )


def test_admin_moves_an_agent_to_branch_manager(client: TestClient, org: Org, db: Database) -> None:
    login(client, "admin")
    agentb = _account(db, "agentb")
    page = client.get(f"/admin/users/{agentb.id}")
    assert page.status_code == 200 and f'action="/admin/users/{agentb.id}/role"' in page.text
    pid, bid = org.world.programme_id, org.world.branch_id
    r = _post(
        client,
        f"/admin/users/{agentb.id}/role",
        {"role": "branch_manager", "programme_id": pid, "branch_id": bid},
    )
    assert r.status_code == 303, r.text
    after = users.load_principal(db, agentb.id)
    assert after is not None and after.role is Role.BRANCH_MANAGER
    assert (after.branch_id, after.agent_id) == (bid, None)
    [row] = _audits(db, "user_account", "set_role")
    assert row.actor == "admin"
    assert row.before == {
        "role": "field_agent", "programme_id": pid, "branch_id": bid,
        "agent_id": org.other_agent_id,
    }  # fmt: skip
    assert row.after == {"role": "branch_manager", "programme_id": pid, "branch_id": bid,
                         "agent_id": None}  # fmt: skip
    # she now sees the whole branch, her old agent's group and the other one
    client.cookies.clear()
    login(client, "agentb")
    assert client.get(f"/groups/{org.world.group_id}").status_code == 200


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"role": "field_agent", "programme_id": "{p}"}, "agent_id"),  # no agent
        ({"role": "branch_manager", "programme_id": "{p}"}, "branch_id"),  # no branch
        ({"role": "admin", "programme_id": "{p}"}, "programme_id"),  # admin has none
        ({"role": "emperor", "programme_id": "{p}"}, "role"),
        ({"role": "finance", "programme_id": "abc"}, "programme_id"),
        ({"role": "finance", "programme_id": "999999"}, "programme_id"),
        ({"role": "finance", "programme_id": "{p}", "branch_ids": "{b}"}, "branch_ids"),
        ({"role": "donor", "programme_id": "{p}", "branch_ids": "999999"}, "branch_ids"),
        ({"role": "field_agent", "programme_id": "{p}", "agent_id": "999999"}, "agent_id"),
    ],
)
def test_a_refused_role_change_names_its_field_and_changes_nothing(
    client: TestClient, org: Org, db: Database, form: dict[str, str], field: str
) -> None:
    login(client, "admin")
    agentb = _account(db, "agentb")
    sent = {k: v.format(p=org.world.programme_id, b=org.world.branch_id) for k, v in form.items()}
    r = _post(client, f"/admin/users/{agentb.id}/role", sent)
    assert r.status_code == 422
    assert f'id="{field}-error"' in r.text or 'class="notice error"' in r.text
    assert _account(db, "agentb") == agentb
    assert _audits(db, "user_account", "set_role") == []
    with db.read() as conn:
        assert conn.execute(select(donor_scope)).all() == []


def test_a_refused_role_change_shows_the_field_it_names(
    client: TestClient, org: Org, db: Database
) -> None:
    login(client, "admin")
    agentb = _account(db, "agentb")
    r = _post(
        client,
        f"/admin/users/{agentb.id}/role",
        {"role": "branch_manager", "programme_id": org.world.programme_id},
    )
    assert r.status_code == 422 and 'id="branch_id-error"' in r.text
    assert 'aria-invalid="true" aria-describedby="branch_id-error"' in r.text


def test_donor_scope_is_set_with_the_role_and_cleared_when_she_stops_being_a_donor(
    client: TestClient, org: Org, db: Database
) -> None:
    login(client, "admin")
    donor = _account(db, "donor")
    pid, bid = org.world.programme_id, org.world.branch_id
    r = _post(
        client,
        f"/admin/users/{donor.id}/role",
        {"role": "donor", "programme_id": pid, "branch_ids": bid},
    )
    assert r.status_code == 303, r.text
    with db.read() as conn:
        assert conn.execute(select(donor_scope.c.branch_id)).scalars().all() == [bid]
    assert f'value="{bid}" checked' in client.get(f"/admin/users/{donor.id}").text
    assert _audits(db, "user_account", "set_role") == []  # role and places unchanged
    assert len(_audits(db, "user_account", "donor_scope")) == 1
    r = _post(client, f"/admin/users/{donor.id}/role", {"role": "finance", "programme_id": pid})
    assert r.status_code == 303, r.text
    with db.read() as conn:
        assert conn.execute(select(donor_scope)).all() == []
    assert len(_audits(db, "user_account", "donor_scope")) == 2
    assert _account(db, "donor").role == "finance"


def test_a_scope_in_another_programme_is_refused_in_the_service_too(org: Org, db: Database) -> None:
    other = programmes.create_programme(db, "XX", "Other", "KE", "KES")
    other_branch = programmes.create_branch(db, other, "Far")
    before = _account(db, "donor")
    with pytest.raises(Exception) as caught:
        users.change_assignment(
            db,
            "donor",
            users.Assignment(Role.DONOR, org.world.programme_id),
            "admin",
            branch_ids=[other_branch],
        )
    assert getattr(caught.value, "field", None) == "branch_ids"
    assert _account(db, "donor") == before


def test_admin_cannot_change_her_own_role_and_absent_accounts_are_404(
    client: TestClient, org: Org, db: Database
) -> None:
    login(client, "admin")
    me = _account(db, "admin")
    own = _post(
        client,
        f"/admin/users/{me.id}/role",
        {"role": "finance", "programme_id": org.world.programme_id},
    )
    assert own.status_code == 422 and _account(db, "admin").role == "admin"
    assert client.get("/admin/users/999999").status_code == 404
    assert _post(client, "/admin/users/999999/role", {"role": "finance"}).status_code == 404
    assert _post(client, "/admin/users/999999/password", {}).status_code == 404


def test_admin_sets_a_new_password_and_her_api_tokens_stop(
    client: TestClient, org: Org, db: Database
) -> None:
    agent = _account(db, "agent")
    token = api_tokens.issue(db, agent.id).token
    login(client, "admin")
    path = f"/admin/users/{agent.id}/password"
    differ = _post(client, path, {"new_password": NEW_PASSWORD, "new_password_again": "other"})
    assert differ.status_code == 422 and 'id="new_password_again-error"' in differ.text
    short = _post(client, path, {"new_password": "short", "new_password_again": "short"})
    assert short.status_code == 422 and 'id="new_password-error"' in short.text
    assert _account(db, "agent").password_hash == agent.password_hash
    assert api_tokens.principal_for(db, token) is not None
    ok = _post(client, path, {"new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD})
    assert ok.status_code == 303
    assert users.authenticate(db, "agent", NEW_PASSWORD).user_id == agent.id
    with pytest.raises(LoginFailed):
        users.authenticate(db, "agent", PASSWORD)
    assert api_tokens.principal_for(db, token) is None
    [row] = _audits(db, "user_account", "set_password")
    assert row.after == {"password": "new", "api_tokens_revoked": 1}
    assert NEW_PASSWORD not in str(row.before) + str(row.after)


def test_admin_reactivates_an_account(client: TestClient, org: Org, db: Database) -> None:
    agentb = _account(db, "agentb")
    users.set_active(db, "agentb", False, "admin")
    login(client, "admin")
    assert "Reactivate agentb" in client.get(f"/admin/users/{agentb.id}").text
    r = _post(client, f"/admin/users/{agentb.id}/active", {"active": "1"})
    assert r.status_code == 303
    assert users.load_principal(db, agentb.id) is not None
    assert [a.after for a in _audits(db, "user_account", "set_active")] == [
        {"active": False},
        {"active": True},
    ]


def test_a_product_switched_off_takes_no_new_application_or_approval(
    client: TestClient, org: Org, db: Database
) -> None:
    book = make_loan_book(db, org)
    w = org.world
    login(client, "admin")
    form_before = client.get(f"/groups/{w.group_id}/loans/new").text
    assert ">Weekly (" in form_before
    path = f"/admin/programmes/{w.programme_id}/products/{book.product}/active"
    assert _post(client, path, {"active": "maybe"}).status_code == 422
    assert _post(client, path, {"active": "0"}).status_code == 303
    with db.read() as conn:
        assert conn.execute(select(loan_product.c.active)).scalar() is False
    assert ">Weekly (" not in client.get(f"/groups/{w.group_id}/loans/new").text
    with pytest.raises(RuleViolation) as refused:
        apply(
            db,
            LoanRequest(w.group_id, w.member_ids[2], book.product, "100", TODAY, "tools"),
            "agent",
            TODAY,
        )
    assert refused.value.field == "product_id" and "switched off" in refused.value.message
    with pytest.raises(RuleViolation, match="switched off"):
        approve(db, APPLIED_LOAN, TODAY, "manager", TODAY)
    with db.read() as conn:
        statuses = dict(conn.execute(select(loan.c.id, loan.c.status)).all())
    assert statuses == {book.applied: "applied", book.active: "disbursed"}
    repay(db, book.active, "50", TODAY, "receipt-9", "agent", TODAY)  # existing loans go on
    assert _post(client, path, {"active": "1"}).status_code == 303
    assert approve(db, APPLIED_LOAN, date(2026, 1, 27), "manager", TODAY).value == "approved"
    audits = _audits(db, "loan_product", "set_active")
    assert [(a.before, a.after, a.actor) for a in audits] == [
        ({"active": True}, {"active": False}, "admin"),
        ({"active": False}, {"active": True}, "admin"),
    ]


def test_a_product_of_another_programme_is_404(client: TestClient, org: Org, db: Database) -> None:
    book = make_loan_book(db, org)
    other = programmes.create_programme(db, "XX", "Other", "KE", "KES")
    login(client, "admin")
    r = _post(client, f"/admin/programmes/{other}/products/{book.product}/active", {"active": "0"})
    assert r.status_code == 404
    with db.read() as conn:
        assert conn.execute(select(loan_product.c.active)).scalar() is True
    assert _audits(db, "loan_product", "set_active") == []
