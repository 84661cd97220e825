"""The derived graph as a user meets it: the counts the counting queries read follow every
write ssekg makes (a load, a reload that drops actors, a link accepted, a server update or
Graph Store request), on the embedded store and on Virtuoso, and hold no private data."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Literal, URIRef
from rdflib.term import Node

from ssekg.derived import _KINDS, READS, refresh, refresh_update, sources
from ssekg.loaders.rdf import load_rdf_file
from ssekg.loaders.resolve import find_links, link_id, set_status
from ssekg.namespaces import DEFAULT_BASE, PLACE
from ssekg.namespaces import PREFIXES as PREFIXES_OF
from ssekg.queries import run_named
from ssekg.server.app import create_app
from ssekg.setup import initialise, load_examples
from ssekg.store import EmbeddedStore, open_store
from ssekg.store.base import Store

RESOLVE = Path(__file__).parent / "fixtures" / "resolve"
TOKEN = "derived-secret"
PREFIXES = """@prefix ssekg: <https://w3id.org/ssekg/ontology#> .
@prefix place: <https://w3id.org/ssekg/place/> .
@prefix at: <https://w3id.org/ssekg/scheme/actor-type/> .
"""
ACTORS = {
    "lipa": ("Zadruga Lipa", "SE", "pirot"),
    "hrast": ("Udruženje Hrast", "ASSOC", "pirot"),
    "jasen": ("Udruženje Jasen", "ASSOC", "novi-sad"),
}


def survey(tmp_path: Path, keys: list[str]) -> Path:
    """A small survey file with the actors ``keys`` of ACTORS."""
    text = PREFIXES
    for key in keys:
        name, kind, seat = ACTORS[key]
        text += (
            f"<https://w3id.org/ssekg/id/actor/survey/{key}> a ssekg:Actor ;\n"
            f'    ssekg:name "{name}"@sr-Latn ; ssekg:actorType at:{kind} ;\n'
            f"    ssekg:municipality place:{seat} .\n"
        )
    path = tmp_path / "survey.ttl"
    path.write_text(text, encoding="utf-8")
    return path


def seat_counts(store: Store) -> dict[str, tuple[int, int]]:
    """Actors and social enterprises per city and municipality, as the named query gives them."""
    rows = run_named(store, "actor-counts-by-territory", {"level": "lsg"}).rows
    return {
        str(r["territory"]).removeprefix(str(PLACE)): (
            int(r["actors"].toPython()),  # type: ignore[attr-defined]
            int(r["socialEnterprises"].toPython()),  # type: ignore[attr-defined]
        )
        for r in rows
    }


def derived(store: Store) -> set[tuple[Node, ...]]:
    graph = store.graphs_of.derived
    rows = store.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}").rows
    return {(r["s"], r["p"], r["o"]) for r in rows}


def recomputed(store: Store) -> set[tuple[Node, ...]]:
    """The derived graph as computing it afresh gives it."""
    refresh(store)
    return derived(store)


@pytest.fixture(params=["memory", "virtuoso"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    if request.param == "virtuoso":
        server = request.getfixturevalue("virtuoso")
        remote = open_store(server.url, base=server.new_base())
        initialise(remote)
        yield remote
        return
    with EmbeddedStore(None) as fresh:
        initialise(fresh)
        yield fresh


def test_a_load_is_counted_at_once(store: Store, tmp_path: Path) -> None:
    load_rdf_file(store, survey(tmp_path, ["lipa", "hrast", "jasen"]), source_id="survey")
    counts = seat_counts(store)
    assert counts["pirot"] == (2, 1)
    assert counts["novi-sad"] == (1, 0)
    assert counts["vranje"] == (0, 0)
    before = derived(store)
    assert before and before == recomputed(store)


def test_a_reload_without_some_actors_leaves_no_count_of_them(
    store: Store, tmp_path: Path
) -> None:
    load_rdf_file(store, survey(tmp_path, ["lipa", "hrast", "jasen"]), source_id="survey")
    load_rdf_file(store, survey(tmp_path, ["hrast"]), source_id="survey")
    counts = seat_counts(store)
    assert counts["pirot"] == (1, 0)
    assert counts["novi-sad"] == (0, 0)
    territories = {o for _, p, o in derived(store) if str(p).endswith("#tallyOf")}
    assert URIRef(f"{PLACE}novi-sad") not in territories
    assert derived(store) == recomputed(store)


def test_accepting_a_link_keeps_counting_each_record(store: Store) -> None:
    for name in ("survey", "registry", "partners"):
        load_rdf_file(store, RESOLVE / f"{name}.ttl")
    find_links(store)
    pirot = seat_counts(store)["pirot"]
    izvor = link_id("https://data.example.org/org/2", "https://w3id.org/ssekg/id/actor/survey/izvor")
    assert set_status(store, izvor, "accepted").status == "accepted"
    # the two records of Izvor (survey, partners) are one actor now, counted as two records
    # as the queries always counted them; the figures are those of the data as it is
    assert seat_counts(store)["pirot"] == pirot
    assert derived(store) == recomputed(store)


def _update(client: TestClient, text: str) -> None:
    response = client.post(
        "/sparql",
        data={"update": text},
        headers={"authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code in (200, 204), response.text


def _api_counts(client: TestClient) -> dict[str, int]:
    response = client.get("/api/queries/actor-counts-by-territory", params={"level": "lsg"})
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    return {
        r["territory"]["value"].removeprefix(str(PLACE)): int(r["actors"]["value"]) for r in rows
    }


def test_server_writes_are_counted(tmp_path: Path) -> None:
    with EmbeddedStore(None) as store:
        initialise(store)
        load_rdf_file(store, survey(tmp_path, ["lipa", "jasen"]), source_id="survey")
        client = TestClient(create_app(store, update_token=TOKEN, workers=1))
        assert _api_counts(client)["pirot"] == 1
        graph = f"{DEFAULT_BASE}graph/source/by-hand"
        _update(
            client,
            f"INSERT DATA {{ GRAPH <{graph}> {{ <{DEFAULT_BASE}actor/by-hand/1> "
            "<https://w3id.org/ssekg/ontology#municipality> "
            "<https://w3id.org/ssekg/place/pirot> } }",
        )
        assert _api_counts(client)["pirot"] == 2
        deleted = client.delete(
            "/store", params={"graph": graph}, headers={"authorization": f"Bearer {TOKEN}"}
        )
        assert deleted.status_code in (200, 204), deleted.text
        assert _api_counts(client)["pirot"] == 1
        assert derived(store) == recomputed(store)


def test_private_data_is_neither_counted_nor_copied() -> None:
    with EmbeddedStore(None) as store:
        load_examples(store)
        client = TestClient(create_app(store, update_token=TOKEN, workers=1))
        before = _api_counts(client)
        # an actor only a private graph knows of
        _update(
            client,
            f"INSERT DATA {{ GRAPH <{store.graphs_of.private}/by-hand> {{ "
            f"<{DEFAULT_BASE}actor/hidden/1> <https://w3id.org/ssekg/ontology#municipality> "
            "<https://w3id.org/ssekg/place/pirot> } }",
        )
        assert _api_counts(client) == before
        private = {
            term
            for graph in store.graphs()
            if store.graphs_of.is_private(graph)
            for row in store.query(
                f"SELECT ?s ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", include_private=True
            ).rows
            for term in (row["s"], row["o"])
            if isinstance(term, Literal) or str(term).startswith(DEFAULT_BASE)
        }
        public = {
            term
            for row in store.query(
                f"SELECT ?s ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                f"FILTER(?g != <{store.graphs_of.derived}>) }}"
            ).rows
            for term in (row["s"], row["o"])
        }
        private -= public  # the actors a contact person works for are public
        assert private, "the examples have private data"
        tallies = derived(store)
        assert tallies
        shared = {t for triple in tallies for t in triple} & private
        assert not shared, sorted(map(str, shared))[:5]
        buffer = io.BytesIO()
        store.dump(buffer)
        assert b"/graph/derived" in buffer.getvalue()


def test_the_embedded_store_computes_the_tallies_the_update_computes(tmp_path: Path) -> None:
    # the embedded store computes the tallies in a copy in memory of what they read; a
    # remote store runs the one update over the public graphs: both give the same graph
    with EmbeddedStore(tmp_path / "store") as store:
        load_examples(store)
        copied = derived(store)
        graphs = store.graphs_of
        store.update(refresh_update(graphs, sources(graphs, store.graphs())))
        assert len(copied) > 100
        assert derived(store) == copied


def test_the_copy_holds_every_property_the_tallies_read() -> None:
    # a property a tally query uses but the copy leaves out would count as missing
    used = {
        PREFIXES_OF[prefix] + local
        for _, figures, _, rows in _KINDS
        for prefix, local in re.findall(r"\b(ssekg|org):([a-z]\w*)", rows)
    }
    assert used == {predicate for predicate, value in READS if value is None}
