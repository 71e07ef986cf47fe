"""Typed domain errors. Each carries a message a field agent can act on and, where it
applies, the name of the input field that is wrong."""

from __future__ import annotations


class DomainError(Exception):
    code = "invalid"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "field": self.field}


class InvalidAmount(DomainError):
    code = "invalid_amount"


class CurrencyMismatch(DomainError):
    code = "currency_mismatch"


class UnbalancedEntry(DomainError):
    code = "unbalanced_entry"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    """The request contradicts what is already recorded (e.g. a changed resubmission)."""

    code = "conflict"


class RuleViolation(DomainError):
    """A business rule forbids this (withdrawal above balance, date in the future ...)."""

    code = "rule_violation"


class InvalidTerms(DomainError):
    """Loan terms or calculator input that cannot describe a loan (zero instalments ...)."""

    code = "invalid_terms"


class IllegalTransition(DomainError):
    """A loan status change the lifecycle table does not allow."""

    code = "illegal_transition"

    def __init__(self, status: str, event: str) -> None:
        super().__init__(
            f"a loan that is {status!r} cannot be {event!r}: check the loan status first",
            field="status",
        )
        self.status = status
        self.event = event
