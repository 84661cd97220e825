"""The HTML report of the ecosystem (``ssekg report``): the ecosystem at a glance, actors by
type and region, the gaps per territory, the network, who can help whom, alliance
candidates, and the quality of the data. It is one ``index.html`` (CSS inline, no script)
with its charts as PNG and SVG files in ``charts/`` beside it, so it opens offline and can be
copied or mailed as a folder.

Everything is read through :meth:`Store.query` (the public graphs) or the analysis modules,
which read the same view: no contact person or other personal data reaches the report. The
queries count first and add up in Python (seats to regions through the gazetteer), so the
report stays quick on large stores; only a fresh SHACL validation grows much with the data,
and it runs only when asked for or when the store is small (:data:`VALIDATE_AUTO_MAX`)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import yaml
from rdflib import XSD, Literal, URIRef
from rdflib.term import Node

from ssekg import __version__
from ssekg.analysis.charts import Chart, bar_chart, heat_map, network_picture, save
from ssekg.analysis.common import Concept
from ssekg.analysis.facts import Facts
from ssekg.analysis.gaps import GapReport, analyse_gaps
from ssekg.analysis.matching import WORDS as MATCH_WORDS
from ssekg.analysis.matching import alliance_candidates, match_needs
from ssekg.analysis.network import ActorMeasures, NetworkSummary, analyse_network, build_network
from ssekg.errors import InputError
from ssekg.namespaces import SSEKG, concept
from ssekg.resources import data_dir, template_environment
from ssekg.store.base import Store
from ssekg.text import fold, to_cyrillic, to_latin

LANGUAGES = ("sr-Latn", "sr-Cyrl", "en")
#: Stores with at most this many actors are validated afresh for the report by default; on
#: larger ones validation takes minutes, so the report shows what each load recorded.
VALIDATE_AUTO_MAX = 5_000
#: Facts last observed longer ago than this are stale.
STALE_YEARS = 3
#: Longest tables: the report is read by people; the CLI commands give everything.
TABLE_ROWS = 25
CHARTS = "charts"
#: The sections between the counts and the data quality: anchor and heading word.
SECTIONS = [("gaps", "gaps"), ("network", "network"), ("matches", "matches"),
            ("alliances", "alliances")]  # fmt: skip
LEGAL_STATUS = concept("se-status-kind", "LEGAL")

# -- the queries -------------------------------------------------------------------------------

# The actors, their types and seats are counted in Python from the shared facts
# (:class:`ssekg.analysis.facts.Facts`): each actor once per type, seat, or pair of both.
STATUSES = """
SELECT ?actor ?kind ?ended WHERE {
  ?actor a ssekg:Actor ; ssekg:hasStatus ?status .
  ?status ssekg:statusKind ?kind .
  OPTIONAL { ?status ssekg:endedOn ?ended }
}
"""
RELATIONS = """
SELECT ?class (COUNT(DISTINCT ?node) AS ?count) WHERE {
  VALUES ?class { ssekg:Membership ssekg:Cooperation ssekg:Funding ssekg:CapacityOffer
                  ssekg:ResourceOffer ssekg:CapacityNeed ssekg:ResourceNeed }
  ?node a ?class
} GROUP BY ?class
"""
#: Places of the gazetteer with their parents, to add seats up to NSTJ2 regions.
PLACES = """
SELECT ?place ?parent ?nstj WHERE {
  ?place a ?class .
  FILTER(?class IN (ssekg:StatisticalRegion, ssekg:District, ssekg:Municipality, ssekg:City,
                    ssekg:CityMunicipality))
  OPTIONAL { ?place ssekg:partOf ?parent }
  OPTIONAL { ?place ssekg:nstjCode ?nstj }
}
"""
LABELS = """
SELECT ?thing ?label WHERE {
  ?thing skos:prefLabel ?label .
  FILTER(isIRI(?thing) && (STRSTARTS(STR(?thing), "https://w3id.org/ssekg/scheme/")
                           || STRSTARTS(STR(?thing), "https://w3id.org/ssekg/place/")))
}
"""
#: The loads recorded in the metadata graph: which graph, when, from which files, what result.
LOADS = """
SELECT ?graph ?load ?time ?result ?file WHERE {
  GRAPH ?meta {
    ?load a prov:Activity ; prov:generated ?graph .
    OPTIONAL { ?load prov:startedAtTime ?time }
    OPTIONAL { ?load schema:result ?result }
    OPTIONAL { ?load prov:used ?used . ?used dct:source ?file
               FILTER NOT EXISTS { ?used dct:type "mapping" } }
  }
}
"""
ACTORS_BY_GRAPH = """
SELECT ?graph (COUNT(DISTINCT ?actor) AS ?actors) WHERE { GRAPH ?graph { ?actor a ssekg:Actor } }
GROUP BY ?graph
"""
#: Each actor's latest observation: its own, or that of an offer or need it states (its
#: text and datatype, unbound when it has none).
LAST_OBSERVED = """
SELECT ?actor (STR(?latest) AS ?last) (DATATYPE(?latest) AS ?datatype) WHERE {
  { SELECT ?actor (MAX(?date) AS ?latest) WHERE {
      ?actor a ssekg:Actor .
      OPTIONAL {
        { ?actor ssekg:observedOn ?date }
        UNION { ?actor ssekg:offers|ssekg:needs ?node . ?node ssekg:observedOn ?date }
      }
    } GROUP BY ?actor }
}
"""

# -- words -------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def words() -> dict[str, dict[str, str]]:
    """The report's words: key → language → text (Cyrillic from the Latin unless given)."""
    text = data_dir("analysis/templates").joinpath("report-words.yaml").read_text("utf-8")
    table: dict[str, dict[str, str]] = yaml.safe_load(text)
    for entry in table.values():
        entry.setdefault("sr-Cyrl", _cyrillic_text(entry["sr-Latn"]))
    return table


