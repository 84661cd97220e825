"""A cache of parsed SPARQL queries for rdflib's engine, used while validating.

pySHACL runs each SHACL-SPARQL constraint once per focus node and hands rdflib the query as
text every time, so rdflib parses the same long query again for every actor (0.15 s each for
the identifier checks, most of a validation run). rdflib's own remedy is ``prepareQuery``,
whose result may be evaluated many times; this does the same behind ``Graph.query`` for the
queries it has seen before."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from rdflib.plugins.sparql import processor
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.sparql import Query

_original_query = processor.SPARQLProcessor.query


@lru_cache(maxsize=512)
def _prepared(text: str, base: str | None, namespaces: tuple[tuple[str, str], ...]) -> Query:
    return translateQuery(parseQuery(text), base, dict(namespaces) or None)


def _cached_query(
    self: processor.SPARQLProcessor,
    strOrQuery: str | Query,  # noqa: N803 (rdflib's parameter name)
    initBindings: Mapping[str, Any] | None = None,  # noqa: N803
    initNs: Mapping[str, Any] | None = None,  # noqa: N803
    base: str | None = None,
    DEBUG: bool = False,  # noqa: N803
) -> Mapping[str, Any]:
    if isinstance(strOrQuery, str):
        namespaces = tuple(sorted((k, str(v)) for k, v in (initNs or {}).items()))
        strOrQuery = _prepared(strOrQuery, base, namespaces)
    return _original_query(self, strOrQuery, initBindings, None, base, DEBUG)


def install() -> None:
    """Route rdflib's SPARQL queries through the cache (idempotent)."""
    processor.SPARQLProcessor.query = _cached_query  # type: ignore[method-assign]
