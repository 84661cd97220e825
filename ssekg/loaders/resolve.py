"""Entity resolution: find the records of different sources that describe the same actor,
and keep the links between them in the links graph.

Two actor IRIs are linked

* by **MB** (``ssekg:registrationNumber``) or **PIB** (``ssekg:taxNumber``) when they share
  one; such a link is automatic (score 100), unless the other identifier contradicts it,
  which sends the pair to review;
* else by **name**: within one municipality (``ssekg:municipality``), the folded names
  (script, case and diacritics ignored; legal-form words and the municipality's own name
  taken out) are compared with rapidfuzz's ``WRatio``. Conflicting legal forms and differing
  numbers in the names lower the score. At or above the threshold the link is automatic;
  from the review floor up to the threshold the pair waits for a person
  (``ssekg links accept|reject``).

Name matches are only proposed between actors of different sources (two actors listed by
one source are two actors to that source), and never between actors whose MBs or PIBs
differ. Candidates are found in blocks (municipality and the first or last three letters of a name
word), so the work grows with the size of the blocks, not with the square of all actors.

Each link is a ``ssekg:IdentityLink`` node ``{base}link/{id}`` (the id is a hash of the two
IRIs, so a pair always has the same node) with its score, method, status and times; accepted
and automatic links also state ``owl:sameAs`` between the two actors. A person's decision
(accepted, rejected) is never overwritten by a later run, so a rejected pair is not proposed
again; running ``find`` twice on the same data writes the same graph.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Literal as Kind

import numpy as np
from rapidfuzz import fuzz, process
from rdflib import OWL, RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS
from rdflib.term import Node

from ssekg.derived import refresh as refresh_derived
from ssekg.errors import InputError
from ssekg.namespaces import SSEKG
from ssekg.store.base import Store
from ssekg.store.terms import to_ox
from ssekg.text import fold

Triple = tuple[Node, Node, Node]
Method = Kind["mb", "pib", "name"]
Status = Kind["auto", "accepted", "rejected", "pending"]

METHODS: tuple[str, ...] = ("mb", "pib", "name")
STATUSES: tuple[str, ...] = ("auto", "accepted", "rejected", "pending")
#: Statuses a person set: a later run keeps them as they are.
DECIDED: tuple[str, ...] = ("accepted", "rejected")
#: Statuses under which the two actors are one (owl:sameAs is stated).
SAME: tuple[str, ...] = ("auto", "accepted")

DEFAULT_THRESHOLD = 92.0
DEFAULT_REVIEW_FLOOR = 75.0
#: Score lost when both legal forms are known and differ (a cooperative is not an association).
LEGAL_FORM_PENALTY = 15.0
#: Score lost when both names carry numbers and they differ ("Krug 2" is not "Krug 3").
NUMBER_PENALTY = 25.0
#: Score lost when only one of the names carries a number.
LONE_NUMBER_PENALTY = 10.0
#: Letters at the start (and at the end) of a name word that, with the municipality, form a
#: block; both ends, so that one typo near the start of every word does not hide a pair.
PREFIX_LENGTH = 3

# Legal-form words, as written; folded at import. The code is the legal-form concept the
# words stand for (None: a form word that names no single concept). Short abbreviations
# count only at the end of a name, where legal suffixes stand ("Od srca" keeps its "od").
_FORM_WORDS: tuple[tuple[str, str | None], ...] = (
    ("udruženje građana", "UDR"),
    ("udruženje", "UDR"),
    ("udruzenje", "UDR"),
    ("savez udruženja", "SUDR"),
    ("ug", "UDR"),
    ("zemljoradnička zadruga", "ZAD"),
    ("poljoprivredna zadruga", "ZAD"),
    ("stambena zadruga", "ZAD"),
    ("potrošačka zadruga", "ZAD"),
    ("zanatska zadruga", "ZAD"),
    ("radnička zadruga", "ZAD"),
    ("omladinska zadruga", "ZAD"),
    ("studentska zadruga", "ZAD"),
    ("socijalna zadruga", "ZAD"),
    ("zdravstvena zadruga", "ZAD"),
    ("energetska zadruga", "ZAD"),
    ("zadruga", "ZAD"),
    ("zz", "ZAD"),
    ("pz", "ZAD"),
    ("zadružni savez", "ZSAVEZ"),
    ("fondacija", "FOND"),
    ("zadužbina", "ZADUZ"),
    ("društvo sa ograničenom odgovornošću", "DOO"),
    ("d.o.o.", "DOO"),
    ("doo", "DOO"),
    ("akcionarsko društvo", "AD"),
    ("ortačko društvo", "OD"),
    ("komanditno društvo", "KD"),
    ("preduzetnik", "PR"),
    ("javno preduzeće", "JP"),
    ("ustanova", "USTANOVA"),
    ("sindikat", "SIND"),
)
_SUFFIX_ONLY: tuple[tuple[str, str | None], ...] = (
    ("a.d.", "AD"),
    ("ad", "AD"),
    ("od", "OD"),
    ("kd", "KD"),
    ("pr", "PR"),
    ("jp", "JP"),
)


def _folded_phrases(
    phrases: Iterable[tuple[str, str | None]],
) -> list[tuple[tuple[str, ...], str | None]]:
    folded = {tuple(fold(text).split()): code for text, code in phrases}
    return sorted(folded.items(), key=lambda item: -len(item[0]))


FORM_PHRASES = _folded_phrases(_FORM_WORDS)
SUFFIX_PHRASES = _folded_phrases(_SUFFIX_ONLY)
#: The form phrases by their first word, longest first: a name word is looked up, not
#: compared with every phrase.
_PHRASES_BY_FIRST: dict[str, list[tuple[tuple[str, ...], str | None]]] = defaultdict(list)
for _phrase, _code in FORM_PHRASES:
    _PHRASES_BY_FIRST[_phrase[0]].append((_phrase, _code))
_DIGITS = re.compile(r"^\d+$")


def strip_legal_form(tokens: list[str]) -> tuple[list[str], str | None]:
    """The name words without their legal-form words, and the legal form those words name
    (the first one found; None when none or when it names no single concept)."""
    out: list[str] = []
    form: str | None = None
    i = 0
    while i < len(tokens):
        for phrase, code in _PHRASES_BY_FIRST.get(tokens[i], ()):
            if tuple(tokens[i : i + len(phrase)]) == phrase:
                form = form or code
                i += len(phrase)
                break
        else:
            out.append(tokens[i])
            i += 1
    for phrase, code in SUFFIX_PHRASES:
        if len(out) > len(phrase) and tuple(out[-len(phrase) :]) == phrase:
            form = form or code
            out = out[: -len(phrase)]
            break
    return out, form


def name_key(name: str, place_words: Iterable[str] = ()) -> tuple[str, str | None]:
    """The key a name is compared by, and the legal form its words name: folded (Latin
    script, lower case, no diacritics, no punctuation), without legal-form words, and
    without the words of the municipality's own name ("Sloga Pirot" in Pirot is "sloga").
    A name made only of such words keeps them, so that it still has a key."""
    tokens = fold(name).split()
    core, form = strip_legal_form(tokens)
    place = set(place_words)
    without_place = [t for t in core if t not in place]
    words = without_place or core or tokens
    return " ".join(words), form


def legal_form_family(concept: str) -> str:
    """The code of a legal-form concept's family: narrower kinds of a cooperative
    (``ZAD-POLJ``) count as the cooperative (``ZAD``)."""
    code = concept.rstrip("/").rsplit("/", 1)[-1]
    return code.split("-", 1)[0]


# --- the records -------------------------------------------------------------------------------


@dataclass
class ActorRecord:
    """One actor IRI and what the sources say about it that matters for matching."""

    iri: str
    graphs: set[str] = field(default_factory=set)
    names: list[Literal] = field(default_factory=list)
    derived_names: list[Literal] = field(default_factory=list)
    mbs: set[str] = field(default_factory=set)
    pibs: set[str] = field(default_factory=set)
    municipalities: set[str] = field(default_factory=set)
    legal_forms: set[str] = field(default_factory=set)

    def display_name(self) -> str:
        """The name as given, Latin before Cyrillic before others; a transliteration only
        when there is no given name."""
        order = {"sr-latn": 0, "sr-cyrl": 1}
        for names in (self.names, self.derived_names):
            if names:
                ranked = sorted(
                    names, key=lambda n: (order.get((n.language or "").lower(), 2), str(n))
                )
                return str(ranked[0])
        return ""


_READ_PREDICATES = {
    str(SSEKG.name): "name",
    str(SSEKG.transliteratedName): "derived",
    str(SSEKG.registrationNumber): "mb",
    str(SSEKG.taxNumber): "pib",
    str(SSEKG.municipality): "municipality",
    str(SSEKG.legalForm): "form",
}


def sparql_iris(iris: Iterable[str]) -> str:
    """IRIs as SPARQL terms for a VALUES list, each written by Oxigraph's serialiser (which
    refuses anything that is not an IRI), so no text can change the query."""
    return " ".join(str(to_ox(URIRef(iri))) for iri in iris)


_ACTOR_PREDICATES = sparql_iris(_READ_PREDICATES)


def _actor_query(*, linked_only: bool) -> str:
    links = "GRAPH ?links { ?link ssekg:linkedActor ?actor }\n  " if linked_only else ""
    return (
        "SELECT DISTINCT ?g ?actor ?p ?v WHERE {\n"
        f"  {links}VALUES ?p {{ {_ACTOR_PREDICATES} }}\n"
        "  GRAPH ?g { ?actor a ssekg:Actor ; ?p ?v }\n"
        "  FILTER(STRSTARTS(STR(?g), ?sources))\n"
        "}"
    )


def read_actors(store: Store, *, linked_only: bool = False) -> dict[str, ActorRecord]:
    """Every actor of the source graphs (or only those the links graph names), by IRI."""
    records: dict[str, ActorRecord] = {}
    graphs = store.graphs_of
    bindings: dict[str, Node] = {"sources": Literal(graphs.source(""))}
    if linked_only:
        bindings["links"] = URIRef(graphs.links)
    result = store.query(_actor_query(linked_only=linked_only), bindings=bindings)
    for row in result.rows:
        actor, graph, predicate, value = row["actor"], row["g"], row["p"], row["v"]
        if not isinstance(actor, URIRef):
            continue
        record = records.get(str(actor))
        if record is None:
            record = records[str(actor)] = ActorRecord(str(actor))
        record.graphs.add(str(graph))
        kind = _READ_PREDICATES[str(predicate)]
        if kind == "name" and isinstance(value, Literal):
            record.names.append(value)
        elif kind == "derived" and isinstance(value, Literal):
            record.derived_names.append(value)
        elif kind == "mb":
            record.mbs.add(re.sub(r"\D", "", str(value)))
        elif kind == "pib":
            record.pibs.add(re.sub(r"\D", "", str(value)))
        elif kind == "municipality" and isinstance(value, URIRef):
            record.municipalities.add(str(value))
        elif kind == "form" and isinstance(value, URIRef):
            record.legal_forms.add(legal_form_family(str(value)))
    return records


# --- matching ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """A candidate pair, ``a`` < ``b`` by IRI."""

    a: str
    b: str
    method: Method
    score: float
    status: Status

    @property
    def id(self) -> str:
        return link_id(self.a, self.b)


def link_id(a: str, b: str) -> str:
    """The stable id of the link between two actor IRIs (order does not matter)."""
    first, second = sorted((a, b))
    return hashlib.sha256(f"{first}\n{second}".encode()).hexdigest()[:12]


def _conflict(x: set[str], y: set[str]) -> bool:
    return bool(x) and bool(y) and not (x & y)


def _identifier_matches(records: list[ActorRecord]) -> dict[tuple[str, str], Match]:
    found: dict[tuple[str, str], Match] = {}
    for method, attr, other in (("mb", "mbs", "pibs"), ("pib", "pibs", "mbs")):
        by_value: dict[str, list[ActorRecord]] = defaultdict(list)
        for record in records:
            for value in getattr(record, attr):
                by_value[value].append(record)
        for group in by_value.values():
            group.sort(key=lambda r: r.iri)
            for i, x in enumerate(group):
                for y in group[i + 1 :]:
                    pair = (x.iri, y.iri)
                    if pair in found:
                        continue
                    contradicted = _conflict(getattr(x, other), getattr(y, other))
                    status: Status = "pending" if contradicted else "auto"
                    found[pair] = Match(x.iri, y.iri, method, 100.0, status)  # type: ignore[arg-type]
    return found


def _numbers(key: str) -> frozenset[str]:
    return frozenset(t.lstrip("0") or "0" for t in key.split() if _DIGITS.match(t))


@dataclass(frozen=True)
class _Entry:
    record: int  # index into the record list
    key: str
    form: str | None
    numbers: frozenset[str]


def adjusted_score(raw: float, x: _Entry, y: _Entry, x_forms: set[str], y_forms: set[str]) -> float:
    """The name score after the evidence against a match: different legal forms, numbers."""
    score = raw
    forms_x = x_forms or ({x.form} if x.form else set())
    forms_y = y_forms or ({y.form} if y.form else set())
    if _conflict(forms_x, forms_y):
        score -= LEGAL_FORM_PENALTY
    if x.numbers != y.numbers:
        score -= NUMBER_PENALTY if x.numbers and y.numbers else LONE_NUMBER_PENALTY
    return max(0.0, round(score, 1))


def _place_words(municipality: str) -> list[str]:
    return municipality.rstrip("/").rsplit("/", 1)[-1].split("-")


def _name_matches(
    records: list[ActorRecord], threshold: float, floor: float
) -> dict[tuple[str, str], Match]:
    # One entry per (record, municipality, distinct name key); blocks by municipality and
    # the first and the last letters of each name word.
    entries: list[_Entry] = []
    blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        for municipality in sorted(record.municipalities):
            words = _place_words(municipality)
            keys: dict[str, str | None] = {}
            for name in record.names + record.derived_names:
                key, form = name_key(str(name), words)
                if key:
                    keys.setdefault(key, form)
            for key, form in sorted(keys.items()):
                entry = len(entries)
                entries.append(_Entry(index, key, form, _numbers(key)))
                words = [t for t in key.split() if len(t) >= PREFIX_LENGTH and not t.isdigit()]
                ends = {"<" + t[:PREFIX_LENGTH] for t in words}
                ends |= {">" + t[-PREFIX_LENGTH:] for t in words}
                for end in ends or {"<" + key[:PREFIX_LENGTH]}:
                    blocks[(municipality, end)].append(entry)
    best: dict[tuple[str, str], float] = {}
    seen: set[tuple[int, int]] = set()
    for members in blocks.values():
        if len({entries[m].record for m in members}) < 2:
            continue
        texts = [entries[m].key for m in members]
        scores = process.cdist(
            texts, texts, scorer=fuzz.WRatio, score_cutoff=floor, dtype=np.float32
        )
        rows, cols = np.nonzero(np.triu(scores, k=1))
        for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
            ex, ey = entries[members[i]], entries[members[j]]
            if ex.record == ey.record or (members[i], members[j]) in seen:
                continue
            seen.add((members[i], members[j]))
            x, y = records[ex.record], records[ey.record]
            if x.graphs & y.graphs or _conflict(x.mbs, y.mbs) or _conflict(x.pibs, y.pibs):
                continue
            score = adjusted_score(float(scores[i, j]), ex, ey, x.legal_forms, y.legal_forms)
            if score < floor:
                continue
            pair = (x.iri, y.iri) if x.iri < y.iri else (y.iri, x.iri)
            if score > best.get(pair, -1.0):
                best[pair] = score
    return {
        pair: Match(pair[0], pair[1], "name", score, "auto" if score >= threshold else "pending")
        for pair, score in best.items()
    }


def find_matches(
    records: Iterable[ActorRecord],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    review_floor: float = DEFAULT_REVIEW_FLOOR,
) -> list[Match]:
    """Every candidate pair among ``records``: identifier matches first, then name matches
    for the pairs that no identifier links, in IRI order."""
    check_thresholds(threshold, review_floor)
    listed = sorted(records, key=lambda r: r.iri)
    found = _identifier_matches(listed)
    for pair, match in _name_matches(listed, threshold, review_floor).items():
        found.setdefault(pair, match)
    return [found[pair] for pair in sorted(found)]


def check_thresholds(threshold: float, review_floor: float) -> None:
    if not 0 < threshold <= 100:
        raise InputError(
            f"--threshold {threshold:g} is outside 0–100; give a score such as 92.",
            f"--threshold {threshold:g} nije između 0 i 100; navedite ocenu, npr. 92.",
        )
    if not 0 < review_floor <= threshold:
        raise InputError(
            f"--review-floor {review_floor:g} must be above 0 and at most the threshold "
            f"({threshold:g}); give a lower --review-floor or a higher --threshold.",
            f"--review-floor {review_floor:g} mora biti veći od 0 i najviše jednak pragu "
            f"({threshold:g}); navedite niži --review-floor ili viši --threshold.",
        )


# --- the links graph ---------------------------------------------------------------------------


# The terms a link is written with, looked up once: rdflib's Namespace attribute lookup is
# slow enough to show when thousands of links are written.
_TYPE, _SAME_AS = URIRef(str(RDF.type)), URIRef(str(OWL.sameAs))
_IDENTITY_LINK = URIRef(str(SSEKG.IdentityLink))
_LINKED_ACTOR = URIRef(str(SSEKG.linkedActor))
_MATCH_METHOD = URIRef(str(SSEKG.matchMethod))
_MATCH_SCORE = URIRef(str(SSEKG.matchScore))
_LINK_STATUS = URIRef(str(SSEKG.linkStatus))
_CREATED, _MODIFIED = URIRef(str(DCTERMS.created)), URIRef(str(DCTERMS.modified))


@dataclass
class Link:
    """One ``ssekg:IdentityLink`` as stored."""

    iri: str
    a: str
    b: str
    method: str
    score: float
    status: str
    created: datetime
    modified: datetime

    @property
    def id(self) -> str:
        return self.iri.rstrip("/").rsplit("/", 1)[-1]

    def triples(self) -> list[Triple]:
        node = URIRef(self.iri)
        out: list[Triple] = [
            (node, _TYPE, _IDENTITY_LINK),
            (node, _LINKED_ACTOR, URIRef(self.a)),
            (node, _LINKED_ACTOR, URIRef(self.b)),
            (node, _MATCH_METHOD, Literal(self.method)),
            (node, _MATCH_SCORE, _score_literal(round(self.score, 1))),
            (node, _LINK_STATUS, Literal(self.status)),
            (node, _CREATED, _timestamp(self.created)),
            (node, _MODIFIED, _timestamp(self.modified)),
        ]
        if self.status in SAME:
            out.append((URIRef(self.a), _SAME_AS, URIRef(self.b)))
        return out


@lru_cache(maxsize=1024)
def _score_literal(score: float) -> Literal:
    return Literal(Decimal(f"{score:.1f}"), datatype=XSD.decimal)


@lru_cache(maxsize=1024)
def _timestamp(moment: datetime) -> Literal:
    # Cached: a run stamps thousands of links with the same moment, and rdflib parses the
    # lexical form of every dateTime literal it builds.
    return Literal(moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=XSD.dateTime)


def _parse_time(value: Node | None) -> datetime:
    if isinstance(value, Literal):
        parsed = value.toPython()
        if isinstance(parsed, datetime):
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return datetime(1970, 1, 1, tzinfo=UTC)


def link_iri(store: Store, identifier: str) -> str:
    return f"{store.graphs_of.base}link/{identifier}"


def read_links_graph(store: Store) -> Graph:
    """The links graph as it is in the store."""
    links = store.graphs_of.links
    result = store.query(
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", default_graphs=[links], named_graphs=[]
    )
    return result.graph if result.graph is not None else Graph()


def parse_links(graph: Graph) -> dict[str, Link]:
    """The identity links of a links graph, by IRI."""
    links: dict[str, Link] = {}
    for node in graph.subjects(RDF.type, SSEKG.IdentityLink):
        actors = sorted(str(a) for a in graph.objects(node, SSEKG.linkedActor))
        if len(actors) != 2:
            continue
        score = graph.value(node, SSEKG.matchScore)
        links[str(node)] = Link(
            iri=str(node),
            a=actors[0],
            b=actors[1],
            method=str(graph.value(node, SSEKG.matchMethod) or ""),
            score=float(score) if isinstance(score, Literal) else 0.0,
            status=str(graph.value(node, SSEKG.linkStatus) or "pending"),
            created=_parse_time(graph.value(node, DCTERMS.created)),
            modified=_parse_time(graph.value(node, DCTERMS.modified)),
        )
    return links


def _kept_triples(graph: Graph, links: Mapping[str, Link]) -> list[Triple]:
    """What else the links graph holds (links made by other means), to be kept as it is."""
    pairs = {(link.a, link.b) for link in links.values()}
    pairs |= {(b, a) for a, b in pairs}
    kept: list[Triple] = []
    for s, p, o in graph:
        if str(s) in links:
            continue
        if p == OWL.sameAs and (str(s), str(o)) in pairs:
            continue
        kept.append((s, p, o))
    return kept


def _write(store: Store, graph: Graph, old: Mapping[str, Link], new: Mapping[str, Link]) -> None:
    triples = _kept_triples(graph, old)
    for iri in sorted(new):
        triples += new[iri].triples()
    store.replace_graphs({store.graphs_of.links: triples})
    refresh_derived(store)


@dataclass
class FindSummary:
    """What one run of :func:`find_links` left in the links graph."""

    actors: int
    auto: dict[str, int]
    pending: int
    accepted: int
    rejected: int
    new: int
    dropped: int

    @property
    def automatic(self) -> int:
        return sum(self.auto.values())


def find_links(
    store: Store,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    review_floor: float = DEFAULT_REVIEW_FLOOR,
    now: datetime | None = None,
) -> FindSummary:
    """Resolve the actors of every source graph and write the links graph in one step.

    Accepted and rejected links stay as a person left them. Automatic and pending links
    are recomputed: a pair that is no longer a candidate loses its link, a pair whose
    status or score changed is updated (keeping when it was first found)."""
    check_thresholds(threshold, review_floor)
    moment = now or datetime.now(UTC).replace(microsecond=0)
    records = read_actors(store)
    matches = find_matches(records.values(), threshold=threshold, review_floor=review_floor)
    graph = read_links_graph(store)
    old = parse_links(graph)
    new: dict[str, Link] = {iri: link for iri, link in old.items() if link.status in DECIDED}
    added = 0
    for match in matches:
        iri = link_iri(store, match.id)
        previous = old.get(iri)
        if previous is not None and previous.status in DECIDED:
            continue
        if previous is None:
            added += 1
            new[iri] = Link(iri, match.a, match.b, match.method, match.score, match.status,
                            moment, moment)  # fmt: skip
            continue
        changed = (previous.method, previous.score, previous.status) != (
            match.method,
            round(match.score, 1),
            match.status,
        )
        new[iri] = Link(iri, match.a, match.b, match.method, match.score, match.status,
                        previous.created, moment if changed else previous.modified)  # fmt: skip
    if new != old:  # an unchanged result leaves the store untouched
        _write(store, graph, old, new)
    statuses = [link.status for link in new.values()]
    auto: dict[str, int] = {m: 0 for m in METHODS}
    for link in new.values():
        if link.status == "auto":
            auto[link.method] = auto.get(link.method, 0) + 1
    return FindSummary(
        actors=len(records),
        auto=auto,
        pending=statuses.count("pending"),
        accepted=statuses.count("accepted"),
        rejected=statuses.count("rejected"),
        new=added,
        dropped=len(set(old) - set(new)),
    )


def _find_link(links: Mapping[str, Link], store: Store, identifier: str) -> Link:
    wanted = identifier.strip()
    for candidate in (wanted, link_iri(store, wanted)):
        if candidate in links:
            return links[candidate]
    raise InputError(
        f"there is no link {identifier!r}; see `ssekg links list` for the ids.",
        f"ne postoji veza {identifier!r}; oznake veza prikazuje `ssekg links list`.",
    )


def set_status(
    store: Store, identifier: str, status: Status, *, now: datetime | None = None
) -> Link:
    """Accept or reject one link (by id or IRI), in one step; returns the link as stored."""
    if status not in DECIDED:
        raise InputError(
            f"a link can be set to accepted or rejected, not {status!r}.",
            f"veza može da se prihvati (accepted) ili odbije (rejected), ne {status!r}.",
        )
    graph = read_links_graph(store)
    old = parse_links(graph)
    link = _find_link(old, store, identifier)
    moment = now or datetime.now(UTC).replace(microsecond=0)
    updated = Link(link.iri, link.a, link.b, link.method, link.score, status, link.created, moment)
    new = dict(old)
    new[link.iri] = updated
    _write(store, graph, old, new)
    return updated


# --- listing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkRow:
    """A link as a person reviews it."""

    id: str
    status: str
    method: str
    score: float
    name_a: str
    name_b: str
    municipality: str
    sources_a: tuple[str, ...]
    sources_b: tuple[str, ...]
    actor_a: str
    actor_b: str

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "status": self.status,
            "method": self.method,
            "score": self.score,
            "name_a": self.name_a,
            "name_b": self.name_b,
            "municipality": self.municipality,
            "sources_a": list(self.sources_a),
            "sources_b": list(self.sources_b),
            "actor_a": self.actor_a,
            "actor_b": self.actor_b,
        }


def _municipality_labels(store: Store, places: set[str]) -> dict[str, str]:
    if not places:
        return {}
    result = store.query(
        f"SELECT ?place ?label WHERE {{ VALUES ?place {{ {sparql_iris(sorted(places))} }} "
        '?place skos:prefLabel ?label FILTER(langMatches(lang(?label), "sr-Latn")) }'
    )
    labels = {str(row["place"]): str(row["label"]) for row in result.rows}
    return {p: labels.get(p, p.rstrip("/").rsplit("/", 1)[-1]) for p in places}


def list_links(store: Store, status: str | None = None) -> list[LinkRow]:
    """The links, with both names, the municipality and the sources of each side; pending
    first, then by score (highest first) and id."""
    if status is not None and status not in STATUSES:
        raise InputError(
            f"--status {status!r} is not known; use one of {', '.join(STATUSES)}.",
            f"--status {status!r} nije poznat; koristite jedan od: {', '.join(STATUSES)}.",
        )
    links = [
        link
        for link in parse_links(read_links_graph(store)).values()
        if status is None or link.status == status
    ]
    records = read_actors(store, linked_only=True) if links else {}
    places: set[str] = set()
    for record in records.values():
        places |= record.municipalities
    labels = _municipality_labels(store, places)
    prefix = f"{store.graphs_of.base}graph/source/"
    rows: list[LinkRow] = []
    for link in links:
        a = records.get(link.a, ActorRecord(link.a))
        b = records.get(link.b, ActorRecord(link.b))
        shared = sorted(a.municipalities & b.municipalities) or sorted(
            a.municipalities | b.municipalities
        )
        rows.append(
            LinkRow(
                id=link.id,
                status=link.status,
                method=link.method,
                score=link.score,
                name_a=a.display_name(),
                name_b=b.display_name(),
                municipality=", ".join(labels.get(m, m) for m in shared),
                sources_a=tuple(sorted(g.removeprefix(prefix) for g in a.graphs)),
                sources_b=tuple(sorted(g.removeprefix(prefix) for g in b.graphs)),
                actor_a=link.a,
                actor_b=link.b,
            )
        )
    order = {s: i for i, s in enumerate(("pending", "auto", "accepted", "rejected"))}
    rows.sort(key=lambda r: (order.get(r.status, 9), -r.score, r.id))
    return rows


# --- the merged view ---------------------------------------------------------------------------

_SAME_AS_QUERY = "SELECT DISTINCT ?a ?b WHERE { ?a owl:sameAs ?b FILTER(isIRI(?a) && isIRI(?b)) }"
_ACTORS_QUERY = "SELECT DISTINCT ?actor WHERE { ?actor a ssekg:Actor FILTER(isIRI(?actor)) }"


def canonical_actors(store: Store) -> dict[str, str]:
    """Every actor record IRI (and every IRI ``owl:sameAs`` joins to one) mapped to the
    canonical IRI of its cluster: the smallest actor IRI among the records that
    ``owl:sameAs`` joins, directly or through others. An actor linked to nothing maps to
    itself, so ``canonical[iri]`` works for every actor of the public graphs.

    ``owl:sameAs`` counts wherever the public graphs state it: the links graph (automatic
    and accepted links), and any the curation graph or a source states."""
    parent: dict[str, str] = {}

    def root(iri: str) -> str:
        parent.setdefault(iri, iri)
        while parent[iri] != iri:
            parent[iri] = parent[parent[iri]]
            iri = parent[iri]
        return iri

    actors = {str(row["actor"]) for row in store.query(_ACTORS_QUERY).rows}
    for iri in actors:
        root(iri)
    for row in store.query(_SAME_AS_QUERY).rows:
        a, b = root(str(row["a"])), root(str(row["b"]))
        if a != b:
            parent[max(a, b)] = min(a, b)
    members: dict[str, list[str]] = defaultdict(list)
    for iri in parent:
        members[root(iri)].append(iri)
    canonical: dict[str, str] = {}
    for cluster in members.values():
        among = [iri for iri in cluster if iri in actors] or cluster
        chosen = min(among)
        for iri in cluster:
            canonical[iri] = chosen
    return canonical
