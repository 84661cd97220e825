"""Conversion between pyoxigraph and rdflib terms: the only place that knows both."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
OxGraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


@lru_cache(maxsize=1 << 17)
def _named(iri: str) -> ox.NamedNode:
    # the same predicates, classes, concepts and places come back in every record
    return ox.NamedNode(iri)


def to_ox(term: Node) -> OxTerm:
    """An rdflib term as a pyoxigraph term (raises ValueError for an invalid IRI)."""
    if isinstance(term, URIRef):
        return _named(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=_named(str(term.datatype)))
        return ox.Literal(str(term))
    raise ValueError(f"cannot store the term {term!r}: only IRIs, blank nodes and literals")


def from_ox(term: object) -> Node:
    """A pyoxigraph term as an rdflib term; xsd:string literals become plain literals."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype in (XSD_STRING, RDF_LANG_STRING):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise ValueError(f"the term {term!r} has no rdflib counterpart (RDF 1.2 triple terms)")


def graph_name(graph: str | None) -> OxGraphName:
    """A graph IRI as a pyoxigraph graph name; None is the store's default graph."""
    return ox.DefaultGraph() if graph is None else _named(graph)


def to_ox_quads(
    grouped: Iterable[tuple[Node, Iterable[tuple[Node, Iterable[Node]]]]], graph: str | None
) -> list[ox.Quad]:
    """Triples grouped by subject, then predicate, as quads of ``graph``: each subject and
    predicate converted once (raises ValueError as :func:`to_ox_quad`)."""
    name = graph_name(graph)
    quads: list[ox.Quad] = []
    for s, po in grouped:
        subject = to_ox(s)
        if isinstance(subject, ox.Literal):
            raise ValueError(f"not a valid triple: a literal as subject: {s!r}")
        for p, objects in po:
            predicate = to_ox(p)
            if not isinstance(predicate, ox.NamedNode):
                raise ValueError(f"not a valid triple: {p!r} as predicate")
            quads += [ox.Quad(subject, predicate, to_ox(o), name) for o in objects]
    return quads


def to_ox_quad(s: Node, p: Node, o: Node, graph: str | None) -> ox.Quad:
    subject = to_ox(s)
    predicate = to_ox(p)
    if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
        raise ValueError(f"not a valid triple: {s!r} {p!r} {o!r}")
    return ox.Quad(subject, predicate, to_ox(o), graph_name(graph))
