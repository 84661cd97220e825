"""Linked Data: every IRI of the knowledge graph dereferences here. Instance data under the
base (``/id/...``, and the base's own path when it differs), the ontology (``/ontology``),
the taxonomies (``/scheme/...``) and the places (``/place/...``) answer with an HTML page for
browsers and Turtle, JSON-LD, N-Triples or RDF/XML by content negotiation, at the IRI itself
(no 303 round trip; see docs/server.md). Graph IRIs redirect to the graph store, the dataset
IRI to its VoID description.

A resource's document is its description (the triples it is the subject of, with the blank
nodes they lead to) together with its parts: resources whose IRI extends its own with '/' or
'#' and that it links to or that link to it (an actor's address, geometry and offers; the
terms of the ontology; the concepts of a scheme). Only public graphs are read."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from ssekg.namespaces import GEO, ONTOLOGY_IRI, PLACE, PREFIXES, SCHEMA, SCHEME_BASE, SSEKG
from ssekg.resources import data_dir
from ssekg.server import conneg
from ssekg.server.pointmap import PointMap, parse_point, point_map
from ssekg.server.templating import render
from ssekg.store.base import Store
from ssekg.text import to_cyrillic, to_latin

#: Properties that name a resource, most telling first.
LABEL_PROPERTIES = (
    SKOS.prefLabel,
    SSEKG.name,
    SSEKG.transliteratedName,
    RDFS.label,
    DCTERMS.title,
    SCHEMA.name,
    FOAF.name,
    SKOS.notation,
)
#: Properties shown first in a page's table, in this order; the rest follow by label.
FIRST = (
    SSEKG.name,
    SSEKG.transliteratedName,
    SSEKG.legalName,
    SKOS.prefLabel,
    RDFS.label,
    DCTERMS.title,
    SCHEMA.description,
    SKOS.definition,
)
INCOMING_LIMIT = 100
BLANK_DEPTH = 4
NAMESPACE_PATHS = (
    (ONTOLOGY_IRI, "/ontology"),
    (SCHEME_BASE, "/scheme/"),
    (str(PLACE), "/place/"),
)


def sparql_iri(iri: str) -> str:
    """An IRI written for a query by pyoxigraph's serialiser (which rejects anything that is
    not an IRI), the one way IRIs enter query text here."""
    return str(ox.NamedNode(iri))


def _values(variable: str, iris: Iterable[str]) -> str:
    return f"VALUES ?{variable} {{ {' '.join(sparql_iri(i) for i in iris)} }}"


def _blank_closure() -> str:
    """CONSTRUCT template and pattern for ?x's triples and the blank nodes below them."""
    template = ["?x ?p0 ?o0 ."]
    pattern = "?x ?p0 ?o0 ."
    inner = ""
    for level in range(BLANK_DEPTH, 0, -1):
        template.append(f"?o{level - 1} ?p{level} ?o{level} .")
        inner = (
            f"OPTIONAL {{ FILTER isBlank(?o{level - 1}) ?o{level - 1} ?p{level} ?o{level} "
            f"{inner} }}"
        )
    return "CONSTRUCT { " + " ".join(template) + " } WHERE { {values} " + pattern + inner + " }"


