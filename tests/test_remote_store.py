"""What only a remote store has to get right: the query text it sends (checked offline), and
on a throwaway Virtuoso the limits, credentials, other tenants' graphs and the engine's
quirks (the behaviour shared with the embedded store is tested in test_store.py)."""

from __future__ import annotations

import http.server
import io
import json
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef

from ssekg.errors import QueryError, StoreError
from ssekg.namespaces import GEO
from ssekg.store import Store, open_store
from ssekg.store.remote import STAGING, RemoteStore
from ssekg.store.rewrite import (
    NOTHING,
    read_query,
    refuse_escapes,
    refuse_global_drops,
    substitute,
    syntax_error,
    with_dataset,
)
from tests.virtuoso import Virtuoso

EX = "http://example.org/"
P = URIRef(EX + "p")


def triples(*values: str) -> list[tuple[URIRef, URIRef, Literal]]:
    return [(URIRef(EX + v), P, Literal(v)) for v in values]


def objects(store: RemoteStore, sparql: str, **kwargs: object) -> set[str]:
    result = store.query(sparql, **kwargs)  # type: ignore[arg-type]
    return {str(row["o"]) for row in result.rows if "o" in row}


# -- the query text (no server) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "form", "dataset"),
    [
        (
            "SELECT ?o FROM <urn:a> FROM NAMED <urn:b> WHERE { ?s ?p ?o }",
            "SELECT",
            (["urn:a"], ["urn:b"]),
        ),
        ("SELECT (EXISTS { ?s ?p ?o } AS ?e) FROM <urn:a> { }", "SELECT", (["urn:a"], [])),
        ("CONSTRUCT { ?s ?p ?o } FROM <urn:a> WHERE { ?s ?p ?o }", "CONSTRUCT", (["urn:a"], [])),
        ("PREFIX x: <urn:> CONSTRUCT FROM x:a WHERE { ?s ?p ?o }", "CONSTRUCT", (["urn:a"], [])),
        ("DESCRIBE <urn:x> FROM <urn:a>", "DESCRIBE", (["urn:a"], [])),
        ("ASK FROM NAMED <urn:b> { GRAPH ?g { ?s ?p ?o } }", "ASK", ([], ["urn:b"])),
        ("# FROM <urn:no>\nSELECT ?from WHERE { ?s ?p '<FROM <urn:no>' }", "SELECT", None),
    ],
)
def test_dataset_clauses_are_found_in_every_query_form(
    query: str, form: str, dataset: object
) -> None:
    text = read_query(query)
    assert text.form == form and text.dataset == dataset


def test_dataset_is_replaced_and_lines_are_kept() -> None:
    query = "SELECT ?o\nFROM <urn:private>\nFROM NAMED <urn:private>\nWHERE { ?s ?p ?o\n"
    rewritten = with_dataset(query, read_query(query), ["urn:a"], [])
    assert "urn:private" not in rewritten
    assert "FROM <urn:a>" in rewritten and f"FROM NAMED <{NOTHING}>" in rewritten
    assert rewritten.count("\n") == query.count("\n")
    built = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    assert with_dataset(built, read_query(built), [], []).startswith(
        f"CONSTRUCT {{ ?s ?p ?o }}  FROM <{NOTHING}> FROM NAMED <{NOTHING}>"
    )


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:8890/sparql> { ?s ?p ?o } }",
        "SELECT (bif:exec('select 1') AS ?x) WHERE { }",
        "SELECT (<bif:exec>('select 1') AS ?x) WHERE { }",
        "PREFIX f: <http://www.openlinksw.com/schemas/bif#> SELECT (f:exec('x') AS ?x) { }",
        "SELECT ?x WHERE { ?x <urn:p> ?o FILTER(sql:count(?o)) }",
    ],
)
def test_queries_that_could_read_past_their_dataset_are_refused(query: str) -> None:
    with pytest.raises(QueryError) as caught:
        refuse_escapes(query)
    assert "SERVICE" in caught.value.en or "engine function" in caught.value.en


