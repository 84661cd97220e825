"""The HTTP application: an app factory over one store."""

from __future__ import annotations

from fastapi import FastAPI

from ssekg import __version__
from ssekg.server import graph_store, linked_data, void
from ssekg.server.sparql import create_router
from ssekg.store.base import Store


def create_app(store: Store, *, update_token: str | None = None, timeout: float = 30.0) -> FastAPI:
    app = FastAPI(
        title="ssekg",
        version=__version__,
        description="The knowledge graph of the social and solidarity economy in Serbia.",
    )
    app.include_router(create_router(store, update_token=update_token, timeout=timeout))
    # Publishing: the graph store, the dataset description and dump, Linked Data pages.
    app.include_router(graph_store.create_router(store, update_token=update_token))
    app.include_router(void.create_router(store))
    app.include_router(linked_data.create_router(store))
    app.add_middleware(void.ForgetOnWrite, store=store)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    return app
