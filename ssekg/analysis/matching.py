"""Matching: who can help whom, and who should ally.

**Needs against offers** (:func:`match_needs`). Every capacity an actor needs
(``ssekg:CapacityNeed``, by ``ssekg:capacityArea``) is matched with the actors that offer
capacity building in that area (``ssekg:CapacityOffer``), and every resource it needs
(``ssekg:ResourceNeed``, by ``ssekg:resourceType``) with the actors that offer that resource.
Offers and needs whose ``ssekg:validUntil`` has passed are left out. Each match has

* a **fit**: ``exact`` (the same concept, 1.0), or, where the scheme has a hierarchy
  (``skos:broader``), ``broader`` or ``narrower`` (the offered concept is above or below the
  needed one, directly or through others, 0.5);
* a **distance** between the two seats, read from the gazetteer's ``ssekg:partOf`` links:
  ``municipality`` (the same city or municipality; a city municipality counts for its city),
  ``district``, ``region`` (NSTJ2), ``country`` (elsewhere in the same country; also when a
  seat is not known and the address names no other country) and ``abroad``; each has a
  proximity weight (:data:`PROXIMITY`: 1.0, 0.8, 0.6, 0.4, 0.2);
* a **score** = fit × proximity, and a **reason**, one sentence in the chosen language.

Matches come best score first, then nearest first, then by the names of the actor in need,
the concept and the offering actor.

**Alliance candidates** (:func:`alliance_candidates`): two actors that share advocacy goals
(``ssekg:advocacyTopic``), target groups (``ssekg:targetGroup``) or practices
(``ssekg:practice``) and are not yet together: no current common network, platform or
coalition (``org:memberOf`` or an ``ssekg:Membership`` whose end date has not passed), and
neither a current member of the other. The score (:data:`ALLIANCE_WEIGHTS`)::

    score = 0.35·J(goals) + 0.30·J(target groups) + 0.25·J(practices) + 0.10·place

where J is the share of the two actors' concepts of that kind that both have (Jaccard:
shared / all of either, 0 when neither has any) and *place* is 1 for the same city or
municipality, 0.5 for the same district, 0.25 for the same region, else 0. A shared place
alone makes no candidate. Candidates come best score first, then by name.

Both read the public graphs only. Records that entity resolution joined (``owl:sameAs`` in
the links graph or elsewhere) count as one actor under the smallest IRI of the cluster
(:func:`ssekg.loaders.resolve.canonical_actors`): its facts are the union of theirs, it is
never matched with itself, and two records a pending identity link joins are not proposed
as allies. The data are read aggregate-first (one query per kind of fact, ``DISTINCT``) and
ranked in Python with numpy, so the work grows with the pairs that share a concept, never
with a join of actors by actors in the store."""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TextIO

import numpy as np
from rdflib import XSD, Literal
from rdflib.term import Node

from ssekg.analysis.common import Concept
from ssekg.analysis.facts import Facts
from ssekg.errors import InputError
from ssekg.loaders.resolve import canonical_actors
from ssekg.namespaces import SCHEME_BASE, SSEKG
from ssekg.store.base import Store
from ssekg.text import fold, to_cyrillic

LANGUAGES = ("sr-Latn", "sr-Cyrl", "en")
KINDS = ("capacity", "resource")
DISTANCES = ("municipality", "district", "region", "country", "abroad")
#: How near, by distance: the second factor of a match's score.
PROXIMITY: dict[str, float] = {
    "municipality": 1.0,
    "district": 0.8,
    "region": 0.6,
    "country": 0.4,
    "abroad": 0.2,
}
#: How well the offered concept fits the needed one: the first factor of a match's score.
FIT: dict[str, float] = {"exact": 1.0, "broader": 0.5, "narrower": 0.5}
#: Weights of the alliance score's terms (they sum to 1).
ALLIANCE_WEIGHTS: dict[str, float] = {
    "goal": 0.35,
    "target-group": 0.30,
    "practice": 0.25,
    "place": 0.10,
}
#: The place term of the alliance score, by the finest territory both seats share.
PLACE_SHARE: dict[str, float] = {"municipality": 1.0, "district": 0.5, "region": 0.25}
SHARED_KINDS = ("goal", "target-group", "practice", "place")
_ALLIANCE_PROPERTIES = {
    "goal": SSEKG.advocacyTopic,
    "target-group": SSEKG.targetGroup,
    "practice": SSEKG.practice,
}
_SCHEMES = ("capacity-area", "resource-type", "advocacy-topic", "target-group", "practice")
_MB = re.compile(r"^\d{8}$")


# -- the queries: each reads one kind of fact, deduplicated in the store ------------------------

#: One row per actor, its needs and offers as ``side|kind|concept`` joined by spaces (an IRI
#: holds no space): a few long rows are read much faster than many short ones.
OFFERS_AND_NEEDS = """
SELECT ?actor (GROUP_CONCAT(DISTINCT ?fact; separator=" ") AS ?facts) WHERE {
  { ?actor ssekg:needs ?node BIND("need" AS ?side) }
  UNION { ?actor ssekg:offers ?node BIND("offer" AS ?side) }
  { ?node ssekg:capacityArea ?concept BIND("capacity" AS ?kind) }
  UNION { ?node ssekg:resourceType ?concept BIND("resource" AS ?kind) }
  OPTIONAL { ?node ssekg:validUntil ?until }
  FILTER(!BOUND(?until) || ?until >= ?today)
  BIND(CONCAT(?side, "|", ?kind, "|", STR(?concept)) AS ?fact)
}
GROUP BY ?actor
"""
REGISTRATION = "SELECT ?actor WHERE { ?actor a ssekg:Actor ; ssekg:registrationNumber ?mb }"
PLACES = """
SELECT ?place ?class ?parent ?code ?nstj WHERE {
  ?place a ?class .
  FILTER(?class IN (ssekg:Country, ssekg:StatisticalRegion, ssekg:District,
                    ssekg:Municipality, ssekg:City, ssekg:CityMunicipality))
  OPTIONAL { ?place ssekg:partOf ?parent }
  OPTIONAL { ?place skos:notation ?code }
  OPTIONAL { ?place ssekg:nstjCode ?nstj }
}
"""
PLACE_LABELS = """
SELECT ?place ?label WHERE {
  ?place a ?class ; skos:prefLabel ?label .
  FILTER(?class IN (ssekg:Country, ssekg:StatisticalRegion, ssekg:District,
                    ssekg:Municipality, ssekg:City, ssekg:CityMunicipality))
}
"""
CONCEPTS = (
    "SELECT ?concept ?label ?broader WHERE {\n"
    f"  VALUES ?scheme {{ {' '.join(f'<{SCHEME_BASE}{s}>' for s in _SCHEMES)} }}\n"
    "  ?concept skos:inScheme ?scheme .\n"
    "  OPTIONAL { ?concept skos:prefLabel ?label }\n"
    "  OPTIONAL { ?concept skos:broader ?broader }\n"
    "}\n"
)
PENDING = """
SELECT ?a ?b WHERE {
  ?link a ssekg:IdentityLink ; ssekg:linkStatus "pending" ; ssekg:linkedActor ?a, ?b .
  FILTER(STR(?a) < STR(?b))
}
"""


