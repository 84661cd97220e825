"""The dataset's own description and its dump: /.well-known/void (VoID and DCAT: size,
classes and properties with counts, linksets to other datasets, licence, dump and endpoint)
and /dump (the public graphs as gzipped N-Quads, streamed).

The figures come from counting queries over the public graphs, which take a while on a big
store, so they are computed once and kept until the store changes. A store change is noticed
three ways: loaders call :func:`refresh_void` after a load; writes through the server
(/store, /sparql updates) call :func:`invalidate` (the :class:`ForgetOnWrite` middleware
covers every route); and a cheap fingerprint (the graph names and the size of the metadata
graph, which grows with every load's provenance) catches loads from elsewhere."""

from __future__ import annotations

import gzip
import io
import queue
import re
import threading
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response, StreamingResponse
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, XSD
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ssekg import __version__
from ssekg.namespaces import ONTOLOGY_IRI, PLACE, PREFIXES, SCHEMA, SCHEME_BASE
from ssekg.server import conneg
from ssekg.server.templating import render
from ssekg.store.base import Store
from ssekg.text import to_cyrillic

VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
IANA = "https://www.iana.org/assignments/media-types/"

#: The licence of the published data (the project's data licence, as in the README).
DATASET_LICENSE = "https://creativecommons.org/licenses/by/4.0/"

#: Properties whose IRI objects link this dataset to others.
LINK_PREDICATES = (
    OWL.sameAs,
    SKOS.exactMatch,
    SKOS.closeMatch,
    SKOS.broadMatch,
    SKOS.narrowMatch,
    SKOS.relatedMatch,
    OWL.equivalentClass,
    OWL.equivalentProperty,
    SCHEMA.sameAs,
)

TITLE = {
    "en": "ssekg: the knowledge graph of the social and solidarity economy in Serbia",
    "sr-Latn": "ssekg: graf znanja socijalne i solidarne ekonomije u Srbiji",
}
DESCRIPTION = {
    "en": "Actors of the social and solidarity economy in Serbia (social enterprises, "
    "cooperatives, associations, support organisations, funders, networks), their practices, "
    "capacities, offers and needs, memberships, cooperations and funding, with the ontology, "
    "taxonomies and gazetteer of Serbian places they refer to.",
    "sr-Latn": "Akteri socijalne i solidarne ekonomije u Srbiji (socijalna preduzeća, zadruge, "
    "udruženja, organizacije podrške, finansijeri, mreže), njihove prakse, kapaciteti, ponude "
    "i potrebe, članstva, saradnje i finansiranje, sa ontologijom, taksonomijama i "
    "gazetirom mesta Srbije na koje se pozivaju.",
}
TITLE["sr-Cyrl"] = "ssekg: " + to_cyrillic(TITLE["sr-Latn"].removeprefix("ssekg: "))
DESCRIPTION["sr-Cyrl"] = to_cyrillic(DESCRIPTION["sr-Latn"])


# -- the figures ------------------------------------------------------------------------------


@dataclass
class Linkset:
    predicate: str
    namespace: str
    triples: int


@dataclass
class VoidStats:
    """What the description says about the public graphs, computed at ``computed_at``."""

    triples: int
    distinct_subjects: int
    distinct_objects: int
    graphs: list[tuple[str, int]]
    classes: list[tuple[str, int]]
    properties: list[tuple[str, int]]
    linksets: list[Linkset]
    examples: list[str]
    modified: str | None
    computed_at: datetime = field(default_factory=lambda: datetime.now(UTC))


def _int(row: dict[str, Any], name: str) -> int:
    value = row.get(name)
    return int(str(value)) if value is not None else 0


def namespace_of(iri: str) -> str:
    """The IRI up to its last '#' or '/' (the namespace a link target belongs to)."""
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1] if cut > iri.find("//") + 1 else iri


def _own(iri: str, base: str) -> bool:
    return iri.startswith((base, ONTOLOGY_IRI, SCHEME_BASE, str(PLACE)))


