"""The SPARQL 1.1 Graph Store HTTP Protocol at /store, with indirect graph identification
(``?graph=IRI`` or ``?default``): GET and HEAD read a graph, PUT replaces it, POST merges
into it (or, on the bare /store, creates a new graph and names it in Location), DELETE
drops it.

Writes need ``Authorization: Bearer <token>`` with the server's update token; without a
configured token the store is read-only. Private graphs are read only with the token.

"The default graph" is the store's own unnamed graph. A query's default dataset is wider
(the union of every public graph), but GSP reads and writes exactly the unnamed one."""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Iterable
from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from rdflib import BNode, Graph
from rdflib.term import Node
from starlette.concurrency import run_in_threadpool

from ssekg.errors import ParseError, SsekgError
from ssekg.server import conneg
from ssekg.server.void import invalidate
from ssekg.store.base import Store, Triple
from ssekg.store.terms import from_ox, to_ox

#: Media types a graph may be sent in, and how pyoxigraph reads them.
READABLE: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "text/n3": ox.RdfFormat.N3,
}
#: File suffixes for multipart parts that carry no usable Content-Type.
SUFFIXES = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".n3": ox.RdfFormat.N3,
}
ACCEPTED = ", ".join(sorted(set(READABLE) - {"application/x-turtle", "text/plain"}))

DEFAULT = None  # the target "default graph"
STORE = ""  # the target "the graph store itself" (POST creates a graph)


def problem(status: int, en: str, sr: str, headers: dict[str, str] | None = None) -> Response:
    """An error answer: one sentence in English, one in Serbian (Latin)."""
    return PlainTextResponse(f"{en}\n{sr}\n", status_code=status, headers=headers)


def bearer_ok(request: Request, update_token: str | None) -> bool:
    """Whether the request carries the server's token (compared in constant time)."""
    if update_token is None:
        return False
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return secrets.compare_digest(given.strip().encode(), update_token.encode())


def write_refused(request: Request, update_token: str | None) -> Response | None:
    """None when a write may go ahead, else the 403 (read-only) or 401 (no token) answer."""
    if update_token is None:
        return problem(
            403,
            "this graph store is read-only; start the server with --update-token to allow writes.",
            "ovo skladište grafova je samo za čitanje; pokrenite server sa --update-token da "
            "biste dozvolili upis.",
        )
    if not bearer_ok(request, update_token):
        return problem(
            401,
            "writing to the graph store needs the header 'Authorization: Bearer <token>' with "
            "the server's token.",
            "upis u skladište grafova traži zaglavlje 'Authorization: Bearer <token>' sa "
            "tokenom servera.",
            {"WWW-Authenticate": 'Bearer realm="ssekg"'},
        )
    return None


def target_of(request: Request) -> str | None | Response:
    """The graph a request names: an IRI, DEFAULT, STORE, or an error answer. The query
    string is decoded exactly once, so %2531 stays a distinct IRI from %31."""
    params = parse_qs(request.url.query, keep_blank_values=True)
    graphs = params.get("graph", [])
    if graphs and "default" in params:
        return problem(
            400,
            "give either ?graph=IRI or ?default, not both.",
            "navedite ?graph=IRI ili ?default, ne oba.",
        )
    if "default" in params:
        return DEFAULT
    if not graphs:
        return STORE
    if len(graphs) > 1:
        return problem(400, "give exactly one ?graph=IRI.", "navedite tačno jedan ?graph=IRI.")
    try:
        return ox.NamedNode(graphs[0]).value
    except ValueError:
        return problem(
            400,
            f"the graph name {graphs[0]!r} is not an absolute IRI; give one such as "
            "https://example.org/graph/1 (percent-encoded in the query string).",
            f"ime grafa {graphs[0]!r} nije apsolutni IRI; navedite na primer "
            "https://example.org/graph/1 (kodiran procentima u upitu).",
        )


def _format_of(content_type: str, filename: str | None = None) -> ox.RdfFormat | None:
    media = content_type.split(";")[0].strip().lower()
    if media in READABLE:
        return READABLE[media]
    if filename:
        for suffix, fmt in SUFFIXES.items():
            if filename.lower().endswith(suffix):
                return fmt
    return None


