"""The dataset's description (/.well-known/void) and its dump (/dump): figures that match
the data, kept up to date when the store changes, and no personal data in the dump."""

from __future__ import annotations

import gzip
import io

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SKOS

from ssekg.namespaces import SCHEMA, SSEKG
from ssekg.reference import reference_graph
from ssekg.server.app import create_app
from ssekg.server.void import refresh_void, stream_dump, void_stats
from ssekg.setup import EXAMPLES, load_examples
from ssekg.store import open_store
from ssekg.store.base import Store

VOID = Namespace("http://rdfs.org/ns/void#")
TOKEN = "void-token"
DATASET = URIRef("https://w3id.org/ssekg/id/dataset")


@pytest.fixture(scope="module")
def store() -> Store:
    store = open_store("memory", create=True)
    load_examples(store)
    return store


@pytest.fixture(scope="module")
def client(store: Store) -> TestClient:
    return TestClient(create_app(store, update_token=TOKEN))


def description(client: TestClient) -> Graph:
    answer = client.get("/.well-known/void", headers={"accept": "text/turtle"})
    assert answer.status_code == 200
    return Graph().parse(data=answer.text, format="turtle")


def dump_quads(client: TestClient) -> list[ox.Quad]:
    answer = client.get("/dump")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/gzip"
    assert ".nq.gz" in answer.headers["content-disposition"]
    return list(ox.parse(gzip.decompress(answer.content), ox.RdfFormat.N_QUADS))


def partition(graph: Graph, kind: URIRef, key: URIRef, term: URIRef, count: URIRef) -> int:
    for node in graph.objects(DATASET, kind):
        if graph.value(node, key) == term:
            return int(graph.value(node, count))  # type: ignore[arg-type]
    raise AssertionError(f"no partition for {term}")


def test_the_figures_match_the_public_data(client: TestClient) -> None:
    void = description(client)
    assert (DATASET, RDF.type, VOID.Dataset) in void
    assert (DATASET, RDF.type, DCAT.Dataset) in void
    quads = dump_quads(client)
    distinct = {(q.subject, q.predicate, q.object) for q in quads}
    assert int(void.value(DATASET, VOID.triples)) == len(distinct)  # type: ignore[arg-type]
    examples = Graph().parse(EXAMPLES / "ssekg-examples.ttl")
    actors = len(set(examples.subjects(RDF.type, SSEKG.Actor)))
    assert partition(void, VOID.classPartition, VOID["class"], SSEKG.Actor, VOID.entities) == (
        actors
    )
    names = len(list(examples.triples((None, SSEKG.name, None))))
    assert partition(void, VOID.propertyPartition, VOID.property, SSEKG.name, VOID.triples) == (
        names
    )
    # Nothing of the private graph is counted.
    properties = {
        void.value(n, VOID.property) for n in void.objects(DATASET, VOID.propertyPartition)
    }
    assert SSEKG.contactPerson not in properties
    subsets = {str(s) for s in void.objects(DATASET, VOID.subset)}
    assert not any("/graph/private" in s for s in subsets)


def test_linksets_count_links_to_other_datasets(client: TestClient) -> None:
    void = description(client)
    namespace = "http://purl.org/essglobal/standard/legal-form/"
    expected = sum(
        1 for o in reference_graph().objects(None, SKOS.closeMatch) if str(o).startswith(namespace)
    )
    assert expected > 0
    found = []
    for linkset in void.subjects(RDF.type, VOID.Linkset):
        target = void.value(linkset, VOID.objectsTarget)
        if void.value(linkset, VOID.linkPredicate) == SKOS.closeMatch and void.value(
            target, VOID.uriSpace
        ) == Literal(namespace):
            found.append(int(void.value(linkset, VOID.triples)))  # type: ignore[arg-type]
    assert found == [expected]


