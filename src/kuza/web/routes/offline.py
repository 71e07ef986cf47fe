"""``GET /sw.js``: the service worker that opens a meeting sheet without a connection
(``static/sw.js``). Served from the root so that its scope covers the sheet pages; its
cache version is a digest of the files it pins, so changing them replaces the cache."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response

router = APIRouter()
STATIC = Path(__file__).parents[1] / "static"
PINNED = ("style.css", "offline.js")


@cache
def worker_script() -> str:
    digest = hashlib.sha256()
    for name in (*PINNED, "sw.js"):
        digest.update((STATIC / name).read_bytes())
    return (STATIC / "sw.js").read_text().replace("__VERSION__", digest.hexdigest()[:16])


@router.get("/sw.js")
def service_worker() -> Response:
    """Open to anyone like ``/static``: the script holds no data. ``no-cache`` makes the
    browser check for a new version on each visit."""
    return Response(
        worker_script(),
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache"},
    )
