"""A web app over the `db` fixture (SQLite and PostgreSQL), with users in every role."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import savings_group
from kuza.domain.access import Role
from kuza.domain.calendar import Frequency
from kuza.services import groups, programmes, users
from kuza.web.app import create_app
from kuza.web.security import LoginThrottle
from tests.factories import FORMED, World, make_world

TODAY = date(2026, 2, 2)  # a Monday, four weeks after FORMED
PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at its cheapest: the tests check the flow, not the work factor."""
    monkeypatch.setattr(
        users, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )
    monkeypatch.setattr(users, "_dummy_hash", None)


@dataclass
class Org:
    world: World
    agent_id: int
    other_agent_id: int
    other_group_id: int


@pytest.fixture
def org(db: Database) -> Org:
    """One programme: the factory group run by agent A, a second group run by agent B,
    and a login for every role."""
    world = make_world(db)
    agent = programmes.create_agent(db, world.programme_id, world.branch_id, "Agent A")
    other = programmes.create_agent(db, world.programme_id, world.branch_id, "Agent B")
    with db.transaction() as conn:
        conn.execute(
            savings_group.update()
            .where(savings_group.c.id == world.group_id)
            .values(agent_id=agent)
        )
    other_gid = groups.create_group(
        db,
        world.programme_id,
        groups.NewGroup(
            branch_id=world.branch_id,
            agent_id=other,
            name="Tumaini",
            formed_on=FORMED,
            frequency=Frequency.WEEKLY,
            first_meeting_on=FORMED,
            compulsory_saving="100",
        ),
    )
    pid = world.programme_id
    accounts = {
        "admin": users.NewUser("admin", Role.ADMIN, PASSWORD),
        "manager": users.NewUser("manager", Role.COUNTRY_MANAGER, PASSWORD, programme_id=pid),
        "branch": users.NewUser(
            "branch", Role.BRANCH_MANAGER, PASSWORD, programme_id=pid, branch_id=world.branch_id
        ),
        "agent": users.NewUser(
            "agent", Role.FIELD_AGENT, PASSWORD, programme_id=pid, agent_id=agent
        ),
        "agentb": users.NewUser(
            "agentb", Role.FIELD_AGENT, PASSWORD, programme_id=pid, agent_id=other
        ),
        "donor": users.NewUser("donor", Role.DONOR, PASSWORD, programme_id=pid),
    }
    for new in accounts.values():
        users.create_user(db, new)
    return Org(world, agent, other, other_gid)


@pytest.fixture
def throttle() -> LoginThrottle:
    return LoginThrottle()


@pytest.fixture
def client(db: Database, throttle: LoginThrottle) -> Iterator[TestClient]:
    app = create_app(db, secret="test-secret-" + "x" * 32, today=lambda: TODAY, throttle=throttle)
    with TestClient(app, follow_redirects=False) as c:
        yield c


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> httpx.Response:
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
