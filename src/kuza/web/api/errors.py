"""One error body for every API failure: ``{"error": {"code", "message", "field"}}``; a
request-shape error's message in the user's language (:mod:`kuza.web.api.shape_errors`)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from kuza.domain.access import LoginFailed
from kuza.domain.errors import Conflict, DomainError, NotFound
from kuza.web.api.shape_errors import shape_message
from kuza.web.deps import api_locale_of
from kuza.web.i18n import error_translations

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid",
    429: "too_many_requests",
}


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field}}


def status_of(exc: DomainError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Conflict):
        return 409
    if isinstance(exc, LoginFailed):
        return 401
    return 422  # RuleViolation, InvalidAmount and every other refusal of the input


def _field(loc: tuple[Any, ...]) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    if not parts:
        return None
    out = parts[0]
    for p in parts[1:]:
        out += f"[{p}]" if p.isdigit() else f".{p}"
    return out


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(_request: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message, exc.field), status_of(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        loc = tuple(first.get("loc", ()))
        message = shape_message(first, api_locale_of(request))
        field = _field(loc)
        return JSONResponse(
            error_body("invalid", f"{field}: {message}" if field else message, field), 422
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        """The refusal in the caller's language (errors.po); one missing there stays as
        written."""
        code = CODES.get(exc.status_code, "error")
        message = error_translations(api_locale_of(request)).gettext(str(exc.detail))
        return JSONResponse(error_body(code, message), exc.status_code, headers=exc.headers)
