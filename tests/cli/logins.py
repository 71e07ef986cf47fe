"""Logins the CLI's maker-checker commands name with ``--actor``: a branch manager
(maker, and checker of loans), a finance officer (checker) and a donor (neither), all
with the password :data:`PASSWORD`, which the tests give the CLI in ``KUZA_PASSWORD``."""

from __future__ import annotations

from kuza.adapters.db.engine import Database
from kuza.domain.access import Role
from kuza.services import users
from tests.factories import World

PASSWORD = "not-a-real-one"


def make_logins(db: Database, w: World) -> None:
    for name, role, branch in (
        ("manager", Role.BRANCH_MANAGER, w.branch_id),
        ("boss", Role.FINANCE, None),
        ("donor", Role.DONOR, None),
    ):
        new = users.NewUser(name, role, PASSWORD, "", w.programme_id, branch)
        users.create_user(db, new, weak_password_ok=True)
