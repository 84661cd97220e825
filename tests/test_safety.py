"""What keeps the endpoint safe to open to anyone: queries past their time limit are killed
and free the CPU while other clients are served, answers are cut at the row limit with a
signal, big bodies are refused, private graphs stay hidden whatever a query names, remote
SERVICE calls are not made, and other sites may read (never write) through CORS."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from ssekg.loaders.rdf import load_rdf_file
from ssekg.server.app import create_app
from ssekg.store import open_store
from tests.sparql_live import Live, cpu_seconds, live_server

VALID = Path(__file__).parent / "fixtures" / "cli" / "valid.ttl"
TOKEN = "safety-token"
#: Four-way cross product of a few hundred triples: billions of rows to count.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
QUICK = "SELECT ?s WHERE { ?s a <urn:x:Thing> } LIMIT 3"


def filler(n: int) -> str:
    triples = " ".join(f"<urn:x:s{i}> a <urn:x:Thing> ; <urn:x:n> {i} ." for i in range(n))
    return (
        f"INSERT DATA {{ GRAPH <https://w3id.org/ssekg/id/graph/source/filler> {{ {triples} }} }}"
    )


@pytest.fixture(scope="module", params=["memory", "disk"])
def busy_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    spec = "memory"
    if request.param == "disk":
        spec = str(tmp_path_factory.mktemp("safety") / "store")
        open_store(spec, create=True).close()
    with live_server(spec, token=TOKEN, args=("--workers", "2", "--timeout", "30")) as live:
        live.update(filler(150))
        yield live


def get(live: Live, query: str, **params: str) -> tuple[int, dict[str, str], bytes]:
    return live.request("GET", "/sparql?" + urlencode({"query": query, **params}))


def test_a_query_past_its_timeout_is_killed_and_others_are_served(busy_server: Live) -> None:
    outcome: dict[str, object] = {}

    def slow() -> None:
        started = time.monotonic()
        outcome["answer"] = get(busy_server, ENDLESS, timeout="2")
        outcome["seconds"] = time.monotonic() - started

    baseline = {pid: cpu_seconds(pid) or 0.0 for pid in busy_server.children()}
    thread = threading.Thread(target=slow)
    thread.start()
    # While the slow query runs: follow the CPU each server process spends on it (a process
    # forked for the query starts from nothing), and ask quick queries, which are answered
    # before the slow one ends.
    spent: dict[int, float] = {}
    served_meanwhile = 0
    while thread.is_alive():
        for pid in busy_server.children():
            cpu = cpu_seconds(pid)
            if cpu is not None:
                spent[pid] = cpu - baseline.get(pid, 0.0)
        status, _, body = get(busy_server, QUICK)
        assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 3
        served_meanwhile += thread.is_alive()
    thread.join(30)
    assert served_meanwhile, "no quick query was answered while the slow one ran"
    status, headers, body = outcome["answer"]  # type: ignore[misc]
    assert status == 503
    assert b"2 s" in body and b"stopped" in body
    assert float(outcome["seconds"]) >= 1.9  # type: ignore[arg-type]
    # The process that evaluated it (the one that spent the most CPU) is gone: the CPU is
    # free again, and the processes that were there before (workers kept for later queries)
    # spend none; a worker started to replace the stopped one is left out.
    burning = max(spent, key=spent.__getitem__)
    assert spent[burning] > 0.2, spent
    assert cpu_seconds(burning) is None, f"process {burning} still runs the stopped query"
    rest = {pid: cpu_seconds(pid) for pid in baseline if cpu_seconds(pid) is not None}
    time.sleep(0.5)
    after = {pid: cpu_seconds(pid) for pid in rest}
    assert sum((after[p] or c or 0.0) - (c or 0.0) for p, c in rest.items()) < 0.1
    # And the endpoint goes on answering.
    assert get(busy_server, QUICK)[0] == 200


def test_the_event_loop_stays_free_while_every_worker_is_busy(busy_server: Live) -> None:
    threads = [
        threading.Thread(target=get, args=(busy_server, ENDLESS), kwargs={"timeout": "2"})
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # the slow queries reach both workers
    # The server still answers what needs no worker, before either slow query is stopped.
    assert busy_server.request("GET", "/health")[0] == 200
    assert busy_server.request("GET", "/sparql", headers={"Accept": "text/turtle"})[0] == 200
    assert all(thread.is_alive() for thread in threads)
    for thread in threads:
        thread.join(30)


def test_twenty_concurrent_clients_are_served(busy_server: Live) -> None:
    results: list[tuple[int, int]] = []
    lock = threading.Lock()

    def client(index: int) -> None:
        for round_ in range(3):
            n = (index + round_) % 7 + 1
            query = f"SELECT ?s WHERE {{ ?s <urn:x:n> ?n FILTER(?n < {n}) }}"
            if round_ % 2:
                status, _, body = busy_server.request(
                    "POST", "/sparql", query.encode(), {"Content-Type": "application/sparql-query"}
                )
            else:
                status, _, body = get(busy_server, query)
            rows = len(json.loads(body)["results"]["bindings"]) if status == 200 else -1
            with lock:
                results.append((status, rows - n))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 60
    assert all(status == 200 and difference == 0 for status, difference in results), results


# -- limits, in-process ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def limited() -> TestClient:
    store = open_store("memory", create=True)
    store.update(filler(20))
    return TestClient(create_app(store, max_rows=5, max_body=2000, update_token=TOKEN))


ALL = "SELECT ?s ?n WHERE { ?s <urn:x:n> ?n } ORDER BY ?n"


def test_json_cut_at_the_row_limit_says_so(limited: TestClient) -> None:
    response = limited.get("/sparql", params={"query": ALL})
    assert response.status_code == 200
    assert response.headers["x-sparql-maxrows"] == "5"
    answer = response.json()
    assert [int(b["n"]["value"]) for b in answer["results"]["bindings"]] == [0, 1, 2, 3, 4]
    assert answer["truncated"] == {"rowLimit": 5}


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
        ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
    ],
)
def test_other_formats_are_cut_too(limited: TestClient, accept: str, fmt: object) -> None:
    response = limited.get("/sparql", params={"query": ALL}, headers={"accept": accept})
    assert response.headers["x-sparql-maxrows"] == "5"
    solutions = ox.parse_query_results(response.content, fmt)  # type: ignore[arg-type]
    assert [int(s["n"].value) for s in solutions] == [0, 1, 2, 3, 4]  # type: ignore[union-attr]


def test_csv_and_construct_are_cut(limited: TestClient) -> None:
    csv = limited.get("/sparql", params={"query": ALL}, headers={"accept": "text/csv"})
    assert csv.headers["x-sparql-maxrows"] == "5"
    assert len(csv.text.strip().splitlines()) == 6
    construct = "CONSTRUCT { ?s <urn:x:n> ?n } WHERE { ?s <urn:x:n> ?n }"
    graph = limited.get(
        "/sparql", params={"query": construct}, headers={"accept": "application/n-triples"}
    )
    assert graph.headers["x-sparql-maxrows"] == "5"
    assert len(list(ox.parse(graph.content, ox.RdfFormat.N_TRIPLES))) == 5


def test_an_answer_within_the_limit_carries_no_signal(limited: TestClient) -> None:
    query = "SELECT ?n WHERE { ?s <urn:x:n> ?n FILTER(?n < 5) }"
    response = limited.get("/sparql", params={"query": query})
    assert "x-sparql-maxrows" not in response.headers
    assert "truncated" not in response.json()
    assert len(response.json()["results"]["bindings"]) == 5


def test_a_body_over_the_limit_is_413(limited: TestClient) -> None:
    big = ("SELECT * WHERE { ?s ?p ?o } # " + "x" * 3000).encode()
    headers = {"content-type": "application/sparql-query"}
    response = limited.post("/sparql", content=big, headers=headers)
    assert response.status_code == 413
    assert "2000 bytes" in response.text

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds while reading
        for _ in range(10):
            yield b"#" + b"y" * 499 + b"\n"

    assert limited.post("/sparql", content=chunks(), headers=headers).status_code == 413
    small = limited.post("/sparql", content=b"ASK {}", headers=headers)
    assert small.status_code == 200


def test_service_calls_are_refused(limited: TestClient) -> None:
    query = "SELECT * WHERE { SERVICE <http://169.254.169.254/latest/> { ?s ?p ?o } }"
    response = limited.get("/sparql", params={"query": query})
    assert response.status_code == 400
    assert "SERVICE" in response.text
    # A variable or a string that merely says "service" is fine.
    fine = 'SELECT ?service WHERE { BIND("SERVICE <x>" AS ?service) }'
    assert limited.get("/sparql", params={"query": fine}).status_code == 200


def test_cors_lets_other_sites_read_but_not_write(limited: TestClient) -> None:
    origin = {"origin": "https://yasgui.example"}
    response = limited.get("/sparql", params={"query": "ASK {}"}, headers=origin)
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    preflight = limited.options(
        "/sparql",
        headers={
            **origin,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]
    with_token = limited.options(
        "/sparql",
        headers={
            **origin,
            "access-control-request-method": "POST",
            "access-control-request-headers": "authorization",
        },
    )
    assert with_token.status_code >= 400


# -- private graphs -------------------------------------------------------------------------

PRIVATE = "https://w3id.org/ssekg/id/graph/private/source/valid"  # where the loader puts contacts
PERSON = "Milica Primer"


@pytest.fixture(scope="module", params=["memory", "disk"])
def private_client(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    spec = "memory"
    if request.param == "disk":
        spec = str(tmp_path_factory.mktemp("private") / "store")
    store = open_store(spec, create=True)
    load_rdf_file(store, VALID)
    assert PRIVATE in store.graphs(), "the loader put the contact person in a private graph"
    app = create_app(store, update_token=TOKEN)
    yield TestClient(app)
    app.state.sparql_executor.close()
    store.close()


ANONYMOUS_ATTEMPTS = [
    ("GRAPH ?g", "SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } }", {}),
    ("default union", "SELECT ?o WHERE { ?s ?p ?o }", {}),
    ("GRAPH <private>", f"SELECT ?o WHERE {{ GRAPH <{PRIVATE}> {{ ?s ?p ?o }} }}", {}),
    ("FROM", f"SELECT ?o FROM <{PRIVATE}> WHERE {{ ?s ?p ?o }}", {}),
    (
        "FROM NAMED",
        f"SELECT ?g ?o FROM NAMED <{PRIVATE}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        {},
    ),
    ("default-graph-uri", "SELECT ?o WHERE { ?s ?p ?o }", {"default-graph-uri": PRIVATE}),
    (
        "named-graph-uri",
        "SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } }",
        {"named-graph-uri": PRIVATE},
    ),
    ("graph names", "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }", {}),
    ("CONSTRUCT", "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", {}),
    ("DESCRIBE", "DESCRIBE <https://w3id.org/ssekg/id/actor/mb/17400169/person/1>", {}),
]


@pytest.mark.parametrize(
    ("how", "query", "params"), ANONYMOUS_ATTEMPTS, ids=[a[0] for a in ANONYMOUS_ATTEMPTS]
)
def test_anonymous_queries_never_see_private_graphs(
    private_client: TestClient, how: str, query: str, params: dict[str, str]
) -> None:
    response = private_client.get("/sparql", params={"query": query, **params})
    assert response.status_code == 200
    assert PERSON not in response.text
    assert "graph/private" not in response.text


def test_the_private_graph_names_exist_and_the_token_reads_them(
    private_client: TestClient,
) -> None:
    query = f"SELECT ?o WHERE {{ GRAPH <{PRIVATE}> {{ ?s ?p ?o }} }}"
    owner = private_client.get(
        "/sparql", params={"query": query}, headers={"authorization": f"Bearer {TOKEN}"}
    )
    assert PERSON in owner.text
    wrong = private_client.get(
        "/sparql", params={"query": query}, headers={"authorization": "Bearer guess"}
    )
    assert wrong.status_code == 401 and PERSON not in wrong.text
    description = private_client.get("/sparql", headers={"accept": "text/turtle"})
    assert "graph/source/" in description.text and "graph/private" not in description.text
