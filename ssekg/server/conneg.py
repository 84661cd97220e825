"""Content negotiation for the publishing routes: media types by Accept (with q-values), the
RDF formats a resource can be written in, and the display language by ?lang= or
Accept-Language."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph

from ssekg.namespaces import PREFIXES
from ssekg.resources import data_dir
from ssekg.store.terms import to_ox


@dataclass(frozen=True)
class RdfFormat:
    """One RDF serialisation: its media type, rdflib plugin, ?format= name and file suffix."""

    media_type: str
    plugin: str
    name: str
    suffix: str


TURTLE = RdfFormat("text/turtle", "turtle", "ttl", ".ttl")
JSON_LD = RdfFormat("application/ld+json", "json-ld", "jsonld", ".jsonld")
N_TRIPLES = RdfFormat("application/n-triples", "nt", "nt", ".nt")
RDF_XML = RdfFormat("application/rdf+xml", "xml", "rdf", ".rdf")

#: The formats a graph is served in, in the server's order of preference.
RDF_FORMATS: tuple[RdfFormat, ...] = (TURTLE, JSON_LD, N_TRIPLES, RDF_XML)
BY_MEDIA_TYPE = {f.media_type: f for f in RDF_FORMATS}
BY_NAME = {f.name: f for f in RDF_FORMATS} | {
    "turtle": TURTLE,
    "json-ld": JSON_LD,
    "json": JSON_LD,
    "ntriples": N_TRIPLES,
    "n-triples": N_TRIPLES,
    "xml": RDF_XML,
    "rdfxml": RDF_XML,
}
HTML = "text/html"

#: Media types clients send for these formats besides the registered ones.
ALIASES = {
    "application/x-turtle": "text/turtle",
    "application/turtle": "text/turtle",
    "text/n-triples": "application/n-triples",
    "text/plain": "application/n-triples",
    "application/json": "application/ld+json",
    "application/xml": "application/rdf+xml",
    "text/xml": "application/rdf+xml",
    "application/xhtml+xml": "text/html",
}


@dataclass(frozen=True)
class _Range:
    kind: str
    subtype: str
    q: float

    def matches(self, media_type: str) -> int:
        """How specifically this range matches (2 exact, 1 type/*, 0 */*), or -1."""
        kind, _, subtype = media_type.partition("/")
        if self.kind == kind and self.subtype == subtype:
            return 2
        if self.kind == kind and self.subtype == "*":
            return 1
        if self.kind == "*" and self.subtype == "*":
            return 0
        return -1


def _ranges(accept: str) -> list[_Range]:
    ranges = []
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        media = ALIASES.get(media.lower(), media.lower())
        if "/" not in media:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        kind, _, subtype = media.partition("/")
        ranges.append(_Range(kind, subtype, q))
    return ranges


def negotiate(accept: str | None, offered: Sequence[str]) -> str | None:
    """The offered media type the Accept header prefers: each offer takes the q of the most
    specific range that matches it; ties go to the order of ``offered``. No header (or an
    empty one) means the first offer; None means nothing offered is acceptable (406)."""
    if not accept or not accept.strip():
        return offered[0] if offered else None
    ranges = _ranges(accept)
    if not ranges:
        return offered[0] if offered else None
    best: tuple[float, int] | None = None
    chosen: str | None = None
    for index, media_type in enumerate(offered):
        specificity, q = -1, 0.0
        for candidate in ranges:
            level = candidate.matches(media_type)
            if level > specificity:
                specificity, q = level, candidate.q
        if specificity < 0 or q <= 0:
            continue
        key = (q, -index)
        if best is None or key > best:
            best, chosen = key, media_type
    return chosen


#: Display languages of the pages, the default first.
LANGUAGES = ("sr-Latn", "sr-Cyrl", "en")
DEFAULT_LANGUAGE = "sr-Latn"


def _language_of(tag: str) -> str | None:
    """One of LANGUAGES for a BCP 47 tag, or None. Plain "sr" and the neighbouring
    Latin-script languages read as sr-Latn, the project's default script."""
    tag = tag.strip().lower().replace("_", "-")
    if not tag:
        return None
    parts = tag.split("-")
    if parts[0] == "en":
        return "en"
    if parts[0] in ("sr", "sh", "hr", "bs", "cnr"):
        if "cyrl" in parts[1:]:
            return "sr-Cyrl"
        return "sr-Latn"
    return None


def choose_language(lang_param: str | None, accept_language: str | None) -> str:
    """The page language: ?lang= when it names one we speak, else the best of
    Accept-Language, else sr-Latn."""
    if lang_param:
        chosen = _language_of(lang_param)
        if chosen is not None:
            return chosen
    if accept_language:
        weighted: list[tuple[float, int, str]] = []
        for index, part in enumerate(accept_language.split(",")):
            tag, *params = (p.strip() for p in part.split(";"))
            q = 1.0
            for param in params:
                key, _, value = param.partition("=")
                if key.strip().lower() == "q":
                    try:
                        q = float(value)
                    except ValueError:
                        q = 0.0
            language = _language_of(tag)
            if language is not None and q > 0:
                weighted.append((q, -index, language))
        if weighted:
            return max(weighted)[2]
    return DEFAULT_LANGUAGE


@lru_cache(maxsize=1)
def jsonld_context() -> dict[str, Any]:
    """The project's JSON-LD @context (ssekg/ontology/context.jsonld), its inner object."""
    text = data_dir("ontology").joinpath("context.jsonld").read_text(encoding="utf-8")
    context: dict[str, Any] = json.loads(text)["@context"]
    return context


_OXIGRAPH = {
    TURTLE.name: ox.RdfFormat.TURTLE,
    N_TRIPLES.name: ox.RdfFormat.N_TRIPLES,
    RDF_XML.name: ox.RdfFormat.RDF_XML,
}


def serialize(graph: Graph, fmt: RdfFormat) -> bytes:
    """The graph in one format. Turtle (with the project's prefixes), N-Triples and RDF/XML
    are written by pyoxigraph, which keeps every literal's lexical form as stored; JSON-LD by
    rdflib, compacted with the project's @context (inline, so it reads offline)."""
    if fmt is JSON_LD:
        data = graph.serialize(
            format="json-ld", context=jsonld_context(), auto_compact=True, encoding="utf-8"
        )
        return data if isinstance(data, bytes) else data.encode("utf-8")
    # Grouped by subject (IRIs first), so Turtle can write each subject once.
    triples = []
    for s, p, o in sorted(graph, key=lambda t: (isinstance(t[0], BNode), str(t[0]), str(t[1]))):
        subject, predicate = to_ox(s), to_ox(p)
        if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
            continue
        triples.append(ox.Triple(subject, predicate, to_ox(o)))
    prefixes = PREFIXES if fmt is not N_TRIPLES else None
    return ox.serialize(triples, format=_OXIGRAPH[fmt.name], prefixes=prefixes) or b""