def compute_stats(store: Store) -> VoidStats:
    """Count what the public graphs hold (never the private ones)."""

    def rows(query: str) -> list[dict[str, Any]]:
        return store.query(query).rows

    totals = rows(
        "SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?subjects) "
        "(COUNT(DISTINCT ?o) AS ?objects) WHERE { ?s ?p ?o }"
    )[0]
    classes = [
        (str(r["c"]), _int(r, "n"))
        for r in rows(
            "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER isIRI(?c) } GROUP BY ?c"
        )
    ]
    properties = [
        (str(r["p"]), _int(r, "n"))
        for r in rows("SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p")
    ]
    predicates = " ".join(f"<{p}>" for p in LINK_PREDICATES)
    counted: dict[tuple[str, str], int] = {}
    base = store.graphs_of.base
    for r in rows(
        f"SELECT ?p ?o (COUNT(*) AS ?n) WHERE {{ VALUES ?p {{ {predicates} }} ?s ?p ?o "
        "FILTER isIRI(?o) } GROUP BY ?p ?o"
    ):
        target = str(r["o"])
        if _own(target, base):
            continue
        key = (str(r["p"]), namespace_of(target))
        counted[key] = counted.get(key, 0) + _int(r, "n")
    linksets = [Linkset(p, ns, n) for (p, ns), n in sorted(counted.items())]
    graphs = [(g, store.count(g)) for g in store.graphs() if not store.graphs_of.is_private(g)]
    examples = [
        str(r["a"])
        for r in rows("SELECT ?a WHERE { ?a a ssekg:Actor FILTER isIRI(?a) } ORDER BY ?a LIMIT 3")
    ]
    modified_rows = rows(
        "SELECT (MAX(?t) AS ?m) WHERE { ?load a prov:Activity ; prov:startedAtTime ?t }"
    )
    modified = modified_rows[0].get("m") if modified_rows else None
    return VoidStats(
        triples=_int(totals, "n"),
        distinct_subjects=_int(totals, "subjects"),
        distinct_objects=_int(totals, "objects"),
        graphs=graphs,
        classes=sorted(classes, key=lambda c: (-c[1], c[0])),
        properties=sorted(properties, key=lambda p: (-p[1], p[0])),
        linksets=linksets,
        examples=examples,
        modified=str(modified) if modified is not None else None,
    )


# -- the cache --------------------------------------------------------------------------------


@dataclass
class _Entry:
    generation: int = 0
    stats: VoidStats | None = None
    fingerprint: tuple[object, ...] | None = None
    computed_generation: int = -1
    lock: threading.Lock = field(default_factory=threading.Lock)


_entries: weakref.WeakKeyDictionary[Any, _Entry] = weakref.WeakKeyDictionary()
_entries_lock = threading.Lock()


def _entry(store: Store) -> _Entry:
    with _entries_lock:
        entry = _entries.get(store)
        if entry is None:
            entry = _Entry()
            _entries[store] = entry
        return entry


def _fingerprint(store: Store) -> tuple[object, ...]:
    return (tuple(store.graphs()), store.count(store.graphs_of.meta))


def invalidate(store: Store) -> None:
    """Say that the store changed: the next request recomputes the description."""
    entry = _entry(store)
    entry.generation += 1


def refresh_void(store: Store) -> VoidStats:
    """Recompute the description now (for loaders, after a load) and keep it."""
    entry = _entry(store)
    with entry.lock:
        generation = entry.generation
        fingerprint = _fingerprint(store)
        stats = compute_stats(store)
        entry.stats, entry.fingerprint, entry.computed_generation = (
            stats,
            fingerprint,
            generation,
        )
        return stats


def void_stats(store: Store) -> VoidStats:
    """The kept description, recomputed first when the store changed since."""
    entry = _entry(store)
    with entry.lock:
        fingerprint = _fingerprint(store)
        if (
            entry.stats is not None
            and entry.computed_generation == entry.generation
            and entry.fingerprint == fingerprint
        ):
            return entry.stats
    return refresh_void(store)


class ForgetOnWrite:
    """ASGI middleware: after any successful request that may write (not GET, HEAD or
    OPTIONS), forget the kept description of ``store``."""

    def __init__(self, app: ASGIApp, store: Store) -> None:
        self.app = app
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        status = 500

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            if status < 400:
                invalidate(self.store)


# -- the description as RDF -------------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def dataset_iri(store: Store) -> URIRef:
    return URIRef(store.graphs_of.base + "dataset")


