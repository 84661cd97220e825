"""The formats the SPARQL endpoint answers in, and content negotiation over them.

Each offer is a media type the endpoint may put in Content-Type, with the pyoxigraph format
that writes it. Registered types come first; the aliases some clients ask for
(``application/json``, ``application/xml``, ``text/plain``, ...) are offered after them, so
a client that accepts both gets the registered type, and one that names only the alias gets
exactly what it asked for.

Negotiation follows RFC 9110: each offer takes the q-value of the most specific Accept range
that matches it (``type/subtype`` over ``type/*`` over ``*/*``; a range with a ``charset``
other than UTF-8 does not match); the highest q wins and ties go to the order of the offers.
A ``format`` (or ``output``, ``results``) request parameter naming a format (``json``,
``xml``, ``csv``, ``tsv``, ``turtle``, ``ntriples``, ...) or a media type overrides Accept
when it fits the result; other values are ignored."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True)
class Offer:
    media_type: str
    format: ox.QueryResultsFormat | ox.RdfFormat
    names: tuple[str, ...] = ()  # short names for ?format=


R = ox.QueryResultsFormat
F = ox.RdfFormat

#: SELECT and ASK results.
RESULT_OFFERS: tuple[Offer, ...] = (
    Offer("application/sparql-results+json", R.JSON, ("json", "srj")),
    Offer("application/sparql-results+xml", R.XML, ("xml", "srx")),
    Offer("text/csv", R.CSV, ("csv",)),
    Offer("text/tab-separated-values", R.TSV, ("tsv",)),
    Offer("application/json", R.JSON),
    Offer("application/xml", R.XML),
    Offer("text/xml", R.XML),
)
#: CONSTRUCT and DESCRIBE results, and the service description.
GRAPH_OFFERS: tuple[Offer, ...] = (
    Offer("text/turtle", F.TURTLE, ("turtle", "ttl")),
    Offer("application/n-triples", F.N_TRIPLES, ("ntriples", "n-triples", "nt")),
    Offer("application/ld+json", F.JSON_LD, ("jsonld", "json-ld")),
    Offer("application/rdf+xml", F.RDF_XML, ("rdfxml", "rdf", "xml")),
    Offer("application/n-quads", F.N_QUADS, ("nquads", "n-quads", "nq")),
    Offer("application/trig", F.TRIG, ("trig",)),
    Offer("application/x-turtle", F.TURTLE),
    Offer("text/plain", F.N_TRIPLES),
    Offer("application/json", F.JSON_LD, ("json",)),
    Offer("application/xml", F.RDF_XML),
    Offer("text/xml", F.RDF_XML),
)

#: The registered types, as the service description lists them (W3C format IRIs).
FORMAT_IRIS = {
    "application/sparql-results+json": "http://www.w3.org/ns/formats/SPARQL_Results_JSON",
    "application/sparql-results+xml": "http://www.w3.org/ns/formats/SPARQL_Results_XML",
    "text/csv": "http://www.w3.org/ns/formats/SPARQL_Results_CSV",
    "text/tab-separated-values": "http://www.w3.org/ns/formats/SPARQL_Results_TSV",
    "text/turtle": "http://www.w3.org/ns/formats/Turtle",
    "application/n-triples": "http://www.w3.org/ns/formats/N-Triples",
    "application/ld+json": "http://www.w3.org/ns/formats/JSON-LD",
    "application/rdf+xml": "http://www.w3.org/ns/formats/RDF_XML",
    "application/n-quads": "http://www.w3.org/ns/formats/N-Quads",
    "application/trig": "http://www.w3.org/ns/formats/TriG",
}


@dataclass(frozen=True)
class _Range:
    kind: str
    subtype: str
    q: float
    usable: bool  # False when it asks for a charset we do not write

    def specificity(self, media_type: str) -> int:
        """2 for an exact match, 1 for type/*, 0 for */*, -1 when it does not match."""
        kind, _, subtype = media_type.partition("/")
        if self.kind == kind and self.subtype == subtype:
            return 2
        if self.kind == kind and self.subtype == "*":
            return 1
        if self.kind == "*" and self.subtype == "*":
            return 0
        return -1


def parse_accept(accept: str) -> list[_Range]:
    ranges = []
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        media = media.lower()
        if "/" not in media:
            continue
        q, usable = 1.0, True
        for param in params:
            key, _, value = param.partition("=")
            key, value = key.strip().lower(), value.strip().strip('"').lower()
            if key == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
            elif key == "charset" and value not in ("utf-8", "utf8", "*"):
                usable = False
        kind, _, subtype = media.partition("/")
        ranges.append(_Range(kind, subtype, q, usable))
    return ranges


def negotiate(accept: str | None, offers: Sequence[Offer]) -> Offer | None:
    """The offer the Accept header prefers; the first offer when there is no header; None
    when nothing offered is acceptable."""
    if not accept or not accept.strip():
        return offers[0]
    ranges = parse_accept(accept)
    if not ranges:
        return offers[0]
    best: tuple[float, int] | None = None
    chosen = None
    for index, offer in enumerate(offers):
        level, q = -1, 0.0
        for candidate in ranges:
            specificity = candidate.specificity(offer.media_type)
            if specificity > level:
                level, q = specificity, candidate.q if candidate.usable else 0.0
        if level < 0 or q <= 0:
            continue
        if best is None or (q, -index) > best:
            best, chosen = (q, -index), offer
    return chosen


def by_parameter(values: Sequence[str], offers: Sequence[Offer]) -> Offer | None:
    """The offer a ``format``/``output``/``results`` parameter names, if any fits."""
    for value in values:
        wanted = value.strip().lower()
        for offer in offers:
            if wanted == offer.media_type or wanted in offer.names:
                return offer
    return None


def choose(accept: str | None, format_params: Sequence[str], graph: bool) -> Offer | None:
    offers = GRAPH_OFFERS if graph else RESULT_OFFERS
    return by_parameter(format_params, offers) or negotiate(accept, offers)


def acceptable_types(graph: bool) -> str:
    """The registered media types, for a 406 message."""
    offers = GRAPH_OFFERS if graph else RESULT_OFFERS
    return ", ".join(o.media_type for o in offers if o.media_type in FORMAT_IRIS)
