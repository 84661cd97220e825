"""The W3C SPARQL 1.1 Protocol tests (``protocol/manifest.ttl``, 34 tests), sent as raw HTTP
to a live server, once over an in-memory store and once over an on-disk one.

Each test's requests go out in order with exactly the manifest's method, path (``/sparql/``
becomes ``/sparql``), headers and body in its declared encoding; the harness adds only
``Authorization: Bearer <token>``, as the owner of the data would. The named graphs a test
lists (``ut:graphData``) are loaded first, through the endpoint's own update."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection

from tests.conftest import SHARED
from tests.sparql_live import Live, live_server

PROTOCOL = SHARED / "conformance" / "w3c-sparql11" / "protocol"
MANIFEST = PROTOCOL / "manifest.ttl"
pytestmark = pytest.mark.skipif(
    not MANIFEST.exists(), reason=f"the W3C protocol tests are not at {PROTOCOL}"
)

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")

RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    "text/csv": None,
}
RDF_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
}


@dataclass
class Step:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[str]  # "2xx", "3xx", "4xx"
    expected_format: str | None
    expected_boolean: bool | None


@dataclass
class ProtocolTest:
    name: str
    steps: list[Step]
    graphs: dict[str, Path] = field(default_factory=dict)


def _list(graph: Graph, head: object) -> list[object]:
    return list(Collection(graph, head))  # type: ignore[arg-type]


def read_manifest() -> list[ProtocolTest]:
    graph = Graph().parse(MANIFEST, format="turtle", publicID=MANIFEST.as_uri())
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    tests = []
    for entry in _list(graph, graph.value(manifest, MF.entries)):
        name = str(entry).rsplit("#", 1)[1]
        graphs = {}
        for data in graph.objects(entry, UT.graphData):  # type: ignore[arg-type]
            file = graph.value(data, UT.graph)
            graphs[str(graph.value(data, RDFS_LABEL))] = Path(str(file).removeprefix("file://"))
        action = graph.value(entry, MF.action)  # type: ignore[arg-type]
        steps = []
        for request in _list(graph, graph.value(action, HT.requests)):
            headers = {}
            header_list = graph.value(request, HT.headers)  # type: ignore[arg-type]
            if header_list is not None:
                for header in _list(graph, header_list):
                    key = str(graph.value(header, HT.fieldName))  # type: ignore[arg-type]
                    headers[key] = str(graph.value(header, HT.fieldValue))  # type: ignore[arg-type]
            body = None
            content = graph.value(request, HT.body)  # type: ignore[arg-type]
            if content is not None:
                encoding = str(graph.value(content, CNT.characterEncoding) or "UTF-8")
                body = str(graph.value(content, CNT.chars)).encode(encoding.lower())
            response = graph.value(request, HT.resp)  # type: ignore[arg-type]
            statuses = {
                str(s).rsplit("StatusCode", 1)[1]
                for s in graph.objects(response, MF.expectedStatus)
            }
            boolean = graph.value(response, MF.expectedBoolean)
            fmt = graph.value(response, MF.expectedFormat)
            path = str(graph.value(request, HT.absolutePath))
            steps.append(
                Step(
                    method=str(graph.value(request, HT.methodName)),  # type: ignore[arg-type]
                    path="/sparql" + path.removeprefix("/sparql/"),
                    headers=headers,
                    body=body,
                    statuses=statuses,
                    expected_format=str(fmt) if fmt is not None else None,
                    expected_boolean=boolean.toPython() if isinstance(boolean, Literal) else None,
                )
            )
        tests.append(ProtocolTest(name, steps, graphs))
    return tests


TESTS = read_manifest() if MANIFEST.exists() else []


def test_the_manifest_has_all_34_tests() -> None:
    assert len(TESTS) == 34
    assert all(t.steps for t in TESTS)


@pytest.fixture(scope="module", params=["memory", "disk"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    if request.param == "memory":
        spec = "memory"
    else:
        from ssekg.store import open_store

        path = tmp_path_factory.mktemp("w3c") / "store"
        open_store(str(path), create=True).close()
        spec = str(path)
    with live_server(spec) as live:
        yield live


def load_graphs(live: Live, graphs: dict[str, Path]) -> None:
    for name, file in graphs.items():
        data = file.read_text(encoding="utf-8")
        live.update(f"DROP SILENT GRAPH <{name}> ; INSERT DATA {{ GRAPH <{name}> {{ {data} }} }}")


def check(step: Step, status: int, headers: dict[str, str], body: bytes) -> None:
    family = f"{status // 100}xx"
    assert family in step.statuses, (status, body[:300])
    if step.expected_format is None:
        return
    media = headers.get("content-type", "").split(";")[0].strip()
    if step.expected_format in ("boolean", "tabular"):
        assert media in RESULT_TYPES, media
        fmt = RESULT_TYPES[media]
        if fmt is None:
            assert step.expected_format == "tabular" and body.decode("utf-8")
            return
        parsed = ox.parse_query_results(body, fmt)
        if step.expected_format == "boolean":
            assert isinstance(parsed, ox.QueryBoolean)
            if step.expected_boolean is not None:
                assert bool(parsed) is step.expected_boolean
        else:
            assert isinstance(parsed, ox.QuerySolutions)
            list(parsed)
    else:
        assert media in RDF_TYPES, media
        list(ox.parse(body, RDF_TYPES[media]))


@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_w3c_protocol(server: Live, test: ProtocolTest) -> None:
    load_graphs(server, {name: PROTOCOL / file.name for name, file in test.graphs.items()})
    for step in test.steps:
        headers = {**step.headers, "Authorization": f"Bearer {server.token}"}
        status, answer_headers, body = server.request(step.method, step.path, step.body, headers)
        check(step, status, answer_headers, body)
