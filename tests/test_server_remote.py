"""``ssekg serve`` over a remote store (the session's Virtuoso): the SPARQL endpoint, the
Graph Store, Linked Data, the dataset description and the dump answer as they do over the
embedded store, private graphs stay hidden whatever a query names, and a load by another
client of the same store shows in the description."""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

import ssekg.server.void as void
from ssekg.loaders.rdf import load_rdf_file
from ssekg.namespaces import PLACE, SSEKG
from ssekg.server.app import create_app
from ssekg.setup import initialise
from ssekg.store import open_store
from ssekg.store.base import Store
from tests.sparql_live import live_server
from tests.virtuoso import Virtuoso

VALID = Path(__file__).parent / "fixtures" / "cli" / "valid.ttl"
PERSON = "Milica Primer"  # the contact person in VALID, kept in a private graph
TOKEN = "remote-server-token"
AUTH = {"authorization": f"Bearer {TOKEN}"}
JSON = {"accept": "application/sparql-results+json"}
VOID = Namespace("http://rdfs.org/ns/void#")
MAX_ROWS = 50


@pytest.fixture(scope="module")
def store(virtuoso: Virtuoso) -> Iterator[Store]:
    opened = open_store(virtuoso.url, base=virtuoso.new_base())
    initialise(opened)
    load_rdf_file(opened, VALID)
    base = opened.graphs_of.base
    actor = URIRef(base + "actor/t/1")
    opened.replace_graph(
        opened.graphs_of.source("t"),
        [
            (actor, RDF.type, SSEKG.Actor),
            (actor, SSEKG.name, Literal("Zadruga Daljina", lang="sr-Latn")),
            (actor, SSEKG.municipality, PLACE["vranje"]),
        ],
    )
    with opened:
        yield opened


@pytest.fixture(scope="module")
def client(store: Store) -> Iterator[TestClient]:
    app = create_app(store, update_token=TOKEN, max_rows=MAX_ROWS, timeout=30)
    with TestClient(app) as opened:
        yield opened


def rows(answer: object) -> list[dict[str, dict[str, str]]]:
    assert answer.status_code == 200, answer.text  # type: ignore[attr-defined]
    return list(json.loads(answer.text)["results"]["bindings"])  # type: ignore[attr-defined]


def private_graph(store: Store) -> str:
    return next(g for g in store.graphs() if store.graphs_of.is_private(g))


NAMES = "SELECT ?name WHERE { ?a ssekg:name ?name } ORDER BY ?name"


def test_query_by_get_form_and_direct_post_agree(client: TestClient) -> None:
    by_get = rows(client.get("/sparql", params={"query": NAMES}, headers=JSON))
    by_form = rows(client.post("/sparql", data={"query": NAMES}, headers=JSON))
    direct_post = JSON | {"content-type": "application/sparql-query"}
    direct = client.post("/sparql", content=NAMES.encode(), headers=direct_post)
    assert by_get == by_form == rows(direct)
    assert "Zadruga Daljina" in {row["name"]["value"] for row in by_get}


@pytest.mark.parametrize(
    "accept",
    [
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ],
)
def test_select_in_every_results_format(client: TestClient, accept: str) -> None:
    answer = client.get("/sparql", params={"query": NAMES}, headers={"accept": accept})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(accept)
    assert "Zadruga Daljina" in answer.text


def test_construct_by_content_negotiation(client: TestClient, store: Store) -> None:
    query = "CONSTRUCT { ?a ssekg:name ?n } WHERE { ?a a ssekg:Actor ; ssekg:name ?n }"
    actor = URIRef(store.graphs_of.base + "actor/t/1")
    for media, fmt in [("text/turtle", "turtle"), ("application/ld+json", "json-ld")]:
        answer = client.get("/sparql", params={"query": query}, headers={"accept": media})
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(media)
        graph = Graph().parse(data=answer.text, format=fmt)
        assert (actor, SSEKG.name, Literal("Zadruga Daljina", lang="sr-Latn")) in graph


