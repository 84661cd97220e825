"""The network of the ecosystem: who cooperates with whom, who is a member of which network,
platform or coalition, and who funds whom, as one undirected networkx graph of actors; its
measures (degree and betweenness centrality, communities, brokers between communities,
isolated actors); and its export to GraphML and GEXF for Gephi.

What the graph is made of:

* **nodes**: every actor (``ssekg:Actor``) of the public graphs, records that entity resolution
  joined (``owl:sameAs``, see :func:`ssekg.loaders.resolve.canonical_actors`) as one node under
  the canonical IRI of their cluster; and any other IRI a relation ties (a network or funder
  no source describes as an actor);
* **edges**, one per pair of nodes whatever ties them:

  - *cooperation*: every two partners (``ssekg:partner``) of a cooperation;
  - *membership*: the member and the network, platform or coalition (``org:member`` /
    ``org:organization`` of a ``ssekg:Membership``, or the shortcut ``org:memberOf``);
    networks are actors themselves, so a network that is a member of another is tied to it;
  - *funding*: the funder and the recipient (``ssekg:funder``, ``ssekg:recipient``).

  An edge's ``kind`` is its only kind, or the first of cooperation, membership, funding when
  several relations tie the pair (``kinds`` lists them all, ``weight`` counts the relations).
  Ties between two records of one merged actor disappear with the merge.

The measures (:func:`analyse_network`):

* **degree**: the number of neighbours, and the degree centrality (degree / (n − 1));
* **betweenness**: networkx's normalised betweenness centrality over the whole graph,
  computed by igraph (Brandes' algorithm in C). Above :data:`EXACT_BETWEENNESS_MAX` tied
  nodes it is estimated from :data:`BETWEENNESS_SAMPLES` source nodes drawn with a fixed
  seed (:data:`SEED`) as networkx draws them and rescaled as networkx rescales them, so a run
  gives the same figures, and the figures networkx would give;
* **communities**: igraph's Leiden method optimising modularity (seeded) on the tied nodes;
  communities are numbered from 0, largest first; isolated actors belong to none
  (community −1);
* **brokers**: actors with edges into at least two communities (their own counts), ranked by
  betweenness, then degree;
* **isolated**: actors with no cooperation, membership or funding at all.

Only the public graphs are read (:meth:`Store.query`), and the nodes carry names, types and
regions only: no contact point or person reaches the graph or its files."""

from __future__ import annotations

import csv
import json
import random
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import TextIO
from xml.sax.saxutils import escape, quoteattr

import igraph as ig
import networkx as nx
from rdflib import Literal

from ssekg.analysis.facts import MEMBERSHIPS, Facts
from ssekg.errors import InputError
from ssekg.exports.records import in_language, language
from ssekg.namespaces import SCHEME_BASE, SSEKG
from ssekg.store.base import Store
from ssekg.text import to_cyrillic

LANGUAGES = ("sr-Latn", "sr-Cyrl", "en")
KINDS = ("cooperation", "membership", "funding")
FORMATS = ("graphml", "gexf")
#: The seed of every random choice (betweenness samples, Leiden): the same data gives the
#: same figures and communities on every run.
SEED = 42
#: Up to this many tied nodes betweenness is exact; above, it is estimated from samples.
EXACT_BETWEENNESS_MAX = 1000
#: Source nodes sampled for the betweenness estimate above :data:`EXACT_BETWEENNESS_MAX`.
BETWEENNESS_SAMPLES = 100

# -- the queries -------------------------------------------------------------------------------