# -- what the analysis returns ---------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """An actor's need and an actor who offers it."""

    need_actor: str
    need_label: str
    offer_actor: str
    offer_label: str
    kind: str
    #: The concept needed.
    concept: Concept
    distance: str
    score: float
    reason: str
    #: ``exact``, ``broader`` or ``narrower``: the offered concept against the needed one.
    fit: str = "exact"
    #: The concept offered (the needed one for an exact fit).
    offered: Concept | None = None
    #: The territory the reason names: the one both seats share, or the offerer's seat.
    place: Concept | None = None


@dataclass(frozen=True)
class AllianceCandidate:
    """Two actors that share goals, target groups or practices and no network yet."""

    a: str
    a_label: str
    b: str
    b_label: str
    shared: dict[str, list[Concept]]
    score: float
    reason: str


_MATCH_HEADERS: dict[str, tuple[str, ...]] = {
    "en": ("actor in need", "needs", "kind", "offered by", "offers", "fit", "distance",
           "score", "reason", "actor in need (IRI)", "offered by (IRI)"),
    "sr-Latn": ("akteru je potrebno", "potreba", "vrsta", "nudi", "ponuda", "poklapanje",
                "udaljenost", "ocena", "razlog", "akter (IRI)", "nudi (IRI)"),
}  # fmt: skip
_ALLIANCE_HEADERS: dict[str, tuple[str, ...]] = {
    "en": ("actor", "candidate", "advocacy goals", "target groups", "practices", "place",
           "score", "reason", "actor (IRI)", "candidate (IRI)"),
    "sr-Latn": ("akter", "kandidat", "ciljevi zagovaranja", "ciljne grupe", "prakse", "mesto",
                "ocena", "razlog", "akter (IRI)", "kandidat (IRI)"),
}  # fmt: skip
_WORDS = {
    "en": {"capacity": "capacity", "resource": "resource", "exact": "exact",
           "broader": "broader", "narrower": "narrower", "municipality": "city or municipality",
           "district": "district", "region": "region", "country": "country",
           "abroad": "abroad"},
    "sr-Latn": {"capacity": "kapacitet", "resource": "resurs", "exact": "isti pojam",
                "broader": "širi pojam", "narrower": "uži pojam",
                "municipality": "grad ili opština", "district": "okrug", "region": "region",
                "country": "zemlja", "abroad": "inostranstvo"},
}  # fmt: skip


def _cyrillic_all(words: Sequence[str]) -> tuple[str, ...]:
    return tuple(w if "IRI" in w else to_cyrillic(w) for w in words)


_MATCH_HEADERS["sr-Cyrl"] = _cyrillic_all(_MATCH_HEADERS["sr-Latn"])
_ALLIANCE_HEADERS["sr-Cyrl"] = _cyrillic_all(_ALLIANCE_HEADERS["sr-Latn"])
_WORDS["sr-Cyrl"] = {k: to_cyrillic(v) for k, v in _WORDS["sr-Latn"].items()}
WORDS = _WORDS


def match_rows(matches: Iterable[Match], lang: str = "sr-Latn") -> list[dict[str, str]]:
    """One row per match, headers and words in ``lang``."""
    h, w = _MATCH_HEADERS[lang], _WORDS[lang]
    return [
        {
            h[0]: m.need_label,
            h[1]: m.concept.label,
            h[2]: w[m.kind],
            h[3]: m.offer_label,
            h[4]: (m.offered or m.concept).label,
            h[5]: w[m.fit],
            h[6]: w[m.distance],
            h[7]: f"{m.score:.2f}",
            h[8]: m.reason,
            h[9]: m.need_actor,
            h[10]: m.offer_actor,
        }
        for m in matches
    ]


def alliance_rows(candidates: Iterable[AllianceCandidate], lang: str = "sr-Latn") -> list[
    dict[str, str]
]:
    """One row per pair, headers in ``lang``, several concepts joined by "; "."""
    h = _ALLIANCE_HEADERS[lang]
    return [
        {
            h[0]: c.a_label,
            h[1]: c.b_label,
            h[2]: "; ".join(x.label for x in c.shared["goal"]),
            h[3]: "; ".join(x.label for x in c.shared["target-group"]),
            h[4]: "; ".join(x.label for x in c.shared["practice"]),
            h[5]: "; ".join(x.label for x in c.shared["place"]),
            h[6]: f"{c.score:.2f}",
            h[7]: c.reason,
            h[8]: c.a,
            h[9]: c.b,
        }
        for c in candidates
    ]