DESCRIBE = _blank_closure()
PARTS = """SELECT DISTINCT ?x WHERE {
  { ?r ?q ?x } UNION { ?x ?q ?r }
  FILTER(isIRI(?x) && (STRSTARTS(STR(?x), CONCAT(STR(?r), "/"))
                       || STRSTARTS(STR(?x), CONCAT(STR(?r), "#"))))
}"""
INCOMING = """SELECT ?s ?p WHERE {
  ?s ?p ?r
  FILTER(isIRI(?s) && !STRSTARTS(STR(?s), CONCAT(STR(?r), "/"))
                   && !STRSTARTS(STR(?s), CONCAT(STR(?r), "#")))
} LIMIT %d"""
INCOMING_COUNTS = """SELECT ?p (COUNT(*) AS ?n) WHERE {
  ?s ?p ?r
  FILTER(isIRI(?s) && !STRSTARTS(STR(?s), CONCAT(STR(?r), "/"))
                   && !STRSTARTS(STR(?s), CONCAT(STR(?r), "#")))
} GROUP BY ?p"""
ONTOLOGY_DOCUMENT = f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o
  FILTER(isBlank(?s) || STRSTARTS(STR(?s), "{ONTOLOGY_IRI}")) }}"""


# -- labels -----------------------------------------------------------------------------------


def _preferences(language: str) -> list[tuple[str, str | None]]:
    """(language tag, script to transliterate into or None), in the order labels are taken."""
    if language == "sr-Cyrl":
        return [("sr-cyrl", None), ("sr-latn", "cyrl"), ("sr", "cyrl"), ("en", None), ("", None)]
    if language == "en":
        return [("en", None), ("sr-latn", None), ("sr", None), ("sr-cyrl", "latn"), ("", None)]
    return [("sr-latn", None), ("sr", None), ("sr-cyrl", "latn"), ("en", None), ("", None)]


def pick_label(literals: Sequence[tuple[int, Literal]], language: str) -> str | None:
    """The label to show: the most telling property's value in the best language, a Serbian
    one transliterated when the other script is asked for, else any."""
    ranked = sorted(literals, key=lambda item: item[0])
    for tag, script in _preferences(language):
        for _, literal in ranked:
            if (literal.language or "").lower() == tag:
                text = str(literal)
                if script == "cyrl":
                    return to_cyrillic(text)
                if script == "latn":
                    return to_latin(text)
                return text
    return str(ranked[0][1]) if ranked else None


def canonical_tag(tag: str) -> str:
    """A language tag in its usual case (rdflib keeps them lower-case): sr-Latn, en-GB."""
    first, *rest = tag.split("-")
    subtags = [first.lower()]
    for sub in rest:
        if len(sub) == 4 and sub.isalpha():
            subtags.append(sub.title())
        elif len(sub) == 2 and sub.isalpha():
            subtags.append(sub.upper())
        else:
            subtags.append(sub.lower())
    return "-".join(subtags)


def local_name(iri: str) -> str:
    name = re.split(r"[#/]", iri.rstrip("/#"))[-1]
    return name or iri


def curie(iri: str) -> str:
    best = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(best):
            best = namespace
            found = f"{prefix}:{iri[len(namespace) :]}"
    return found if best else iri


# -- the page model ---------------------------------------------------------------------------


@dataclass
class Value:
    text: str
    href: str | None = None
    lang: str | None = None
    datatype: str | None = None
    rows: list[Row] | None = None  # a blank node, shown inline
    external: bool = False


@dataclass
class Row:
    prop: str
    label: str
    href: str | None
    values: list[Value]


@dataclass
class Section:
    iri: str
    anchor: str | None
    label: str
    types: list[Value]
    rows: list[Row]


@dataclass
class Incoming:
    label: str
    href: str | None
    total: int
    subjects: list[Value] = field(default_factory=list)


class Site:
    """How IRIs map to this server's paths, for one request."""

    def __init__(self, base: str, request: Request, lang_param: str | None) -> None:
        self.base = base
        self.lang_param = lang_param
        base_parts = urlsplit(base)
        own = request.url
        self.serves_base = (base_parts.scheme, base_parts.netloc) == (own.scheme, own.netloc)

    def path_of(self, iri: str) -> str | None:
        """The path on this server that describes ``iri``, or None when it is not ours."""
        if iri.startswith(self.base):
            rest = iri[len(self.base) :]
            if rest.startswith("graph/"):
                return "/store?graph=" + quote(iri, safe="")
            if self.serves_base:
                parts = urlsplit(iri)
                return parts.path + (f"#{parts.fragment}" if parts.fragment else "")
            return "/id/" + rest
        for namespace, path in NAMESPACE_PATHS:
            if iri == namespace or iri.startswith(namespace + "#"):
                return path + iri[len(namespace) :]
            if iri.startswith(namespace) and namespace.endswith("/"):
                return path + iri[len(namespace) :]
        return None

    def href(self, iri: str) -> tuple[str | None, bool]:
        """(link target, whether it leaves this server) for an IRI."""
        path = self.path_of(iri)
        if path is not None:
            if self.lang_param and not path.startswith("/store"):
                path_part, hash_mark, fragment = path.partition("#")
                joiner = "&" if "?" in path_part else "?"
                path = f"{path_part}{joiner}lang={self.lang_param}{hash_mark}{fragment}"
            return path, False
        if iri.startswith(("http://", "https://", "mailto:", "tel:")):
            return iri, True
        return None, False


