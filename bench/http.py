"""(5) HTTP: N simulated field agents (httpx AsyncClient, one connection each) post their
groups' meeting sheets to ``POST /api/v1/meetings`` with an ``Idempotency-Key`` for a
bounded time, against a uvicorn server on 127.0.0.1 in its own process; every tenth
sheet is sent twice, as a phone re-sending after a lost answer, and must be replayed.
Baseline in the same run: the same agents reading ``GET /api/v1/groups/{id}`` (a
primary-key read through the same stack: auth, scope, JSON). Afterwards the ledger
check must be clean.

The loops are bounded twice: by the deadline (each agent posts, and each reader reads,
at least once, so a late start on a loaded machine still gives a figure) and by the
sheets each agent holds.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import socket
import statistics
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
from argon2 import PasswordHasher

from bench.common import Row, peak_mb, scratch_database
from kuza.adapters.db.engine import Database
from kuza.domain.access import Role
from kuza.services import api_tokens, ledger_check, users
from kuza.services.synth import SynthSpec, group_sheets, organisation, plan_group
from kuza.services.synth_bulk import create_groups


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


TODAY_ENV = "KUZA_BENCH_TODAY"


def bench_app() -> Any:  # pragma: no cover - in the server's workers
    """The app each uvicorn worker builds (``kuza serve``'s, with the bench's fixed day:
    the sheets are dated in the synthetic history)."""
    from kuza.web.app import create_app

    today = date.fromisoformat(os.environ[TODAY_ENV])
    return create_app(Database(os.environ["KUZA_DATABASE_URL"]), today=lambda: today)


def _serve(url: str, port: int, today: date, workers: int) -> None:  # pragma: no cover
    import uvicorn

    os.environ |= {
        "KUZA_DATABASE_URL": url,
        "KUZA_SECRET_KEY": "bench-" + "x" * 40,
        TODAY_ENV: today.isoformat(),
    }
    uvicorn.run(
        "bench.http:bench_app",
        factory=True,
        host="127.0.0.1",
        port=port,
        workers=workers,
        log_level="warning",
        lifespan="off",
        access_log=False,
    )


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    replayed: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    def add(self, seconds: float, status: int) -> None:
        self.latencies.append(seconds)
        self.statuses[status] = self.statuses.get(status, 0) + 1

    @property
    def p95(self) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else 0.0
        return statistics.quantiles(self.latencies, n=20)[18]


async def _agent(
    base: str, token: str, sheets: list[dict[str, Any]], deadline: float, tally: Tally
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:
        for n, sheet in enumerate(sheets):
            if n and time.monotonic() > deadline:
                return  # each agent posts at least once, however late it started
            key = f"bench:{sheet['group_id']}:{sheet['held_on']}"
            for attempt in range(2 if n % 10 == 9 else 1):
                started = time.perf_counter()
                try:
                    r = await client.post(
                        "/api/v1/meetings", json=sheet, headers={"Idempotency-Key": key}
                    )
                except httpx.HTTPError:
                    tally.errors += 1
                    continue
                tally.add(time.perf_counter() - started, r.status_code)
                if r.status_code >= 300 or (attempt == 1) != bool(
                    r.headers.get("Idempotent-Replayed")
                ):
                    tally.errors += 1
                tally.replayed += attempt


async def _reader(base: str, token: str, gid: int, deadline: float, tally: Tally) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:
        first = True
        while first or time.monotonic() < deadline:
            first = False
            started = time.perf_counter()
            try:
                r = await client.get(f"/api/v1/groups/{gid}")
            except httpx.HTTPError:
                tally.errors += 1
                continue
            tally.add(time.perf_counter() - started, r.status_code)
            if r.status_code != 200:
                tally.errors += 1


async def _drive(
    base: str, work: list[tuple[str, int, list[dict[str, Any]]]], seconds: float, post: bool
) -> tuple[Tally, float]:
    tally = Tally()
    started = time.monotonic()
    deadline = started + seconds
    if post:
        jobs = [_agent(base, token, sheets, deadline, tally) for token, _, sheets in work]
    else:
        jobs = [_reader(base, token, gid, deadline, tally) for token, gid, _ in work]
    await asyncio.gather(*jobs)
    return tally, time.monotonic() - started


def _agents(db: Database, agents: int, months: int) -> tuple[SynthSpec, list[Any]]:
    """One group per agent, each with a field-agent login and a token, and its sheets."""
    # cheap hashes: 50 logins are set-up, not what is measured
    users._hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    spec = SynthSpec(groups=agents, months=months, seed=9, groups_per_agent=1, agents_per_branch=10)
    pid, branches, agent_ids = organisation(db, spec)
    plans = [plan_group(spec, i) for i in range(agents)]
    made = create_groups(db, pid, plans, branches, agent_ids)
    work = []
    for plan, (gid, mids) in zip(plans, made, strict=True):
        uid = users.create_user(
            db,
            users.NewUser(
                f"agent{plan.index}",
                Role.FIELD_AGENT,
                "bench-password-123",
                programme_id=pid,
                agent_id=agent_ids[plan.agent],
            ),
        )
        token = api_tokens.issue(db, uid).token
        work.append((token, gid, list(group_sheets(spec, plan, gid, mids))))
    return spec, work


def run(
    backend: str, agents: int = 50, seconds: float = 60.0, months: int = 24, workers: int = 1
) -> list[Row]:
    """``workers``: uvicorn worker processes serving (``kuza serve --workers``)."""
    with scratch_database(backend) as db:
        spec, work = _agents(db, agents, months)
        port = _free_port()
        spawn = multiprocessing.get_context("spawn")
        # not a daemon: uvicorn's supervisor starts the workers as its children
        server = spawn.Process(target=_serve, args=(db.url, port, spec.end, workers))
        server.start()
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120  # a busy box imports the app slowly
            while True:
                try:
                    httpx.get(base + "/login", timeout=5)  # cheap: not the OpenAPI build
                    break
                except httpx.HTTPError:
                    if time.monotonic() > deadline or not server.is_alive():
                        raise RuntimeError("uvicorn did not start") from None
                    time.sleep(0.2)
            base_seconds = max(2.0, seconds / 4)
            reads, read_time = asyncio.run(_drive(base, work, base_seconds, post=False))
            posts, post_time = asyncio.run(_drive(base, work, seconds, post=True))
        finally:
            server.terminate()  # uvicorn's supervisor stops its workers on SIGTERM
            server.join(30)
            if server.is_alive():
                server.kill()
                server.join()
        problems = ledger_check.check(db)
    posted = sum(n for s, n in posts.statuses.items() if s == 201)
    rate = len(posts.latencies) / post_time
    read_rate = len(reads.latencies) / read_time
    check = "clean" if not problems else f"{len(problems)} PROBLEMS"
    size = f"{agents} agents x {seconds:.0f} s, {workers} uvicorn worker{'s' * (workers > 1)}"
    mb = peak_mb()
    return [
        Row(
            "5 HTTP agents",
            backend,
            size,
            "POST /api/v1/meetings (Idempotency-Key)",
            rate,
            "req/s",
            "GET /api/v1/groups/{id}",
            read_rate,
            peak_mb=mb,
            seconds=post_time,
            note=f"p95 {posts.p95 * 1000:.0f} ms (GET p95 {reads.p95 * 1000:.0f} ms); "
            f"{posted} meetings booked, {posts.replayed} replays, "
            f"{posts.errors + reads.errors} errors; ledger check {check}; peak is the client",
        )
    ]