def write_csv(rows: list[dict[str, str]], headers: Sequence[str], out: TextIO) -> None:
    writer = csv.DictWriter(out, fieldnames=list(headers), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def match_headers(lang: str) -> tuple[str, ...]:
    return _MATCH_HEADERS[lang]


def alliance_headers(lang: str) -> tuple[str, ...]:
    return _ALLIANCE_HEADERS[lang]


def _concept_json(c: Concept | None) -> dict[str, str] | None:
    return None if c is None else {"iri": c.iri, "label": c.label}


def matches_json(matches: Iterable[Match], out: TextIO) -> None:
    data = [
        {
            "needActor": m.need_actor,
            "needLabel": m.need_label,
            "offerActor": m.offer_actor,
            "offerLabel": m.offer_label,
            "kind": m.kind,
            "concept": _concept_json(m.concept),
            "offered": _concept_json(m.offered or m.concept),
            "fit": m.fit,
            "distance": m.distance,
            "place": _concept_json(m.place),
            "score": m.score,
            "reason": m.reason,
        }
        for m in matches
    ]
    json.dump(data, out, ensure_ascii=False, indent=2)
    out.write("\n")


def alliances_json(candidates: Iterable[AllianceCandidate], out: TextIO) -> None:
    data = [
        {
            "a": c.a,
            "aLabel": c.a_label,
            "b": c.b,
            "bLabel": c.b_label,
            "shared": {k: [_concept_json(x) for x in c.shared[k]] for k in SHARED_KINDS},
            "score": c.score,
            "reason": c.reason,
        }
        for c in candidates
    ]
    json.dump(data, out, ensure_ascii=False, indent=2)
    out.write("\n")


# -- reasons ---------------------------------------------------------------------------------

# {0} the offering actor, {1} the concept needed, {2} the actor in need, {3} where,
# {4} the concept offered.
_REASONS_LATIN: dict[str, dict[tuple[str, str], str]] = {
    "en": {
        ("capacity", "exact"): "{0} offers capacity building in “{1}”, which {2} needs; {3}.",
        ("capacity", "broader"): "{0} offers capacity building in “{4}”, a broader area that "
        "covers “{1}”, which {2} needs; {3}.",
        ("capacity", "narrower"): "{0} offers capacity building in “{4}”, a part of “{1}”, "
        "which {2} needs; {3}.",
        ("resource", "exact"): "{0} offers the resource “{1}”, which {2} needs; {3}.",
        ("resource", "broader"): "{0} offers the resource “{4}”, broader than “{1}”, which "
        "{2} needs; {3}.",
        ("resource", "narrower"): "{0} offers the resource “{4}”, a kind of “{1}”, which {2} "
        "needs; {3}.",
    },
    "sr-Latn": {
        ("capacity", "exact"): "{0} nudi jačanje kapaciteta u oblasti „{1}”, koje je "
        "potrebno akteru {2}; {3}.",
        ("capacity", "broader"): "{0} nudi jačanje kapaciteta u široj oblasti „{4}”, koja "
        "obuhvata oblast „{1}” potrebnu akteru {2}; {3}.",
        ("capacity", "narrower"): "{0} nudi jačanje kapaciteta u užoj oblasti „{4}”, delu "
        "oblasti „{1}” potrebne akteru {2}; {3}.",
        ("resource", "exact"): "{0} nudi resurs „{1}”, koji je potreban akteru {2}; {3}.",
        ("resource", "broader"): "{0} nudi resurs „{4}”, širi od resursa „{1}” potrebnog "
        "akteru {2}; {3}.",
        ("resource", "narrower"): "{0} nudi resurs „{4}”, uži od resursa „{1}” potrebnog "
        "akteru {2}; {3}.",
    },
}
_WHERE_LATIN = {
    "en": {"municipality": "same city or municipality ({0})", "district": "same district ({0})",
           "region": "same region ({0})", "country": "elsewhere in the country ({0})",
           "abroad": "abroad ({0})", "unknown": "the seat of {0} is not known"},
    "sr-Latn": {"municipality": "isti grad ili opština ({0})", "district": "isti okrug ({0})",
                "region": "isti region ({0})", "country": "drugde u zemlji ({0})",
                "abroad": "u inostranstvu ({0})", "unknown": "sedište aktera {0} nije poznato"},
}  # fmt: skip
_ALLIANCE_LATIN = {
    "en": {"share": "{0} and {1} share {2}", "and": " and ", "goal": "advocacy goals ({0})",
           "target-group": "target groups ({0})", "practice": "practices ({0})",
           "municipality": "same city or municipality ({0})", "district": "same district ({0})",
           "region": "same region ({0})"},
    "sr-Latn": {"share": "{0} i {1} dele {2}", "and": " i ",
                "goal": "ciljeve zagovaranja ({0})", "target-group": "ciljne grupe ({0})",
                "practice": "prakse ({0})", "municipality": "isti grad ili opština ({0})",
                "district": "isti okrug ({0})", "region": "isti region ({0})"},
}  # fmt: skip
REASONS = dict(_REASONS_LATIN)
REASONS["sr-Cyrl"] = {k: to_cyrillic(v) for k, v in _REASONS_LATIN["sr-Latn"].items()}
WHERE = dict(_WHERE_LATIN)
WHERE["sr-Cyrl"] = {k: to_cyrillic(v) for k, v in _WHERE_LATIN["sr-Latn"].items()}
ALLIANCE_WORDS = dict(_ALLIANCE_LATIN)
ALLIANCE_WORDS["sr-Cyrl"] = {k: to_cyrillic(v) for k, v in _ALLIANCE_LATIN["sr-Latn"].items()}


def _join(items: Sequence[str], lang: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + ALLIANCE_WORDS[lang]["and"] + items[-1]


# -- checks ----------------------------------------------------------------------------------


def check_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise InputError(
            f"the language {lang!r} is not known; use sr-Latn, sr-Cyrl or en.",
            f"jezik {lang!r} nije poznat; koristite sr-Latn, sr-Cyrl ili en.",
        )


def check_kind(kind: str | None) -> None:
    if kind is not None and kind not in KINDS:
        raise InputError(
            f"the kind {kind!r} is not known; use capacity or resource.",
            f"vrsta {kind!r} nije poznata; koristite capacity ili resource.",
        )


def check_limit(limit: int | None) -> None:
    if limit is not None and limit < 0:
        raise InputError(
            f"the limit {limit} is negative; give a number of rows, 0 or more.",
            f"ograničenje {limit} je negativno; navedite broj redova, 0 ili više.",
        )


def find_actor(store: Store, text: str, canonical: dict[str, str] | None = None) -> str:
    """The canonical IRI of an actor given by IRI (of any of its records) or by its 8-digit
    matični broj; an InputError when the store has no such actor."""
    canonical = canonical_actors(store) if canonical is None else canonical
    value = text.strip().strip("<>")
    if _MB.match(value):
        rows = store.query(REGISTRATION, bindings={"mb": Literal(value)}).rows
        found = sorted({canonical.get(str(r["actor"]), str(r["actor"])) for r in rows})
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise InputError(
                f"the MB {value} belongs to several actors ({', '.join(found)}); give the IRI "
                "of the one you mean.",
                f"matični broj {value} imaju različiti akteri ({', '.join(found)}); navedite "
                "IRI onog koji mislite.",
            )
    elif value in canonical:
        return canonical[value]
    raise InputError(
        f"the actor {text!r} is not in the store; give the IRI of an actor or its 8-digit "
        "matični broj (MB).",
        f"akter {text!r} nije u bazi; navedite IRI aktera ili njegov matični broj (MB) od 8 "
        "cifara.",
    )


# -- reading ---------------------------------------------------------------------------------


def _pick(labels: dict[str, str], lang: str) -> str | None:
    """The text in ``lang``; for Cyrillic, the Latin transliterated; else Latin, English, any.
    ``labels`` is keyed by lower-case language tag."""
    if lang.lower() in labels:
        return labels[lang.lower()]
    if lang == "sr-Cyrl" and "sr-latn" in labels:
        return to_cyrillic(labels["sr-latn"])
    for other in ("sr-latn", "en", "sr-cyrl", ""):
        if other in labels:
            return labels[other]
    return next(iter(labels.values()), None)


def _tail(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _labels(rows: Iterable[dict[str, Node]], key: str, value: str, lang: str) -> dict[str, str]:
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for row in rows:
        text = row.get(value)
        if isinstance(text, Literal):
            found[str(row[key])].setdefault((text.language or "").lower(), str(text))
    return {iri: label for iri, labels in found.items() if (label := _pick(labels, lang))}


def _actor_names(facts: Facts, lang: str) -> dict[str, str]:
    """Canonical actor IRI → its name in the script of ``lang`` (Latin for English)."""
    return facts.made(f"matching.names.{lang}", lambda: _read_names(facts, lang))


def _read_names(facts: Facts, lang: str) -> dict[str, str]:
    script = "sr-cyrl" if lang == "sr-Cyrl" else "sr-latn"
    canonical = facts.canonical
    names: dict[str, dict[str, str]] = defaultdict(dict)
    for record in facts.actors:
        given = facts.record_names(record)
        if given:
            found = names[canonical.get(record, record)]
            for tag, text in given:
                found.setdefault(tag, text)
    shown: dict[str, str] = {}
    for actor, found in names.items():
        if script in found:
            shown[actor] = found[script]
        elif script == "sr-cyrl" and "sr-latn" in found:
            shown[actor] = to_cyrillic(found["sr-latn"])
        else:
            shown[actor] = next(
                (found[t] for t in ("sr-latn", "en", "sr-cyrl", "und", "") if t in found),
                next(iter(found.values())),
            )
    return shown


@dataclass
class _Geography:
    """Where each canonical actor is: its local unit, district, region and country, as
    indices into ``places`` (-1 when not known)."""

    places: list[str]
    index: dict[str, int]
    lsg: dict[str, int] = field(default_factory=dict)
    district: dict[str, int] = field(default_factory=dict)
    region: dict[str, int] = field(default_factory=dict)
    country: dict[str, int] = field(default_factory=dict)
    seat: dict[str, int] = field(default_factory=dict)

    def at(self, level: str, actors: Sequence[str]) -> np.ndarray:
        table = getattr(self, level)
        return np.fromiter((table.get(a, -1) for a in actors), dtype=np.int32, count=len(actors))

    def place(self, i: int) -> str | None:
        return self.places[i] if i >= 0 else None


def _geography(facts: Facts) -> _Geography:
    """Where each canonical actor is (read once per :class:`Facts`)."""
    return facts.made("matching.geography", lambda: _read_geography(facts))


def _seat_rows(facts: Facts) -> Iterable[tuple[str, str | None, str | None]]:
    """(actor record, seat, country of an address) as a query with both OPTIONAL would
    give them: each seat with each country, None for either when there is none."""
    seats = facts.values(str(SSEKG.municipality))
    countries = facts.values("locn:address/schema:addressCountry")
    for actor in facts.actors:
        at: list[str | None] = list(seats.get(actor, ()))
        found: list[str | None] = list(countries.get(actor, ()))
        for seat in at or [None]:
            for country in found or [None]:
                yield actor, seat, country


def _read_geography(facts: Facts) -> _Geography:
    canonical = facts.canonical
    parents: dict[str, set[str]] = defaultdict(set)
    classes: dict[str, set[str]] = defaultdict(set)
    nstj: dict[str, str] = {}
    code: dict[str, str] = {}
    for row in facts.rows(PLACES):
        place = str(row["place"])
        classes[place].add(str(row["class"]))
        if "parent" in row:
            parents[place].add(str(row["parent"]))
        if "nstj" in row:
            nstj[place] = str(row["nstj"])
        if "code" in row:
            code.setdefault(place, str(row["code"]))
    places = sorted(classes)
    geo = _Geography(places, {p: i for i, p in enumerate(places)})

    def up(place: str) -> list[str]:
        chain, todo, seen = [place], list(parents.get(place, ())), {place}
        while todo:
            parent = todo.pop(0)
            if parent not in seen:
                seen.add(parent)
                chain.append(parent)
                todo.extend(sorted(parents.get(parent, ())))
        return chain

    levels: dict[str, dict[str, str]] = {}
    for place in places:
        found: dict[str, str] = {}
        for p in up(place):
            cls = classes.get(p, set())
            if "lsg" not in found and cls & {str(SSEKG.Municipality), str(SSEKG.City)}:
                found["lsg"] = p
            if "district" not in found and str(SSEKG.District) in cls:
                found["district"] = p
            if "region" not in found and str(SSEKG.StatisticalRegion) in cls and len(
                nstj.get(p, "")
            ) == 4:
                found["region"] = p
            if "country" not in found and str(SSEKG.Country) in cls:
                found["country"] = p
        if str(SSEKG.CityMunicipality) in classes[place] and "lsg" not in found:
            found["lsg"] = place
        levels[place] = found
    country_by_code = {code[p]: p for p in places if str(SSEKG.Country) in classes[p] and p in code}
    home_country = country_by_code.get("RS")

    for record, seat, country in _seat_rows(facts):
        actor = canonical.get(record, record)
        if seat is not None and seat in geo.index:
            if actor in geo.seat and geo.places[geo.seat[actor]] <= seat:
                continue  # records of one actor with different seats: the smallest place IRI
            geo.seat[actor] = geo.index[seat]
            for level in ("lsg", "district", "region", "country"):
                above = levels[seat].get(level)
                table = getattr(geo, level)
                if above is not None:
                    table[actor] = geo.index[above]
                else:
                    table.pop(actor, None)
            continue
        if actor in geo.seat:
            continue
        written = country.strip().upper() if country is not None else "RS"
        listed = country_by_code.get(written)
        if listed is None:
            # a country the gazetteer does not list: an index of its own past the places
            key = f"country:{written}"
            if key not in geo.index:
                geo.index[key] = len(geo.places)
                geo.places.append(key)
            geo.country[actor] = geo.index[key]
        elif actor not in geo.country or listed != home_country:
            geo.country[actor] = geo.index[listed]
    return geo


def _read_concepts(facts: Facts, lang: str) -> tuple[dict[str, str], dict[str, set[str]]]:
    """Concept labels in ``lang`` and each concept's direct broader concepts."""
    return facts.made(f"matching.concepts.{lang}", lambda: _concepts(facts.rows(CONCEPTS), lang))


def _concepts(
    rows: list[dict[str, Node]], lang: str
) -> tuple[dict[str, str], dict[str, set[str]]]:
    broader: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if "broader" in row:
            broader[str(row["concept"])].add(str(row["broader"]))
    return _labels(rows, "concept", "label", lang), broader


def _all_broader(concept: str, broader: dict[str, set[str]]) -> set[str]:
    found: set[str] = set()
    todo = list(broader.get(concept, ()))
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(broader.get(current, ()))
    return found


def _ranks(
    labels: dict[str, str], keys: Iterable[str],
    known: dict[str, tuple[str, str, str]] | None = None,
) -> dict[str, int]:
    """Each key's place in the order of its folded label (then IRI). ``known`` keeps the
    sort keys already made from the same ``labels``, to fold each label once."""
    made = {} if known is None else known

    def key(k: str) -> tuple[str, str, str]:
        found = made.get(k)
        if found is None:
            text = labels.get(k) or k
            found = made[k] = (fold(text), text, k)
        return found

    ordered = sorted(set(keys), key=key)
    return {k: i for i, k in enumerate(ordered)}


def _top(keys: Sequence[tuple[np.ndarray, int]], limit: int | None) -> np.ndarray:
    """Indices sorted by the keys (each a non-negative integer array with its bound; the first
    most significant), cut to ``limit``. The keys are packed into one int64 so that a limit
    needs only a partition, not a full sort."""
    length = len(keys[0][0])
    if not length:
        return np.zeros(0, dtype=np.int64)
    bound = 1
    for _, size in keys:
        bound *= max(size, 1)
    if bound >= 2**62:  # too wide to pack: sort by each key in turn
        order = np.lexsort(tuple(k for k, _ in reversed(keys)))
        return order if limit is None else order[:limit]
    packed = np.zeros(length, dtype=np.int64)
    for values, size in keys:
        packed = packed * max(size, 1) + values.astype(np.int64)
    if limit is not None and limit < length:
        part = np.argpartition(packed, limit - 1)[:limit] if limit else packed[:0]
        return part[np.argsort(packed[part], kind="stable")]
    return np.argsort(packed, kind="stable")


def _score_ranks(score: np.ndarray) -> tuple[np.ndarray, int]:
    """Each score's place among the distinct scores, best first, and how many there are."""
    distinct, inverse = np.unique(-score, return_inverse=True)
    return inverse.astype(np.int64), len(distinct)


_LEVELS = ("lsg", "district", "region", "country")
_Found = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _pairs_at(
    need: np.ndarray, offer: np.ndarray, where_at: np.ndarray, index: int, at: int | None = None
) -> _Found:
    """The matches of the actors in ``need`` with those in ``offer`` (by rank) for one pair
    of concepts, at any distance or only at the distance of step ``at``: (need, offer,
    distance, pair) as flat arrays. The distance is the first level of :data:`_LEVELS` at
    which both seats lie in one territory (``where_at``: level × actor rank), else abroad."""
    distance = np.full((len(need), len(offer)), len(_LEVELS), dtype=np.int8)  # abroad
    for step in reversed(range(len(_LEVELS))):
        x, y = where_at[step][need], where_at[step][offer]
        same = (x[:, None] == y[None, :]) & (x[:, None] >= 0)
        distance[same] = step
    keep = need[:, None] != offer[None, :]
    if at is not None:
        keep &= distance == at
    ni, oi = np.nonzero(keep)
    return need[ni], offer[oi], distance[ni, oi], np.full(len(ni), index, dtype=np.int32)


def _best_matches(
    need_of: list[np.ndarray], offer_of: list[np.ndarray], fits: np.ndarray,
    where_at: np.ndarray, limit: int,
) -> list[_Found]:
    """A set of matches that holds the best ``limit`` of all (by score, distance, then the
    rank of the actor in need): the pairs of concepts are walked a score and a distance at a
    time, best first, and the actors in need of each in the order of their names, until
    ``limit`` matches are found; the offers at each step are looked up by the territory the
    two seats must share."""
    if not limit:
        return []
    proximity = np.array([PROXIMITY[d] for d in DISTANCES])
    steps: dict[tuple[float, int], list[int]] = defaultdict(list)
    for p, fit in enumerate(fits.tolist()):
        for d in range(len(DISTANCES)):
            if len(need_of[p]) and len(offer_of[p]):
                steps[(float(np.round(fit * proximity[d], 6)), d)].append(p)
    buckets: dict[tuple[int, int], dict[int, np.ndarray]] = {}

    def bucket(p: int, d: int) -> dict[int, np.ndarray]:
        if (p, d) not in buckets:
            offered = offer_of[p]
            values = where_at[d][offered]
            order = np.argsort(values, kind="stable")
            distinct, first = np.unique(values[order], return_index=True)
            groups = np.split(offered[order], first[1:])
            buckets[(p, d)] = {v: g for v, g in zip(distinct.tolist(), groups, strict=True)
                               if v >= 0}  # fmt: skip
        return buckets[(p, d)]

    found: list[_Found] = []
    count = 0
    for score, d in sorted(steps, key=lambda s: (-s[0], s[1])):
        parts = steps[(score, d)]
        everyone = np.unique(np.concatenate([need_of[p] for p in parts]))
        widest = max(len(offer_of[p]) for p in parts)
        most = max(16, _BLOCK_CELLS // max(widest, 1))
        start, size = 0, 16
        while start < len(everyone):
            stop = min(len(everyone), start + size)
            low, high = everyone[start], everyone[stop - 1]
            for p in parts:
                ns = need_of[p]
                chosen = ns[np.searchsorted(ns, low) : np.searchsorted(ns, high, side="right")]
                if not len(chosen):
                    continue
                if d == len(_LEVELS):  # abroad: any offer may be
                    groups = [(chosen, offer_of[p])]
                else:
                    places, at = bucket(p, d), where_at[d][chosen]
                    groups = [(chosen[at == v], places[v]) for v in np.unique(at).tolist()
                              if v in places]  # fmt: skip
                for who_needs, who_offers in groups:
                    block = _pairs_at(who_needs, who_offers, where_at, p, at=d)
                    found.append(block)
                    count += len(block[0])
            if count >= limit:  # every match not yet found is worse than these
                return found
            start, size = stop, min(size * 2, most)
    return found


# -- matching needs and offers ---------------------------------------------------------------


def match_needs(
    store: Store,
    *,
    actor: str | None = None,
    kind: str | None = None,
    limit: int | None = None,
    lang: str = "sr-Latn",
    on: date | None = None,
    facts: Facts | None = None,
) -> list[Match]:
    """Every need (of ``actor`` only, given by IRI or MB, when given; of one ``kind``,
    ``capacity`` or ``resource``, when given) with the actors that offer it, best score
    first, then nearest first (see the module's documentation). ``on`` is the day offers and
    needs must still be valid on (today by default). ``facts`` are the store's facts when a
    caller already has them (the report)."""
    check_language(lang)
    check_kind(kind)
    check_limit(limit)
    facts = Facts.of(store, facts)
    canonical = facts.canonical
    only = find_actor(store, actor, canonical) if actor is not None else None
    today = Literal((on or date.today()).isoformat(), datatype=XSD.date)

    needs: dict[tuple[str, str], set[str]] = defaultdict(set)  # (kind, concept) → actors
    offers: dict[tuple[str, str], set[str]] = defaultdict(set)
    for record, packed in facts.select(OFFERS_AND_NEEDS.replace("?today", today.n3())):
        who = canonical.get(record or "", record or "")
        for fact in (packed or "").split():
            side, k, concept = fact.split("|", 2)
            if kind is not None and k != kind:
                continue
            if side == "need":
                if only is None or who == only:
                    needs[(k, concept)].add(who)
            else:
                offers[(k, concept)].add(who)
    if not needs:
        return []

    concept_label, broader = _read_concepts(facts, lang)
    geo = _geography(facts)
    names = _actor_names(facts, lang)
    actor_keys = {a for group in needs.values() for a in group}
    actor_keys |= {a for group in offers.values() for a in group}
    actor_rank = _ranks(names, actor_keys, facts.made(f"matching.order.{lang}", dict))
    concept_rank = _ranks(concept_label, {c for _, c in needs} | {c for _, c in offers})

    # offered concept → needed concept pairs, with the fit
    pairs: list[tuple[str, str, str, str]] = []  # kind, needed, offered, fit
    for k, needed in sorted(needs):
        above = _all_broader(needed, broader)
        for k2, offered in sorted(offers):
            if k2 != k:
                continue
            if offered == needed:
                pairs.append((k, needed, offered, "exact"))
            elif offered in above:
                pairs.append((k, needed, offered, "broader"))
            elif needed in _all_broader(offered, broader):
                pairs.append((k, needed, offered, "narrower"))

    actors_by_rank = sorted(actor_rank, key=actor_rank.__getitem__)
    where_at = np.stack([geo.at(level, actors_by_rank) for level in _LEVELS])
    need_of = [
        np.array(sorted(actor_rank[a] for a in needs[(k, needed)]), dtype=np.int64)
        for k, needed, _, _ in pairs
    ]
    offer_of = [
        np.array(sorted(actor_rank[a] for a in offers[(k, offered)]), dtype=np.int64)
        for k, _, offered, _ in pairs
    ]
    fits = np.array([FIT[p[3]] for p in pairs])
    if limit is None:
        found = [_pairs_at(need_of[i], offer_of[i], where_at, i) for i in range(len(pairs))]
    else:
        found = _best_matches(need_of, offer_of, fits, where_at, limit)
    if not found:
        return []
    need = np.concatenate([f[0] for f in found])
    offer = np.concatenate([f[1] for f in found])
    distance = np.concatenate([f[2] for f in found]).astype(np.int64)
    pair = np.concatenate([f[3] for f in found])
    proximity = np.array([PROXIMITY[d] for d in DISTANCES])
    fits = np.array([FIT[p[3]] for p in pairs])
    score = np.round(fits[pair] * proximity[distance], 6)
    needed_rank = np.array([concept_rank[p[1]] for p in pairs], dtype=np.int64)[pair]
    offered_rank = np.array([concept_rank[p[2]] for p in pairs], dtype=np.int64)[pair]
    n_actors, n_concepts = len(actor_rank), len(concept_rank)
    order = _top(
        [_score_ranks(score), (distance, len(DISTANCES)), (need, n_actors),
         (needed_rank, n_concepts), (offer, n_actors), (offered_rank, n_concepts)],
        limit,
    )  # fmt: skip

    place_labels = _place_labels(facts, lang)
    results = []
    for i in order.tolist():
        k, needed, offered, fit = pairs[pair[i]]
        who_needs, who_offers = actors_by_rank[need[i]], actors_by_rank[offer[i]]
        d = DISTANCES[distance[i]]
        place = _match_place(geo, who_needs, who_offers, d, place_labels)
        need_label = names.get(who_needs, who_needs)
        offer_label = names.get(who_offers, who_offers)
        where = (
            WHERE[lang]["unknown"].format(offer_label)
            if place is None
            else WHERE[lang][d].format(place.label)
        )
        needed_c = Concept(needed, concept_label.get(needed, _tail(needed)))
        offered_c = Concept(offered, concept_label.get(offered, _tail(offered)))
        reason = REASONS[lang][(k, fit)].format(
            offer_label, needed_c.label, need_label, where, offered_c.label
        )
        results.append(
            Match(
                need_actor=who_needs,
                need_label=need_label,
                offer_actor=who_offers,
                offer_label=offer_label,
                kind=k,
                concept=needed_c,
                distance=d,
                score=float(score[i]),
                reason=reason,
                fit=fit,
                offered=offered_c,
                place=place,
            )
        )
    return results


def _place_labels(facts: Facts, lang: str) -> dict[str, str]:
    rows = facts.rows(PLACE_LABELS)
    return facts.made(f"matching.places.{lang}", lambda: _labels(rows, "place", "label", lang))


def _match_place(
    geo: _Geography, need: str, offer: str, distance: str, labels: dict[str, str]
) -> Concept | None:
    """The territory a match's reason names: the one both seats share, else the offerer's
    local unit (or country); None when the offerer's seat is not known."""
    level = {"municipality": "lsg", "district": "district", "region": "region"}.get(distance)
    if level is not None:
        index = getattr(geo, level)[offer]
    else:
        index = geo.lsg.get(offer, geo.seat.get(offer, -1))
        if index < 0 and distance == "abroad":
            index = geo.country.get(offer, -1)
    iri = geo.place(index)
    if iri is None:
        return None
    fallback = iri.removeprefix("country:") if iri.startswith("country:") else _tail(iri)
    return Concept(iri, labels.get(iri, fallback))


# -- alliance candidates ---------------------------------------------------------------------

_SCORE_STEPS = 1_000_000


def _pair_keys(
    score: np.ndarray, a: np.ndarray, b: np.ndarray, n: int
) -> list[tuple[np.ndarray, int]]:
    """Sort keys of pairs: best score first (to six decimals), then by the two actors."""
    steps = np.rint((1.0 - np.clip(score, 0.0, 1.0)) * _SCORE_STEPS).astype(np.int64)
    return [(steps, _SCORE_STEPS + 1), (a, n), (b, n)]


#: Networks with more current members than this are checked by membership, not by listing
#: every pair of their members.
_LISTED_NETWORK = 2_000
_BLOCK_CELLS = 2_000_000


def _excluded_pairs(
    facts: Facts, index: dict[str, int], today: Literal
) -> tuple[np.ndarray, np.ndarray | None]:
    """The pairs never proposed, as sorted keys ``low * n + high`` of actor indices: two
    current members of one network, a network and its current member, two records a pending
    identity link joins; and, for the largest networks, a membership matrix (actor × network)
    to check pairs against. A membership counts until its end date; ``org:memberOf`` alone
    counts unless a Membership of the same pair has ended (as in the named query
    alliance-candidates)."""
    n = len(index)
    canonical = facts.canonical
    stated: set[tuple[str, str]] = set()
    ended: set[tuple[str, str]] = set()
    for member, network, info in facts.memberships:
        pair = (member or "", network or "")
        stated.add(pair)
        end = info.split(" ")[2] if info else ""  # a Membership's IRI, start, end, role
        if end and end < str(today):
            ended.add(pair)
    networks: dict[str, set[int]] = defaultdict(set)
    direct: set[tuple[int, int]] = set()
    for member, network in stated - ended:
        who, net = canonical.get(member, member), canonical.get(network, network)
        if who in index:
            networks[net].add(index[who])
            if net in index and net != who:
                direct.add((index[who], index[net]))
    for row in facts.rows(PENDING):
        x = canonical.get(str(row["a"]), str(row["a"]))
        y = canonical.get(str(row["b"]), str(row["b"]))
        if x in index and y in index and x != y:
            direct.add((index[x], index[y]))
    keys = [np.array([min(x, y) * n + max(x, y) for x, y in direct], dtype=np.int64)]
    big = []
    for net in sorted(networks):
        group = np.array(sorted(networks[net]), dtype=np.int64)
        if len(group) > _LISTED_NETWORK:
            big.append(group)
        elif len(group) > 1:
            low, high = np.triu_indices(len(group), k=1)
            keys.append(group[low] * n + group[high])
    big_matrix = None
    if big:
        big_matrix = np.zeros((n, len(big)), dtype=bool)
        for j, group in enumerate(big):
            big_matrix[group, j] = True
    return np.unique(np.concatenate(keys)), big_matrix


def _together(
    a: np.ndarray, b: np.ndarray, n: int, excluded: np.ndarray, big: np.ndarray | None
) -> np.ndarray:
    """Which of the pairs (a[i], b[i]) are never proposed (see :func:`_excluded_pairs`)."""
    if not len(a):
        return np.zeros(0, dtype=bool)
    keys = np.minimum(a, b) * n + np.maximum(a, b)
    if len(excluded):
        at = np.minimum(np.searchsorted(excluded, keys), len(excluded) - 1)
        found = excluded[at] == keys
    else:
        found = np.zeros(len(a), dtype=bool)
    if big is not None:
        found |= (big[a] & big[b]).any(axis=1)
    return found


def _profile_pairs(
    profiles: Sequence[tuple[frozenset[str], ...]], only: int | None
) -> Iterable[tuple[float, int, int]]:
    """The pairs of profiles (each the concepts of every kind, in the order of
    :data:`_ALLIANCE_PROPERTIES`) that share a concept, with the concept part of their
    score, best first: (score, p, q) with p <= q, or p = ``only`` when given. The score is
    computed with the same arithmetic as for every pair of actors, so it is the same
    number to the last bit."""
    s = len(profiles)
    matrices = []
    for d, dim in enumerate(_ALLIANCE_PROPERTIES):
        concepts = sorted({c for prof in profiles for c in prof[d]})
        column = {c: j for j, c in enumerate(concepts)}
        m = np.zeros((s, len(concepts)), dtype=np.float32)
        for i, prof in enumerate(profiles):
            for c in prof[d]:
                m[i, column[c]] = 1.0
        matrices.append((dim, m, m.sum(axis=1)))
    rows = np.arange(s, dtype=np.int64) if only is None else np.array([only], dtype=np.int64)
    block_size = max(1, _BLOCK_CELLS // max(s, 1))
    found_c, found_p, found_q = [], [], []
    for start in range(0, len(rows), block_size):
        block = rows[start : start + block_size]
        score = np.zeros((len(block), s), dtype=np.float64)
        shared = np.zeros((len(block), s), dtype=bool)
        for dim, m, size in matrices:
            if not m.shape[1]:
                continue
            inter = m[block] @ m.T
            union = size[block][:, None] + size[None, :] - inter
            with np.errstate(divide="ignore", invalid="ignore"):
                jaccard = np.where(union > 0, inter / union, 0.0)
            score += ALLIANCE_WEIGHTS[dim] * jaccard
            shared |= inter > 0
        if only is None:
            shared &= np.arange(s)[None, :] >= block[:, None]
        bi, bj = np.nonzero(shared)
        found_c.append(score[bi, bj])
        found_p.append(block[bi])
        found_q.append(bj.astype(np.int64))
    value = np.concatenate(found_c)
    p, q = np.concatenate(found_p), np.concatenate(found_q)
    order = np.lexsort((q, p, -value))
    for i in order.tolist():
        yield float(value[i]), int(p[i]), int(q[i])


def _pair_blocks(
    a_side: np.ndarray, b_side: np.ndarray, within: bool, concept_score: float,
    places: dict[str, np.ndarray],
) -> Iterable[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The pairs of an actor of ``a_side`` and one of ``b_side`` (of two actors of
    ``a_side`` when ``within``), with their scores (the concept part and the place), in
    blocks of bounded size: (a, b, score) as flat arrays."""
    if not len(a_side) or not len(b_side):
        return
    step = max(1, _BLOCK_CELLS // len(b_side))
    for start in range(0, len(a_side), step):
        rows = a_side[start : start + step]
        place_term = np.zeros((len(rows), len(b_side)), dtype=np.float64)
        for lv in ("region", "district", "lsg"):
            x, y = places[lv][rows], places[lv][b_side]
            same = (x[:, None] == y[None, :]) & (x[:, None] >= 0)
            place_term[same] = _PLACE_VALUE[lv]
        score = concept_score + ALLIANCE_WEIGHTS["place"] * place_term
        if within:
            positions = np.arange(start, start + len(rows))
            keep = np.arange(len(b_side))[None, :] > positions[:, None]
        else:
            keep = np.ones(score.shape, dtype=bool)
        bi, bj = np.nonzero(keep)
        yield rows[bi], b_side[bj], np.round(score[bi, bj], 6)


_PLACE_VALUE = {"lsg": PLACE_SHARE["municipality"], "district": PLACE_SHARE["district"],
                "region": PLACE_SHARE["region"]}  # fmt: skip


def alliance_candidates(
    store: Store,
    *,
    actor: str | None = None,
    limit: int | None = None,
    lang: str = "sr-Latn",
    on: date | None = None,
    facts: Facts | None = None,
) -> list[AllianceCandidate]:
    """Pairs of actors that share advocacy goals, target groups or practices and are not
    yet in a common network or platform (nor members of one another), best score first (see
    the module's documentation). With ``actor`` (IRI or MB), only its pairs, the actor
    first. ``on`` is the day memberships must be current on (today by default). ``facts``
    are the store's facts when a caller already has them (the report)."""
    check_language(lang)
    check_limit(limit)
    facts = Facts.of(store, facts)
    canonical = facts.canonical
    only = find_actor(store, actor, canonical) if actor is not None else None
    today = Literal((on or date.today()).isoformat(), datatype=XSD.date)

    features: dict[str, dict[str, set[str]]] = {d: defaultdict(set) for d in _ALLIANCE_PROPERTIES}
    for dimension, prop in _ALLIANCE_PROPERTIES.items():
        for record, concepts in facts.values(str(prop)).items():
            features[dimension][canonical.get(record, record)].update(concepts)
    actors = sorted(set().union(*(set(f) for f in features.values())))
    if only is not None and only not in actors:
        return []
    if len(actors) < 2:
        return []

    names = _actor_names(facts, lang)
    rank = _ranks(names, actors, facts.made(f"matching.order.{lang}", dict))
    actors.sort(key=rank.__getitem__)  # row i is the actor of rank i
    index = {a: i for i, a in enumerate(actors)}
    n = len(actors)

    # actors with the same concepts of every kind share a profile: the concept part of a
    # pair's score is computed once per pair of profiles
    profile_of: dict[tuple[frozenset[str], ...], int] = {}
    profile = np.zeros(n, dtype=np.int64)
    for i, who in enumerate(actors):
        key = tuple(frozenset(features[dim].get(who, ())) for dim in _ALLIANCE_PROPERTIES)
        profile[i] = profile_of.setdefault(key, len(profile_of))
    profiles = list(profile_of)
    by_rank = np.argsort(profile, kind="stable")
    bounds = np.searchsorted(profile[by_rank], np.arange(len(profiles) + 1))
    members = [by_rank[bounds[p] : bounds[p + 1]] for p in range(len(profiles))]

    excluded, big_networks = _excluded_pairs(facts, index, today)
    geo = _geography(facts)
    places = {lv: geo.at(lv, actors) for lv in ("lsg", "district", "region")}

    found_a: list[np.ndarray] = []
    found_b: list[np.ndarray] = []
    found_score: list[np.ndarray] = []
    threshold = -1.0  # the score a pair must reach to enter the best ``limit``
    for c, p, q in _profile_pairs(profiles, None if only is None else profile[index[only]]):
        if limit is not None and round(c + ALLIANCE_WEIGHTS["place"], 6) < threshold:
            break  # profile pairs come best first: no later pair can enter
        if only is not None:
            a_side = np.array([index[only]], dtype=np.int64)
            b_side = members[q][members[q] != index[only]]
        else:
            a_side, b_side = members[p], members[q]
        for a_part, b_part, score in _pair_blocks(a_side, b_side, p == q and only is None,
                                                  c, places):  # fmt: skip
            keep = score >= threshold if limit is not None else np.ones(len(score), bool)
            a_part, b_part, score = a_part[keep], b_part[keep], score[keep]
            if only is None:  # each pair once, the actor first in name order first
                a_part, b_part = np.minimum(a_part, b_part), np.maximum(a_part, b_part)
            keep = ~_together(a_part, b_part, n, excluded, big_networks)
            a_part, b_part, score = a_part[keep], b_part[keep], score[keep]
            if limit is not None:
                best = _top(_pair_keys(score, a_part, b_part, n), limit)
                a_part, b_part, score = a_part[best], b_part[best], score[best]
            found_a.append(a_part)
            found_b.append(b_part)
            found_score.append(score)
        if limit is not None and found_a:
            a_idx = np.concatenate(found_a)
            b_idx = np.concatenate(found_b)
            scores = np.concatenate(found_score)
            best = _top(_pair_keys(scores, a_idx, b_idx, n), limit)
            found_a, found_b, found_score = [a_idx[best]], [b_idx[best]], [scores[best]]
            if len(best) >= limit:
                threshold = float(scores[best[-1]]) if limit else 2.0
    if not found_a:
        return []
    a_idx = np.concatenate(found_a)
    b_idx = np.concatenate(found_b)
    scores = np.concatenate(found_score)
    order = _top(_pair_keys(scores, a_idx, b_idx, n), limit)

    concept_label, _ = _read_concepts(facts, lang)
    place_labels = _place_labels(facts, lang)
    words = ALLIANCE_WORDS[lang]
    results = []
    for k in order.tolist():
        x, y = actors[int(a_idx[k])], actors[int(b_idx[k])]
        shared: dict[str, list[Concept]] = {}
        parts = []
        for dim in ("goal", "target-group", "practice"):
            common = features[dim].get(x, set()) & features[dim].get(y, set())
            items = sorted(
                (Concept(c, concept_label.get(c, _tail(c))) for c in common),
                key=lambda c: (fold(c.label), c.iri),
            )
            shared[dim] = items
            if items:
                parts.append(words[dim].format(", ".join(c.label for c in items)))
        shared["place"] = []
        where = ""
        for lv, level_name in (("lsg", "municipality"), ("district", "district"),
                               ("region", "region")):  # fmt: skip
            px, py = getattr(geo, lv).get(x, -1), getattr(geo, lv).get(y, -1)
            if px >= 0 and px == py:
                iri = geo.places[px]
                shared["place"] = [Concept(iri, place_labels.get(iri, _tail(iri)))]
                where = "; " + words[level_name].format(shared["place"][0].label)
                break
        a_label, b_label = names.get(x, x), names.get(y, y)
        reason = words["share"].format(a_label, b_label, _join(parts, lang)) + where + "."
        results.append(
            AllianceCandidate(
                a=x,
                a_label=a_label,
                b=y,
                b_label=b_label,
                shared=shared,
                score=float(scores[k]),
                reason=reason,
            )
        )
    return results


__all__ = [
    "ALLIANCE_WEIGHTS",
    "DISTANCES",
    "FIT",
    "KINDS",
    "PROXIMITY",
    "AllianceCandidate",
    "Concept",
    "Match",
    "alliance_candidates",
    "alliance_rows",
    "find_actor",
    "match_needs",
    "match_rows",
]
