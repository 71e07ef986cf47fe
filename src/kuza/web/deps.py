"""What routes depend on: the app's wiring, the logged-in user, CSRF, rendering."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from kuza.adapters.db.engine import Database
from kuza.domain.access import Principal, Role
from kuza.domain.errors import DomainError
from kuza.services import admin, users
from kuza.web import i18n
from kuza.web.security import LoginThrottle, csrf_ok, csrf_token

SESSION_USER = "uid"
SESSION_LOCALE = "locale"


@dataclass(frozen=True)
class WebConfig:
    db: Database
    today: Callable[[], date]
    throttle: LoginThrottle
    templates: Jinja2Templates


class LoginRequired(Exception):
    """Raised by :func:`current_user`; the app turns it into a redirect to /login."""


def web_config(request: Request) -> WebConfig:
    cfg: WebConfig = request.app.state.kuza
    return cfg


Config = Annotated[WebConfig, Depends(web_config)]


def current_user(request: Request, cfg: Config) -> Principal:
    uid = request.session.get(SESSION_USER)
    user = users.load_principal(cfg.db, uid) if isinstance(uid, int) else None
    if user is None:
        request.session.pop(SESSION_USER, None)
        raise LoginRequired()
    request.state.user = user
    return user


CurrentUser = Annotated[Principal, Depends(current_user)]


async def form_data(request: Request) -> FormData:
    return await request.form()


Form = Annotated[FormData, Depends(form_data)]


async def verify_csrf(request: Request) -> None:
    """Every POST carries the session's token (form field or X-CSRF-Token header)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    sent: object = request.headers.get("x-csrf-token")
    if sent is None:
        sent = (await request.form()).get("csrf_token")
    if not csrf_ok(request.session, sent):
        raise HTTPException(
            403, i18n.N_("This form has expired or did not come from Kuza: reload it.")
        )


def visible_group(group_id: int, user: CurrentUser, cfg: Config) -> int:
    """The group id of the path, if this user may see it; 404 alike for absent and hidden."""
    if not users.can_see_group(cfg.db, user, group_id):
        raise HTTPException(404, i18n.N_("No such group."))
    return group_id


# A row id in a URL: positive and within PostgreSQL's integer, so a huge one is a 422.
IdPath = Annotated[int, Path(ge=1, le=2**31 - 1)]
GroupId = Annotated[int, Depends(visible_group)]

# A list page's ``?page=`` (from 1) and how many rows a page shows.
PageNo = Annotated[int, Query(ge=1, le=100_000)]
PAGE_SIZE = 50


def page_count(total: int, size: int = PAGE_SIZE) -> int:
    """Pages of ``size`` rows for ``total`` rows; an empty list is one (empty) page."""
    return max(1, (total + size - 1) // size)


def locale_of(request: Request) -> str:
    """The user's language (stored on her account), else the one chosen before logging
    in, else the browser's."""
    cached = getattr(request.state, "locale", None)
    if isinstance(cached, str):
        return cached
    user = getattr(request.state, "user", None)
    chosen = users.locale_of(web_config(request).db, user.user_id) if user else None
    locale = i18n.pick(
        chosen,
        request.session.get(SESSION_LOCALE),
        i18n.from_accept_language(request.headers.get("accept-language", "")),
    )
    request.state.locale = locale
    return locale


def api_locale_of(request: Request) -> str:
    """The API's language: the account's when she chose one other than English (every
    account starts in English, so English cannot be told from no choice), else
    ``Accept-Language``, else English. Before the bearer token is read (or without one),
    ``Accept-Language`` alone."""
    cached = getattr(request.state, "api_locale", None)
    if isinstance(cached, str):
        return cached
    user = getattr(request.state, "user", None)
    saved = users.locale_of(web_config(request).db, user.user_id) if user else None
    header = i18n.from_accept_language(request.headers.get("accept-language", ""))
    locale = i18n.pick(None if saved == i18n.DEFAULT else saved, header)
    if user is not None:  # known for the rest of the request
        request.state.api_locale = locale
    return locale


def tr(request: Request) -> Callable[..., str]:
    """gettext in the language of this request, for messages made in Python."""
    return i18n.gettext_for(locale_of(request))


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    cfg = web_config(request)
    base = {
        "user": getattr(request.state, "user", None),
        "csrf_token": csrf_token(request.session),
        "flash": request.session.pop("flash", None),
        "here": request.url.path,
        **i18n.template_globals(locale_of(request)),
    }
    return cfg.templates.TemplateResponse(
        request, name, {**base, **(context or {})}, status_code=status
    )


def chosen_programme(user: Principal, raw: str | None, cfg: Config) -> int:
    """An admin picks the programme (default the first); the others keep their own."""
    if user.role is not Role.ADMIN:
        if user.programme_id is None:
            raise DomainError(i18n.N_("Your account has no programme."), field="programme_id")
        return user.programme_id
    choices = [c.id for c in admin.programme_list(cfg.db)]
    if raw and raw.isdigit() and int(raw) in choices:
        return int(raw)
    if raw:
        raise DomainError(i18n.N_("Choose a programme."), field="programme_id")
    if not choices:
        raise DomainError(i18n.N_("Choose a programme."), field="programme_id")
    return choices[0]


def programme_or_404(user: Principal, raw: str | None, cfg: Config) -> int:
    """:func:`chosen_programme` for a page's address: a programme she cannot choose is an
    absent page."""
    try:
        return chosen_programme(user, raw, cfg)
    except DomainError:
        raise HTTPException(404, i18n.N_("No such programme.")) from None
