"""RDF in the ESSGLOBAL vocabulary (RIPESS, DigitalCommons datasets) loaded with ``ssekg load``:
initiatives become ssekg actors with ssekg concepts, keep their ESSGLOBAL statements under the
canonical IRIs and a link to their own IRI, and every RDF syntax gives the same result."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from typer.testing import CliRunner

from ssekg.cli import app
from ssekg.errors import ValidationFailed
from ssekg.loaders import load_source
from ssekg.loaders.essglobal import (
    canonical_iri,
    concepts_for,
    crosswalk_essglobal,
    uses_essglobal,
)
from ssekg.namespaces import DEFAULT_BASE, PLACE, SCHEMA, SSEKG, concept
from ssekg.setup import initialise
from ssekg.store import open_store
from ssekg.store.base import Store

from .conftest import FIXTURES

DCC = FIXTURES / "networks" / "essglobal-initiatives.ttl"
BASE = DEFAULT_BASE
PURL = "http://purl.org/essglobal/"
runner = CliRunner()


def actor(key: str) -> URIRef:
    return URIRef(f"{BASE}actor/dcc/lod-coop-example-coops-{key}")


def values(store: Store, subject: URIRef, path: str) -> set[str]:
    rows = store.query(f"SELECT ?v WHERE {{ ?a {path} ?v }}", bindings={"a": subject}).rows
    return {str(row["v"]) for row in rows}


@pytest.fixture
def loaded(tmp_path: Path) -> Store:
    """The fixture loaded with the command line into a store on disk."""
    path = str(tmp_path / "store")
    assert runner.invoke(app, ["init", "--store", path]).exit_code == 0
    result = runner.invoke(app, ["load", str(DCC), "--source-id", "dcc", "--store", path])
    assert result.exit_code == 0, result.output
    return open_store(path)


def test_initiatives_become_actors_with_their_own_iri_kept(loaded: Store) -> None:
    rows = loaded.query("SELECT ?a WHERE { GRAPH ?g { ?a a ssekg:Actor } }").rows
    assert {URIRef(str(r["a"])) for r in rows} == {
        actor("r000001"),
        actor("r000002"),
        actor("n000001"),
    }
    printers = actor("r000001")
    assert values(loaded, printers, "schema:sameAs") == {
        "https://lod.coop/example-coops/R000001",
        "https://find-and-update.company-information.example.uk/company/IP012345",
    }
    assert values(loaded, printers, "ssekg:name") == {"Calder Valley Printing Co-operative"}
    assert values(loaded, printers, "schema:url") == {"https://calder-print.example.coop/"}
    assert values(loaded, printers, "schema:contactPoint/schema:email") == {
        "mailto:info@calder-print.example.coop"
    }
    assert values(loaded, printers, "schema:contactPoint/schema:telephone") == {"+441422842000"}
    # the point sits on the postcode unit the address is within, as DCC publishes it
    assert values(loaded, printers, "geo:hasGeometry/geo:asWKT") == {"POINT(-2.0134 53.7422)"}
    assert values(loaded, printers, "locn:address/schema:addressCountry") == {"GB"}
    assert values(loaded, printers, "locn:address/locn:postName") == {"Hebden Bridge"}


def test_essglobal_concepts_become_ssekg_concepts(loaded: Store) -> None:
    printers = actor("r000001")
    assert values(loaded, printers, "ssekg:actorType") == {concept("actor-type", "COOP")}  # OS60
    assert values(loaded, printers, "ssekg:activity") == {concept("nace-section", "C")}  # ICA90
    assert values(loaded, printers, "ssekg:practice") == {concept("practice", "FAIR-TRADE")}
    # a British co-operative gets no Serbian legal form (zadruga)
    assert values(loaded, printers, "ssekg:legalForm") == set()
    network = actor("n000001")
    assert values(loaded, network, "ssekg:actorType") == {concept("actor-type", "ASSOC")}  # L4
    assert values(loaded, network, "ssekg:practice") == {concept("practice", "ADVOCACY")}  # AM20


def test_a_serbian_initiative_gets_legal_form_municipality_and_both_scripts(
    loaded: Store,
) -> None:
    berries = actor("r000002")
    assert values(loaded, berries, "ssekg:actorType") == {concept("actor-type", "COOP")}
    assert values(loaded, berries, "ssekg:legalForm") == {concept("legal-form", "ZAD")}  # OS90
    assert values(loaded, berries, "ssekg:activity") == {concept("nace-section", "A")}  # AM130
    assert values(loaded, berries, "ssekg:municipality") == {str(PLACE["cajetina"])}
    names = loaded.query(
        "SELECT ?n WHERE { ?a ssekg:name|ssekg:transliteratedName ?n }", bindings={"a": berries}
    ).rows
    assert {row["n"] for row in names} == {
        Literal("Задруга Сунчани брег", lang="sr-Cyrl"),
        Literal("Zadruga Sunčani breg", lang="sr-Latn"),
    }
    goals = loaded.query("SELECT ?g WHERE { ?a ssekg:socialGoal ?g }", bindings={"a": berries})
    assert [row["g"] for row in goals.rows] == [
        Literal("Fer otkup maline za male proizvođače.", lang="sr-Latn")
    ]
    assert values(loaded, berries, "schema:contactPoint/schema:telephone") == {"+38131841234"}


def test_the_essglobal_statements_stay_under_the_canonical_iris(loaded: Store) -> None:
    printers = actor("r000001")
    assert values(loaded, printers, "essglobal:organisationalStructure") == {
        f"{PURL}standard/organisational-structure/OS60"
    }
    assert values(loaded, printers, "essglobal:baseMembershipType") == {
        f"{PURL}standard/base-membership-type/BMT30"
    }
    assert values(loaded, printers, "a") >= {f"{PURL}vocab/SSEInitiative"}
    lod = loaded.query("ASK { GRAPH ?g { ?s ?p ?o FILTER(CONTAINS(STR(?p), 'lod.coop')) } }")
    assert not lod.boolean


@pytest.mark.parametrize(
    ("fmt", "suffix"), [("xml", ".rdf"), ("json-ld", ".jsonld"), ("nt", ".nt")]
)
def test_every_rdf_syntax_gives_the_same_actors(tmp_path: Path, fmt: str, suffix: str) -> None:
    def source_graph(path: Path) -> set[tuple[str, str, str]]:
        store = open_store("memory", base=BASE)
        initialise(store)
        result = load_source(store, path, source_id="dcc")
        rows = store.query(
            "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }", named_graphs=[result.graph]
        ).rows
        return {(str(r["s"]), str(r["p"]), str(r["o"])) for r in rows}

    other = tmp_path / f"dcc{suffix}"
    Graph().parse(DCC).serialize(other, format=fmt, encoding="utf-8")
    turtle = source_graph(DCC)
    assert len(turtle) > 50
    assert source_graph(other) == turtle


def test_an_initiative_of_unknown_kind_stops_the_whole_rdf_load(tmp_path: Path) -> None:
    source = tmp_path / "unknown.ttl"
    source.write_text(
        DCC.read_text(encoding="utf-8")
        + '\n:R000003 a essglobal:SSEInitiative ; gr:name "Hebden Green Spaces" .\n',
        encoding="utf-8",
    )
    store = open_store("memory", base=BASE)
    initialise(store)
    before = store.count()
    with pytest.raises(ValidationFailed) as caught:
        load_source(store, source, source_id="dcc")
    assert any("actor type" in issue.message_en for issue in caught.value.report.results)
    assert store.count() == before  # RDF is loaded whole or not at all


def test_crosswalked_data_loaded_again_stays_as_it_is() -> None:
    graph = Graph().parse(DCC)
    once = crosswalk_essglobal(graph, BASE, "dcc")
    assert uses_essglobal(once)  # it keeps its ESSGLOBAL statements
    assert set(crosswalk_essglobal(once, BASE, "dcc")) == set(once)


def test_an_ssekg_actor_in_the_essglobal_view_keeps_its_iri() -> None:
    ours = URIRef(f"{BASE}actor/mb/08765432")
    data = f"""
        @prefix essglobal: <https://lod.coop/essglobal/2.1/vocab/> .
        @prefix gr: <http://purl.org/goodrelations/v1#> .
        <{ours}> a essglobal:SSEInitiative ; gr:name "Sindikat Solidarnost rada" ."""
    out = crosswalk_essglobal(Graph().parse(data=data, format="turtle"), BASE, "view")
    assert (ours, SSEKG.actorType, URIRef(concept("actor-type", "TU"))) in out  # by its name
    assert (ours, SCHEMA.sameAs, None) not in out


def test_essglobal_is_told_under_any_of_its_bases() -> None:
    for base in (
        "https://lod.coop/essglobal/2.1/",
        "https://dev.lod.coop/essglobal/2.1/",
        "https://lod.coop/essglobal/V2a/",
        "http://purl.org/essglobal/",
    ):
        assert canonical_iri(f"{base}standard/legal-form/L2") == f"{PURL}standard/legal-form/L2"
        graph = Graph()
        graph.add((URIRef("urn:x"), URIRef(f"{base}vocab/legalForm"), URIRef("urn:y")))
        assert uses_essglobal(graph)
    plain = Graph().parse(data='<urn:a> <https://schema.org/name> "x" .', format="nt")
    assert not uses_essglobal(plain)
    assert canonical_iri("https://example.org/x") == "https://example.org/x"


def test_an_ambiguous_essglobal_concept_gives_no_concept_of_that_scheme() -> None:
    taken, ambiguous = concepts_for(f"{PURL}standard/activities-modified/AM70")  # goods/services
    assert "practice" in ambiguous and "practice" not in taken
    taken, ambiguous = concepts_for(
        "https://lod.coop/essglobal/2.1/standard/organisational-structure/OS20"
    )
    assert taken["actor-type"] == ["ASSOC"] and not ambiguous  # preferred over FOUND
