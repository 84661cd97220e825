"""The actors of a store as plain records, read once for every export: their own facts, the
nodes they own (address, geometry, contact points, statuses, offers and needs), their
networks, and the labels of the concepts and places they point to, in three languages.

Everything is read with :meth:`Store.query`, which sees the public graphs only, so no export
built on these records can carry personal data."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import cyrtranslit
from rdflib import Literal, URIRef
from rdflib.term import Node

from ssekg.namespaces import GEO, LOCN, SCHEMA, SSEKG
from ssekg.store.base import Store

LANGUAGES = ("sr-Latn", "sr-Cyrl", "en")
_CANONICAL = {tag.lower(): tag for tag in LANGUAGES}


def language(text: Node) -> str | None:
    """The language tag of a literal in its usual case ("sr-Latn"); stores may give it in
    lower case."""
    if not isinstance(text, Literal) or not text.language:
        return None
    return _CANONICAL.get(text.language.lower(), text.language)


_FACTS = """SELECT ?actor ?p ?o WHERE { ?actor a ssekg:Actor ; ?p ?o }"""
_OWNED = """SELECT ?actor ?link ?node ?p ?o WHERE {
  VALUES ?link { locn:address geo:hasGeometry schema:contactPoint ssekg:hasStatus
                 ssekg:offers ssekg:needs }
  ?actor a ssekg:Actor ; ?link ?node .
  ?node ?p ?o .
}"""
_MEMBERSHIPS = """SELECT ?member ?network ?end WHERE {
  { ?member org:memberOf ?network }
  UNION { ?m org:member ?member ; org:organization ?network OPTIONAL { ?m ssekg:endDate ?end } }
}"""
_LABELS = """SELECT ?thing ?label WHERE {
  ?thing skos:prefLabel ?label .
  FILTER(isIRI(?thing) && (STRSTARTS(STR(?thing), "https://w3id.org/ssekg/scheme/")
                           || STRSTARTS(STR(?thing), "https://w3id.org/ssekg/place/")))
}"""
_PLACES = """SELECT ?place ?parent ?class ?wkt WHERE {
  ?place a ?class .
  FILTER(STRSTARTS(STR(?place), "https://w3id.org/ssekg/place/"))
  OPTIONAL { ?place ssekg:partOf ?parent }
  OPTIONAL { ?place geo:hasGeometry/geo:asWKT ?wkt }
}"""
_MATCHES = """SELECT ?concept ?match WHERE {
  ?concept skos:closeMatch|skos:exactMatch ?match .
  FILTER(STRSTARTS(STR(?match), "http://purl.org/essglobal/standard/"))
}"""


@dataclass
class OwnedNode:
    """One node an actor owns: its IRI and its facts."""

    iri: str
    facts: dict[str, list[Node]] = field(default_factory=lambda: defaultdict(list))

    def first(self, prop: URIRef) -> Node | None:
        found = self.facts.get(str(prop))
        return found[0] if found else None

    def all(self, prop: URIRef) -> list[Node]:
        return list(self.facts.get(str(prop), []))

    def is_a(self, cls: URIRef) -> bool:
        return cls in self.all(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"))


@dataclass
class ActorRecord(OwnedNode):
    """An actor: its own facts, the nodes it owns by link, and the networks it belongs to."""

    owned: dict[str, list[OwnedNode]] = field(default_factory=lambda: defaultdict(list))
    networks: set[str] = field(default_factory=set)

    def nodes(self, link: URIRef, cls: URIRef | None = None) -> list[OwnedNode]:
        found = self.owned.get(str(link), [])
        return [n for n in found if cls is None or n.is_a(cls)]

    def point(self) -> tuple[float, float] | None:
        """(longitude, latitude) of the actor's own geometry."""
        for geometry in self.nodes(GEO.hasGeometry):
            wkt = geometry.first(GEO.asWKT)
            if wkt is not None:
                return parse_point(str(wkt))
        return None

    def address(self) -> OwnedNode | None:
        found = self.nodes(LOCN.address)
        return found[0] if found else None

    def contacts(self, prop: URIRef) -> list[str]:
        """Values of one property (schema:email, schema:telephone) of the public contact
        points; e-mail addresses without ``mailto:``."""
        out = []
        for contact in self.nodes(SCHEMA.contactPoint):
            for value in contact.all(prop):
                text = str(value)
                out.append(text.removeprefix("mailto:"))
        return sorted(set(out))

    def key(self) -> str:
        return self.iri


