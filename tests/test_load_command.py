"""``ssekg load`` for sources read record by record, as a user meets it: the loader is chosen
by suffix, content or --format, a partial load exits with 3 and leaves a quarantine report,
--strict stores nothing, and the summary line tells the encoding and the counts."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import RDF, Graph, URIRef
from rich.console import Console
from typer.testing import CliRunner

import ssekg.cli as cli
from ssekg.cli import app
from ssekg.loaders import detect_format
from ssekg.loaders.clean import name_literals
from ssekg.loaders.pipeline import SourceRecord
from ssekg.namespaces import PLACE, SSEKG, concept

FIXTURES = Path(__file__).parent / "fixtures" / "loading"
GEOJSON = FIXTURES / "initiatives.geojson"
runner = CliRunner()


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args))


@pytest.fixture(params=["disk", "virtuoso"])
def store(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new store, on disk or on the session's Virtuoso (under a base IRI of its own)."""
    path = str(tmp_path / "store")
    if request.param == "virtuoso":
        server = request.getfixturevalue("virtuoso")
        monkeypatch.setenv("SSEKG_BASE_IRI", server.new_base())
        path = server.url
    result = invoke("init", "--store", path)
    assert result.exit_code == 0, result.output
    return path


def actor_names(store: str) -> list[str]:
    result = invoke(
        "query",
        "SELECT ?name WHERE { ?a a ssekg:Actor ; ssekg:name ?name } ORDER BY ?name",
        "--format",
        "csv",
        "--store",
        store,
    )
    assert result.exit_code == 0, result.output
    # sorted here: engines order literals of different language tags differently (Virtuoso
    # does not put Latin before Cyrillic by code point every time)
    return sorted(row["name"] for row in csv.DictReader(io.StringIO(result.stdout)))


