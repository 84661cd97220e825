"""Committing a source's records as a user meets it: valid records land in the source's graph,
invalid ones are set aside in a report that names the row, the column and the value, a strict
load stores nothing, a failed load leaves the store as it was, and loading a source again
replaces it."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, URIRef

import ssekg.loaders.pipeline as pipeline
from ssekg.errors import InputError, ValidationFailed
from ssekg.loaders.clean import Problem
from ssekg.loaders.pipeline import LoadResult, SourceRecord, commit_records, record_iri
from ssekg.namespaces import DEFAULT_BASE, ORG, PLACE, SCHEMA, SSEKG, concept
from ssekg.setup import initialise
from ssekg.store import open_store
from ssekg.store.base import Store

BASE = DEFAULT_BASE
SOURCE = "anketa-2026"
BAD_PIB = "123456789"  # nine digits, wrong check digit: a Violation of the shapes


def actor_record(
    key: str,
    *,
    name: str | None = None,
    pib: str | None = None,
    actor_type: bool = True,
    contact_person: str | None = None,
    member_of: str | None = None,
    problems: list[Problem] | None = None,
) -> SourceRecord:
    subject = URIRef(f"{BASE}actor/{SOURCE}/{key}")
    graph = Graph()
    graph.add((subject, RDF.type, SSEKG.Actor))
    graph.add((subject, SSEKG.name, Literal(name or f"Zadruga {key}", lang="sr-Latn")))
    graph.add((subject, SSEKG.municipality, PLACE["novi-sad"]))
    if actor_type:
        graph.add((subject, SSEKG.actorType, URIRef(concept("actor-type", "COOP"))))
    if pib is not None:
        graph.add((subject, SSEKG.taxNumber, Literal(pib)))
    if contact_person is not None:
        person = URIRef(f"{subject}/person/1")
        graph.add((subject, SSEKG.contactPerson, person))
        graph.add((person, RDF.type, SCHEMA.Person))
        graph.add((person, SCHEMA.name, Literal(contact_person)))
    if member_of is not None:
        network = URIRef(f"{BASE}actor/{SOURCE}/{member_of}")
        membership = URIRef(f"{BASE}membership/{key}/{member_of}")
        graph.add((subject, ORG.memberOf, network))
        graph.add((membership, RDF.type, SSEKG.Membership))
        graph.add((membership, ORG.member, subject))
        graph.add((membership, ORG.organization, network))
    return SourceRecord(key, f"row {int(key) + 1}", subject, graph, problems or [])


@pytest.fixture(params=["memory", "virtuoso"])
def store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """A new store, in memory or on the session's Virtuoso under a base IRI of its own (the
    records' IRIs follow it: BASE is read when a record is built)."""
    if request.param == "virtuoso":
        server = request.getfixturevalue("virtuoso")
        monkeypatch.setattr(sys.modules[__name__], "BASE", server.new_base())
        target = open_store(server.url, base=BASE)
    else:
        target = open_store("memory", base=BASE)
    initialise(target)
    yield target
    target.close()


@pytest.fixture
def source_file(tmp_path: Path) -> Path:
    path = tmp_path / "anketa.csv"
    path.write_text("naziv;pib\nZadruga 1;\n", encoding="utf-8")
    return path


def load(
    store: Store, records: list[SourceRecord], source_file: Path, **options: object
) -> LoadResult:
    options.setdefault("report_dir", source_file.parent / "reports")
    return commit_records(
        store,
        records,
        source_id=SOURCE,
        files=[source_file],
        loader="tabular",
        **options,  # type: ignore[arg-type]
    )


def actors(store: Store) -> set[str]:
    result = store.query("SELECT ?a WHERE { ?a a ssekg:Actor }")
    return {str(row["a"]) for row in result.rows}


def dump(store: Store) -> bytes:
    buffer = io.BytesIO()
    store.dump(buffer, include_private=True)
    return b"\n".join(sorted(buffer.getvalue().splitlines()))


def names(keys: list[str]) -> set[str]:
    return {f"{BASE}actor/{SOURCE}/{k}" for k in keys}


# --- valid records are committed, invalid ones quarantined -----------------------------------