class Describer:
    """Reads resources' documents from the store (public graphs only)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def parts(self, iri: str) -> list[str]:
        rows = self.store.query(PARTS, bindings={"r": URIRef(iri)}).rows
        return sorted(str(r["x"]) for r in rows if isinstance(r.get("x"), URIRef))

    def document(self, iri: str) -> tuple[Graph, list[str]]:
        """The resource's document and its parts (empty when nothing public describes it)."""
        if iri == ONTOLOGY_IRI:
            result = self.store.query(
                ONTOLOGY_DOCUMENT, default_graphs=[self.store.graphs_of.reference], named_graphs=[]
            )
            graph = result.graph if result.graph is not None else Graph()
            parts = sorted(
                {str(s) for s in graph.subjects() if isinstance(s, URIRef) and str(s) != iri}
            )
            return graph, parts
        parts = self.parts(iri)
        query = DESCRIBE.replace("{values}", _values("x", [iri, *parts]))
        result = self.store.query(query)
        return (result.graph if result.graph is not None else Graph()), parts

    def labels(self, iris: Iterable[str]) -> dict[str, list[tuple[int, Literal]]]:
        wanted = sorted(set(iris))
        found: dict[str, list[tuple[int, Literal]]] = {}
        rank = {str(p): i for i, p in enumerate(LABEL_PROPERTIES)}
        for start in range(0, len(wanted), 200):
            chunk = wanted[start : start + 200]
            query = (
                "SELECT ?x ?lp ?l WHERE { "
                + _values("x", chunk)
                + " "
                + _values("lp", [str(p) for p in LABEL_PROPERTIES])
                + " ?x ?lp ?l FILTER isLiteral(?l) }"
            )
            for row in self.store.query(query).rows:
                literal = row["l"]
                if isinstance(literal, Literal):
                    found.setdefault(str(row["x"]), []).append((rank[str(row["lp"])], literal))
        return found

    def incoming(self, iri: str) -> tuple[list[tuple[str, str]], dict[str, int]]:
        bound = {"r": URIRef(iri)}
        rows = self.store.query(INCOMING % (INCOMING_LIMIT * 4), bindings=bound).rows
        counts = self.store.query(INCOMING_COUNTS, bindings=bound).rows
        pairs = [(str(r["s"]), str(r["p"])) for r in rows]
        return pairs, {str(r["p"]): int(str(r["n"])) for r in counts}


