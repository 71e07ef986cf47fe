"""The loan status state machine, as one explicit table: status × event → status.

applied → approved → disbursed → closed, with the side roads a field officer meets:
an application is rejected or withdrawn; an approval is undone; a disbursed loan is
rescheduled (new terms, still active) or written off; money recovered after a write-off
is recorded against the written-off loan, and full recovery closes it as recovered.
Anything not in the table raises :class:`IllegalTransition` naming the status and event.
"""

from __future__ import annotations

from enum import StrEnum

from kuza.domain.errors import IllegalTransition


class LoanStatus(StrEnum):
    APPLIED = "applied"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    DISBURSED = "disbursed"  # active: repayments are due
    RESCHEDULED = "rescheduled"  # active under new terms
    CLOSED = "closed"  # repaid in full
    WRITTEN_OFF = "written_off"
    RECOVERED = "recovered"  # written off, then recovered in full


class LoanEvent(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    WITHDRAW = "withdraw"
    UNDO_APPROVAL = "undo_approval"
    DISBURSE = "disburse"
    UNDO_DISBURSAL = "undo_disbursal"
    REPAY = "repay"  # a repayment that leaves something owed
    REPAY_IN_FULL = "repay_in_full"
    RESCHEDULE = "reschedule"
    WRITE_OFF = "write_off"
    RECOVER = "recover"  # a recovery payment after write-off
    RECOVER_IN_FULL = "recover_in_full"
    REVERSE_REPAYMENT = "reverse_repayment"  # a repayment booked by mistake is undone


S, E = LoanStatus, LoanEvent

TRANSITIONS: dict[tuple[LoanStatus, LoanEvent], LoanStatus] = {
    (S.APPLIED, E.APPROVE): S.APPROVED,
    (S.APPLIED, E.REJECT): S.REJECTED,
    (S.APPLIED, E.WITHDRAW): S.WITHDRAWN,
    (S.APPROVED, E.UNDO_APPROVAL): S.APPLIED,
    (S.APPROVED, E.WITHDRAW): S.WITHDRAWN,
    (S.APPROVED, E.DISBURSE): S.DISBURSED,
    (S.DISBURSED, E.UNDO_DISBURSAL): S.APPROVED,
    (S.DISBURSED, E.REPAY): S.DISBURSED,
    (S.DISBURSED, E.REPAY_IN_FULL): S.CLOSED,
    (S.DISBURSED, E.RESCHEDULE): S.RESCHEDULED,
    (S.DISBURSED, E.WRITE_OFF): S.WRITTEN_OFF,
    (S.RESCHEDULED, E.REPAY): S.RESCHEDULED,
    (S.RESCHEDULED, E.REPAY_IN_FULL): S.CLOSED,
    (S.RESCHEDULED, E.RESCHEDULE): S.RESCHEDULED,
    (S.RESCHEDULED, E.WRITE_OFF): S.WRITTEN_OFF,
    (S.DISBURSED, E.REVERSE_REPAYMENT): S.DISBURSED,
    (S.RESCHEDULED, E.REVERSE_REPAYMENT): S.RESCHEDULED,
    (S.CLOSED, E.REVERSE_REPAYMENT): S.DISBURSED,
    (S.WRITTEN_OFF, E.RECOVER): S.WRITTEN_OFF,
    (S.WRITTEN_OFF, E.RECOVER_IN_FULL): S.RECOVERED,
}

ACTIVE = frozenset({S.DISBURSED, S.RESCHEDULED})
# Closed is not final: the repayment that closed a loan can be reversed (a mistake).
FINAL = frozenset({S.REJECTED, S.WITHDRAWN, S.RECOVERED})


def next_status(status: LoanStatus, event: LoanEvent) -> LoanStatus:
    try:
        return TRANSITIONS[(status, event)]
    except KeyError:
        raise IllegalTransition(status.value, event.value) from None


def reopened(status: LoanStatus, rescheduled: bool) -> LoanStatus:
    """The status after a repayment is reversed: an active loan stays as it is; a loan
    that repayment closed is active again, rescheduled if it had been rescheduled."""
    new = next_status(status, E.REVERSE_REPAYMENT)
    if status is S.CLOSED and rescheduled:
        return next_status(new, E.RESCHEDULE)
    return new


def allowed_events(status: LoanStatus) -> tuple[LoanEvent, ...]:
    """Events a loan in ``status`` accepts, in table order (for menus and messages)."""
    return tuple(event for (s, event) in TRANSITIONS if s is status)
