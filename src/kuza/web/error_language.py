"""Domain error messages in the language of the request being served.

A pure ASGI middleware: during each HTTP request, :attr:`DomainError.message` reads
through that language's error catalogue (:func:`kuza.domain.errors.messages_in`), so
every page and API body that shows one is translated without each route doing it. The
language is looked up only when a message is read. Pages: the user's language, as for
the rest of the page (:func:`kuza.web.deps.locale_of`). API: the account's language if
she chose French, else ``Accept-Language``, else English
(:func:`kuza.web.deps.api_locale_of`; ``offline.js`` sends the page's language).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from kuza.domain.errors import messages_in
from kuza.web import i18n
from kuza.web.deps import api_locale_of, locale_of


class ErrorLanguage:
    def __init__(self, app: ASGIApp, api_prefix: str) -> None:
        self.app = app
        self.api_prefix = api_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = str(scope.get("path", "")).startswith(self.api_prefix)
        chosen: list[str] = []

        def translate(template: str) -> str:
            if not chosen:
                request = Request(scope)
                chosen.append(api_locale_of(request) if api else locale_of(request))
            return str(i18n.error_translations(chosen[0]).gettext(template))

        with messages_in(translate):
            await self.app(scope, receive, send)