ACTOR_TYPES = f"""
SELECT ?type ?label WHERE {{
  ?type skos:inScheme <{SCHEME_BASE}actor-type> ; skos:prefLabel ?label .
}}
"""
#: The NSTJ2 region (a four-character NSTJ code) of every seat an actor has.
REGIONS = """
SELECT ?seat ?region ?code ?label WHERE {
  { SELECT DISTINCT ?seat WHERE { ?actor ssekg:municipality ?seat } }
  ?seat ssekg:partOf* ?region .
  ?region a ssekg:StatisticalRegion ; ssekg:nstjCode ?code .
  FILTER(STRLEN(STR(?code)) = 4)
  OPTIONAL { ?region skos:prefLabel ?label }
}
"""
# The relations: the two IRIs they tie and one string of what else is known, space-separated
# (``via`` and then the kind's fields, empty when unknown); a shortcut has no string.
COOPERATIONS = """
SELECT ?a ?b ?info WHERE {
  ?via ssekg:partner ?a, ?b .
  FILTER(STR(?a) < STR(?b))
  OPTIONAL { ?via ssekg:startDate ?start }
  OPTIONAL { ?via ssekg:endDate ?end }
  BIND(CONCAT(STR(?via), " ", COALESCE(STR(?start), ""), " ", COALESCE(STR(?end), ""))
       AS ?info)
}
"""
FUNDINGS = """
SELECT ?a ?b ?info WHERE {
  ?via ssekg:funder ?a ; ssekg:recipient ?b .
  OPTIONAL { ?via ssekg:year ?year }
  BIND(CONCAT(STR(?via), " ", COALESCE(STR(?year), "")) AS ?info)
}
"""
_RELATIONS = {"cooperation": COOPERATIONS, "membership": MEMBERSHIPS, "funding": FUNDINGS}


# -- what the analysis returns -----------------------------------------------------------------


@dataclass(frozen=True)
class ActorMeasures:
    iri: str
    label: str
    degree: int
    betweenness: float
    community: int
    broker: bool
    degree_centrality: float = 0.0
    actor_type: str = ""
    region: str = ""
    #: How many communities the actor's edges reach (its own included).
    communities_reached: int = 0


@dataclass(frozen=True)
class NetworkSummary:
    actors: list[ActorMeasures]
    communities: list[list[str]]
    brokers: list[str]
    isolated: list[str]
    #: Edges by kind (an edge of several kinds counts for each).
    edges: dict[str, int] = field(default_factory=dict)
    #: Source nodes sampled for betweenness; None when it is exact.
    betweenness_samples: int | None = None
    seed: int = SEED
    modularity: float = 0.0
    lang: str = "sr-Latn"

    def actor(self, iri: str) -> ActorMeasures | None:
        return next((a for a in self.actors if a.iri == iri), None)

    def to_rows(self, lang: str | None = None) -> list[dict[str, str]]:
        """One row per actor (brokers first, by rank; then the others by betweenness),
        headers in ``lang``."""
        words = WORDS[lang or self.lang]
        rank = {iri: i for i, iri in enumerate(self.brokers, 1)}
        rows = []
        for a in _by_importance(self.actors):
            rows.append({
                "iri": a.iri,
                words["actor"]: a.label,
                words["actor_type"]: a.actor_type,
                words["region"]: a.region,
                words["degree"]: str(a.degree),
                words["degree_centrality"]: f"{a.degree_centrality:.4f}",
                words["betweenness"]: f"{a.betweenness:.4f}",
                words["community"]: "" if a.community < 0 else str(a.community),
                words["broker"]: str(rank[a.iri]) if a.iri in rank else "",
                words["isolated"]: words["yes"] if a.degree == 0 else "",
            })  # fmt: skip
        return rows

    def write_csv(self, out: TextIO, lang: str | None = None) -> None:
        words = WORDS[lang or self.lang]
        headers = ["iri"] + [words[k] for k in _ROW_KEYS]
        writer = csv.DictWriter(out, fieldnames=headers, lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.to_rows(lang))

    def to_json(self) -> dict[str, object]:
        by_iri = {a.iri: a for a in self.actors}
        return {
            "lang": self.lang,
            "nodes": len(self.actors),
            "edges": self.edges,
            "seed": self.seed,
            "betweennessSamples": self.betweenness_samples,
            "modularity": round(self.modularity, 4),
            "brokers": [
                {"iri": iri, "label": by_iri[iri].label,
                 "betweenness": round(by_iri[iri].betweenness, 6),
                 "degree": by_iri[iri].degree, "community": by_iri[iri].community,
                 "communitiesReached": by_iri[iri].communities_reached}
                for iri in self.brokers
            ],  # fmt: skip
            "communities": [
                {"community": i, "size": len(members), "members": members}
                for i, members in enumerate(self.communities)
            ],
            "isolated": [{"iri": iri, "label": by_iri[iri].label} for iri in self.isolated],
            "actors": [
                {"iri": a.iri, "label": a.label, "actorType": a.actor_type,
                 "region": a.region, "degree": a.degree,
                 "degreeCentrality": round(a.degree_centrality, 6),
                 "betweenness": round(a.betweenness, 6), "community": a.community,
                 "broker": a.broker}
                for a in self.actors
            ],  # fmt: skip
        }

    def write_json(self, out: TextIO) -> None:
        json.dump(self.to_json(), out, ensure_ascii=False, indent=2)
        out.write("\n")