def void_graph(store: Store, stats: VoidStats, server: str) -> Graph:
    """The VoID and DCAT description; ``server`` is the server's own URL (ending in '/'),
    where the endpoint and the dump are."""
    graph = Graph()
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri)
    graph.bind("sd", SD)
    dataset = dataset_iri(store)
    document = URIRef(server + ".well-known/void")
    endpoint = URIRef(server + "sparql")
    dump_url = URIRef(server + "dump")
    add = graph.add
    add((document, RDF.type, VOID.DatasetDescription))
    add((document, FOAF.primaryTopic, dataset))
    add((document, DCTERMS.title, Literal("VoID and DCAT description of ssekg", lang="en")))
    add((dataset, RDF.type, VOID.Dataset))
    add((dataset, RDF.type, DCAT.Dataset))
    for lang, text in TITLE.items():
        add((dataset, DCTERMS.title, Literal(text, lang=lang)))
    for lang, text in DESCRIPTION.items():
        add((dataset, DCTERMS.description, Literal(text, lang=lang)))
    add((dataset, DCTERMS.license, URIRef(DATASET_LICENSE)))
    add((dataset, DCTERMS.conformsTo, URIRef(ONTOLOGY_IRI)))
    add((dataset, DCAT.keyword, Literal("social and solidarity economy", lang="en")))
    add((dataset, DCAT.keyword, Literal("socijalna ekonomija", lang="sr-Latn")))
    add((dataset, DCTERMS.spatial, PLACE.RS))
    if stats.modified:
        add((dataset, DCTERMS.modified, Literal(stats.modified, datatype=XSD.dateTime)))
    add((dataset, VOID.triples, Literal(stats.triples)))
    add((dataset, VOID.distinctSubjects, Literal(stats.distinct_subjects)))
    add((dataset, VOID.distinctObjects, Literal(stats.distinct_objects)))
    add((dataset, VOID.classes, Literal(len(stats.classes))))
    add((dataset, VOID.properties, Literal(len(stats.properties))))
    add((dataset, VOID.uriSpace, Literal(store.graphs_of.base)))
    add((dataset, VOID.sparqlEndpoint, endpoint))
    add((dataset, VOID.dataDump, dump_url))
    add((dataset, VOID.feature, URIRef("http://www.w3.org/ns/formats/N-Quads")))
    for example in stats.examples:
        add((dataset, VOID.exampleResource, URIRef(example)))
    vocabularies = {namespace_of(iri) for iri, _ in stats.properties + stats.classes}
    for namespace in sorted(vocabularies & set(PREFIXES.values())):
        add((dataset, VOID.vocabulary, URIRef(namespace)))
    for iri, count in stats.classes:
        node = BNode()
        add((dataset, VOID.classPartition, node))
        add((node, VOID["class"], URIRef(iri)))
        add((node, VOID.entities, Literal(count)))
    for iri, count in stats.properties:
        node = BNode()
        add((dataset, VOID.propertyPartition, node))
        add((node, VOID.property, URIRef(iri)))
        add((node, VOID.triples, Literal(count)))
    for iri, count in stats.graphs:
        subset = URIRef(iri)
        add((dataset, VOID.subset, subset))
        add((subset, RDF.type, VOID.Dataset))
        add((subset, SD.name, subset))
        add((subset, VOID.triples, Literal(count)))
    for linkset in stats.linksets:
        local = re.split(r"[#/]", linkset.predicate)[-1]
        links = URIRef(f"{dataset}/linkset/{_slug(local)}/{_slug(linkset.namespace)}")
        target = URIRef(f"{dataset}/target/{_slug(linkset.namespace)}")
        add((dataset, VOID.subset, links))
        add((links, RDF.type, VOID.Linkset))
        add((links, VOID.linkPredicate, URIRef(linkset.predicate)))
        add((links, VOID.subjectsTarget, dataset))
        add((links, VOID.objectsTarget, target))
        add((links, VOID.triples, Literal(linkset.triples)))
        add((target, RDF.type, VOID.Dataset))
        add((target, VOID.uriSpace, Literal(linkset.namespace)))
    distribution = URIRef(f"{dataset}/distribution/nquads-gzip")
    add((dataset, DCAT.distribution, distribution))
    add((distribution, RDF.type, DCAT.Distribution))
    add((distribution, DCTERMS.title, Literal("Public graphs as gzipped N-Quads", lang="en")))
    add((distribution, DCAT.downloadURL, dump_url))
    add((distribution, DCAT.accessURL, dump_url))
    add((distribution, DCAT.mediaType, URIRef(IANA + "application/n-quads")))
    add((distribution, DCAT.compressFormat, URIRef(IANA + "application/gzip")))
    add((distribution, DCTERMS.license, URIRef(DATASET_LICENSE)))
    service = URIRef(f"{dataset}/service/sparql")
    add((dataset, DCAT.distribution, URIRef(f"{dataset}/distribution/sparql")))
    add((URIRef(f"{dataset}/distribution/sparql"), RDF.type, DCAT.Distribution))
    add((URIRef(f"{dataset}/distribution/sparql"), DCAT.accessURL, endpoint))
    add((URIRef(f"{dataset}/distribution/sparql"), DCAT.accessService, service))
    add((service, RDF.type, DCAT.DataService))
    add((service, DCAT.endpointURL, endpoint))
    add((service, DCAT.endpointDescription, endpoint))
    add((service, DCAT.servesDataset, dataset))
    add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    add((service, DCTERMS.license, URIRef(DATASET_LICENSE)))
    add((dataset, RDFS.seeAlso, URIRef(server + "store")))
    return graph