def test_a_partial_load_exits_3_and_leaves_a_report(store: str, tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    result = invoke("load", str(GEOJSON), "--store", store, "--report-dir", str(reports))
    assert result.exit_code == 3, result.output
    assert "(geojson, encoding utf-8): 2 records loaded, 1 quarantined" in result.stdout
    assert "feature 3" in result.stderr
    assert "izdvojeno" in result.stderr
    assert actor_names(store) == ["Grupa Komšije Dorćol", "Инкубатор Нови Сад"]
    with (reports / "initiatives.quarantine.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["locator"] for r in rows} == {"feature 3"}
    assert (
        json.loads((reports / "initiatives.quarantine.json").read_text("utf-8"))["quarantined"] == 1
    )


def test_strict_stores_nothing_and_exits_1(store: str, tmp_path: Path) -> None:
    result = invoke(
        "load", str(GEOJSON), "--strict", "--store", store, "--report-dir", str(tmp_path)
    )
    assert result.exit_code == 1
    assert "nothing was stored" in result.stderr
    assert "ništa nije sačuvano" in result.stderr
    assert "feature 3" in result.stderr
    assert actor_names(store) == []


def test_a_clean_load_exits_0_and_reloading_replaces(store: str, tmp_path: Path) -> None:
    data = json.loads(GEOJSON.read_text("utf-8"))
    data["features"] = data["features"][:2]
    clean = tmp_path / "initiatives.geojson"
    clean.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    first = invoke("load", str(clean), "--store", store, "--report-dir", str(tmp_path))
    assert first.exit_code == 0, first.output
    assert "2 records loaded, 0 quarantined" in first.stdout
    data["features"] = data["features"][:1]
    clean.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    again = invoke("load", str(clean), "--store", store, "--report-dir", str(tmp_path))
    assert again.exit_code == 0
    assert actor_names(store) == ["Инкубатор Нови Сад"]
    assert not (tmp_path / "initiatives.quarantine.csv").exists()


def test_the_format_can_be_told_when_the_suffix_does_not(store: str, tmp_path: Path) -> None:
    odd = tmp_path / "initiatives.data"
    shutil.copy(GEOJSON, odd)
    unknown = invoke("load", str(odd), "--store", store, "--report-dir", str(tmp_path))
    assert unknown.exit_code == 2
    assert "--format" in unknown.stderr
    told = invoke(
        "load", str(odd), "--format", "geojson", "--store", store, "--report-dir", str(tmp_path)
    )
    assert told.exit_code == 3, told.output


@pytest.mark.parametrize("store", ["disk"], indirect=True)  # refused before the store is used
def test_an_unknown_format_is_a_user_error(store: str) -> None:
    result = invoke("load", str(GEOJSON), "--format", "docx", "--store", store)
    assert result.exit_code == 2
    assert "docx" in result.stderr


@pytest.mark.parametrize("store", ["disk"], indirect=True)  # refused before the store is used
def test_a_source_id_that_cannot_name_a_graph_is_refused(store: str) -> None:
    result = invoke("load", str(GEOJSON), "--source-id", "Moj Izvor", "--store", store)
    assert result.exit_code == 2
    assert "lower-case" in result.stderr


def test_json_is_told_apart_by_its_content(tmp_path: Path) -> None:
    geojson = tmp_path / "a.json"
    shutil.copy(GEOJSON, geojson)
    assert detect_format(geojson) == "geojson"
    profile = tmp_path / "b.json"
    profile.write_text(json.dumps({"linked_schemas": ["x"], "name": "Zadruga"}), "utf-8")
    assert detect_format(profile) == "murmurations"
    jsonld = tmp_path / "c.json"
    jsonld.write_text(json.dumps({"@context": {}, "@id": "urn:x"}), "utf-8")
    assert detect_format(jsonld) == "rdf"
    assert detect_format(tmp_path / "d.csv", "turtle") == "rdf"


def test_a_table_without_mapping_must_match_a_bundled_one(store: str, tmp_path: Path) -> None:
    table = tmp_path / "spisak.csv"
    table.write_text("Kolona A;Kolona B\n1;2\n", encoding="utf-8")
    result = invoke("load", str(table), "--store", store, "--report-dir", str(tmp_path))
    assert result.exit_code == 2
    assert "--mapping" in result.stderr


def _table_records(base: str, source_id: str) -> Iterator[SourceRecord]:
    for key, name in (("1", "Задруга Љубичица"), ("2", "Zadruga Njiva")):
        subject = URIRef(f"{base}actor/{source_id}/{key}")
        graph = Graph()
        graph.add((subject, RDF.type, SSEKG.Actor))
        given, derived = name_literals(name)
        graph.add((subject, SSEKG.name, given))
        if derived is not None:
            graph.add((subject, SSEKG.transliteratedName, derived))
        graph.add((subject, SSEKG.actorType, URIRef(concept("actor-type", "COOP"))))
        graph.add((subject, SSEKG.municipality, PLACE["cacak"]))
        yield SourceRecord(key, f"row {int(key) + 1}", subject, graph, [])


def test_tables_go_through_their_mapping_and_the_summary_tells_the_encoding(
    store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ssekg.loaders.tabular as tabular

    calls: list[tuple[str, str]] = []

    def read_table(
        path: Path, base: str, *, mapping: object, source_id: str
    ) -> tuple[Iterator[SourceRecord], str | None]:
        calls.append((str(mapping), source_id))
        return _table_records(base, source_id), "cp1250"

    monkeypatch.setattr(tabular, "read_table", read_table)
    table = tmp_path / "Anketa 2026.csv"
    table.write_bytes("naziv\nZadruga\n".encode("cp1250"))
    mapping = tmp_path / "anketa.yaml"
    mapping.write_text("mapping: anketa\nfields: []\n", encoding="utf-8")
    result = invoke(
        "load",
        str(table),
        "--mapping",
        str(mapping),
        "--store",
        store,
        "--report-dir",
        str(tmp_path),
    )
    assert result.exit_code == 0, result.output
    assert calls == [(str(mapping), "anketa-2026")]
    assert "as source 'anketa-2026' (tabular, encoding cp1250): 2 records loaded" in result.stdout
    used = invoke(
        "query",
        "SELECT ?name WHERE { ?load prov:used ?m . ?m dct:source ?name }",
        "--format",
        "csv",
        "--store",
        store,
    )
    assert "anketa.yaml" in used.stdout
    assert "Anketa 2026.csv" in used.stdout


def test_a_progress_bar_shows_on_a_terminal_only(
    store: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    quiet = invoke("load", str(GEOJSON), "--store", store, "--report-dir", str(tmp_path))
    assert "records / zapisa" not in quiet.stderr
    screen = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=screen, force_terminal=True, width=100))
    shown = invoke("load", str(GEOJSON), "--store", store, "--report-dir", str(tmp_path))
    assert shown.exit_code == 3
    assert "records / zapisa" in screen.getvalue()


def test_the_load_ends_with_a_table_of_read_loaded_quarantined_linked_and_warnings(
    store: str, tmp_path: Path
) -> None:
    survey = Path(__file__).parent / "fixtures" / "tabular" / "survey-answers.csv"
    twin = tmp_path / "partner-copy.csv"
    shutil.copy(survey, twin)

    def table_of(result) -> dict[str, int]:  # type: ignore[no-untyped-def]
        rows = {}
        for line in result.stdout.splitlines():
            cells = [c.strip() for c in line.strip("│ ").split("│")]
            if len(cells) == 2 and cells[1].isdigit():
                rows[cells[0].split(" / ")[0]] = int(cells[1])
        return rows

    first = invoke("load", str(survey), "--store", store, "--report-dir", str(tmp_path))
    assert first.exit_code == 3, first.output
    counts = table_of(first)
    assert counts == {"read": 10, "loaded": 5, "quarantined": 5, "linked": 0,
                      "warnings": counts["warnings"]}  # fmt: skip
    assert counts["warnings"] > 0
    assert "Load summary / Sažetak učitavanja" in first.stdout
    # a second source with the same actors, linked by their MB, then the first loaded again
    invoke("load", str(twin), "--store", store, "--report-dir", str(tmp_path))
    assert invoke("links", "find", "--store", store).exit_code == 0
    again = invoke("load", str(survey), "--store", store, "--report-dir", str(tmp_path))
    # actors with a matični broj get the same IRI in both sources and need no link; the one
    # without (an informal group in Vranje) is linked to its twin by its name
    assert table_of(again)["linked"] == 1
    assert table_of(again)["loaded"] == 5
