"""The public data as Linked Data: N-Quads of every public graph (the dump), and JSON-LD of
the instance data (everything but the reference and metadata graphs) compacted with the
project's own context, ``ssekg/ontology/context.jsonld``."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, BinaryIO

from rdflib import Graph, URIRef

from ssekg.namespaces import PREFIXES
from ssekg.resources import data_dir
from ssekg.store.base import Store

CONTEXT_URL = "https://w3id.org/ssekg/ontology/context.jsonld"
_INSTANCE_DATA = """CONSTRUCT { ?s ?p ?o } WHERE {
  GRAPH ?g { ?s ?p ?o }
  FILTER(?g != ?reference && ?g != ?meta)
}"""


@lru_cache(maxsize=1)
def project_context() -> dict[str, Any]:
    """The ``@context`` object of the project's JSON-LD context file."""
    text = data_dir("ontology").joinpath("context.jsonld").read_text(encoding="utf-8")
    context: dict[str, Any] = json.loads(text)["@context"]
    return context


def instance_graph(store: Store) -> Graph:
    """The public instance data as one graph: sources, curation and links, no reference
    data (ontology, taxonomies, places) and no metadata."""
    graphs = store.graphs_of
    result = store.query(
        _INSTANCE_DATA,
        bindings={"reference": URIRef(graphs.reference), "meta": URIRef(graphs.meta)},
    )
    graph = result.graph if result.graph is not None else Graph()
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri)
    return graph


def write_jsonld(store: Store, out: BinaryIO) -> None:
    graph = instance_graph(store)
    text = graph.serialize(format="json-ld", context=project_context(), auto_compact=True)
    document = json.loads(text)
    if not isinstance(document, dict) or "@graph" not in document:
        node = {k: v for k, v in document.items() if k != "@context"} if document else None
        document = {"@context": project_context(), "@graph": [node] if node else []}
    out.write(json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8"))


def write_nquads(store: Store, out: BinaryIO) -> None:
    store.dump(out, include_private=False)