class PageBuilder:
    """Turns a document into what resource.html shows, in one language."""

    def __init__(self, describer: Describer, site: Site, language: str) -> None:
        self.describer = describer
        self.site = site
        self.language = language
        self.names: dict[str, list[tuple[int, Literal]]] = {}
        self.anchors: dict[str, str] = {}
        self.part_names: dict[str, str] = {}

    def label(self, iri: str) -> str:
        found = pick_label(self.names.get(iri, []), self.language)
        if found is not None:
            return found
        if iri in self.part_names:
            return self.part_names[iri]
        return curie(iri)

    def link(self, iri: str) -> Value:
        if iri in self.anchors:
            return Value(self.label(iri), href="#" + self.anchors[iri])
        href, external = self.site.href(iri)
        return Value(self.label(iri), href=href, external=external)

    def literal(self, literal: Literal) -> Value:
        datatype = None
        if literal.datatype is not None and literal.datatype not in (XSD.string,):
            datatype = curie(str(literal.datatype))
        lang = canonical_tag(literal.language) if literal.language else None
        return Value(str(literal), lang=lang, datatype=datatype)

    def rows(self, graph: Graph, subject: Node, depth: int = 0) -> list[Row]:
        by_property: dict[str, list[Node]] = {}
        for p, o in graph.predicate_objects(subject):
            if p == RDF.type and depth == 0:
                continue
            by_property.setdefault(str(p), []).append(o)
        first = {str(p): i for i, p in enumerate(FIRST)}
        ordered = sorted(
            by_property,
            key=lambda p: (first.get(p, len(first)), self.label(p).lower()),
        )
        table = []
        for prop in ordered:
            values = []
            for obj in sorted(by_property[prop], key=self._value_order):
                if isinstance(obj, Literal):
                    values.append(self.literal(obj))
                elif isinstance(obj, BNode):
                    inner = self.rows(graph, obj, depth + 1) if depth < BLANK_DEPTH else []
                    values.append(Value("", rows=inner))
                else:
                    values.append(self.link(str(obj)))
            href, _ = self.site.href(prop)
            table.append(Row(prop, self.label(prop), href, values))
        return table

    def _value_order(self, node: Node) -> tuple[int, str]:
        if isinstance(node, Literal):
            tags = [t for t, _ in _preferences(self.language)]
            tag = (node.language or "").lower()
            return (tags.index(tag) if tag in tags else len(tags), str(node))
        return (len(_preferences(self.language)) + 1, self.label(str(node)).lower())

    def section(self, graph: Graph, iri: str) -> Section:
        types = sorted(
            (self.link(str(t)) for t in graph.objects(URIRef(iri), RDF.type)),
            key=lambda v: v.text,
        )
        return Section(
            iri, self.anchors.get(iri), self.label(iri), types, self.rows(graph, URIRef(iri))
        )

    def page(self, iri: str, graph: Graph, parts: list[str]) -> dict[str, Any]:
        for part in parts:
            fragment = urlsplit(part).fragment
            rest = part[len(iri) :].strip("/#")
            self.anchors[part] = fragment or "part-" + re.sub(r"[^A-Za-z0-9_-]+", "-", rest)
        pairs, counts = self.describer.incoming(iri)
        mentioned = {iri, *parts}
        for s, p, o in graph:
            mentioned.add(str(p))
            for node in (s, o):
                if isinstance(node, URIRef):
                    mentioned.add(str(node))
        mentioned.update(s for s, _ in pairs)
        mentioned.update(counts)
        self.names = self.describer.labels(mentioned)
        for part in parts:
            # An unnamed part reads as its kind and where it sits: "address", "need ·
            # BUSINESS-MODEL".
            rest = part[len(iri) :].strip("/#")
            kinds = sorted(self.label(str(t)) for t in graph.objects(URIRef(part), RDF.type))
            self.part_names[part] = f"{kinds[0]} · {rest}" if kinds else rest
        main = self.section(graph, iri)
        sections = [self.section(graph, part) for part in parts]
        incoming: dict[str, Incoming] = {}
        for prop, total in counts.items():
            href, _ = self.site.href(prop)
            incoming[prop] = Incoming(self.label(prop), href, total)
        for subject, prop in pairs:
            entry = incoming.get(prop)
            if entry is not None and len(entry.subjects) < INCOMING_LIMIT:
                entry.subjects.append(self.link(subject))
        for entry in incoming.values():
            entry.subjects.sort(key=lambda v: v.text.lower())
        return {
            "main": main,
            "sections": sections,
            "incoming": sorted(incoming.values(), key=lambda e: e.label.lower()),
            "map": self.map(graph, iri, parts),
        }

    def map(self, graph: Graph, iri: str, parts: list[str]) -> PointMap | None:
        for node in [URIRef(iri), *(URIRef(p) for p in parts)]:
            for geometry in graph.objects(node, GEO.hasGeometry):
                for wkt in graph.objects(geometry, GEO.asWKT):
                    point = parse_point(str(wkt))
                    if point is not None:
                        return point_map(*point)
        return None


# -- the routes -------------------------------------------------------------------------------

FORMAT_NAMES = {f.name: f for f in conneg.RDF_FORMATS}