_PLACEHOLDER = re.compile(r"(\{[a-z_]+\}|`[^`]*`)")


def _cyrillic_text(text: str) -> str:
    """Latin to Cyrillic, leaving ``{placeholders}`` and text in backquotes as they are."""
    parts = _PLACEHOLDER.split(text)
    return "".join(p if _PLACEHOLDER.fullmatch(p) else to_cyrillic(p) for p in parts)


def check_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise InputError(
            f"the language {lang!r} is not offered for the report; use sr-Latn, sr-Cyrl or en.",
            f"jezik {lang!r} nije ponuđen za izveštaj; koristite sr-Latn, sr-Cyrl ili en.",
        )


class Words:
    """The words of one language: ``w("key", n=3)``."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, key: str, **values: object) -> str:
        text = words()[key][self.lang].replace("`", "")
        return text.format(**values) if values else text


def number(value: float, lang: str) -> str:
    """A count or share as people of ``lang`` write it: 12,345 in English, 12.345 in Serbian."""
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    if lang == "en":
        return text
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


# -- what the report shows ---------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    concept: Concept
    actors: int


@dataclass(frozen=True)
class SourceLoad:
    """The latest load of one source graph."""

    source_id: str
    graph: str
    loaded_at: datetime | None
    files: tuple[str, ...]
    actors: int
    result: str
    violations: int | None
    warnings: int | None


@dataclass(frozen=True)
class Glance:
    actors: int
    located: int
    by_type: list[Count]
    by_region: list[Count]
    #: (type IRI, region IRI) → actors; region "" for actors without a seat in the gazetteer.
    type_by_region: dict[tuple[str, str], int]
    #: Statuses held now, by kind (an actor counts once per kind).
    statuses: list[Count]
    status_holders: int
    relations: dict[str, int]
    sources: list[SourceLoad]


@dataclass(frozen=True)
class StaleRecord:
    actor: str
    name: str
    municipality: str
    last_observed: date


@dataclass(frozen=True)
class Freshness:
    cutoff: date
    years: int
    stale: int
    undated: int
    by_year: dict[int, int]
    oldest: list[StaleRecord]


@dataclass(frozen=True)
class IssueGroup:
    severity: str
    message: str
    count: int
    examples: tuple[str, ...]


@dataclass(frozen=True)
class Quality:
    validated: bool
    violations: int
    warnings: int
    infos: int
    groups: list[IssueGroup]
    pending_links: list[Any]  # ssekg.loaders.resolve.LinkRow
    freshness: Freshness


@dataclass
class Labels:
    """Labels of concepts and places in one language, read once."""

    lang: str
    table: dict[str, dict[str, str]] = field(default_factory=dict)

    def __call__(self, iri: str) -> str:
        found = self.table.get(iri, {})
        if self.lang in found:
            return found[self.lang]
        if self.lang == "sr-Cyrl" and "sr-Latn" in found:
            return to_cyrillic(found["sr-Latn"])
        for other in ("sr-Latn", "en", ""):
            if other in found:
                return found[other]
        return next(iter(found.values()), iri.rstrip("/").rsplit("/", 1)[-1])

    def concept(self, iri: str) -> Concept:
        return Concept(iri, self(iri))


_CANONICAL_TAGS = {tag.lower(): tag for tag in LANGUAGES}


def _tag(text: Node) -> str:
    language = text.language if isinstance(text, Literal) else None
    return _CANONICAL_TAGS.get((language or "").lower(), language or "")


def read_labels(store: Store, lang: str, facts: Facts | None = None) -> Labels:
    labels = Labels(lang)
    for row in Facts.of(store, facts).rows(LABELS):
        labels.table.setdefault(str(row["thing"]), {}).setdefault(
            _tag(row["label"]), str(row["label"])
        )
    return labels


def _raw_tag(language: str) -> str:
    """A language tag as a store gives it, in its usual case (as :func:`_tag`)."""
    return _CANONICAL_TAGS.get(language.lower(), language)


def _int(term: Node | None) -> int:
    return int(term.toPython()) if isinstance(term, Literal) else 0


_ISO_DAY = re.compile(r"\d{4}-\d\d-\d\d")
_XSD_DATE, _XSD_DATE_TIME = str(XSD.date), str(XSD.dateTime)


def _day(text: str | None, datatype: str | None) -> date | None:
    """The day of an xsd:date or xsd:dateTime value given as its text, as rdflib reads it
    (the date part, whatever the time zone); None for anything else."""
    if text is None or (datatype != _XSD_DATE and datatype != _XSD_DATE_TIME):
        return None
    plain = len(text) == 10 if datatype == _XSD_DATE else text[10:11] == "T"
    if plain and _ISO_DAY.fullmatch(text[:10]):
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            pass
    value = Literal(text, datatype=URIRef(datatype)).toPython()
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def _value(term: Node | None) -> object:
    """The Python value of a literal (a date, a datetime), None for anything else."""
    return term.toPython() if isinstance(term, Literal) else None


@dataclass
class _Gazetteer:
    parents: dict[str, set[str]]
    regions: set[str]  # NSTJ2

    def region_of(self, place: str) -> str:
        seen: set[str] = set()
        todo = [place]
        while todo:
            current = todo.pop()
            if current in self.regions:
                return current
            if current not in seen:
                seen.add(current)
                todo.extend(self.parents.get(current, ()))
        return ""


def _read_gazetteer(facts: Facts) -> _Gazetteer:
    parents: dict[str, set[str]] = defaultdict(set)
    regions: set[str] = set()
    for row in facts.rows(PLACES):
        place = str(row["place"])
        if "parent" in row:
            parents[place].add(str(row["parent"]))
        if "nstj" in row and len(str(row["nstj"])) == 4:
            regions.add(place)
    return _Gazetteer(dict(parents), regions)


def _by_count(counts: dict[str, int], labels: Labels) -> list[Count]:
    return sorted(
        (Count(labels.concept(iri), n) for iri, n in counts.items()),
        key=lambda c: (-c.actors, fold(c.concept.label), c.concept.iri),
    )


_RESULT_COUNTS = re.compile(r"(\d+) violations?, (\d+) warnings?")


def read_sources(store: Store) -> list[SourceLoad]:
    """The latest load of each public source graph, as the metadata graph records it."""
    prefix = store.graphs_of.source("")
    loads: dict[str, dict[str, Any]] = {}
    for row in store.query(LOADS).rows:
        graph = str(row["graph"])
        if store.graphs_of.is_private(graph):
            continue
        time = _value(row.get("time"))
        if not isinstance(time, datetime):
            time = None
        load = str(row["load"])
        entry = loads.setdefault(graph, {"load": load, "time": time, "files": set(), "result": ""})
        newer = time is not None and (entry["time"] is None or time > entry["time"])
        if newer and entry["load"] != load:
            entry.update(load=load, time=time, files=set(), result="")
        if entry["load"] == load:
            if "file" in row:
                entry["files"].add(str(row["file"]))
            if "result" in row:
                entry["result"] = str(row["result"])
    actors = {str(r["graph"]): _int(r["actors"]) for r in store.query(ACTORS_BY_GRAPH).rows}
    out = []
    for graph, entry in loads.items():
        found = _RESULT_COUNTS.search(entry["result"])
        out.append(
            SourceLoad(
                source_id=graph.removeprefix(prefix) if graph.startswith(prefix) else graph,
                graph=graph,
                loaded_at=entry["time"],
                files=tuple(sorted(entry["files"])),
                actors=actors.get(graph, 0),
                result=entry["result"],
                violations=int(found.group(1)) if found else None,
                warnings=int(found.group(2)) if found else None,
            )
        )
    return sorted(out, key=lambda s: s.source_id)


def at_a_glance(
    store: Store, lang: str = "sr-Latn", *, today: date | None = None, facts: Facts | None = None
) -> Glance:
    """The counts of the first section, from the public data. ``facts`` are the store's
    facts when a caller already has them (the whole report)."""
    check_language(lang)
    today = today or date.today()
    facts = Facts.of(store, facts)
    labels = read_labels(store, lang, facts)
    places = _read_gazetteer(facts)
    total = len(facts.actors)
    kinds, seats = facts.values(str(SSEKG.actorType)), facts.values(str(SSEKG.municipality))
    by_type: dict[str, int] = defaultdict(int)
    by_seat: dict[str, int] = defaultdict(int)
    types_by_seat: dict[tuple[str, str], int] = defaultdict(int)
    for actor in facts.actors:
        its_types, its_seats = set(kinds.get(actor, ())), set(seats.get(actor, ()))
        for kind in its_types:
            by_type[kind] += 1
        for seat in its_seats:
            by_seat[seat] += 1
            for kind in its_types:
                types_by_seat[(seat, kind)] += 1
    by_region: Counter[str] = Counter()
    for seat, n in by_seat.items():
        by_region[places.region_of(seat)] += n
    located = sum(by_region.values())
    # actors whose seat is no place of the gazetteer count as not located, with those without
    not_located = total - located + by_region.pop("", 0)
    type_by_region: Counter[tuple[str, str]] = Counter()
    for (seat, kind), n in types_by_seat.items():
        type_by_region[(kind, places.region_of(seat))] += n
    located_by_type = Counter[str]()
    for (kind, region), n in type_by_region.items():
        if region:
            located_by_type[kind] += n
    for kind, n in by_type.items():
        unplaced = n - located_by_type[kind]
        type_by_region[(kind, "")] = unplaced
    holders: dict[str, set[str]] = defaultdict(set)
    for row in store.query(STATUSES).rows:
        ended = _value(row.get("ended"))
        if isinstance(ended, date) and ended <= today:
            continue
        holders[str(row["kind"])].add(str(row["actor"]))
    relations = {
        str(r["class"]).removeprefix(str(SSEKG)): _int(r["count"])
        for r in store.query(RELATIONS).rows
    }
    regions = _by_count(dict(by_region), labels)
    if not_located:
        regions.append(Count(Concept("", Words(lang)("not_located")), not_located))
    return Glance(
        actors=total,
        located=total - not_located,
        by_type=_by_count(dict(by_type), labels),
        by_region=regions,
        type_by_region={k: v for k, v in type_by_region.items() if v},
        statuses=_by_count({k: len(v) for k, v in holders.items()}, labels),
        status_holders=len(holders.get(LEGAL_STATUS, set())),
        relations=relations,
        sources=read_sources(store),
    )


def _actor_names(facts: Facts, actors: Iterable[str], lang: str) -> dict[str, tuple[str, str]]:
    """Name (in the script of ``lang``; Latin for English) and seat IRI of a few actors."""
    script = "sr-Cyrl" if lang == "sr-Cyrl" else "sr-Latn"
    seats = facts.values(str(SSEKG.municipality))
    out: dict[str, tuple[str, str]] = {}
    for actor in actors:
        names = facts.record_names(actor)
        seat = next(iter(seats.get(actor, ())), "") if names else ""
        chosen = next((text for tag, text in names if _raw_tag(tag) == script), None)
        if chosen is None and names:
            given = names[0][1]
            chosen = to_cyrillic(given) if script == "sr-Cyrl" else to_latin(given)
        out[actor] = (chosen or actor, seat)
    return out


def freshness(
    store: Store,
    lang: str = "sr-Latn",
    *,
    years: int = STALE_YEARS,
    today: date | None = None,
    limit: int = TABLE_ROWS,
    facts: Facts | None = None,
) -> Freshness:
    """How long ago each actor's facts were observed: stale ones (before ``today`` minus
    ``years``), undated ones, and actors by the year of their latest observation."""
    today = today or date.today()
    try:
        cutoff = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - years, day=28)
    facts = Facts.of(store, facts)
    last: dict[str, date] = {}
    undated = 0
    for actor, text, datatype in facts.select(LAST_OBSERVED):
        value = _day(text, datatype)
        if value is not None:
            last[actor or ""] = value
        else:
            undated += 1
    stale = sorted((d, a) for a, d in last.items() if d < cutoff)
    labels = read_labels(store, lang, facts)
    shown = stale[:limit]
    names = _actor_names(facts, (a for _, a in shown), lang)
    oldest = [
        StaleRecord(a, names[a][0], labels(names[a][1]) if names[a][1] else "", d)
        for d, a in shown
    ]
    return Freshness(
        cutoff=cutoff,
        years=years,
        stale=len(stale),
        undated=undated,
        by_year=dict(sorted(Counter(d.year for d in last.values()).items())),
        oldest=oldest,
    )


def data_quality(
    store: Store,
    lang: str = "sr-Latn",
    *,
    validate: bool | None = None,
    actors: int | None = None,
    sources: Sequence[SourceLoad] = (),
    stale_years: int = STALE_YEARS,
    today: date | None = None,
    facts: Facts | None = None,
) -> Quality:
    """Validation issues (a fresh validation when ``validate``, or when None and the store
    has at most :data:`VALIDATE_AUTO_MAX` actors; else the counts recorded by each load),
    the identity links waiting for review, and how fresh the records are."""
    from ssekg.loaders.resolve import list_links

    facts = Facts.of(store, facts)
    if actors is None:
        actors = len(facts.actors)
    run = validate if validate is not None else actors <= VALIDATE_AUTO_MAX
    groups: list[IssueGroup] = []
    if run:
        from ssekg.validation import validate_store

        report = validate_store(store)
        violations, warnings, infos = report.violations, report.warnings, report.infos
        found: dict[tuple[str, str], list[str]] = defaultdict(list)
        for issue in report.results:
            message = issue.message("sr" if lang.startswith("sr") else "en")
            if lang == "sr-Cyrl":
                message = to_cyrillic(message)
            found[(issue.severity, message)].append(issue.actor_name or issue.actor or "")
        order = {"Violation": 0, "Warning": 1, "Info": 2}
        for (severity, message), names in found.items():
            examples = tuple(dict.fromkeys(n for n in names if n))[:3]
            if lang == "sr-Cyrl":
                examples = tuple(to_cyrillic(n) for n in examples)
            groups.append(IssueGroup(severity, message, len(names), examples))
        groups.sort(key=lambda g: (order.get(g.severity, 9), -g.count, g.message))
    else:
        violations = sum(s.violations or 0 for s in sources)
        warnings = sum(s.warnings or 0 for s in sources)
        infos = 0
    return Quality(
        validated=run,
        violations=violations,
        warnings=warnings,
        infos=infos,
        groups=groups,
        pending_links=list_links(store, "pending"),
        freshness=freshness(store, lang, years=stale_years, today=today, facts=facts),
    )


@dataclass(frozen=True)
class NetworkView:
    """What the report shows of the network: its size, the picture's nodes, the brokers,
    the communities with their most central actors, the isolated actors."""

    summary: NetworkSummary
    nodes: int
    edges: int
    shown: int
    brokers: list[ActorMeasures]
    communities: list[tuple[int, int, list[str]]]
    isolated: list[ActorMeasures]


#: Most actors drawn in the network picture (the best connected, and the named brokers).
PICTURE_NODES = 150
#: Brokers named in the picture.
PICTURE_LABELS = 10


def network_view(
    store: Store, lang: str, folder: Path, w: Words, facts: Facts | None = None
) -> tuple[NetworkView, Chart]:
    graph = build_network(store, lang=lang, facts=facts)
    summary = analyse_network(graph)
    by_iri = {a.iri: a for a in summary.actors}
    brokers = [by_iri[i] for i in summary.brokers if i in by_iri]
    tied = sorted((a for a in summary.actors if a.degree > 0),
                  key=lambda a: (-a.degree, -a.betweenness, a.iri))  # fmt: skip
    chosen = [a.iri for a in brokers[:PICTURE_LABELS]]
    for a in tied:
        if len(chosen) >= PICTURE_NODES:
            break
        if a.iri not in chosen:
            chosen.append(a.iri)
    picture = graph.subgraph(chosen)
    named = {a.iri: a.label for a in brokers[:PICTURE_LABELS]}
    figure = network_picture(picture, {a.iri: a.community for a in summary.actors}, named,
                             w("network_picture"))  # fmt: skip
    chart = save(figure, folder, "network", w("network_picture"))
    communities = []
    for index, members in enumerate(summary.communities):
        ranked = sorted((by_iri[m] for m in members if m in by_iri),
                        key=lambda a: (-a.betweenness, -a.degree, a.iri))  # fmt: skip
        communities.append((index, len(members), [a.label for a in ranked[:3]]))
    view = NetworkView(
        summary=summary,
        nodes=graph.number_of_nodes(),
        edges=graph.number_of_edges(),
        shown=picture.number_of_nodes(),
        brokers=brokers,
        communities=communities,
        isolated=[by_iri[i] for i in summary.isolated if i in by_iri],
    )
    return view, chart


def gap_charts(report: GapReport, folder: Path, w: Words) -> list[Chart]:
    """Heat maps of territory × ecosystem function (present or missing), for the districts
    and for the regions."""
    charts = []
    functions = report.functions
    columns = [f.label for f in functions]
    for level, key in (("district", "gaps_heat_districts"), ("region", "gaps_heat_regions")):
        rows = [t for t in report.territories if t.level == level]
        if not rows or not functions:
            continue
        values = [
            [1.0 if f in set(t.present["function"]) else 0.0 for f in functions] for t in rows
        ]
        figure = heat_map([t.label for t in rows], columns, values, w(key),
                          presence=(w("absent"), w("present")))  # fmt: skip
        charts.append(save(figure, folder, f"gaps-{level}-functions", w(key)))
    return charts


# -- writing -----------------------------------------------------------------------------------


def _environment() -> jinja2.Environment:
    return template_environment("analysis/templates")


def prepare_folder(out_dir: Path) -> None:
    """Make the report folder; an InputError when the path is a file or cannot be made."""
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(
            f"the report folder {out_dir} is a file; give a folder with -o, or remove the file.",
            f"fascikla izveštaja {out_dir} je datoteka; navedite fasciklu sa -o ili uklonite "
            "datoteku.",
        )
    try:
        (out_dir / CHARTS).mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(
            f"cannot make the report folder {out_dir}: {error.strerror}; choose a writable path.",
            f"ne mogu da napravim fasciklu izveštaja {out_dir}: {error.strerror}; izaberite "
            "drugu putanju.",
        ) from None


def _glance_charts(glance: Glance, folder: Path, w: Words, labels: Labels) -> list[Chart]:
    charts = []
    types = [(c.concept.label, c.actors) for c in glance.by_type]
    figure = bar_chart(types, w("by_type"), w("actors"))
    charts.append(save(figure, folder, "actors-by-type", w("by_type")))
    regions = [(c.concept.label, c.actors) for c in glance.by_region]
    figure = bar_chart(regions, w("by_region"), w("actors"))
    charts.append(save(figure, folder, "actors-by-region", w("by_region")))
    region_iris = [c.concept.iri for c in glance.by_region]
    type_iris = [c.concept.iri for c in glance.by_type]
    if type_iris and region_iris:
        values = [[glance.type_by_region.get((t, r), 0) for r in region_iris] for t in type_iris]
        figure = heat_map([c.concept.label for c in glance.by_type],
                          [c.concept.label for c in glance.by_region], values,
                          w("type_by_region"))  # fmt: skip
        charts.append(save(figure, folder, "actor-types-by-region", w("type_by_region")))
    return charts


def write_report(
    store: Store,
    out_dir: Path,
    *,
    lang: str = "sr-Latn",
    validate: bool | None = None,
    stale_years: int = STALE_YEARS,
    today: date | None = None,
) -> Path:
    """Write the report into ``out_dir`` (made if needed): ``index.html`` and ``charts/``.
    Returns the path of ``index.html``."""
    check_language(lang)
    out_dir = Path(out_dir)
    prepare_folder(out_dir)
    folder = out_dir / CHARTS
    today = today or date.today()
    w = Words(lang)
    facts = Facts(store)  # each kind of fact read once, for every section
    labels = read_labels(store, lang, facts)
    glance = at_a_glance(store, lang, today=today, facts=facts)
    quality = data_quality(store, lang, validate=validate, actors=glance.actors,
                           sources=glance.sources, stale_years=stale_years,
                           today=today, facts=facts)  # fmt: skip
    charts: dict[str, Chart] = {c.name: c for c in _glance_charts(glance, folder, w, labels)}
    gaps = analyse_gaps(store, lang=lang, facts=facts)
    charts.update((c.name, c) for c in gap_charts(gaps, folder, w))
    network, picture = network_view(store, lang, folder, w, facts)
    charts[picture.name] = picture
    matches = match_needs(store, limit=TABLE_ROWS, lang=lang, on=today, facts=facts)
    alliances = alliance_candidates(store, limit=TABLE_ROWS, lang=lang, on=today, facts=facts)
    years = quality.freshness.by_year
    if years:
        figure = bar_chart([(str(y), n) for y, n in sorted(years.items(), reverse=True)],
                           w("observed_by_year"), w("actors"))  # fmt: skip
        charts["observed-by-year"] = save(figure, folder, "observed-by-year",
                                          w("observed_by_year"))  # fmt: skip
    html = (
        _environment()
        .get_template("report.html")
        .render(
            w=w,
            lang=lang,
            n=lambda value: number(value, lang),
            today=today,
            version=__version__,
            glance=glance,
            quality=quality,
            charts=charts,
            css=data_dir("analysis/templates").joinpath("report.css").read_text("utf-8"),
            rows=TABLE_ROWS,
            sections=SECTIONS,
            gaps=gaps,
            network=network,
            matches=matches,
            alliances=alliances,
            match_words=MATCH_WORDS[lang],
            generated=datetime.now(UTC),
        )
    )
    index = out_dir / "index.html"
    index.write_text(html, encoding="utf-8")
    return index


__all__ = [
    "LANGUAGES",
    "STALE_YEARS",
    "VALIDATE_AUTO_MAX",
    "Count",
    "Freshness",
    "Glance",
    "Quality",
    "SourceLoad",
    "at_a_glance",
    "data_quality",
    "freshness",
    "write_report",
]