def _by_importance(actors: Iterable[ActorMeasures]) -> list[ActorMeasures]:
    return sorted(actors, key=lambda a: (not a.broker, -a.betweenness, -a.degree, a.iri))


# -- words for people --------------------------------------------------------------------------

_ROW_KEYS = ("actor", "actor_type", "region", "degree", "degree_centrality", "betweenness",
             "community", "broker", "isolated")  # fmt: skip
_WORDS_EN = {
    "actor": "actor", "actor_type": "actor type", "region": "region", "degree": "degree",
    "degree_centrality": "degree centrality", "betweenness": "betweenness",
    "community": "community", "broker": "broker rank", "isolated": "isolated", "yes": "yes",
    "brokers": "Brokers between communities", "communities": "Communities",
    "isolated_actors": "Isolated actors", "rank": "rank", "reached": "communities reached",
    "size": "actors", "central": "most central", "regions": "regions",
    "nodes": "actors", "edges": "edges", "cooperation": "cooperation",
    "membership": "membership", "funding": "funding", "more": "and {n} more",
    "exact": "betweenness exact", "sampled": "betweenness estimated from {k} sampled actors "
    "(seed {seed})", "modularity": "modularity", "none": "none",
}  # fmt: skip
_WORDS_SR = {
    "actor": "akter", "actor_type": "vrsta aktera", "region": "region", "degree": "stepen",
    "degree_centrality": "centralnost stepena", "betweenness": "posredništvo",
    "community": "zajednica", "broker": "rang posrednika", "isolated": "izolovan", "yes": "da",
    "brokers": "Posrednici između zajednica", "communities": "Zajednice",
    "isolated_actors": "Izolovani akteri", "rank": "rang", "reached": "dosegnute zajednice",
    "size": "akteri", "central": "najcentralniji", "regions": "regioni",
    "nodes": "akteri", "edges": "veze", "cooperation": "saradnja",
    "membership": "članstvo", "funding": "finansiranje", "more": "i još {n}",
    "exact": "posredništvo tačno", "sampled": "posredništvo procenjeno iz uzorka od {k} "
    "aktera (seme {seed})", "modularity": "modularnost", "none": "nema",
}  # fmt: skip
WORDS = {
    "en": _WORDS_EN,
    "sr-Latn": _WORDS_SR,
    "sr-Cyrl": {k: to_cyrillic(v) for k, v in _WORDS_SR.items()},
}


def word(lang: str, key: str, **values: object) -> str:
    """One of :data:`WORDS` in ``lang``, its ``{placeholders}`` filled in."""
    if lang == "sr-Cyrl":
        return to_cyrillic(_WORDS_SR[key].format(**values))
    return WORDS[lang][key].format(**values)


def check_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise InputError(
            f"the language {lang!r} is not known; use sr-Latn, sr-Cyrl or en.",
            f"jezik {lang!r} nije poznat; koristite sr-Latn, sr-Cyrl ili en.",
        )