def parse_payload(
    data: bytes, fmt: ox.RdfFormat, base_iri: str | None, where: tuple[str, str]
) -> list[Triple]:
    """Triples of one payload; blank nodes get fresh names so two uploads never share one."""
    blanks: dict[str, BNode] = {}

    def term(value: object) -> Node:
        if isinstance(value, ox.BlankNode):
            return blanks.setdefault(value.value, BNode())
        return from_ox(value)

    try:
        return [
            (term(q.subject), term(q.predicate), term(q.object))
            for q in ox.parse(data, fmt, base_iri=base_iri, without_named_graphs=True)
        ]
    except (SyntaxError, ValueError) as error:
        line, column = getattr(error, "lineno", None), getattr(error, "offset", None)
        at_en = f" at line {line}" if line else ""
        at_sr = f" u redu {line}" if line else ""
        if line and column:
            at_en, at_sr = f"{at_en}, column {column}", f"{at_sr}, kolona {column}"
        detail = re.sub(r"^Parser error at line \d+ column \d+:\s*", "", str(error))
        detail = re.sub(r"\s*\(line \d+\)$", "", detail)
        raise ParseError(
            f"{where[0]} does not parse as {fmt.name}{at_en}: {detail}; correct it and send it "
            "again.",
            f"{where[1]} nije ispravan {fmt.name}{at_sr}: {detail}; ispravite ga i pošaljite "
            "ponovo.",
        ) from None


def _unsupported(content_type: str) -> Response:
    return problem(
        415,
        f"Content-Type {content_type or '(none)'} is not an RDF graph format this store reads; "
        f"send one of {ACCEPTED}.",
        f"Content-Type {content_type or '(nije naveden)'} nije RDF format grafa koji skladište "
        f"čita; pošaljite jedan od: {ACCEPTED}.",
    )


async def read_payload(request: Request, base_iri: str | None) -> list[Triple] | Response:
    """The triples of a PUT or POST body (one RDF document, or several as multipart/form-data
    parts, merged), or the error answer."""
    content_type = request.headers.get("content-type", "")
    media = content_type.split(";")[0].strip().lower()
    if media == "multipart/form-data":
        form = await request.form()
        triples: list[Triple] = []
        for name, part in form.multi_items():
            if isinstance(part, str):
                continue
            fmt = _format_of(part.content_type or "", part.filename)
            if fmt is None:
                return _unsupported(part.content_type or "")
            data = await part.read()
            label = part.filename or name
            where = (f"the part {label!r}", f"deo {label!r}")
            try:
                triples += await run_in_threadpool(parse_payload, data, fmt, base_iri, where)
            except ParseError as error:
                return problem(400, error.en, error.sr)
        return triples
    body = await request.body()
    fmt = _format_of(content_type)
    if fmt is None:
        if not body.strip() and not media:
            return []
        return _unsupported(content_type)
    try:
        return await run_in_threadpool(
            parse_payload, body, fmt, base_iri, ("the request body", "telo zahteva")
        )
    except ParseError as error:
        return problem(400, error.en, error.sr)


def _insert_data(triples: Iterable[Triple]) -> str:
    """INSERT DATA for the default graph; every term is written by pyoxigraph's own
    N-Triples serialiser, so no payload can change the update's structure."""
    lines = [f"{to_ox(s)} {to_ox(p)} {to_ox(o)} ." for s, p, o in triples]
    return "INSERT DATA {\n" + "\n".join(lines) + "\n}"


