"""A programme's household scorecards (``kuza visit scorecard``): load one as a JSON
document, and list those stored, the latest first (the visit forms offer them in that
order). Admins for every programme, a country manager for hers (another is 404), others
403; the visit service checks the document and writes the audit log."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from kuza.services import visits
from kuza.services.visit_views import ScorecardRow, scorecard_page
from kuza.web.api.admin_schemas import ScorecardCreate, ScorecardPublic, ScorecardsPublic
from kuza.web.api.deps import IdempotencyKey, Limit, Offset, idempotent
from kuza.web.api.schemas import error_responses
from kuza.web.api.settings import Manager, check_programme
from kuza.web.deps import Config, IdPath

router = APIRouter(tags=["visits"])
PATH = "/programmes/{programme_id}/scorecards"


def _public(programme_id: int, r: ScorecardRow) -> ScorecardPublic:
    return ScorecardPublic(
        id=r.id,
        programme_id=programme_id,
        code=r.code,
        loaded_on=r.loaded_on,
        loaded_by=r.loaded_by,
        definition=r.definition,
    )


@router.get(PATH, response_model=ScorecardsPublic, responses=error_responses(401, 403, 404))
def list_scorecards(
    programme_id: IdPath, user: Manager, cfg: Config, limit: Limit = 50, offset: Offset = 0
) -> ScorecardsPublic:
    """The documents as loaded, the latest first; a visit names the one it uses by code."""
    check_programme(cfg, user, programme_id)
    rows, total = scorecard_page(cfg.db, programme_id, limit, offset)
    return ScorecardsPublic(
        total=total, limit=limit, offset=offset, items=[_public(programme_id, r) for r in rows]
    )


@router.post(
    PATH,
    response_model=ScorecardPublic,
    status_code=201,
    responses=error_responses(401, 403, 404, 409, 422),
)
def load_scorecard(
    request: Request,
    programme_id: IdPath,
    body: ScorecardCreate,
    user: Manager,
    cfg: Config,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Stored as sent, loaded today; a code once per programme (409)."""
    check_programme(cfg, user, programme_id)

    def run() -> tuple[int, ScorecardPublic]:
        text = json.dumps(body.model_dump(mode="json"))
        made = visits.load_programme_scorecard(
            cfg.db, programme_id, text, cfg.today(), actor=user.username
        )
        rows, _ = scorecard_page(cfg.db, programme_id, 1, only=made)
        return 201, _public(programme_id, rows[0])

    return idempotent(request, cfg, user, key, body, run)
