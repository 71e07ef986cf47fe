"""POST /auth/token: a bearer token for a username and password (rate limited like the
login form)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

from kuza.domain.access import LoginFailed
from kuza.services import api_tokens, users
from kuza.web.api.schemas import TokenCreate, TokenPublic, error_responses
from kuza.web.deps import Config

router = APIRouter(tags=["auth"])


@router.post(
    "/auth/token",
    response_model=TokenPublic,
    status_code=201,
    responses=error_responses(401, 429),
)
def create_token(request: Request, body: TokenCreate, cfg: Config) -> TokenPublic:
    address = request.client.host if request.client else "unknown"
    wait = cfg.throttle.retry_after(body.username, address)
    if wait:
        raise HTTPException(
            429, "too many failed attempts: try again later", headers={"Retry-After": str(wait)}
        )
    try:
        user = users.authenticate(cfg.db, body.username, body.password)
    except LoginFailed:
        cfg.throttle.failed(body.username, address)
        raise
    cfg.throttle.succeeded(body.username, address)
    issued = api_tokens.issue(cfg.db, user.user_id)
    return TokenPublic(access_token=issued.token, expires_at=issued.expires_at)
