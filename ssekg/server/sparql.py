"""The SPARQL 1.1 Protocol endpoint at ``/sparql``.

* Queries by GET (``?query=``), POST form (``query=``) or POST ``application/sparql-query``,
  with ``default-graph-uri`` / ``named-graph-uri``; the answer in the negotiated format (see
  :mod:`ssekg.server.sparql_formats`), written by pyoxigraph in a worker process that is
  killed when the query runs past its time limit (:mod:`ssekg.server.executor`).
* Updates by POST form (``update=``) or ``application/sparql-update``, with
  ``using-graph-uri`` / ``using-named-graph-uri``, only with ``Authorization: Bearer
  <token>``; a server without a token is read-only and says so.
* ``GET /sparql`` without a query: the service description.

Anonymous queries see public graphs only, whatever they name; a query with the token sees
private graphs too. Every refusal is a status with one line of text (English, or Serbian when
Accept-Language prefers it)."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import anyio
import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response, StreamingResponse

from ssekg.errors import QueryError, SsekgError
from ssekg.server import service_description
from ssekg.server.executor import Busy, Executor, QueryTimeout, WatchedStore
from ssekg.server.sparql_formats import GRAPH_OFFERS, acceptable_types, negotiate
from ssekg.server.sparql_text import Rewrite, calls_service, syntax_problem, with_using

ALLOWED_METHODS = "GET, POST, OPTIONS"
FORMAT_PARAMETERS = ("format", "output", "results")
CHUNK = 1 << 18


@dataclass(frozen=True)
class Limits:
    """Per-server limits: the query time limit (s), the most rows (or triples) an answer
    carries (None: no limit), the largest request body (bytes), the worker processes."""

    timeout: float = 30.0
    max_rows: int | None = 100_000
    max_body: int = 8 * 1024 * 1024
    workers: int = 2


# -- answers ----------------------------------------------------------------------------------


def _prefers_serbian(request: Request) -> bool:
    best_q, best = 0.0, "en"
    for _index, part in enumerate(request.headers.get("accept-language", "").split(",")):
        tag, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if tag and q > best_q:
            best_q, best = q, tag.lower()
    return best.split("-")[0] in ("sr", "sh", "hr", "bs", "cnr")


def problem(
    request: Request, status: int, en: str, sr: str, headers: dict[str, str] | None = None
) -> Response:
    """A refusal: the status and one line of text."""
    serbian = _prefers_serbian(request)
    line = " ".join((sr if serbian else en).split())
    return PlainTextResponse(
        line + "\n",
        status_code=status,
        headers={**(headers or {}), "Content-Language": "sr-Latn" if serbian else "en"},
    )


class _Refused(Exception):
    def __init__(self, status: int, en: str, sr: str, headers: dict[str, str] | None = None):
        super().__init__(en)
        self.status, self.en, self.sr, self.headers = status, en, sr, headers


def _media_type(media: str) -> str:
    return f"{media}; charset=utf-8"


async def _stream(path: str) -> AsyncIterator[bytes]:
    """The spool file in chunks, read in a thread; deleted at the end (or if the client
    goes away)."""
    handle = await anyio.to_thread.run_sync(open, path, "rb")
    try:
        while True:
            chunk = await anyio.to_thread.run_sync(handle.read, CHUNK)
            if not chunk:
                return
            yield chunk
    finally:
        handle.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


# -- reading requests -------------------------------------------------------------------------


class Params:
    """A request's parameters, keys stripped (some clients send "using-graph-uri ")."""

    def __init__(self, *sources: str) -> None:
        self.items: list[tuple[str, str]] = []
        for source in sources:
            for key, value in parse_qsl(source, keep_blank_values=True):
                self.items.append((key.strip(), value))

    def all(self, key: str) -> list[str]:
        return [v for k, v in self.items if k == key]

    def has(self, key: str) -> bool:
        return any(k == key for k, _ in self.items)


