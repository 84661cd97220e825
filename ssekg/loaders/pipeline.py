"""From source records to the store: validate a source's records together, set aside
(quarantine) the ones with Violations, and commit the rest with their provenance in one step.

A loader reads its file into :class:`SourceRecord` objects (one actor each, with the
problems found while cleaning it); :func:`commit_records` does everything after that, the
same way for every kind of source:

1. every record gets its ``ssekg:SourceRecord`` node (``{base}source/{id}/record/{key}``);
2. all records are validated with the shapes as one graph (one pyshacl run, not one per
   record) and each result is attributed to its record through the actor it concerns;
3. records with a Violation, of their own or from the shapes, are quarantined and written
   to a report; the others are committed: public facts to the source's graph, personal data
   to its private graph, a PROV-O record of the load to the metadata graph, in one
   transaction that replaces what the source had before.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV
from rdflib.term import Node

from ssekg import __version__
from ssekg.derived import refresh as refresh_derived
from ssekg.errors import InputError, StoreError, ValidationFailed
from ssekg.loaders.clean import Problem
from ssekg.loaders.rdf import PERSONAL_PREDICATES, file_checksum, provenance_triples
from ssekg.namespaces import SCHEMA, SSEKG
from ssekg.resources import data_dir
from ssekg.store.base import Store
from ssekg.store.embedded import STAGING
from ssekg.store.terms import from_ox, to_ox_quad, to_ox_quads
from ssekg.text import slug
from ssekg.validation import (
    Found,
    ValidationIssue,
    ValidationReport,
    as_graph,
    check_results,
    compiled_shapes,
    in_report_order,
    load_shapes,
    pyshacl_results,
    reference_nodes,
    report_of,
)

Triple = tuple[Node, Node, Node]

#: Source ids as the shapes accept them (they become part of IRIs and graph names).
SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
#: How many rounds of validation settle records that point at quarantined ones.
_MAX_ROUNDS = 4

_MEDIA_TYPES = {
    ".csv": "text/csv",
    ".tsv": "text/tab-separated-values",
    ".txt": "text/plain",
    ".json": "application/json",
    ".geojson": "application/geo+json",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
}


@dataclass
class SourceRecord:
    """One record of a source, after mapping, before validation."""

    key: str  # stable id inside the source (row id, feature id, profile URL)
    locator: str  # for people: "row 12", "feature 301", "profile https://..."
    subject: URIRef | None  # the actor IRI (None: the record could not be read at all)
    graph: Graph  # its triples (actor and its nodes), personal data included
    problems: list[Problem] = field(default_factory=list)  # any Violation: quarantined


@dataclass(frozen=True)
class QuarantineEntry:
    """One reason a record was set aside (or, among :attr:`LoadResult.notes`, one remark on a
    record that was loaded)."""

    record: str  # the record key
    locator: str
    column: str | None
    value: str | None
    message_en: str
    message_sr: str
    severity: str = "Violation"
    actor: str | None = None


@dataclass
class LoadResult:
    """What one load did."""

    source_id: str
    graph: str
    loaded: int
    quarantined: int
    triples: int
    private_triples: int
    encoding: str | None
    report: ValidationReport  # the SHACL report of what was committed
    quarantine: list[QuarantineEntry]
    loader: str = ""
    notes: list[QuarantineEntry] = field(default_factory=list)  # cleaning remarks, loaded
    report_files: list[Path] = field(default_factory=list)

    @property
    def partial(self) -> bool:
        """Some records were quarantined (and the others loaded)."""
        return self.quarantined > 0

    @property
    def warnings(self) -> int:
        """Warnings on what was loaded: from the shapes and from cleaning."""
        return self.report.warnings + sum(1 for n in self.notes if n.severity == "Warning")


def record_iri(base: str, source_id: str, key: str) -> URIRef:
    """``{base}source/{source-id}/record/{key}``, the key slugged (a URL key without its
    scheme), as docs/model.md says."""
    bare = re.sub(r"^[a-z][a-z0-9+.-]*://", "", key.strip(), flags=re.IGNORECASE)
    return URIRef(f"{base}source/{source_id}/record/{slug(bare) or 'record'}")


def check_source_id(source_id: str) -> str:
    """A source id the shapes accept: lower-case letters, digits and hyphens."""
    if not SOURCE_ID.match(source_id):
        raise InputError(
            f"the source id {source_id!r} is not usable; use lower-case letters, digits and "
            "'-' only (at most 100 characters), e.g. --source-id survey-2026.",
            f"oznaka izvora {source_id!r} nije upotrebljiva; koristite samo mala slova, cifre i "
            "'-' (najviše 100 znakova), npr. --source-id anketa-2026.",
        )
    return source_id


def default_source_id(path: Path) -> str:
    """The source id of a file when none is given: its name without suffix, slugged."""
    return (slug(path.stem) or "source")[:100].strip("-") or "source"


@dataclass
class _Entry:
    """A record on its way through the pipeline: what is kept of it once its triples are
    staged (its rdflib graph is let go, which is most of a record's memory)."""

    key: str
    locator: str
    subject: URIRef | None
    problems: list[Problem]
    node: URIRef
    index: int = 0  # its place among the records
    reasons: list[QuarantineEntry] = field(default_factory=list)
    duplicate: bool = False
    #: the subjects of its staged triples (IRIs, then blank node ids), to remove them
    subjects: tuple[str, ...] = ()
    blanks: tuple[str, ...] = ()
    #: the subjects of its own graph and its record node: the nodes it owns
    owned: tuple[str, ...] = ()

    @property
    def kept(self) -> bool:
        return not self.reasons


def _entry(record: SourceRecord | _Entry, problem: Problem) -> QuarantineEntry:
    return QuarantineEntry(
        record=record.key,
        locator=record.locator,
        column=problem.column,
        value=problem.value,
        message_en=problem.message_en,
        message_sr=problem.message_sr,
        severity=problem.severity,
        actor=str(record.subject) if record.subject is not None else None,
    )


_RENDERED_LITERAL = re.compile(r'^"(.*)"(@[A-Za-z0-9-]+|\^\^\S+)?$', re.DOTALL)


def _plain_value(value: str | None) -> str | None:
    """A value as the source gave it: a report's ``"12"^^xsd:string`` is 12."""
    if value is None:
        return None
    match = _RENDERED_LITERAL.match(value)
    if match is not None:
        return match.group(1)
    return value[1:-1] if value.startswith("<") and value.endswith(">") else value


def _issue_entry(record: _Entry, issue: ValidationIssue) -> QuarantineEntry:
    return QuarantineEntry(
        record=record.key,
        locator=record.locator,
        column=issue.path,
        value=_plain_value(issue.value),
        message_en=issue.message_en,
        message_sr=issue.message_sr,
        severity=issue.severity,
        actor=issue.actor,
    )


@lru_cache(maxsize=1 << 16)
def _iri_error(iri: str) -> str | None:
    """Why Oxigraph refuses an IRI, or None (predicates and concepts repeat in every record,
    so each is checked once)."""
    try:
        ox.NamedNode(iri)
    except ValueError as error:
        return str(error)
    return None


def _invalid_iris(graph: Graph) -> list[Problem]:
    """IRIs of a record that a store would refuse (RFC 3987), as Violations: one bad value
    sets its record aside instead of failing the whole load at the commit."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for triple in graph:
        for term in triple:
            if isinstance(term, URIRef) and str(term) not in seen:
                seen.add(str(term))
                error = _iri_error(str(term))
                if error is not None:
                    problems.append(
                        Problem(
                            "Violation",
                            f"{str(term)!r} is not a valid IRI ({error}); correct the value.",
                            f"{str(term)!r} nije ispravan IRI ({error}); ispravite vrednost.",
                            None,
                            str(term),
                        )
                    )
    return problems


def _record_triples(record: SourceRecord, node: URIRef, source: URIRef) -> list[Triple]:
    """The record node and the links from the actor (and its offers and needs) to it."""
    triples: list[Triple] = [
        (node, RDF.type, SSEKG.SourceRecord),
        (node, SSEKG.recordKey, Literal(record.key)),
        (node, SSEKG.sourceLocator, Literal(record.locator)),
        (node, DCTERMS.isPartOf, source),
    ]
    if record.subject is not None:
        triples += [
            (record.subject, SSEKG.sourceRecord, node),
            (record.subject, PROV.wasDerivedFrom, node),
        ]
        for prop in (SSEKG.offers, SSEKG.needs):
            for intent in record.graph.objects(record.subject, prop):
                if (intent, PROV.wasDerivedFrom, None) not in record.graph:
                    triples.append((intent, PROV.wasDerivedFrom, node))
    return triples


def _source_triples(source: URIRef, source_id: str) -> list[Triple]:
    return [
        (source, RDF.type, SSEKG.Source),
        (source, SSEKG.sourceId, Literal(source_id)),
        (source, DCTERMS.title, Literal(source_id)),
    ]


# Graphs of the staging store (an in-memory Oxigraph store of one load): the reference in
# its default graph, the records' triples, the source's own triples (validated, not
# committed: the provenance states them), and the personal data split off at the commit.
_DATA = ox.NamedNode(STAGING + "records")
_SOURCE = ox.NamedNode(STAGING + "source")
_PRIVATE = ox.NamedNode(STAGING + "private")
#: Staged quads are written in batches of about this many.
_BATCH = 50_000


class _Staging:
    """The records of one load as Oxigraph quads, converted once, validated where they are
    (the reference graph beside them), and taken out again when a record is quarantined.

    Each record's triples go to one graph, the store keeping each triple once. Triples are
    taken out by subject: a node described by one record only goes with it; for nodes that
    several records describe, what each of them said is remembered, and a triple stays while
    a record that is kept says it."""

    def __init__(self, reference: Graph) -> None:
        from ssekg.validation import reference_ntriples

        self.store = ox.Store()
        self.store.bulk_load(input=reference_ntriples(reference), format=ox.RdfFormat.N_TRIPLES)
        self._batch: list[ox.Quad] = []
        #: node -> the entry that first owns it (nodes of the records' graphs, record nodes)
        self.owners: dict[str, _Entry] = {}
        #: node -> every entry owning it, for the nodes more than one record owns
        self.co_owners: dict[str, list[_Entry]] = {}
        #: subject -> the entries that state triples about it and what each states, for the
        #: subjects more than one record states triples about
        self._stated: dict[str, dict[int, set[ox.Quad]]] = {}
        self._subject_of: dict[str, int] = {}  # subject -> the first entry stating about it

    def __len__(self) -> int:
        self.flush()
        return self.count(_DATA)

    def flush(self) -> None:
        if self._batch:
            self.store.bulk_extend(self._batch)
            self._batch = []

    def add_source(self, triples: list[Triple]) -> None:
        self.store.extend(to_ox_quad(s, p, o, _SOURCE.value) for s, p, o in triples)

    def add(self, entry: _Entry, quads: list[ox.Quad]) -> None:
        """Stage an entry's quads (in the records' graph) and note what it owns: its record
        node and every subject of its quads (those of its graph and of its record triples)."""
        by_subject: dict[ox.NamedNode | ox.BlankNode, None] = {}
        for quad in quads:
            by_subject[quad.subject] = None  # type: ignore[index]
        iris: list[str] = []
        blanks: list[str] = []
        for subject in by_subject:
            key = subject.value
            (iris if isinstance(subject, ox.NamedNode) else blanks).append(key)
            first = self._subject_of.setdefault(key, entry.index)
            if first != entry.index:
                self._share(key, subject, entry, quads)
        entry.subjects, entry.blanks = tuple(iris), tuple(blanks)
        entry.owned = tuple(dict.fromkeys([str(entry.node), *iris, *blanks]))
        for key in entry.owned:
            first_owner = self.owners.setdefault(key, entry)
            if first_owner is not entry:
                self.co_owners.setdefault(key, [first_owner]).append(entry)
        self._batch.extend(quads)
        if len(self._batch) >= _BATCH:
            self.flush()

    def _share(
        self, key: str, subject: ox.NamedNode | ox.BlankNode, entry: _Entry, quads: list[ox.Quad]
    ) -> None:
        stated = self._stated.get(key)
        if stated is None:  # what the first record said of it is all the store has of it
            self.flush()
            stated = self._stated[key] = {
                self._subject_of[key]: set(self.store.quads_for_pattern(subject, None, None, _DATA))
            }
        stated.setdefault(entry.index, set()).update(q for q in quads if q.subject == subject)

    def owner(self, key: str, pool: set[int]) -> _Entry | None:
        """The first entry of the pool that owns a node."""
        shared = self.co_owners.get(key)
        if shared is not None:
            return next((e for e in shared if e.index in pool), None)
        entry = self.owners.get(key)
        return entry if entry is not None and entry.index in pool else None

    def remove(self, entries: list[_Entry], kept: set[int]) -> None:
        """Take out the triples of quarantined entries that no kept entry states."""
        self.flush()
        for entry in entries:
            subjects: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(k) for k in entry.subjects]
            subjects += [ox.BlankNode(k) for k in entry.blanks]
            for subject in subjects:
                stated = self._stated.get(subject.value)
                if stated is None:
                    gone = list(self.store.quads_for_pattern(subject, None, None, _DATA))
                else:
                    others = set().union(*(q for i, q in stated.items() if i in kept))
                    gone = [q for q in stated.pop(entry.index, ()) if q not in others]
                for quad in gone:
                    self.store.remove(quad)

    def points_at(self, entries: list[_Entry]) -> bool:
        """Whether a staged triple (of a kept record, once the quarantined ones are out)
        refers to a node of these entries."""
        for entry in entries:
            for key in entry.owned:
                try:
                    term = ox.BlankNode(key) if key in entry.blanks else ox.NamedNode(key)
                except ValueError:  # not a term the store holds
                    continue
                if next(iter(self.store.quads_for_pattern(None, None, term, _DATA)), None):
                    return True
        return False

    def split_personal(self) -> tuple[int, int]:
        """Move personal data (contact persons and what is said of them) to the private
        graph; the numbers of public and private triples. Found by index: the triples of
        the personal predicates, then those about their objects."""
        self.flush()
        moved: dict[ox.Quad, None] = {}
        people: dict[ox.NamedNode | ox.BlankNode, None] = {}
        for predicate in PERSONAL_PREDICATES:
            for quad in self.store.quads_for_pattern(None, ox.NamedNode(predicate), None, _DATA):
                moved[quad] = None
                if isinstance(quad.object, ox.NamedNode | ox.BlankNode):
                    people[quad.object] = None
        for person in people:
            for quad in self.store.quads_for_pattern(person, None, None, _DATA):
                moved[quad] = None
        for quad in moved:
            self.store.remove(quad)
        self.store.extend(ox.Quad(q.subject, q.predicate, q.object, _PRIVATE) for q in moved)
        return self.count(_DATA), len(moved)

    def count(self, graph: ox.NamedNode) -> int:
        answer = self.store.query(
            "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=[graph]
        )
        assert isinstance(answer, ox.QuerySolutions)
        return int(next(iter(answer))[0].value)

    def write(self, graph: ox.NamedNode, path: Path) -> Path:
        self.store.dump(path, format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
        return path

    def triples(self, graph: ox.NamedNode) -> list[Triple]:
        return [
            (from_ox(q.subject), from_ox(q.predicate), from_ox(q.object))
            for q in self.store.quads_for_pattern(None, None, None, graph)
        ]


#: Whether the staging store is validated by the compiled shapes (tests set it to False to
#: take pySHACL's way).
validate_staged_with_sparql = True


def validate_staged(staging: _Staging) -> list[Found]:
    """Validate what is staged (the records, the source, the reference) with the shapes;
    every result with its SHACL result triples, in the order of the report."""
    from ssekg.reference import reference_graph

    staging.flush()
    reference = reference_graph()
    compiled = compiled_shapes(load_shapes()) if validate_staged_with_sparql else None
    if compiled is not None:
        graphs: list[ox.NamedNode | ox.DefaultGraph] = [ox.DefaultGraph(), _DATA, _SOURCE]
        return in_report_order(
            check_results(compiled, staging.store, graphs, reference_nodes(reference))
        )
    data = as_graph(staging.triples(_DATA) + staging.triples(_SOURCE))
    return in_report_order(pyshacl_results(data, reference, load_shapes()))


def _attribute(
    found: list[Found], staging: _Staging, pool: list[_Entry]
) -> tuple[dict[int, list[Found]], list[Found]]:
    """The results by record (by index of its entry), and the Violations no record owns: a
    result is its actor's record's, else the record that owns its focus node."""
    alive = {e.index for e in pool}
    by_record: dict[int, list[Found]] = {}
    orphans: list[Found] = []
    for item in found:
        issue = item[0]
        owner = staging.owner(issue.actor or "", alive) or staging.owner(issue.focus, alive)
        if owner is None:
            if issue.severity == "Violation":
                orphans.append(item)
            continue
        by_record.setdefault(owner.index, []).append(item)
    return by_record, orphans


def quarantine_report(entries: list[QuarantineEntry]) -> ValidationReport:
    """Quarantine entries as a validation report, to show them the way SHACL results are
    shown (``ValidationFailed.report``)."""
    issues = [
        ValidationIssue(
            severity=e.severity,
            focus=e.actor or e.record,
            actor=e.actor,
            actor_name=None,
            source_record=f"{e.record} ({e.locator})",
            path=e.column,
            value=e.value,
            message_en=e.message_en,
            message_sr=e.message_sr,
            shape="",
        )
        for e in entries
    ]
    return ValidationReport(results=issues)


_REPORT_FIELDS = ("record", "locator", "column", "value", "message_sr", "message_en")


def report_paths(report_dir: Path | None, source_id: str) -> tuple[Path, Path]:
    folder = Path(".") if report_dir is None else report_dir
    return (
        folder / f"{source_id}.quarantine.csv",
        folder / f"{source_id}.quarantine.json",
    )


def write_quarantine(
    entries: list[QuarantineEntry], report_dir: Path | None, source_id: str
) -> list[Path]:
    """Write ``{source-id}.quarantine.csv`` and ``.json`` (UTF-8) into ``report_dir``; with
    nothing quarantined, remove the reports an earlier load of the source left there."""
    csv_path, json_path = report_paths(report_dir, source_id)
    if not entries:
        for path in (csv_path, json_path):
            path.unlink(missing_ok=True)
        return []
    try:
        csv_path.parent.mkdir(parents=True, exist_ok=True)
        with csv_path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(_REPORT_FIELDS)
            for e in entries:
                writer.writerow([getattr(e, f) or "" for f in _REPORT_FIELDS])
        records: dict[str, dict[str, object]] = {}
        for e in entries:
            item = records.setdefault(
                e.record, {"record": e.record, "locator": e.locator, "actor": e.actor}
            )
            problems = item.setdefault("problems", [])
            assert isinstance(problems, list)
            problems.append(
                {k: v for k, v in asdict(e).items() if k not in ("record", "locator", "actor")}
            )
        body = {"source": source_id, "quarantined": len(records), "records": list(records.values())}
        json_path.write_text(json.dumps(body, ensure_ascii=False, indent=2) + "\n", "utf-8")
    except OSError as error:
        raise InputError(
            f"cannot write the quarantine report to {csv_path.parent}: {error.strerror}; give a "
            "writable folder with --report-dir.",
            f"ne mogu da upišem izveštaj o izdvojenim zapisima u {csv_path.parent}: "
            f"{error.strerror}; navedite direktorijum u koji može da se piše (--report-dir).",
        ) from None
    return [csv_path, json_path]


def _mapping_triples(activity: Node, mapping: Path) -> list[Triple]:
    """The mapping a load used: a file, or a mapping bundled with ssekg by name."""
    bundled = data_dir("loaders").joinpath("mappings").joinpath(f"{mapping}.yaml")
    if mapping.is_file():
        checksum = URIRef(f"urn:sha256:{file_checksum(mapping)}")
        name = mapping.name
    elif bundled.is_file():
        checksum = URIRef(f"urn:sha256:{hashlib.sha256(bundled.read_bytes()).hexdigest()}")
        name = f"{mapping} (ssekg {__version__})"
    else:
        return [(activity, PROV.used, Literal(str(mapping)))]
    return [
        (activity, PROV.used, checksum),
        (checksum, DCTERMS.source, Literal(name)),
        (checksum, DCTERMS.type, Literal("mapping")),
    ]


def _provenance(
    store: Store,
    files: list[Path],
    source_id: str,
    target: str,
    report: ValidationReport,
    *,
    loader: str,
    mapping: Path | None,
    encoding: str | None,
    loaded: int,
    quarantined: int,
    triples: int,
    private_triples: int,
) -> list[Triple]:
    """The PROV-O record of the load (see :func:`ssekg.loaders.rdf.provenance_triples`),
    with the loader, mapping, encoding and record counts of this kind of load."""
    base = list(provenance_triples(store, files, source_id, target, triples, loaded, report))
    activity = next(s for s, p, o in base if p == RDF.type and o == PROV.Activity)
    agent = URIRef(f"https://w3id.org/ssekg/loader/{loader}/{__version__}")
    result = Literal(
        f"{loaded} records loaded, {quarantined} quarantined; {triples} triples "
        f"({private_triples} private); {report.violations} violations, "
        f"{report.warnings} warnings"
    )
    out: list[Triple] = []
    for s, p, o in base:
        if s == activity and p == PROV.wasAssociatedWith:
            o = agent
        elif s == activity and p == SCHEMA.result:
            o = result
        out.append((s, p, o))
    for path in files:
        media = _MEDIA_TYPES.get(path.suffix.lower())
        if media is None:
            continue
        if encoding and media.startswith("text/"):
            media += f"; charset={encoding}"
        for s, p, o in base:
            if p == DCTERMS.source and o == Literal(path.name):
                out.append((s, DCTERMS.format, Literal(media)))
    if mapping is not None:
        out += _mapping_triples(activity, mapping)
    out.append(
        (URIRef(f"{store.graphs_of.base}source/{source_id}"), DCTERMS.title, Literal(source_id))
    )
    return out


def commit_records(
    store: Store,
    records: Iterable[SourceRecord],
    *,
    source_id: str,
    files: list[Path],
    loader: str,
    mapping: Path | None = None,
    encoding: str | None = None,
    strict: bool = False,
    report_dir: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> LoadResult:
    """Validate the records of one source and commit the valid ones as the source
    ``source_id``, replacing what it had; quarantine the others in
    ``{report_dir}/{source_id}.quarantine.csv`` and ``.json``.

    ``progress`` is called with the number of records just read (1 at a time).
    Raises :class:`ValidationFailed` (nothing stored) when ``strict`` and any record is
    quarantined, or when no record is valid; :class:`InputError` for a source without
    records. Any error before the commit leaves the store as it was."""
    check_source_id(source_id)
    from ssekg.reference import reference_graph

    graphs = store.graphs_of
    base = graphs.base
    source = URIRef(f"{base}source/{source_id}")
    staging = _Staging(reference_graph())
    entries: list[_Entry] = []
    subjects: dict[URIRef, _Entry] = {}
    nodes: dict[URIRef, _Entry] = {}
    for record in records:
        entry = _Entry(
            record.key,
            record.locator,
            record.subject,
            record.problems,
            record_iri(base, source_id, record.key),
            index=len(entries),
        )
        entries.append(entry)
        if progress is not None:
            progress(1)
        for problem in record.problems:
            if problem.severity == "Violation":
                entry.reasons.append(_entry(record, problem))
        quads, unstorable = _quads_of(record, entry.node, source)
        if unstorable is not None:
            problems = _invalid_iris(record.graph)
            if not problems and record.subject is not None:
                raise StoreError(
                    f"{record.locator}: the triples cannot be stored: {unstorable}; nothing "
                    "was changed.",
                    f"{record.locator}: trojke ne mogu da se sačuvaju: {unstorable}; ništa "
                    "nije promenjeno.",
                )
            for problem in problems:
                entry.reasons.append(_entry(record, problem))
        if record.subject is None and not entry.reasons:
            entry.reasons.append(
                QuarantineEntry(
                    record.key,
                    record.locator,
                    None,
                    None,
                    "the record could not be read; see the source.",
                    "zapis nije mogao da se pročita; pogledajte izvor.",
                )
            )
        first = nodes.get(entry.node)
        if first is not None:
            entry.duplicate = True
            if not entry.reasons:  # a reader that saw the repeat has said so already
                entry.reasons.append(
                    _duplicate(record, first, "key", f"the key {record.key!r} is", "ključ")
                )
            continue
        nodes[entry.node] = entry
        if record.subject is not None:
            first = subjects.get(record.subject)
            if first is not None:
                entry.duplicate = True
                if not entry.reasons:
                    entry.reasons.append(
                        _duplicate(
                            record, first, "actor", f"the actor <{record.subject}> is", "akter"
                        )
                    )
                continue
            subjects[record.subject] = entry
            staging.add(entry, quads)
    del subjects, nodes
    if not entries:
        names = ", ".join(str(f) for f in files)
        raise InputError(
            f"{names}: the source has no records; nothing was stored.",
            f"{names}: izvor nema nijedan zapis; ništa nije sačuvano.",
        )
    staging.add_source(_source_triples(source, source_id))
    pool = [e for e in entries if e.subject is not None and not e.duplicate]
    found_of: dict[int, list[Found]] = {}
    for _ in range(_MAX_ROUNDS):
        # Records that will be quarantined anyway are validated too, so that the report
        # tells everything to fix at once; a second round settles records that point at them.
        found, orphans = _attribute(validate_staged(staging), staging, pool)
        if orphans:
            raise ValidationFailed(
                f"{len(orphans)} violation(s) of the SHACL shapes belong to no record; nothing "
                "was stored. Fix the data listed above and load it again.",
                f"{len(orphans)} kršenja SHACL pravila ne pripada nijednom zapisu; ništa nije "
                "sačuvano. Ispravite podatke navedene iznad i ponovo ih učitajte.",
                report=report_of(orphans),
            )
        for entry in pool:
            mine = found_of[entry.index] = found.get(entry.index, [])
            entry.reasons.extend(
                _issue_entry(entry, i) for i, _ in mine if i.severity == "Violation"
            )
        kept_pool = [e for e in pool if e.kept]
        dropped = [e for e in pool if not e.kept]
        staging.remove(dropped, {e.index for e in kept_pool})
        if not dropped or not staging.points_at(dropped):
            break
        pool = kept_pool
    kept = [e for e in entries if e.kept]
    quarantined = [e for e in entries if not e.kept]
    quarantine = [r for e in quarantined for r in e.reasons]
    if quarantined and (strict or not kept):
        write_quarantine(quarantine, report_dir, source_id)
        en_reason = "--strict is set" if kept else "no record is valid"
        sr_reason = "zadato je --strict" if kept else "nijedan zapis nije ispravan"
        raise ValidationFailed(
            f"{len(quarantined)} of {len(entries)} record(s) have Violations and {en_reason}; "
            "nothing was stored. Fix the records listed above (and in "
            f"{report_paths(report_dir, source_id)[0]}) and load the file again.",
            f"{len(quarantined)} od {len(entries)} zapisa ima greške, a {sr_reason}; ništa "
            "nije sačuvano. Ispravite zapise navedene iznad (i u "
            f"{report_paths(report_dir, source_id)[0]}) i ponovo učitajte datoteku.",
            report=quarantine_report(quarantine),
        )
    final = report_of(f for e in kept for f in found_of.get(e.index, []))
    notes = [_entry(e, p) for e in kept for p in e.problems if p.severity != "Violation"]
    public, private = staging.split_personal()
    target = graphs.source(source_id)
    private_target = f"{graphs.private}/source/{source_id}"
    provenance = _provenance(
        store,
        files,
        source_id,
        target,
        final,
        loader=loader,
        mapping=mapping,
        encoding=encoding,
        loaded=len(kept),
        quarantined=len(quarantined),
        triples=public,
        private_triples=private,
    )
    _commit(store, staging, {target: _DATA, private_target: _PRIVATE}, {graphs.meta: provenance})
    del staging
    refresh_derived(store)
    written = write_quarantine(quarantine, report_dir, source_id)
    return LoadResult(
        source_id=source_id,
        graph=target,
        loaded=len(kept),
        quarantined=len(quarantined),
        triples=public,
        private_triples=private,
        encoding=encoding,
        report=final,
        quarantine=quarantine,
        loader=loader,
        notes=notes,
        report_files=written,
    )


def _quads_of(
    record: SourceRecord, node: URIRef, source: URIRef
) -> tuple[list[ox.Quad], str | None]:
    """A record's triples and its record triples as staged quads, converted once; with why
    Oxigraph refuses one of them (an invalid IRI, say), or None."""
    graph = _DATA.value
    try:
        by_subject = getattr(record.graph.store, "by_subject", None)
        if by_subject is not None:  # a tabular record: each subject and predicate once
            quads = to_ox_quads(by_subject(), graph)
        else:
            quads = [to_ox_quad(s, p, o, graph) for s, p, o in record.graph]
        if record.subject is not None:
            own = _record_triples(record, node, source)
            quads += [to_ox_quad(s, p, o, graph) for s, p, o in own]
    except ValueError as error:
        return [], str(error)
    return quads, None


def _commit(
    store: Store,
    staging: _Staging,
    replace: dict[str, ox.NamedNode],
    add: dict[str, list[Triple]],
) -> None:
    """Replace the target graphs by the staged ones and add the provenance, in one step:
    the embedded store bulk-loads them from files Oxigraph writes; another store gets them
    as triples."""
    from_files = getattr(store, "replace_graphs_from_files", None)
    if from_files is None:
        store.replace_graphs({g: staging.triples(n) for g, n in replace.items()}, add=add)
        return
    with tempfile.TemporaryDirectory(prefix="ssekg-load-") as folder:
        files = {
            g: staging.write(n, Path(folder) / f"{i}.nt")
            for i, (g, n) in enumerate(replace.items())
        }
        from_files(files, add=add)


def _duplicate(
    record: SourceRecord, first: _Entry, what: str, en_subject: str, sr_what: str
) -> QuarantineEntry:
    return QuarantineEntry(
        record.key,
        record.locator,
        None,
        record.key if what == "key" else str(record.subject),
        f"{en_subject} the same as in {first.locator}; the record was set aside. Merge "
        "the two records or give them different keys.",
        f"{sr_what} je isti kao u zapisu {first.locator}; zapis je izdvojen. Spojite ta "
        "dva zapisa ili im dajte različite ključeve.",
        actor=str(record.subject) if record.subject is not None else None,
    )
