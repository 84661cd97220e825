"""The remote store: a SPARQL 1.1 endpoint (Virtuoso, Fuseki, an Oxigraph server, ...).

Queries go through SPARQLWrapper, by GET or, when long, by form POST (Virtuoso mishandles
queries POSTed directly as ``application/sparql-query``). Graphs are written through the
Graph Store Protocol when the server has one, else through SPARQL Update. How the guarantees
of :class:`ssekg.store.base.Store` are kept:

* **Whose graphs.** The store reads and writes only graphs under ``{base}graph/``; the
  server's other graphs (Virtuoso's system graphs, other datasets) are never queried,
  dumped, dropped or restored. The store's default graph is the named graph
  ``{base}graph/default``: Virtuoso has no default graph of its own, and a named graph is
  the only kind every engine can list in FROM.
* **Private graphs.** Each query gets FROM / FROM NAMED clauses of the graphs it may see
  (:mod:`ssekg.store.rewrite`), and SERVICE and Virtuoso's SQL-running functions are refused.
  Only queries made through ssekg are filtered: anyone who reaches the endpoint itself can
  read every graph, so keep it off the public network.
* **Bindings** become a VALUES block written by Oxigraph's term serialiser.
* **Atomicity.** A replacement is uploaded into staging graphs (outside the store's graphs,
  so invisible), then one SPARQL Update request moves them over their targets. A failed
  upload leaves the targets untouched; whether the swap itself is all-or-nothing is the
  engine's promise for one update request (Fuseki, Oxigraph: one transaction; Virtuoso: one
  transaction, committed at the end, read-committed for concurrent readers).
* **Timeouts** are passed in each engine's own unit (Virtuoso ``timeout`` in milliseconds,
  Fuseki ``timeout`` in seconds; Oxigraph server and unknown engines have no per-query
  parameter), and checked on arrival as in the embedded store.
* **Truncation.** Virtuoso cuts answers at ``ResultSetMaxRows`` (and at a timeout in
  "anytime" mode); such answers raise QueryError instead of passing for complete ones.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import struct
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from email.message import Message
from http.client import HTTPResponse
from types import TracebackType
from typing import IO, Any, BinaryIO

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node
from SPARQLWrapper import GET, JSON, POST, SELECT, TURTLE, SPARQLWrapper
from SPARQLWrapper.Wrapper import INSERT

from ssekg import __version__
from ssekg.errors import ParseError, QueryError, QueryTimeoutError, StoreError
from ssekg.namespaces import DEFAULT_BASE, PREFIXES, Graphs
from ssekg.store.base import Quad, Triple
from ssekg.store.embedded import short_detail, with_values
from ssekg.store.results import QueryResult
from ssekg.store.rewrite import (
    PagedSelect,
    paged_select,
    prefix_declarations,
    read_query,
    refuse_escapes,
    refuse_global_drops,
    substitute,
    syntax_error,
    with_dataset,
)
from ssekg.store.terms import from_ox, to_ox

STAGING = "urn:x-ssekg:staging:"
#: Staging graphs older than this (seconds) are left over from a load that died.
STALE_STAGING = 6 * 3600
#: Engines whose behaviour the store knows; anything else is "generic".
ENGINES = ("virtuoso", "fuseki", "oxigraph", "generic")
#: HTTP time limits (s): for queries without a timeout of their own, and for writes.
READ_LIMIT = 300.0
WRITE_LIMIT = 1800.0
#: Longest GET URL; longer queries are POSTed as a form.
MAX_GET = 2000
#: Triples per upload request when a graph has no blank nodes (whose labels only hold
#: within one request, so a graph with blank nodes is uploaded whole).
UPLOAD_CHUNK = 50_000
#: The same through SPARQL Update, smaller: Virtuoso compiles an update to SQL and refuses
#: one beyond 10,000 lines of it (about 2,000 triples).
UPDATE_CHUNK = 500
#: How long (s) the list of graphs is reused between queries; other clients' new graphs
#: show up after at most this long (a stale list can only hide graphs, never reveal any).
GRAPH_LIST_TTL = 2.0
#: Datatypes an engine puts on literals in place of the standard one: Virtuoso stores
#: geo:wktLiteral values as its own geometry type, its coordinates as single-precision floats
#: (whose shortest decimals are given back: :func:`_typed`).
ENGINE_DATATYPES = {
    "http://www.openlinksw.com/schemas/virtrdf#Geometry": (
        "http://www.opengis.net/ont/geosparql#wktLiteral"
    ),
}


@dataclass
class _Answer:
    status: int
    headers: Message
    body: bytes


class _Failure(Exception):
    """An HTTP error answer, before it is turned into a user error."""

    def __init__(self, url: str, status: int, body: bytes, reason: str) -> None:
        super().__init__(f"HTTP {status} from {url}")
        self.url = url
        self.status = status
        self.body = body
        self.reason = reason

    def detail(self) -> str:
        text = self.body.decode("utf-8", "replace")
        if "<html" in text[:500].lower():
            text = self.reason
        text = text.split("\n\nSPARQL query:", 1)[0]
        text = re.sub(r"^Virtuoso \w+ Error ", "", text.strip())
        return short_detail(Exception(text or self.reason or f"HTTP {self.status}"))


class _LimitRefused(QueryError):
    """Virtuoso refused an OFFSET or a sorted LIMIT beyond its row limit."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            f"the endpoint refused an OFFSET or LIMIT beyond its row limit ({detail}); narrow "
            "the query or raise that limit (Virtuoso: ResultSetMaxRows).",
            f"krajnja tačka je odbila OFFSET ili LIMIT preko svog ograničenja broja redova "
            f"({detail}); suzite upit ili povećajte to ograničenje (Virtuoso: ResultSetMaxRows).",
        )
        found = re.search(r"Only (\d+) are allowed", detail)
        self.cap = int(found.group(1)) if found else None


