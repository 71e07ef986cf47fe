"""Login, logout, sessions, CSRF and the login throttle."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from kuza.web.routes import auth, groups, meetings
from kuza.web.security import LoginThrottle
from tests.web.conftest import PASSWORD, Org, csrf_of, login

pytestmark = pytest.mark.storage


def test_login_success_lands_on_groups(client: TestClient, org: Org) -> None:
    response = login(client, "agent")
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert client.get("/").headers["location"] == "/groups"
    page = client.get("/groups")
    assert page.status_code == 200
    assert "Umoja" in page.text


def test_login_goes_back_to_the_page_asked_for(client: TestClient, org: Org) -> None:
    first = client.get(f"/groups/{org.world.group_id}")
    assert first.status_code == 303
    target = first.headers["location"]
    assert target == f"/login?next=%2Fgroups%2F{org.world.group_id}"
    token = csrf_of(client.get(target).text)
    response = client.post(
        "/login",
        data={
            "username": "agent",
            "password": PASSWORD,
            "csrf_token": token,
            "next": f"/groups/{org.world.group_id}",
        },
    )
    assert response.headers["location"] == f"/groups/{org.world.group_id}"


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil"])
def test_login_never_redirects_off_site(client: TestClient, org: Org, target: str) -> None:
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": "agent", "password": PASSWORD, "csrf_token": token, "next": target},
    )
    assert response.headers["location"] == "/"


@pytest.mark.parametrize("username", ["agent", "nobody"])
def test_wrong_password_and_unknown_user_answer_alike(
    client: TestClient, org: Org, username: str
) -> None:
    response = login(client, username, "wrong password!")
    assert response.status_code == 401
    assert "wrong username or password" in response.text
    assert client.get("/groups").status_code == 303


def test_username_is_not_case_sensitive(client: TestClient, org: Org) -> None:
    assert login(client, "  Agent ").status_code == 303


def test_five_failures_block_the_sixth_attempt_even_with_the_right_password(
    client: TestClient, org: Org
) -> None:
    for _ in range(5):
        assert login(client, "agent", "nope").status_code == 401
    blocked = login(client, "agent")
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert "Too many failed attempts" in blocked.text
    # Another username from the same address is not blocked.
    assert login(client, "branch").status_code == 303


def test_throttle_forgets_after_the_window() -> None:
    now = [1000.0]
    throttle = LoginThrottle(limit=5, window=300, clock=lambda: now[0])
    for _ in range(5):
        throttle.failed("agent", "1.2.3.4")
    assert throttle.retry_after("AGENT", "1.2.3.4") == 301
    assert throttle.retry_after("agent", "5.6.7.8") == 0
    now[0] += 301
    assert throttle.retry_after("agent", "1.2.3.4") == 0


def test_throttle_success_resets_the_count() -> None:
    throttle = LoginThrottle(limit=2, window=300, clock=lambda: 0.0)
    throttle.failed("a", "ip")
    throttle.succeeded("a", "ip")
    throttle.failed("a", "ip")
    assert throttle.retry_after("a", "ip") == 0


def test_throttle_memory_is_bounded() -> None:
    throttle = LoginThrottle(limit=5, window=300, clock=lambda: 0.0, max_keys=10)
    for i in range(100):
        throttle.failed(f"user{i}", "ip")
    assert len(throttle._failures) <= 10


def test_logout_ends_the_session(client: TestClient, org: Org) -> None:
    login(client, "agent")
    token = csrf_of(client.get("/groups").text)
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert client.get("/groups").status_code == 303


def test_login_form_without_csrf_is_refused(client: TestClient, org: Org) -> None:
    client.get("/login")
    response = client.post("/login", data={"username": "agent", "password": PASSWORD})
    assert response.status_code == 403
    assert client.get("/groups").status_code == 303


def test_post_with_a_wrong_csrf_token_is_refused(client: TestClient, org: Org) -> None:
    login(client, "agent")
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    assert client.get("/groups").status_code == 200


def test_deactivated_user_is_logged_out_at_the_next_request(
    client: TestClient, org: Org, db: object
) -> None:
    from kuza.services import users

    login(client, "agent")
    assert client.get("/groups").status_code == 200
    users.set_active(db, "agent", False)  # type: ignore[arg-type]
    assert client.get("/groups").status_code == 303
    assert login(client, "agent").status_code == 401


def _pages() -> list[tuple[str, str]]:
    found = []
    for router in (auth.router, groups.router, meetings.router):
        for route in router.routes:
            path = getattr(route, "path", "")
            for method in getattr(route, "methods", ()):
                if path != "/login" and method in ("GET", "POST"):
                    found.append((method, path.replace("{group_id}", "1")))
    return found


@pytest.mark.parametrize(("method", "path"), _pages())
def test_every_page_sends_the_anonymous_to_login(
    client: TestClient, org: Org, method: str, path: str
) -> None:
    token = csrf_of(client.get("/login").text)
    response = client.request(
        method, path, data={"csrf_token": token} if method == "POST" else None
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_static_files_and_security_headers(client: TestClient) -> None:
    css = client.get("/static/style.css")
    assert css.status_code == 200
    page = client.get("/login")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert client.get("/docs").status_code in (303, 404)