def network_format(path: Path | str) -> str:
    """The file format a path's extension names (``.graphml`` or ``.gexf``)."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise InputError(
            f"cannot tell the format of {path}: give a file ending in .graphml or .gexf.",
            f"ne mogu da odredim format datoteke {path}: navedite datoteku sa nastavkom "
            ".graphml ili .gexf.",
        )
    return suffix


# -- building the graph ------------------------------------------------------------------------


@dataclass
class _Facts:
    """The names of one record, as the network labels it."""

    #: (language, text) of its names, and of its transliterated names.
    names: list[tuple[str, str]] = field(default_factory=list)
    transliterated: list[tuple[str, str]] = field(default_factory=list)


@cache
def _tag(raw: str) -> str:
    """A language tag in its usual case ("sr-Latn"), as :func:`language` gives it."""
    return language(Literal("", lang=raw)) or raw if raw else ""


def _text(lang: str, facts: _Facts) -> str | None:
    """An actor's name in the script of ``lang`` (Latin for English)."""
    script = "sr-Cyrl" if lang == "sr-Cyrl" else "sr-Latn"
    for tag, text in facts.names + facts.transliterated:
        if tag == script:
            return text
    registered = facts.names or facts.transliterated
    literals = [Literal(text, lang=tag or None) for tag, text in registered]
    return in_language(literals, script)


def _date(text: str) -> str | None:
    return text[:10] or None


def _year(text: str) -> int | None:
    text = text.lstrip("-")[:4]
    return int(text) if text.isdigit() else None


def _label_in(labels: dict[str, str], lang: str) -> str | None:
    if lang in labels:
        return labels[lang]
    if lang == "sr-Cyrl" and "sr-Latn" in labels:
        return to_cyrillic(labels["sr-Latn"])
    return labels.get("sr-Latn") or labels.get("en") or next(iter(labels.values()), None)


@dataclass
class _Edge:
    kinds: set[str] = field(default_factory=set)
    via: set[str] = field(default_factory=set)
    shortcuts: int = 0
    years: set[int] = field(default_factory=set)
    periods: set[str] = field(default_factory=set)
    roles: set[str] = field(default_factory=set)

    def add(self, kind: str, info: str) -> None:
        """One relation of ``kind``, its ``info`` as the relation queries give it."""
        self.kinds.add(kind)
        if not info:
            self.shortcuts += 1
            return
        via, *fields = info.split(" ")
        self.via.add(via)
        if kind == "funding":
            year = _year(fields[0])
            if year is not None:
                self.years.add(year)
            if fields[0]:
                self.periods.add(fields[0][:4])
            return
        start, end = _date(fields[0]), _date(fields[1])
        year = _year(fields[0])
        if year is not None:
            self.years.add(year)
        if start or end:
            self.periods.add(f"{start or '..'}/{end or '..'}")
        if kind == "membership" and fields[2]:
            self.roles.add(fields[2].rsplit("/", 1)[-1])