def test_licence_dump_and_endpoint_are_described(client: TestClient) -> None:
    void = description(client)
    assert void.value(DATASET, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert void.value(DATASET, VOID.sparqlEndpoint) == URIRef("http://testserver/sparql")
    assert void.value(DATASET, VOID.dataDump) == URIRef("http://testserver/dump")
    downloads = {void.value(d, DCAT.downloadURL) for d in void.objects(DATASET, DCAT.distribution)}
    assert URIRef("http://testserver/dump") in downloads
    services = set(void.subjects(RDF.type, DCAT.DataService))
    assert {void.value(s, DCAT.endpointURL) for s in services} == {
        URIRef("http://testserver/sparql")
    }


def test_json_ld_and_html(client: TestClient) -> None:
    answer = client.get("/.well-known/void", headers={"accept": "application/ld+json"})
    assert answer.headers["content-type"].startswith("application/ld+json")
    assert len(Graph().parse(data=answer.text, format="json-ld")) == len(description(client))
    page = client.get("/.well-known/void", headers={"accept": "text/html"}, params={"lang": "en"})
    assert page.headers["content-type"].startswith("text/html")
    assert "Links to other datasets" in page.text
    assert "http://purl.org/essglobal/standard/legal-form/" in page.text


def test_the_description_follows_changes_to_the_store() -> None:
    store = open_store("memory", create=True)
    client = TestClient(create_app(store, update_token=TOKEN))
    empty = int(description(client).value(DATASET, VOID.triples))  # type: ignore[arg-type]
    assert empty == 0
    # A write through the graph store is seen at once.
    put = client.put(
        "/store?graph=urn:x:g",
        content=b"<urn:x:a> <urn:x:p> <urn:x:b> , <urn:x:c> .",
        headers={"content-type": "text/turtle", "authorization": f"Bearer {TOKEN}"},
    )
    assert put.status_code == 201
    assert int(description(client).value(DATASET, VOID.triples)) == 2  # type: ignore[arg-type]
    # So is a SPARQL update.
    update = client.post(
        "/sparql",
        content=b"INSERT DATA { GRAPH <urn:x:g> { <urn:x:a> <urn:x:p> <urn:x:d> } }",
        headers={
            "content-type": "application/sparql-update",
            "authorization": f"Bearer {TOKEN}",
        },
    )
    assert update.status_code == 204
    assert int(description(client).value(DATASET, VOID.triples)) == 3  # type: ignore[arg-type]
    # A load into a new graph changes the fingerprint; loaders may also refresh directly.
    load_examples(store)
    assert void_stats(store).triples > 3
    store.add_quads([(URIRef("urn:x:a"), URIRef("urn:x:p"), URIRef("urn:x:e"), "urn:x:g")])
    before = void_stats(store).triples
    assert refresh_void(store).triples == before + 1


def test_the_dump_has_no_personal_data(client: TestClient, store: Store) -> None:
    quads = dump_quads(client)
    graphs = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    assert graphs
    assert not any(store.graphs_of.is_private(g) for g in graphs)
    private = Graph().parse(EXAMPLES / "ssekg-examples-private.ttl")
    people = set(private.subjects(RDF.type, SCHEMA.Person))
    assert people
    secrets = {str(o) for p in people for o in private.objects(p, SCHEMA.name)}
    secrets |= {str(o) for p in people for o in private.objects(p, SCHEMA.email)}
    terms = {t.value for q in quads for t in (q.subject, q.object) if hasattr(t, "value")}
    assert not terms & ({str(p) for p in people} | secrets)
    assert not any(q.predicate.value == str(SSEKG.contactPerson) for q in quads)
    # Every public graph is there, whole.
    for graph in graphs:
        assert sum(1 for q in quads if q.graph_name.value == graph) == store.count(graph)


def test_the_dump_is_streamed_in_chunks(store: Store) -> None:
    chunks = list(stream_dump(store, chunk_size=4096))
    assert len(chunks) > 3
    data = gzip.GzipFile(fileobj=io.BytesIO(b"".join(chunks))).read()
    expected = io.BytesIO()
    store.dump(expected)
    assert data == expected.getvalue()
