"""User accounts through the service: validation, hashing, audit, visible groups."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import audit_log, user_account
from kuza.domain.access import LoginFailed, Role
from kuza.domain.errors import Conflict, DomainError, NotFound
from kuza.services import programmes, users
from tests.factories import visible_group_ids
from tests.web.conftest import PASSWORD, Org, login

pytestmark = pytest.mark.storage


def test_password_is_hashed_with_argon2_and_creation_audited(db: Database, org: Org) -> None:
    with db.read() as conn:
        row = conn.execute(select(user_account).where(user_account.c.username == "agent")).one()
        trail = conn.execute(
            select(audit_log).where(
                audit_log.c.object_kind == "user_account", audit_log.c.object_id == str(row.id)
            )
        ).one()
    assert row.password_hash.startswith("$argon2id$")
    assert PASSWORD not in row.password_hash
    assert row.branch_id == org.world.branch_id  # taken from the agent
    assert trail.action == "create"
    assert trail.after["role"] == "field_agent"
    assert "password" not in str(trail.after)


def test_authenticate(db: Database, org: Org) -> None:
    p = users.authenticate(db, "agent", PASSWORD)
    assert (p.role, p.agent_id, p.programme_id) == (
        Role.FIELD_AGENT,
        org.agent_id,
        org.world.programme_id,
    )
    for name, password in [("agent", "wrong"), ("nobody", PASSWORD), ("agent", "")]:
        with pytest.raises(LoginFailed):
            users.authenticate(db, name, password)


def test_deactivation_is_audited_and_blocks_login(db: Database, org: Org) -> None:
    users.set_active(db, "agent", False, actor="admin")
    with pytest.raises(LoginFailed):
        users.authenticate(db, "agent", PASSWORD)
    with db.read() as conn:
        actions = list(
            conn.execute(
                select(audit_log.c.action).where(audit_log.c.object_kind == "user_account")
            ).scalars()
        )
    assert "set_active" in actions


def test_username_is_unique_whatever_its_case(db: Database, org: Org) -> None:
    with pytest.raises(Conflict):
        users.create_user(db, users.NewUser("AGENT", Role.ADMIN, PASSWORD))


@pytest.mark.parametrize(
    ("change", "error", "field"),
    [
        ({"username": "x"}, DomainError, "username"),
        ({"username": "has space"}, DomainError, "username"),
        ({"password": "short"}, DomainError, "password"),
        ({"branch_id": 999}, NotFound, "branch_id"),
        ({"locale": "english"}, DomainError, "locale"),
    ],
)
def test_create_user_refuses(
    db: Database, org: Org, change: dict[str, object], error: type[Exception], field: str
) -> None:
    fields: dict[str, object] = {
        "username": "newbm",
        "role": Role.BRANCH_MANAGER,
        "password": PASSWORD,
        "programme_id": org.world.programme_id,
        "branch_id": org.world.branch_id,
        **change,
    }
    with pytest.raises(error) as err:
        users.create_user(db, users.NewUser(**fields))  # type: ignore[arg-type]
    assert getattr(err.value, "field", None) == field


def test_agent_of_another_branch_is_refused(db: Database, org: Org) -> None:
    other_branch = programmes.create_branch(db, org.world.programme_id, "Murang'a")
    new = users.NewUser(
        "mixed",
        Role.FIELD_AGENT,
        PASSWORD,
        programme_id=org.world.programme_id,
        branch_id=other_branch,
        agent_id=org.agent_id,
    )
    with pytest.raises(DomainError) as err:
        users.create_user(db, new)
    assert err.value.field == "branch_id"


def test_visible_group_ids(db: Database, org: Org) -> None:
    both = {org.world.group_id, org.other_group_id}
    expect = {
        "admin": both,
        "manager": both,
        "branch": both,
        "agent": {org.world.group_id},
        "agentb": {org.other_group_id},
        "donor": set(),
    }
    for name, ids in expect.items():
        p = users.authenticate(db, name, PASSWORD)
        assert visible_group_ids(db, p) == ids, name
        assert users.can_see_group(db, p, org.world.group_id) is (org.world.group_id in ids)
        assert not users.can_see_group(db, p, 999_999)


@pytest.mark.storage
def test_admins_read_the_audit_log_with_admin_level_rows(
    client: TestClient, org: Org, db: Database
) -> None:
    """Admin accounts have no programme: their changes are audit rows all the same."""
    login(client, "admin")
    page = client.get("/admin/audit")
    assert page.status_code == 200
    assert "create · User account" in page.text
    with db.read() as conn:
        orphan = conn.execute(
            select(func.count()).select_from(audit_log).where(audit_log.c.programme_id.is_(None))
        ).scalar_one()
    assert orphan == 1  # the admin account of the fixture
    client.cookies.clear()
    login(client, "manager")
    assert client.get("/admin/audit").status_code == 403
