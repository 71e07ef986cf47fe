"""The web application (placeholder until the web pages land)."""

from __future__ import annotations

from fastapi import FastAPI


def create_app() -> FastAPI:
    return FastAPI(title="Kuza")
