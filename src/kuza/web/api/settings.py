"""A programme's settings over the API, as the admin page edits them (stability grading,
training gates, loan gates): admins for every programme, a country manager for hers
(another is 404), others 403. Checked by the parsers that later read them, then saved
and audited with before/after by the admin page's service."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse

from kuza.domain.access import Principal, Role
from kuza.services import admin
from kuza.web.api.deps import ApiUser, IdempotencyKey, idempotent
from kuza.web.api.schemas import error_responses
from kuza.web.api.settings_schemas import SettingsPublic, SettingsUpdate
from kuza.web.deps import Config, IdPath

router = APIRouter(tags=["settings"])


def settings_manager(user: ApiUser) -> Principal:
    if user.role not in (Role.ADMIN, Role.COUNTRY_MANAGER):
        raise HTTPException(403, "only admins and country managers manage programmes")
    return user


Manager = Annotated[Principal, Depends(settings_manager)]


def check_programme(cfg: Config, user: Principal, programme_id: int) -> None:
    if user.role is Role.COUNTRY_MANAGER and user.programme_id != programme_id:
        raise HTTPException(404, "no such programme")
    admin.programme_name(cfg.db, programme_id)  # NotFound (404) for an absent one


def _section(settings: Mapping[str, Any], name: str) -> dict[str, Any]:
    value = settings.get(name)
    return dict(value) if isinstance(value, Mapping) else {}


def _public(programme_id: int, settings: Mapping[str, Any]) -> SettingsPublic:
    return SettingsPublic(
        programme_id=programme_id,
        stability=_section(settings, "stability"),
        training=_section(settings, "training"),
        loan_gates=_section(settings, "loan_gates"),
        gates=admin.gate_names(),
    )


@router.get(
    "/programmes/{programme_id}/settings",
    response_model=SettingsPublic,
    responses=error_responses(401, 403, 404),
)
def read_settings(programme_id: IdPath, user: Manager, cfg: Config) -> SettingsPublic:
    """The sections as stored; a key left out is at its default."""
    check_programme(cfg, user, programme_id)
    return _public(programme_id, admin.settings_of(cfg.db, programme_id))


@router.patch(
    "/programmes/{programme_id}/settings",
    response_model=SettingsPublic,
    responses=error_responses(401, 403, 404, 409, 422),
)
def change_settings(
    request: Request,
    programme_id: IdPath,
    body: SettingsUpdate,
    user: Manager,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Each section sent replaces that section whole (keys left out, or a section sent
    as null, take their defaults); all are checked together and saved in one audited
    change, or none."""
    check_programme(cfg, user, programme_id)
    sent = body.model_dump(mode="json", exclude_unset=True, exclude_none=True)
    sections = {name: sent.get(name, {}) for name in body.model_fields_set}

    def run() -> tuple[int, SettingsPublic]:
        after = admin.change_sections(cfg.db, programme_id, sections, actor=user.username)
        return 200, _public(programme_id, after)

    return idempotent(request, cfg, user, key, body, run)
