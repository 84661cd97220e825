"""RDF in the ESSGLOBAL vocabulary (RIPESS, DigitalCommons / DCC datasets) as ssekg actors.

ESSGLOBAL data describes ``essglobal:SSEInitiative`` (and ``essglobal:Network``) resources with
GoodRelations names, Dublin Core descriptions, FOAF home pages, vCard addresses and contacts,
WGS84 coordinates, and concepts of the ESSGLOBAL taxonomies (organisational structure, legal
form, activities, qualifiers, ...). The same vocabulary is published under several bases
(purl.org, lod.coop 2.1 and V2a, w3id.solidarityeconomy.coop); all are read as one, with the
aliases of ``crosswalks/essglobal.ttl``.

:func:`crosswalk_essglobal` maps such a graph onto the ssekg model: each initiative becomes an
``ssekg:Actor`` at ``{base}actor/{source-id}/{slug of its IRI}`` with ``schema:sameAs`` its
original IRI; its ESSGLOBAL concepts become ssekg concepts through the taxonomies'
``skos:closeMatch`` links read backwards, completed by the crosswalk file; the original
ESSGLOBAL statements stay on the actor (canonical IRIs), so the data can be given back to
ESSGLOBAL users. Triples about anything else pass through unchanged.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DC, DCTERMS, FOAF, SKOS
from rdflib.term import Node

from ssekg.loaders.clean import Problem
from ssekg.loaders.networks import (
    SCHEME_PROPERTY,
    ActorBuilder,
    actor_iri,
    crosswalk_file,
    known_concepts,
    resolve_country,
)
from ssekg.namespaces import GEO, LOCN, SCHEMA, SCHEME_BASE, SSEKG
from ssekg.text import slug

#: The canonical base of ESSGLOBAL (version 1.x, RIPESS); vocabulary and taxonomies below it.
CANONICAL = "http://purl.org/essglobal/"
VOCAB = Namespace(CANONICAL + "vocab/")
STANDARD = CANONICAL + "standard/"

XW = Namespace("https://w3id.org/ssekg/crosswalk#")
GR = Namespace("http://purl.org/goodrelations/v1#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
WGS84 = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
OS_SPATIAL = Namespace("http://data.ordnancesurvey.co.uk/ontology/spatialrelations/")
SCHEMA_HTTP = Namespace("http://schema.org/")

#: The classes whose instances are read as actors.
INITIATIVE_CLASSES = (VOCAB.SSEInitiative, VOCAB.Network)
#: Properties only an initiative (or network) has; their subjects are initiatives too.
INITIATIVE_PROPERTIES = (
    VOCAB.hasAddress,
    VOCAB.legalForm,
    VOCAB.organisationalStructure,
    VOCAB.economicSector,
    VOCAB.primarySector,
    VOCAB.additionalSectors,
    VOCAB.baseMembershipType,
    VOCAB.mission,
    VOCAB.objective,
)

_NAMES: tuple[URIRef, ...] = (GR.name, GR.legalName, SCHEMA.name, SCHEMA_HTTP.name, FOAF.name)
_NAMES += (RDFS.label, SKOS.prefLabel, DCTERMS.title, DC.title)
_DESCRIPTIONS: tuple[URIRef, ...] = (DCTERMS.description, DC.description, SCHEMA.description)
_DESCRIPTIONS += (SCHEMA_HTTP.description, RDFS.comment)
_GOALS = (VOCAB.mission, VOCAB.objective)
_HOMEPAGES = (FOAF.homepage, SCHEMA.url, SCHEMA_HTTP.url, VCARD.hasURL, VCARD.url)
_EMAILS = (VCARD.hasEmail, VCARD.email, SCHEMA.email, SCHEMA_HTTP.email, FOAF.mbox)
_PHONES = (VCARD.hasTelephone, VCARD.tel, SCHEMA.telephone, SCHEMA_HTTP.telephone, FOAF.phone)
_ACCOUNTS = (FOAF.account, VCARD.hasInstantMessage)
_SAME = (OWL.sameAs, SCHEMA.sameAs, SCHEMA_HTTP.sameAs)
_ADDRESSES = (VOCAB.hasAddress, LOCN.address, SCHEMA.address, SCHEMA_HTTP.address, VCARD.hasAddress)
_LATITUDES = (WGS84.lat, SCHEMA.latitude, SCHEMA_HTTP.latitude, VCARD.latitude)
_LONGITUDES = (WGS84.long, WGS84.lon, SCHEMA.longitude, SCHEMA_HTTP.longitude, VCARD.longitude)
#: What an initiative says that the crosswalk turns into ssekg terms (and does not keep as is).
_MAPPED = frozenset(
    (*_NAMES, *_DESCRIPTIONS, *_GOALS, *_HOMEPAGES, *_EMAILS, *_PHONES, *_ACCOUNTS, *_SAME)
    + (*_ADDRESSES, *_LATITUDES, *_LONGITUDES, GEO.hasGeometry, RDF.type)
)
_POINT = re.compile(r"POINT\s*\(\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\)", re.IGNORECASE)
_CONCEPT_IRI = re.compile(re.escape(SCHEME_BASE) + r"([a-z-]+)/([A-Za-z0-9-]+)$")


# --- the crosswalk -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Crosswalk:
    matches: dict[str, dict[str, frozenset[str]]]  # ESSGLOBAL concept -> scheme -> codes
    preferred: dict[str, dict[str, frozenset[str]]]


@lru_cache(maxsize=1)
def _own() -> Graph:
    """``crosswalks/essglobal.ttl``."""
    text = crosswalk_file("essglobal.ttl").read_text(encoding="utf-8")
    return Graph().parse(data=text, format="turtle")


@lru_cache(maxsize=1)
def _aliases() -> tuple[tuple[str, str], ...]:
    """(alias base, canonical base) pairs, the longest alias first."""
    pairs = ((str(alias), str(canonical)) for canonical, alias in _own().subject_objects(XW.alias))
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


@lru_cache(maxsize=1)
def crosswalk() -> _Crosswalk:
    """The ESSGLOBAL crosswalk: the taxonomies' closeMatch links read backwards plus
    ``crosswalks/essglobal.ttl``."""
    from ssekg.reference import reference_graph

    own = _own()
    matches: dict[str, dict[str, set[str]]] = {}
    preferred: dict[str, dict[str, set[str]]] = {}
    for graph in (reference_graph(), own):
        for ours, theirs in graph.subject_objects(SKOS.closeMatch):
            found = _CONCEPT_IRI.match(str(ours))
            if found and str(theirs).startswith(STANDARD):
                matches.setdefault(str(theirs), {}).setdefault(found[1], set()).add(found[2])
    for theirs, ours in own.subject_objects(XW.preferred):
        found = _CONCEPT_IRI.match(str(ours))
        if found:
            preferred.setdefault(str(theirs), {}).setdefault(found[1], set()).add(found[2])

    def frozen(index: dict[str, dict[str, set[str]]]) -> dict[str, dict[str, frozenset[str]]]:
        return {k: {s: frozenset(c) for s, c in v.items()} for k, v in index.items()}

    return _Crosswalk(frozen(matches), frozen(preferred))


def canonical_iri(iri: str) -> str:
    """An ESSGLOBAL IRI under its canonical base (``https://lod.coop/essglobal/2.1/standard/
    legal-form/L2`` -> ``http://purl.org/essglobal/standard/legal-form/L2``); other IRIs as
    they are."""
    for alias, canonical in _aliases():
        if iri.startswith(alias):
            return canonical + iri[len(alias) :]
    return iri


def concepts_for(essglobal_concept: str) -> tuple[dict[str, list[str]], list[str]]:
    """The ssekg concepts (scheme -> codes) close to an ESSGLOBAL concept, and the schemes in
    which it stayed ambiguous (several concepts match and none is preferred)."""
    xw = crosswalk()
    key = canonical_iri(essglobal_concept)
    taken: dict[str, list[str]] = {}
    ambiguous: list[str] = []
    for scheme_name, codes in sorted(xw.matches.get(key, {}).items()):
        chosen = xw.preferred.get(key, {}).get(scheme_name)
        if chosen:
            taken[scheme_name] = sorted(chosen)
        elif len(codes) == 1:
            taken[scheme_name] = sorted(codes)
        else:
            ambiguous.append(scheme_name)
    return taken, ambiguous


#: The ESSGLOBAL taxonomies whose bare codes ("OS115", "AM50", "ICA140") a table may write.
_CODE_SCHEMES = (
    ("OS", "organisational-structure"),
    ("AM", "activities-modified"),
    ("ICA", "activities-ica"),
    ("BMT", "base-membership-type"),
)


@lru_cache(maxsize=1)
def _labels() -> dict[str, str]:
    """Folded ESSGLOBAL labels (``crosswalks/essglobal.ttl``, section 4) -> canonical IRI."""
    from ssekg.text import fold

    return {fold(str(label)): str(c) for c, label in _own().subject_objects(SKOS.prefLabel)}


@lru_cache(maxsize=4096)
def essglobal_term(text: str) -> str | None:
    """The canonical IRI of the ESSGLOBAL concept a table's cell names, by its IRI under any
    of ESSGLOBAL's bases, its bare code ("OS115", "AM50", "ICA140") or its English label
    ("Housing co-operative"); None when the text is none of them."""
    from ssekg.text import fold

    tidy = text.strip().strip("<>")
    if re.match(r"^https?://", tidy):
        iri = canonical_iri(tidy)
        return iri if iri.startswith(STANDARD) else None
    code = re.fullmatch(r"([A-Za-z]+)(\d+)", tidy)
    if code is not None:
        for prefix, scheme in _CODE_SCHEMES:
            if code[1].upper() == prefix:
                return f"{STANDARD}{scheme}/{prefix}{int(code[2])}"
    return _labels().get(fold(tidy))


def uses_essglobal(graph: Graph) -> bool:
    """Whether a graph describes ESSGLOBAL initiatives (by class or by their properties, under
    any of ESSGLOBAL's bases)."""
    vocabularies = [CANONICAL + "vocab/"] + [a + "vocab/" for a, _ in _aliases()]
    for _, p, o in graph:
        if str(p).startswith(tuple(vocabularies)):
            return True
        if p == RDF.type and str(o).startswith(tuple(vocabularies)):
            return True
    return False


# --- mapping --------------------------------------------------------------------------------


def _canonical(node: Node) -> Node:
    if isinstance(node, URIRef):
        return URIRef(canonical_iri(str(node)))
    return node


def _canonical_graph(graph: Graph) -> Graph:
    out = Graph()
    for prefix, namespace in graph.namespaces():
        out.bind(prefix, namespace, replace=True)
    for s, p, o in graph:
        out.add((_canonical(s), _canonical(p), _canonical(o)))
    return out


def _initiatives(graph: Graph) -> list[Node]:
    found: set[Node] = set()
    for cls in INITIATIVE_CLASSES:
        found.update(graph.subjects(RDF.type, cls))
    for prop in INITIATIVE_PROPERTIES:
        found.update(graph.subjects(prop, None))
    # ssekg data that keeps ESSGLOBAL statements (a dump of a crosswalked load) is ssekg already
    found.difference_update(graph.subjects(RDF.type, SSEKG.Actor))
    return sorted(found, key=str)


def _key(graph: Graph, node: Node) -> str:
    """The record key of an initiative: its IRI; for a blank node, its name (or a digest of
    what is said of it), so that loading the file again gives the same actor."""
    if isinstance(node, URIRef):
        return str(node)
    for prop in _NAMES:
        name = graph.value(node, prop)
        if name is not None and str(name).strip():
            return f"initiative-{slug(str(name))}"
    said = sorted(f"{p} {o}" for p, o in graph.predicate_objects(node))
    return "initiative-" + hashlib.sha256("\n".join(said).encode()).hexdigest()[:12]


def _text(value: Node | None) -> str | None:
    """The text of a literal, or of an IRI such as ``mailto:`` / ``tel:``."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _values(graph: Graph, node: Node, props: Iterable[URIRef]) -> list[Node]:
    return [o for p in props for o in graph.objects(node, p)]


def language_tag(tag: str | None) -> str | None:
    """A language tag in its usual case ("sr-cyrl" -> "sr-Cyrl", "en-gb" -> "en-GB"), as the
    shapes and the rest of the data write it (RDF parsers may lower-case tags)."""
    if not tag:
        return None
    parts = tag.split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) == 2 and part.isalpha():
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


def _number(value: Node | None) -> float | None:
    if value is None:
        return None
    try:
        return float(str(value).strip())
    except ValueError:
        return None


@dataclass
class _Initiative:
    """The mapping of one initiative, with the nodes it consumed."""

    builder: ActorBuilder
    consumed: set[Node]


class _Mapper:
    def __init__(self, graph: Graph, base: str, source_id: str) -> None:
        self.graph = graph
        self.base = base
        self.source_id = source_id
        self.problems: list[Problem] = []

    def initiative(self, node: Node) -> _Initiative:
        g = self.graph
        if isinstance(node, URIRef) and str(node).startswith(f"{self.base}actor/"):
            subject = node  # an ssekg actor exported in the ESSGLOBAL view: the same actor
        else:
            subject = actor_iri(self.base, self.source_id, _key(g, node))
        b = ActorBuilder(subject)
        consumed: set[Node] = set()
        for cls in g.objects(node, RDF.type):
            if cls in INITIATIVE_CLASSES:
                b.add(RDF.type, cls)
        if isinstance(node, URIRef) and node != subject:
            b.add(SCHEMA.sameAs, node)
        for other in _values(g, node, _SAME):
            if isinstance(other, URIRef):
                b.add(SCHEMA.sameAs, other)

        country, locality, street, region = self._address(b, node, consumed)
        serbian = country == "RS"
        for value in _values(g, node, _NAMES):
            if isinstance(value, Literal) and str(value).strip():
                lang = language_tag(value.language)
                in_serbian = serbian and (lang is None or lang.startswith("sr"))
                b.name(str(value), serbian=in_serbian, lang=lang)
        for props, target in ((_DESCRIPTIONS, SCHEMA.description), (_GOALS, SSEKG.socialGoal)):
            for value in _values(g, node, props):
                if isinstance(value, Literal):
                    b.text(target, value, language_tag(value.language))
        if serbian:
            b.municipality(locality, district=region, address=street)
        self._point(b, node, consumed)
        self._contacts(b, node, country, consumed)
        self._concepts(b, node, serbian)
        for p, o in g.predicate_objects(node):
            if p in _MAPPED or isinstance(o, BNode) or not isinstance(p, URIRef):
                continue
            b.add(p, o)  # what the crosswalk does not map stays as it was said
        return _Initiative(b, consumed)

    def _address(
        self, b: ActorBuilder, node: Node, consumed: set[Node]
    ) -> tuple[str | None, str | None, str | None, str | None]:
        g = self.graph
        address = next(iter(_values(g, node, _ADDRESSES)), None)
        if address is None or isinstance(address, Literal):
            full = _text(address)
            if full:
                b.address(full=full)
            return None, None, None, None
        consumed.add(address)

        def first(*props: URIRef) -> str | None:
            for value in _values(g, address, props):
                text = _text(value)
                if text:
                    return text
            return None

        street = first(VCARD["street-address"], SCHEMA.streetAddress, LOCN.thoroughfare)
        locality = first(VCARD.locality, SCHEMA.addressLocality, LOCN.postName)
        region = first(VCARD.region, VOCAB.state, SCHEMA.addressRegion)
        postcode = first(VCARD["postal-code"], SCHEMA.postalCode, LOCN.postCode)
        country_text = first(VCARD["country-name"], SCHEMA.addressCountry)
        match = resolve_country(country_text, "vcard:country-name")
        if match.problem is not None:
            self.problems.append(match.problem)
        full = first(LOCN.fullAddress) or ", ".join(
            part
            for part in (
                street,
                " ".join(p for p in (postcode, locality) if p),
                region,
                country_text,
            )
            if part
        )
        b.address(
            street=street,
            postcode=postcode,
            city=locality,
            country=match.code,
            full=full or None,
        )
        return match.code, locality, street, region

    def _point(self, b: ActorBuilder, node: Node, consumed: set[Node]) -> None:
        g = self.graph
        places = [node, *_values(g, node, _ADDRESSES)]
        places += [w for a in list(places) for w in g.objects(a, OS_SPATIAL.within)]
        for place in places:
            lat = _number(next(iter(_values(g, place, _LATITUDES)), None))
            lon = _number(next(iter(_values(g, place, _LONGITUDES)), None))
            if lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180:
                b.point(lon, lat)
                if place != node:
                    consumed.add(place)  # the container's coordinates are the actor's point
                return
            for geometry in g.objects(place, GEO.hasGeometry):
                found = _POINT.search(str(g.value(geometry, GEO.asWKT) or ""))
                if found:
                    b.point(float(found[1]), float(found[2]))
                    consumed.add(geometry)
                    return

    def _contacts(
        self, b: ActorBuilder, node: Node, country: str | None, consumed: set[Node]
    ) -> None:
        g = self.graph

        def texts(props: Iterable[URIRef], prefix: str) -> list[tuple[str, object]]:
            found: list[tuple[str, object]] = []
            for found_value in _values(g, node, props):
                value: Node | None = found_value
                if not isinstance(found_value, Literal | URIRef):
                    consumed.add(found_value)  # a vCard node: its value is what counts
                    value = g.value(found_value, VCARD.value) or g.value(
                        found_value, VCARD.hasValue
                    )
                text = _text(value)
                if text:
                    found.append((prefix, re.sub(r"^(mailto|tel):", "", text, flags=re.I)))
            return found

        websites = texts(_HOMEPAGES, "foaf:homepage")
        websites += [
            ("foaf:account", str(v)) for v in _values(g, node, _ACCOUNTS) if isinstance(v, URIRef)
        ]
        b.contacts(
            websites=websites,
            emails=texts(_EMAILS, "vcard:hasEmail"),
            phones=texts(_PHONES, "vcard:hasTelephone"),
            country=country,
        )

    def _concepts(self, b: ActorBuilder, node: Node, serbian: bool) -> None:
        """Every ESSGLOBAL concept said of the initiative, whatever the property."""
        found: dict[str, set[str]] = {}
        for value in set(self.graph.objects(node, None)):
            if not (isinstance(value, URIRef) and str(value).startswith(STANDARD)):
                continue
            taken, _ = concepts_for(str(value))
            for scheme_name, codes in taken.items():
                found.setdefault(scheme_name, set()).update(codes)
        if not serbian:
            found.pop("legal-form", None)  # Serbian legal forms are for actors in Serbia
        if len(found.get("legal-form", ())) > 1:
            found.pop("legal-form")  # one legal form at most: two candidates give none
        if not found.get("actor-type"):
            from ssekg.loaders.geojson import name_kinds

            names = [str(n) for n in b.graph.objects(b.subject, SSEKG.name)]
            kinds = [k for name in names for k in name_kinds(name)]
            found["actor-type"] = {k for k in kinds if k != "BUS"} or set(kinds)
        for scheme_name, chosen in sorted(found.items()):
            if scheme_name in SCHEME_PROPERTY:
                usable = sorted(c for c in chosen if c in known_concepts(scheme_name))
                b.concepts(scheme_name, usable)


def crosswalk_essglobal(graph: Graph, base: str, source_id: str) -> Graph:
    """The graph with its ESSGLOBAL initiatives as ssekg actors under ``base`` (see the
    module's description); references to an initiative from elsewhere in the graph point to
    its actor, and everything else passes through."""
    return essglobal_actors(graph, base, source_id)[0]


def essglobal_actors(graph: Graph, base: str, source_id: str) -> tuple[Graph, list[Problem]]:
    """:func:`crosswalk_essglobal`, with what was doubtful on the way (values left out,
    countries guessed), as Warnings."""
    canonical = _canonical_graph(graph)
    mapper = _Mapper(canonical, base, source_id)
    out = Graph()
    for prefix, namespace in graph.namespaces():
        out.bind(prefix, namespace, replace=True)
    renamed: dict[Node, URIRef] = {}
    graphs: dict[URIRef, Graph] = {}
    consumed: set[Node] = set()
    for node in _initiatives(canonical):
        mapped = mapper.initiative(node)
        renamed[node] = mapped.builder.subject
        graphs[mapped.builder.subject] = mapped.builder.graph
        consumed |= mapped.consumed
        mapper.problems.extend(mapped.builder.problems)
    for s, p, o in (t for node in renamed.values() for t in graphs[node]):
        # one initiative may point at another (a member of a network): at its actor, then
        out.add((s, p, o if p == SCHEMA.sameAs else renamed.get(o, o)))
    for s, p, o in canonical:
        if s in renamed or s in consumed:
            continue
        out.add((renamed.get(s, s), p, renamed.get(o, o)))
    return out, mapper.problems


__all__ = [
    "canonical_iri",
    "concepts_for",
    "essglobal_term",
    "crosswalk_essglobal",
    "essglobal_actors",
    "uses_essglobal",
]
