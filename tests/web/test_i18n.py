"""English and French: the user's choice kept on her account, every message of the
sources in the French catalogue, dates and numbers per locale."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from kuza.adapters.db.engine import Database
from kuza.services import users
from kuza.web import i18n
from tests.web.conftest import Org, csrf_of, login

WEB = Path(i18n.__file__).parent


def _ids(path: Path) -> set[str]:
    with path.open("rb") as f:
        return {str(m.id) for m in read_po(f) if m.id}


def test_french_catalogue_covers_every_message_of_the_sources(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    CommandLineInterface().run(
        [
            "pybabel",
            "-q",
            "extract",
            "-F",
            str(WEB / "babel.cfg"),
            "-k",
            "N_",
            "-o",
            str(pot),
            str(WEB),
        ]
    )
    french = WEB / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
    missing = _ids(pot) - _ids(french)
    assert missing == set(), "run the extract in babel.cfg and translate these"
    with french.open("rb") as f:
        untranslated = [m.id for m in read_po(f) if m.id and not m.string]
    assert untranslated == []


def test_numbers_and_dates_follow_the_locale() -> None:
    from datetime import date

    from kuza.domain.money import Money

    assert i18n.format_money(Money.of("1250.5", "KES"), "en") == "1,250.50 KES"
    assert i18n.format_money(Money.of("1250.5", "KES"), "fr") == "1\u202f250,50 KES"
    assert i18n.format_day(date(2026, 2, 9), "fr") == "9 févr. 2026"
    assert i18n.pick("fr-MG") == "fr"
    assert i18n.pick("sw", None) == "en"


@pytest.mark.storage
def test_switching_to_french_is_kept_on_the_account(
    client: TestClient, org: Org, db: Database
) -> None:
    login(client, "agent")
    page = client.get(f"/groups/{org.world.group_id}")
    assert "Fund cash" in page.text
    r = client.post(
        "/locale",
        data={"csrf_token": csrf_of(page.text), "locale": "fr", "next": page.url.path},
    )
    assert (r.status_code, r.headers["location"]) == (303, f"/groups/{org.world.group_id}")
    page = client.get(f"/groups/{org.world.group_id}")
    assert '<html lang="fr">' in page.text
    assert "Caisse du groupe" in page.text
    assert "16 févr. 2026" not in page.text and "9 févr. 2026" in page.text
    agent = users.authenticate(db, "agent", "correct horse battery")
    assert users.locale_of(db, agent.user_id) == "fr"
    client.cookies.clear()  # a new session on another phone: still French
    login(client, "agent")
    assert "Groupes" in client.get("/groups").text


@pytest.mark.storage
def test_the_login_page_follows_the_browser_until_chosen(client: TestClient, org: Org) -> None:
    page = client.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert "Se connecter" in page.text
    form = {"csrf_token": csrf_of(page.text), "username": "agent", "password": "wrong"}
    r = client.post("/login", data=form, headers={"Accept-Language": "fr"})
    assert "nom d'utilisateur ou mot de passe incorrect" in r.text


def test_text_for_files_sets_values_as_typed() -> None:
    """A PDF is not HTML: names are printed as typed, not as HTML escapes."""
    name = "N'Diaye & <Co>"
    assert i18n.text_for("fr")("Group: %(group)s.", group=name) == f"Groupe : {name}."
    assert "&amp;" in i18n.gettext_for("fr")("Group: %(group)s.", group=name)  # the pages'


def _defined(path: Path) -> list[tuple[str, str]]:
    """(context, id) of every entry as written in the file, duplicates included (Babel's
    reader keeps one of two entries with the same id silently: the first one)."""
    keys: list[tuple[str, str]] = []
    context, field, parts = "", "", {"msgctxt": "", "msgid": ""}
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        head = line.split(" ", 1)[0]
        if head in ("msgctxt", "msgid", "msgid_plural") or head.startswith("msgstr"):
            if head == "msgid":
                parts["msgid"] = ""
            field = head
            parts.setdefault(field, "")
            parts[field] = line.split(" ", 1)[1].strip('"')
        elif line.startswith('"') and field in ("msgctxt", "msgid"):
            parts[field] += line.strip('"')
        elif not line.strip() and field:
            if parts["msgid"]:
                keys.append((context or parts["msgctxt"], parts["msgid"]))
            context, field, parts = "", "", {"msgctxt": "", "msgid": ""}
    return keys


@pytest.mark.parametrize("domain", ["messages", "errors"])
def test_no_message_is_translated_twice(domain: str) -> None:
    path = WEB / "translations" / "fr" / "LC_MESSAGES" / f"{domain}.po"
    keys = _defined(path)
    twice = sorted({k for k in keys if keys.count(k) > 1})
    assert len(keys) > 100
    assert twice == [], f"entries defined twice in {domain}.po (the second is ignored)"
