"""The Graph Store HTTP Protocol at /store: the W3C tests for indirect graph identification,
and what a user of a store with public and private graphs notices."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from ssekg.namespaces import SSEKG
from ssekg.server.app import create_app
from ssekg.setup import load_examples
from ssekg.store import open_store
from tests.conftest import SHARED

TOKEN = "gsp-token"
AUTH = {"authorization": f"Bearer {TOKEN}"}
TURTLE = {"content-type": "text/turtle"}
GSP_TESTS = SHARED / "conformance" / "w3c-sparql11" / "graph-store-protocol"
MANIFEST = GSP_TESTS / "manifest-indirect.ttl"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
STATUS = {status.phrase.replace(" ", "").replace("-", ""): int(status) for status in HTTPStatus}


def manifest_tests() -> list[tuple[str, Graph, URIRef]]:
    if not MANIFEST.is_file():
        return []
    graph = Graph().parse(MANIFEST, format="turtle")
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    entries = Collection(graph, next(graph.objects(manifest, MF.entries)))
    return [(str(e).rsplit("#", 1)[-1], graph, URIRef(e)) for e in entries]


def _expected_statuses(graph: Graph, response: URIRef) -> set[int]:
    codes = set()
    for status in graph.objects(response, MF.expectedStatus):
        name = str(status).rsplit("#", 1)[-1]
        if name.startswith("StatusCode") and name.endswith("xx"):
            first = int(name[len("StatusCode")])
            codes |= set(range(first * 100, first * 100 + 100))
        else:
            codes.add(STATUS[name])
    return codes


def _headers(graph: Graph, node: URIRef) -> dict[str, str]:
    found: dict[str, str] = {}
    for headers in graph.objects(node, HT.headers):
        for header in Collection(graph, headers):
            found[str(graph.value(header, HT.fieldName)).lower()] = str(
                graph.value(header, HT.fieldValue)
            )
    return found


def _body(graph: Graph, node: URIRef) -> bytes | None:
    body = graph.value(node, HT.body)
    if body is None:
        return None
    encoding = str(graph.value(body, CNT.characterEncoding) or "UTF-8")
    return str(graph.value(body, CNT.chars)).encode(encoding)


@pytest.mark.skipif(not MANIFEST.is_file(), reason=f"the W3C GSP tests are not at {MANIFEST}")
@pytest.mark.parametrize(
    ("name", "graph", "test"), manifest_tests(), ids=[t[0] for t in manifest_tests()]
)
def test_w3c_indirect_graph_identification(name: str, graph: Graph, test: URIRef) -> None:
    """Each W3C test on a fresh store, its requests in order; "/gsp" becomes "/store", and
    writes carry the server's token (the tests assume an open store)."""
    store = open_store("memory", create=True)
    action = graph.value(test, MF.action)
    authority = str(graph.value(action, HT.connectionAuthority))
    client = TestClient(create_app(store, update_token=TOKEN), base_url=f"http://{authority}")
    location: str | None = None
    for step, request in enumerate(Collection(graph, graph.value(action, HT.requests))):
        method = str(graph.value(request, HT.methodName))
        path = str(graph.value(request, HT.absolutePath))
        body = _body(graph, request)
        if location is not None:
            path = path.replace("$LOCATION$", location)
            body = body.replace(b"$LOCATION$", location.encode()) if body else body
        assert path.startswith("/gsp")
        path = "/store" + path[len("/gsp") :]
        headers = _headers(graph, request) | AUTH
        answer = client.request(method, path, headers=headers, content=body)
        expected = graph.value(request, HT.resp)
        where = f"{name}, request {step + 1} ({method} {path})"
        assert answer.status_code in _expected_statuses(graph, expected), (where, answer.text)
        if graph.value(expected, MF.expectedLocation) is not None:
            location = answer.headers["location"]
        want_headers = _headers(graph, expected)
        if "content-type" in want_headers:
            got = answer.headers["content-type"].replace(" ", "").lower()
            assert got == want_headers["content-type"].replace(" ", "").lower(), where
        want_body = _body(graph, expected)
        if want_body is not None:
            want = Graph().parse(data=want_body, format="turtle")
            got_graph = Graph().parse(data=answer.content, format="turtle")
            assert isomorphic(got_graph, want), where


# -- a store with the example data ------------------------------------------------------------


@pytest.fixture(scope="module")
def examples() -> TestClient:
    store = open_store("memory", create=True)
    load_examples(store)
    return TestClient(create_app(store, update_token=TOKEN))


@pytest.fixture
def empty() -> TestClient:
    return TestClient(create_app(open_store("memory", create=True), update_token=TOKEN))


SOURCE = "https://w3id.org/ssekg/id/graph/source/examples"
PRIVATE = "https://w3id.org/ssekg/id/graph/private/source/examples"
DOC = b"<urn:x:s> <urn:x:p> <urn:x:o> ."


