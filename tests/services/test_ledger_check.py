"""`kuza ledger check` must find tampering: it is only worth something if it can fail."""

from __future__ import annotations

from datetime import date

from sqlalchemy import insert, select, update

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import journal_entry, journal_line, ledger_account, meeting_line
from kuza.services.ledger import now
from kuza.services.ledger_check import SENTENCES, Finding, FindingKind, check
from kuza.services.meetings import post_meeting
from tests.factories import make_world, sheet

TODAY = date(2026, 6, 1)


def _posted(db: Database):
    w = make_world(db)
    post_meeting(db, sheet(w, date(2026, 1, 12), m0={"voluntary": "30"}), "agent", TODAY)
    return w


def test_clean_books_have_no_findings(db: Database) -> None:
    _posted(db)
    assert check(db) == []


def test_finds_a_changed_line(db: Database) -> None:
    _posted(db)
    with db.transaction() as conn:
        first = conn.execute(select(journal_line.c.id).limit(1)).scalar_one()
        conn.execute(
            update(journal_line)
            .where(journal_line.c.id == first)
            .values(amount_minor=journal_line.c.amount_minor + 1)
        )
    findings = [str(f) for f in check(db)]
    assert any("does not balance" in f for f in findings)
    assert any("but its lines add to" in f for f in findings)


def test_finds_a_stored_balance_that_drifted(db: Database) -> None:
    _posted(db)
    with db.transaction() as conn:
        conn.execute(
            update(ledger_account).values(balance_minor=ledger_account.c.balance_minor + 7)
        )
    findings = check(db)
    assert findings and all(f.kind is FindingKind.DRIFTED_BALANCE for f in findings)
    assert all(int(str(f.values["stored"])) - int(str(f.values["lines"])) == 7 for f in findings)
    assert all("but its lines add to" in str(f) for f in findings)


def test_finds_a_meeting_sheet_that_disagrees_with_its_entry(db: Database) -> None:
    _posted(db)
    with db.transaction() as conn:
        conn.execute(
            update(meeting_line).values(voluntary_minor=meeting_line.c.voluntary_minor + 100)
        )
    assert any("sheet nets" in str(f) for f in check(db))


def test_finds_an_entry_without_lines(db: Database) -> None:
    w = _posted(db)
    with db.transaction() as conn:
        conn.execute(
            insert(journal_entry).values(
                programme_id=w.programme_id,
                posted_on=TODAY,
                memo="ghost",
                source="",
                created_at=now(),
                created_by="x",
            )
        )
    assert any("has no lines" in str(f) for f in check(db))


def test_every_finding_is_a_kind_and_values_worded_in_the_request_language() -> None:
    from kuza.domain.errors import messages_in
    from kuza.web.i18n import error_translations

    assert set(SENTENCES) == set(FindingKind)
    values = {"member": 7, "programme": 1, "code": "1100", "group": 3, "owed": 500, "shown": 0}
    internal = Finding(FindingKind.LOAN_RECEIVABLE, values)
    external = Finding(FindingKind.LOAN_RECEIVABLE, values | {"code": "1110", "group": None})
    assert [str(internal), str(external)] == [
        "loans of member 7 (1:1100, group 3): loan tables owe 500 minor units "
        "but the receivable shows 0",
        "loans of member 7 (1:1110): loan tables owe 500 minor units but the receivable shows 0",
    ]
    with messages_in(error_translations("fr").gettext):
        assert [internal.message, external.message] == [
            "prêts du membre 7 (1:1100, groupe 3) : les tables de prêts doivent 500 unités "
            "mineures mais la créance affiche 0",
            "prêts du membre 7 (1:1110) : les tables de prêts doivent 500 unités mineures mais "
            "la créance affiche 0",
        ]
    assert internal.message.startswith("loans of member 7")  # English again outside
