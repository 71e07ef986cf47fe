"""User accounts and the audit log, as the admin pages keep and show them: admins only
(any other role 403), like the pages. Every change goes through
:mod:`kuza.services.users`, which checks the role's scope and writes the audit log; a
password goes in and is never returned, nor its hash."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from kuza.domain.access import Principal, Role
from kuza.domain.errors import DomainError
from kuza.services import admin, audit, users
from kuza.web.api.admin_schemas import (
    AuditEntryPublic,
    AuditPublic,
    PasswordCreate,
    PasswordSetPublic,
    UserCreate,
    UserPublic,
    UsersPublic,
    UserUpdate,
)
from kuza.web.api.deps import ApiUser, IdempotencyKey, Limit, Offset, idempotent
from kuza.web.api.schemas import error_responses
from kuza.web.deps import Config, IdPath, WebConfig
from kuza.web.i18n import N_

router = APIRouter(tags=["admin"])
WRITE = error_responses(401, 403, 404, 409, 422)


def admin_only(user: ApiUser) -> Principal:
    if user.role is not Role.ADMIN:
        raise HTTPException(403, "only admins manage accounts and read the audit log")
    return user


Admin = Annotated[Principal, Depends(admin_only)]


def _public(cfg: WebConfig, row: admin.UserRow) -> UserPublic:
    branch_ids, chain_ids = admin.scope_ids(cfg.db, row.id)
    return UserPublic(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=row.role,
        programme_id=row.programme_id,
        branch_id=row.branch_id,
        agent_id=row.agent_id,
        active=row.active,
        branch_ids=branch_ids,
        value_chain_ids=chain_ids,
    )


def _unsecret(body: UserCreate | PasswordCreate) -> BaseModel:
    """The body an Idempotency-Key is matched on, without the password: the stored
    fingerprint is a plain SHA-256, which must not become an unsalted password hash."""
    return body.model_copy(update={"password": ""})


@router.get("/users", response_model=UsersPublic, responses=error_responses(401, 403))
def list_users(user: Admin, cfg: Config, limit: Limit = 50, offset: Offset = 0) -> UsersPublic:
    """Every account by username, deactivated ones too (``active`` false)."""
    rows, total = admin.user_page(cfg.db, limit, offset)
    return UsersPublic(
        total=total, limit=limit, offset=offset, items=[_public(cfg, r) for r in rows]
    )


@router.get("/users/{user_id}", response_model=UserPublic, responses=error_responses(401, 403, 404))
def read_user(user_id: IdPath, user: Admin, cfg: Config) -> UserPublic:
    return _public(cfg, admin.account(cfg.db, user_id))


@router.post("/users", response_model=UserPublic, status_code=201, responses=WRITE)
def create_user(
    request: Request, body: UserCreate, user: Admin, cfg: Config, key: IdempotencyKey = None
) -> JSONResponse:
    """A login with its role and scope (a donor with her funded scope), in one change."""

    def run() -> tuple[int, UserPublic]:
        new = users.NewUser(
            username=body.username,
            role=body.role,
            password=body.password,
            display_name=body.display_name,
            programme_id=body.programme_id,
            branch_id=body.branch_id,
            agent_id=body.agent_id,
            locale=body.locale,
        )
        uid = users.create_user(
            cfg.db,
            new,
            actor=user.username,
            branch_ids=body.branch_ids,
            value_chain_ids=body.value_chain_ids,
        )
        return 201, _public(cfg, admin.account(cfg.db, uid))

    return idempotent(request, cfg, user, key, _unsecret(body), run)


@router.patch("/users/{user_id}", response_model=UserPublic, responses=WRITE)
def change_user(
    request: Request,
    user_id: IdPath,
    body: UserUpdate,
    user: Admin,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Another role and scope (she sees it at her next request) and/or deactivated
    (her sessions and tokens end at once) or reactivated. Not one's own account."""
    name = admin.username_of(cfg.db, user_id)  # absent: 404
    if user_id == user.user_id and body.assignment is not None:
        raise DomainError(N_("You cannot change your own role."), field="assignment.role")
    if user_id == user.user_id and body.active is False:
        raise DomainError(N_("You cannot deactivate your own account."), field="active")

    def run() -> tuple[int, UserPublic]:
        chosen = body.assignment
        if chosen is not None:
            users.change_assignment(
                cfg.db,
                name,
                users.Assignment(
                    chosen.role, chosen.programme_id, chosen.branch_id, chosen.agent_id
                ),
                actor=user.username,
                branch_ids=chosen.branch_ids,
                value_chain_ids=chosen.value_chain_ids,
            )
        if body.active is not None:
            users.set_active(cfg.db, name, body.active, actor=user.username)
        return 200, _public(cfg, admin.account(cfg.db, user_id))

    return idempotent(request, cfg, user, key, body, run)


@router.post("/users/{user_id}/password", response_model=PasswordSetPublic, responses=WRITE)
def set_password(
    request: Request,
    user_id: IdPath,
    body: PasswordCreate,
    user: Admin,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """A new password; her API tokens are revoked (a reset is often because the old one
    leaked). The audit log records that it changed, never what to."""
    name = admin.username_of(cfg.db, user_id)  # absent: 404

    def run() -> tuple[int, PasswordSetPublic]:
        revoked = users.set_password(cfg.db, name, body.password, actor=user.username)
        return 200, PasswordSetPublic(user_id=user_id, api_tokens_revoked=revoked)

    return idempotent(request, cfg, user, key, _unsecret(body), run)


@router.get("/audit", response_model=AuditPublic, responses=error_responses(401, 403))
def list_audit(user: Admin, cfg: Config, limit: Limit = 50, offset: Offset = 0) -> AuditPublic:
    """Every change, newest first: who, when, what, before and after."""
    rows, total = audit.recent(cfg.db, limit, offset)
    return AuditPublic(
        total=total,
        limit=limit,
        offset=offset,
        items=[
            AuditEntryPublic(
                id=r.id,
                at=r.at,
                actor=r.actor,
                action=r.action,
                object_kind=r.object_kind,
                object_id=str(r.object_id),
                programme_id=r.programme_id,
                before=r.before,
                after=r.after,
            )
            for r in rows
        ],
    )
