"""The API's refusals (401, 403, 404 …) in the caller's language like its other errors:
every message the API raises is a whole sentence with a French translation in errors.po,
and a French caller gets it in French, an English one as written."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from kuza.web import i18n
from kuza.web.api import approvals
from tests.web.conftest import PASSWORD, Org

API_DIR = Path(approvals.__file__).parent
ERRORS_PO = Path(i18n.__file__).parent / "translations" / "fr" / "LC_MESSAGES" / "errors.po"
FR = {"Accept-Language": "fr"}


def _refusals() -> dict[str, str]:
    """Every message given to HTTPException (or the loans API's ``_role``), by source."""
    found: dict[str, str] = {}
    for path in [*API_DIR.glob("*.py"), API_DIR.parent / "member_upload.py"]:
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or len(node.args) < 2:
                continue
            name = getattr(node.func, "id", None)
            if name not in ("HTTPException", "_role"):
                continue
            message = node.args[1]
            if isinstance(message, ast.Constant) and isinstance(message.value, str):
                found[message.value] = path.name
            elif not (isinstance(message, ast.Name) and message.id in ("why",)) and not (
                isinstance(message, ast.Subscript) and ast.unparse(message.value) == "REFUSED_KIND"
            ):
                found[f"<not a plain sentence: {ast.unparse(message)}>"] = path.name
    for sentence in approvals.REFUSED_KIND.values():
        found[sentence] = "approvals.py"
    return found


def test_every_api_refusal_is_a_sentence_translated_in_french() -> None:
    with ERRORS_PO.open("rb") as f:
        french = {m.id: m.string for m in read_po(f) if m.id}
    refusals = _refusals()
    assert len(refusals) > 30
    missing = sorted(f"{m} ({where})" for m, where in refusals.items() if not french.get(m))
    assert missing == []


@pytest.mark.storage
def test_a_french_caller_is_refused_in_french(client: TestClient, org: Org) -> None:
    r = client.post("/api/v1/auth/token", json={"username": "donor", "password": PASSWORD})
    donor = {"Authorization": f"Bearer {r.json()['access_token']}"}
    assert client.get("/api/v1/groups", headers=donor).json()["error"]["message"] == (
        "your role sees aggregated figures only"
    )
    refused = client.get("/api/v1/groups", headers=donor | FR).json()["error"]
    assert refused == {
        "code": "forbidden", "message": "votre rôle ne voit que des chiffres agrégés", "field": None
    }  # fmt: skip
    r = client.post("/api/v1/auth/token", json={"username": "agentb", "password": PASSWORD})
    other = {"Authorization": f"Bearer {r.json()['access_token']}"}
    absent = client.get(f"/api/v1/groups/{org.world.group_id}", headers=other | FR)
    assert (absent.status_code, absent.json()["error"]["message"]) == (404, "groupe introuvable")
    anonymous = client.get("/api/v1/groups", headers=FR).json()["error"]["message"]
    assert anonymous == "un jeton d'accès (bearer) valide est requis"
