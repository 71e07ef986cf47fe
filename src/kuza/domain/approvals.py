"""Maker-checker for the commands that must not rest on one person: a meeting
correction, a share-out, a loan write-off and the reversal of a repayment are first
submitted (the maker), then
approved or rejected by another user whose role may check (the checker).

Pure rules: which role may submit which kind, which may check, and that the checker is
never the maker.
"""

from __future__ import annotations

from enum import StrEnum

from kuza.domain.access import MEETING_RECORDERS, Role
from kuza.domain.errors import DomainError, RuleViolation


class PendingKind(StrEnum):
    MEETING_CORRECTION = "meeting_correction"
    SHARE_OUT = "share_out"
    WRITE_OFF = "write_off"
    REPAYMENT_REVERSAL = "repayment_reversal"


class PendingStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


# The roles above the field that check (DESIGN: a branch manager approves write-offs).
CHECKERS = frozenset({Role.ADMIN, Role.COUNTRY_MANAGER, Role.BRANCH_MANAGER, Role.FINANCE})
MAKERS = {
    PendingKind.MEETING_CORRECTION: MEETING_RECORDERS,
    PendingKind.SHARE_OUT: MEETING_RECORDERS,
    PendingKind.WRITE_OFF: MEETING_RECORDERS | {Role.FINANCE},
    PendingKind.REPAYMENT_REVERSAL: MEETING_RECORDERS | {Role.FINANCE},
}


def may_check(role: Role) -> bool:
    return role in CHECKERS


def may_submit(kind: PendingKind, role: Role) -> bool:
    return role in MAKERS[kind]


def require(kind: PendingKind, name: str, value: object) -> None:
    """A field the kind's stored command cannot do without (one template per kind, so
    that the kind's name is translated with its grammar)."""
    if value is not None:
        return
    if kind is PendingKind.MEETING_CORRECTION:
        raise DomainError("%(name)s is required for a meeting correction", field=name, name=name)
    if kind is PendingKind.SHARE_OUT:
        raise DomainError("%(name)s is required for a share-out", field=name, name=name)
    if kind is PendingKind.WRITE_OFF:
        raise DomainError("%(name)s is required for a write-off", field=name, name=name)
    raise DomainError("%(name)s is required for a repayment reversal", field=name, name=name)


def check_checker(maker: str, checker: str, role: Role) -> None:
    """The checker's role checks, and she is not the maker (the one refusal a field
    officer needs to read: someone else must approve)."""
    if not may_check(role):
        raise RuleViolation(
            (
                "a %(value)s cannot approve: a branch manager, country "
                "manager or finance officer must"
            ),
            field="role",
            value=role.value.replace("_", " "),
        )
    if maker == checker:
        raise RuleViolation(
            (
                "%(checker)s submitted this and cannot also approve it: "
                "another officer must check it (maker-checker)"
            ),
            field="actor",
            checker=checker,
        )


# Loans: the field records applications and repayments; a checker decides (the service
# refuses the applicant as approver); the field or finance hands the money over.
LOAN_MAKERS = MEETING_RECORDERS
LOAN_DISBURSERS = MEETING_RECORDERS | {Role.FINANCE}


def may_apply_for_loans(role: Role) -> bool:
    return role in LOAN_MAKERS


def may_decide_loans(role: Role) -> bool:
    return role in CHECKERS


def may_disburse(role: Role) -> bool:
    return role in LOAN_DISBURSERS
