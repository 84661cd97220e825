"""TransforMap / SUSY GeoJSON: one source record per feature.

Features carry OpenStreetMap-style properties (``name``, ``addr:*``, ``contact:*``,
``description:xx``, ``type_of_initiative``, ``POI_TYPE``...) and a point. The SSEDAS categories
and tags are crosswalked to ssekg concepts with ``crosswalks/transformap.yaml`` and kept as text
(``schema:keywords``); countries written in many ways are read with
``crosswalks/countries.yaml`` ("SR" is Slovakia in the SUSY data); Serbian places are matched
with the gazetteer. A feature whose kind of actor cannot be told is reported, not guessed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import URIRef

from ssekg.errors import InputError, ParseError
from ssekg.loaders.networks import (
    EUROPE_BOX,
    SERBIA_BOX,
    ActorBuilder,
    actor_iri,
    in_box,
    looks_like_url,
    phone_country,
    read_yaml,
    resolve_country,
    violation,
)
from ssekg.loaders.pipeline import SourceRecord, check_source_id, default_source_id
from ssekg.namespaces import SCHEMA
from ssekg.text import detect_script, to_latin

#: Two-letter keys of ``description:xx`` that are country codes, not language codes.
_LANGUAGE_FIXES = {"gr": "el", "cz": "cs", "dk": "da", "se": "sv", "ee": "et", "si": "sl"}
_DESCRIPTION_KEY = re.compile(r"^desc\w*[:_]([a-z]{2})$", re.IGNORECASE)
_NAME_KEY = re.compile(r"^name:([a-z]{2,3})$", re.IGNORECASE)
_KEYWORD_KEY = re.compile(r"^free[_-]?keywords\d*$", re.IGNORECASE)
#: A British postcode ("EH6 5DT", "M4 5JU"): a form no other European country uses.
_UK_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$", re.IGNORECASE)

#: Countries of Europe, for telling a misplaced point (latitude and longitude swapped).
_EUROPE = frozenset(
    {
        "AD",
        "AL",
        "AT",
        "BA",
        "BE",
        "BG",
        "BY",
        "CH",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FO",
        "FR",
        "GB",
        "GG",
        "GI",
        "GR",
        "HR",
        "HU",
        "IE",
        "IM",
        "IS",
        "IT",
        "JE",
        "LI",
        "LT",
        "LU",
        "LV",
        "MC",
        "MD",
        "ME",
        "MK",
        "MT",
        "NL",
        "NO",
        "PL",
        "PT",
        "RO",
        "RS",
        "RU",
        "SE",
        "SI",
        "SK",
        "SM",
        "UA",
        "VA",
        "XK",
    }
)


@dataclass(frozen=True)
class _Crosswalk:
    categories: dict[str, dict[str, list[str]]]
    tags: dict[str, dict[str, dict[str, list[str]]]]
    markers: list[tuple[str, re.Pattern[str]]]


@lru_cache(maxsize=1)
def crosswalk() -> _Crosswalk:
    """The TransforMap crosswalk, read once."""
    data = read_yaml("transformap.yaml")
    categories = {str(k).lower(): dict(v or {}) for k, v in data["categories"].items()}
    tags = {
        key: {str(value).lower(): dict(m or {}) for value, m in values.items()}
        for key, values in data["tags"].items()
    }
    markers = [(m["actor-type"], re.compile(m["pattern"])) for m in data["name-markers"]]
    return _Crosswalk(categories, tags, markers)


def name_kinds(name: str) -> list[str]:
    """Actor types that legal-form words in a name point to ("… e.V." -> ASSOC), in the order
    of the crosswalk."""
    forms = {name.lower(), to_latin(name).lower()}
    return [kind for kind, p in crosswalk().markers if any(p.search(f) for f in forms)]


def read_geojson(path: Path, base: str, *, source_id: str | None = None) -> Iterator[SourceRecord]:
    """One :class:`SourceRecord` per feature of a GeoJSON FeatureCollection (or one Feature),
    in file order; ``key`` is the feature id (TransforMap ``_id``), ``locator`` its position."""
    data = read_json(path)
    features = _features(data, path)
    sid = check_source_id(source_id or default_source_id(path))
    first_seen: dict[str, int] = {}
    for number, feature in enumerate(features, start=1):
        yield feature_record(feature, number, base, sid, first_seen)


def read_json(path: Path) -> Any:
    """The JSON of a UTF-8 file; InputError/ParseError (with line and column) otherwise."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(
            f"{path}: the file does not exist; check the path.",
            f"{path}: datoteka ne postoji; proverite putanju.",
        ) from None
    except UnicodeDecodeError as error:
        raise ParseError(
            f"{path}: byte {error.start} is not UTF-8; JSON files must be UTF-8, save it as such.",
            f"{path}: bajt {error.start} nije UTF-8; JSON datoteke moraju biti u UTF-8, "
            "sačuvajte je tako.",
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ParseError(
            f"{path}, line {error.lineno}, column {error.colno}: not valid JSON ({error.msg}); "
            "fix the file there.",
            f"{path}, red {error.lineno}, kolona {error.colno}: nije ispravan JSON "
            f"({error.msg}); ispravite datoteku na tom mestu.",
        ) from None


def _features(data: Any, path: Path) -> list[Any]:
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features")
        if isinstance(features, list):
            return features
    if isinstance(data, dict) and data.get("type") == "Feature":
        return [data]
    raise InputError(
        f'{path}: not a GeoJSON FeatureCollection (no "features" list); give a GeoJSON file '
        "of features.",
        f'{path}: nije GeoJSON FeatureCollection (nema liste "features"); zadajte GeoJSON '
        "datoteku sa obeležjima.",
    )


def _rejected(key: str, locator: str, en: str, sr: str) -> SourceRecord:
    from rdflib import Graph

    return SourceRecord(key, locator, None, Graph(), [violation(en, sr)])


def feature_record(
    feature: Any, number: int, base: str, source_id: str, first_seen: dict[str, int]
) -> SourceRecord:
    """The record of one feature: the actor, its address, point, contacts and concepts."""
    locator = f"feature {number}"
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return _rejected(
            str(number),
            locator,
            f"Feature {number} is not a GeoJSON Feature object; it was not read.",
            f"Obeležje {number} nije GeoJSON objekat Feature; nije pročitano.",
        )
    props: dict[str, Any] = feature.get("properties") or {}
    key = _feature_id(feature, props)
    problems_before = []
    if key is None:
        key = str(number)
        problems_before.append(
            (
                "The feature has no id (_id or id); its IRI follows its position in the file.",
                "Obeležje nema oznaku (_id ili id); njegov IRI zavisi od položaja u datoteci.",
            )
        )
    elif key in first_seen:
        return _rejected(
            key,
            locator,
            f"The feature id {key!r} was already used by feature {first_seen[key]}; each feature "
            "needs its own id.",
            f"Oznaku obeležja {key!r} već koristi obeležje {first_seen[key]}; svako obeležje mora "
            "imati svoju oznaku.",
        )
    first_seen.setdefault(key, number)
    builder = ActorBuilder(actor_iri(base, source_id, key))
    for en, sr in problems_before:
        builder.warn(en, sr)
    _describe(builder, feature, props)
    return SourceRecord(key, locator, builder.subject, builder.graph, builder.problems)


def _feature_id(feature: dict[str, Any], props: dict[str, Any]) -> str | None:
    for value in (props.get("_id"), feature.get("id"), props.get("id"), props.get("@id")):
        if value is not None and str(value).strip():
            return str(value).strip()
    return None


def _text(props: dict[str, Any], key: str) -> str | None:
    value = props.get(key)
    if value is None:
        return None
    tidy = " ".join(str(value).split())
    return tidy or None


def _describe(b: ActorBuilder, feature: dict[str, Any], props: dict[str, Any]) -> None:
    country_text = _text(props, "addr:country")
    # "SR" is Slovakia in the SUSY/SSEDAS data (features with SSEDAS_PARTNER), Suriname elsewhere
    convention = "susy" if "SSEDAS_PARTNER" in props else None
    country = resolve_country(country_text, "addr:country", convention=convention)
    if country.problem is not None:
        b.problems.append(country.problem)
    code = country.code
    if code is None:
        code = phone_country(props.get(k) for k in ("contact:phone", "phone"))
        if code is not None:
            b.warn(
                f"No country is given; {code} was taken from the country code of the phone number.",
                f"Država nije navedena; {code} je zaključena iz pozivnog broja telefona.",
                "addr:country",
                country_text,
            )
    if code is None and _UK_POSTCODE.match(_text(props, "addr:postcode") or ""):
        code = "GB"
        b.warn(
            "No country is given; GB was taken from the postcode, which has the British form.",
            "Država nije navedena; GB je zaključena iz poštanskog broja, koji ima britanski oblik.",
            "addr:country",
            _text(props, "addr:postcode"),
        )
    city = _text(props, "addr:city")
    street = _text(props, "addr:street")
    point = _point(b, feature.get("geometry"), code)

    serbian = code == "RS"
    if serbian:
        b.municipality(city, address=street)
    elif (
        code is None
        and point is not None
        and in_box(*point, SERBIA_BOX)
        and b.municipality(city, address=street)
    ):
        serbian, code = True, "RS"
        b.warn(
            "No country is given; Serbia was taken from the place and the coordinates.",
            "Država nije navedena; Srbija je zaključena iz mesta i koordinata.",
            "addr:country",
        )
    if point is not None:
        b.point(*point)

    _names(b, props, serbian)
    _descriptions(b, props, serbian)
    _classify(b, props)

    number = _text(props, "addr:housenumber")
    postcode = _text(props, "addr:postcode")
    full = ", ".join(
        part
        for part in (
            _text(props, "addr:housename"),
            " ".join(p for p in (street, number) if p),
            " ".join(p for p in (postcode, city) if p),
            country_text,
        )
        if part
    )
    b.address(
        street=street,
        number=number,
        postcode=postcode,
        city=city,
        country=code,
        full=full or None,
    )
    b.contacts(
        websites=[(k, props.get(k)) for k in ("contact:website", "website", "url") if k in props],
        emails=[(k, props.get(k)) for k in ("contact:email", "email") if k in props],
        phones=[(k, props.get(k)) for k in ("contact:phone", "phone") if k in props],
        country=code,
    )
    uri = _text(props, "_uri")
    if uri and looks_like_url(uri) and uri.startswith(("http://", "https://")):
        b.add(SCHEMA.sameAs, URIRef(uri))
    stamp = props.get("_timestamp")
    if isinstance(stamp, int | float) and stamp > 0:
        b.observed_on(datetime.fromtimestamp(stamp / 1000, UTC).date().isoformat())


def _point(b: ActorBuilder, geometry: Any, country: str | None) -> tuple[float, float] | None:
    """The point as (longitude, latitude), checked; a swapped pair is put right when the
    country is European and only the swapped point lies in Europe."""
    if geometry is None:
        return None
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        kind = geometry.get("type") if isinstance(geometry, dict) else type(geometry).__name__
        b.warn(
            f"The geometry is a {kind}, not a point; it was left out.",
            f"Geometrija je {kind}, a ne tačka; izostavljena je.",
            "geometry",
            kind,
        )
        return None
    coordinates = geometry.get("coordinates")
    if (
        not isinstance(coordinates, list)
        or len(coordinates) < 2
        or not all(isinstance(c, int | float) for c in coordinates[:2])
    ):
        b.warn(
            "The point has no usable coordinates; it was left out.",
            "Tačka nema upotrebljive koordinate; izostavljena je.",
            "geometry",
            coordinates,
        )
        return None
    lon, lat = float(coordinates[0]), float(coordinates[1])
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        b.warn(
            f"The point ({lon}, {lat}) is outside the range of longitude and latitude; it was "
            "left out.",
            f"Tačka ({lon}, {lat}) je van opsega geografske dužine i širine; izostavljena je.",
            "geometry",
            f"{lon} {lat}",
        )
        return None
    if (country in _EUROPE or country is None) and not in_box(lon, lat, EUROPE_BOX):
        if in_box(lat, lon, EUROPE_BOX) and country is not None:
            b.warn(
                f"The point ({lon}, {lat}) lies outside Europe although the country is "
                f"{country}; latitude and longitude were swapped back.",
                f"Tačka ({lon}, {lat}) je van Evrope iako je država {country}; geografska "
                "širina i dužina su vraćene na svoje mesto.",
                "geometry",
                f"{lon} {lat}",
            )
            return lat, lon
        if country is not None:
            b.warn(
                f"The point ({lon}, {lat}) lies outside Europe although the country is "
                f"{country}; it was left out.",
                f"Tačka ({lon}, {lat}) je van Evrope iako je država {country}; izostavljena je.",
                "geometry",
                f"{lon} {lat}",
            )
            return None
    return lon, lat


def _names(b: ActorBuilder, props: dict[str, Any], serbian: bool) -> None:
    name = _text(props, "name")
    others = {
        m.group(1).lower(): _text(props, k)
        for k in props
        if (m := _NAME_KEY.match(k)) and _text(props, k)
    }
    if name is None and others:
        lang, name = next(iter(others.items()))
        del others[lang]
        if name is not None:
            b.name(name, serbian=serbian and lang == "sr", lang=lang)
    elif name is not None:
        b.name(name, serbian=serbian)
    else:
        b.reject(
            'The feature has no name; give it one in the "name" property.',
            'Obeležje nema naziv; upišite ga u svojstvo "name".',
            "name",
        )
    for lang, other in others.items():
        if other and other != name:
            b.text(SCHEMA.alternateName, other, lang)


def _descriptions(b: ActorBuilder, props: dict[str, Any], serbian: bool) -> None:
    text = _text(props, "description")
    if text is not None:
        lang = (detect_script(text) or "und") if serbian else "und"
        b.text(SCHEMA.description, text, lang)
    for key in props:
        match = _DESCRIPTION_KEY.match(key)
        if match:
            code = match.group(1).lower()
            b.text(SCHEMA.description, _text(props, key), _LANGUAGE_FIXES.get(code, code))


def _classify(b: ActorBuilder, props: dict[str, Any]) -> None:
    """Categories and tags -> concepts (kept as text too); legal-form words in the name ->
    actor types; a Violation when no kind of actor follows."""
    xw = crosswalk()
    found: dict[str, set[str]] = {}
    fallback: set[str] = set()

    def take(mapping: dict[str, list[str]]) -> None:
        for scheme_name, codes in mapping.items():
            if scheme_name == "fallback-actor-type":
                fallback.update(codes)
            else:
                found.setdefault(scheme_name, set()).update(codes)

    raw = _text(props, "type_of_initiative") or ""
    unknown: list[str] = []
    for category in (c.strip() for c in re.split(r"[;,]", raw)):
        if not category:
            continue
        b.keyword(category)
        mapping = xw.categories.get(category.lower())
        if mapping is None:
            unknown.append(category)
        else:
            take(mapping)
    if unknown:
        b.warn(
            f"The categories {', '.join(unknown)} are not in the TransforMap crosswalk; they are "
            "kept as keywords only.",
            f"Kategorije {', '.join(unknown)} nisu u preslikavanju TransforMap; zadržane su samo "
            "kao ključne reči.",
            "type_of_initiative",
            ", ".join(unknown),
        )
    for key, values in xw.tags.items():
        value = _text(props, key)
        if value is None:
            continue
        if key == "POI_TYPE":
            b.keyword(value)
        mapping_for = values.get(value.lower())
        if mapping_for is not None:
            take(mapping_for)
    for key in props:
        if _KEYWORD_KEY.match(key):
            for word in re.split(r"[;,]", _text(props, key) or ""):
                b.keyword(word)

    from_name = name_kinds(_text(props, "name") or "")
    types = found.setdefault("actor-type", set())
    if not types:
        types.update(k for k in from_name if k != "BUS")
        if not types:
            types.update(from_name)
    if not types:
        types.update(fallback)
    for scheme_name, codes in sorted(found.items()):
        b.concepts(scheme_name, sorted(codes), "type_of_initiative")
    if not types:
        b.reject(
            f"No kind of actor follows from the categories ({raw or 'none'}), the tags or the "
            "name; add an actor type (ssekg:actorType) or extend the TransforMap crosswalk.",
            f"Iz kategorija ({raw or 'nema'}), oznaka ili naziva ne sledi vrsta aktera; dodajte "
            "tip aktera (ssekg:actorType) ili dopunite preslikavanje TransforMap.",
            "type_of_initiative",
            raw or None,
        )
