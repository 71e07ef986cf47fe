"""Login and logout."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kuza.domain.access import LoginFailed
from kuza.services import users
from kuza.web.deps import SESSION_USER, Config, CurrentUser, Form, render, tr

router = APIRouter()


def safe_next(raw: object) -> str:
    """Only a path on this site: never '//evil.example' or 'https://...'."""
    if isinstance(raw, str) and raw.startswith("/") and not raw.startswith(("//", "/\\")):
        return raw
    return "/"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", {"next": safe_next(next), "username": ""})


@router.post("/login")
def login(request: Request, cfg: Config, form: Form) -> Response:
    username = str(form.get("username") or "")
    password = str(form.get("password") or "")
    context = {"next": safe_next(form.get("next")), "username": username}
    address = request.client.host if request.client else "unknown"
    wait = cfg.throttle.retry_after(username, address)
    if wait:
        minutes = (wait + 59) // 60
        _ = tr(request)
        error = _("Too many failed attempts. Try again in %(minutes)s minute(s).", minutes=minutes)
        response = render(request, "login.html", {**context, "error": error}, 429)
        response.headers["Retry-After"] = str(wait)
        return response
    try:
        user = users.authenticate(cfg.db, username, password)
    except LoginFailed:
        cfg.throttle.failed(username, address)
        _ = tr(request)
        error = _("wrong username or password")
        return render(request, "login.html", {**context, "error": error}, 401)
    cfg.throttle.succeeded(username, address)
    request.session.clear()  # a fresh session (and CSRF token) for the logged-in user
    request.session[SESSION_USER] = user.user_id
    return RedirectResponse(context["next"], status_code=303)


@router.post("/logout")
def logout(request: Request, _user: CurrentUser) -> RedirectResponse:
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
