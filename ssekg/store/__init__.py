"""Stores behind one interface (:class:`ssekg.store.base.Store`); :func:`open_store` picks
one from a ``--store`` value: ``memory``, a directory, or (later) a SPARQL endpoint URL."""

from __future__ import annotations

from pathlib import Path

from ssekg.errors import StoreError
from ssekg.namespaces import DEFAULT_BASE
from ssekg.store.base import Store
from ssekg.store.embedded import EmbeddedStore
from ssekg.store.results import QueryResult

__all__ = ["EmbeddedStore", "QueryResult", "Store", "open_store"]


def open_store(spec: str, *, base: str = DEFAULT_BASE, create: bool = False) -> Store:
    """Open the store named by ``spec``; ``create`` makes a missing on-disk store."""
    if spec == "memory":
        return EmbeddedStore(None, base)
    if spec.startswith(("http://", "https://")):
        raise StoreError(
            f"remote stores ({spec}) are not available in this version; use a directory "
            "path or `memory` for --store.",
            f"udaljena skladišta ({spec}) nisu dostupna u ovoj verziji; za --store koristite "
            "putanju do direktorijuma ili `memory`.",
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
