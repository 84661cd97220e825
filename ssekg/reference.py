"""The reference data every deployment starts with: the ontology, the SKOS taxonomies and the
gazetteer of places, read from the package's Turtle files."""

from __future__ import annotations

from functools import lru_cache
from importlib.abc import Traversable

from rdflib import Graph

from ssekg.resources import data_files


def reference_files() -> list[str]:
    """Names of the Turtle files that make up the reference graph, ontology first."""
    return [str(f) for f in _files()]


def _files() -> list[Traversable]:
    files = data_files("ontology", ".ttl")
    return [f for f in files if f.name == "ssekg.ttl"] + [f for f in files if f.name != "ssekg.ttl"]


@lru_cache(maxsize=1)
def _cached() -> Graph:
    graph = Graph()
    for f in _files():
        graph.parse(data=f.read_text(encoding="utf-8"), format="turtle", publicID=str(f))
    return graph


def reference_graph() -> Graph:
    """A fresh copy of the reference graph (the cached one is never handed out, so callers may
    add to what they get)."""
    copy = Graph()
    for triple in _cached():
        copy.add(triple)
    return copy
