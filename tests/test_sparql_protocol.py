"""The SPARQL protocol as the endpoint speaks it: transports, formats and their negotiation,
dataset parameters for queries and updates, the service description, and refusals that are
one line with the position of a syntax error."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path

import anyio
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph
from rdflib.compare import isomorphic

from ssekg.errors import QueryError
from ssekg.server import sparql
from ssekg.server.app import create_app
from ssekg.server.executor import raw
from ssekg.server.sparql_formats import GRAPH_OFFERS, RESULT_OFFERS, choose, negotiate
from ssekg.server.sparql_text import calls_service, with_using
from ssekg.store import open_store

TOKEN = "protocol-token"
BASE = "https://w3id.org/ssekg/id/"
G1 = BASE + "graph/source/one"
G2 = BASE + "graph/source/two"
DATA = f"""INSERT DATA {{
  GRAPH <{G1}> {{ <urn:x:a> <urn:x:p> "one"@en , 1 , "tab\\there" ; a <urn:x:T> . }}
  GRAPH <{G2}> {{ <urn:x:b> <urn:x:p> "two" ; <urn:x:q> <urn:x:a> ; a <urn:x:T> . }}
}}"""
SELECT = "SELECT ?s ?o WHERE { ?s <urn:x:p> ?o } ORDER BY ?s STR(?o)"


@pytest.fixture
def client() -> Iterator[TestClient]:
    store = open_store("memory", create=True)
    store.update(DATA)
    app = create_app(store, update_token=TOKEN)
    yield TestClient(app)
    app.state.sparql_executor.close()


def auth(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {"authorization": f"Bearer {TOKEN}", **(extra or {})}


def one_line(text: str) -> bool:
    return text.endswith("\n") and "\n" not in text.rstrip("\n") and len(text) > 20


# -- content negotiation --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("text/*", "text/csv"),
        ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
        ("application/sparql-results+json,*/*;q=0.9", "application/sparql-results+json"),
        ("text/*;q=0.9, text/csv;q=0", "text/tab-separated-values"),
        ("application/json", "application/json"),
        ("application/xml, application/sparql-results+xml", "application/sparql-results+xml"),
        (
            "text/csv; charset=iso-8859-1, text/tab-separated-values;q=0.1",
            "text/tab-separated-values",
        ),
        ("image/png", None),
        ("text/csv;q=0", None),
    ],
)
def test_negotiating_results(accept: str | None, expected: str | None) -> None:
    offer = negotiate(accept, RESULT_OFFERS)
    assert (offer.media_type if offer else None) == expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "text/turtle"),
        ("application/n-triples,*/*;q=0.9", "application/n-triples"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/ld+json;q=0.8, text/turtle;q=0.7", "application/ld+json"),
        ("application/trig", "application/trig"),
        ("application/*", "application/n-triples"),
        ("text/html", None),
    ],
)
def test_negotiating_graphs(accept: str | None, expected: str | None) -> None:
    offer = negotiate(accept, GRAPH_OFFERS)
    assert (offer.media_type if offer else None) == expected


def test_format_parameters_override_accept_when_they_fit() -> None:
    chosen = choose("application/sparql-results+xml", ["json", "json"], graph=False)
    assert chosen is not None and chosen.media_type == "application/sparql-results+json"
    chosen = choose("text/csv", ["nonsense"], graph=False)
    assert chosen is not None and chosen.media_type == "text/csv"
    chosen = choose(None, ["turtle"], graph=False)
    assert chosen is not None and chosen.media_type == "application/sparql-results+json"
    chosen = choose(None, ["application/n-triples"], graph=True)
    assert chosen is not None and chosen.media_type == "application/n-triples"


# -- transports and formats -----------------------------------------------------------------


def solutions(client: TestClient, accept: str) -> list[tuple[str, str]]:
    response = client.get("/sparql", params={"query": SELECT}, headers={"accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    assert "Accept" in response.headers["vary"]
    if accept == "text/csv":
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows[0] == ["s", "o"]
        return [(s, o) for s, o in rows[1:]]
    fmt = {
        "application/sparql-results+json": ox.QueryResultsFormat.JSON,
        "application/sparql-results+xml": ox.QueryResultsFormat.XML,
        "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    }[accept]
    parsed = ox.parse_query_results(response.content, fmt)
    return [(str(s["s"].value), str(s["o"].value)) for s in parsed]  # type: ignore[union-attr]


def test_select_in_every_results_format_gives_the_same_rows(client: TestClient) -> None:
    expected = [("urn:x:a", "1"), ("urn:x:a", "one"), ("urn:x:a", "tab\there"), ("urn:x:b", "two")]
    for accept in (
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/tab-separated-values",
    ):
        assert solutions(client, accept) == expected
    assert solutions(client, "text/csv") == expected


def test_the_row_limit_path_writes_what_pyoxigraph_writes() -> None:
    # The limit sends rows through TSV and back; every kind of term must survive that.
    data = (
        'INSERT DATA { <urn:x:a> <urn:x:p> "x\\ty\\nz"@en, "q\\"uote", _:b, "1"^^<urn:x:dt>, '
        '"</result>", "a,b", 1.5, true, "x"@en--ltr, <<( <urn:x:a> <urn:x:p> <urn:x:c> )>> }'
    )
    answers = {}
    store = open_store("memory", create=True)
    store.update(data)
    for limit in (None, 1000):
        app = create_app(store, max_rows=limit)
        response = TestClient(app).get(
            "/sparql", params={"query": "SELECT ?o WHERE { ?s ?p ?o } ORDER BY STR(?o)"}
        )
        answers[limit] = response.json()
        app.state.sparql_executor.close()
    bnode = [
        b["o"]["value"] for b in answers[None]["results"]["bindings"] if b["o"]["type"] == "bnode"
    ]
    assert len(answers[None]["results"]["bindings"]) == 10 and bnode
    assert answers[None] == answers[1000]


@pytest.mark.parametrize("offer", [o for o in GRAPH_OFFERS if "/x-" not in o.media_type])
def test_construct_in_every_rdf_format(client: TestClient, offer: object) -> None:
    media = offer.media_type  # type: ignore[attr-defined]
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    response = client.get("/sparql", params={"query": query}, headers={"accept": media})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    triples = list(ox.parse(response.content, offer.format))  # type: ignore[attr-defined]
    assert len(triples) == 7


def test_construct_formats_agree(client: TestClient) -> None:
    query = "DESCRIBE <urn:x:a>"
    graphs = []
    for media, name in [
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("application/n-triples", "nt"),
    ]:
        body = client.get("/sparql", params={"query": query}, headers={"accept": media}).text
        graphs.append(Graph().parse(data=body, format=name))
    assert len(graphs[0]) == 4
    assert all(isomorphic(graphs[0], g) for g in graphs[1:])


def test_query_by_get_form_and_direct_post_agree(client: TestClient) -> None:
    by_get = client.get("/sparql", params={"query": SELECT}).json()
    by_form = client.post("/sparql", data={"query": SELECT}).json()
    direct = client.post(
        "/sparql", content=SELECT, headers={"content-type": "application/sparql-query"}
    ).json()
    assert by_get == by_form == direct
    assert len(by_get["results"]["bindings"]) == 4


def test_sparqlwrapper_style_extra_parameters_are_tolerated(client: TestClient) -> None:
    response = client.get(
        "/sparql",
        params=[("query", SELECT), ("format", "xml"), ("output", "xml"), ("results", "xml")],
        headers={"accept": "application/sparql-results+xml"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+xml")
    odd = client.get("/sparql", params=[("query", "ASK {}"), ("format", "weird"), ("x", "1")])
    assert odd.json()["boolean"] is True


def test_nothing_acceptable_is_406_with_the_types_offered(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": SELECT}, headers={"accept": "image/png"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.text and one_line(response.text)


# -- dataset parameters ---------------------------------------------------------------------


def subjects(client: TestClient, query: str, params: list[tuple[str, str]]) -> list[str]:
    response = client.get("/sparql", params=[("query", query), *params])
    assert response.status_code == 200, response.text
    return sorted(b["s"]["value"] for b in response.json()["results"]["bindings"])


def test_default_and_named_graph_parameters(client: TestClient) -> None:
    flat = "SELECT DISTINCT ?s WHERE { ?s a <urn:x:T> }"
    assert subjects(client, flat, []) == ["urn:x:a", "urn:x:b"]
    assert subjects(client, flat, [("default-graph-uri", G1)]) == ["urn:x:a"]
    both = [("default-graph-uri", G1), ("default-graph-uri", G2)]
    assert subjects(client, flat, both) == ["urn:x:a", "urn:x:b"]
    named = "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s a <urn:x:T> } }"
    assert subjects(client, named, [("named-graph-uri", G2)]) == ["urn:x:b"]
    assert subjects(client, named, [("default-graph-uri", G1)]) == []
    # The protocol's dataset wins over the query's FROM.
    from_g2 = f"SELECT DISTINCT ?s FROM <{G2}> WHERE {{ ?s a <urn:x:T> }}"
    assert subjects(client, from_g2, []) == ["urn:x:b"]
    assert subjects(client, from_g2, [("default-graph-uri", G1)]) == ["urn:x:a"]


def test_relative_iris_resolve_against_the_base(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT (<thing> AS ?s) {}"})
    assert response.json()["results"]["bindings"][0]["s"]["value"] == BASE + "thing"


# -- updates --------------------------------------------------------------------------------


def ask(client: TestClient, query: str) -> bool:
    return bool(client.get("/sparql", params={"query": query}).json()["boolean"])


def test_update_by_form_and_direct_post(client: TestClient) -> None:
    form = client.post(
        "/sparql", data={"update": "INSERT DATA { <urn:x:f> <urn:x:p> 1 }"}, headers=auth()
    )
    direct = client.post(
        "/sparql",
        content="INSERT DATA { <urn:x:d> <urn:x:p> 2 }",
        headers=auth({"content-type": "application/sparql-update"}),
    )
    assert form.status_code == direct.status_code == 204
    assert ask(client, "ASK { <urn:x:f> <urn:x:p> 1 . <urn:x:d> <urn:x:p> 2 }")


def test_using_graph_parameters_give_the_update_its_dataset(client: TestClient) -> None:
    update = "INSERT { GRAPH <urn:x:out> { ?s <urn:x:seen> true } } WHERE { ?s a <urn:x:T> }"
    response = client.post(
        f"/sparql?using-graph-uri={G2}",
        content=update,
        headers=auth({"content-type": "application/sparql-update"}),
    )
    assert response.status_code == 204
    assert ask(client, "ASK { GRAPH <urn:x:out> { <urn:x:b> <urn:x:seen> true } }")
    assert not ask(client, "ASK { GRAPH <urn:x:out> { <urn:x:a> <urn:x:seen> true } }")


def test_delete_where_matches_in_the_using_graph(client: TestClient) -> None:
    # The same triple in the store's unnamed graph and in G1; DELETE WHERE deletes from the
    # unnamed graph what its pattern matches in the protocol's dataset.
    marker = "<urn:x:m> <urn:x:k> 1"
    setup = f"INSERT DATA {{ {marker} . GRAPH <{G1}> {{ {marker} }} }}"
    assert client.post("/sparql", data={"update": setup}, headers=auth()).status_code == 204

    def unnamed_has_marker() -> bool:
        inner = raw(client.app.state.store.inner)  # type: ignore[attr-defined]
        pattern = (ox.NamedNode("urn:x:m"), None, None, ox.DefaultGraph())
        return bool(list(inner.quads_for_pattern(*pattern)))

    assert unnamed_has_marker()
    for graph, still_there in ((G2, True), (G1, False)):
        # YASGUI sends the parameter name with a trailing space.
        form = {"update": "DELETE WHERE { <urn:x:m> <urn:x:k> ?v }", "using-graph-uri ": graph}
        assert client.post("/sparql", data=form, headers=auth()).status_code == 204
        assert unnamed_has_marker() is still_there
    assert ask(client, f"ASK {{ GRAPH <{G1}> {{ {marker} }} }}")


def test_using_rewrite_reads_tokens_not_text() -> None:
    update = (
        "PREFIX ex: <urn:x:> # WHERE USING { in a comment\n"
        'INSERT { ex:s ex:p "WHERE { }" } WHERE { ?s ?p ?o } ;\n'
        "INSERT DATA { ex:s ex:p 1 } ; CLEAR SILENT GRAPH ex:g"
    )
    rewritten = with_using(update, ["urn:x:g1"], ["urn:x:g2"]).text
    assert rewritten.count("USING <urn:x:g1> USING NAMED <urn:x:g2>") == 1
    assert '"WHERE { }" } USING <urn:x:g1> USING NAMED <urn:x:g2> WHERE' in rewritten
    ox.Store().update(rewritten)  # valid SPARQL
    with pytest.raises(QueryError):
        with_using("WITH <urn:x:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", ["urn:x:h"], [])
    with pytest.raises(QueryError):
        with_using("INSERT { } WHERE { }", ["not an iri"], [])
    assert calls_service("SELECT * { service <urn:x:e> { ?s ?p ?o } }")
    assert not calls_service('SELECT ?service { ?service ?p "SERVICE" } # SERVICE')


def test_an_update_with_the_protocol_dataset_and_with_is_refused(client: TestClient) -> None:
    response = client.post(
        "/sparql?using-named-graph-uri=urn:x:people",
        content="WITH <urn:x:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        headers=auth({"content-type": "application/sparql-update"}),
    )
    assert response.status_code == 400
    assert "USING or WITH" in response.text and one_line(response.text)


def test_update_syntax_errors_point_into_the_text_sent(client: TestClient) -> None:
    update = "INSERT { ?s <urn:x:p> 1 } WHERE { ?s ?p ?o } ;\n CLEAR XYZ"
    try:
        ox.Store().update(update)
    except SyntaxError as error:
        position = str(error).split()[2].rstrip(":")  # "error at L:C: ..."
    line, column = position.split(":")
    assert line == "2"
    for path in ("/sparql", f"/sparql?using-graph-uri={G1}&using-named-graph-uri={G2}"):
        response = client.post(
            path, content=update, headers=auth({"content-type": "application/sparql-update"})
        )
        assert response.status_code == 400
        assert f"line 2, column {column}:" in response.text, response.text
        assert one_line(response.text)
    # An error after the place where USING clauses go, on the same line.
    same_line = "INSERT { ?s <urn:x:p> 1 } WHERE { ?s ?p ?o FILTER(?o = ) }"
    plain = client.post("/sparql", data={"update": same_line}, headers=auth()).text
    rewritten = client.post(
        "/sparql", data={"update": same_line, "using-graph-uri": G1}, headers=auth()
    ).text
    assert "line 1, column" in plain and plain == rewritten


def test_updates_need_the_token(client: TestClient) -> None:
    update = {"update": "CLEAR ALL"}
    missing = client.post("/sparql", data=update)
    assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
    wrong = client.post("/sparql", data=update, headers={"authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert ask(client, "ASK { ?s ?p ?o }")


def test_a_server_without_a_token_is_read_only_and_says_so() -> None:
    app = create_app(open_store("memory", create=True))
    client = TestClient(app)
    response = client.post("/sparql", data={"update": "CLEAR ALL"}, headers=auth())
    assert response.status_code == 403
    assert "read-only" in response.text and one_line(response.text)
    description = Graph().parse(data=client.get("/sparql").text, format="turtle")
    text = description.serialize(format="nt")
    assert "SPARQL11Update" not in text and "read-only" in text
    app.state.sparql_executor.close()


# -- refusals -------------------------------------------------------------------------------


def test_query_syntax_errors_name_line_and_column(client: TestClient) -> None:
    query = "SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(?o = ) }"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400
    assert "line 3, column 1" in response.text and one_line(response.text)
    serbian = client.get(
        "/sparql", params={"query": query}, headers={"accept-language": "sr-Latn,en;q=0.5"}
    )
    assert "nije ispravan" in serbian.text and "line 3" not in serbian.text
    assert serbian.headers["content-language"] == "sr-Latn"


@pytest.mark.parametrize(
    ("method", "path", "body", "headers", "status"),
    [
        ("PUT", "/sparql?query=ASK%20%7B%7D", b"", {}, 405),
        ("DELETE", "/sparql", b"", {}, 405),
        ("GET", "/sparql?query=ASK%20%7B%7D&query=ASK%20%7B%7D", None, {}, 400),
        ("GET", "/sparql?update=CLEAR%20ALL", None, {}, 400),
        ("POST", "/sparql", b"ASK {}", {"content-type": "text/plain"}, 415),
        ("POST", "/sparql", b"query=ASK%20%7B%7D", {}, 415),
        (
            "POST",
            "/sparql",
            "ASK {}".encode("utf-16"),
            {"content-type": "application/sparql-query; charset=UTF-16"},
            415,
        ),
        ("POST", "/sparql", b"ASK { \xff }", {"content-type": "application/sparql-query"}, 400),
        (
            "POST",
            "/sparql",
            b"query=ASK+%7B%7D&update=CLEAR+ALL",
            {"content-type": "application/x-www-form-urlencoded"},
            400,
        ),
        ("GET", "/sparql?query=ASK%20%7B%7D&timeout=soon", None, {}, 400),
        ("GET", "/sparql?query=ASK%20%7B%7D&timeout=-1", None, {}, 400),
    ],
)
def test_protocol_errors_are_4xx_with_one_line(
    client: TestClient,
    method: str,
    path: str,
    body: bytes | None,
    headers: dict[str, str],
    status: int,
) -> None:
    response = client.request(method, path, content=body, headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/plain")
    assert one_line(response.text), response.text


def test_a_lower_timeout_parameter_is_honoured(client: TestClient) -> None:
    assert client.get("/sparql", params={"query": "ASK {}", "timeout": "5"}).status_code == 200


# -- service description --------------------------------------------------------------------


def test_service_description_by_content_negotiation(client: TestClient) -> None:
    turtle = client.get("/sparql")
    assert turtle.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=turtle.text, format="turtle")
    endpoint = "http://testserver/sparql"
    sd = "http://www.w3.org/ns/sparql-service-description#"
    rows = graph.query(
        f"ASK {{ <{endpoint}> a <{sd}Service> ; <{sd}endpoint> <{endpoint}> ; "
        f"<{sd}supportedLanguage> <{sd}SPARQL11Query>, <{sd}SPARQL11Update> ; "
        f"<{sd}resultFormat> <http://www.w3.org/ns/formats/SPARQL_Results_JSON> ; "
        f"<{sd}defaultDataset> [ <{sd}namedGraph> [ <{sd}name> <{G1}> ] ] }}"
    )
    assert rows.askAnswer
    for media, name in [("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")]:
        other = client.get("/sparql", headers={"accept": media})
        assert other.headers["content-type"].startswith(media)
        assert isomorphic(Graph().parse(data=other.text, format=name), graph)
    assert client.get("/sparql", headers={"accept": "image/png"}).status_code == 406


# -- large answers ----------------------------------------------------------------------------


def test_a_large_answer_is_streamed_from_its_spool_file(client: TestClient) -> None:
    # 40^3 rows: several megabytes of SPARQL JSON, far more than one read of the spool file.
    side = " ".join(str(i) for i in range(40))
    values = " ".join(f"VALUES ?{v} {{ {side} }}" for v in "abc")
    query = f"SELECT * WHERE {{ {values} }}"
    with client.stream("GET", "/sparql", params={"query": query}) as answer:
        assert answer.status_code == 200
        size = int(answer.headers["content-length"])
        body = b"".join(answer.iter_bytes())
    assert size == len(body) > 4 * sparql.CHUNK
    assert len(json.loads(body)["results"]["bindings"]) == 40**3
    # The worker's spool file was read in chunks and is gone once sent.
    assert os.listdir(client.app.state.sparql_executor.spool_dir) == []  # type: ignore[attr-defined]


def test_the_spool_file_goes_in_chunks_and_is_removed(tmp_path: Path) -> None:
    spool = tmp_path / "answer"
    spool.write_bytes(b"x" * (3 * sparql.CHUNK + 1))

    async def collect() -> list[bytes]:
        return [chunk async for chunk in sparql._stream(str(spool))]

    chunks = anyio.run(collect)
    assert [len(c) for c in chunks] == [sparql.CHUNK] * 3 + [1]
    assert not spool.exists()