def build_network(
    store: Store, *, lang: str = "sr-Latn", facts: Facts | None = None
) -> nx.Graph:
    """The graph of cooperation, membership and funding among the actors of ``store``'s
    public graphs, merged duplicates as one node (see the module's description).
    ``facts`` are the store's facts when a caller already has them (the report).

    Node attributes: ``label`` (the name in ``lang``'s script), ``actor_type`` (labels joined
    by "; "), ``actor_type_code``, ``region`` (NSTJ2 region), ``region_code``, ``records``
    (how many records were merged into the node) and ``same_as`` (the other records' IRIs).
    Edge attributes: ``kind``, ``kinds``, ``weight``, ``year`` (the earliest year of its
    relations, when known), ``period`` (each relation's ISO 8601 period, "; "-joined),
    ``role`` (membership roles) and ``via`` (the relations' IRIs)."""
    check_language(lang)
    facts = Facts.of(store, facts)
    canonical = facts.canonical

    def node_of(iri: str) -> str:
        return canonical.get(iri, iri)

    names, transliterated = facts.names, facts.transliterated
    kinds, seats = facts.values(str(SSEKG.actorType)), facts.values(str(SSEKG.municipality))

    def label_of(record: str) -> str | None:
        return _text(lang, _Facts(
            names=[(_tag(t), text) for t, text in names.get(record, ())],
            transliterated=[(_tag(t), text) for t, text in transliterated.get(record, ())],
        ))  # fmt: skip
    type_labels: dict[str, dict[str, str]] = defaultdict(dict)
    for row in facts.rows(ACTOR_TYPES):
        tag = language(row["label"])
        if tag:
            type_labels[str(row["type"])][tag] = str(row["label"])
    regions: dict[str, tuple[str, dict[str, str]]] = {}
    for row in facts.rows(REGIONS):
        code, labels = regions.setdefault(str(row["seat"]), (str(row["code"]), {}))
        text = row.get("label")
        tag = language(text) if text is not None else None
        if text is not None and tag:
            labels[tag] = str(text)

    edges: dict[tuple[str, str], _Edge] = defaultdict(_Edge)
    for kind, sparql in _RELATIONS.items():
        rows = facts.memberships if kind == "membership" else facts.select(sparql)
        for x, y, info in rows:
            a, b = node_of(x or ""), node_of(y or "")
            if a != b:
                edges[(a, b) if a < b else (b, a)].add(kind, info or "")

    # Nodes: every actor's cluster, and whatever else a relation ties.
    clusters: dict[str, list[str]] = defaultdict(list)
    for iri in facts.actors:
        clusters[node_of(iri)].append(iri)
    for a, b in edges:
        clusters.setdefault(a, [])
        clusters.setdefault(b, [])
    other_names: dict[str, _Facts] = {}
    for node, members in clusters.items():
        if not members and node not in facts.actor_set:
            given = facts.record_names(node)
            if given:
                other_names[node] = _Facts(names=[(_tag(t), text) for t, text in given])

    nodes: list[tuple[str, dict[str, object]]] = []
    for node in sorted(clusters):
        records = clusters[node]
        if len(records) > 1:
            records = sorted(records, key=lambda r: (r != node, r))
        label = None
        types: set[str] = set()
        seat_regions: set[str] = set()
        for record in records:
            label = label or label_of(record)
            types.update(kinds.get(record, ()))
            seat_regions.update(s for s in seats.get(record, ()) if s in regions)
        if not records:
            label = _text(lang, other_names[node]) if node in other_names else None
        ordered_types = sorted(types)
        region_codes = sorted({regions[s][0] for s in seat_regions})
        region_labels = {regions[s][0]: regions[s][1] for s in seat_regions}
        nodes.append((node, {
            "label": label or node,
            "actor_type": "; ".join(
                _label_in(type_labels.get(t, {}), lang) or t.rsplit("/", 1)[-1]
                for t in ordered_types
            ),
            "actor_type_code": " ".join(t.rsplit("/", 1)[-1] for t in ordered_types),
            "region": "; ".join(_label_in(region_labels[c], lang) or c for c in region_codes),
            "region_code": " ".join(region_codes),
            "records": len(records),
            "same_as": " ".join(r for r in records if r != node),
        }))  # fmt: skip
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(_edge_rows(edges))
    graph.graph["lang"] = lang
    return graph


def _edge_rows(
    edges: dict[tuple[str, str], _Edge],
) -> Iterator[tuple[str, str, dict[str, object]]]:
    for (a, b), edge in sorted(edges.items()):
        kinds = [k for k in KINDS if k in edge.kinds]
        attrs: dict[str, object] = {
            "kind": kinds[0],
            "kinds": " ".join(kinds),
            "weight": float(len(edge.via) or 1),
            "period": _joined("; ", edge.periods),
            "role": _joined(" ", edge.roles),
            "via": _joined(" ", edge.via),
        }
        if edge.years:
            attrs["year"] = min(edge.years)
        yield a, b, attrs


def _joined(separator: str, items: set[str]) -> str:
    """The items sorted and joined (most edges have one of each, or none)."""
    if len(items) == 1:
        return next(iter(items))
    return separator.join(sorted(items)) if items else ""


