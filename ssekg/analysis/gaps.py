"""Gap analysis: for each territory (NSTJ2 region, district, city or municipality), which
ecosystem functions, actor types, practices and capacity areas are present and which are
missing, and an ecosystem completeness score with its inputs.

What counts:

* an actor is *in* a territory when its seat (``ssekg:municipality``) is the territory or lies
  inside it (city municipalities count for their city, cities and municipalities for their
  district, districts for their region);
* a concept is *present* in a territory when at least one actor there has it: fulfils the
  function, is of the actor type, follows the practice, or offers capacity building in the
  area (a ``ssekg:CapacityOffer``);
* *missing*, for ecosystem functions: every function of the reference scheme
  (``ecosystem-function``) that is not present, whether or not anyone in the country fulfils
  it (a complete ecosystem needs all of them); for actor types, practices and capacity areas:
  present in the country (somewhere), absent here. ``missing_in_peers`` narrows that to what
  at least one peer territory has (same level, same parent: the other municipalities of the
  district, the other districts of the region, the other region of the NSTJ1 half).

The score (see :data:`WEIGHTS` and :func:`formula`)::

    score = 0.6 * F + 0.4 * (T + P + C) / 3

F is the share of the reference functions present; T, P and C the shares of the actor types,
practices and capacity areas present in the country that are present here. A term whose
national set is empty (no one in the country offers any capacity, say) is left out and the
weights of the others are scaled up to sum to 1.

It is computed aggregate-first, like the named queries ``missing-*``: a query per dimension
counts the actors per seat and concept, the counts are added up the gazetteer's
``ssekg:partOf`` tree in Python, and each territory is then compared with the country and its
peers. Nothing is joined territory by concept. Only the public graphs are read."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TextIO

from rdflib import Literal
from rdflib.term import Node

from ssekg.analysis.common import Concept
from ssekg.analysis.facts import Facts
from ssekg.errors import InputError
from ssekg.namespaces import PLACE, SCHEME_BASE, SSEKG
from ssekg.store.base import Store
from ssekg.text import fold, to_cyrillic

LANGUAGES = ("sr-Latn", "sr-Cyrl", "en")
LEVELS = ("region", "district", "municipality")
#: The four dimensions, in the order they are shown, and the scheme of each.
DIMENSIONS: dict[str, str] = {
    "function": "ecosystem-function",
    "actor-type": "actor-type",
    "practice": "practice",
    "capacity-area": "capacity-area",
}
#: Weights of the score's terms: the functions are the reference of a complete ecosystem; the
#: three others describe its diversity and share the rest equally.
WEIGHTS: dict[str, float] = {
    "function": 0.6,
    "actor-type": 0.4 / 3,
    "practice": 0.4 / 3,
    "capacity-area": 0.4 / 3,
}

_LEVEL_CLASSES = {
    str(SSEKG.StatisticalRegion): "region",
    str(SSEKG.District): "district",
    str(SSEKG.Municipality): "municipality",
    str(SSEKG.City): "municipality",
}

# -- the queries: each reads one small thing, none joins territories with concepts ------------

#: The concepts of each dimension an actor has: the only reads that grow with the data, one
#: triple pattern each (the seats are read the same way), joined by actor and counted per
#: seat in Python. Offers are taken DISTINCT, as re-surveys may repeat one.
PROPERTIES: dict[str, str] = {
    "function": str(SSEKG.fulfilsFunction),
    "actor-type": str(SSEKG.actorType),
    "practice": str(SSEKG.practice),
}
OFFERED_CAPACITIES = """
SELECT DISTINCT ?actor ?concept WHERE {
  ?offer ssekg:capacityArea ?concept ; a ssekg:CapacityOffer . ?actor ssekg:offers ?offer
}
"""
#: The places of the gazetteer: level classes, parents, codes, the ones not administered.
PLACES = """
SELECT ?place ?class ?parent ?code ?nstj ?administered WHERE {
  VALUES ?class { ssekg:Country ssekg:StatisticalRegion ssekg:AutonomousProvince
                  ssekg:District ssekg:Municipality ssekg:City ssekg:CityMunicipality }
  ?place a ?class .
  OPTIONAL { ?place ssekg:partOf ?parent }
  OPTIONAL { ?place skos:notation ?code }
  OPTIONAL { ?place ssekg:nstjCode ?nstj }
  OPTIONAL { ?place ssekg:administeredBySerbia ?administered }
}
"""
PLACE_LABELS = """
SELECT ?place ?label WHERE {
  VALUES ?class { ssekg:StatisticalRegion ssekg:District ssekg:Municipality ssekg:City }
  ?place a ?class ; skos:prefLabel ?label .
}
"""
PLACE_NAMES = """
SELECT ?place ?name WHERE {
  VALUES ?class { ssekg:StatisticalRegion ssekg:District ssekg:Municipality ssekg:City }
  ?place a ?class .
  { ?place skos:prefLabel ?name } UNION { ?place skos:altLabel ?name }
  UNION { ?place rdfs:label ?name } UNION { ?place ssekg:isoCode ?name }
  UNION { ?place ssekg:nstjCode ?name } UNION { ?place skos:notation ?name }
}
"""
#: The concepts of the four schemes, with their labels.
_SCHEMES = " ".join(f"<{SCHEME_BASE}{s}>" for s in DIMENSIONS.values())
CONCEPTS = (
    "SELECT ?concept ?scheme ?label WHERE {\n"
    f"  VALUES ?scheme {{ {_SCHEMES} }}\n"
    "  ?concept skos:inScheme ?scheme .\n"
    "  OPTIONAL { ?concept skos:prefLabel ?label }\n"
    "}\n"
)
FULFILLED_BY = "SELECT ?function ?type WHERE { ?function ssekg:typicallyFulfilledBy ?type }"


# -- what the analysis returns ---------------------------------------------------------------


@dataclass(frozen=True)
class TerritoryGaps:
    """One territory: what its actors bring, what it lacks, and its completeness score."""

    iri: str
    label: str
    level: str
    actor_count: int
    present: dict[str, list[Concept]]
    missing: dict[str, list[Concept]]
    score: float
    score_inputs: dict[str, float]
    code: str = ""
    #: The missing concepts that at least one peer territory has.
    missing_in_peers: dict[str, list[Concept]] = field(default_factory=dict)
    #: Missing function IRI → the actor types present here that typically fulfil it.
    could_fulfil: dict[str, list[Concept]] = field(default_factory=dict)


@dataclass(frozen=True)
class GapReport:
    territories: list[TerritoryGaps]
    formula: str
    national: dict[str, list[Concept]]
    #: The reference list: every ecosystem function.
    functions: list[Concept]
    #: Function IRI → the actor types that typically fulfil it (ssekg:typicallyFulfilledBy).
    typically_fulfilled_by: dict[str, list[Concept]]
    weights: dict[str, float]
    lang: str = "sr-Latn"

    def territory(self, iri_or_code: str) -> TerritoryGaps | None:
        for t in self.territories:
            if iri_or_code in (t.iri, t.code):
                return t
        return None

    def to_rows(self, lang: str | None = None) -> list[dict[str, str]]:
        """One row per territory, headers and labels in ``lang`` (that of the report by
        default), several values joined by "; "."""
        words = HEADERS[lang or self.lang]
        rows = []
        for t in self.territories:
            row = {
                words["code"]: t.code,
                words["territory"]: t.label,
                words["level"]: LEVEL_NAMES[lang or self.lang][t.level],
                words["actors"]: str(t.actor_count),
                words["score"]: f"{t.score:.3f}",
            }
            for dim in DIMENSIONS:
                row[words[f"{dim}.share"]] = f"{t.score_inputs[dim]:.3f}"
                row[words[f"{dim}.present"]] = "; ".join(c.label for c in t.present[dim])
                row[words[f"{dim}.missing"]] = "; ".join(c.label for c in t.missing[dim])
            rows.append(row)
        return rows

    def write_csv(self, out: TextIO, lang: str | None = None) -> None:
        """The rows of :meth:`to_rows` as CSV (UTF-8 text, a header row)."""
        rows = self.to_rows(lang)
        headers = list(rows[0]) if rows else list(self._empty_row(lang or self.lang))
        writer = csv.DictWriter(out, fieldnames=headers, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)

    def write_json(self, out: TextIO) -> None:
        json.dump(self.to_json(), out, ensure_ascii=False, indent=2)
        out.write("\n")

    @staticmethod
    def _empty_row(lang: str) -> dict[str, str]:
        words = HEADERS[lang]
        keys = ["code", "territory", "level", "actors", "score"]
        keys += [f"{dim}.{part}" for dim in DIMENSIONS for part in ("share", "present", "missing")]
        return {words[k]: "" for k in keys}

    def to_json(self) -> dict[str, object]:
        def concepts(items: Iterable[Concept]) -> list[dict[str, str]]:
            return [{"iri": c.iri, "label": c.label} for c in items]

        def by_dimension(groups: dict[str, list[Concept]]) -> dict[str, object]:
            return {dim: concepts(groups.get(dim, [])) for dim in DIMENSIONS}

        return {
            "lang": self.lang,
            "formula": self.formula,
            "weights": self.weights,
            "functions": [
                {"iri": f.iri, "label": f.label,
                 "typicallyFulfilledBy": concepts(self.typically_fulfilled_by.get(f.iri, []))}
                for f in self.functions
            ],  # fmt: skip
            "national": by_dimension(self.national),
            "territories": [
                {
                    "iri": t.iri,
                    "code": t.code,
                    "label": t.label,
                    "level": t.level,
                    "actors": t.actor_count,
                    "score": round(t.score, 4),
                    "scoreInputs": {k: round(v, 4) for k, v in t.score_inputs.items()},
                    "present": by_dimension(t.present),
                    "missing": by_dimension(t.missing),
                    "missingInPeers": by_dimension(t.missing_in_peers),
                    "couldFulfil": {k: concepts(v) for k, v in t.could_fulfil.items()},
                }
                for t in self.territories
            ],
        }


# -- words for people ------------------------------------------------------------------------

LEVEL_NAMES = {
    "en": {"region": "region", "district": "district", "municipality": "city or municipality"},
    "sr-Latn": {"region": "region", "district": "okrug", "municipality": "grad ili opština"},
    "sr-Cyrl": {"region": "регион", "district": "округ", "municipality": "град или општина"},
}
_DIMENSION_NAMES = {
    "en": {"function": "functions", "actor-type": "actor types", "practice": "practices",
           "capacity-area": "capacity areas"},
    "sr-Latn": {"function": "funkcije", "actor-type": "vrste aktera", "practice": "prakse",
                "capacity-area": "oblasti kapaciteta"},
}  # fmt: skip
_DIMENSION_NAMES["sr-Cyrl"] = {k: to_cyrillic(v) for k, v in _DIMENSION_NAMES["sr-Latn"].items()}
_WORDS = {
    "en": {"code": "code", "territory": "territory", "level": "level", "actors": "actors",
           "score": "completeness", "share": "share", "present": "present",
           "missing": "missing", "all": "all"},
    "sr-Latn": {"code": "šifra", "territory": "teritorija", "level": "nivo", "actors": "akteri",
                "score": "potpunost", "share": "udeo", "present": "prisutne",
                "missing": "nedostaju", "all": "sve"},
}  # fmt: skip
_WORDS["sr-Cyrl"] = {k: to_cyrillic(v) for k, v in _WORDS["sr-Latn"].items()}


def _headers(lang: str) -> dict[str, str]:
    words = dict(_WORDS[lang])
    for dim, name in _DIMENSION_NAMES[lang].items():
        for part in ("share", "present", "missing"):
            words[f"{dim}.{part}"] = f"{name}: {_WORDS[lang][part]}"
    return words


HEADERS = {lang: _headers(lang) for lang in LANGUAGES}
DIMENSION_NAMES = _DIMENSION_NAMES

_FORMULA = {
    "en": "score = 0.6·F + 0.4·(T + P + C)/3, where F = ecosystem functions present / all "
    "functions of the reference scheme ({functions}); T, P, C = actor types, practices and "
    "capacity areas (offered) present here / present in the country. A concept is present "
    "when at least one actor seated in the territory has it. A term whose national set is "
    "empty is left out and the other weights are scaled to sum to 1.",
    "sr-Latn": "potpunost = 0,6·F + 0,4·(T + P + C)/3, gde je F = prisutne funkcije "
    "ekosistema / sve funkcije referentne šeme ({functions}); T, P, C = vrste aktera, prakse i "
    "oblasti kapaciteta (koje se nude) prisutne ovde / prisutne u zemlji. Pojam je prisutan "
    "kada ga ima bar jedan akter sa sedištem na teritoriji. Član čiji je skup u zemlji prazan "
    "izostavlja se, a težine ostalih se srazmerno uvećavaju do zbira 1.",
}


def formula(lang: str = "sr-Latn", functions: int = 11) -> str:
    """The score's formula, in words, in ``lang``."""
    if lang == "sr-Cyrl":
        return to_cyrillic(formula("sr-Latn", functions))
    return _FORMULA[lang].replace("{functions}", str(functions))


