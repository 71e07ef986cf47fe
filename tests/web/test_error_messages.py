"""The domain's error messages are translatable: every message raised by the domain,
the services and the reports is a literal template in the French error catalogue with
the same placeholders; pages show them in the user's language, the API honours
Accept-Language, and anything else (CLI, logs) stays English."""

from __future__ import annotations

import ast
import re
from datetime import timedelta
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from kuza.adapters.db.engine import Database
from kuza.domain.errors import DomainError, RuleViolation, messages_in
from kuza.services import users
from kuza.web import i18n
from tests.web.conftest import PASSWORD, TODAY, Org, csrf_of, login

SRC = Path(i18n.__file__).parents[1]
PACKAGES = [SRC / "domain", SRC / "services", SRC / "reports"]
FRENCH = Path(i18n.__file__).parent / "translations" / "fr" / "LC_MESSAGES" / "errors.po"
ERRORS = (
    "DomainError",
    "InvalidAmount",
    "CurrencyMismatch",
    "UnbalancedEntry",
    "NotFound",
    "Conflict",
    "RuleViolation",
    "InvalidTerms",
)
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def test_every_domain_message_has_a_french_translation(tmp_path: Path) -> None:
    pot = tmp_path / "errors.pot"
    keywords = [arg for name in ("N_", *ERRORS) for arg in ("-k", name)]
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", *keywords, "-o", str(pot), *map(str, PACKAGES)]
    )
    with pot.open("rb") as f:
        wanted = {str(m.id) for m in read_po(f) if m.id}
    with FRENCH.open("rb") as f:
        french = {str(m.id): str(m.string) for m in read_po(f) if m.id}
    assert len(wanted) > 300
    missing = sorted(wanted - set(french))
    assert missing == [], "extract as errors.po says and translate these"
    untranslated = sorted(k for k, v in french.items() if not v.strip())
    assert untranslated == []
    mismatched = [
        k for k, v in french.items() if set(PLACEHOLDER.findall(k)) != set(PLACEHOLDER.findall(v))
    ]
    assert mismatched == []


def _raise_sites(path: Path) -> list[str]:
    """Error constructions whose message is not a literal template (an f-string or a
    variable cannot be looked up in a catalogue)."""
    tree = ast.parse(path.read_text())
    bad = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name not in ERRORS:
            continue
        first = node.args[0]
        literal = isinstance(first, ast.Constant) and isinstance(first.value, str)
        marked = isinstance(first, ast.Call) and getattr(first.func, "id", "") == "N_"
        carried = isinstance(first, ast.Attribute) and first.attr == "template"
        if not (literal or marked or carried):
            bad.append(f"{path.relative_to(SRC)}:{node.lineno}")
    return bad


def test_every_error_is_raised_with_a_literal_template() -> None:
    bad = [site for pkg in PACKAGES for path in pkg.rglob("*.py") for site in _raise_sites(path)]
    assert bad == [], "use a literal with %(name)s placeholders and pass the values"


def test_messages_read_in_the_language_set_and_english_elsewhere() -> None:
    err = RuleViolation("held_on %(held_on)s is in the future", "held_on", held_on="2027-01-01")
    assert err.message == str(err) == "held_on 2027-01-01 is in the future"
    with messages_in(i18n.error_translations("fr").gettext):
        assert err.message == "held_on 2027-01-01 est dans le futur"
        assert DomainError("not in any catalogue").message == "not in any catalogue"
    with messages_in(lambda _text: "broken %(other)s"):  # a bad translation: English
        assert err.message == "held_on 2027-01-01 is in the future"
    assert err.message == "held_on 2027-01-01 is in the future"


@pytest.mark.storage
def test_pages_show_domain_errors_in_the_users_language(
    client: TestClient, org: Org, db: Database
) -> None:
    admin = users.authenticate(db, "admin", PASSWORD)
    users.set_locale(db, admin.user_id, "fr")
    agentb = users.authenticate(db, "agentb", PASSWORD)
    login(client, "admin")
    token = csrf_of(client.get("/admin/users").text)
    data = {"csrf_token": token, "role": "branch_manager", "programme_id": org.world.programme_id}
    r = client.post(f"/admin/users/{agentb.user_id}/role", data=data)
    assert r.status_code == 422
    assert "un branch_manager a besoin d&#39;une agence" in r.text
    assert "needs a branch" not in r.text


@pytest.mark.storage
def test_the_api_honours_accept_language(client: TestClient, org: Org) -> None:
    r = client.post("/api/v1/auth/token", json={"username": "agent", "password": PASSWORD}).json()
    auth = {"Authorization": f"Bearer {r['access_token']}"}
    later = (TODAY + timedelta(days=7)).isoformat()
    sheet = {"group_id": org.world.group_id, "held_on": later, "lines": []}
    english = client.post("/api/v1/meetings", json=sheet, headers=auth)
    assert english.status_code == 422
    assert english.json()["error"]["message"] == f"held_on {later} is in the future"
    french = client.post(
        "/api/v1/meetings", json=sheet, headers=auth | {"Accept-Language": "fr-FR,fr;q=0.9"}
    )
    assert french.json()["error"] == {
        "code": "rule_violation",
        "message": f"held_on {later} est dans le futur",
        "field": "held_on",
    }


@pytest.mark.storage
def test_values_in_a_shown_message_are_escaped(client: TestClient, org: Org) -> None:
    login(client, "admin")
    token = csrf_of(client.get("/admin/users").text)
    form = {"csrf_token": token, "username": "newbie", "password": PASSWORD, "role": "admin"}
    r = client.post("/admin/users", data=form | {"locale": "<b>x</b>"})
    assert r.status_code == 422 and 'id="locale-error"' in r.text
    assert "&#39;&lt;b&gt;x&lt;/b&gt;&#39; is not like" in r.text
    assert "<b>x</b>" not in r.text