# -- the measures ------------------------------------------------------------------------------


def _igraph(graph: nx.Graph, nodes: list[str]) -> ig.Graph:
    """``graph`` restricted to ``nodes`` (all its edges' ends) as an igraph graph whose
    vertex i is ``nodes[i]``."""
    index = {v: i for i, v in enumerate(nodes)}
    return ig.Graph(n=len(nodes), edges=[(index[a], index[b]) for a, b in graph.edges()])


def _betweenness(
    tied: ig.Graph, nodes: list[str], *, seed: int, exact_max: int, samples: int
) -> tuple[dict[str, float], int | None]:
    """Brandes' betweenness of ``nodes`` (the tied ones), unnormalised as networkx gives it,
    computed by igraph; from ``samples`` source nodes above ``exact_max`` nodes, drawn and
    rescaled as networkx draws and rescales them (so the figures are networkx's, faster).
    Also the number of sources used, None when exact."""
    if len(nodes) <= exact_max or min(samples, len(nodes)) == len(nodes):
        values = tied.betweenness(directed=False)
        return dict(zip(nodes, values, strict=True)), None
    k = max(2, min(samples, len(nodes)))
    sources = random.Random(seed).sample(nodes, k)
    index = {v: i for i, v in enumerate(nodes)}
    values = tied.betweenness(directed=False, sources=[index[s] for s in sources])
    # igraph counts each sampled (source, target) path once; networkx's estimate scales the
    # sum up to all n - 1 sources, a sampled node by one source fewer (it is not its own).
    drawn = set(sources)
    others = (len(nodes) - 1) / k
    own = (len(nodes) - 1) / (k - 1)
    return {v: b * (own if v in drawn else others) for v, b in zip(nodes, values, strict=True)}, k


def _leiden(tied: ig.Graph, nodes: list[str], seed: int) -> tuple[list[list[str]], float]:
    """The communities of ``nodes`` by the Leiden method optimising modularity (igraph's, two
    iterations, its random choices drawn from ``seed``), largest first, and their
    modularity. Leiden refines Louvain (no community falls apart inside): on the synthetic
    data it finds a higher modularity five times faster than igraph's Louvain."""
    if not nodes:
        return [], 0.0
    ig.set_random_number_generator(random.Random(seed))
    try:
        found = tied.community_leiden(objective_function="modularity", n_iterations=2)
    finally:
        ig.set_random_number_generator(random)
    groups: dict[int, list[str]] = defaultdict(list)
    for v, c in zip(nodes, found.membership, strict=True):
        groups[c].append(v)
    communities = sorted((sorted(c) for c in groups.values()), key=lambda c: (-len(c), c[0]))
    return communities, float(found.modularity)