def test_words_that_only_look_like_escapes_pass() -> None:
    refuse_escapes("SELECT ?service WHERE { ?s <urn:SERVICE> 'SERVICE bif:exec' }")
    refuse_global_drops("DROP SILENT GRAPH <urn:g> ; CLEAR GRAPH <urn:all>")
    with pytest.raises(QueryError, match="DROP ALL"):
        refuse_global_drops("INSERT DATA { <urn:a> <urn:b> 1 } ; drop silent all")
    with pytest.raises(QueryError, match="CLEAR NAMED"):
        refuse_global_drops("CLEAR NAMED")


def test_syntax_is_checked_without_evaluating() -> None:
    values = " ".join(str(i) for i in range(300))
    # Evaluating this would count 300^4 rows; parsing it is instant.
    huge = f"SELECT (COUNT(*) AS ?n) WHERE {{ {' '.join(f'VALUES ?{v} {{ {values} }}' for v in 'abcd')} }}"  # noqa: E501
    assert syntax_error(huge) is None
    problem = syntax_error("SELECT ?o WHERE {\n ?s ?p ?o")
    assert problem is not None and problem.startswith("error at 2:")


def test_bound_variables_become_constants_where_terms_may_stand() -> None:
    query = (
        "SELECT ?x (STR(?x) AS ?y) WHERE { ?s ?p ?x OPTIONAL { ?s ?q ?o FILTER(?o = $x) } "
        "BIND(1 AS ?x) { SELECT ?x WHERE { ?x ?p ?o } } VALUES ?x { 1 } ?xx ?p '?x' } ORDER BY ?x"
    )
    done = substitute(query, {"x": '"v"'})
    assert done == (
        'SELECT ?x (STR(?x) AS ?y) WHERE { ?s ?p "v" OPTIONAL { ?s ?q ?o FILTER(?o = "v") } '
        "BIND(1 AS ?x) { SELECT ?x WHERE { \"v\" ?p ?o } } VALUES ?x { 1 } ?xx ?p '?x' } "
        "ORDER BY ?x"
    )


