"""The API's language: request-shape errors (pydantic's 422) and domain refusals are in
the account's language when she chose French, else Accept-Language's, else English; the
error body keeps its shape and its code and field; an unknown error type stays English."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from kuza.adapters.db.engine import Database
from kuza.services import users
from kuza.web.api.shape_errors import TEMPLATES, shape_message
from kuza.web.i18n import error_translations
from tests.web.conftest import PASSWORD, TODAY, Org

pytestmark = pytest.mark.storage
API = "/api/v1"
FR = {"Accept-Language": "fr-FR,fr;q=0.9"}


def bearer(client: TestClient, username: str) -> dict[str, str]:
    r = client.post(f"{API}/auth/token", json={"username": username, "password": PASSWORD})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def error(r: Any) -> dict[str, Any]:
    assert r.status_code == 422, r.text
    body = r.json()
    assert list(body) == ["error"] and sorted(body["error"]) == ["code", "field", "message"]
    found: dict[str, Any] = body["error"]
    return found


def sheet(org: Org, **changes: Any) -> dict[str, Any]:
    return {"group_id": org.world.group_id, "held_on": TODAY.isoformat(), "lines": []} | changes


def test_a_french_account_gets_french_shape_errors(
    client: TestClient, org: Org, db: Database
) -> None:
    users.set_locale(db, users.authenticate(db, "agent", PASSWORD).user_id, "fr")
    auth = bearer(client, "agent")
    missing = sheet(org)
    del missing["group_id"]
    assert error(client.post(f"{API}/meetings", json=missing, headers=auth)) == {
        "code": "invalid",
        "message": "group_id: Champ obligatoire",
        "field": "group_id",
    }
    bad_day = client.post(f"{API}/meetings", json=sheet(org, held_on="2026-02-30"), headers=auth)
    assert error(bad_day) == {
        "code": "invalid",
        "message": "held_on: La saisie doit être une date valide au format AAAA-MM-JJ",
        "field": "held_on",
    }
    # The account's choice comes before the header.
    english_header = client.post(
        f"{API}/meetings", json=missing, headers=auth | {"Accept-Language": "en"}
    )
    assert error(english_header)["message"] == "group_id: Champ obligatoire"
    mid = org.world.member_ids[0]
    move = {"kind": "loan", "amount": "10", "on": TODAY.isoformat()}
    kind = error(client.post(f"{API}/members/{mid}/passbook", json=move, headers=auth))
    assert kind == {
        "code": "invalid",
        "message": "kind: La saisie doit être l'une de ces valeurs : 'deposit', 'withdrawal'",
        "field": "kind",
    }
    extra = error(client.post(f"{API}/meetings", json=sheet(org, x=1), headers=auth))
    assert extra["message"] == "x: Les champs en trop ne sont pas permis"
    # A domain refusal follows the account too, without any header.
    later = sheet(org, held_on="2099-01-01")
    refused = client.post(f"{API}/meetings", json=later, headers=auth).json()["error"]
    assert refused["message"] == "held_on 2099-01-01 est dans le futur"


def test_an_english_user_gets_english_and_the_header_is_honoured(
    client: TestClient, org: Org
) -> None:
    auth = bearer(client, "agent")
    missing = sheet(org)
    del missing["group_id"]
    english = error(client.post(f"{API}/meetings", json=missing, headers=auth))
    assert english == {
        "code": "invalid",
        "message": "group_id: Field required",
        "field": "group_id",
    }
    bad_day = error(client.post(f"{API}/meetings", json=sheet(org, held_on="x"), headers=auth))
    assert bad_day["field"] == "held_on"
    assert bad_day["message"].startswith("held_on: Input should be a valid date")
    # Every account starts in English: the client's Accept-Language then decides.
    french = error(client.post(f"{API}/meetings", json=missing, headers=auth | FR))
    assert french == {
        "code": "invalid",
        "message": "group_id: Champ obligatoire",
        "field": "group_id",
    }
    # No account yet: the header alone.
    login = client.post(f"{API}/auth/token", json={"username": "agent"}, headers=FR)
    assert error(login)["message"] == "password: Champ obligatoire"


def test_unknown_types_and_odd_contexts_stay_english() -> None:
    url = {"type": "url_parsing", "msg": "Input should be a valid URL", "ctx": {"error": "x"}}
    assert shape_message(url, "fr") == "Input should be a valid URL"
    odd = {"type": "greater_than", "msg": "Input should be greater than 1", "ctx": {}}
    assert shape_message(odd, "fr") == "Input should be greater than 1"
    ge = {"type": "greater_than_equal", "msg": "…", "ctx": {"ge": 1}}
    assert shape_message(ge, "fr") == "La saisie doit être supérieure ou égale à 1"
    assert shape_message(ge, "en") == "…"  # English is pydantic's own message


def test_every_shape_template_is_translated() -> None:
    french = error_translations("fr")
    assert [t for t in set(TEMPLATES.values()) if french.gettext(t) == t] == []