def test_default_graph_uri_narrows_the_dataset(client: TestClient, store: Store) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    source = store.graphs_of.source("t")
    answer = client.get("/sparql", params={"query": query, "default-graph-uri": source})
    assert rows(answer)[0]["n"]["value"] == "3"


def test_private_graphs_stay_hidden_whatever_the_query_names(
    client: TestClient, store: Store
) -> None:
    private = private_graph(store)
    attempts = [
        ("SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } }", {}),
        ("SELECT ?o WHERE { ?s ?p ?o }", {}),
        (f"SELECT ?o WHERE {{ GRAPH <{private}> {{ ?s ?p ?o }} }}", {}),
        (f"SELECT ?o FROM <{private}> WHERE {{ ?s ?p ?o }}", {}),
        (f"SELECT ?g ?o FROM NAMED <{private}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", {}),
        ("SELECT ?o WHERE { ?s ?p ?o }", {"default-graph-uri": private}),
        ("SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } }", {"named-graph-uri": private}),
        ("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", {}),
        ("DESCRIBE <https://w3id.org/ssekg/id/actor/mb/17400169/person/1>", {}),
        ("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }", {}),
    ]
    for query, params in attempts:
        answer = client.get("/sparql", params={"query": query, **params})
        assert answer.status_code in (200, 400), (query, answer.text)
        assert PERSON not in answer.text, query
        assert "graph/private" not in answer.text, query
    # With the token, the owner reads them.
    owner = client.get(
        "/sparql",
        params={"query": f"SELECT ?o WHERE {{ GRAPH <{private}> {{ ?s ?p ?o }} }}"},
        headers=AUTH,
    )
    assert PERSON in owner.text


def test_service_calls_are_refused(client: TestClient) -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
    answer = client.get("/sparql", params={"query": query})
    assert answer.status_code == 400 and "SERVICE" in answer.text


def test_updates_with_the_token_and_a_using_graph(client: TestClient, store: Store) -> None:
    graph = store.graphs_of.source("upd")
    insert = f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:x:a> <urn:x:p> 'one' }} }}"
    headers = {"content-type": "application/sparql-update"}
    assert client.post("/sparql", content=insert.encode(), headers=headers).status_code == 401
    written = client.post("/sparql", content=insert.encode(), headers=headers | AUTH)
    assert written.status_code == 204
    copy = f"INSERT {{ GRAPH <{graph}> {{ ?s <urn:x:q> ?o }} }} WHERE {{ ?s <urn:x:p> ?o }}"
    answer = client.post("/sparql", data={"update": copy, "using-graph-uri": graph}, headers=AUTH)
    assert answer.status_code == 204, answer.text
    found = rows(client.get("/sparql", params={"query": "SELECT ?o { <urn:x:a> <urn:x:q> ?o }"}))
    assert [row["o"]["value"] for row in found] == ["one"]


def test_a_query_past_its_timeout_is_stopped_with_503(client: TestClient) -> None:
    side = " ".join(str(i) for i in range(300))
    patterns = " ".join(f"VALUES ?{v} {{ {side} }}" for v in "abcd")
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ {patterns} }}"
    answer = client.get("/sparql", params={"query": query, "timeout": "1"})
    assert answer.status_code == 503
    assert "1 s" in answer.text and "stopped" in answer.text


def test_answers_past_the_row_limit_say_so(client: TestClient) -> None:
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 200"
    answer = client.get("/sparql", params={"query": query}, headers={"accept": "text/csv"})
    assert answer.status_code == 200
    assert answer.headers["x-sparql-maxrows"] == str(MAX_ROWS)
    assert len(list(csv.reader(io.StringIO(answer.text)))) == MAX_ROWS + 1