class _Wrapper(SPARQLWrapper):
    """SPARQLWrapper, sending its requests through the store's opener, which answers digest
    and basic challenges for any realm and leaves the process's global opener alone."""

    def __init__(self, connection: _Connection, endpoint: str, update_endpoint: str) -> None:
        super().__init__(
            endpoint, updateEndpoint=update_endpoint, returnFormat=JSON, agent=connection.agent
        )
        self.connection = connection
        self.limit = READ_LIMIT
        self.setOnlyConneg(True)

    def _query(self) -> tuple[HTTPResponse, str]:
        return self.connection.open(self._createRequest(), self.limit), self.returnFormat


class _Connection:
    """HTTP to one server: credentials, and one opener per thread (urllib's digest handler
    keeps per-exchange state)."""

    def __init__(self, urls: Sequence[str], user: str | None, password: str | None) -> None:
        self.manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        self.with_credentials = bool(user)
        if user:
            # The whole of each server: its Graph Store endpoint may be found only later.
            origins = {urllib.parse.urlsplit(u)._replace(path="/", query="").geturl() for u in urls}
            self.manager.add_password(None, sorted(origins), user, password or "")
        self.agent = f"ssekg/{__version__}"
        self._local = threading.local()

    def _opener(self) -> urllib.request.OpenerDirector:
        opener = getattr(self._local, "opener", None)
        if opener is None:
            handlers: list[urllib.request.BaseHandler] = []
            if self.with_credentials:
                handlers = [
                    urllib.request.HTTPDigestAuthHandler(self.manager),
                    urllib.request.HTTPBasicAuthHandler(self.manager),
                ]
            opener = urllib.request.build_opener(*handlers)
            self._local.opener = opener
        return opener

    def open(self, request: urllib.request.Request, limit: float) -> HTTPResponse:
        url = request.full_url.split("?", 1)[0]
        try:
            response: HTTPResponse = self._opener().open(request, timeout=limit)
            return response
        except urllib.error.HTTPError as error:
            body = error.read() if error.fp is not None else b""
            raise _Failure(url, error.code, body, str(error.reason)) from None
        except TimeoutError:
            raise _Failure(url, 0, b"", "timed out") from None
        except ValueError:
            # urllib's basic handler, given a challenge of a scheme it does not know
            raise _Failure(url, 401, b"", "authentication required") from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise StoreError(
                f"the SPARQL endpoint {url} cannot be reached ({reason}); check the URL and "
                "that the server is running.",
                f"SPARQL krajnja tačka {url} nije dostupna ({reason}); proverite adresu i da li "
                "server radi.",
            ) from None

    def send(
        self,
        url: str,
        *,
        method: str = "GET",
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        limit: float = READ_LIMIT,
    ) -> _Answer:
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("User-Agent", self.agent)
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        with self.open(request, limit) as response:
            return _Answer(response.status, response.headers, response.read())


def _engine_of(headers: Message) -> str:
    server = (headers.get("Server") or "").lower()
    if "virtuoso" in server:
        return "virtuoso"
    if headers.get("Fuseki-Request-Id") is not None or "fuseki" in server:
        return "fuseki"
    if "oxigraph" in server:
        return "oxigraph"
    return "generic"


def _virtuoso_gsp(url: str) -> str | None:
    """Virtuoso's Graph Store endpoint beside its SPARQL endpoint, if the URL is the usual one."""
    parts = urllib.parse.urlsplit(url)
    for endpoint, store in (
        ("/sparql-auth", "/sparql-graph-crud-auth"),
        ("/sparql", "/sparql-graph-crud"),
    ):
        if parts.path.rstrip("/").endswith(endpoint):
            path = parts.path.rstrip("/")[: -len(endpoint)] + store
            return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))
    return None


def _blank_label(value: str) -> str:
    """A blank node label that N-Quads accepts, from an engine's own (``nodeID://b10006``)."""
    label = re.sub(r"[^A-Za-z0-9]", "", value.removeprefix("nodeID://").removeprefix("_:"))
    return label if label[:1].isalpha() else "b" + label


def _json_term(value: Mapping[str, str]) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """A term of SPARQL JSON results (including Virtuoso's SPARQL 1.0 "typed-literal")."""
    kind = value.get("type")
    text = value.get("value", "")
    if kind == "uri":
        return ox.NamedNode(text)
    if kind == "bnode":
        return ox.BlankNode(_blank_label(text))
    if "xml:lang" in value:
        return ox.Literal(text, language=value["xml:lang"])
    if "datatype" in value:
        return _typed(text, value["datatype"])
    return ox.Literal(text)


