"""Reading and writing RDF files (triples only). Files are parsed with pyoxigraph, whose
errors give the line and column, and handed on as rdflib graphs."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph
from rdflib.term import Node

from ssekg.errors import InputError, ParseError
from ssekg.namespaces import PREFIXES
from ssekg.store.terms import from_ox

#: Format names (as given with --format, or derived from the suffix) to pyoxigraph formats.
FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "json-ld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}
ALIASES = {
    "ttl": "turtle",
    "ntriples": "nt",
    "n-triples": "nt",
    "jsonld": "json-ld",
    "json": "json-ld",
    "rdfxml": "xml",
    "rdf/xml": "xml",
    "rdf": "xml",
    "owl": "xml",
}
SUFFIXES = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".xml": "xml",
    ".owl": "xml",
}
DATASET_SUFFIXES = (".nq", ".trig")
ACCEPTED = "Turtle (.ttl), N-Triples (.nt), JSON-LD (.jsonld, .json), RDF/XML (.rdf, .xml, .owl)"
ACCEPTED_SR = ACCEPTED.replace("), RDF/XML", ") ili RDF/XML")

#: Output formats of serialize_graph, as rdflib plugin names.
WRITERS = {"turtle": "turtle", "ttl": "turtle", "nt": "nt", "jsonld": "json-ld",
           "json-ld": "json-ld", "xml": "xml"}


def _format_for(path: Path, fmt: str | None) -> ox.RdfFormat:
    if fmt is not None:
        name = ALIASES.get(fmt.lower(), fmt.lower())
        if name not in FORMATS:
            raise InputError(
                f"the RDF format {fmt!r} is not known; use one of turtle, nt, json-ld, xml.",
                f"RDF format {fmt!r} nije poznat; koristite jedan od: turtle, nt, json-ld, xml.",
            )
        return FORMATS[name]
    suffix = path.suffix.lower()
    if suffix in DATASET_SUFFIXES:
        raise InputError(
            f"{path} holds named graphs ({suffix}); give the triples as {ACCEPTED}.",
            f"{path} sadrži imenovane grafove ({suffix}); dajte trojke kao {ACCEPTED_SR}.",
        )
    if suffix not in SUFFIXES:
        raise InputError(
            f"{path}: the suffix {suffix or '(none)'} is not an RDF format this tool reads; "
            f"accepted are {ACCEPTED}.",
            f"{path}: nastavak {suffix or '(nema)'} nije RDF format koji alat čita; prihvataju "
            f"se {ACCEPTED_SR}.",
        )
    return FORMATS[SUFFIXES[suffix]]


def _where(error: SyntaxError, path: Path, fmt: ox.RdfFormat) -> tuple[str, str]:
    """'line N, column M' in English and Serbian, as far as the parser tells."""
    line = error.lineno
    column = error.offset
    if line is None and fmt == ox.RdfFormat.JSON_LD:
        try:
            json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as json_error:
            line, column = json_error.lineno, json_error.colno
        except (OSError, UnicodeDecodeError):
            pass
    if line is None:
        return "line unknown", "red nepoznat"
    if column is None:
        return f"line {line}", f"red {line}"
    return f"line {line}, column {column}", f"red {line}, kolona {column}"


def parse_rdf(path: Path, format: str | None = None) -> Graph:
    """Parse one RDF file into a graph; blank nodes get fresh names, so two files never share
    one by accident."""
    path = Path(path)
    fmt = _format_for(path, format)
    if not path.is_file():
        raise InputError(
            f"{path}: no such file; check the path.",
            f"{path}: datoteka ne postoji; proverite putanju.",
        )
    graph = Graph()
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri)
    blanks: dict[str, BNode] = {}

    def term(value: object) -> Node:
        if isinstance(value, ox.BlankNode):
            return blanks.setdefault(value.value, BNode())
        return from_ox(value)

    try:
        with path.open("rb") as handle:
            for quad in ox.parse(handle, fmt, base_iri=path.resolve().as_uri()):
                graph.add((term(quad.subject), term(quad.predicate), term(quad.object)))
    except SyntaxError as error:
        where_en, where_sr = _where(error, path, fmt)
        detail = error.msg if isinstance(error.msg, str) else str(error)
        raise ParseError(
            f"{path}, {where_en}: {detail}; fix the file and try again.",
            f"{path}, {where_sr}: {detail}; ispravite datoteku i pokušajte ponovo.",
        ) from None
    except (OSError, ValueError) as error:
        raise InputError(
            f"{path} cannot be read: {error}.", f"{path} ne može da se pročita: {error}."
        ) from None
    return graph


def serialize_graph(graph: Graph, fmt: str) -> bytes:
    """The graph as turtle, nt, jsonld or xml (RDF/XML)."""
    if fmt not in WRITERS:
        raise InputError(
            f"the RDF format {fmt!r} cannot be written; use turtle, nt, jsonld or xml.",
            f"RDF format {fmt!r} ne može da se zapiše; koristite turtle, nt, jsonld ili xml.",
        )
    data = graph.serialize(format=WRITERS[fmt], encoding="utf-8")
    return data if isinstance(data, bytes) else data.encode("utf-8")
