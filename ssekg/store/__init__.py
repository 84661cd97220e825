"""Stores behind one interface (:class:`ssekg.store.base.Store`); :func:`open_store` picks
one from a ``--store`` value: ``memory``, a directory, or a SPARQL endpoint URL."""

from __future__ import annotations

import os
from pathlib import Path

from ssekg.errors import StoreError
from ssekg.namespaces import DEFAULT_BASE
from ssekg.store.base import Store
from ssekg.store.embedded import EmbeddedStore
from ssekg.store.results import QueryResult

__all__ = ["EmbeddedStore", "QueryResult", "Store", "open_store"]


def open_store(
    spec: str,
    *,
    base: str = DEFAULT_BASE,
    create: bool = False,
    update_url: str | None = None,
    gsp_url: str | None = None,
) -> Store:
    """Open the store named by ``spec``; ``create`` makes a missing on-disk store.

    An ``http(s)://`` spec is a remote SPARQL endpoint: ``update_url`` and ``gsp_url`` say
    where updates and Graph Store requests go when not to the same URL; credentials come
    from ``SSEKG_STORE_USER`` / ``SSEKG_STORE_PASSWORD`` (digest or basic, as the server
    asks), and ``SSEKG_STORE_ENGINE`` names the engine when its answers do not."""
    if spec == "memory":
        return EmbeddedStore(None, base)
    if spec.startswith(("http://", "https://")):
        from ssekg.store.remote import RemoteStore

        return RemoteStore(
            spec,
            base,
            update_url=update_url,
            gsp_url=gsp_url,
            user=os.environ.get("SSEKG_STORE_USER") or None,
            password=os.environ.get("SSEKG_STORE_PASSWORD"),
            engine=os.environ.get("SSEKG_STORE_ENGINE") or None,
        )
    path = Path(spec)
    if path.exists() and not path.is_dir():
        raise StoreError(
            f"{path} is a file, not a store directory; give a directory for --store.",
            f"{path} je datoteka, a ne direktorijum skladišta; za --store navedite direktorijum.",
        )
    if not (path / "CURRENT").exists():
        if not create:
            raise StoreError(
                f"no store at {path}; run `ssekg init --store {path}` first.",
                f"na putanji {path} nema skladišta; prvo pokrenite `ssekg init --store {path}`.",
            )
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(
                f"the store directory {path} cannot be created: {error.strerror}.",
                f"direktorijum skladišta {path} ne može da se napravi: {error.strerror}.",
            ) from None
    return EmbeddedStore(str(path), base)
