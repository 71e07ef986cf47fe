"""A real uvicorn server on 127.0.0.1 over a migrated SQLite file, and Debian's Chromium
driven by Playwright (never a downloaded browser: .ci/run installs the `chromium`
package). Without /usr/bin/chromium these tests are skipped locally."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from argon2 import PasswordHasher

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import savings_group
from kuza.domain.access import Role
from kuza.services import programmes, users
from kuza.web.app import create_app
from tests.factories import World, make_world

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TODAY = date(2026, 2, 2)
PASSWORD = "correct horse battery"
PHONE = {"width": 360, "height": 780}
SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"


@dataclass
class Site:
    url: str
    db: Database
    world: World
    shots: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def site(tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    monkeypatch.setattr(
        users, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )
    path = tmp_path / "kuza.sqlite3"
    shutil.copy(sqlite_template, path)
    db = Database(f"sqlite:///{path}")
    world = make_world(db)
    agent = programmes.create_agent(db, world.programme_id, world.branch_id, "Agent A")
    with db.transaction() as conn:
        conn.execute(
            savings_group.update()
            .where(savings_group.c.id == world.group_id)
            .values(agent_id=agent)
        )
    pid = world.programme_id
    for new in (
        users.NewUser(
            "agent", Role.FIELD_AGENT, PASSWORD, "Amina", programme_id=pid, agent_id=agent
        ),
        users.NewUser("donor", Role.DONOR, PASSWORD, "Fund", programme_id=pid),
    ):
        users.create_user(db, new)
    app = create_app(db, secret="browser-" + "x" * 40, today=lambda: TODAY, https_only=False)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    shots = SCREENSHOTS if os.environ.get("KUZA_SCREENSHOTS") == "1" else tmp_path / "shots"
    shots.mkdir(parents=True, exist_ok=True)
    yield Site(f"http://127.0.0.1:{port}", db, world, shots)
    server.should_exit = True
    thread.join(10)
    db.dispose()


@pytest.fixture
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def log_in(page: Any, site: Site, username: str) -> None:
    """The login form, filled and sent; waits for the page the role lands on."""
    page.goto(f"{site.url}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]:has-text('Log in')")
    page.wait_for_url(lambda url: not url.endswith("/login"))