# -- the analysis ----------------------------------------------------------------------------


def check_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise InputError(
            f"the language {lang!r} is not known; use sr-Latn, sr-Cyrl or en.",
            f"jezik {lang!r} nije poznat; koristite sr-Latn, sr-Cyrl ili en.",
        )


def check_level(level: str | None) -> None:
    if level is not None and level not in LEVELS:
        raise InputError(
            f"the level {level!r} is not known; use region, district or municipality.",
            f"nivo {level!r} nije poznat; koristite region, district ili municipality.",
        )


@dataclass
class _Places:
    level: dict[str, str]  # territory IRI → level (regions, districts, cities, municipalities)
    parents: dict[str, set[str]]  # place → its direct parents
    code: dict[str, str]
    excluded: set[str]  # not administered by Serbia, and what lies inside

    def ancestors(self, place: str) -> set[str]:
        found: set[str] = set()
        todo = list(self.parents.get(place, ()))
        while todo:
            parent = todo.pop()
            if parent not in found:
                found.add(parent)
                todo.extend(self.parents.get(parent, ()))
        return found


def _read_places(store: Store, facts: Facts | None = None) -> _Places:
    level: dict[str, str] = {}
    parents: dict[str, set[str]] = defaultdict(set)
    code: dict[str, str] = {}
    nstj: dict[str, str] = {}
    not_administered: set[str] = set()
    regions: set[str] = set()
    for row in Facts.of(store, facts).rows(PLACES):
        place = str(row["place"])
        cls = str(row["class"])
        if "parent" in row:
            parents[place].add(str(row["parent"]))
        if "code" in row:
            code.setdefault(place, str(row["code"]))
        if "nstj" in row:
            nstj[place] = str(row["nstj"])
        administered = row.get("administered")
        if isinstance(administered, Literal) and administered.toPython() is False:
            not_administered.add(place)
        if cls == str(SSEKG.StatisticalRegion):
            regions.add(place)
        elif cls in _LEVEL_CLASSES:
            level[place] = _LEVEL_CLASSES[cls]
    for region in regions:  # NSTJ2 regions only (RS11 … RS23); NSTJ1 halves are above them
        if len(nstj.get(region, "")) == 4:
            level[region] = "region"
    for place in level:
        code.setdefault(place, place.removeprefix(str(PLACE)))
    places = _Places(level, parents, code, set())
    every = set(level) | set(parents)
    places.excluded = {
        p for p in every if p in not_administered or places.ancestors(p) & not_administered
    }
    return places


