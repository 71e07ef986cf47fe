"""The loan status table: the happy path, the side roads and typed refusals."""

from __future__ import annotations

import pytest

from kuza.domain.errors import IllegalTransition
from kuza.domain.loans.lifecycle import (
    FINAL,
    TRANSITIONS,
    LoanEvent,
    LoanStatus,
    allowed_events,
    next_status,
    reopened,
)

S, E = LoanStatus, LoanEvent


def run(*events: LoanEvent) -> LoanStatus:
    status = S.APPLIED
    for event in events:
        status = next_status(status, event)
    return status


def test_happy_path() -> None:
    assert run(E.APPROVE, E.DISBURSE, E.REPAY, E.REPAY_IN_FULL) is S.CLOSED


def test_write_off_then_recovery() -> None:
    assert run(E.APPROVE, E.DISBURSE, E.WRITE_OFF, E.RECOVER) is S.WRITTEN_OFF
    assert run(E.APPROVE, E.DISBURSE, E.WRITE_OFF, E.RECOVER_IN_FULL) is S.RECOVERED


def test_reschedule_stays_active() -> None:
    assert run(E.APPROVE, E.DISBURSE, E.RESCHEDULE, E.REPAY_IN_FULL) is S.CLOSED


def test_illegal_transition_names_status_and_event() -> None:
    with pytest.raises(IllegalTransition) as err:
        next_status(S.APPLIED, E.DISBURSE)
    assert err.value.status == "applied"
    assert err.value.event == "disburse"
    assert "applied" in err.value.message and "disburse" in err.value.message


@pytest.mark.parametrize("status", sorted(FINAL))
def test_final_statuses_accept_nothing(status: LoanStatus) -> None:
    assert allowed_events(status) == ()
    for event in E:
        with pytest.raises(IllegalTransition):
            next_status(status, event)


def test_every_status_is_reachable() -> None:
    reached = {S.APPLIED} | set(TRANSITIONS.values())
    assert reached == set(S)


def test_closed_accepts_only_the_reversal_of_its_last_repayment() -> None:
    assert allowed_events(S.CLOSED) == (E.REVERSE_REPAYMENT,)
    assert reopened(S.CLOSED, rescheduled=False) is S.DISBURSED
    assert reopened(S.CLOSED, rescheduled=True) is S.RESCHEDULED
    assert reopened(S.RESCHEDULED, rescheduled=True) is S.RESCHEDULED
    assert reopened(S.DISBURSED, rescheduled=False) is S.DISBURSED
    with pytest.raises(IllegalTransition):
        reopened(S.WRITTEN_OFF, rescheduled=False)
