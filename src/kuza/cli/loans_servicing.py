"""``kuza loan withdraw|undo-approval|reschedule|write-off|recover|reverse-repayment|
call-guarantee|refund-overpayment|apply-overpayment``: what happens to a loan after its
application, beside the everyday commands of
``loans_book``. Bad input exits with code 2 and names the field. A write-off and a
reversal are submitted for a checker (``kuza approval``); undoing an approval,
rescheduling and settling a guarantee need a checker's login (``--actor``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

import typer

from kuza.adapters.db.engine import Database
from kuza.cli.accounts import Account, account, loan_checker
from kuza.cli.approvals import submit
from kuza.cli.common import DateOpt, console, domain_errors, parse_day, today_or
from kuza.domain.approvals import PendingKind
from kuza.domain.errors import DomainError
from kuza.services.loans import applications, guarantees, overpayments, writeoff

Actor = Annotated[str, typer.Option(help="Who records it.")]
On = Annotated[str | None, typer.Option(help="Date (default today).")]
Reason = Annotated[str, typer.Option(help="Why (kept in the audit trail).")]
Ref = Annotated[str, typer.Option(help="Receipt number; reusing it books nothing.")]


def withdraw(
    loan_id: int, reason: Reason = "", on: On = None, actor: Actor = "cli", today: DateOpt = None
) -> None:
    """The member no longer wants the loan (before disbursement)."""
    with domain_errors():
        day = today_or(today)
        status = applications.withdraw(
            Database(), loan_id, parse_day(on, "on", day), reason, actor, day
        )
    console.print(f"loan {loan_id} {status.value}")


def undo_approval(
    loan_id: int, reason: Reason, actor: Account, on: On = None, today: DateOpt = None
) -> None:
    """Take back an approval before disbursement; the loan is applied for again (a
    checker's login)."""
    with domain_errors():
        day = today_or(today)
        db = Database()
        user = loan_checker(db, actor, loan_id)
        status = applications.undo_approval(
            db, loan_id, parse_day(on, "on", day), reason, user.username, day
        )
    console.print(f"loan {loan_id} {status.value} again")


def _changes(raw: str, instalments: int | None) -> dict[str, Any]:
    try:
        changes = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise DomainError(f"--terms is not JSON: {exc.msg}", field="terms") from None
    if not isinstance(changes, dict):
        raise DomainError('--terms must be a JSON object like {"instalments": 6}', "terms")
    if instalments is not None:
        changes["instalments"] = instalments
    if not changes:
        raise DomainError("say what changes: --instalments or --terms", field="terms")
    return changes


def reschedule(
    loan_id: int,
    reason: Reason,
    actor: Account,
    instalments: Annotated[int | None, typer.Option(help="New number of instalments.")] = None,
    terms: Annotated[str, typer.Option(help='Other term changes as JSON, e.g. {"every": '
                                            '{"n": 2, "unit": "week"}}.')] = "{}",
    on: On = None,
    today: DateOpt = None,
) -> None:  # fmt: skip
    """Re-spread the principal still owed on new terms from the reschedule date (a
    checker's login)."""
    with domain_errors():
        day = today_or(today)
        db = Database()
        user = loan_checker(db, actor, loan_id)
        done = writeoff.reschedule(
            db,
            loan_id,
            parse_day(on, "on", day),
            _changes(terms, instalments),
            reason,
            user.username,
            day,
        )
    console.print(
        f"loan {loan_id} rescheduled: {done.principal} over {done.instalments} instalments"
    )


def write_off(
    loan_id: int, reason: Reason, actor: Account, on: On = None, today: DateOpt = None
) -> None:
    """Submit the write-off of the principal still owed; another login (a checker, not
    who made the loan) approves it with ``kuza approval approve``."""
    with domain_errors():
        day = today_or(today)
        db = Database()
        user = account(db, actor)
        payload = {"loan_id": loan_id, "on": parse_day(on, "on", day).isoformat()}
        line = submit(db, user, PendingKind.WRITE_OFF, payload, reason, today)
    console.print(line)


def recover(
    loan_id: int, amount: str, ref: Ref, on: On = None, actor: Actor = "cli", today: DateOpt = None
) -> None:
    """Money received on a written-off loan."""
    with domain_errors():
        day = today_or(today)
        r = writeoff.recover(Database(), loan_id, amount, parse_day(on, "on", day), ref, actor, day)
    verb = "booked" if r.created else "already booked, nothing changed"
    console.print(f"recovery {verb}; loan {r.status.value}")


def reverse_repayment(
    loan_id: int, ref: Annotated[str, typer.Option(help="The repayment's reference.")],
    reason: Reason, actor: Account, on: On = None, today: DateOpt = None,
) -> None:  # fmt: skip
    """Submit the reversal of a repayment booked by mistake; another login (a checker,
    who did not record the repayment) approves it with ``kuza approval approve``."""
    with domain_errors():
        day = today_or(today)
        db = Database()
        user = account(db, actor)
        payload = {"loan_id": loan_id, "reference": ref.strip(),
                   "on": parse_day(on, "on", day).isoformat()}  # fmt: skip
        line = submit(db, user, PendingKind.REPAYMENT_REVERSAL, payload, reason, today)
    console.print(line)


def call_guarantee(
    loan_id: int,
    actor: Account,
    release: Annotated[bool, typer.Option(help="Release it all instead of calling it.")] = False,
    on: On = None,
    today: DateOpt = None,
) -> None:
    """Settle a written-off loan's guarantee: call what covers the loss, release the rest
    (a checker's login, not who applied for or disbursed the loan)."""
    with domain_errors():
        day = today_or(today)
        db = Database()
        user = loan_checker(db, actor, loan_id)
        done = guarantees.call_guarantee(
            db, loan_id, parse_day(on, "on", day), user.username, user.role.value, day,
            release=release,
        )  # fmt: skip
    console.print(
        f"guarantee of loan {loan_id}: {done.called} called, {done.released} released; "
        f"loan {done.status.value}"
    )


Amount = Annotated[str | None, typer.Argument(help="Default: all that is held.")]


def refund_overpayment(
    loan_id: int, ref: Ref, amount: Amount = None, on: On = None, actor: Actor = "cli",
    today: DateOpt = None,
) -> None:  # fmt: skip
    """Pay a held over-payment back to the member in cash."""
    with domain_errors():
        day = today_or(today)
        done = overpayments.refund_overpayment(
            Database(), loan_id, amount, parse_day(on, "on", day), ref, actor, day
        )
    verb = "refunded" if done.created else "already refunded, nothing changed"
    console.print(f"over-payment of {done.amount} {verb}")


def apply_overpayment(
    loan_id: int, to_loan: int, ref: Ref, amount: Amount = None, on: On = None,
    actor: Actor = "cli", today: DateOpt = None,
) -> None:  # fmt: skip
    """Use a held over-payment as a repayment of the member's next loan."""
    with domain_errors():
        day = today_or(today)
        r = overpayments.apply_overpayment(
            Database(), loan_id, to_loan, amount, parse_day(on, "on", day), ref, actor, day
        )
    verb = "applied" if r.created else "already applied, nothing changed"
    console.print(
        f"over-payment {verb} to loan {to_loan}: principal {r.principal}, interest "
        f"{r.interest}; loan {r.status.value}"
    )


COMMANDS: tuple[tuple[str, Callable[..., None]], ...] = (
    ("withdraw", withdraw),
    ("undo-approval", undo_approval),
    ("reschedule", reschedule),
    ("write-off", write_off),
    ("recover", recover),
    ("reverse-repayment", reverse_repayment),
    ("call-guarantee", call_guarantee),
    ("refund-overpayment", refund_overpayment),
    ("apply-overpayment", apply_overpayment),
)


def register(loan_app: typer.Typer) -> None:
    for name, fn in COMMANDS:
        loan_app.command(name)(fn)
