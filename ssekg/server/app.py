"""The HTTP application: an app factory over one store.

Every router gets the same :class:`~ssekg.server.executor.WatchedStore` around the store, so
writes from any route are seen by the SPARQL endpoint's query workers. To add a part of the
site, write a module with ``create_router(store, ...)`` and include it below."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from ssekg import __version__
from ssekg.server import api, graph_store, linked_data, sparql, void
from ssekg.server.executor import WatchedStore, executor_for
from ssekg.store.base import Store


def create_app(
    store: Store,
    *,
    update_token: str | None = None,
    timeout: float = 30.0,
    max_rows: int | None = 100_000,
    max_body: int = 8 * 1024 * 1024,
    workers: int | None = None,
) -> FastAPI:
    """The application. ``timeout`` (s) stops a query; ``max_rows`` cuts answers (None: no
    limit); ``max_body`` (bytes) bounds a /sparql request; ``workers`` query processes run
    at once (default: the number of CPUs, at least 2)."""
    watched = store if isinstance(store, WatchedStore) else WatchedStore(store)
    limits = sparql.Limits(
        timeout=timeout,
        max_rows=max_rows or None,
        max_body=max_body,
        workers=workers or max(2, os.cpu_count() or 2),
    )
    executor = executor_for(watched, limits.workers)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        executor.start()
        yield
        executor.close()

    app = FastAPI(
        title="ssekg",
        version=__version__,
        description="The knowledge graph of the social and solidarity economy in Serbia.",
        lifespan=lifespan,
    )
    app.state.store = watched
    app.state.sparql_executor = executor
    app.include_router(
        sparql.create_router(watched, executor, update_token=update_token, limits=limits)
    )
    # Publishing: the graph store, the dataset description and dump, Linked Data pages.
    app.include_router(graph_store.create_router(watched, update_token=update_token))
    app.include_router(void.create_router(watched))
    app.include_router(linked_data.create_router(watched))
    # The named queries and the downloads, described in OpenAPI.
    app.include_router(api.create_router(watched, timeout=timeout))
    app.add_middleware(void.ForgetOnWrite, store=watched)
    # Reading from other sites' pages (YASGUI, notebooks in the browser), without
    # credentials: a browser never sends the update token cross-origin.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_credentials=False,
        allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
        allow_headers=["Accept", "Accept-Language", "Content-Type"],
        expose_headers=["X-SPARQL-MaxRows", "Content-Language", "Link", "Content-Location"],
        max_age=3600,
    )

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    return app