def _engine_object(term: object) -> object:
    """An object term of an engine's RDF answer, with the engine's own datatypes undone."""
    if isinstance(term, ox.Literal) and term.datatype.value in ENGINE_DATATYPES:
        return _typed(term.value, term.datatype.value)
    return term


def _typed(text: str, datatype: str) -> ox.Literal:
    """A typed literal; an engine's own geometry becomes a WKT literal again, each coordinate
    written as the shortest decimal of the single-precision float the engine keeps, which is
    the number as loaded when it had at most seven significant digits (Virtuoso answers
    20.92034 as 20.920339584351)."""
    standard = ENGINE_DATATYPES.get(datatype)
    if standard is None:
        return ox.Literal(text, datatype=ox.NamedNode(datatype))
    crs, shape = text.rpartition(">")[::2] if text.startswith("<") else ("", text)
    shape = _NUMBER.sub(lambda m: _single(m.group()), shape)
    return ox.Literal(f"{crs}>{shape}" if crs else shape, datatype=ox.NamedNode(standard))


_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _single(number: str) -> str:
    """The shortest decimal, without an exponent, that reads as the same single-precision
    float as ``number``."""
    try:
        packed = struct.pack("<f", float(number))
    except (OverflowError, ValueError):
        return number
    value = struct.unpack("<f", packed)[0]
    if not math.isfinite(value):
        return number
    for digits in range(1, 10):
        text = f"{value:.{digits}g}"
        if struct.pack("<f", float(text)) == packed:
            break
    if "e" in text:
        text = format(Decimal(text), "f")
    return "0" if text == "-0" else text


def _json_answer(answer: _Answer) -> dict[str, Any]:
    try:
        data = json.loads(answer.body)
    except ValueError as error:
        raise _not_rdf(error) from None
    if not isinstance(data, dict):
        raise _not_rdf(ValueError("not a JSON object"))
    return data


def _not_rdf(error: Exception) -> QueryError:
    return QueryError(
        f"the endpoint answered with something that is not valid RDF ({error}); the query "
        "cannot be answered through ssekg.",
        f"krajnja tačka je odgovorila nečim što nije ispravan RDF ({error}); upit ne može da "
        "se odgovori kroz ssekg.",
    )