def analyse_network(
    graph: nx.Graph,
    *,
    seed: int = SEED,
    exact_max: int = EXACT_BETWEENNESS_MAX,
    samples: int = BETWEENNESS_SAMPLES,
) -> NetworkSummary:
    """Degree and betweenness centrality, communities, brokers and isolated actors of a
    graph made by :func:`build_network` (see the module's description)."""
    n = graph.number_of_nodes()
    degrees: dict[str, int] = dict(graph.degree)
    tied = [v for v in graph if degrees[v] > 0]
    degree = nx.degree_centrality(graph) if n > 1 else dict.fromkeys(graph, 0.0)

    # Betweenness over the tied nodes only (isolated ones lie on no path), scaled as
    # networkx scales it over the whole graph: pairs of nodes, normalised by (n-1)(n-2)/2.
    shape = _igraph(graph, tied)
    raw, used_samples = _betweenness(shape, tied, seed=seed, exact_max=exact_max,
                                     samples=samples)  # fmt: skip
    scale = 2.0 / ((n - 1) * (n - 2)) if n > 2 else 0.0
    betweenness = {v: raw.get(v, 0.0) * scale for v in graph}

    communities, modularity = _leiden(shape, tied, seed)
    community_of = {v: i for i, members in enumerate(communities) for v in members}

    reached = {v: len({community_of[u] for u in graph[v]} | {community_of[v]})
               for v in tied}  # fmt: skip
    brokers = sorted(
        (v for v in tied if reached[v] >= 2),
        key=lambda v: (-betweenness[v], -degrees[v], v),
    )
    broker_set = set(brokers)
    data_of = graph.nodes
    isolated = sorted((v for v in graph if degrees[v] == 0),
                      key=lambda v: (str(data_of[v].get("label", v)), v))  # fmt: skip
    edges = {kind: 0 for kind in KINDS}
    for _, _, data in graph.edges(data=True):
        for kind in str(data.get("kinds", data.get("kind", ""))).split():
            if kind in edges:
                edges[kind] += 1

    actors = [
        ActorMeasures(
            iri=v,
            label=str(data.get("label", v)),
            degree=degrees[v],
            betweenness=betweenness[v],
            community=community_of.get(v, -1),
            broker=v in broker_set,
            degree_centrality=degree[v],
            actor_type=str(data.get("actor_type", "")),
            region=str(data.get("region", "")),
            communities_reached=reached.get(v, 0),
        )
        for v, data in sorted(graph.nodes(data=True), key=lambda item: item[0])
    ]
    return NetworkSummary(
        actors=actors,
        communities=communities,
        brokers=brokers,
        isolated=isolated,
        edges=edges,
        betweenness_samples=used_samples,
        seed=seed,
        modularity=modularity,
        lang=str(graph.graph.get("lang", "sr-Latn")),
    )


# -- files for Gephi ---------------------------------------------------------------------------


def annotated(graph: nx.Graph, summary: NetworkSummary | None = None) -> nx.Graph:
    """A copy of ``graph`` whose nodes also carry their measures: ``community``, ``degree``,
    ``degree_centrality``, ``betweenness`` and ``broker``."""
    summary = summary or analyse_network(graph)
    out = graph.copy()
    for a in summary.actors:
        out.nodes[a.iri].update(
            community=a.community,
            degree=a.degree,
            degree_centrality=a.degree_centrality,
            betweenness=a.betweenness,
            broker=a.broker,
        )
    out.graph.clear()
    return out


def write_network(
    graph: nx.Graph, path: Path | str, fmt: str, *, summary: NetworkSummary | None = None
) -> None:
    """Write the graph with its measures as GraphML or GEXF (1.2draft, as Gephi reads it)."""
    if fmt not in FORMATS:
        raise InputError(
            f"the network format {fmt!r} is not known; use graphml or gexf.",
            f"format mreže {fmt!r} nije poznat; koristite graphml ili gexf.",
        )
    out = annotated(graph, summary)
    try:
        with open(path, "w", encoding="utf-8") as file:
            (_write_graphml if fmt == "graphml" else _write_gexf)(out, file)
    except OSError as error:
        raise InputError(
            f"cannot write {path}: {error.strerror}; choose a writable path.",
            f"ne mogu da upišem {path}: {error.strerror}; izaberite drugu putanju.",
        ) from None


# What networkx's GraphML and GEXF writers give, streamed: they build the whole document as
# an ElementTree first, which took longer than building and measuring the network.

_XML_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}
#: Besides &, < and > (which :func:`escape` always replaces).
_ATTRIBUTE = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
_HEADER = "<?xml version='1.0' encoding='utf-8'?>\n"


def _keys(items: Iterable[dict[str, object]], skip: tuple[str, ...]) -> dict[str, str]:
    """Every attribute name of ``items`` (in the order first met) and its XML type."""
    keys: dict[str, str] = {}
    for data in items:
        for name, value in data.items():
            if name not in keys and name not in skip:
                keys[name] = _XML_TYPES.get(type(value), "string")
    return keys


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _attr_escape(text: str) -> str:
    return escape(text, _ATTRIBUTE)


