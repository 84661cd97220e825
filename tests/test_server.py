"""The minimal SPARQL endpoint: the protocol as clients use it."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph

from ssekg.loaders.rdf import load_rdf_file
from ssekg.server.app import create_app
from ssekg.setup import initialise
from ssekg.store import open_store

TOKEN = "s3cret"
NAMES = "SELECT ?name WHERE { ?a a ssekg:Actor ; ssekg:name ?name }"


@pytest.fixture(scope="module")
def client() -> TestClient:
    store = open_store("memory", create=True)
    initialise(store)
    load_rdf_file(store, Path(__file__).parent / "fixtures" / "cli" / "valid.ttl")
    return TestClient(create_app(store, update_token=TOKEN))


def names(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [b["name"]["value"] for b in response.json()["results"]["bindings"]]


def test_get_query_returns_json_results(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": NAMES})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    assert names(response) == ["Zadruga Zlatna Ruka"]


def test_post_form_and_direct_query(client: TestClient) -> None:
    form = client.post("/sparql", data={"query": NAMES})
    direct = client.post(
        "/sparql", content=NAMES.encode(), headers={"content-type": "application/sparql-query"}
    )
    assert names(form) == names(direct) == ["Zadruga Zlatna Ruka"]


def test_content_negotiation(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": NAMES}, headers={"accept": "text/csv"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["name"]
    construct = client.get(
        "/sparql",
        params={"query": "CONSTRUCT { ?a ssekg:name ?n } WHERE { ?a ssekg:name ?n }"},
        headers={"accept": "text/turtle"},
    )
    assert construct.status_code == 200
    assert len(Graph().parse(data=construct.text, format="turtle")) == 1
    refused = client.get("/sparql", params={"query": NAMES}, headers={"accept": "image/png"})
    assert refused.status_code == 406


def test_bad_query_is_a_400_with_a_sentence(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT WHERE {"})
    assert response.status_code == 400
    assert response.text.strip()


def test_private_data_never_reaches_the_endpoint(client: TestClient) -> None:
    query = "SELECT ?p WHERE { GRAPH ?g { ?a ssekg:contactPerson ?p } }"
    assert client.get("/sparql", params={"query": query}).json()["results"]["bindings"] == []


def test_updates_need_the_token(client: TestClient) -> None:
    update = 'INSERT DATA { GRAPH <urn:x:g> { <urn:x:s> <urn:x:p> "v" } }'
    headers = {"content-type": "application/sparql-update"}
    assert client.post("/sparql", content=update, headers=headers).status_code == 401
    wrong = {**headers, "authorization": "Bearer nope"}
    assert client.post("/sparql", content=update, headers=wrong).status_code == 401
    right = {**headers, "authorization": f"Bearer {TOKEN}"}
    assert client.post("/sparql", content=update, headers=right).status_code == 204
    ask = client.get("/sparql", params={"query": "ASK { <urn:x:s> <urn:x:p> ?v }"})
    assert ask.json()["boolean"] is True


def test_read_only_without_a_token() -> None:
    store = open_store("memory", create=True)
    readonly = TestClient(create_app(store))
    response = readonly.post("/sparql", data={"update": "CLEAR ALL"})
    assert response.status_code == 403


def test_service_description_and_health(client: TestClient) -> None:
    response = client.get("/sparql", headers={"accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    assert any("endpoint" in str(p) for p in graph.predicates())
    assert client.get("/health").json()["status"] == "ok"


def test_wrong_content_type_is_415(client: TestClient) -> None:
    response = client.post("/sparql", content=b"x", headers={"content-type": "text/plain"})
    assert response.status_code == 415
