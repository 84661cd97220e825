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
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SH
from rdflib.term import Node

from ssekg import __version__
from ssekg.derived import refresh as refresh_derived
from ssekg.errors import InputError, ValidationFailed
from ssekg.loaders.clean import Problem
from ssekg.loaders.rdf import file_checksum, provenance_triples, split_personal
from ssekg.namespaces import SCHEMA, SSEKG
from ssekg.resources import data_dir
from ssekg.store.base import Store
from ssekg.text import slug
from ssekg.validation import ValidationIssue, ValidationReport, validate

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
    """A record on its way through the pipeline."""

    record: SourceRecord
    node: URIRef
    reasons: list[QuarantineEntry] = field(default_factory=list)
    duplicate: bool = False

    @property
    def kept(self) -> bool:
        return not self.reasons


def _entry(record: SourceRecord, problem: Problem) -> QuarantineEntry:
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


def _issue_entry(record: SourceRecord, issue: ValidationIssue) -> QuarantineEntry:
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


def _record_triples(entry: _Entry, source: URIRef) -> list[Triple]:
    """The record node and the links from the actor (and its offers and needs) to it."""
    record, node = entry.record, entry.node
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


def _triples_of(
    entries: Iterable[_Entry], source: URIRef, source_id: str | None = None
) -> list[Triple]:
    """The records' triples and their record nodes (and the source's own triples when
    ``source_id`` is given), as a plain list: cheaper than merging rdflib graphs."""
    triples: list[Triple] = []
    for entry in entries:
        triples.extend(entry.record.graph)
        triples.extend(_record_triples(entry, source))
    if source_id is not None:
        triples.extend(_source_triples(source, source_id))
    return list(dict.fromkeys(triples))  # records may say the same of a shared node


def _owners(entries: Iterable[_Entry]) -> dict[str, _Entry]:
    """Which record each node belongs to: the record whose graph describes it (first wins)."""
    owners: dict[str, _Entry] = {}
    for entry in entries:
        owners.setdefault(str(entry.node), entry)
        for subject in set(entry.record.graph.subjects()):
            owners.setdefault(str(subject), entry)
    return owners


def _validate(
    entries: list[_Entry], source: URIRef, source_id: str
) -> tuple[ValidationReport, dict[int, list[ValidationIssue]], list[ValidationIssue]]:
    """Validate the records as one graph; the issues by record (by ``id`` of its entry), and
    the Violations no record owns."""
    report = validate(_triples_of(entries, source, source_id))
    owners = _owners(entries)
    by_record: dict[int, list[ValidationIssue]] = {}
    orphans: list[ValidationIssue] = []
    for issue in report.results:
        owner = owners.get(issue.actor or "") or owners.get(issue.focus)
        if owner is None:
            if issue.severity == "Violation":
                orphans.append(issue)
            continue
        by_record.setdefault(id(owner), []).append(issue)
    return report, by_record, orphans


def _points_at(kept: list[_Entry], dropped: list[_Entry]) -> bool:
    """Whether a kept record refers to a node of a quarantined one."""
    nodes: set[Node] = set()
    for entry in dropped:
        nodes.update(entry.record.graph.subjects())
    if not nodes:
        return False
    return any(o in nodes for entry in kept for o in entry.record.graph.objects())


def _subset(report: ValidationReport, issues: list[ValidationIssue]) -> ValidationReport:
    """The report narrowed to some of its issues (its RDF form too)."""
    foci = {i.focus for i in issues}
    graph = Graph()
    for prefix, namespace in report.graph.namespaces():
        graph.bind(prefix, namespace)
    node = BNode()
    graph.add((node, RDF.type, SH.ValidationReport))
    for result in report.graph.objects(None, SH.result):
        if str(report.graph.value(result, SH.focusNode)) in foci:
            graph.add((node, SH.result, result))
            for triple in report.graph.cbd(result):
                graph.add(triple)
    subset = ValidationReport(results=list(issues), graph=graph)
    graph.add((node, SH.conforms, Literal(subset.conforms)))
    return subset


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
    graphs = store.graphs_of
    base = graphs.base
    source = URIRef(f"{base}source/{source_id}")
    entries: list[_Entry] = []
    subjects: dict[URIRef, _Entry] = {}
    nodes: dict[URIRef, _Entry] = {}
    for record in records:
        entry = _Entry(record, record_iri(base, source_id, record.key))
        entries.append(entry)
        if progress is not None:
            progress(1)
        for problem in record.problems:
            if problem.severity == "Violation":
                entry.reasons.append(_entry(record, problem))
        for problem in _invalid_iris(record.graph):
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
    if not entries:
        names = ", ".join(str(f) for f in files)
        raise InputError(
            f"{names}: the source has no records; nothing was stored.",
            f"{names}: izvor nema nijedan zapis; ništa nije sačuvano.",
        )
    pool = [e for e in entries if e.record.subject is not None and not e.duplicate]
    report = ValidationReport()
    issues_of: dict[int, list[ValidationIssue]] = {}
    for _ in range(_MAX_ROUNDS):
        # Records that will be quarantined anyway are validated too, so that the report
        # tells everything to fix at once; a second round settles records that point at them.
        report, found, orphans = _validate(pool, source, source_id)
        if orphans:
            raise ValidationFailed(
                f"{len(orphans)} violation(s) of the SHACL shapes belong to no record; nothing "
                "was stored. Fix the data listed above and load it again.",
                f"{len(orphans)} kršenja SHACL pravila ne pripada nijednom zapisu; ništa nije "
                "sačuvano. Ispravite podatke navedene iznad i ponovo ih učitajte.",
                report=_subset(report, orphans),
            )
        for entry in pool:
            issues = found.get(id(entry), [])
            issues_of[id(entry)] = issues
            entry.reasons.extend(
                _issue_entry(entry.record, i) for i in issues if i.severity == "Violation"
            )
        kept_pool = [e for e in pool if e.kept]
        if len(kept_pool) == len(pool) or not _points_at(
            kept_pool, [e for e in pool if not e.kept]
        ):
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
    committed_issues = [i for e in kept for i in issues_of.get(id(e), [])]
    final = _subset(report, committed_issues)
    notes = [
        _entry(e.record, p) for e in kept for p in e.record.problems if p.severity != "Violation"
    ]
    public, private = split_personal(_triples_of(kept, source))
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
        triples=len(public),
        private_triples=len(private),
    )
    store.replace_graphs({target: public, private_target: private}, add={graphs.meta: provenance})
    refresh_derived(store)
    written = write_quarantine(quarantine, report_dir, source_id)
    return LoadResult(
        source_id=source_id,
        graph=target,
        loaded=len(kept),
        quarantined=len(quarantined),
        triples=len(public),
        private_triples=len(private),
        encoding=encoding,
        report=final,
        quarantine=quarantine,
        loader=loader,
        notes=notes,
        report_files=written,
    )


def _duplicate(
    record: SourceRecord, first: _Entry, what: str, en_subject: str, sr_what: str
) -> QuarantineEntry:
    return QuarantineEntry(
        record.key,
        record.locator,
        None,
        record.key if what == "key" else str(record.subject),
        f"{en_subject} the same as in {first.record.locator}; the record was set aside. Merge "
        "the two records or give them different keys.",
        f"{sr_what} je isti kao u zapisu {first.record.locator}; zapis je izdvojen. Spojite ta "
        "dva zapisa ili im dajte različite ključeve.",
        actor=str(record.subject) if record.subject is not None else None,
    )
