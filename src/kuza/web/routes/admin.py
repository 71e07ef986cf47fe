"""Admin pages: the audit log (who, when, what, before/after)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from kuza.domain.access import Role
from kuza.services import audit
from kuza.web.deps import Config, CurrentUser, render
from kuza.web.i18n import N_

router = APIRouter()
PAGE = 50


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    user: CurrentUser,
    cfg: Config,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    if user.role is not Role.ADMIN:
        raise HTTPException(403, N_("Only admins see the audit log."))
    rows, total = audit.recent(cfg.db, PAGE, (page - 1) * PAGE)
    pages = max(1, (total + PAGE - 1) // PAGE)
    return render(
        request, "audit.html", {"rows": rows, "total": total, "page": page, "pages": pages}
    )
