"""Schemathesis against the served OpenAPI document, in-process over ASGI: whatever it
generates (valid and invalid), the API never answers 5xx. Bounded examples; SQLite."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from kuza.adapters.db.engine import Database
from kuza.services import api_tokens, users
from kuza.web.app import create_app
from tests.web.conftest import TODAY, Org

MAX_EXAMPLES = 40  # per operation; derandomized, so a run is repeatable


@pytest.fixture
def db(sqlite_db: Database) -> Database:
    """This module runs on SQLite only: the property is about the edge, not storage."""
    return sqlite_db


@pytest.mark.parametrize("login", ["agent", "admin"])
def test_no_server_errors(db: Database, org: Org, login: str) -> None:
    """As a field agent (most writes refused by role or scope) and as an admin (every
    route lets her in: the set-up, user, product and close-day routes get past the
    role check and into the services)."""
    app = create_app(db, secret="fuzz-secret-" + "x" * 32, today=lambda: TODAY)
    user = users.authenticate(db, login, "correct horse battery")
    auth = {"Authorization": f"Bearer {api_tokens.issue(db, user.user_id).token}"}
    for route in app.routes:  # build the document once, so loading it is not timed out
        if getattr(route, "path", None) == "/api/v1":
            route.app.openapi()  # type: ignore[attr-defined]
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 117
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def no_5xx(case: Any) -> None:
            case.call_and_validate(headers=auth, checks=[not_a_server_error])

        no_5xx()
