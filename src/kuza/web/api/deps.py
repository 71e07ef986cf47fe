"""What API routes depend on: the bearer-token user, role checks, paging, and the
``Idempotency-Key`` replay of writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from kuza.domain.access import Principal, may_record_meetings, sees_group_pages
from kuza.services import api_tokens, idempotency, users
from kuza.web.deps import SESSION_USER, Config
from kuza.web.security import csrf_ok

bearer = HTTPBearer(auto_error=False, description="A token from POST /auth/token")


def _session_user(request: Request, cfg: Config) -> Principal | None:
    """The pages' own scripts (offline sync) call the API with the session cookie; a
    write must then carry the session's CSRF token in X-CSRF-Token."""
    session = request.scope.get("session")
    if not isinstance(session, dict):
        return None
    uid = session.get(SESSION_USER)
    if not isinstance(uid, int):
        return None
    if request.method not in ("GET", "HEAD", "OPTIONS") and not csrf_ok(
        session, request.headers.get("x-csrf-token")
    ):
        raise HTTPException(403, "the X-CSRF-Token header is missing or wrong: reload the page")
    return users.load_principal(cfg.db, uid)


def api_user(
    request: Request,
    cfg: Config,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    if credentials is not None:
        user = api_tokens.principal_for(cfg.db, credentials.credentials)
    else:
        user = _session_user(request, cfg)
    if user is None:
        raise HTTPException(
            401, "a valid bearer token is required", headers={"WWW-Authenticate": "Bearer"}
        )
    request.state.user = user
    return user


ApiUser = Annotated[Principal, Depends(api_user)]


def group_reader(user: ApiUser) -> Principal:
    """Donors see aggregates only: no group, member or passbook data."""
    if not sees_group_pages(user):
        raise HTTPException(403, "your role sees aggregated figures only")
    return user


GroupReader = Annotated[Principal, Depends(group_reader)]


def recorder(user: GroupReader) -> Principal:
    if not may_record_meetings(user):
        raise HTTPException(403, "your role does not record meetings or passbook moves")
    return user


Recorder = Annotated[Principal, Depends(recorder)]


def check_group(cfg: Config, user: Principal, group_id: int) -> None:
    """404 alike for a group out of scope and one that does not exist."""
    if not users.can_see_group(cfg.db, user, group_id):
        raise HTTPException(404, "no such group")


def check_member(cfg: Config, user: Principal, member_id: int) -> None:
    if not users.can_see_member(cfg.db, user, member_id):
        raise HTTPException(404, "no such member")


Limit = Annotated[int, Query(ge=1, le=200, description="Page size")]
Offset = Annotated[int, Query(ge=0, le=2**31 - 1, description="Items to skip")]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="A client-made unique key: a replay returns the first result",
    ),
]


def idempotent(
    request: Request,
    cfg: Config,
    user: Principal,
    key: str | None,
    body: BaseModel,
    run: Callable[[], tuple[int, BaseModel]],
) -> JSONResponse:
    """Run a write once per (user, key): a replay gets the stored first result, the same
    key on another request 409. Without a key the write runs (the service itself still
    refuses to book a duplicate)."""
    if key is None:
        status, result = run()
        return JSONResponse(result.model_dump(mode="json"), status)
    payload: Any = body.model_dump(mode="json")
    digest = idempotency.request_hash(request.method, request.url.path, payload)
    stored = idempotency.replay(cfg.db, user.user_id, key, digest)
    if stored is None:
        status, result = run()
        first = idempotency.StoredResult(status, result.model_dump(mode="json"))
        stored = idempotency.remember(cfg.db, user.user_id, key, digest, first)
        replayed = stored is not first
    else:
        replayed = True
    response = JSONResponse(stored.body, stored.status_code)
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response