# -- the dump ---------------------------------------------------------------------------------


class _QueueWriter(io.RawIOBase):
    """A file object that hands what is written to a queue in chunks of about ``size``
    bytes; it gives up (OSError) once the reader is gone."""

    def __init__(self, chunks: queue.Queue[bytes | BaseException | None], size: int) -> None:
        self.chunks = chunks
        self.size = size
        self.buffer = bytearray()
        self.cancelled = threading.Event()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.buffer += bytes(data)
        if len(self.buffer) >= self.size:
            self._hand_over()
        return len(data)

    def _hand_over(self) -> None:
        chunk, self.buffer = bytes(self.buffer), bytearray()
        waited = 0.0
        while True:
            if self.cancelled.is_set():
                raise OSError("the client stopped reading the dump")
            try:
                self.chunks.put(chunk, timeout=0.5)
                return
            except queue.Full:
                waited += 0.5
                if waited > 120:
                    raise OSError("the client stopped reading the dump") from None

    def finish(self) -> None:
        if self.buffer:
            self._hand_over()


def stream_dump(store: Store, chunk_size: int = 1 << 16) -> Iterator[bytes]:
    """The public graphs as gzipped N-Quads, produced while they are sent: a worker thread
    writes the dump through gzip into a small queue, so memory stays bounded."""
    chunks: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=8)
    writer = _QueueWriter(chunks, chunk_size)

    def produce() -> None:
        try:
            with gzip.GzipFile(fileobj=writer, mode="wb", compresslevel=6) as compressed:
                store.dump(compressed, include_private=False)  # type: ignore[arg-type]
            writer.finish()
            chunks.put(None)
        except BaseException as error:  # handed to the reader, which re-raises it
            if not writer.cancelled.is_set():
                chunks.put(error)

    worker = threading.Thread(target=produce, name="ssekg-dump", daemon=True)
    worker.start()
    try:
        while True:
            item = chunks.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        writer.cancelled.set()


# -- the routes -------------------------------------------------------------------------------


def server_url(request: Request) -> str:
    url = str(request.base_url)
    return url if url.endswith("/") else url + "/"


def create_router(store: Store) -> APIRouter:
    router = APIRouter(tags=["dataset"])

    @router.get("/.well-known/void")
    def void_description(request: Request, lang: str | None = None) -> Response:
        """VoID and DCAT description of the dataset: Turtle, JSON-LD, N-Triples, RDF/XML or
        HTML by content negotiation."""
        offered = [f.media_type for f in conneg.RDF_FORMATS] + [conneg.HTML]
        media = conneg.negotiate(request.headers.get("accept"), offered)
        if media is None:
            return PlainTextResponse(
                f"the description is available as {', '.join(offered)}.\n"
                f"opis je dostupan kao {', '.join(offered)}.\n",
                status_code=406,
            )
        stats = void_stats(store)
        headers = {"Vary": "Accept, Accept-Language"}
        server = server_url(request)
        if media == conneg.HTML:
            language = conneg.choose_language(lang, request.headers.get("accept-language"))
            html = render(
                "void.html",
                language,
                stats=stats,
                title=TITLE[language],
                description=DESCRIPTION[language],
                license=DATASET_LICENSE,
                server=server,
                dataset=str(dataset_iri(store)),
                base=store.graphs_of.base,
                version=__version__,
            )
            return HTMLResponse(html, headers=headers | {"Content-Language": language})
        fmt = conneg.BY_MEDIA_TYPE[media]
        data = conneg.serialize(void_graph(store, stats, server), fmt)
        return Response(data, media_type=fmt.media_type, headers=headers)

    @router.get("/dump")
    def dump() -> StreamingResponse:
        """The public graphs as gzipped N-Quads (private graphs never included)."""
        day = datetime.now(UTC).strftime("%Y-%m-%d")
        return StreamingResponse(
            stream_dump(store),
            media_type="application/gzip",
            headers={"Content-Disposition": f'attachment; filename="ssekg-{day}.nq.gz"'},
        )

    return router