def _write_graphml(graph: nx.Graph, out: TextIO) -> None:
    node_keys = _keys((d for _, d in graph.nodes(data=True)), ())
    edge_keys = _keys((d for _, _, d in graph.edges(data=True)), ())
    ids = {("node", k): f"d{i}" for i, k in enumerate(node_keys)}
    ids.update({("edge", k): f"d{i}" for i, k in enumerate(edge_keys, len(node_keys))})
    write = out.write
    write(_HEADER)
    write('<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
          'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
          'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
          'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n')  # fmt: skip
    for where, keys in (("node", node_keys), ("edge", edge_keys)):
        for name, kind in keys.items():
            write(f'  <key id="{ids[where, name]}" for="{where}" '
                  f'attr.name={quoteattr(name)} attr.type="{kind}" />\n')  # fmt: skip
    write('  <graph edgedefault="undirected">\n')

    def data(where: str, attrs: dict[str, object]) -> str:
        return "".join(
            f'      <data key="{ids[where, name]}">{escape(_value(value))}</data>\n'
            for name, value in attrs.items()
        )

    for node, attrs in graph.nodes(data=True):
        write(f"    <node id={quoteattr(str(node))}>\n{data('node', attrs)}    </node>\n")
    for a, b, attrs in graph.edges(data=True):
        write(f"    <edge source={quoteattr(str(a))} target={quoteattr(str(b))}>\n"
              f"{data('edge', attrs)}    </edge>\n")  # fmt: skip
    write("  </graph>\n</graphml>\n")


def _write_gexf(graph: nx.Graph, out: TextIO) -> None:
    node_keys = _keys((d for _, d in graph.nodes(data=True)), ("label",))
    edge_keys = _keys((d for _, _, d in graph.edges(data=True)), ("weight",))
    node_ids = {k: str(i) for i, k in enumerate(node_keys)}
    edge_ids = {k: str(i) for i, k in enumerate(edge_keys, len(node_keys))}
    write = out.write
    write(_HEADER)
    write('<gexf xmlns="http://www.gexf.net/1.2draft" '
          'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
          'xsi:schemaLocation="http://www.gexf.net/1.2draft '
          'http://www.gexf.net/1.2draft/gexf.xsd" version="1.2">\n')  # fmt: skip
    write(f'  <meta lastmodifieddate="{date.today().isoformat()}">\n'
          "    <creator>ssekg</creator>\n  </meta>\n"
          '  <graph defaultedgetype="undirected" mode="static" name="">\n')  # fmt: skip
    for where, keys, ids in (("node", node_keys, node_ids), ("edge", edge_keys, edge_ids)):
        write(f'    <attributes mode="static" class="{where}">\n')
        for name, kind in keys.items():
            write(f'      <attribute id="{ids[name]}" title={quoteattr(name)} '
                  f'type="{kind}" />\n')  # fmt: skip
        write("    </attributes>\n")

    def values(attrs: dict[str, object], ids: dict[str, str]) -> str:
        found = "".join(
            f'          <attvalue for="{ids[name]}" value="{_attr_escape(_value(value))}" />\n'
            for name, value in attrs.items()
            if name in ids
        )
        return f"        <attvalues>\n{found}        </attvalues>\n" if found else ""

    write("    <nodes>\n")
    for node, attrs in graph.nodes(data=True):
        label = _attr_escape(str(attrs.get("label", node)))
        write(f'      <node id={quoteattr(str(node))} label="{label}">\n'
              f"{values(attrs, node_ids)}      </node>\n")  # fmt: skip
    write("    </nodes>\n    <edges>\n")
    for i, (a, b, attrs) in enumerate(graph.edges(data=True)):
        weight = f' weight="{_value(attrs["weight"])}"' if "weight" in attrs else ""
        write(f"      <edge source={quoteattr(str(a))} target={quoteattr(str(b))} "
              f'id="{i}"{weight}>\n{values(attrs, edge_ids)}      </edge>\n')  # fmt: skip
    write("    </edges>\n  </graph>\n</gexf>\n")


__all__ = [
    "ActorMeasures",
    "NetworkSummary",
    "analyse_network",
    "annotated",
    "build_network",
    "network_format",
    "word",
    "write_network",
]