def _content_type(request: Request) -> tuple[str, str | None]:
    header = request.headers.get("content-type", "")
    media, *params = (p.strip() for p in header.split(";"))
    charset = None
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media.lower(), charset


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> _Refused:
    return _Refused(
        413,
        f"the request body is larger than {limit} bytes; send a smaller query or update, or "
        "load big data with `ssekg load`.",
        f"telo zahteva je veće od {limit} bajtova; pošaljite manji upit ili izmenu, ili "
        "velike podatke učitajte sa `ssekg load`.",
    )


def _one(values: list[str], name: str) -> str:
    if len(values) != 1:
        raise _Refused(
            400,
            f"give exactly one '{name}' parameter (this request has {len(values)}).",
            f"navedite tačno jedan parametar '{name}' (ovaj zahtev ima {len(values)}).",
        )
    return values[0]


# -- the router -------------------------------------------------------------------------------


def create_router(
    store: WatchedStore, executor: Executor, *, update_token: str | None, limits: Limits
) -> APIRouter:
    router = APIRouter()
    base = store.graphs_of.base

    def token_state(request: Request) -> bool | None:
        """True with the right token, False with a wrong one, None without any."""
        header = request.headers.get("authorization")
        if header is None:
            return None
        scheme, _, given = header.partition(" ")
        if update_token is None or scheme.lower() != "bearer":
            return False
        return secrets.compare_digest(given.strip().encode(), update_token.encode())

    def wrong_token() -> _Refused:
        return _Refused(
            401,
            "the Authorization header does not carry this server's token; send "
            "'Authorization: Bearer <token>' with the right token, or no header to read "
            "public data.",
            "zaglavlje Authorization ne nosi token ovog servera; pošaljite "
            "'Authorization: Bearer <token>' sa ispravnim tokenom, ili bez zaglavlja za "
            "javne podatke.",
            {"WWW-Authenticate": 'Bearer realm="ssekg"'},
        )

    def timeout_for(params: Params) -> float:
        values = params.all("timeout")
        if not values or not values[-1].strip():
            return limits.timeout
        try:
            asked = float(values[-1])
        except ValueError:
            asked = -1.0
        if not asked > 0:
            raise _Refused(
                400,
                f"the timeout parameter must be a positive number of seconds, not {values[-1]!r}.",
                f"parametar timeout mora biti pozitivan broj sekundi, a ne {values[-1]!r}.",
            )
        return min(asked, limits.timeout)

    async def run_query(request: Request, text: str, params: Params, dataset: Params) -> Response:
        authorised = token_state(request)
        if authorised is False:
            raise wrong_token()
        if calls_service(text):
            raise _Refused(
                400,
                "this endpoint does not call other endpoints (SERVICE); run the federated "
                "query from your own client.",
                "ova tačka pristupa ne poziva druge (SERVICE); federativni upit pokrenite iz "
                "sopstvenog klijenta.",
            )
        timeout = timeout_for(params)
        defaults, named = dataset.all("default-graph-uri"), dataset.all("named-graph-uri")
        given = dataset.has("default-graph-uri") or dataset.has("named-graph-uri")
        job: dict[str, Any] = {
            "query": text,
            "default_graphs": defaults if given else None,
            "named_graphs": named if given else None,
            "include_private": authorised is True,
            "accept": request.headers.get("accept", ""),
            "format_params": [v for key in FORMAT_PARAMETERS for v in params.all(key)],
            "base": base,
            "private_graph": store.graphs_of.private,
            "max_rows": limits.max_rows,
        }
        try:
            outcome = await executor.run(job, timeout)
        except QueryTimeout:
            raise _Refused(
                503,
                f"the query ran longer than {timeout:g} s and was stopped; narrow it (fewer "
                "patterns, a LIMIT) and try again.",
                f"upit je trajao duže od {timeout:g} s i prekinut je; suzite ga (manje "
                "obrazaca, LIMIT) i pokušajte ponovo.",
            ) from None
        except Busy:
            raise _Refused(
                503,
                "every query worker is busy; try again in a moment.",
                "svi izvršioci upita su zauzeti; pokušajte ponovo za trenutak.",
                {"Retry-After": "1"},
            ) from None
        reply = outcome.reply
        if not reply["ok"]:
            if reply["status"] == 406:
                graph = reply.get("kind") == "graph"
                types = acceptable_types(graph)
                raise _Refused(
                    406,
                    f"none of the accepted media types can carry this result; accept one of "
                    f"{types}.",
                    f"nijedan od prihvaćenih tipova ne može da prenese ovaj rezultat; "
                    f"prihvatite jedan od: {types}.",
                )
            raise _Refused(reply["status"], reply["en"], reply["sr"])
        headers = {"Vary": "Accept", "Content-Length": str(reply["size"])}
        if reply["truncated"]:
            headers["X-SPARQL-MaxRows"] = str(limits.max_rows)
        if outcome.body is not None:  # a small answer, within the worker's reply
            return Response(
                outcome.body, media_type=_media_type(reply["media_type"]), headers=headers
            )
        return StreamingResponse(
            _stream(outcome.spool), media_type=_media_type(reply["media_type"]), headers=headers
        )

    async def run_update(request: Request, text: str, params: Params) -> Response:
        if update_token is None:
            raise _Refused(
                403,
                "this endpoint is read-only: SPARQL Update is not enabled; start the server "
                "with --update-token (or SSEKG_UPDATE_TOKEN) to allow it.",
                "ova tačka pristupa je samo za čitanje: SPARQL izmene nisu omogućene; "
                "pokrenite server sa --update-token (ili SSEKG_UPDATE_TOKEN).",
            )
        if token_state(request) is not True:
            raise _Refused(
                401,
                "updates need the header 'Authorization: Bearer <token>' with this server's token.",
                "izmene traže zaglavlje 'Authorization: Bearer <token>' sa tokenom ovog servera.",
                {"WWW-Authenticate": 'Bearer realm="ssekg"'},
            )
        try:
            rewrite = with_using(
                text, params.all("using-graph-uri"), params.all("using-named-graph-uri")
            )
        except QueryError as error:
            raise _Refused(400, error.en, error.sr) from None
        await anyio.to_thread.run_sync(apply_update, rewrite)
        return Response(status_code=204)

    def apply_update(rewrite: Rewrite) -> None:
        try:
            store.update_with_base(rewrite.text, base)
        except SyntaxError as error:
            where = syntax_problem(error, rewrite)
            raise _Refused(
                400,
                f"the SPARQL update is not valid {where.en()}; correct it there and try again.",
                f"SPARQL izmena nije ispravna {where.sr()}; ispravite je na tom mestu i "
                "pokušajte ponovo.",
            ) from None
        except SsekgError as error:
            raise _Refused(400, error.en, error.sr) from None
        except (OSError, ValueError, TypeError) as error:
            detail = " ".join(str(error).split())[:200]
            raise _Refused(
                400,
                f"the SPARQL update failed: {detail}; nothing was changed.",
                f"SPARQL izmena nije uspela: {detail}; ništa nije promenjeno.",
            ) from None

    async def describe(request: Request) -> Response:
        offer = negotiate(request.headers.get("accept", ""), GRAPH_OFFERS)
        if offer is None:
            types = acceptable_types(True)
            raise _Refused(
                406,
                f"the service description is RDF; accept one of {types}.",
                f"opis servisa je RDF; prihvatite jedan od: {types}.",
            )
        graphs = await anyio.to_thread.run_sync(store.graphs)
        public = [g for g in graphs if not store.graphs_of.is_private(g)]
        endpoint = str(request.url).split("?")[0]
        triples = service_description.description(
            endpoint,
            update_enabled=update_token is not None,
            named_graphs=public,
            timeout=limits.timeout,
            max_rows=limits.max_rows,
            void_url=str(request.base_url) + ".well-known/void",
        )
        fmt = offer.format
        assert isinstance(fmt, ox.RdfFormat)
        items: list[Any] = triples
        if fmt.supports_datasets:
            items = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
        prefixes = {"sd": service_description.SD} if fmt == ox.RdfFormat.TURTLE else None
        body = ox.serialize(items, format=fmt, prefixes=prefixes) or b""
        return Response(body, media_type=_media_type(offer.media_type), headers={"Vary": "Accept"})

    async def guarded(request: Request, action: Any) -> Response:
        try:
            response: Response = await action
            return response
        except _Refused as refusal:
            return problem(request, refusal.status, refusal.en, refusal.sr, refusal.headers)

    @router.get("/sparql", summary="SPARQL query by GET, or the service description")
    async def sparql_get(request: Request) -> Response:
        async def handle() -> Response:
            params = Params(request.url.query)
            if params.has("update"):
                raise _Refused(
                    400,
                    "updates must be sent by POST (a form field 'update' or an "
                    "application/sparql-update body), not GET.",
                    "izmene se šalju metodom POST (polje 'update' ili telo "
                    "application/sparql-update), ne GET.",
                    {"Allow": ALLOWED_METHODS},
                )
            if not params.has("query"):
                return await describe(request)
            return await run_query(request, _one(params.all("query"), "query"), params, params)

        return await guarded(request, handle())

    @router.post("/sparql", summary="SPARQL query or update by POST")
    async def sparql_post(request: Request) -> Response:
        async def handle() -> Response:
            url = Params(request.url.query)
            media, charset = _content_type(request)
            body = await _body(request, limits.max_body)
            if charset not in (None, "utf-8", "utf8"):
                raise _Refused(
                    415,
                    f"the request body is declared as {charset}; send it as UTF-8.",
                    f"telo zahteva je označeno kao {charset}; pošaljite ga kao UTF-8.",
                )
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                raise _Refused(
                    400,
                    "the request body is not valid UTF-8; send it as UTF-8.",
                    "telo zahteva nije ispravan UTF-8; pošaljite ga kao UTF-8.",
                ) from None
            if media == "application/x-www-form-urlencoded":
                form = Params(text)
                both = Params(request.url.query, text)
                queries, updates = form.all("query"), form.all("update")
                if queries and updates:
                    raise _Refused(
                        400,
                        "give either 'query' or 'update', not both.",
                        "navedite ili 'query' ili 'update', ne oba.",
                    )
                if updates:
                    return await run_update(request, _one(updates, "update"), both)
                if not queries:
                    queries = url.all("query")
                return await run_query(request, _one(queries, "query"), both, both)
            if media == "application/sparql-query":
                return await run_query(request, text, url, url)
            if media == "application/sparql-update":
                return await run_update(request, text, url)
            if not media and not body and url.has("query"):
                # Some federating engines POST with the query in the URL and no body.
                return await run_query(request, _one(url.all("query"), "query"), url, url)
            raise _Refused(
                415,
                f"Content-Type {media or '(none)'} is not a SPARQL request; use "
                "application/sparql-query, application/sparql-update or "
                "application/x-www-form-urlencoded.",
                f"Content-Type {media or '(nije naveden)'} nije SPARQL zahtev; koristite "
                "application/sparql-query, application/sparql-update ili "
                "application/x-www-form-urlencoded.",
            )

        return await guarded(request, handle())

    @router.options("/sparql", include_in_schema=False)
    async def sparql_options() -> Response:
        return Response(status_code=204, headers={"Allow": ALLOWED_METHODS})

    @router.api_route("/sparql", methods=["PUT", "DELETE", "PATCH"], include_in_schema=False)
    async def sparql_other(request: Request) -> Response:
        return problem(
            request,
            405,
            f"{request.method} is not part of the SPARQL protocol; query with GET or POST, "
            "update with POST.",
            f"{request.method} nije deo SPARQL protokola; upiti idu metodom GET ili POST, "
            "izmene metodom POST.",
            {"Allow": ALLOWED_METHODS},
        )

    return router
