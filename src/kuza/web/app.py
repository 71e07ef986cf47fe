"""The web application: server-rendered pages over the services, login required.

``create_app()`` is the factory ``kuza serve`` runs; tests pass their own database,
secret, clock and throttle.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from urllib.parse import quote

import jinja2
import jinja2.runtime
from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from kuza.adapters.db.engine import Database
from kuza.domain.errors import NotFound
from kuza.domain.money import Money
from kuza.domain.stability import StabilityGrade
from kuza.web import stability_text
from kuza.web.api import API_PREFIX, create_api
from kuza.web.deps import LoginRequired, WebConfig, current_user, render, verify_csrf
from kuza.web.error_language import ErrorLanguage
from kuza.web.i18n import (
    DEFAULT,
    N_,
    format_code,
    format_day,
    format_money,
    format_number,
    format_record,
)
from kuza.web.routes import (
    admin,
    admin_accounts,
    admin_setup,
    approvals,
    auth,
    books,
    calculator,
    costs,
    dashboard,
    enterprises,
    group_forms,
    groups,
    insurance,
    loan_servicing,
    loans,
    locale,
    markets,
    meetings,
    member_imports,
    members,
    offline,
    statements,
    training,
    visits,
)
from kuza.web.security import LoginThrottle, secret_key

HERE = Path(__file__).parent
SESSION_HOURS = 12

# Pages are self-contained: our own CSS and one script of ours (offline meeting sheets),
# nothing inline, nothing from elsewhere; forms and fetches go only to us.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


@jinja2.pass_context
def money(ctx: jinja2.runtime.Context, value: Money) -> str:
    return format_money(value, ctx.get("locale", DEFAULT))


@jinja2.pass_context
def day(ctx: jinja2.runtime.Context, value: date | None) -> Markup:
    """A date for people (per locale) inside <time> with the ISO date for machines."""
    if value is None:
        return Markup("")
    shown = format_day(value, ctx.get("locale", DEFAULT))
    return Markup('<time datetime="%s">%s</time>') % (value.isoformat(), shown)


@jinja2.pass_context
def number(ctx: jinja2.runtime.Context, value: int) -> str:
    return format_number(value, ctx.get("locale", DEFAULT))


@jinja2.pass_context
def word(ctx: jinja2.runtime.Context, value: object) -> str:
    return format_code(value, ctx.get("locale", DEFAULT))


@jinja2.pass_context
def record(ctx: jinja2.runtime.Context, value: str) -> str:
    return format_record(value, ctx.get("locale", DEFAULT))


@jinja2.pass_context
def stability_reasons(ctx: jinja2.runtime.Context, value: StabilityGrade) -> list[str]:
    """A stability grade's reasons, then its verdict, as sentences in the page's language."""
    return stability_text.reasons(value, ctx.get("locale", DEFAULT))


@jinja2.pass_context
def stability_score(ctx: jinja2.runtime.Context, value: StabilityGrade) -> str:
    return stability_text.score(value.score, ctx.get("locale", DEFAULT))


def _templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    env.filters["money"] = money
    env.filters["day"] = day
    env.filters["number"] = number
    env.filters["word"] = word
    env.filters["record"] = record
    env.filters["stability_reasons"] = stability_reasons
    env.filters["stability_score"] = stability_score
    return Jinja2Templates(env=env)


def create_app(
    db: Database | None = None,
    *,
    secret: str | None = None,
    today: Callable[[], date] = date.today,
    throttle: LoginThrottle | None = None,
    https_only: bool | None = None,
) -> FastAPI:
    db = db or Database()
    app = FastAPI(
        title="Kuza",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(verify_csrf)],
    )
    config = WebConfig(db, today, throttle or LoginThrottle(), _templates())
    app.state.kuza = config
    if https_only is None:
        https_only = os.environ.get("KUZA_COOKIE_SECURE", "") == "1"
    app.add_middleware(ErrorLanguage, api_prefix=API_PREFIX)  # inside the session
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret or secret_key(db.url),
        session_cookie="kuza_session",
        max_age=SESSION_HOURS * 3600,
        same_site="lax",
        https_only=https_only,
    )

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, _exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def error_page(request: Request, exc: StarletteHTTPException) -> Response:
        context = {"status": exc.status_code, "detail": exc.detail}
        return render(request, "error.html", context, exc.status_code)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return render(request, "error.html", {"status": 404, "detail": N_("No such page.")}, 404)

    app.include_router(auth.router)
    app.include_router(locale.router)
    app.include_router(offline.router)
    protected = [Depends(current_user)]
    app.include_router(group_forms.router, dependencies=protected)
    app.include_router(groups.router, dependencies=protected)
    app.include_router(meetings.router, dependencies=protected)
    app.include_router(admin.router, dependencies=protected)
    app.include_router(admin_accounts.router, dependencies=protected)
    app.include_router(admin_setup.router, dependencies=protected)
    app.include_router(dashboard.router, dependencies=protected)
    app.include_router(costs.router, dependencies=protected)
    app.include_router(books.router, dependencies=protected)
    app.include_router(calculator.router, dependencies=protected)
    app.include_router(training.router, dependencies=protected)
    app.include_router(enterprises.router, dependencies=protected)
    app.include_router(member_imports.router, dependencies=protected)
    app.include_router(statements.router, dependencies=protected)
    app.include_router(members.router, dependencies=protected)
    app.include_router(loans.router, dependencies=protected)
    app.include_router(loan_servicing.router, dependencies=protected)
    app.include_router(approvals.router, dependencies=protected)
    app.include_router(markets.router, dependencies=protected)
    app.include_router(visits.router, dependencies=protected)
    app.include_router(insurance.router, dependencies=protected)
    app.mount(API_PREFIX, create_api(config))
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app