def _pick_label(labels: dict[str, str], lang: str, fallback: str) -> str:
    """The label in ``lang``; else the Latin one transliterated (for Cyrillic), else any.
    ``labels`` is keyed by lower-case language tag (rdflib lowers them)."""
    if lang.lower() in labels:
        return labels[lang.lower()]
    if lang == "sr-Cyrl" and "sr-latn" in labels:
        return to_cyrillic(labels["sr-latn"])
    for other in ("sr-latn", "en", ""):
        if other in labels:
            return labels[other]
    return next(iter(labels.values()), fallback)


def _labels(rows: Iterable[dict[str, Node]], key: str, lang: str) -> dict[str, str]:
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for row in rows:
        text = row.get("label")
        if isinstance(text, Literal):
            found[str(row[key])].setdefault((text.language or "").lower(), str(text))
    return {iri: _pick_label(labels, lang, iri) for iri, labels in found.items()}


def _tail(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def find_territory(
    store: Store, text: str, *, level: str | None = None, places: _Places | None = None
) -> str:
    """The IRI of a region, district, city or municipality given by code (``RS-22``,
    ``RS22``, ``pirot``), IRI or name in either script; an InputError when none, or several,
    match."""
    places = places or _read_places(store)
    candidates = {p: lv for p, lv in places.level.items() if p not in places.excluded}
    if level is not None:
        candidates = {p: lv for p, lv in candidates.items() if lv == level}
    value = text.strip()
    if value in candidates:
        return value
    if str(PLACE) + value in candidates:
        return str(PLACE) + value
    key = fold(value)
    if key:
        matches: dict[str, set[str]] = defaultdict(set)
        for row in store.query(PLACE_NAMES).rows:
            place = str(row["place"])
            if place in candidates:
                name = fold(str(row["name"]))
                matches[name].add(place)
                for prefix in ("opstina ", "grad ", "region "):
                    if name.startswith(prefix):
                        matches[name.removeprefix(prefix)].add(place)
                for suffix in (" okrug", " upravni okrug", " region"):
                    if name.endswith(suffix):
                        matches[name.removesuffix(suffix)].add(place)
        found = matches.get(key, set())
        if len(found) == 1:
            return found.pop()
        if len(found) > 1:
            codes = ", ".join(sorted(places.code[p] for p in found))
            raise InputError(
                f"the territory {text!r} names several places ({codes}); give the code of "
                "the one you mean.",
                f"teritorija {text!r} označava više mesta ({codes}); navedite šifru onog koje "
                "mislite.",
            )
    where = f" at the level {level}" if level else ""
    where_sr = f" na nivou {level}" if level else ""
    raise InputError(
        f"the territory {text!r} is not a region, district, city or municipality of the "
        f"gazetteer{where}; give a code such as RS22, RS-22 or pirot, or a name.",
        f"teritorija {text!r} nije region, okrug, grad ili opština iz registra mesta{where_sr}; "
        "navedite šifru, npr. RS22, RS-22 ili pirot, ili naziv.",
    )


def analyse_gaps(
    store: Store,
    *,
    level: str | None = None,
    lang: str = "sr-Latn",
    territory: str | None = None,
    facts: Facts | None = None,
) -> GapReport:
    """The gap analysis of every territory at ``level`` (all three levels when None), or of
    one ``territory`` (code, IRI or name; see :func:`find_territory`), from the public data.
    Territories come by level (regions, districts, cities and municipalities), then by name.
    ``facts`` are the store's facts when a caller already has them (the report)."""
    check_language(lang)
    check_level(level)
    facts = Facts.of(store, facts)
    places = _read_places(store, facts)
    only = None
    if territory is not None:
        only = find_territory(store, territory, level=level, places=places)
    concept_rows = facts.rows(CONCEPTS)
    concept_label = _labels(concept_rows, "concept", lang)
    scheme_of = {str(r["concept"]): str(r["scheme"]) for r in concept_rows}
    place_label = _labels(facts.rows(PLACE_LABELS), "place", lang)

    def concept(iri: str) -> Concept:
        return Concept(iri, concept_label.get(iri, _tail(iri)))

    def sorted_concepts(iris: Iterable[str]) -> list[Concept]:
        return sorted((concept(i) for i in iris), key=lambda c: (fold(c.label), c.iri))

    functions = sorted_concepts(
        c for c, s in scheme_of.items() if s == SCHEME_BASE + DIMENSIONS["function"]
    )
    fulfilled_by: dict[str, set[str]] = defaultdict(set)
    for row in facts.rows(FULFILLED_BY):
        fulfilled_by[str(row["function"])].add(str(row["type"]))

    # 1. counts per seat, then per territory up the partOf tree
    territories = {
        p: lv
        for p, lv in places.level.items()
        if p not in places.excluded and (level is None or lv == level)
    }
    up: dict[str, set[str]] = {}

    def units_of(seat: str) -> set[str]:
        if seat not in up:
            up[seat] = ({seat} | places.ancestors(seat)) & set(places.level)
        return up[seat]

    counts: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    national: dict[str, dict[str, int]] = defaultdict(dict)
    seats = facts.values(str(SSEKG.municipality))
    for dim in DIMENSIONS:
        for (seat, iri), n in _per_seat(seats, _concepts_of(facts, dim)).items():
            national[dim][iri] = national[dim].get(iri, 0) + n
            for unit in units_of(seat):
                tally = counts[unit][dim]
                tally[iri] = tally.get(iri, 0) + n
    actors: dict[str, int] = defaultdict(int)
    per_seat: dict[str, int] = defaultdict(int)
    for found in seats.values():
        for seat in found:
            per_seat[seat] += 1
    for seat, n in per_seat.items():
        for unit in units_of(seat):
            actors[unit] += n

    # 2. compare each territory with the country, its peers and the reference functions
    reference = {f.iri for f in functions}
    national_sets = {dim: set(national[dim]) for dim in DIMENSIONS}
    members: dict[tuple[str, str], set[str]] = defaultdict(set)  # (level, parent) → territories
    for place, lv in places.level.items():
        if place in places.excluded:
            continue
        for parent in places.parents.get(place, ()):
            members[(lv, parent)].add(place)

    results = []
    for place in sorted(territories, key=lambda p: (LEVELS.index(territories[p]), p)):
        if only is not None and place != only:
            continue
        lv = territories[place]
        here = {dim: set(counts[place][dim]) for dim in DIMENSIONS}
        peers = set().union(*(members[(lv, q)] for q in places.parents.get(place, ()))) - {place}
        in_peers = {dim: set().union(*(counts[q][dim] for q in peers)) for dim in DIMENSIONS}
        missing = {"function": reference - here["function"]}
        for dim in ("actor-type", "practice", "capacity-area"):
            missing[dim] = national_sets[dim] - here[dim]
        inputs, score = _score(here, national_sets, reference)
        could = {
            f: sorted_concepts(fulfilled_by.get(f, set()) & here["actor-type"])
            for f in sorted(missing["function"])
        }
        results.append(
            TerritoryGaps(
                iri=place,
                label=place_label.get(place, places.code.get(place, _tail(place))),
                level=lv,
                actor_count=actors.get(place, 0),
                present={dim: sorted_concepts(here[dim]) for dim in DIMENSIONS},
                missing={dim: sorted_concepts(missing[dim]) for dim in DIMENSIONS},
                score=score,
                score_inputs=inputs,
                code=places.code.get(place, _tail(place)),
                missing_in_peers={
                    dim: sorted_concepts(missing[dim] & in_peers[dim]) for dim in DIMENSIONS
                },
                could_fulfil={f: types for f, types in could.items() if types},
            )
        )
    results.sort(key=lambda t: (LEVELS.index(t.level), fold(t.label), t.iri))
    return GapReport(
        territories=results,
        formula=formula(lang, len(reference)),
        national={dim: sorted_concepts(national_sets[dim]) for dim in DIMENSIONS},
        functions=functions,
        typically_fulfilled_by={
            f.iri: sorted_concepts(fulfilled_by.get(f.iri, set())) for f in functions
        },
        weights=dict(WEIGHTS),
        lang=lang,
    )


def _concepts_of(facts: Facts, dim: str) -> dict[str, list[str]]:
    """Actor → its concepts of one dimension (capacity areas: those it offers)."""
    if dim in PROPERTIES:
        return facts.values(PROPERTIES[dim])
    offered: dict[str, list[str]] = defaultdict(list)
    for actor, concept in facts.select(OFFERED_CAPACITIES):
        offered[actor or ""].append(concept or "")
    return offered


def _per_seat(
    seats: dict[str, list[str]], concepts: dict[str, list[str]]
) -> dict[tuple[str, str], int]:
    """(seat, concept) → how many actors seated there have it (an actor with two seats
    counts in each)."""
    found: dict[tuple[str, str], int] = defaultdict(int)
    for actor, have in concepts.items():
        for seat in seats.get(actor, ()):
            for concept in have:
                found[(seat, concept)] += 1
    return found


def _score(
    here: dict[str, set[str]], national: dict[str, set[str]], reference: set[str]
) -> tuple[dict[str, float], float]:
    """The score and its inputs: each term's share, the counts it comes from, and the weight
    it had after the terms with nothing to compare with were left out."""
    inputs: dict[str, float] = {}
    totals = {"function": len(reference)}
    for dim in ("actor-type", "practice", "capacity-area"):
        totals[dim] = len(national[dim])
    presents = {"function": len(here["function"] & reference)}
    for dim in ("actor-type", "practice", "capacity-area"):
        presents[dim] = len(here[dim] & national[dim])
    used = {dim: WEIGHTS[dim] for dim in DIMENSIONS if totals[dim] > 0}
    scale = sum(used.values())
    score = 0.0
    for dim in DIMENSIONS:
        share = presents[dim] / totals[dim] if totals[dim] else 0.0
        weight = used[dim] / scale if dim in used and scale else 0.0
        inputs[dim] = share
        inputs[f"{dim}.present"] = float(presents[dim])
        inputs[f"{dim}.of"] = float(totals[dim])
        inputs[f"{dim}.weight"] = weight
        score += weight * share
    return inputs, min(max(score, 0.0), 1.0)


__all__ = [
    "DIMENSIONS",
    "LEVELS",
    "WEIGHTS",
    "Concept",
    "GapReport",
    "TerritoryGaps",
    "analyse_gaps",
    "find_territory",
    "formula",
]
