"""Entity resolution as a person meets it: three sources that list some of the same actors
(a survey, a registry extract, a partner network's export), the links found between them,
the review from the command line, and the merged view of an actor."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rdflib import OWL, URIRef
from typer.testing import CliRunner

from ssekg.cli import app
from ssekg.loaders.rdf import load_rdf_file
from ssekg.loaders.resolve import (
    DEFAULT_REVIEW_FLOOR,
    DEFAULT_THRESHOLD,
    canonical_actors,
    find_links,
    link_id,
    list_links,
    name_key,
    parse_links,
    read_links_graph,
    set_status,
)
from ssekg.namespaces import DEFAULT_BASE
from ssekg.queries import named_queries
from ssekg.setup import initialise
from ssekg.store import EmbeddedStore, open_store
from ssekg.store.base import Store

FIXTURES = Path(__file__).parent / "fixtures" / "resolve"
ID = "https://w3id.org/ssekg/id/actor/"
PARTNER = "https://data.example.org/org/"
SOURCES = ("survey", "registry", "partners")

# Pairs the fixtures hold, as a reader of the files sees them.
ZLATNA_RUKA = (f"{PARTNER}4", f"{ID}mb/17400169")  # same MB
DOBRA_VOLJA = (f"{PARTNER}5", f"{ID}mb/07204990")  # same PIB, the partner adds "UG … Pirot"
SLOGA = (f"{PARTNER}1", f"{ID}survey/sloga")  # Cyrillic and Latin, no identifiers
IZVOR = (f"{PARTNER}2", f"{ID}survey/izvor")  # "Izvor" and "Udruženje Izvor nade"
MOST = (f"{PARTNER}7", f"{ID}mb/08055769")  # same name and place, different MBs
LIPA = (f"{PARTNER}3", f"{ID}survey/lipa")  # same name, different municipalities
KRUG = (f"{PARTNER}6", f"{ID}survey/krug")  # "Krug 2" and "Krug 3"

runner = CliRunner()


@pytest.fixture(scope="module")
def loaded_dump() -> bytes:
    """The three sources loaded into an initialised store, as N-Quads (built once)."""
    with EmbeddedStore(None) as store:
        initialise(store)
        for name in SOURCES:
            load_rdf_file(store, FIXTURES / f"{name}.ttl")
        buffer = io.BytesIO()
        store.dump(buffer, include_private=True)
    return buffer.getvalue()


@pytest.fixture(params=["memory", "virtuoso"])
def store(request: pytest.FixtureRequest, loaded_dump: bytes) -> Iterator[Store]:
    """The three sources, in memory or on the session's Virtuoso under a base IRI of its own
    (the dump's graphs moved below that base)."""
    if request.param == "virtuoso":
        server = request.getfixturevalue("virtuoso")
        base = server.new_base()
        remote = open_store(server.url, base=base)
        own = loaded_dump.replace(f"<{DEFAULT_BASE}graph/".encode(), f"<{base}graph/".encode())
        remote.restore(io.BytesIO(own))
        yield remote
        return
    with EmbeddedStore(None) as fresh:
        fresh.restore(io.BytesIO(loaded_dump))
        yield fresh


@pytest.fixture
def store_dir(loaded_dump: bytes, tmp_path: Path) -> str:
    path = str(tmp_path / "store")
    with open_store(path, create=True) as target:
        target.restore(io.BytesIO(loaded_dump))
    return path


def links_by_pair(store: Store) -> dict[tuple[str, str], tuple[str, str, float]]:
    """(first, second) → (method, status, score) for every link in the links graph."""
    return {
        (link.a, link.b): (link.method, link.status, link.score)
        for link in parse_links(read_links_graph(store)).values()
    }


def pair(pair_of: tuple[str, str]) -> tuple[str, str]:
    first, second = sorted(pair_of)
    return first, second


def same_as(store: Store, pair_of: tuple[str, str]) -> bool:
    a, b = pair(pair_of)
    return (URIRef(a), OWL.sameAs, URIRef(b)) in read_links_graph(store)


def cli(*args: str, store: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [*args, "--store", store])


# --- finding links --------------------------------------------------------------------------


def test_a_shared_mb_links_automatically_with_sameas(store: Store) -> None:
    find_links(store)
    assert links_by_pair(store)[pair(ZLATNA_RUKA)] == ("mb", "auto", 100.0)
    assert same_as(store, ZLATNA_RUKA)


def test_a_shared_pib_links_although_the_names_differ(store: Store) -> None:
    find_links(store)
    assert links_by_pair(store)[pair(DOBRA_VOLJA)] == ("pib", "auto", 100.0)
    assert same_as(store, DOBRA_VOLJA)


def test_a_cyrillic_name_links_to_its_latin_twin_in_the_same_municipality(store: Store) -> None:
    find_links(store)
    method, status, score = links_by_pair(store)[pair(SLOGA)]
    assert (method, status) == ("name", "auto")
    assert score >= DEFAULT_THRESHOLD
    assert same_as(store, SLOGA)


def test_a_near_miss_waits_for_review_without_sameas(store: Store) -> None:
    find_links(store)
    method, status, score = links_by_pair(store)[pair(IZVOR)]
    assert (method, status) == ("name", "pending")
    assert DEFAULT_REVIEW_FLOOR <= score < DEFAULT_THRESHOLD
    assert not same_as(store, IZVOR)


@pytest.mark.parametrize(
    "pair_of", [MOST, LIPA, KRUG], ids=["different-mbs", "different-places", "different-numbers"]
)
def test_no_link_is_guessed(store: Store, pair_of: tuple[str, str]) -> None:
    find_links(store)
    assert pair(pair_of) not in links_by_pair(store)


def test_actors_of_one_source_are_not_linked_by_name(store: Store, tmp_path: Path) -> None:
    twice = tmp_path / "twice.ttl"
    twice.write_text(
        "@prefix ssekg: <https://w3id.org/ssekg/ontology#> .\n"
        "@prefix at: <https://w3id.org/ssekg/scheme/actor-type/> .\n"
        "<https://example.org/a> a ssekg:Actor ; ssekg:name 'Zadruga Vetrenjača'@sr-Latn ;\n"
        "  ssekg:actorType at:COOP ; ssekg:municipality <https://w3id.org/ssekg/place/vranje> .\n"
        "<https://example.org/b> a ssekg:Actor ; ssekg:name 'ZZ Vetrenjača'@sr-Latn ;\n"
        "  ssekg:actorType at:COOP ; ssekg:municipality <https://w3id.org/ssekg/place/vranje> .\n",
        encoding="utf-8",
    )
    load_rdf_file(store, twice)
    find_links(store)
    assert ("https://example.org/a", "https://example.org/b") not in links_by_pair(store)


def test_a_shared_mb_with_a_contradicting_pib_is_not_linked_automatically(
    store: Store, tmp_path: Path
) -> None:
    clash = tmp_path / "clash.ttl"
    clash.write_text(
        "@prefix ssekg: <https://w3id.org/ssekg/ontology#> .\n"
        "@prefix at: <https://w3id.org/ssekg/scheme/actor-type/> .\n"
        "<https://example.org/z> a ssekg:Actor ; ssekg:name 'Zlatna ruka'@sr-Latn ;\n"
        "  ssekg:actorType at:COOP ; ssekg:registrationNumber '17400169' ;\n"
        "  ssekg:taxNumber '100000024' .\n",
        encoding="utf-8",
    )
    load_rdf_file(store, clash)
    find_links(store)
    other = (f"{ID}mb/17400169", "https://example.org/z")
    assert links_by_pair(store)[pair(other)][1] == "pending"
    assert not same_as(store, other)


def test_thresholds_decide_between_auto_and_review(store: Store) -> None:
    find_links(store, threshold=85.0, review_floor=60.0)
    assert links_by_pair(store)[pair(IZVOR)][1] == "auto"
    find_links(store, threshold=99.0, review_floor=95.0)
    links = links_by_pair(store)
    assert pair(IZVOR) not in links
    assert links[pair(SLOGA)][1] == "auto"  # identical folded names score 100


def test_running_find_again_changes_nothing(store: Store) -> None:
    find_links(store, now=datetime(2025, 1, 1, tzinfo=UTC))
    first = set(read_links_graph(store))
    summary = find_links(store, now=datetime(2025, 6, 1, tzinfo=UTC))
    assert set(read_links_graph(store)) == first
    assert summary.new == 0 and summary.dropped == 0


def test_legal_form_words_and_the_municipality_name_do_not_count() -> None:
    assert name_key("UG Dobra volja Pirot", ["pirot"])[0] == name_key("Udruženje Dobra volja")[0]
    assert name_key("Земљорадничка задруга Слога")[0] == "sloga"
    assert name_key("Od srca d.o.o.") == ("od srca", "DOO")


# --- review and decisions ---------------------------------------------------------------------


def test_accepting_a_pending_link_states_sameas(store: Store) -> None:
    find_links(store)
    set_status(store, link_id(*IZVOR), "accepted")
    assert links_by_pair(store)[pair(IZVOR)][1] == "accepted"
    assert same_as(store, IZVOR)


def test_a_rejection_survives_find_and_a_reload(store: Store) -> None:
    find_links(store)
    set_status(store, link_id(*SLOGA), "rejected")
    assert not same_as(store, SLOGA)
    load_rdf_file(store, FIXTURES / "partners.ttl")
    find_links(store)
    assert links_by_pair(store)[pair(SLOGA)][1] == "rejected"
    assert not same_as(store, SLOGA)


def test_cli_review_round_trip(store_dir: str) -> None:
    found = cli("links", "find", store=store_dir)
    assert found.exit_code == 0, found.output
    assert "2 pending" in found.stdout
    pending = cli("links", "list", "--status", "pending", store=store_dir)
    assert pending.exit_code == 0, pending.output
    izvor, ognjiste = link_id(*IZVOR), link_id(f"{PARTNER}8", f"{ID}survey/ognjiste")
    assert izvor in pending.stdout and ognjiste in pending.stdout
    assert link_id(*SLOGA) not in pending.stdout  # automatic, not pending
    for text in ("Izvor", "Pirot", "partners", "survey", "90"):
        assert text in pending.stdout
    assert cli("links", "accept", izvor, store=store_dir).exit_code == 0
    assert cli("links", "reject", ognjiste, store=store_dir).exit_code == 0
    assert cli("links", "find", store=store_dir).exit_code == 0
    accepted = cli("links", "list", "--status", "accepted", store=store_dir)
    rejected = cli("links", "list", "--status", "rejected", store=store_dir)
    assert izvor in accepted.stdout and ognjiste not in accepted.stdout
    assert ognjiste in rejected.stdout
    assert "0 link(s)" in cli("links", "list", "--status", "pending", store=store_dir).stdout


def test_cli_unknown_link_is_one_sentence_in_both_languages(store_dir: str) -> None:
    result = cli("links", "accept", "0123456789ab", store=store_dir)
    assert result.exit_code == 2
    assert "error: there is no link '0123456789ab'" in result.stderr
    assert "greška: ne postoji veza '0123456789ab'" in result.stderr
    assert "Traceback" not in result.output


def test_cli_rejects_a_floor_above_the_threshold(store_dir: str) -> None:
    result = cli("links", "find", "--threshold", "80", "--review-floor", "85", store=store_dir)
    assert result.exit_code == 2
    assert "--review-floor" in result.stderr and "greška" in result.stderr


# --- the merged view --------------------------------------------------------------------------


def merged(store: Store, actor: str) -> list[tuple[str, str, str, str]]:
    result = store.query(named_queries()["merged-actor"].text, bindings={"actor": URIRef(actor)})
    return [
        (str(r["property"]), str(r["value"]), str(r["graph"]), str(r["record"]))
        for r in result.rows
    ]


def test_the_merged_actor_shows_the_facts_of_both_sources_with_their_graph(store: Store) -> None:
    registry = store.graphs_of.source("registry")
    partners = store.graphs_of.source("partners")
    assert {g for _, _, g, _ in merged(store, ZLATNA_RUKA[1])} == {registry}
    find_links(store)
    for actor in ZLATNA_RUKA:  # either record shows the whole actor
        rows = merged(store, actor)
        facts = {(p.rsplit("#", 1)[-1], v, g) for p, v, g, _ in rows}
        assert ("employees", "4", partners) in facts
        assert ("registrationDate", "2005-03-01", registry) in facts
        assert ("name", "ZZ Zlatna ruka", partners) in facts
        assert ("name", "Zadruga Zlatna ruka", registry) in facts
        assert not any(g == store.graphs_of.links for _, _, g, _ in rows)


def test_a_rejected_pair_is_not_merged(store: Store) -> None:
    find_links(store)
    set_status(store, link_id(*ZLATNA_RUKA), "rejected")
    assert {g for _, _, g, _ in merged(store, ZLATNA_RUKA[0])} == {
        store.graphs_of.source("partners")
    }


def test_canonical_actors_map_each_cluster_to_its_smallest_iri(store: Store) -> None:
    before = canonical_actors(store)
    assert all(before[iri] == iri for iri in (*ZLATNA_RUKA, *IZVOR))
    find_links(store)
    set_status(store, link_id(*IZVOR), "accepted")
    canonical = canonical_actors(store)
    for cluster in (ZLATNA_RUKA, DOBRA_VOLJA, SLOGA, IZVOR):
        assert canonical[cluster[0]] == canonical[cluster[1]] == min(cluster)
    for alone in (*MOST, *LIPA, *KRUG):
        assert canonical[alone] == alone
    assert len(set(canonical.values())) == len(canonical) - 4


def test_list_orders_pending_first_and_names_both_records(store: Store) -> None:
    find_links(store)
    rows = list_links(store)
    assert [r.status for r in rows][:2] == ["pending", "pending"]
    sloga = next(r for r in rows if {r.actor_a, r.actor_b} == set(SLOGA))
    assert {sloga.name_a, sloga.name_b} == {"Задруга Слога", "Zadruga Sloga"}
    assert sloga.municipality == "Čačak"
    assert {sloga.sources_a, sloga.sources_b} == {("partners",), ("survey",)}
    assert "pending" not in [r.status for r in rows[2:]]
