"""The synthetic programme: deterministic, and its bulk path books exactly what the real
services book."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    audit_log,
    journal_entry,
    journal_line,
    ledger_account,
    loan,
    loan_arrears,
    loan_instalment,
    loan_transaction,
    meeting,
    meeting_line,
    member,
    membership,
    officer_term,
    savings_group,
)
from kuza.domain.errors import Conflict
from kuza.services import ledger_check, meetings
from kuza.services.loans.close_day import close_day
from kuza.services.synth import Mode, SynthSpec, group_sheets, plan_group, synthesise

pytestmark = pytest.mark.storage

SPEC = SynthSpec(groups=3, months=2, seed=11)


def ledger_by_names(db: Database, programme_id: int) -> dict[tuple[Any, ...], Any]:
    """Every account of a programme by (code, group name, member name): its balance and
    its lines (date, amount) in posting order. Ids differ between programmes; names not."""
    with db.read() as conn:
        accounts = conn.execute(
            select(
                ledger_account.c.id,
                ledger_account.c.code,
                savings_group.c.name.label("group_name"),
                member.c.name.label("member_name"),
                ledger_account.c.balance_minor,
            )
            .outerjoin(savings_group, savings_group.c.id == ledger_account.c.group_id)
            .outerjoin(member, member.c.id == ledger_account.c.member_id)
            .where(ledger_account.c.programme_id == programme_id)
        ).all()
        lines: dict[int, list[tuple[Any, int]]] = {}
        for r in conn.execute(
            select(
                journal_line.c.account_id, journal_entry.c.posted_on, journal_line.c.amount_minor
            )
            .join(journal_entry, journal_entry.c.id == journal_line.c.entry_id)
            .where(journal_line.c.programme_id == programme_id)
            .order_by(journal_entry.c.posted_on, journal_line.c.amount_minor)
        ):
            lines.setdefault(r.account_id, []).append((r.posted_on, r.amount_minor))
    return {
        (a.code, a.group_name, a.member_name): (a.balance_minor, lines.get(a.id, []))
        for a in accounts
    }


def counts(db: Database, programme_id: int) -> dict[str, int]:
    tables = (
        savings_group,
        member,
        membership,
        officer_term,
        meeting,
        meeting_line,
        journal_entry,
        journal_line,
        ledger_account,
    )
    with db.read() as conn:
        return {
            t.name: conn.execute(
                select(func.count()).select_from(t).where(t.c.programme_id == programme_id)
            ).scalar_one()
            for t in tables
        }


def test_bulk_path_books_the_same_ledger_as_the_services(db: Database) -> None:
    service = synthesise(db, replace(SPEC, code="SVC"), Mode.SERVICE)
    bulk = synthesise(db, replace(SPEC, code="BULK"), Mode.BULK, batch_groups=2)

    assert service.meetings == bulk.meetings > 0
    assert service.lines == bulk.lines > 0
    assert counts(db, service.programme_id) == counts(db, bulk.programme_id)
    by_service = ledger_by_names(db, service.programme_id)
    assert by_service == ledger_by_names(db, bulk.programme_id)
    assert any(balance != 0 for balance, _ in by_service.values())
    assert ledger_check.check(db) == []


def test_a_bulk_booked_sheet_posted_again_through_the_service_books_nothing(
    db: Database,
) -> None:
    spec = SynthSpec(groups=1, months=1, seed=5)
    result = synthesise(db, spec, Mode.BULK)
    with db.read() as conn:
        gid = conn.execute(
            select(savings_group.c.id).where(savings_group.c.programme_id == result.programme_id)
        ).scalar_one()
        mids = list(
            conn.execute(
                select(membership.c.member_id)
                .where(membership.c.group_id == gid)
                .order_by(membership.c.id)
            ).scalars()
        )
        audits = conn.execute(select(func.count()).select_from(audit_log)).scalar_one()
    again = list(group_sheets(spec, plan_group(spec, 0), gid, mids))
    posted = meetings.post_meeting(db, again[-1], "test", spec.end)
    assert posted.created is False
    with db.read() as conn:
        assert conn.execute(select(func.count()).select_from(audit_log)).scalar_one() == audits
    assert ledger_check.check(db) == []


def test_the_same_seed_gives_the_same_programme_and_a_reload_is_refused(db: Database) -> None:
    assert plan_group(SPEC, 2) == plan_group(SPEC, 2)
    assert plan_group(SPEC, 2) != plan_group(SynthSpec(3, 2, seed=12), 2)
    plan = plan_group(SPEC, 0)
    assert 15 <= len(plan.members) <= 25
    assert len({m.name for m in plan.members}) == len(plan.members)
    synthesise(db, SynthSpec(groups=1, months=1, seed=2))
    with pytest.raises(Conflict):
        synthesise(db, SynthSpec(groups=1, months=1, seed=2))


def loan_book_by_names(db: Database, programme_id: int) -> list[tuple[Any, ...]]:
    """Every loan with its instalments and transactions, by member name, not by id."""
    with db.read() as conn:
        loans = conn.execute(
            select(loan, member.c.name.label("member_name"))
            .join(member, member.c.id == loan.c.member_id)
            .where(loan.c.programme_id == programme_id)
        ).all()
        instalments = conn.execute(
            select(loan_instalment).where(loan_instalment.c.programme_id == programme_id)
        ).all()
        txs = conn.execute(
            select(loan_transaction).where(loan_transaction.c.programme_id == programme_id)
        ).all()
    skip = {"id", "loan_id", "programme_id", "group_id", "member_id", "product_id", "terms"}
    skip |= {"entry_id", "reference", "created_at", "allocation"}

    def plain(row: Any) -> tuple[Any, ...]:
        return tuple(sorted((k, v) for k, v in row._mapping.items() if k not in skip))

    book = []
    for ln in loans:
        book.append(
            (
                ln.member_name,
                plain(ln),
                sorted(plain(i) for i in instalments if i.loan_id == ln.id),
                sorted(plain(t) for t in txs if t.loan_id == ln.id),
                sorted(ln.terms.items()),
            )
        )
    return sorted(book, key=repr)


def test_the_loan_step_books_the_same_loans_and_ledger_on_both_paths(db: Database) -> None:
    spec = SynthSpec(groups=2, months=6, seed=3, loans=True)
    service = synthesise(db, replace(spec, code="LSVC"), Mode.SERVICE)
    bulk = synthesise(db, replace(spec, code="LBULK"), Mode.BULK, batch_groups=1)

    assert service.loans == bulk.loans > 5
    assert counts(db, service.programme_id) == counts(db, bulk.programme_id)
    assert ledger_by_names(db, service.programme_id) == ledger_by_names(db, bulk.programme_id)
    book = loan_book_by_names(db, service.programme_id)
    assert book == loan_book_by_names(db, bulk.programme_id)
    kinds = {dict(b[1])["kind"] for b in book}
    statuses = {dict(b[1])["status"] for b in book}
    assert kinds == {"internal", "external"}
    assert {"closed", "disbursed"} <= statuses
    with db.read() as conn:
        audits = {
            pid: conn.execute(
                select(func.count()).where(audit_log.c.programme_id == pid)
            ).scalar_one()
            for pid in (service.programme_id, bulk.programme_id)
        }
    assert audits[service.programme_id] == audits[bulk.programme_id]
    assert ledger_check.check(db) == []
    # close-day finds some of them late, whichever path booked them
    day = spec.end
    close_day(db, day, "test")
    with db.read() as conn:
        late = dict(
            conn.execute(
                select(loan_arrears.c.programme_id, func.count())
                .where(loan_arrears.c.days_past_due > 0)
                .group_by(loan_arrears.c.programme_id)
            ).all()
        )
    assert late[service.programme_id] == late[bulk.programme_id] > 0


def test_loans_without_meetings_are_external_only(db: Database) -> None:
    spec = SynthSpec(groups=2, months=3, seed=4, loans=True, meetings=False)
    result = synthesise(db, spec, Mode.BULK)
    assert result.meetings == 0 and result.loans > 0
    with db.read() as conn:
        kinds = set(
            conn.execute(
                select(loan.c.kind).where(loan.c.programme_id == result.programme_id)
            ).scalars()
        )
    assert kinds == {"external"}
    assert ledger_check.check(db) == []
