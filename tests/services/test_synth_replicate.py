"""A loan book grown by ``replicate`` in SQL is the seed booked again under other ids: each
copy's groups, members, loans, instalments, transactions, entries and lines equal the
seed's once ids are read as positions; every name written with an id carries the copy's
id; the ledger checks clean; close-day finds the same arrears and figures in every copy."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    audit_log,
    journal_entry,
    journal_line,
    ledger_account,
    loan,
    loan_arrears,
    loan_instalment,
    loan_performance,
    loan_transaction,
    member,
    membership,
    savings_group,
)
from kuza.domain.errors import Conflict
from kuza.services import ledger_check
from kuza.services.loans.close_day import close_day
from kuza.services.synth import SynthSpec, synthesise
from kuza.services.synth_replicate import COPIED, replicate

pytestmark = pytest.mark.storage

SPEC = SynthSpec(groups=3, months=8, seed=5, loans=True, meetings=False)
COPIES = 2


def _counts(conn: Connection, pid: int) -> dict[str, int]:
    return {
        t.name: conn.execute(
            select(func.count()).select_from(t).where(t.c.programme_id == pid)
        ).scalar_one()
        for t in COPIED
    }


def _blocks(conn: Connection, table: Any, pid: int) -> list[dict[int, int]]:
    """The ids of ``table`` cut into the seed and its copies (each a block of ids in
    order), every id mapped to its position in its block."""
    ids = list(
        conn.execute(
            select(table.c.id).where(table.c.programme_id == pid).order_by(table.c.id)
        ).scalars()
    )
    size = len(ids) // (COPIES + 1)
    assert size * (COPIES + 1) == len(ids)
    return [{i: n for n, i in enumerate(ids[b * size : (b + 1) * size])} for b in range(COPIES + 1)]


def _view(conn: Connection, pid: int, b: int) -> dict[str, Any]:
    """Block ``b`` of the book with every id replaced by its position in its block, and
    the names carrying ids checked against the formats the bulk path writes."""
    groups = _blocks(conn, savings_group, pid)[b]
    members = _blocks(conn, member, pid)[b]
    loans = _blocks(conn, loan, pid)[b]
    g = {**groups, None: None}
    m = {**members, None: None}
    view: dict[str, Any] = {}
    view["groups"] = sorted(
        (groups[r.id], r.name.split("/")[0], r.branch_id, r.agent_id, r.formed_on)
        for r in conn.execute(select(savings_group).where(savings_group.c.id.in_(groups)))
    )
    view["members"] = sorted(
        (members[r.id], r.name, r.sex, r.birth_year, r.phone)
        for r in conn.execute(select(member).where(member.c.id.in_(members)))
    )
    view["memberships"] = sorted(
        (g[r.group_id], m[r.member_id], r.joined_on)
        for r in conn.execute(select(membership).where(membership.c.member_id.in_(members)))
    )
    view["loans"] = sorted(
        (
            loans[r.id],
            g[r.group_id],
            m[r.member_id],
            r.kind,
            r.principal_minor,
            r.status,
            r.product_id,
            r.disbursed_on,
            r.closed_on,
            r.terms["principal"],
        )
        for r in conn.execute(select(loan).where(loan.c.id.in_(loans)))
    )
    view["instalments"] = sorted(
        (
            loans[r.loan_id],
            r.n,
            r.due_on,
            r.principal_minor,
            r.interest_minor,
            r.penalty_minor,
            r.principal_paid_minor,
            r.interest_paid_minor,
        )
        for r in conn.execute(select(loan_instalment).where(loan_instalment.c.loan_id.in_(loans)))
    )
    member_of = dict(
        conn.execute(select(loan.c.id, loan.c.member_id).where(loan.c.id.in_(loans))).all()
    )
    accounts = {
        r.id: (r.code, g.get(r.group_id, "?"), m.get(r.member_id, "?"))
        for r in conn.execute(select(ledger_account).where(ledger_account.c.programme_id == pid))
    }
    txs, entries = [], []
    tx = loan_transaction.c
    for r in conn.execute(
        select(loan_transaction, journal_entry.c.idempotency_key, journal_entry.c.source)
        .add_columns(journal_entry.c.memo, journal_entry.c.posted_on)
        .join(journal_entry, journal_entry.c.id == tx.entry_id)
        .where(tx.loan_id.in_(loans))
    ):
        if r.kind == "disbursement":
            key = f"loan:{r.loan_id}:disbursement"
            memo = f"Loan {r.loan_id} disbursed to member {member_of[r.loan_id]}"
            assert (r.reference, r.idempotency_key, r.source, r.memo) == (key, key, key, memo)
        else:
            n = r.reference.rsplit(":", 1)[1]
            assert r.reference == f"synth:{r.loan_id}:{n}"
            assert r.idempotency_key == f"loan-repayment:synth:{r.loan_id}:{n}"
            assert (r.source, r.memo) == (f"loan:{r.loan_id}", f"Repayment of loan {r.loan_id}")
        lines = sorted(
            (accounts[a], amount)
            for a, amount in conn.execute(
                select(journal_line.c.account_id, journal_line.c.amount_minor).where(
                    journal_line.c.entry_id == r.entry_id
                )
            )
        )
        txs.append((loans[r.loan_id], r.kind, r.on_date, r.amount_minor, r.allocation))
        entries.append((loans[r.loan_id], r.kind, r.posted_on, lines))
    view["transactions"], view["entries"] = sorted(txs), sorted(entries, key=repr)
    view["accounts"] = sorted(
        (r.code, g[r.group_id], m[r.member_id], r.balance_minor)
        for r in conn.execute(
            select(ledger_account).where(
                ledger_account.c.programme_id == pid, ledger_account.c.member_id.in_(members)
            )
        )
    )
    view["arrears"] = sorted(
        (loans[r.loan_id], *r[2:])
        for r in conn.execute(select(loan_arrears).where(loan_arrears.c.loan_id.in_(loans)))
    )
    view["performance"] = sorted(
        (loans[r.loan_id], *r[2:])
        for r in conn.execute(select(loan_performance).where(loan_performance.c.loan_id.in_(loans)))
    )
    return view


def _by_code(conn: Connection, pid: int) -> dict[str, int]:
    a = ledger_account.c
    return dict(
        conn.execute(
            select(a.code, func.sum(a.balance_minor)).where(a.programme_id == pid).group_by(a.code)
        ).all()
    )


def test_copies_are_the_seed_under_other_ids(db: Database) -> None:
    pid = synthesise(db, SPEC).programme_id
    with db.read() as conn:
        seed = _counts(conn, pid)
        seed_codes = _by_code(conn, pid)
        seed_status = Counter(conn.execute(select(loan.c.status)).scalars())
        seed_audit = Counter(
            conn.execute(select(audit_log.c.object_kind).where(audit_log.c.programme_id == pid))
        )
    assert seed["loan"] > 10 and seed_status["closed"] and seed_status["disbursed"]

    done = replicate(db, pid, COPIES)

    assert ledger_check.check(db) == []
    with db.read() as conn:
        counts = _counts(conn, pid)
        shared = conn.execute(
            select(func.count()).where(
                ledger_account.c.programme_id == pid,
                ledger_account.c.group_id.is_(None),
                ledger_account.c.member_id.is_(None),
            )
        ).scalar_one()
        audit = Counter(
            conn.execute(select(audit_log.c.object_kind).where(audit_log.c.programme_id == pid))
        )
        assert {k: v for k, v in counts.items() if k not in ("ledger_account", "audit_log")} == {
            k: v * (COPIES + 1) for k, v in seed.items() if k not in ("ledger_account", "audit_log")
        }
        assert counts["ledger_account"] == (seed["ledger_account"] - shared) * 3 + shared
        for kind in ("group", "member", "officer_term", "loan", "loan_fund"):
            assert audit[kind] == seed_audit[kind] * (COPIES + 1), kind
        assert audit["programme"] == seed_audit["programme"]  # the set-up is not copied
        assert done.rows["loan"] == seed["loan"] * COPIES
        assert _by_code(conn, pid) == {k: v * (COPIES + 1) for k, v in seed_codes.items()}
        assert Counter(conn.execute(select(loan.c.status)).scalars()) == {
            k: v * (COPIES + 1) for k, v in seed_status.items()
        }
        # audit rows name the copy's objects: a disbursement's entry is that loan's
        keys = dict(conn.execute(select(journal_entry.c.id, journal_entry.c.idempotency_key)).all())
        disbursed = conn.execute(
            select(audit_log.c.object_id, audit_log.c.after).where(audit_log.c.action == "disburse")
        ).all()
        assert len(disbursed) == seed["loan"] * (COPIES + 1)
        for object_id, after in disbursed:
            assert keys[after["entry_id"]] == f"loan:{object_id}:disbursement"
        for object_id, after in conn.execute(
            select(audit_log.c.object_id, audit_log.c.after).where(audit_log.c.action == "enrol")
        ):
            group_of = conn.execute(
                select(membership.c.group_id).where(membership.c.member_id == int(object_id))
            ).scalar_one()
            assert after["group_id"] == group_of
        borrower = dict(conn.execute(select(loan.c.id, loan.c.member_id)).all())
        applied = conn.execute(
            select(audit_log.c.object_id, audit_log.c.after).where(audit_log.c.action == "apply")
        ).all()
        assert len(applied) == seed["loan"] * (COPIES + 1)
        for object_id, after in applied:
            assert after["member_id"] == borrower[int(object_id)]
        names = list(conn.execute(select(savings_group.c.name).order_by(savings_group.c.id)))
        assert len({n for (n,) in names}) == len(names)

    # close-day sees the same book in every copy
    close_day(db, SPEC.end + timedelta(days=20), "test")
    assert ledger_check.check(db) == []
    with db.read() as conn:
        views = [_view(conn, pid, b) for b in range(COPIES + 1)]
    assert views[0]["arrears"] and views[0]["performance"] and views[0]["entries"]
    assert any(i[5] for i in views[0]["instalments"]), "some penalty charged"
    for other in views[1:]:
        for part, rows in views[0].items():
            assert other[part] == rows, part


def test_refuses_what_it_does_not_copy_and_changes_nothing(db: Database) -> None:
    pid = synthesise(db, SynthSpec(groups=1, months=1, seed=2)).programme_id  # meetings
    with db.read() as conn:
        before = _counts(conn, pid)
    with pytest.raises(Conflict) as refused:
        replicate(db, pid, 1)
    assert refused.value.field == "programme_id"
    with pytest.raises(Conflict):
        replicate(db, pid, 0)
    with db.read() as conn:
        assert _counts(conn, pid) == before