def test_valid_records_are_loaded_and_invalid_ones_quarantined(
    store: Store, source_file: Path
) -> None:
    records = [actor_record("1"), actor_record("2", pib=BAD_PIB), actor_record("3")]
    result = load(store, records, source_file)
    assert (result.loaded, result.quarantined, result.partial) == (2, 1, True)
    assert actors(store) == names(["1", "3"])
    (entry,) = result.quarantine
    assert (entry.record, entry.locator, entry.column, entry.value) == (
        "2",
        "row 3",
        "ssekg:taxNumber",
        BAD_PIB,
    )
    assert "PIB" in entry.message_en and "PIB" in entry.message_sr


def test_the_quarantine_report_names_record_row_column_value_in_both_languages(
    store: Store, source_file: Path
) -> None:
    records = [actor_record("1", pib=BAD_PIB), actor_record("2", actor_type=False)]
    records.append(actor_record("3"))
    reports = source_file.parent / "reports"
    load(store, records, source_file, report_dir=reports)
    with (reports / f"{SOURCE}.quarantine.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["record"], r["locator"], r["column"]) for r in rows] == [
        ("1", "row 2", "ssekg:taxNumber"),
        ("2", "row 3", "ssekg:actorType"),
    ]
    assert rows[0]["value"] == BAD_PIB
    assert all(r["message_en"] and r["message_sr"] for r in rows)
    assert rows[0]["message_en"] != rows[0]["message_sr"]
    body = json.loads((reports / f"{SOURCE}.quarantine.json").read_text(encoding="utf-8"))
    assert body["quarantined"] == 2
    assert [r["locator"] for r in body["records"]] == ["row 2", "row 3"]
    assert body["records"][0]["problems"][0]["value"] == BAD_PIB


def test_a_violation_found_while_cleaning_quarantines_the_record(
    store: Store, source_file: Path
) -> None:
    cleaning = Problem("Violation", "Palilula is ambiguous.", "Palilula je dvosmislena.", "opština")
    note = Problem("Warning", "MB check digit.", "Kontrolna cifra MB.", "mb", "28945197")
    records = [actor_record("1", problems=[cleaning]), actor_record("2", problems=[note])]
    result = load(store, records, source_file)
    assert actors(store) == names(["2"])
    assert [(q.record, q.column) for q in result.quarantine] == [("1", "opština")]
    assert [(n.record, n.column, n.value) for n in result.notes] == [("2", "mb", "28945197")]
    assert result.warnings >= 1


def test_a_record_that_could_not_be_read_is_quarantined(store: Store, source_file: Path) -> None:
    unreadable = SourceRecord("7", "row 8", None, Graph(), [])
    result = load(store, [actor_record("1"), unreadable], source_file)
    assert result.loaded == 1
    assert [q.locator for q in result.quarantine] == ["row 8"]


def test_a_value_that_is_no_iri_sets_its_record_aside_not_the_load(
    store: Store, source_file: Path
) -> None:
    broken = actor_record("1")
    broken.graph.add((broken.subject, SCHEMA.url, URIRef("http://x.rs/a[1]")))  # type: ignore[arg-type]
    result = load(store, [broken, actor_record("2")], source_file)
    assert actors(store) == names(["2"])
    (entry,) = result.quarantine
    assert entry.value == "http://x.rs/a[1]"


def test_repeated_actors_and_keys_are_quarantined_naming_the_first_row(
    store: Store, source_file: Path
) -> None:
    first = actor_record("1")
    again = actor_record("1")
    again.locator = "row 9"
    result = load(store, [first, again, actor_record("2")], source_file)
    assert result.loaded == 2
    (entry,) = result.quarantine
    assert entry.locator == "row 9"
    assert "row 2" in entry.message_en and "row 2" in entry.message_sr


def test_a_record_that_points_at_a_quarantined_one_is_quarantined_too(
    store: Store, source_file: Path
) -> None:
    network = actor_record("5", pib=BAD_PIB)
    member = actor_record("6", member_of="5")
    result = load(store, [network, member, actor_record("7")], source_file)
    assert actors(store) == names(["7"])
    assert {q.record for q in result.quarantine} == {"5", "6"}
    assert result.report.conforms


