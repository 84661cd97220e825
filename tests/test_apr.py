"""An APR register extract loaded through the bundled ``apr`` mapping, as a user meets it: a
Windows-1250 CSV with the messy rows real extracts have (ALL-CAPS names, matični broj with
dots, spaces or a lost leading zero, a PIB with a wrong check digit, a repeated MB, a seat the
gazetteer lacks, deleted entities) and a Cyrillic XLSX; entities keyed by their MB, legal
forms read from APR's wording, actor types following from the form, social-entrepreneurship
statuses with their date and register."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from typer.testing import CliRunner

from ssekg.cli import app
from ssekg.loaders import load_source
from ssekg.namespaces import DEFAULT_BASE, PLACE, concept
from ssekg.setup import initialise
from ssekg.store import open_store
from ssekg.store.base import Store

FIXTURES = Path(__file__).parent / "fixtures" / "tabular"
EXTRACT = FIXTURES / "apr-izvod.csv"
CYRILLIC = FIXTURES / "apr-izvod.xlsx"
runner = CliRunner()


def actor(mb: str) -> URIRef:
    return URIRef(f"{DEFAULT_BASE}actor/mb/{mb}")


def values(store: Store, subject: URIRef, path: str) -> set[str]:
    rows = store.query(f"SELECT ?v WHERE {{ ?a {path} ?v }}", bindings={"a": subject}).rows
    return {str(row["v"]) for row in rows}


def literals(store: Store, subject: URIRef, path: str) -> set[Literal]:
    rows = store.query(f"SELECT ?v WHERE {{ ?a {path} ?v }}", bindings={"a": subject}).rows
    return {row["v"] for row in rows}


@pytest.fixture
def store() -> Iterator[Store]:
    target = open_store("memory", base=DEFAULT_BASE)
    initialise(target)
    yield target
    target.close()


@pytest.fixture
def store_path(tmp_path: Path) -> str:
    path = str(tmp_path / "store")
    assert runner.invoke(app, ["init", "--store", path]).exit_code == 0
    return path


def test_the_extract_loads_its_valid_rows_and_sets_the_others_aside(
    store_path: str, tmp_path: Path
) -> None:
    reports = tmp_path / "reports"
    result = runner.invoke(
        app,
        ["load", str(EXTRACT), "--mapping", "apr", "--store", store_path,
         "--report-dir", str(reports)],
    )  # fmt: skip
    assert result.exit_code == 3, result.output
    assert "as source 'apr-izvod' (tabular, encoding cp1250): 9 records loaded, 3 quarantined" in (
        result.stdout
    )
    with (reports / "apr-izvod.quarantine.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    reasons = {(row["locator"], row["column"]): row for row in rows}
    assert set(reasons) == {("row 4", "PIB"), ("row 9", "Matični broj"), ("row 13", "Matični broj")}
    assert "check digit" in reasons[("row 4", "PIB")]["message_en"]
    assert "row 2" in reasons[("row 9", "Matični broj")]["message_en"]  # the first one
    assert "8 digits" in reasons[("row 13", "Matični broj")]["message_en"]
    assert reasons[("row 4", "PIB")]["message_sr"]
    # the deleted and the liquidated entities were loaded, and the user is told
    assert "row 7 [Status = Obrisan]: the register lists this entity as 'Obrisan'" in result.stderr
    assert "row 8 [Status = U likvidaciji]" in result.stderr
    assert "proverite da li još radi" in result.stderr
    assert "row 10 [Sedište = Gornja Mala]" in result.stderr


def test_without_a_mapping_the_apr_header_is_recognised(store_path: str, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["load", str(EXTRACT), "--store", store_path, "--report-dir", str(tmp_path)]
    )
    assert result.exit_code == 3, result.output
    assert "9 records loaded, 3 quarantined" in result.stdout
    result = runner.invoke(
        app, ["load", str(CYRILLIC), "--store", store_path, "--report-dir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "(tabular): 3 records loaded, 0 quarantined" in result.stdout


def test_entities_are_keyed_by_their_normalised_matični_broj(store: Store, tmp_path: Path) -> None:
    result = load_source(store, EXTRACT, mapping="apr", report_dir=tmp_path)
    assert (result.loaded, result.quarantined) == (9, 3)
    rows = store.query("SELECT ?a WHERE { GRAPH ?g { ?a a ssekg:Actor } }").rows
    assert {str(r["a"]) for r in rows} == {
        str(actor(mb))
        for mb in (
            "21045187",  # written 21.045.187
            "28155301",  # written 28 155 301
            "08123454",  # written 8123454: the spreadsheet lost the leading zero
            "66120449",
            "21307602",
            "28790112",
            "21455075",
            "27881238",
            "21900443",
        )
    }
    assert values(store, actor("21045187"), "ssekg:registrationNumber") == {"21045187"}
    assert values(store, actor("21045187"), "ssekg:taxNumber") == {"109321457"}
    lost_zero = [n for n in result.notes if n.locator == "row 5" and n.severity == "Warning"]
    assert lost_zero and "08123454" in lost_zero[0].message_en


def test_forms_types_places_and_statuses(store: Store, tmp_path: Path) -> None:
    load_source(store, EXTRACT, mapping="apr", report_dir=tmp_path)
    coop = actor("21045187")
    assert values(store, coop, "ssekg:legalName") == {'ZEMLJORADNIČKA ZADRUGA "SLOGA" KOVILJ'}
    assert "ZZ Sloga" in values(store, coop, "ssekg:name")
    assert values(store, coop, "ssekg:legalForm") == {concept("legal-form", "ZAD")}
    # the legal status makes it a social enterprise; its form, a cooperative
    assert values(store, coop, "ssekg:actorType") == {
        concept("actor-type", "SE"),
        concept("actor-type", "COOP"),
    }
    assert values(store, coop, "ssekg:hasStatus/ssekg:statusKind") == {
        concept("se-status-kind", "LEGAL")
    }
    assert values(store, coop, "ssekg:hasStatus/ssekg:grantedOn") == {"2022-12-20"}
    assert values(store, coop, "ssekg:hasStatus/ssekg:register") == {concept("register", "APR-RPS")}
    assert values(store, coop, "ssekg:municipality") == {str(PLACE["novi-sad"])}
    assert values(store, coop, "locn:address/locn:postName") == {"Kovilj"}
    assert values(store, coop, "locn:address/locn:postCode") == {"21243"}
    assert values(store, coop, "ssekg:registrationDate") == {"2016-03-14"}
    assert values(store, coop, "ssekg:activityCode") == {"0113"}
    assert values(store, coop, "ssekg:activity") == {concept("nace-section", "A")}

    association = actor("28155301")
    assert values(store, association, "ssekg:legalForm") == {concept("legal-form", "UDR")}
    assert values(store, association, "ssekg:hasStatus/ssekg:register") == {
        concept("register", "APR-RUDR")
    }
    assert values(store, association, "ssekg:municipality") == {str(PLACE["beograd-vracar"])}

    foundation = actor("08123454")
    assert values(store, foundation, "ssekg:actorType") == {concept("actor-type", "FOUND")}
    assert values(store, foundation, "ssekg:hasStatus") == set()  # "Ne": no status
    assert values(store, foundation, "ssekg:registrationDate") == {"2012-06-05"}

    expected = {
        "66120449": ("PR", "BUS"),
        "27881238": ("ZAD", "COOP"),
        "21900443": ("SPORT", "ASSOC"),
    }
    for mb, (form, kind) in expected.items():
        assert values(store, actor(mb), "ssekg:legalForm") == {concept("legal-form", form)}
        assert values(store, actor(mb), "ssekg:actorType") == {concept("actor-type", kind)}
    assert values(store, actor("21900443"), "ssekg:name") >= {"FK Sloboda"}
    assert values(store, actor("27881238"), "ssekg:municipality") == {
        str(PLACE["beograd-novi-beograd"])
    }
    # a seat the gazetteer lacks: loaded, without a municipality, with a warning
    assert values(store, actor("21455075"), "ssekg:municipality") == set()


def test_the_deleted_entities_are_loaded_with_a_warning(store: Store, tmp_path: Path) -> None:
    result = load_source(store, EXTRACT, mapping="apr", report_dir=tmp_path)
    ended = {n.locator: n for n in result.notes if n.severity == "Warning" and n.column == "Status"}
    assert set(ended) == {"row 7", "row 8"}
    assert ended["row 7"].value == "Obrisan"
    assert "registar ovaj subjekat vodi kao 'Obrisan'" in ended["row 7"].message_sr
    assert values(store, actor("21307602"), "ssekg:name")  # loaded all the same
    assert values(store, actor("21307602"), "ssekg:municipality") == {str(PLACE["nis-medijana"])}


def test_loading_the_extract_again_keeps_its_iris_and_triples(store: Store, tmp_path: Path) -> None:
    query = "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
    first = load_source(store, EXTRACT, mapping="apr", report_dir=tmp_path)
    before = store.query(query, bindings={"g": URIRef(first.graph)}).rows
    second = load_source(store, EXTRACT, mapping="apr", report_dir=tmp_path)
    after = store.query(query, bindings={"g": URIRef(second.graph)}).rows
    assert second.graph == first.graph

    def as_set(rows: list[dict[str, object]]) -> set[tuple[str, str, str]]:
        return {(str(r["s"]), str(r["p"]), str(r["o"])) for r in rows}

    assert as_set(after) == as_set(before)
    assert len(before) == first.triples


def test_a_cyrillic_workbook_keeps_names_as_given_and_adds_the_latin(
    store: Store, tmp_path: Path
) -> None:
    result = load_source(store, CYRILLIC, mapping="apr", report_dir=tmp_path)
    assert (result.loaded, result.quarantined) == (3, 0)
    coop = actor("20933119")
    assert literals(store, coop, "ssekg:legalName") == {Literal("ЗАДРУГА ЉУБИЧИЦА", lang="sr-Cyrl")}
    assert literals(store, coop, "ssekg:transliteratedName") == {
        Literal("ZADRUGA LJUBIČICA", lang="sr-Latn")
    }
    assert values(store, coop, "ssekg:legalForm") == {concept("legal-form", "ZAD")}
    assert values(store, coop, "ssekg:municipality") == {str(PLACE["kragujevac"])}
    assert values(store, coop, "ssekg:hasStatus/ssekg:grantedOn") == {"2023-01-10"}
    assert values(store, coop, "ssekg:registrationDate") == {"2017-05-04"}
    association = actor("07118392")
    assert literals(store, association, "ssekg:transliteratedName") == {
        Literal("UDRUŽENJE GRAĐANA NJIVA", lang="sr-Latn")
    }
    assert values(store, association, "ssekg:legalForm") == {concept("legal-form", "UDR")}
    assert values(store, association, "ssekg:municipality") == {str(PLACE["pancevo"])}
    bankrupt = [n for n in result.notes if n.column == "Status"]  # the mapping names it
    assert [n.value for n in bankrupt] == ["У стечају"]
    assert values(store, actor("28112203"), "ssekg:actorType") == {concept("actor-type", "FOUND")}