# -- what goes over the wire (a recording endpoint on 127.0.0.1) ------------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Answers every query with an empty result and keeps what it was sent."""

    seen: list[dict[str, object]] = []

    def _answer(self, query: dict[str, list[str]], content_type: str) -> None:
        self.seen.append({"method": self.command, "params": query, "type": content_type})
        text = (query.get("query") or [""])[0]
        body = (
            b'{"head": {}, "boolean": true}'
            if text.lstrip().upper().startswith("ASK")
            else b'{"head": {"vars": ["n"]}, "results": {"bindings": []}}'
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802  (the name http.server calls)
        self._answer(urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query), "")

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8")
        content_type = self.headers.get("Content-Type", "")
        params = urllib.parse.parse_qs(body) if "form-urlencoded" in content_type else {}
        self._answer(params, content_type)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[dict[str, object]]]]:
    seen: list[dict[str, object]] = []
    handler = type("Handler", (_Recorder,), {"seen": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql", seen
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(("engine", "sent"), [("virtuoso", "2500"), ("fuseki", "2.5")])
def test_each_engine_gets_the_timeout_in_its_own_unit(
    recorder: tuple[str, list[dict[str, object]]], engine: str, sent: str
) -> None:
    url, seen = recorder
    with RemoteStore(url, "https://w3id.org/ssekg/id/", engine=engine) as store:
        store.query("SELECT ?marker WHERE { ?marker ?p ?o }", timeout=2.5)
    mine = [r for r in seen if "?marker" in str(r["params"].get("query"))]  # type: ignore[attr-defined]
    assert mine and mine[-1]["params"]["timeout"] == [sent]  # type: ignore[index]


def test_queries_go_by_get_or_form_post_never_as_a_direct_post(
    recorder: tuple[str, list[dict[str, object]]],
) -> None:
    url, seen = recorder
    with RemoteStore(url, "https://w3id.org/ssekg/id/", engine="virtuoso") as store:
        store.query("SELECT ?marker WHERE { ?marker ?p ?o }")
        long = " ".join(f"<{EX}{i}>" for i in range(300))
        store.query(f"SELECT ?marker WHERE {{ VALUES ?marker {{ {long} }} }}")
    mine = [r for r in seen if "?marker" in str(r["params"].get("query"))]  # type: ignore[attr-defined]
    assert [r["method"] for r in mine] == ["GET", "POST"]
    assert "application/x-www-form-urlencoded" in str(mine[1]["type"])
    assert not any("sparql-query" in str(r["type"]) for r in seen)


# -- on Virtuoso ------------------------------------------------------------------------------


@pytest.fixture
def store(virtuoso: Virtuoso) -> Iterator[RemoteStore]:
    opened = open_store(virtuoso.url, base=virtuoso.new_base())
    assert isinstance(opened, RemoteStore)
    with opened:
        yield opened


def raw_select(virtuoso: Virtuoso, sparql: str) -> list[dict[str, dict[str, str]]]:
    """A query sent to Virtuoso directly, past the store."""
    data = urllib.parse.urlencode({"query": sparql}).encode()
    request = urllib.request.Request(
        virtuoso.url, data=data, headers={"Accept": "application/sparql-results+json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return list(json.load(response)["results"]["bindings"])


def test_the_engine_and_its_graph_store_are_found(store: RemoteStore) -> None:
    assert store.engine == "virtuoso"
    assert store.gsp_url is not None and store.gsp_url.endswith("/sparql-graph-crud")


def test_stores_with_other_bases_do_not_see_each_other(
    store: RemoteStore, virtuoso: Virtuoso
) -> None:
    neighbour = open_store(virtuoso.url, base=virtuoso.new_base())
    neighbour.replace_graph(neighbour.graphs_of.source("n"), triples("theirs"))
    store.replace_graph(store.graphs_of.source("m"), triples("mine"))
    assert objects(store, "SELECT ?o WHERE { ?s ?p ?o }") == {"mine"}
    assert objects(store, "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }", include_private=True) == {
        "mine"
    }
    store.restore(io.BytesIO(b""))
    assert store.graphs() == [] and store.count() == 0
    assert objects(neighbour, "SELECT ?o WHERE { ?s ?p ?o }") == {"theirs"}
    # Virtuoso's own graphs survive a restore (dropping them would break the server).
    system = raw_select(
        virtuoso,
        "SELECT ?s WHERE { GRAPH <http://www.openlinksw.com/schemas/virtrdf#> { ?s ?p ?o } } "
        "LIMIT 1",
    )
    assert system


def test_graphs_outside_the_base_are_refused(store: RemoteStore) -> None:
    with pytest.raises(StoreError) as caught:
        store.replace_graph("http://example.org/elsewhere", triples("x"))
    assert "not one of this store's graphs" in caught.value.en and store.scope in caught.value.en
    with pytest.raises(StoreError):
        store.restore(io.BytesIO(f'<{EX}s> <{EX}p> "x" <http://example.org/g> .\n'.encode()))


def test_answers_cut_at_the_row_limit_are_errors(store: RemoteStore, virtuoso: Virtuoso) -> None:
    side = " ".join(str(i) for i in range(101))  # 101 x 101 rows: above 10,000
    rows = f"WHERE {{ VALUES ?a {{ {side} }} VALUES ?b {{ {side} }} }}"
    # Other rows at every evaluation: such an answer cannot be read in pages.
    with pytest.raises(QueryError) as caught:
        store.query(f"SELECT ?a ?b (RAND() AS ?r) {rows}")
    assert str(virtuoso.max_rows) in caught.value.en and "ResultSetMaxRows" in caught.value.en
    with pytest.raises(QueryError, match="limit of"):
        store.query(
            f"CONSTRUCT {{ ?s <urn:p> ?b }} WHERE {{ VALUES ?a {{ {side} }} "
            f"VALUES ?b {{ {side} }} BIND(IRI(CONCAT('urn:s', STR(?a))) AS ?s) }}"
        )
    assert len(store.query(f"SELECT ?a ?b {rows} LIMIT 5000").rows) == 5000


def test_a_select_past_the_row_limit_comes_back_whole(
    store: RemoteStore, virtuoso: Virtuoso
) -> None:
    size = virtuoso.max_rows + 2500
    facts = [(URIRef(f"{EX}s{i % 7000}"), P, Literal(i)) for i in range(size)]
    facts += [(URIRef(f"{EX}s{i}"), URIRef(EX + "label"), Literal(f"l{i}", lang="sr-Latn"))
              for i in range(0, 7000, 2)]  # fmt: skip
    store.replace_graph(store.graphs_of.source("big"), facts)
    store.replace_graph(store.graphs_of.private, triples(*(f"secret{i}" for i in range(50))))
    embedded = open_store("memory")
    embedded.replace_graph(embedded.graphs_of.source("big"), facts)

    def answer(on: Store, query: str) -> list[str]:
        return [str(sorted(row.items())) for row in on.query(query).rows]

    queries = [
        "SELECT * WHERE { ?s ?p ?o }",
        "SELECT ?s ?o ?l WHERE { ?s <http://example.org/p> ?o "
        "OPTIONAL { ?s <http://example.org/label> ?l } }",
        "SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s",
    ]
    for query in queries:
        got = answer(store, query)
        assert len(got) > virtuoso.max_rows or "GROUP" in query
        assert sorted(got) == sorted(answer(embedded, query))
    # Virtuoso refuses a sorted LIMIT or an OFFSET past its limit; the store reads them too.
    ordered = "SELECT ?o WHERE { ?s <http://example.org/p> ?o } ORDER BY DESC(?o)"
    whole = answer(embedded, ordered)
    assert answer(store, ordered) == whole
    assert answer(store, f"{ordered} LIMIT 10400 OFFSET 300") == whole[300:10700]
    assert answer(store, f"{ordered} OFFSET 12000") == whole[12000:]


def test_a_dump_is_complete_past_the_row_limit(store: RemoteStore, virtuoso: Virtuoso) -> None:
    graph = store.graphs_of.source("big")
    size = virtuoso.max_rows + 500
    store.replace_graph(graph, ((URIRef(f"{EX}s{i}"), P, Literal(i)) for i in range(size)))
    assert store.count(graph) == size
    out = io.BytesIO()
    store.dump(out)
    quads = set(ox.parse(out.getvalue(), ox.RdfFormat.N_QUADS))
    assert len(quads) == size


def test_timeout_stops_the_query_on_the_server(store: RemoteStore) -> None:
    side = " ".join(str(i) for i in range(300))
    patterns = " ".join(f"VALUES ?{v} {{ {side} }}" for v in "abcd")
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ {patterns} }}"
    with pytest.raises(QueryError, match="longer than 0.5 s"):
        store.query(query, timeout=0.5)


def test_federation_and_engine_functions_never_reach_the_server(store: RemoteStore) -> None:
    store.replace_graph(store.graphs_of.private, triples("secret"))
    with pytest.raises(QueryError, match="SERVICE"):
        store.query(f"SELECT ?o WHERE {{ SERVICE <{store.query_url}> {{ ?s ?p ?o }} }}")
    with pytest.raises(QueryError, match="engine function"):
        store.query("SELECT (<bif:exec>('sparql select * where { ?s ?p ?o }') AS ?o) { }")


def test_parameters_reach_filters_inside_optional(store: RemoteStore) -> None:
    label = URIRef(EX + "label")
    store.replace_graph(
        store.graphs_of.source("l"),
        [
            (URIRef(EX + "a"), label, Literal("Zadruga", lang="sr-Latn")),
            (URIRef(EX + "a"), label, Literal("Cooperative", lang="en")),
            (URIRef(EX + "a"), P, Literal("x")),
        ],
    )
    query = (
        "SELECT ?s ?name WHERE { ?s <http://example.org/p> ?o "
        "OPTIONAL { ?s <http://example.org/label> ?name FILTER(langMatches(lang(?name), ?lang)) } }"
    )
    result = store.query(query, bindings={"lang": Literal("en")})
    assert [str(r["name"]) for r in result.rows] == ["Cooperative"]


def test_the_default_graph_is_kept_in_a_graph_of_the_store(store: RemoteStore) -> None:
    store.update(f'INSERT DATA {{ <{EX}d> <{EX}p> "in default" }}')
    assert objects(store, "SELECT ?o WHERE { ?s ?p ?o }") == {"in default"}
    assert store.graphs() == []
    out = io.BytesIO()
    store.dump(out)
    assert out.getvalue().strip() == f'<{EX}d> <{EX}p> "in default" .'.encode()
    store.update("DROP SILENT DEFAULT")
    assert store.count() == 0
    store.restore(io.BytesIO(out.getvalue()))
    assert objects(store, "SELECT ?o WHERE { ?s ?p ?o }") == {"in default"}


def test_terms_come_back_as_they_were_stored(store: RemoteStore) -> None:
    point = Literal("POINT(19.8335 45.2671)", datatype=GEO.wktLiteral)
    blank = BNode()
    graph = store.graphs_of.source("t")
    store.replace_graph(
        graph,
        [
            (URIRef(EX + "a"), GEO.asWKT, point),
            (URIRef(EX + "a"), P, blank),
            (blank, P, Literal("Задруга", lang="sr-Cyrl")),
        ],
    )
    rows = store.query("SELECT ?w WHERE { ?a geo:asWKT ?w }").rows
    assert rows[0]["w"] == point  # not 19.833499908447, the single-precision float
    assert store.query("CONSTRUCT { ?a geo:asWKT ?w } WHERE { ?a geo:asWKT ?w }").graph.value(
        URIRef(EX + "a"), GEO.asWKT
    ) == point  # fmt: skip
    linked = store.query("SELECT ?n WHERE { ?a <http://example.org/p> ?b . ?b ?q ?n }").rows
    assert linked == [{"n": Literal("Задруга", lang="sr-Cyrl")}]


def test_writes_by_sparql_update_where_there_is_no_graph_store(virtuoso: Virtuoso) -> None:
    plain = RemoteStore(virtuoso.url, virtuoso.new_base(), engine="generic")
    assert plain.gsp_url is None
    graph, blanks = plain.graphs_of.source("u"), plain.graphs_of.source("b")
    plain.replace_graph(graph, triples(*(f"v{i}" for i in range(2500))))
    assert plain.count(graph) == 2500
    blank = BNode()
    plain.replace_graph(
        blanks, [(URIRef(EX + "b"), P, blank), (blank, P, Literal("under a blank node"))]
    )
    linked = plain.query("SELECT ?o WHERE { <http://example.org/b> ?p ?b . ?b ?q ?o }").rows
    assert linked == [{"o": Literal("under a blank node")}]


def test_staging_graphs_of_a_dead_load_are_dropped(store: RemoteStore, virtuoso: Virtuoso) -> None:
    stale = f"{STAGING}1:deadbeef"
    store.update(f'INSERT DATA {{ GRAPH <{stale}> {{ <{EX}s> <{EX}p> "left over" }} }}')
    store.replace_graph(store.graphs_of.source("a"), triples("a"))
    assert not raw_select(virtuoso, f"SELECT ?s WHERE {{ GRAPH <{stale}> {{ ?s ?p ?o }} }}")


def test_digest_credentials_and_refusals(
    virtuoso: Virtuoso, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = virtuoso.new_base()
    monkeypatch.setenv("SSEKG_STORE_USER", "dba")
    monkeypatch.setenv("SSEKG_STORE_PASSWORD", virtuoso.password)
    secured = open_store(virtuoso.auth_url, base=base)
    assert isinstance(secured, RemoteStore)
    assert secured.gsp_url is not None and secured.gsp_url.endswith("/sparql-graph-crud-auth")
    secured.replace_graph(secured.graphs_of.source("s"), triples("behind-digest"))
    assert objects(secured, "SELECT ?o WHERE { ?s ?p ?o }") == {"behind-digest"}
    monkeypatch.setenv("SSEKG_STORE_PASSWORD", "wrong")
    with pytest.raises(StoreError) as caught:
        open_store(virtuoso.auth_url, base=base)
    assert "refused access (HTTP 401)" in caught.value.en and "SSEKG_STORE_USER" in caught.value.en
    monkeypatch.delenv("SSEKG_STORE_USER")
    with pytest.raises(StoreError, match="refused access"):
        open_store(virtuoso.auth_url, base=base)
    with pytest.raises(StoreError, match="HTTP 404"):
        open_store(virtuoso.url.replace("/sparql", "/no-such-endpoint"))