def test_nothing_is_written_and_old_reports_go_when_nothing_is_quarantined(
    store: Store, source_file: Path
) -> None:
    reports = source_file.parent / "reports"
    load(store, [actor_record("1", pib=BAD_PIB), actor_record("2")], source_file)
    assert (reports / f"{SOURCE}.quarantine.csv").is_file()
    result = load(store, [actor_record("1"), actor_record("2")], source_file)
    assert not result.partial
    assert result.report_files == []
    assert not (reports / f"{SOURCE}.quarantine.csv").exists()
    assert not (reports / f"{SOURCE}.quarantine.json").exists()


# --- validation is batched -------------------------------------------------------------------


def test_many_records_are_validated_in_one_run(
    store: Store, source_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    real = pipeline.validate_staged

    def counting(staging: object) -> object:
        calls.append(len(staging))  # type: ignore[arg-type]
        return real(staging)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "validate_staged", counting)
    records = [actor_record(str(i)) for i in range(40)] + [actor_record("99", pib=BAD_PIB)]
    result = load(store, records, source_file)
    assert len(calls) == 1
    assert (result.loaded, result.quarantined) == (40, 1)


# --- strict mode and failures ----------------------------------------------------------------


def test_strict_mode_stores_nothing_when_a_record_is_invalid(
    store: Store, source_file: Path
) -> None:
    load(store, [actor_record("1")], source_file)
    before = dump(store)
    with pytest.raises(ValidationFailed) as caught:
        load(store, [actor_record("2"), actor_record("3", pib=BAD_PIB)], source_file, strict=True)
    assert dump(store) == before
    assert "--strict" in caught.value.en
    report = caught.value.report
    assert report is not None and "row 4" in report.to_text("en")  # type: ignore[attr-defined]
    assert (source_file.parent / "reports" / f"{SOURCE}.quarantine.csv").is_file()


def test_a_source_without_a_valid_record_stores_nothing(store: Store, source_file: Path) -> None:
    load(store, [actor_record("1")], source_file)
    before = dump(store)
    with pytest.raises(ValidationFailed) as caught:
        load(store, [actor_record("2", pib=BAD_PIB)], source_file)
    assert caught.value.exit_code == 1
    assert dump(store) == before
    assert actors(store) == names(["1"])


def test_a_source_without_records_is_a_user_error(store: Store, source_file: Path) -> None:
    with pytest.raises(InputError) as caught:
        load(store, [], source_file)
    assert caught.value.exit_code == 2
    assert source_file.name in caught.value.en


@pytest.mark.parametrize("store", ["memory"], indirect=True)  # refused before the store is used
@pytest.mark.parametrize("source_id", ["Anketa", "anketa_2026", "", "-x", "a/b"])
def test_a_source_id_that_cannot_be_a_graph_name_is_refused(
    store: Store, source_file: Path, source_id: str
) -> None:
    with pytest.raises(InputError):
        commit_records(
            store, [actor_record("1")], source_id=source_id, files=[source_file], loader="t"
        )


