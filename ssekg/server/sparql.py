"""The SPARQL 1.1 Protocol endpoint (/sparql) as one router: queries by GET and POST, updates
by POST with a bearer token, and the service description when GET carries no query."""

from __future__ import annotations

import secrets
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from ssekg.errors import QueryError, SsekgError
from ssekg.store.base import Store

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

#: Result formats by media type: (format name for QueryResult.serialize, media type sent).
SELECT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "xml",
}


def _problem(status: int, en: str, sr: str) -> PlainTextResponse:
    return PlainTextResponse(f"{en}\n{sr}\n", status_code=status)


def _choose(accept: str, offered: dict[str, str], default: str) -> tuple[str, str] | None:
    """Pick a (format, media type) for the Accept header, honouring q-values; None if nothing
    offered is acceptable."""
    if not accept.strip():
        return offered[default], default
    ranges: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept.split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        ranges.append((q, -index, media.lower()))
    for q, _, media in sorted(ranges, reverse=True):
        if q <= 0:
            continue
        if media in offered:
            return offered[media], media
        if media in ("*/*", "application/*", "text/*"):
            prefix = media.split("/")[0]
            if media == "*/*" or default.startswith(prefix):
                return offered[default], default
            for candidate in offered:
                if candidate.startswith(prefix + "/"):
                    return offered[candidate], candidate
    return None


def create_router(store: Store, *, update_token: str | None, timeout: float) -> APIRouter:
    router = APIRouter()

    def run_query(
        request: Request, text: str, default_graphs: list[str], named_graphs: list[str]
    ) -> Response:
        try:
            result = store.query(
                text,
                default_graphs=default_graphs or None,
                named_graphs=named_graphs or None,
                timeout=timeout,
            )
        except QueryError as error:
            return _problem(400, error.en, error.sr)
        accept = request.headers.get("accept", "")
        if result.kind == "graph":
            choice = _choose(accept, GRAPH_TYPES, "text/turtle")
        else:
            choice = _choose(accept, SELECT_TYPES, "application/sparql-results+json")
        if choice is None:
            return _problem(
                406,
                f"none of the accepted media types ({accept}) can carry this result.",
                f"nijedan od prihvaćenih tipova ({accept}) ne može da prenese ovaj rezultat.",
            )
        fmt, media = choice
        return Response(result.serialize(fmt), media_type=media)

    def run_update(request: Request, text: str) -> Response:
        if update_token is None:
            return _problem(
                403,
                "this endpoint is read-only; start the server with --update-token to allow "
                "updates.",
                "ova tačka pristupa je samo za čitanje; pokrenite server sa --update-token da "
                "biste dozvolili izmene.",
            )
        given = request.headers.get("authorization", "")
        if not secrets.compare_digest(given.encode(), f"Bearer {update_token}".encode()):
            return _problem(
                401,
                "updates need the header 'Authorization: Bearer <token>' with the server's token.",
                "izmene traže zaglavlje 'Authorization: Bearer <token>' sa tokenom servera.",
            )
        try:
            store.update(text)
        except SsekgError as error:
            return _problem(400, error.en, error.sr)
        return Response(status_code=204)

    def service_description(request: Request) -> Response:
        graph = Graph()
        graph.bind("sd", SD)
        service = URIRef(str(request.url).split("?")[0])
        graph.add((service, RDF.type, SD.Service))
        graph.add((service, SD.endpoint, service))
        graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
        if update_token is not None:
            graph.add((service, SD.supportedLanguage, SD.SPARQL11Update))
        for media in list(SELECT_TYPES) + list(GRAPH_TYPES):
            graph.add((service, SD.resultFormat, Literal(media)))
        graph.add((service, SD.feature, SD.UnionDefaultGraph))
        choice = _choose(request.headers.get("accept", ""), GRAPH_TYPES, "text/turtle")
        fmt, media = choice or ("turtle", "text/turtle")
        rdflib_format = {"nt": "nt", "jsonld": "json-ld", "xml": "xml"}.get(fmt, "turtle")
        return Response(graph.serialize(format=rdflib_format), media_type=media)

    @router.get("/sparql")
    def sparql_get(request: Request) -> Response:
        params = parse_qs(request.url.query, keep_blank_values=True)
        if "update" in params:
            return _problem(
                400,
                "updates must be sent by POST, not GET.",
                "izmene se šalju metodom POST, ne GET.",
            )
        queries = params.get("query", [])
        if not queries:
            return service_description(request)
        if len(queries) > 1:
            return _problem(
                400,
                "give exactly one 'query' parameter.",
                "navedite tačno jedan parametar 'query'.",
            )
        return run_query(
            request,
            queries[0],
            params.get("default-graph-uri", []),
            params.get("named-graph-uri", []),
        )

    @router.post("/sparql")
    async def sparql_post(request: Request) -> Response:
        # Reading the body is async; the store work runs in a worker thread below.
        from starlette.concurrency import run_in_threadpool

        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = await request.body()
        params = parse_qs(request.url.query, keep_blank_values=True)
        charset = "utf-8"
        for part in request.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                charset = value.strip('"')
        try:
            text = body.decode(charset)
        except (LookupError, UnicodeDecodeError):
            return _problem(
                400,
                f"the request body is not valid {charset}.",
                f"telo zahteva nije ispravan {charset}.",
            )
        if content_type == "application/x-www-form-urlencoded":
            form = parse_qs(text, keep_blank_values=True)
            queries, updates = form.get("query", []), form.get("update", [])
            if len(queries) + len(updates) != 1:
                return _problem(
                    400,
                    "give exactly one 'query' or one 'update' parameter.",
                    "navedite tačno jedan parametar 'query' ili jedan 'update'.",
                )
            if updates:
                return await run_in_threadpool(run_update, request, updates[0])
            return await run_in_threadpool(
                run_query,
                request,
                queries[0],
                form.get("default-graph-uri", []) + params.get("default-graph-uri", []),
                form.get("named-graph-uri", []) + params.get("named-graph-uri", []),
            )
        if content_type == "application/sparql-query":
            return await run_in_threadpool(
                run_query,
                request,
                text,
                params.get("default-graph-uri", []),
                params.get("named-graph-uri", []),
            )
        if content_type == "application/sparql-update":
            return await run_in_threadpool(run_update, request, text)
        return _problem(
            415,
            f"Content-Type {content_type or '(none)'} is not a SPARQL request; use "
            "application/sparql-query, application/sparql-update or a form.",
            f"Content-Type {content_type or '(nije naveden)'} nije SPARQL zahtev; koristite "
            "application/sparql-query, application/sparql-update ili formular.",
        )

    return router
