"""The HTTP application: an app factory over one store."""

from __future__ import annotations

from fastapi import FastAPI

from ssekg import __version__
from ssekg.server.sparql import create_router
from ssekg.store.base import Store


def create_app(store: Store, *, update_token: str | None = None, timeout: float = 30.0) -> FastAPI:
    app = FastAPI(
        title="ssekg",
        version=__version__,
        description="The knowledge graph of the social and solidarity economy in Serbia.",
    )
    app.include_router(create_router(store, update_token=update_token, timeout=timeout))

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    return app