def create_router(store: Store) -> APIRouter:
    router = APIRouter(tags=["linked data"])
    describer = Describer(store)
    base = store.graphs_of.base

    def dereference(request: Request, iri: str) -> Response:
        params = request.query_params
        lang_param = params.get("lang")
        language = conneg.choose_language(lang_param, request.headers.get("accept-language"))
        if iri.startswith(base + "graph/"):
            return RedirectResponse("/store?graph=" + quote(iri, safe=""), status_code=303)
        if iri == base + "dataset" or iri.startswith(base + "dataset/"):
            return RedirectResponse("/.well-known/void", status_code=303)
        offered = [conneg.HTML] + [f.media_type for f in conneg.RDF_FORMATS]
        requested = params.get("format")
        if requested is not None:
            chosen = "html" if requested == "html" else conneg.BY_NAME.get(requested.lower())
            if chosen is None:
                names = ", ".join(["html", *FORMAT_NAMES])
                return PlainTextResponse(
                    f"the format {requested!r} is not offered; use one of {names}.\n"
                    f"format {requested!r} nije ponuđen; koristite jedan od: {names}.\n",
                    status_code=400,
                )
            media = conneg.HTML if chosen == "html" else chosen.media_type  # type: ignore[union-attr]
        else:
            media = conneg.negotiate(request.headers.get("accept"), offered)
        if media is None:
            return PlainTextResponse(
                f"this resource is available as {', '.join(offered)}.\n"
                f"ovaj resurs je dostupan kao {', '.join(offered)}.\n",
                status_code=406,
                headers={"Vary": "Accept"},
            )
        try:
            ox.NamedNode(iri)
        except ValueError:
            return not_found(iri, media, language, lang_param)
        graph, parts = describer.document(iri)
        if len(graph) == 0:
            return not_found(iri, media, language, lang_param)
        path = request.url.path
        alternates = ", ".join(
            f'<{path}?format={f.name}>; rel="alternate"; type="{f.media_type}"'
            for f in conneg.RDF_FORMATS
        )
        headers = {"Vary": "Accept, Accept-Language", "Link": alternates}
        if media == conneg.HTML:
            site = Site(base, request, lang_param)
            model = PageBuilder(describer, site, language).page(iri, graph, parts)
            formats = [(f.name.upper(), f"{path}?format={f.name}") for f in conneg.RDF_FORMATS]
            html = render(
                "resource.html",
                language,
                iri=iri,
                formats=formats,
                path=path,
                lang_param=lang_param,
                **model,
            )
            headers["Content-Language"] = language
            return HTMLResponse(html, headers=headers)
        fmt = conneg.BY_MEDIA_TYPE[media]
        headers["Content-Location"] = f"{path}?format={fmt.name}"
        return Response(conneg.serialize(graph, fmt), media_type=fmt.media_type, headers=headers)

    def not_found(iri: str, media: str, language: str, lang_param: str | None) -> Response:
        if media == conneg.HTML:
            html = render("not_found.html", language, iri=iri, lang_param=lang_param)
            return HTMLResponse(html, status_code=404, headers={"Content-Language": language})
        return PlainTextResponse(
            f"there is no public description of {iri} here; check the IRI.\n"
            f"ovde nema javnog opisa za {iri}; proverite IRI.\n",
            status_code=404,
        )

    @router.get("/id/{rest:path}", include_in_schema=False)
    def instance(request: Request, rest: str) -> Response:
        return dereference(request, base + rest)

    base_path = urlsplit(base).path
    if base_path not in ("", "/", "/id/"):

        @router.get(base_path + "{rest:path}", include_in_schema=False)
        def instance_at_base(request: Request, rest: str) -> Response:
            return dereference(request, base + rest)

    @router.get("/ontology", include_in_schema=False)
    def ontology(request: Request) -> Response:
        return dereference(request, ONTOLOGY_IRI)

    @router.get("/scheme/{rest:path}", include_in_schema=False)
    def scheme(request: Request, rest: str) -> Response:
        return dereference(request, SCHEME_BASE + rest)

    @router.get("/place/{rest:path}", include_in_schema=False)
    def place(request: Request, rest: str) -> Response:
        return dereference(request, str(PLACE) + rest)

    @router.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        entry = data_dir("server/static").joinpath(name)
        if "/" in name or name.startswith(".") or not entry.is_file():
            return PlainTextResponse("not found\nnije pronađeno\n", status_code=404)
        media = {".css": "text/css", ".svg": "image/svg+xml", ".js": "text/javascript"}
        suffix = name[name.rfind(".") :]
        return Response(
            entry.read_bytes(),
            media_type=media.get(suffix, "application/octet-stream"),
            headers={"Cache-Control": "public, max-age=3600"},
        )

    return router
