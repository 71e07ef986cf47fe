"""Typed domain errors. Each carries a message a field agent can act on and, where it
applies, the name of the input field that is wrong.

A message is an English template with ``%(name)s`` placeholders and its values, so that
it can be translated: the template is the catalogue's msgid (the web edge's
``translations/<lang>/LC_MESSAGES/errors.po``). :attr:`DomainError.message` reads in
the language set by :func:`messages_in` for the request being served (the web edge sets
it per request); anywhere else (CLI, logs, ``str(exc)``) it is English. Sentences that
are not refusals (an import row's reasons, a ledger-check finding) are read the same way
through :func:`translated`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

Translate = Callable[[str], str]
_language: ContextVar[Translate | None] = ContextVar("kuza_messages_in", default=None)


@contextmanager
def messages_in(translate: Translate | None) -> Iterator[None]:
    """Within this block every error's ``message`` is ``translate(template) % values``.
    ``translate`` is called only when a message is read."""
    token = _language.set(translate)
    try:
        yield
    finally:
        _language.reset(token)


def N_(message: str) -> str:  # noqa: N802 - the name pybabel looks for
    """Marks a template built apart from the error call, for the catalogue."""
    return message


def _fill(template: str, values: Mapping[str, object]) -> str:
    return template % values if values else template


def translated(template: str, values: Mapping[str, object]) -> str:
    """``template % values`` in the language of the request being served (English
    elsewhere); a translation that does not fit the values reads in English."""
    translate = _language.get()
    text = translate(template) if translate is not None else template
    try:
        return _fill(text, values)
    except (KeyError, ValueError, TypeError):  # a broken translation: say it in English
        return _fill(template, values)


class DomainError(Exception):
    code = "invalid"

    def __init__(self, message: str, field: str | None = None, **values: object) -> None:
        super().__init__(_fill(message, values))
        self.template = message
        self.values = values
        self.field = field

    @property
    def message(self) -> str:
        """In the language of the request being served (English elsewhere)."""
        return translated(self.template, self.values)

    def __str__(self) -> str:
        return self.message

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
            N_("a loan that is %(status)s cannot be %(event)s: check the loan status first"),
            field="status",
            status=repr(status),
            event=repr(event),
        )
        self.status = status
        self.event = event
