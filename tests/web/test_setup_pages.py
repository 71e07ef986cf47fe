"""The set-up pages under /admin: programmes (admins create them), a programme's
branches, training modules and value chains (admins, a country manager for hers), a
branch's field agents (those, and the branch's manager). A good form writes once and
audits; a refused one shows the message on its field, in the user's language, with
what she typed, and writes nothing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    audit_log,
    branch,
    field_agent,
    programme,
    training_module,
    value_chain,
)
from kuza.services import programmes
from tests.web.conftest import Org, csrf_of, login

pytestmark = pytest.mark.storage


def post(client: TestClient, path: str, **data: str) -> Response:
    token = csrf_of(client.get("/login").text)
    return client.post(path, data={"csrf_token": token, **data})


def in_french(client: TestClient) -> None:
    assert post(client, "/locale", locale="fr", next="/").status_code == 303


def counts(db: Database) -> tuple[int, ...]:
    """Rows of each set-up table, and their audit lines (a language change is audited
    too, on the account)."""
    kinds = ("programme", "branch", "field_agent", "training_module", "value_chain")
    with db.read() as conn:
        rows = tuple(
            int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for t in (programme, branch, field_agent, training_module, value_chain)
        )
        audited = conn.execute(
            select(func.count()).where(audit_log.c.object_kind.in_(kinds))
        ).scalar_one()
    return (*rows, int(audited))


def test_an_admin_creates_a_programme_and_a_bad_one_is_shown_on_its_field(
    client: TestClient, org: Org, db: Database
) -> None:
    login(client, "admin")
    page = client.get("/admin/programmes")
    assert page.status_code == 200 and "KE-TEST" in page.text and "New programme" in page.text
    before = counts(db)
    good = {"code": "UG-SHG", "name": "Uganda SHG", "country": "UG", "currency": "UGX"}
    for field, value, message in [
        ("currency", "XYZ", "unknown currency &#39;XYZ&#39;"),
        ("country", "Uganda", "country must be an ISO 3166 two-letter code"),
        ("name", " ", "name is required"),
        ("code", "KE-TEST", "programme &#39;KE-TEST&#39; already exists"),
    ]:
        bad = post(client, "/admin/programmes", **{**good, field: value})
        assert bad.status_code == 422
        assert f'<span class="field-error" id="{field}-error">{message}</span>' in bad.text
        assert 'value="Uganda SHG"' in bad.text or field == "name"  # what she typed is kept
    in_french(client)
    bad = post(client, "/admin/programmes", **{**good, "currency": "XYZ"})
    assert "devise inconnue &#39;XYZ&#39;" in bad.text and "Nouveau programme" in bad.text
    assert counts(db) == before

    for absent in ("/admin/programmes/9999/branches", "/admin/branches/9999/agents"):
        assert client.get(absent).status_code == 404

    made = post(client, "/admin/programmes", **good)
    assert made.status_code == 303
    pid = int(made.headers["location"].split("/")[3])
    page = client.get(made.headers["location"])
    assert "Programme Uganda SHG créé : ajoutez ses agences." in page.text
    assert "Aucune agence pour l'instant." in page.text
    page = client.get(f"/admin/programmes/{pid}/training-modules")
    assert "Aucun module de formation pour l'instant." in page.text
    assert "<table" not in page.text
    after = counts(db)
    assert (after[0], after[-1]) == (before[0] + 1, before[-1] + 1)
    assert programmes.programme_of(db, pid).currency == "UGX"


def test_a_country_manager_sets_up_her_programme_only(
    client: TestClient, org: Org, db: Database
) -> None:
    pid = org.world.programme_id
    other = programmes.create_programme(db, "XX", "Other", "KE", "KES")
    login(client, "manager")
    page = client.get("/admin/programmes")
    assert "Test programme" in page.text and "Other" not in page.text
    assert "New programme" not in page.text
    before = counts(db)
    assert (
        post(
            client, "/admin/programmes", code="Y", name="Y", country="KE", currency="KES"
        ).status_code
        == 403
    )
    for path in ("branches", "training-modules", "value-chains"):
        assert client.get(f"/admin/programmes/{other}/{path}").status_code == 404
        assert (
            post(client, f"/admin/programmes/{other}/{path}", name="N", code="n").status_code == 404
        )
    bad = post(client, f"/admin/programmes/{pid}/branches", name="thika")
    assert bad.status_code == 422
    assert "branch &#39;thika&#39; already exists in this programme" in bad.text
    bad = post(
        client, f"/admin/programmes/{pid}/training-modules",
        code="tea", name="Tea", category="farming", expected_hours="2",
    )  # fmt: skip
    assert bad.status_code == 422 and 'id="category-error">Choose one of the list.' in bad.text
    bad = post(
        client, f"/admin/programmes/{pid}/training-modules",
        code="tea", name="Tea", category="vocational", expected_hours="0",
    )  # fmt: skip
    assert 'id="expected_hours-error">expected_hours must be more than zero' in bad.text
    bad = post(client, f"/admin/programmes/{pid}/value-chains", code="dairy", name="")
    assert bad.status_code == 422 and 'id="name-error">name is required' in bad.text
    assert counts(db) == before

    assert post(client, f"/admin/programmes/{pid}/branches", name="Nyeri").status_code == 303
    made = post(
        client, f"/admin/programmes/{pid}/training-modules",
        code="tea", name="Tea growing", category="vocational", expected_hours="4.5",
        material_format="pictorial",
    )  # fmt: skip
    assert made.status_code == 303
    page = client.get(made.headers["location"])
    assert "Training module Tea growing added." in page.text and "pictorial" in page.text
    assert '<td data-label="Code">tea</td>' in page.text
    made = post(client, f"/admin/programmes/{pid}/value-chains", code="dairy", name="Dairy")
    assert "Value chain Dairy added." in client.get(made.headers["location"]).text
    dup = post(client, f"/admin/programmes/{pid}/value-chains", code="dairy", name="Milk")
    assert dup.status_code == 422 and "value chain &#39;dairy&#39; already exists" in dup.text
    page = client.get(f"/admin/programmes/{pid}/branches")
    assert "Nyeri" in page.text and "Thika" in page.text
    assert counts(db) == tuple(n + d for n, d in zip(before, (0, 1, 0, 1, 1, 3), strict=True))


def test_field_agents_of_a_branch_by_its_manager(
    client: TestClient, org: Org, db: Database
) -> None:
    bid = org.world.branch_id
    nyeri = programmes.create_branch(db, org.world.programme_id, "Nyeri")
    login(client, "branch")
    index = client.get("/admin")
    assert index.status_code == 200 and f'href="/admin/branches/{bid}/agents"' in index.text
    page = client.get(f"/admin/branches/{bid}/agents")
    assert "Agent A" in page.text and "agentb" in page.text  # her login, linked on her account
    assert client.get(f"/admin/branches/{nyeri}/agents").status_code == 404
    assert post(client, f"/admin/branches/{nyeri}/agents", name="C").status_code == 404
    assert client.get("/admin/programmes").status_code == 403
    assert client.get(f"/admin/programmes/{org.world.programme_id}/branches").status_code == 403
    before = counts(db)
    bad = post(client, f"/admin/branches/{bid}/agents", name="AGENT A")
    assert bad.status_code == 422
    assert "field agent &#39;AGENT A&#39; already works in this branch" in bad.text
    in_french(client)
    bad = post(client, f"/admin/branches/{bid}/agents", name="Agent C", phone="soon")
    assert "&#39;soon&#39; n&#39;est pas un numéro de téléphone" in bad.text
    assert 'value="Agent C"' in bad.text
    assert counts(db) == before
    made = post(client, f"/admin/branches/{bid}/agents", name="Agent C", phone="+254 700")
    assert made.status_code == 303
    page = client.get(made.headers["location"])
    assert "Agent de terrain Agent C ajouté." in page.text
    assert "pas encore d'identifiant" in page.text
    assert counts(db)[2] == before[2] + 1 and counts(db)[-1] == before[-1] + 1


@pytest.mark.parametrize("login_name", ["agent", "donor"])
def test_roles_that_set_nothing_up_are_refused(
    client: TestClient, org: Org, db: Database, login_name: str
) -> None:
    pid, bid = org.world.programme_id, org.world.branch_id
    login(client, login_name)
    before = counts(db)
    for path in (
        "/admin/programmes",
        f"/admin/programmes/{pid}/branches",
        f"/admin/branches/{bid}/agents",
        f"/admin/programmes/{pid}/training-modules",
        f"/admin/programmes/{pid}/value-chains",
    ):
        assert client.get(path).status_code == 403, path
        assert post(client, path, name="N", code="n").status_code == 403, path
    assert counts(db) == before