class RemoteStore:
    """A store on a SPARQL 1.1 endpoint. ``update_url`` (default: the query URL) takes
    updates, ``gsp_url`` the Graph Store Protocol (default: Virtuoso's own beside its
    endpoint; elsewhere none, and graphs are written by SPARQL Update). ``engine`` is one of
    :data:`ENGINES`, found from the server's answer headers when not given."""

    def __init__(
        self,
        query_url: str,
        base: str = DEFAULT_BASE,
        *,
        update_url: str | None = None,
        gsp_url: str | None = None,
        user: str | None = None,
        password: str | None = None,
        engine: str | None = None,
    ) -> None:
        if engine is not None and engine not in ENGINES:
            raise StoreError(
                f"the store engine {engine!r} is not known; use one of {', '.join(ENGINES)}.",
                f"mašina skladišta {engine!r} nije poznata; koristite jednu od: "
                f"{', '.join(ENGINES)}.",
            )
        self.graphs_of = Graphs(base)
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.scope = base + "graph/"
        self.default_graph = base + "graph/default"
        self._connection = _Connection(
            [u for u in (query_url, self.update_url, gsp_url) if u], user, password
        )
        self._closed = False
        self._graph_list: tuple[float, list[str]] | None = None
        self._row_cap: int | None | bool = False  # False: not asked yet
        self._staging_checked = False
        self._lock = threading.Lock()
        answer = self._probe()
        self.engine = engine or _engine_of(answer)
        if gsp_url is None and self.engine == "virtuoso":
            gsp_url = _virtuoso_gsp(self.update_url)
        self.gsp_url = gsp_url

    # -- HTTP -------------------------------------------------------------------------------

    def _probe(self) -> Message:
        """Ask the endpoint the smallest question, so a wrong URL, a server that is down or
        refused credentials show at once; returns the answer's headers."""
        wrapper = self._wrapper()
        wrapper.queryString, wrapper.queryType = "ASK {}", "ASK"
        wrapper.limit = 30.0
        try:
            with wrapper.query().response as response:
                response.read()
                return response.headers
        except _Failure as failure:
            raise self._store_error(failure, "query") from None

    def _wrapper(self) -> _Wrapper:
        if self._closed:
            raise StoreError("the store is closed.", "skladište je zatvoreno.")
        return _Wrapper(self._connection, self.query_url, self.update_url)

    def _store_error(self, failure: _Failure, action: str) -> StoreError:
        url, status, detail = failure.url, failure.status, failure.detail()
        if status in (401, 403):
            return StoreError(
                f"the endpoint {url} refused access (HTTP {status}); set SSEKG_STORE_USER and "
                f"SSEKG_STORE_PASSWORD to an account that may {action} there.",
                f"krajnja tačka {url} je odbila pristup (HTTP {status}); postavite "
                "SSEKG_STORE_USER i SSEKG_STORE_PASSWORD na nalog koji tu sme da "
                f"{'čita' if action == 'query' else 'menja podatke'}.",
            )
        if status == 404:
            return StoreError(
                f"there is no SPARQL endpoint at {url} (HTTP 404); check the URL given to "
                "--store, --update-url or --gsp-url.",
                f"na adresi {url} nema SPARQL krajnje tačke (HTTP 404); proverite adresu u "
                "--store, --update-url ili --gsp-url.",
            )
        if action != "query" and re.search(r"permission|SR186|SECURITY", detail, re.I):
            return StoreError(
                f"the endpoint {url} does not allow updates ({detail}); give --update-url of "
                "one that does (Virtuoso: /sparql-auth, with SSEKG_STORE_USER and "
                "SSEKG_STORE_PASSWORD of a user with the SPARQL_UPDATE role).",
                f"krajnja tačka {url} ne dozvoljava izmene ({detail}); navedite --update-url "
                "krajnje tačke koja ih dozvoljava (Virtuoso: /sparql-auth, uz SSEKG_STORE_USER "
                "i SSEKG_STORE_PASSWORD korisnika sa ulogom SPARQL_UPDATE).",
            )
        if status == 0:
            return StoreError(
                f"the endpoint {url} did not answer in time; try again later or check the server.",
                f"krajnja tačka {url} nije odgovorila na vreme; pokušajte kasnije ili proverite "
                "server.",
            )
        return StoreError(
            f"the endpoint {url} answered HTTP {status}: {detail}.",
            f"krajnja tačka {url} je odgovorila HTTP {status}: {detail}.",
        )

    def _timeout_error(self, timeout: float | None) -> QueryError:
        limit = f"{timeout:g} s" if timeout is not None else "the server's time limit"
        return QueryTimeoutError(
            f"the query ran longer than {limit} and was stopped; narrow it (fewer patterns, "
            "a LIMIT) and try again.",
            f"upit je trajao duže od {limit.replace('the server', 'ograničenja servera')} i "
            "prekinut je; suzite ga (manje obrazaca, LIMIT) i pokušajte ponovo.",
        )

    def _ask_endpoint(
        self, sparql: str, kind: str, *, timeout: float | None = None, whole: bool = True
    ) -> _Answer:
        """Send a query; ``whole`` makes an answer cut at the server's row limit an error."""
        wrapper = self._wrapper()
        wrapper.queryString = sparql
        wrapper.queryType = {"select": SELECT, "ask": "ASK"}.get(kind, "CONSTRUCT")
        if kind == "graph":
            wrapper.setReturnFormat(TURTLE)
            wrapper.addCustomHttpHeader(
                "Accept", "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
            )
        if timeout is not None:
            if self.engine == "virtuoso":
                wrapper.addParameter("timeout", str(max(1, round(timeout * 1000))))
            elif self.engine == "fuseki":
                wrapper.addParameter("timeout", f"{timeout:g}")
            wrapper.limit = max(timeout, 0.001) + (10.0 if self.engine != "generic" else 0.0)
        encoded = urllib.parse.urlencode({"query": sparql})
        wrapper.setMethod(GET if len(self.query_url) + len(encoded) < MAX_GET else POST)
        started = time.monotonic()
        try:
            with wrapper.query().response as response:
                answer = _Answer(response.status, response.headers, response.read())
        except _Failure as failure:
            detail = failure.detail()
            if failure.status == 0 or re.search(r"time[d ]?out|S1T00", detail, re.I):
                raise self._timeout_error(timeout) from None
            if re.search(r"estimated execution time", detail, re.I):
                raise QueryError(
                    f"the endpoint refused the query as too costly ({detail}); narrow it "
                    "(fewer patterns, a LIMIT) and try again.",
                    f"krajnja tačka je odbila upit kao preskup ({detail}); suzite ga (manje "
                    "obrazaca, LIMIT) i pokušajte ponovo.",
                ) from None
            if re.search(r"\bSR35[0-3]\b", detail):
                # Virtuoso cuts an OFFSET or a sorted LIMIT at its row limit as an error.
                raise _LimitRefused(detail) from None
            if failure.status == 400:
                raise QueryError(
                    f"the SPARQL query is not valid: {detail}; correct it and try again.",
                    f"SPARQL upit nije ispravan: {detail}; ispravite ga i pokušajte ponovo.",
                ) from None
            raise self._store_error(failure, "query") from None
        headers = answer.headers
        if (
            answer.status == 206
            or headers.get("X-SQL-State") == "S1TAT"
            or headers.get("X-SPARQL-Anytime")
            or (timeout is not None and time.monotonic() - started > timeout)
        ):
            raise self._timeout_error(timeout)
        if whole and headers.get("X-SPARQL-MaxRows"):
            raise self._truncated(headers["X-SPARQL-MaxRows"])
        return answer

    def _truncated(self, cap: object) -> QueryError:
        return QueryError(
            f"the answer reached the endpoint's limit of {cap} results (Virtuoso: "
            "ResultSetMaxRows) and may be incomplete; add a LIMIT or raise that limit.",
            f"odgovor je dostigao ograničenje krajnje tačke od {cap} rezultata (Virtuoso: "
            "ResultSetMaxRows) i možda nije potpun; dodajte LIMIT ili povećajte to ograničenje.",
        )

    def _rows(
        self, sparql: str, *, whole: bool = True
    ) -> list[list[ox.NamedNode | ox.BlankNode | ox.Literal | None]]:
        """The rows of one of the store's own SELECT queries, as Oxigraph terms."""
        answer = self._ask_endpoint(sparql, "select", whole=whole)
        data = json.loads(answer.body)
        variables = data["head"]["vars"]
        return [
            [_json_term(b[v]) if v in b else None for v in variables]
            for b in data["results"]["bindings"]
        ]

    def _run_update(self, sparql: str, *, limit: float = WRITE_LIMIT) -> None:
        wrapper = self._wrapper()
        prologue = ""
        if self.engine == "virtuoso":
            # Virtuoso has no default graph; the store's stands in for it.
            prologue = f"DEFINE input:default-graph-uri {ox.NamedNode(self.default_graph)} "
        wrapper.queryString = prologue + sparql
        wrapper.queryType = INSERT
        wrapper.setMethod(POST)
        wrapper.limit = limit
        self._graph_list = None
        try:
            with wrapper.query().response as response:
                response.read()
        except _Failure as failure:
            if failure.status == 400:
                detail = failure.detail()
                raise QueryError(
                    f"the SPARQL update is not valid: {detail}; correct it and try again.",
                    f"SPARQL izmena nije ispravna: {detail}; ispravite je i pokušajte ponovo.",
                ) from None
            raise self._store_error(failure, "update") from None

    def _row_limit(self) -> int | None:
        """Virtuoso's ResultSetMaxRows, asked once (None elsewhere, or when it cannot be read)."""
        if self._row_cap is False:
            cap: int | None = None
            if self.engine == "virtuoso":
                try:
                    rows = self._rows(
                        'SELECT (bif:cfg_item_value(bif:virtuoso_ini_path(), "SPARQL", '
                        '"ResultSetMaxRows") AS ?n) WHERE {}'
                    )
                    value = rows[0][0] if rows else None
                    cap = int(value.value) if value is not None else None
                except (QueryError, StoreError, ValueError):
                    cap = None
            self._row_cap = cap
        return self._row_cap if isinstance(self._row_cap, int) else None

    # -- graphs -----------------------------------------------------------------------------

    def _in_scope(self, graph: str) -> None:
        if not graph.startswith(self.scope) or graph == self.default_graph:
            raise StoreError(
                f"the graph {graph} is not one of this store's graphs (under {self.scope}); a "
                "remote store writes only there, so name a graph below it or set --base-iri.",
                f"graf {graph} nije među grafovima ovog skladišta (ispod {self.scope}); udaljeno "
                "skladište upisuje samo tamo, pa navedite graf ispod toga ili podesite --base-iri.",
            )

    def _graphs_under(self, prefix: str) -> list[str]:
        rows = self._rows(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
            f"FILTER(STRSTARTS(STR(?g), {ox.Literal(prefix)})) }}"
        )
        return sorted(term.value for row in rows for term in row if isinstance(term, ox.NamedNode))

    def _all_graphs(self) -> list[str]:
        cached = self._graph_list
        if cached is not None and time.monotonic() - cached[0] < GRAPH_LIST_TTL:
            return cached[1]
        names = [g for g in self._graphs_under(self.scope) if g != self.default_graph]
        self._graph_list = (time.monotonic(), names)
        return names

    def _visible(self, include_private: bool) -> list[str]:
        graphs = self._all_graphs()
        if include_private:
            return graphs
        return [g for g in graphs if not self.graphs_of.is_private(g)]

    # -- queries ----------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Node] | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
        include_private: bool = False,
    ) -> QueryResult:
        refuse_escapes(sparql)
        problem = syntax_error(sparql)
        if problem is not None:
            raise QueryError(
                f"the SPARQL query is not valid: {problem}; correct it at that position and "
                "try again.",
                f"SPARQL upit nije ispravan: {problem}; ispravite ga na tom mestu i pokušajte "
                "ponovo.",
            )
        if bindings:
            # Constants in the WHERE group, and the VALUES block of the embedded store (which
            # also checks the names and refuses blank nodes) for the projection.
            terms = {name.lstrip("?$"): str(to_ox(value)) for name, value in bindings.items()}
            sparql = with_values(substitute(sparql, terms), bindings)
        text = read_query(sparql)
        visible = self._visible(include_private)
        allowed = set(visible)
        if default_graphs is not None or named_graphs is not None:
            chosen: tuple[Sequence[str], Sequence[str]] | None = (
                default_graphs or [],
                named_graphs or [],
            )
        else:
            chosen = text.dataset
        if chosen is None:
            default, named = [self.default_graph, *visible], visible
        else:
            default = [g for g in chosen[0] if g in allowed]
            named = [g for g in chosen[1] if g in allowed]
        declared = prefix_declarations(text.prefixes)
        started = time.monotonic()
        refused: _LimitRefused | None = None
        try:
            answer = self._ask_endpoint(
                declared + with_dataset(sparql, text, default, named),
                text.kind,
                timeout=timeout,
                whole=text.kind != "select",
            )
        except _LimitRefused as error:
            if text.kind != "select":
                raise
            refused = error
        if refused is not None:
            cap: str | None = str(refused.cap or self._row_limit() or "")
            data: dict[str, Any] = {"head": {"vars": []}, "results": {"bindings": []}}
        else:
            if text.kind == "graph":
                return self._graph_result(answer)
            data = _json_answer(answer)
            if "boolean" in data:
                return QueryResult("ask", boolean=bool(data["boolean"]))
            cap = answer.headers.get("X-SPARQL-MaxRows")
        variables = list(data["head"].get("vars", []))
        if cap is not None and refused is not None:
            # The projected variables, from the query's first row sorted its own way.
            parts = paged_select(sparql, ["ssekgProbe"])
            if parts is not None:
                probe = parts.page([], 0, 1)
                try:
                    first = self._ask_endpoint(
                        declared + with_dataset(probe, read_query(probe), default, named),
                        "select",
                        timeout=timeout,
                    )
                except QueryTimeoutError:
                    raise
                except QueryError:
                    raise refused from None
                variables = list(_json_answer(first)["head"].get("vars", []))
        if cap:
            parts = paged_select(sparql, variables)
            if parts is None or not cap.isdigit() or int(cap) < 1:
                raise refused or self._truncated(cap)
            deadline = None if timeout is None else started + timeout

            def ask(query: str) -> list[dict[str, Any]]:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    raise self._timeout_error(timeout)
                paged = read_query(query)
                try:
                    answer = self._ask_endpoint(
                        declared + with_dataset(query, paged, default, named),
                        "select",
                        timeout=left,
                        whole=False,
                    )
                except QueryTimeoutError:
                    raise self._timeout_error(timeout) from None
                except QueryError:
                    raise self._truncated(cap) from None
                return list(_json_answer(answer)["results"]["bindings"])

            bindings_read = self._pages(parts, variables, int(cap), ask)
        else:
            bindings_read = data["results"]["bindings"]
        rows: list[dict[str, Node]] = []
        try:
            for binding in bindings_read:
                rows.append({k: from_ox(_json_term(v)) for k, v in binding.items()})
        except ValueError as error:
            raise _not_rdf(error) from None
        return QueryResult("select", variables=variables, rows=rows)

    def _pages(
        self,
        parts: PagedSelect,
        variables: Sequence[str],
        page: int,
        ask: Callable[[str], list[dict[str, Any]]],
    ) -> list[dict[str, Any]]:
        """The whole answer of a SELECT query that the endpoint cut at its row limit, read
        in pages of that many rows. The rows are counted before and after; an answer whose
        size changes meanwhile (a load running) is an error, never half of two answers."""

        def size() -> int:
            found = ask(parts.counting())
            value = found[0].get("ssekgRows") if found else None
            try:
                return int(value["value"]) if isinstance(value, dict) else -1
            except ValueError:
                return -1

        total = size()
        expected = max(0, total - parts.offset)
        if parts.limit is not None:
            expected = min(expected, parts.limit)
        rows: list[dict[str, Any]] = []
        while len(rows) < expected:
            wanted = min(page, expected - len(rows))
            got = ask(parts.page(variables, parts.offset + len(rows), wanted))
            rows += got
            if len(got) != wanted:
                break
        again = size()
        if total < 0 or again != total or len(rows) != expected:
            raise QueryError(
                f"the answer changed while it was read in pages of {page} rows ({len(rows)} "
                f"of {expected} rows read); run the query again when no load is running.",
                f"odgovor se menjao dok je čitan u delovima od po {page} redova (pročitano "
                f"{len(rows)} od {expected}); ponovite upit kada nijedno učitavanje ne traje.",
            )
        return rows

    def _graph_result(self, answer: _Answer) -> QueryResult:
        media = answer.headers.get_content_type()
        try:
            fmt = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.TURTLE
            triples = list(ox.parse(answer.body, fmt))
        except (SyntaxError, ValueError) as error:
            raise _not_rdf(error) from None
        cap = self._row_limit()
        if cap is not None and len(triples) >= cap:
            raise self._truncated(cap)
        graph = Graph()
        for prefix, iri in PREFIXES.items():
            graph.bind(prefix, iri)
        for triple in triples:
            if isinstance(triple, ox.Quad):
                triple = triple.triple
            subject, predicate = from_ox(triple.subject), from_ox(triple.predicate)
            graph.add((subject, predicate, from_ox(_engine_object(triple.object))))
        return QueryResult("graph", graph=graph)

    def update(self, sparql: str) -> None:
        refuse_global_drops(sparql)
        declared = {}
        for match in re.finditer(r"PREFIX\s+([\w.\-]*):", sparql, re.I):
            declared[match.group(1)] = ""
        self._run_update(prefix_declarations(declared) + sparql)

    # -- writes -----------------------------------------------------------------------------

    def _staging_name(self) -> str:
        return f"{STAGING}{int(time.time())}:{uuid.uuid4().hex}"

    def _drop_stale_staging(self) -> None:
        """Drop staging graphs left by loads that died (another client's live ones are
        younger than STALE_STAGING and stay)."""
        if self._staging_checked:
            return
        self._staging_checked = True
        now = time.time()
        stale = []
        for graph in self._graphs_under(STAGING):
            stamp = graph[len(STAGING) :].split(":", 1)[0]
            if stamp.isdigit() and now - int(stamp) > STALE_STAGING:
                stale.append(graph)
        if stale:
            self._run_update(" ;\n".join(f"DROP SILENT GRAPH {ox.NamedNode(g)}" for g in stale))

    def _stage(self, triples: Iterable[Triple]) -> tuple[str, int]:
        """Upload triples into a fresh staging graph; returns it and the number of triples.
        The triples are written to a spool first, so a source that fails midway sends
        nothing."""
        stage = self._staging_name()
        with tempfile.SpooledTemporaryFile(max_size=32 << 20) as spool:
            count = 0
            blank = False
            try:
                for s, p, o in triples:
                    subject, predicate, obj = to_ox(s), to_ox(p), to_ox(o)
                    if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
                        raise ValueError(f"not a valid triple: {s!r} {p!r} {o!r}")
                    blank = (
                        blank or isinstance(subject, ox.BlankNode) or isinstance(obj, ox.BlankNode)
                    )
                    spool.write(f"{subject} {predicate} {obj} .\n".encode())
                    count += 1
            except ValueError as error:
                raise StoreError(
                    f"the triples cannot be stored: {error}; nothing was changed.",
                    f"trojke ne mogu da se sačuvaju: {error}; ništa nije promenjeno.",
                ) from None
            if count:
                spool.seek(0)
                self._upload(stage, spool, whole=blank)
        return stage, count

    def _chunks(self, spool: IO[bytes], size: int | None) -> Iterator[bytes]:
        lines: list[bytes] = []
        for line in spool:
            lines.append(line)
            if size is not None and len(lines) >= size:
                yield b"".join(lines)
                lines = []
        if lines:
            yield b"".join(lines)

    def _upload(self, graph: str, spool: IO[bytes], *, whole: bool) -> None:
        if self.gsp_url is None:
            target = ox.NamedNode(graph)
            for chunk in self._chunks(spool, None if whole else UPDATE_CHUNK):
                text = chunk.decode("utf-8")
                if whole:
                    # Virtuoso refuses blank nodes in INSERT DATA; a template takes them.
                    self._run_update(f"INSERT {{ GRAPH {target} {{\n{text}}} }} WHERE {{}}")
                else:
                    self._run_update(f"INSERT DATA {{ GRAPH {target} {{\n{text}}} }}")
            return
        separator = "&" if "?" in self.gsp_url else "?"
        url = f"{self.gsp_url}{separator}{urllib.parse.urlencode({'graph': graph})}"
        for chunk in self._chunks(spool, None if whole else UPLOAD_CHUNK):
            try:
                self._connection.send(
                    url,
                    method="POST",
                    data=chunk,
                    headers={"Content-Type": "text/turtle; charset=utf-8"},
                    limit=WRITE_LIMIT,
                )
            except _Failure as failure:
                raise self._store_error(failure, "update") from None

    def replace_graph(self, graph: str, triples: Iterable[Triple]) -> None:
        self.replace_graphs({graph: triples})

    def replace_graphs(
        self,
        replace: Mapping[str, Iterable[Triple]],
        *,
        add: Mapping[str, Iterable[Triple]] | None = None,
    ) -> None:
        work = [
            *((g, t, False) for g, t in replace.items()),
            *((g, t, True) for g, t in (add or {}).items()),
        ]
        for graph, _, _ in work:
            self._in_scope(graph)
        with self._lock:
            self._drop_stale_staging()
            staged: list[str] = []
            operations: list[str] = []
            try:
                for graph, triples, keep in work:
                    target = ox.NamedNode(graph)
                    stage, count = self._stage(triples)
                    staged.append(stage)
                    if count and keep:
                        operations.append(
                            f"ADD SILENT GRAPH {ox.NamedNode(stage)} TO GRAPH {target}"
                        )
                        operations.append(f"DROP SILENT GRAPH {ox.NamedNode(stage)}")
                    elif count:
                        operations.append(
                            f"MOVE SILENT GRAPH {ox.NamedNode(stage)} TO GRAPH {target}"
                        )
                    elif not keep:
                        operations.append(f"DROP SILENT GRAPH {target}")
                if operations:
                    self._run_update(" ;\n".join(operations))
                staged = []
            finally:
                self._drop_staged(staged)

    def _drop_staged(self, staged: list[str]) -> None:
        """Remove the staging graphs of a write that failed; a failure here is not the
        user's concern (stale staging graphs are dropped by a later write)."""
        if not staged:
            return
        with contextlib.suppress(StoreError, QueryError):
            self._run_update(" ;\n".join(f"DROP SILENT GRAPH {ox.NamedNode(g)}" for g in staged))

    def add_quads(self, quads: Iterable[Quad]) -> None:
        by_graph: dict[str, list[Triple]] = {}
        for s, p, o, g in quads:
            by_graph.setdefault(g, []).append((s, p, o))
        if by_graph:
            self.replace_graphs({}, add=by_graph)

    def drop_graph(self, graph: str) -> None:
        self._in_scope(graph)
        self._run_update(f"DROP SILENT GRAPH {ox.NamedNode(graph)}")

    # -- inspection -------------------------------------------------------------------------

    def graphs(self) -> list[str]:
        self._graph_list = None
        return list(self._all_graphs())

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            query = (
                "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                f"FILTER(STRSTARTS(STR(?g), {ox.Literal(self.scope)})) }}"
            )
        else:
            query = (
                f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }} }}"
            )
        rows = self._rows(query)
        value = rows[0][0] if rows and rows[0] else None
        return int(value.value) if value is not None else 0

    # -- dump and restore -------------------------------------------------------------------

    def oxigraph_dataset(
        self, include_private: bool = False
    ) -> tuple[ox.Store, list[ox.NamedNode | ox.DefaultGraph]]:
        """A copy in memory of the graphs a query sees by default, and their names, for code
        that runs many queries of its own on the same data (validation). It is read as
        :meth:`dump` reads, in pages, so the server's row limit cuts nothing (one CONSTRUCT
        of the union would stop at Virtuoso's ResultSetMaxRows); later changes on the server
        do not reach the copy."""
        copy = ox.Store()
        with tempfile.TemporaryFile() as spool:
            self.dump(spool, include_private=include_private)
            spool.seek(0)
            copy.bulk_load(spool, ox.RdfFormat.N_QUADS)
        graphs: list[ox.NamedNode | ox.DefaultGraph] = [ox.DefaultGraph()]
        graphs += [ox.NamedNode(g) for g in self._visible(include_private)]
        return copy, graphs

    def dump(self, out: BinaryIO, *, include_private: bool = False) -> None:
        """Each graph is read in pages of the server's row limit (Virtuoso cuts larger
        answers, CONSTRUCT and Graph Store reads included, without saying so); a graph whose
        size changes while it is read is reported rather than written half."""
        page = self._row_limit()
        for name in [self.default_graph, *self._visible(include_private)]:
            expected = self.count(name)
            graph_name = ox.DefaultGraph() if name == self.default_graph else ox.NamedNode(name)
            written = 0
            while expected:
                query = f"SELECT ?s ?p ?o WHERE {{ GRAPH {ox.NamedNode(name)} {{ ?s ?p ?o }} }}"
                if page is not None:
                    query += f" LIMIT {page} OFFSET {written}"
                rows = self._rows(query, whole=page is None)
                quads = [ox.Quad(s, p, o, graph_name) for s, p, o in rows]  # type: ignore[arg-type]
                ox.serialize(quads, out, ox.RdfFormat.N_QUADS)
                written += len(quads)
                if page is None or len(quads) < page:
                    break
            if written != expected:
                raise StoreError(
                    f"the graph {name} changed while it was dumped ({written} of {expected} "
                    "triples read); dump again when no load is running.",
                    f"graf {name} se menjao tokom kopiranja (pročitano {written} od {expected} "
                    "trojki); ponovite kopiranje kada nijedno učitavanje ne traje.",
                )

    def restore(self, source: BinaryIO) -> None:
        try:
            quads = list(ox.parse(source, ox.RdfFormat.N_QUADS))
        except SyntaxError as error:
            raise ParseError(
                f"the dump does not parse as N-Quads: {error}; the store was not changed.",
                f"kopija nije ispravan N-Quads: {error}; skladište nije promenjeno.",
            ) from None
        by_graph: dict[str, list[Triple]] = {}
        for quad in quads:
            name = quad.graph_name
            if isinstance(name, ox.BlankNode):
                raise ParseError(
                    "the dump names a graph with a blank node; only IRIs can name graphs.",
                    "kopija imenuje graf praznim čvorom; grafove mogu da imenuju samo IRI.",
                )
            key = name.value if isinstance(name, ox.NamedNode) else self.default_graph
            triple = (from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object))
            by_graph.setdefault(key, []).append(triple)
        for graph in by_graph:
            if graph != self.default_graph:
                self._in_scope(graph)
        with self._lock:
            self._drop_stale_staging()
            existing = [self.default_graph, *self._graphs_under(self.scope)]
            operations = [f"DROP SILENT GRAPH {ox.NamedNode(g)}" for g in dict.fromkeys(existing)]
            staged: list[str] = []
            try:
                for graph, triples in by_graph.items():
                    stage, _ = self._stage(triples)
                    staged.append(stage)
                    operations.append(
                        f"MOVE SILENT GRAPH {ox.NamedNode(stage)} TO GRAPH {ox.NamedNode(graph)}"
                    )
                self._run_update(" ;\n".join(operations))
                staged = []
            finally:
                self._drop_staged(staged)

    # -- life cycle -------------------------------------------------------------------------

    def close(self) -> None:
        self._closed = True

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
