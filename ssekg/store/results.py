"""The result of a SPARQL query, independent of the store that answered it, and its
serializations: SPARQL 1.1 Query Results (JSON, XML, CSV, TSV) and RDF for graph results."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any
from typing import Literal as Kind

import pyoxigraph as ox
from rdflib import Graph, Variable
from rdflib.query import Result
from rdflib.term import Node

from ssekg.errors import InputError

RESULT_FORMATS: dict[str, tuple[str, ox.QueryResultsFormat | None]] = {
    "json": ("application/sparql-results+json", None),
    "xml": ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    "csv": ("text/csv", ox.QueryResultsFormat.CSV),
    "tsv": ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
}
GRAPH_FORMATS: dict[str, tuple[str, str]] = {
    "turtle": ("text/turtle", "turtle"),
    "nt": ("application/n-triples", "nt"),
    "jsonld": ("application/ld+json", "json-ld"),
    "xml": ("application/rdf+xml", "xml"),
}


@dataclass
class QueryResult:
    """``kind`` is "select" (``variables`` and ``rows``), "ask" (``boolean``) or "graph"
    (``graph``, for CONSTRUCT and DESCRIBE). A row maps each bound variable to its term."""

    kind: Kind["select", "ask", "graph"]
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, Node]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None

    def formats(self) -> list[str]:
        return list(GRAPH_FORMATS if self.kind == "graph" else RESULT_FORMATS)

    def _check(self, fmt: str) -> None:
        if fmt not in self.formats():
            known = ", ".join(self.formats())
            raise InputError(
                f"a {self.kind} result cannot be written as {fmt!r}; use one of {known}.",
                f"rezultat vrste {self.kind} ne može da se zapiše kao {fmt!r}; "
                f"koristite jedan od: {known}.",
            )

    def media_type(self, fmt: str) -> str:
        self._check(fmt)
        if self.kind == "graph":
            return GRAPH_FORMATS[fmt][0]
        return RESULT_FORMATS[fmt][0]

    def serialize(self, fmt: str) -> bytes:
        self._check(fmt)
        if self.kind == "graph":
            graph = self.graph if self.graph is not None else Graph()
            data = graph.serialize(format=GRAPH_FORMATS[fmt][1], encoding="utf-8")
            return data if isinstance(data, bytes) else data.encode("utf-8")
        as_json = self._json()
        target = RESULT_FORMATS[fmt][1]
        if target is None:
            return as_json
        # rdflib writes SPARQL JSON; pyoxigraph reads it back and writes the other formats
        # (rdflib has no TSV writer and no CSV writer for ASK).
        parsed = ox.parse_query_results(as_json, format=ox.QueryResultsFormat.JSON)
        out = parsed.serialize(format=target)
        return out if isinstance(out, bytes) else b""

    def _json(self) -> bytes:
        if self.kind == "ask":
            result = Result("ASK")
            result.askAnswer = bool(self.boolean)
        else:
            result = Result("SELECT")
            result.vars = [Variable(v) for v in self.variables]
            rows: list[Any] = [{Variable(k): v for k, v in row.items()} for row in self.rows]
            result.bindings = rows
        buffer = io.BytesIO()
        result.serialize(buffer, format="json", encoding="utf-8")
        return buffer.getvalue()
