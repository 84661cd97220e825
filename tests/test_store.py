"""The stores as their users meet them: embedded in memory and on disk, and remote on a
throwaway Virtuoso (see tests/virtuoso.py)."""

from __future__ import annotations

import csv
import io
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef

from ssekg.errors import ParseError, QueryError, StoreError
from ssekg.store import Store, open_store

EX = "http://example.org/"
P = URIRef(EX + "p")


def triples(*values: str) -> list[tuple[URIRef, URIRef, Literal]]:
    return [(URIRef(EX + v), P, Literal(v)) for v in values]


def values(store: Store, sparql: str, **kwargs: object) -> set[str]:
    result = store.query(sparql, **kwargs)  # type: ignore[arg-type]
    return {str(row["o"]) for row in result.rows if "o" in row}


def open_kind(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """A new, empty store of one kind: "memory", "disk" or "virtuoso"."""
    if kind == "virtuoso":
        server = request.getfixturevalue("virtuoso")
        return open_store(server.url, base=server.new_base())
    return open_store("memory" if kind == "memory" else str(tmp_path / "store"), create=True)


@pytest.fixture(params=["memory", "disk", "virtuoso"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with open_kind(request.param, request, tmp_path) as opened:
        graphs = opened.graphs_of
        opened.replace_graph(graphs.source("a"), triples("pub-a"))
        opened.replace_graph(graphs.reference, triples("ref"))
        opened.replace_graph(graphs.private, triples("secret"))
        opened.replace_graph(graphs.private + "/source/a", triples("secret-a"))
        yield opened


ALL_PUBLIC = {"pub-a", "ref"}
SECRETS = {"secret", "secret-a"}


def test_default_graph_is_the_union_of_public_graphs(store: Store) -> None:
    assert values(store, "SELECT ?o WHERE { ?s ?p ?o }") == ALL_PUBLIC


def test_graph_variable_sees_only_public_graphs(store: Store) -> None:
    result = store.query("SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert {str(r["o"]) for r in result.rows} == ALL_PUBLIC
    assert not any(store.graphs_of.is_private(str(r["g"])) for r in result.rows)


@pytest.mark.parametrize(
    "template",
    [
        "SELECT ?o FROM <{g}> WHERE {{ ?s ?p ?o }}",
        "SELECT ?o FROM NAMED <{g}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "SELECT ?o WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}",
        "PREFIX x: <{g}> SELECT ?o FROM x: WHERE {{ ?s ?p ?o }}",
    ],
)
def test_naming_a_private_graph_shows_nothing(store: Store, template: str) -> None:
    for graph in (store.graphs_of.private, store.graphs_of.private + "/source/a"):
        assert values(store, template.format(g=graph)) == set()
        assert values(store, template.format(g=graph), include_private=True) & SECRETS


def test_from_a_public_graph_is_honoured(store: Store) -> None:
    query = f"SELECT ?o FROM <{store.graphs_of.reference}> WHERE {{ ?s ?p ?o }}"
    assert values(store, query) == {"ref"}
    commented = f"# FROM <{store.graphs_of.private}>\n{query}"
    assert values(store, commented) == {"ref"}


def test_protocol_dataset_cannot_reach_private(store: Store) -> None:
    graphs = store.graphs_of
    query = "SELECT ?o WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
    assert values(store, query, default_graphs=[graphs.private]) == set()
    assert values(store, query, named_graphs=[graphs.private]) == set()
    assert values(store, query, default_graphs=[graphs.source("a"), graphs.private]) == {"pub-a"}
    assert values(store, query, default_graphs=[graphs.private], include_private=True) == {
        "secret"
    }


def test_include_private_shows_everything(store: Store) -> None:
    assert values(store, "SELECT ?o WHERE { ?s ?p ?o }", include_private=True) == (
        ALL_PUBLIC | SECRETS
    )


def test_failed_replace_leaves_the_graph_as_it_was(store: Store) -> None:
    graph = store.graphs_of.source("a")

    def broken() -> Iterator[tuple[URIRef, URIRef, Literal]]:
        yield from triples("new-1", "new-2")
        raise RuntimeError("the source broke halfway")

    with pytest.raises(RuntimeError):
        store.replace_graph(graph, broken())
    assert values(store, "SELECT ?o WHERE { ?s ?p ?o }") == ALL_PUBLIC
    assert store.count(graph) == 1
    assert store.graphs() == sorted(store.graphs())
    assert len(store.graphs()) == 4  # no leftover staging graph


def test_replace_swaps_the_whole_graph(store: Store) -> None:
    graph = store.graphs_of.source("a")
    store.replace_graph(graph, triples("b1", "b2"))
    assert store.count(graph) == 2
    assert values(store, "SELECT ?o WHERE { ?s ?p ?o }") == {"b1", "b2", "ref"}
    store.replace_graph(graph, [])
    assert graph not in store.graphs()


def test_replace_graphs_and_add_in_one_step(store: Store) -> None:
    graphs = store.graphs_of
    store.replace_graphs({graphs.source("a"): triples("x")}, add={graphs.meta: triples("m")})
    store.replace_graphs({graphs.source("b"): triples("y")}, add={graphs.meta: triples("n")})
    assert store.count(graphs.meta) == 2
    assert values(store, "SELECT ?o WHERE { ?s ?p ?o }") == {"x", "y", "m", "n", "ref"}


def test_a_large_new_graph_and_its_reload_are_stored_whole(store: Store) -> None:
    """Big loads take the store's bulk path the first time and its difference path when the
    same source is loaded again with a few changes; both end with exactly the new content."""
    graphs = store.graphs_of
    target = graphs.source("big")
    many = [(URIRef(f"{EX}s{i // 10}"), URIRef(f"{EX}p{i % 10}"), Literal(i)) for i in range(25000)]
    store.replace_graphs({target: many}, add={graphs.meta: triples("loaded-big")})
    assert store.count(target) == 25_000
    assert target in store.graphs()
    assert store.query(f'ASK {{ GRAPH <{graphs.meta}> {{ ?s ?p "loaded-big" }} }}').boolean
    changed = [*many[1:], (URIRef(EX + "s-new"), P, Literal("new"))]
    store.replace_graph(target, changed)
    assert store.count(target) == 25_000
    assert values(store, f"SELECT ?o WHERE {{ <{EX}s-new> ?p ?o }}") == {"new"}
    assert not store.query(f"ASK {{ <{EX}s0> <{EX}p0> ?o }}").boolean


def test_an_interrupted_bulk_write_is_never_seen_and_is_gone_on_reopening(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ssekg.store import embedded

    path = str(tmp_path / "store")
    many = [(URIRef(f"{EX}s{i}"), P, Literal(i)) for i in range(25_000)]
    with open_store(path, create=True) as opened:
        target = opened.graphs_of.source("big")
        # a failure after the bulk write, before the graph is shown: nothing stays
        def refuse(*args: object) -> str:
            raise ValueError("the disk is full")

        monkeypatch.setattr(embedded, "_data_update", refuse)
        with pytest.raises(StoreError):
            opened.replace_graphs({target: many}, add={opened.graphs_of.meta: triples("m")})
        monkeypatch.undo()
        assert opened.graphs() == []
        assert opened.count() == 0
        # a process killed in the middle leaves the graph listed as being written
        raw, _ = opened.oxigraph_dataset()  # type: ignore[attr-defined]
        raw.extend([ox.Quad(ox.NamedNode(target), embedded._LOADING_MARK, ox.Literal("1"),
                            embedded.LOADING)])  # fmt: skip
        raw.bulk_extend(ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(str(P)), ox.Literal(str(i)),
                                ox.NamedNode(target)) for i in range(100))  # fmt: skip
        assert target not in opened.graphs()
        assert values(opened, "SELECT ?o WHERE { ?s ?p ?o }") == set()
        assert values(opened, "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }") == set()
        del raw  # the store's lock is released only when no handle is left
    with open_store(path) as reopened:
        raw, _ = reopened.oxigraph_dataset()  # type: ignore[attr-defined]
        assert len(raw) == 0


def test_add_quads_drop_graph_and_count(store: Store) -> None:
    graph = store.graphs_of.curation
    store.add_quads([(s, p, o, graph) for s, p, o in triples("c1", "c2")])
    assert store.count(graph) == 2
    assert store.count() == 6
    store.drop_graph(graph)
    assert store.count(graph) == 0
    assert graph not in store.graphs()


def test_dump_hides_private_and_round_trips(store: Store) -> None:
    public, full = io.BytesIO(), io.BytesIO()
    store.dump(public)
    store.dump(full, include_private=True)
    assert b"secret" not in public.getvalue()
    assert b"secret" in full.getvalue()

    copy = open_store("memory", base=store.graphs_of.base)
    copy.restore(io.BytesIO(full.getvalue()))
    original = set(ox.parse(full.getvalue(), ox.RdfFormat.N_QUADS))
    again = io.BytesIO()
    copy.dump(again, include_private=True)
    assert set(ox.parse(again.getvalue(), ox.RdfFormat.N_QUADS)) == original
    assert copy.graphs() == store.graphs()


def test_restore_replaces_content(store: Store) -> None:
    graph = store.graphs_of.source("z")
    store.restore(io.BytesIO(f'<{EX}s> <{EX}p> "only" <{graph}> .\n'.encode()))
    assert store.graphs() == [graph]
    assert values(store, "SELECT ?o WHERE { ?s ?p ?o }", include_private=True) == {"only"}


def test_restore_of_a_broken_dump_changes_nothing(store: Store) -> None:
    before = io.BytesIO()
    store.dump(before, include_private=True)
    broken = f'<{EX}s> <{EX}p> "ok" .\n<{EX}s> <{EX}p> oops .\n'.encode()
    with pytest.raises(ParseError) as caught:
        store.restore(io.BytesIO(broken))
    assert "2" in caught.value.en
    after = io.BytesIO()
    store.dump(after, include_private=True)
    assert set(after.getvalue().splitlines()) == set(before.getvalue().splitlines())


def test_bindings_are_terms_not_text(store: Store) -> None:
    query = "SELECT ?s ?o WHERE { ?s ?p ?o }"
    bound = store.query(query, bindings={"o": Literal("ref")})
    assert [str(r["s"]) for r in bound.rows] == [EX + "ref"]
    hostile = Literal('"} DROP ALL { "')
    result = store.query(query, bindings={"o": hostile})
    assert result.rows == []
    select = store.query("SELECT ?x WHERE { }", bindings={"x": hostile})
    assert select.rows == [{"x": hostile}]
    assert store.count() == 4


def test_syntax_error_is_one_clear_sentence(store: Store) -> None:
    with pytest.raises(QueryError) as caught:
        store.query("SELECT ?o WHERE { ?s ?p ?o")
    assert "1:" in caught.value.en and "not valid" in caught.value.en
    assert "nije ispravan" in caught.value.sr
    with pytest.raises(QueryError):
        store.update("INSERT DATA { oops }")


def test_update_writes_and_reads_back(store: Store) -> None:
    graph = store.graphs_of.curation
    store.update(f'INSERT DATA {{ GRAPH <{graph}> {{ <{EX}u> <{EX}p> "u" }} }}')
    assert "u" in values(store, "SELECT ?o WHERE { ?s ?p ?o }")


def test_select_serializations_parse_back(store: Store) -> None:
    result = store.query("SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?o")
    as_json = json.loads(result.serialize("json"))
    assert as_json["head"]["vars"] == ["s", "o"]
    assert [b["o"]["value"] for b in as_json["results"]["bindings"]] == ["pub-a", "ref"]
    tree = ElementTree.fromstring(result.serialize("xml"))
    assert len(tree.findall(".//{http://www.w3.org/2005/sparql-results#}result")) == 2
    rows = list(csv.reader(io.StringIO(result.serialize("csv").decode())))
    assert rows[0] == ["s", "o"] and rows[1] == [EX + "pub-a", "pub-a"]
    tsv = result.serialize("tsv").decode().splitlines()
    assert tsv[0].split("\t") == ["?s", "?o"] and tsv[1].split("\t")[1] == '"pub-a"'
    assert result.media_type("json") == "application/sparql-results+json"
    assert result.media_type("tsv") == "text/tab-separated-values"


def test_ask_and_graph_results(store: Store) -> None:
    ask = store.query("ASK { ?s ?p 'ref' }")
    assert ask.kind == "ask" and ask.boolean is True
    assert json.loads(ask.serialize("json"))["boolean"] is True
    built = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert built.kind == "graph" and built.graph is not None and len(built.graph) == 2
    for fmt, rdflib_format in [("turtle", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"),
                               ("xml", "xml")]:
        assert len(Graph().parse(data=built.serialize(fmt), format=rdflib_format)) == 2
    assert built.media_type("xml") == "application/rdf+xml"


def test_on_disk_store_keeps_data_after_reopening(tmp_path: Path) -> None:
    path = str(tmp_path / "kept")
    with open_store(path, create=True) as first:
        first.replace_graph(first.graphs_of.source("a"), triples("kept"))
    with open_store(path) as second:
        assert values(second, "SELECT ?o WHERE { ?s ?p ?o }") == {"kept"}


def test_open_store_errors(tmp_path: Path) -> None:
    missing = tmp_path / "absent"
    with pytest.raises(StoreError) as caught:
        open_store(str(missing))
    assert str(missing) in caught.value.en and "ssekg init --store" in caught.value.en
    assert not missing.exists()
    a_file = tmp_path / "file.txt"
    a_file.write_text("not a store")
    with pytest.raises(StoreError, match="is a file"):
        open_store(str(a_file), create=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/sparql"
    with pytest.raises(StoreError, match="cannot be reached") as unreachable:
        open_store(closed)
    assert closed in unreachable.value.en and "nije dostupna" in unreachable.value.sr
    path = str(tmp_path / "busy")
    with open_store(path, create=True), pytest.raises(StoreError, match="in use"):
        open_store(path)


def test_timeout_stops_a_query_that_runs_too_long(store: Store) -> None:
    with pytest.raises(QueryError, match="longer than"):
        store.query("SELECT ?o WHERE { ?s ?p ?o }", timeout=0)
    assert len(store.query("SELECT ?o WHERE { ?s ?p ?o }", timeout=60).rows) == 2