class GraphStore:
    """The operations behind the routes, on one store (blocking: run in a worker thread)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def exists(self, graph: str) -> bool:
        return graph in self.store.graphs()

    def read(self, graph: str | None, include_private: bool) -> Graph:
        if graph is None:
            query = (
                "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o "
                "FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }"
            )
            result = self.store.query(query, include_private=include_private)
        else:
            result = self.store.query(
                "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
                default_graphs=[graph],
                named_graphs=[],
                include_private=include_private,
            )
        return result.graph if result.graph is not None else Graph()

    def replace(self, graph: str | None, triples: list[Triple]) -> None:
        if graph is None:
            self.store.update("DROP SILENT DEFAULT ;\n" + _insert_data(triples))
        else:
            self.store.replace_graph(graph, triples)
            if not triples:
                self.store.update(f"CREATE SILENT GRAPH {ox.NamedNode(graph)}")
        invalidate(self.store)

    def merge(self, graph: str | None, triples: list[Triple]) -> None:
        if graph is None:
            if triples:
                self.store.update(_insert_data(triples))
        elif triples:
            self.store.add_quads((s, p, o, graph) for s, p, o in triples)
        else:
            self.store.update(f"CREATE SILENT GRAPH {ox.NamedNode(graph)}")
        invalidate(self.store)

    def drop(self, graph: str | None) -> None:
        if graph is None:
            self.store.update("DROP SILENT DEFAULT")
        else:
            self.store.drop_graph(graph)
        invalidate(self.store)


def create_router(store: Store, *, update_token: str | None) -> APIRouter:
    router = APIRouter(tags=["graph store"])
    graphs = GraphStore(store)
    private = store.graphs_of.is_private

    def no_graph(method: str) -> Response:
        return problem(
            400,
            f"{method} /store needs ?graph=IRI or ?default; the public dataset as a whole is "
            "at /dump.",
            f"{method} /store traži ?graph=IRI ili ?default; ceo javni skup podataka je na /dump.",
        )

    def missing(graph: str) -> Response:
        return problem(
            404,
            f"there is no graph {graph} in this store; GET /sparql lists the graphs with "
            "SELECT DISTINCT ?g WHERE { GRAPH ?g {} }.",
            f"u ovom skladištu nema grafa {graph}; spisak grafova daje upit "
            "SELECT DISTINCT ?g WHERE { GRAPH ?g {} } na /sparql.",
        )

    def read(request: Request, head: bool) -> Response:
        target = target_of(request)
        if isinstance(target, Response):
            return target
        if target == STORE:
            return no_graph(request.method)
        trusted = bearer_ok(request, update_token)
        if target is not None and private(target) and not trusted:
            return problem(
                401,
                f"{target} is a private graph; it is read only with the header "
                "'Authorization: Bearer <token>'.",
                f"{target} je privatni graf; čita se samo sa zaglavljem "
                "'Authorization: Bearer <token>'.",
                {"WWW-Authenticate": 'Bearer realm="ssekg"'},
            )
        if target is not None and not graphs.exists(target):
            return missing(target)
        offered = [f.media_type for f in conneg.RDF_FORMATS]
        media = conneg.negotiate(request.headers.get("accept"), offered)
        if media is None:
            return problem(
                406,
                f"a graph can be sent as {', '.join(offered)}; none of them is acceptable.",
                f"graf može da se pošalje kao {', '.join(offered)}; nijedan nije prihvatljiv.",
            )
        fmt = conneg.BY_MEDIA_TYPE[media]
        headers = {"Vary": "Accept"}
        if head:
            return Response(media_type=fmt.media_type, headers=headers)
        data = conneg.serialize(graphs.read(target, trusted), fmt)
        return Response(data, media_type=fmt.media_type, headers=headers)

    @router.get("/store")
    def get_graph(request: Request) -> Response:
        """Read a graph (?graph=IRI or ?default) as Turtle, JSON-LD, N-Triples or RDF/XML."""
        return read(request, head=False)

    @router.head("/store")
    def head_graph(request: Request) -> Response:
        return read(request, head=True)

    async def write(request: Request, merge: bool) -> Response:
        refused = write_refused(request, update_token)
        if refused is not None:
            return refused
        target = target_of(request)
        if isinstance(target, Response):
            return target
        created_iri: str | None = None
        if target == STORE:
            if not merge:
                return no_graph(request.method)
            created_iri = f"{store.graphs_of.base}graph/upload/{uuid.uuid4()}"
            target = created_iri
        payload = await read_payload(request, target)
        if isinstance(payload, Response):
            return payload
        named = target

        def run() -> Response:
            existed = True if named is None else graphs.exists(named)
            try:
                if merge:
                    graphs.merge(named, payload)
                else:
                    graphs.replace(named, payload)
            except SsekgError as error:
                return problem(400, error.en, error.sr)
            if created_iri is not None:
                return Response(status_code=201, headers={"Location": created_iri})
            return Response(status_code=204 if existed else 201)

        return await run_in_threadpool(run)

    @router.put("/store")
    async def put_graph(request: Request) -> Response:
        """Replace a graph with the body (201 when the graph is new, 204 otherwise)."""
        return await write(request, merge=False)

    @router.post("/store")
    async def post_graph(request: Request) -> Response:
        """Merge the body into a graph; on the bare /store, create a new graph (201 +
        Location)."""
        return await write(request, merge=True)

    @router.delete("/store")
    def delete_graph(request: Request) -> Response:
        """Drop a graph (204), or 404 when there is none."""
        refused = write_refused(request, update_token)
        if refused is not None:
            return refused
        target = target_of(request)
        if isinstance(target, Response):
            return target
        if target == STORE:
            return no_graph("DELETE")
        if target is not None and not graphs.exists(target):
            return missing(target)
        try:
            graphs.drop(target)
        except SsekgError as error:
            return problem(400, error.en, error.sr)
        return Response(status_code=204)

    return router