@dataclass
class Records:
    """Actors, labels (IRI → language → label), places (IRI → parents, classes, seat)."""

    actors: list[ActorRecord]
    labels: dict[str, dict[str, str]]
    parents: dict[str, list[str]]
    classes: dict[str, set[str]]
    seats: dict[str, tuple[float, float]]
    essglobal: dict[str, list[str]]
    by_iri: dict[str, ActorRecord] = field(default_factory=dict)

    def label(self, iri: str, lang: str) -> str:
        """The label of a concept or place in ``lang`` (sr-Cyrl made from sr-Latn when the
        taxonomy has none); the IRI's last part when there is no label at all."""
        found = self.labels.get(iri, {})
        if lang in found:
            return found[lang]
        if lang == "sr-Cyrl" and "sr-Latn" in found:
            return cyrtranslit.to_cyrillic(found["sr-Latn"], "sr")
        for other in ("sr-Latn", "en"):
            if other in found:
                return found[other]
        return iri.rstrip("/").rsplit("/", 1)[-1]

    def ancestors(self, place: str) -> list[str]:
        seen: list[str] = []
        todo = list(self.parents.get(place, []))
        while todo:
            parent = todo.pop(0)
            if parent not in seen:
                seen.append(parent)
                todo += self.parents.get(parent, [])
        return seen

    def above(self, place: str, cls: URIRef, code_length: int | None = None) -> str | None:
        """The place itself or the nearest one above it of class ``cls`` (for regions,
        ``code_length`` 4 picks NSTJ2 over NSTJ1)."""
        for candidate in [place, *self.ancestors(place)]:
            if str(cls) in self.classes.get(candidate, set()):
                code = candidate.rsplit("/", 1)[-1]
                if code_length is None or len(code) == code_length:
                    return candidate
        return None


def parse_point(wkt: str) -> tuple[float, float] | None:
    text = wkt.strip()
    if text.startswith("<"):  # a CRS IRI before the point
        text = text.split(">", 1)[1].strip()
    if not text.upper().startswith("POINT"):
        return None
    try:
        lon, lat = (float(x) for x in text[text.index("(") + 1 : text.index(")")].split())
    except ValueError:
        return None
    return lon, lat


def read_records(store: Store) -> Records:
    """Everything the exports need, in a few whole-store queries."""
    actors: dict[str, ActorRecord] = {}
    for row in store.query(_FACTS).rows:
        iri = str(row["actor"])
        record = actors.setdefault(iri, ActorRecord(iri))
        record.facts[str(row["p"])].append(row["o"])
    owned: dict[tuple[str, str, str], OwnedNode] = {}
    for row in store.query(_OWNED).rows:
        actor, link, node = str(row["actor"]), str(row["link"]), str(row["node"])
        if actor not in actors:
            continue
        key = (actor, link, node)
        if key not in owned:
            owned[key] = OwnedNode(node)
            actors[actor].owned[link].append(owned[key])
        owned[key].facts[str(row["p"])].append(row["o"])
    today = date.today()
    ended: set[tuple[str, str]] = set()
    for row in store.query(_MEMBERSHIPS).rows:
        member, network = str(row["member"]), str(row["network"])
        end = row.get("end")
        if isinstance(end, Literal) and isinstance(end.toPython(), date) and end.toPython() < today:
            ended.add((member, network))
        elif member in actors:
            actors[member].networks.add(network)
    for member, network in ended:
        if member in actors:
            actors[member].networks.discard(network)
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    for row in store.query(_LABELS).rows:
        tag = language(row["label"])
        if tag is not None:
            labels[str(row["thing"])].setdefault(tag, str(row["label"]))
    parents: dict[str, list[str]] = defaultdict(list)
    classes: dict[str, set[str]] = defaultdict(set)
    seats: dict[str, tuple[float, float]] = {}
    for row in store.query(_PLACES).rows:
        place = str(row["place"])
        classes[place].add(str(row["class"]))
        if "parent" in row and str(row["parent"]) not in parents[place]:
            parents[place].append(str(row["parent"]))
        if "wkt" in row:
            point = parse_point(str(row["wkt"]))
            if point is not None:
                seats[place] = point
    essglobal: dict[str, list[str]] = defaultdict(list)
    for row in store.query(_MATCHES).rows:
        essglobal[str(row["concept"])].append(str(row["match"]))
    ordered = sorted(actors.values(), key=lambda r: r.iri)
    return Records(
        ordered, dict(labels), dict(parents), dict(classes), seats, dict(essglobal), actors
    )


def in_language(texts: Iterable[Node], lang: str) -> str | None:
    """The text in ``lang``; for Serbian, the other script transliterated; else any."""
    literals = [t for t in texts if isinstance(t, Literal)]
    for text in literals:
        if language(text) == lang:
            return str(text)
    if lang == "sr-Cyrl":
        for text in literals:
            if language(text) == "sr-Latn":
                return cyrtranslit.to_cyrillic(str(text), "sr")
    if lang == "sr-Latn":
        for text in literals:
            if language(text) == "sr-Cyrl":
                return cyrtranslit.to_latin(str(text), "sr")
    preferred = ("sr-Latn", "en", "sr-Cyrl") if lang == "en" else ("en",)
    for wanted in preferred:
        for text in literals:
            if language(text) == wanted:
                return str(text)
    return str(literals[0]) if literals else None


def display_name(record: ActorRecord, lang: str) -> str:
    """The actor's name in the script of ``lang`` (Latin for English): the registered name,
    or its transliteration."""
    names = record.all(SSEKG.name) + record.all(SSEKG.transliteratedName)
    script = "sr-Cyrl" if lang == "sr-Cyrl" else "sr-Latn"
    for name in names:
        if language(name) == script:
            return str(name)
    return in_language(record.all(SSEKG.name), script) or record.iri
