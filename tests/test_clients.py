"""Real SPARQL clients against a live server over the example actor: SPARQLWrapper (JSON, XML,
CSV, CONSTRUCT to Turtle), rdflib's SPARQLStore, a request shaped like YASGUI's, and curl's
(no Accept header at all)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, POST, TURTLE, XML, SPARQLWrapper

from ssekg.loaders.rdf import load_rdf_file
from ssekg.setup import initialise
from ssekg.store import open_store
from tests.sparql_live import Live, live_server

VALID = Path(__file__).parent / "fixtures" / "cli" / "valid.ttl"
ACTOR = "https://w3id.org/ssekg/id/actor/mb/17400169"
NAME = "Zadruga Zlatna Ruka"
PREFIX = "PREFIX ssekg: <https://w3id.org/ssekg/ontology#>\n"
NAMES = PREFIX + "SELECT ?actor ?name WHERE { ?actor a ssekg:Actor ; ssekg:name ?name }"
CONSTRUCT = PREFIX + "CONSTRUCT { ?a ssekg:name ?n ; ssekg:municipality ?m } WHERE " \
    "{ ?a a ssekg:Actor ; ssekg:name ?n ; ssekg:municipality ?m }"  # fmt: skip


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    path = str(tmp_path_factory.mktemp("clients") / "store")
    with open_store(path, create=True) as store:
        initialise(store)
        load_rdf_file(store, VALID)
    with live_server(path) as live:
        yield live


def wrapper(live: Live, query: str, fmt: str) -> SPARQLWrapper:
    client = SPARQLWrapper(live.endpoint)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    return client


def test_sparqlwrapper_json(server: Live) -> None:
    answer = wrapper(server, NAMES, JSON).query().convert()
    assert isinstance(answer, dict)
    rows = answer["results"]["bindings"]
    assert [(r["actor"]["value"], r["name"]["value"], r["name"]["xml:lang"]) for r in rows] == [
        (ACTOR, NAME, "sr-latn")
    ]


def test_sparqlwrapper_json_by_post(server: Live) -> None:
    client = wrapper(server, NAMES, JSON)
    client.setMethod(POST)
    answer = client.query().convert()
    assert isinstance(answer, dict)
    assert answer["results"]["bindings"][0]["name"]["value"] == NAME


def test_sparqlwrapper_xml(server: Live) -> None:
    document = wrapper(server, NAMES, XML).query().convert()
    literals = [n.firstChild.data for n in document.getElementsByTagName("literal")]  # type: ignore[union-attr]
    assert literals == [NAME]


def test_sparqlwrapper_csv(server: Live) -> None:
    data = wrapper(server, NAMES, CSV).query().convert()
    assert isinstance(data, bytes)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert rows == [["actor", "name"], [ACTOR, NAME]]


def test_sparqlwrapper_construct_to_turtle(server: Live) -> None:
    data = wrapper(server, CONSTRUCT, TURTLE).query().convert()
    assert isinstance(data, bytes)
    graph = Graph().parse(data=data.decode("utf-8"), format="turtle")
    assert (URIRef(ACTOR), None, Literal(NAME, lang="sr-Latn")) in graph
    assert len(graph) == 2


def test_sparqlwrapper_reports_a_bad_query(server: Live) -> None:
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    with pytest.raises(QueryBadFormed, match="line 1"):
        wrapper(server, "SELECT ?x WHERE { ?x ", JSON).query()


def test_rdflib_sparqlstore(server: Live) -> None:
    graph = Graph(store=SPARQLStore(server.endpoint, returnFormat="xml"))
    rows = list(graph.query(NAMES))
    assert [(str(r[0]), str(r[1])) for r in rows] == [(ACTOR, NAME)]  # type: ignore[index]
    built = graph.query(CONSTRUCT).graph
    assert built is not None and (URIRef(ACTOR), None, Literal(NAME, lang="sr-Latn")) in built
    json_store = Graph(store=SPARQLStore(server.endpoint, returnFormat="json", method="POST"))
    assert [str(r[1]) for r in json_store.query(NAMES)] == [NAME]  # type: ignore[index]


def test_yasgui_shaped_requests(server: Live) -> None:
    headers = {
        "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
        "Accept": "application/sparql-results+json,*/*;q=0.9",
        "Origin": "https://yasgui.triply.cc",
    }
    status, answer, body = server.request(
        "POST", "/sparql", urlencode({"query": NAMES}).encode(), headers
    )
    assert status == 200
    assert answer["content-type"].startswith("application/sparql-results+json")
    assert answer["access-control-allow-origin"] == "*"
    assert json.loads(body)["results"]["bindings"][0]["name"]["value"] == NAME
    graph_headers = {**headers, "Accept": "application/n-triples,*/*;q=0.9"}
    status, answer, body = server.request(
        "POST", "/sparql", urlencode({"query": CONSTRUCT}).encode(), graph_headers
    )
    assert answer["content-type"].startswith("application/n-triples")
    assert len(Graph().parse(data=body.decode(), format="nt")) == 2


def test_curl_style_without_accept(server: Live) -> None:
    status, answer, body = server.request("GET", "/sparql?" + urlencode({"query": NAMES}))
    assert status == 200
    assert answer["content-type"].startswith("application/sparql-results+json")
    assert json.loads(body)["results"]["bindings"][0]["name"]["value"] == NAME
    # curl --data-urlencode query=... sends a form without Accept
    status, answer, body = server.request(
        "POST",
        "/sparql",
        urlencode({"query": CONSTRUCT}).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer["content-type"].startswith("text/turtle")
    assert len(Graph().parse(data=body.decode(), format="turtle")) == 2
    status, answer, body = server.request("GET", "/sparql")
    assert answer["content-type"].startswith("text/turtle") and b"sd:Service" in body
