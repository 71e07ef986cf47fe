"""The language menu: the choice is kept on the account (and in the session before
logging in)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from kuza.services import users
from kuza.web import i18n
from kuza.web.deps import SESSION_LOCALE, SESSION_USER, Config, Form
from kuza.web.routes.auth import safe_next

router = APIRouter()


@router.post("/locale")
def choose_locale(request: Request, cfg: Config, form: Form) -> RedirectResponse:
    locale = i18n.pick(form.get("locale"))
    request.session[SESSION_LOCALE] = locale
    uid = request.session.get(SESSION_USER)
    user = users.load_principal(cfg.db, uid) if isinstance(uid, int) else None
    if user is not None:
        users.set_locale(cfg.db, user.user_id, locale)
    return RedirectResponse(safe_next(form.get("next")), status_code=303)