def test_reads_a_public_graph_in_every_format(examples: TestClient) -> None:
    turtle = examples.get("/store", params={"graph": SOURCE})
    assert turtle.status_code == 200
    assert turtle.headers["content-type"].startswith("text/turtle")
    reference = Graph().parse(data=turtle.text, format="turtle")
    assert len(set(reference.subjects(RDF.type, SSEKG.Actor))) > 0
    for media, fmt in [
        ("application/ld+json", "json-ld"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
    ]:
        answer = examples.get("/store", params={"graph": SOURCE}, headers={"accept": media})
        assert answer.headers["content-type"].startswith(media)
        assert isomorphic(Graph().parse(data=answer.content, format=fmt), reference), media
    refused = examples.get("/store", params={"graph": SOURCE}, headers={"accept": "image/png"})
    assert refused.status_code == 406


def test_private_graphs_need_the_token(examples: TestClient) -> None:
    anonymous = examples.get("/store", params={"graph": PRIVATE})
    assert anonymous.status_code == 401
    assert "contactPerson" not in anonymous.text
    assert examples.head("/store", params={"graph": PRIVATE}).status_code == 401
    trusted = examples.get("/store", params={"graph": PRIVATE}, headers=AUTH)
    assert trusted.status_code == 200
    graph = Graph().parse(data=trusted.text, format="turtle")
    assert any(graph.triples((None, SSEKG.contactPerson, None)))
    # The default graph is read without the private triples too.
    default = examples.get("/store?default")
    assert "contactPerson" not in default.text


def test_writes_need_the_token(empty: TestClient) -> None:
    url = "/store?graph=urn:x:g"
    assert empty.put(url, content=DOC, headers=TURTLE).status_code == 401
    wrong = TURTLE | {"authorization": "Bearer guess"}
    assert empty.put(url, content=DOC, headers=wrong).status_code == 401
    assert empty.delete(url).status_code == 401
    assert empty.get(url).status_code == 404  # nothing was written
    readonly = TestClient(create_app(open_store("memory", create=True)))
    assert readonly.put(url, content=DOC, headers=TURTLE | AUTH).status_code == 403


def test_put_creates_then_replaces_and_post_merges(empty: TestClient) -> None:
    url = "/store?graph=urn:x:g"
    assert empty.put(url, content=DOC, headers=TURTLE | AUTH).status_code == 201
    other = b"<urn:x:s> <urn:x:p> <urn:x:other> ."
    assert empty.put(url, content=other, headers=TURTLE | AUTH).status_code == 204
    graph = Graph().parse(data=empty.get(url).text, format="turtle")
    assert set(graph.objects()) == {URIRef("urn:x:other")}
    nt = {"content-type": "application/n-triples"}
    assert empty.post(url, content=DOC, headers=nt | AUTH).status_code == 204
    graph = Graph().parse(data=empty.get(url).text, format="turtle")
    assert set(graph.objects()) == {URIRef("urn:x:other"), URIRef("urn:x:o")}
    # SPARQL sees what the graph store wrote.
    ask = empty.get("/sparql", params={"query": "ASK { GRAPH <urn:x:g> { ?s ?p <urn:x:o> } }"})
    assert ask.json()["boolean"] is True


def test_delete_and_missing_graphs(empty: TestClient) -> None:
    url = "/store?graph=urn:x:gone"
    assert empty.get(url).status_code == 404
    assert empty.head(url).status_code == 404
    assert empty.delete(url, headers=AUTH).status_code == 404
    empty.put(url, content=DOC, headers=TURTLE | AUTH)
    assert empty.delete(url, headers=AUTH).status_code == 204
    assert empty.get(url).status_code == 404


def test_an_empty_put_leaves_an_empty_graph(empty: TestClient) -> None:
    url = "/store?graph=urn:x:empty"
    assert empty.put(url, content=b"", headers=TURTLE | AUTH).status_code == 201
    answer = empty.get(url)
    assert answer.status_code == 200
    assert len(Graph().parse(data=answer.text, format="turtle")) == 0


def test_the_default_graph_is_separate_from_named_graphs(empty: TestClient) -> None:
    empty.put("/store?graph=urn:x:named", content=DOC, headers=TURTLE | AUTH)
    alice = b'<urn:x:alice> <urn:x:name> "Alice" .'
    assert empty.put("/store?default", content=alice, headers=TURTLE | AUTH).status_code == 204
    default = Graph().parse(data=empty.get("/store?default").text, format="turtle")
    assert set(default.subjects()) == {URIRef("urn:x:alice")}
    assert empty.delete("/store?default", headers=AUTH).status_code == 204
    assert len(Graph().parse(data=empty.get("/store?default").text, format="turtle")) == 0
    named = Graph().parse(data=empty.get("/store?graph=urn:x:named").text, format="turtle")
    assert len(named) == 1


def test_bad_input_is_explained(empty: TestClient) -> None:
    bad = empty.put(
        "/store?graph=urn:x:g", content=b"<urn:x:s> <urn:x:p> .\n", headers=TURTLE | AUTH
    )
    assert bad.status_code == 400
    assert "line 1" in bad.text and "redu 1" in bad.text
    assert empty.get("/store?graph=urn:x:g").status_code == 404  # nothing half-written
    csv = empty.put(
        "/store?graph=urn:x:g", content=b"a,b\n", headers={"content-type": "text/csv"} | AUTH
    )
    assert csv.status_code == 415
    assert "text/turtle" in csv.text
    assert empty.get("/store?graph=not%20an%20iri").status_code == 400
    assert empty.get("/store?graph=relative/path").status_code == 400
    assert empty.get("/store?graph=urn:x:g&default").status_code == 400
    assert empty.get("/store").status_code == 400


def test_post_to_the_store_names_a_new_graph(empty: TestClient) -> None:
    created = empty.post("/store", content=DOC, headers=TURTLE | AUTH)
    assert created.status_code == 201
    location = created.headers["location"]
    assert location.startswith("https://w3id.org/ssekg/id/graph/")
    again = empty.get("/store", params={"graph": location})
    assert len(Graph().parse(data=again.text, format="turtle")) == 1
