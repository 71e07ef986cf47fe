"""The meeting collection sheet: enter, check totals, post."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
