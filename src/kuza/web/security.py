"""Session secret, CSRF tokens and the login throttle of the web edge."""

from __future__ import annotations

import hmac
import os
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Any

from kuza.adapters.db.engine import sqlite_path

SECRET_ENV = "KUZA_SECRET_KEY"
CSRF_KEY = "csrf"


def secret_key(database_url: str) -> str:
    """KUZA_SECRET_KEY, else a key kept in a file next to the SQLite database (created
    on first start, readable by its owner only). PostgreSQL deployments must set the env
    var: several web processes have to share one key."""
    from_env = os.environ.get(SECRET_ENV, "").strip()
    if from_env:
        return from_env
    path = sqlite_path(database_url)
    if path is None:
        raise RuntimeError(f"set {SECRET_ENV} to a long random string to serve this database")
    return _key_file(path.with_name(path.name + ".secret"))


def _key_file(path: Path) -> str:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key + "\n")
    return key


def csrf_token(session: MutableMapping[str, Any]) -> str:
    """This session's token, made on first use; every form carries it back."""
    token = session.get(CSRF_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[CSRF_KEY] = token
    return token


def csrf_ok(session: MutableMapping[str, Any], sent: object) -> bool:
    expected = session.get(CSRF_KEY)
    return (
        isinstance(expected, str)
        and isinstance(sent, str)
        and hmac.compare_digest(expected.encode(), sent.encode())
    )


class LoginThrottle:
    """At most ``limit`` failed logins per username and client address in ``window``
    seconds. In memory, per process: a restart forgets it, several workers each count."""

    def __init__(
        self,
        limit: int = 5,
        window: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 10_000,
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self.max_keys = max_keys
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], at: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and times[0] <= at - self.window:
            times.popleft()
        return times

    def retry_after(self, username: str, address: str) -> int:
        """Seconds until the next attempt is allowed; 0 when it is allowed now."""
        key = (username.strip().lower(), address)
        with self._lock:
            at = self.clock()
            times = self._recent(key, at)
            if len(times) < self.limit:
                return 0
            return max(1, int(times[0] + self.window - at) + 1)

    def failed(self, username: str, address: str) -> None:
        key = (username.strip().lower(), address)
        with self._lock:
            at = self.clock()
            if len(self._failures) >= self.max_keys:
                self._forget_old(at)
            times = self._recent(key, at)
            times.append(at)
            self._failures[key] = times

    def succeeded(self, username: str, address: str) -> None:
        with self._lock:
            self._failures.pop((username.strip().lower(), address), None)

    def _forget_old(self, at: float) -> None:
        for key in list(self._failures):
            if not self._recent(key, at):
                del self._failures[key]
        if len(self._failures) >= self.max_keys:  # a flood of names: keep the newest half
            newest = sorted(self._failures, key=lambda k: self._failures[k][-1])
            for key in newest[: len(newest) // 2]:
                del self._failures[key]
