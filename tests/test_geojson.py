"""TransforMap / SUSY GeoJSON as a user loads it: every feature is loaded or set aside with a
reason, foreign initiatives keep their own country ("SR" in SUSY is Slovakia), categories give
concepts, points land where they are, and Serbian places are matched with the gazetteer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from ssekg.loaders import load_source
from ssekg.loaders.geojson import read_geojson
from ssekg.loaders.networks import resolve_country
from ssekg.loaders.pipeline import LoadResult
from ssekg.namespaces import DEFAULT_BASE, PLACE, concept
from ssekg.setup import initialise
from ssekg.store import open_store
from ssekg.store.base import Store

from .conftest import FIXTURES, SHARED

SAMPLE = FIXTURES / "networks" / "susy-sample.geojson"
SUSY = SHARED / "datasets" / "susy-ssedas.geojson"
BASE = DEFAULT_BASE


def actor(source_id: str, feature_id: str) -> URIRef:
    return URIRef(f"{BASE}actor/{source_id}/{feature_id}")


def facts(store: Store, subject: URIRef) -> dict[str, set[str]]:
    """What the store says of an actor, its address and its geometry, by property name."""
    rows = store.query(
        """SELECT ?p ?o WHERE {
             { ?a ?p ?o } UNION { ?a locn:address ?n . ?n ?p ?o }
             UNION { ?a geo:hasGeometry ?n . ?n ?p ?o }
             UNION { ?a schema:contactPoint ?n . ?n ?p ?o }
           }""",
        bindings={"a": subject},
    ).rows
    found: dict[str, set[str]] = {}
    for row in rows:
        name = str(row["p"]).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        found.setdefault(name, set()).add(str(row["o"]))
    return found


@pytest.fixture
def store() -> Iterator[Store]:
    target = open_store("memory", base=BASE)
    initialise(target)
    yield target
    target.close()


@pytest.fixture
def sample(store: Store, tmp_path: Path) -> LoadResult:
    return load_source(store, SAMPLE, source_id="susy", report_dir=tmp_path)


def test_records_come_in_file_order_with_their_feature_ids() -> None:
    records = list(read_geojson(SAMPLE, BASE, source_id="susy"))
    features = json.loads(SAMPLE.read_text(encoding="utf-8"))["features"]
    assert [r.key for r in records] == [f["properties"]["_id"] for f in features]
    assert [r.locator for r in records] == [f"feature {n}" for n in range(1, len(features) + 1)]


def test_every_sample_feature_is_loaded_or_set_aside_with_a_reason(
    sample: LoadResult, tmp_path: Path
) -> None:
    assert (sample.loaded, sample.quarantined) == (6, 3)
    reasons: dict[str, str] = {}
    for entry in sample.quarantine:
        reasons[entry.locator] = reasons.get(entry.locator, "") + entry.message_en
    assert "slowfood" in reasons["feature 7"]  # no kind of actor: reported, not guessed
    assert "no name" in reasons["feature 8"]
    assert "already used by feature 2" in reasons["feature 9"]
    report = json.loads((tmp_path / "susy.quarantine.json").read_text(encoding="utf-8"))
    assert report["quarantined"] == 3


def test_sr_is_slovakia_in_susy_and_foreign_records_keep_their_country(
    sample: LoadResult, store: Store
) -> None:
    slovak = facts(store, actor("susy", "5b12a0c1d2e3f4a5b6c7d8e9f0a1b201"))
    assert slovak["addressCountry"] == {"SK"}
    assert "municipality" not in slovak  # a foreign place is not looked up in the gazetteer
    assert slovak["telephone"] == {"+421905123456"}
    assert slovak["actorType"] == {concept("actor-type", "ASSOC")}  # "o.z." in the name
    assert slovak["practice"] == {concept("practice", "CULTURE-COMMONS")}
    assert slovak["targetGroup"] == {concept("target-group", "VULNERABLE")}
    assert slovak["asWKT"] == {"POINT(19.1462 48.5762)"}
    greek = facts(store, actor("susy", "5b12a0c1d2e3f4a5b6c7d8e9f0a1b206"))
    assert greek["addressCountry"] == {"GR"}
    assert greek["postName"] == {"Χαλάνδρι"}
    austrian = facts(store, actor("susy", "5b12a0c1d2e3f4a5b6c7d8e9f0a1b202"))
    assert austrian["addressCountry"] == {"AT"}
    assert austrian["telephone"] == {"+4316041234"}  # a Viennese number, not a Serbian one
    assert austrian["description"] == {
        "Jeden zweiten Samstag reparieren Freiwillige Radios, Fahrräder und Kleidung."
    }


def test_sr_outside_susy_is_suriname() -> None:
    assert resolve_country("SR").code == "SR"
    assert resolve_country("SR", convention="susy").code == "SK"


def test_a_serbian_feature_gets_its_municipality_and_both_scripts(
    sample: LoadResult, store: Store
) -> None:
    subject = actor("susy", "5b12a0c1d2e3f4a5b6c7d8e9f0a1b203")
    serbian = facts(store, subject)
    assert serbian["municipality"] == {str(PLACE["zrenjanin"])}
    assert serbian["actorType"] == {concept("actor-type", "COOP")}
    assert serbian["telephone"] == {"+38123512345"}
    names = store.query(
        "SELECT ?n WHERE { ?a ssekg:name|ssekg:transliteratedName ?n }", bindings={"a": subject}
    ).rows
    assert {row["n"] for row in names} == {
        Literal("Задруга Банатски хлеб", lang="sr-Cyrl"),
        Literal("Zadruga Banatski hleb", lang="sr-Latn"),
    }


def test_swapped_coordinates_are_put_back_with_a_warning(sample: LoadResult, store: Store) -> None:
    london = facts(store, actor("susy", "5b12a0c1d2e3f4a5b6c7d8e9f0a1b204"))
    assert london["asWKT"] == {"POINT(-0.2291 51.4926)"}
    assert london["addressCountry"] == {"GB"}  # "England"
    notes = [n.message_en for n in sample.notes if n.locator == "feature 4"]
    assert any("swapped back" in n for n in notes)


def test_a_missing_country_is_taken_from_the_phone_number(sample: LoadResult, store: Store) -> None:
    graz = facts(store, actor("susy", "5b12a0c1d2e3f4a5b6c7d8e9f0a1b205"))
    assert graz["addressCountry"] == {"AT"}
    assert graz["telephone"] == {"+433165550101"}
    assert graz["practice"] == {concept("practice", "TIME-BANK")}
    assert {"Zeitbank", "Nachbarschaft"} <= graz["keywords"]
    notes = {n.message_en for n in sample.notes if n.locator == "feature 5"}
    assert any("taken from the country code of the phone" in n for n in notes)
    assert any("'update6'" in n for n in notes)  # not a web address: left out, said so


def test_a_national_number_of_an_unknown_country_is_not_read_as_serbian(tmp_path: Path) -> None:
    source = tmp_path / "nocountry.geojson"
    feature = {
        "type": "Feature",
        "properties": {
            "_id": "x1",
            "name": "Community Shop Otley",
            "type_of_initiative": "ngo",
            "contact:phone": "0113 496 0000",
        },
        "geometry": {"type": "Point", "coordinates": [-1.69, 53.9]},
    }
    source.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), "utf-8")
    (record,) = read_geojson(source, BASE)
    assert not any("+381" in str(o) for o in record.graph.objects())
    assert any("country is not known" in p.message_en for p in record.problems)


@pytest.fixture(scope="module")
def susy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, LoadResult]]:
    if not SUSY.is_file():
        pytest.skip(f"the SUSY dataset is not at {SUSY} (../shared is absent)")
    target = open_store("memory", base=BASE)
    initialise(target)
    result = load_source(
        target, SUSY, source_id="susy", report_dir=tmp_path_factory.mktemp("reports")
    )
    yield target, result
    target.close()


@pytest.mark.slow
def test_every_susy_feature_is_accounted_for(susy: tuple[Store, LoadResult]) -> None:
    store, result = susy
    features = json.loads(SUSY.read_text(encoding="utf-8"))["features"]
    assert len(features) == 1794
    assert result.loaded + result.quarantined == 1794
    assert result.loaded > 0
    set_aside = {e.record for e in result.quarantine}
    assert len(set_aside) == result.quarantined
    assert all(e.message_en and e.message_sr for e in result.quarantine)
    actors = store.query(
        "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { GRAPH ?g { ?a a ssekg:Actor } }"
    ).rows
    assert int(actors[0]["n"]) == result.loaded
    loaded = {str(a).rsplit("/", 1)[-1] for a in _actors(store)}
    ids = {f["properties"]["_id"] for f in features}
    assert loaded | set_aside == ids and not loaded & set_aside


def _actors(store: Store) -> list[URIRef]:
    rows = store.query("SELECT ?a WHERE { GRAPH ?g { ?a a ssekg:Actor } }").rows
    return [URIRef(str(row["a"])) for row in rows]


@pytest.mark.slow
def test_real_susy_features_by_id(susy: tuple[Store, LoadResult]) -> None:
    store, result = susy
    # a Slovak foundation ("SR", Palín): Slovakia, not Serbia or Suriname
    castle = facts(store, actor("susy", "4a429c6bcd8f88167b04c98bbe03b423"))
    assert castle["addressCountry"] == {"SK"}
    assert castle["actorType"] == {concept("actor-type", "FOUND")}  # "Nadácia" in the name
    assert castle["asWKT"] == {"POINT(22.032516 48.666334)"}
    assert "municipality" not in castle
    # Wise Greece ("Ελλάδα"): an NGO
    wise = facts(store, actor("susy", "f618d93dee60f7d971524a525a11c2fb"))
    assert wise["addressCountry"] == {"GR"}
    assert wise["actorType"] == {concept("actor-type", "ASSOC")}
    assert wise["asWKT"] == {"POINT(23.800496 38.021498)"}
    # no loaded SUSY actor is in Serbia or Suriname
    countries = store.query(
        "SELECT DISTINCT ?c WHERE { GRAPH ?g { ?a locn:address/schema:addressCountry ?c } }"
    ).rows
    found = {str(row["c"]) for row in countries}
    assert "SK" in found and not found & {"RS", "SR"}