def test_a_failure_in_the_middle_of_the_commit_leaves_the_store_as_it_was(
    store: Store, source_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load(store, [actor_record("1", contact_person="Milica Primer")], source_file)
    before = dump(store)
    real = pipeline._provenance

    def failing(*args: object, **kwargs: object) -> Iterator[tuple[object, object, object]]:
        triples = real(*args, **kwargs)  # type: ignore[arg-type]
        yield from triples[:3]
        raise RuntimeError("disk full")

    monkeypatch.setattr(pipeline, "_provenance", failing)
    records = [actor_record("2", contact_person="Petar Primer"), actor_record("3")]
    with pytest.raises(RuntimeError):
        load(store, records, source_file)
    assert dump(store) == before


# --- provenance, personal data, re-loading ---------------------------------------------------


def test_each_actor_traces_to_its_record_and_the_load_to_its_file(
    store: Store, source_file: Path
) -> None:
    load(store, [actor_record("1"), actor_record("2")], source_file, encoding="cp1250")
    record = record_iri(BASE, SOURCE, "1")
    actor = URIRef(f"{BASE}actor/{SOURCE}/1")
    found = store.query(
        "SELECT ?key ?locator ?source WHERE { ?actor prov:wasDerivedFrom ?r ; "
        "ssekg:sourceRecord ?r . ?r a ssekg:SourceRecord ; ssekg:recordKey ?key ; "
        "ssekg:sourceLocator ?locator ; dct:isPartOf ?source . ?source a ssekg:Source }",
        bindings={"actor": actor, "r": record},
    ).rows
    assert [(str(r["key"]), str(r["locator"])) for r in found] == [("1", "row 2")]
    assert str(found[0]["source"]) == f"{BASE}source/{SOURCE}"
    activity = store.query(
        "SELECT ?agent ?result ?name ?format WHERE { GRAPH ?meta { ?load a prov:Activity ; "
        "prov:generated ?graph ; prov:wasAssociatedWith ?agent ; schema:result ?result ; "
        "prov:used ?file . ?file dct:source ?name ; dct:format ?format } }",
        bindings={
            "meta": URIRef(store.graphs_of.meta),
            "graph": URIRef(store.graphs_of.source(SOURCE)),
        },
    ).rows
    (row,) = activity
    assert str(row["agent"]).startswith("https://w3id.org/ssekg/loader/tabular/")
    assert str(row["name"]) == "anketa.csv"
    assert str(row["format"]) == "text/csv; charset=cp1250"
    assert "2 records loaded, 0 quarantined" in str(row["result"])


def test_the_validation_of_the_store_accepts_what_was_loaded(
    store: Store, source_file: Path
) -> None:
    from ssekg.validation import validate_store

    load(store, [actor_record("1"), actor_record("2", pib=BAD_PIB)], source_file)
    assert validate_store(store).conforms


def test_contact_persons_go_to_the_private_graph(store: Store, source_file: Path) -> None:
    result = load(store, [actor_record("1", contact_person="Milica Primer")], source_file)
    assert result.private_triples == 3
    public = store.query("ASK { ?p <https://schema.org/name> 'Milica Primer' }")
    assert public.boolean is False
    private = store.query(
        "ASK { GRAPH ?g { ?p <https://schema.org/name> 'Milica Primer' } }",
        bindings={"g": URIRef(f"{store.graphs_of.private}/source/{SOURCE}")},
        include_private=True,
    )
    assert private.boolean is True


def test_loading_a_source_again_replaces_it(store: Store, source_file: Path) -> None:
    load(store, [actor_record(k, contact_person=f"Osoba {k}") for k in "123"], source_file)
    load(store, [actor_record("1", name="Zadruga Nova"), actor_record("4")], source_file)
    assert actors(store) == names(["1", "4"])
    found = store.query(
        "SELECT ?name WHERE { ?a ssekg:name ?name }",
        bindings={"a": URIRef(f"{BASE}actor/{SOURCE}/1")},
    ).rows
    assert [str(r["name"]) for r in found] == ["Zadruga Nova"]
    persons = store.query(
        "SELECT ?p WHERE { GRAPH ?g { ?p a schema:Person } }", include_private=True
    ).rows
    assert persons == []
    loads = store.query("SELECT ?l WHERE { ?l a prov:Activity }").rows
    assert len(loads) == 2


def test_offers_without_their_own_record_get_the_actors(store: Store, source_file: Path) -> None:
    record = actor_record("1")
    offer = URIRef(f"{record.subject}/offer/MARKETING")
    record.graph.add((record.subject, SSEKG.offers, offer))  # type: ignore[arg-type]
    record.graph.add((offer, RDF.type, SSEKG.CapacityOffer))
    record.graph.add((offer, SSEKG.capacityArea, URIRef(concept("capacity-area", "MARKETING"))))
    result = load(store, [record], source_file)
    assert result.loaded == 1
    found = store.query(
        "ASK { ?o prov:wasDerivedFrom ?r }",
        bindings={"o": offer, "r": record_iri(BASE, SOURCE, "1")},
    )
    assert found.boolean is True


def test_progress_is_told_of_every_record(store: Store, source_file: Path) -> None:
    seen: list[int] = []
    load(store, [actor_record(str(i)) for i in range(5)], source_file, progress=seen.append)
    assert sum(seen) == 5