def test_the_graph_store_gives_the_spec_status_codes(client: TestClient, store: Store) -> None:
    url = "/store?graph=" + store.graphs_of.source("gsp")
    turtle = {"content-type": "text/turtle"}
    document = b"<urn:x:a> <urn:x:p> <urn:x:b> ."
    assert client.put(url, content=document, headers=turtle).status_code == 401
    assert client.get(url).status_code == 404
    assert client.head(url).status_code == 404
    assert client.put(url, content=document, headers=turtle | AUTH).status_code == 201
    got = client.get(url, headers={"accept": "application/n-triples"})
    assert got.status_code == 200 and "<urn:x:b>" in got.text
    assert client.head(url).status_code == 200
    assert client.put(url, content=document, headers=turtle | AUTH).status_code == 204
    assert client.delete(url, headers=AUTH).status_code == 204
    assert client.get(url).status_code == 404
    assert client.delete(url, headers=AUTH).status_code == 404


def test_linked_data_pages_and_rdf(client: TestClient, store: Store) -> None:
    browser = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    page = client.get("/id/actor/t/1", headers=browser)
    assert page.status_code == 200 and "<h1>Zadruga Daljina</h1>" in page.text
    assert '<a href="/place/vranje">Vranje</a>' in page.text
    turtle = client.get("/id/actor/t/1", headers={"accept": "text/turtle"})
    actor = URIRef(store.graphs_of.base + "actor/t/1")
    assert (actor, RDF.type, SSEKG.Actor) in Graph().parse(data=turtle.text, format="turtle")
    document = client.get("/id/actor/t/1", headers={"accept": "application/ld+json"}).json()
    assert document["@context"]["ssekg"] == str(SSEKG)
    place = client.get("/place/vranje", headers=browser)
    assert place.status_code == 200 and "<svg" in place.text and 'class="point"' in place.text


def test_the_description_is_kept_and_follows_a_load_by_another_client(
    client: TestClient, store: Store, virtuoso: Virtuoso, monkeypatch: pytest.MonkeyPatch
) -> None:
    dataset = URIRef(store.graphs_of.base + "dataset")

    def triples() -> int:
        answer = client.get("/.well-known/void", headers={"accept": "text/turtle"})
        assert answer.status_code == 200
        graph = Graph().parse(data=answer.text, format="turtle")
        return int(graph.value(dataset, VOID.triples))  # type: ignore[arg-type]

    computed = []
    original = void.compute_stats
    monkeypatch.setattr(void, "compute_stats", lambda s: computed.append(1) or original(s))
    before = triples()
    assert triples() == before
    assert len(computed) <= 1  # asked twice, computed at most once
    # Another process loads into the same store (as `ssekg load --store URL` does).
    with open_store(virtuoso.url, base=store.graphs_of.base) as other:
        load_rdf_file(other, VALID, source_id="again")
    assert triples() > before


def test_the_dump_has_the_public_graphs_only(client: TestClient, store: Store) -> None:
    answer = client.get("/dump")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/gzip"
    quads = list(ox.parse(gzip.decompress(answer.content), ox.RdfFormat.N_QUADS))
    graphs = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    assert store.graphs_of.source("t") in graphs and store.graphs_of.reference in graphs
    assert not any(store.graphs_of.is_private(g) for g in graphs)
    assert PERSON not in gzip.decompress(answer.content).decode()


def test_ssekg_serve_runs_on_the_remote_store(
    store: Store, virtuoso: Virtuoso, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSEKG_BASE_IRI", store.graphs_of.base)
    with live_server(virtuoso.url, token=None) as live:
        answer = json.loads(live.query(NAMES))
        assert "Zadruga Daljina" in {row["name"]["value"] for row in answer["results"]["bindings"]}
        status, _, body = live.request(
            "POST",
            "/sparql",
            b"CLEAR ALL",
            {"Content-Type": "application/sparql-update"},
        )
        assert status == 403 and b"read-only" in body
