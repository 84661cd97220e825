"""Loading RDF files (Turtle, N-Triples, JSON-LD, RDF/XML) into a source's named graph:
parse, validate with the shapes, and commit public and personal data in one step."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rdflib import RDF, XSD, Graph, Literal, Node, URIRef
from rdflib.namespace import DCTERMS, PROV

from ssekg import __version__
from ssekg.derived import refresh as refresh_derived
from ssekg.errors import InputError, ValidationFailed
from ssekg.namespaces import SCHEMA, SSEKG
from ssekg.rdf_io import parse_rdf
from ssekg.store.base import Store
from ssekg.validation import ValidationReport, validate

Triple = tuple[Node, Node, Node]

_SOURCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")

#: Predicates whose triples are personal data and go to the private graph, with everything
#: said about their objects.
PERSONAL_PREDICATES = (SSEKG.contactPerson,)


@dataclass
class LoadSummary:
    """What one load did, for the command line and the provenance record."""

    source_id: str
    graph: str
    triples: int
    private_triples: int
    actors: int
    report: ValidationReport


def default_source_id(path: Path) -> str:
    """The source id a file gets when none is given: its name without suffix, slugged."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem).strip("-.") or "source"
    return stem[:100]


def check_source_id(source_id: str) -> str:
    if not _SOURCE_ID.match(source_id):
        raise InputError(
            f"the source id {source_id!r} is not usable in an IRI; use letters, digits, '.', "
            "'_' and '-' only (at most 100 characters).",
            f"oznaka izvora {source_id!r} ne može da stoji u IRI-ju; koristite samo slova, "
            "cifre, '.', '_' i '-' (najviše 100 znakova).",
        )
    return source_id


def split_personal(graph: Graph | Sequence[Triple]) -> tuple[list[Triple], list[Triple]]:
    """Separate personal data (contact persons and what is said of them) from the rest."""
    people: set[Node] = {o for _, p, o in graph if p in PERSONAL_PREDICATES}
    public: list[Triple] = []
    private: list[Triple] = []
    for triple in graph:
        s, p, _ = triple
        if s in people or p in PERSONAL_PREDICATES:
            private.append(triple)
        else:
            public.append(triple)
    return public, private


def load_rdf_file(
    store: Store,
    path: Path,
    *,
    source_id: str | None = None,
    rdf_format: str | None = None,
) -> LoadSummary:
    """Load one RDF file as the source ``source_id``, replacing what that source had before.

    Nothing is stored when the file does not parse or has SHACL Violations
    (:class:`ValidationFailed` carries the report)."""
    source_id = check_source_id(source_id or default_source_id(path))
    graph = parse_rdf(path, rdf_format)
    from ssekg.loaders.essglobal import crosswalk_essglobal, uses_essglobal

    if uses_essglobal(graph):  # RIPESS / DCC data: initiatives become ssekg actors
        graph = crosswalk_essglobal(graph, store.graphs_of.base, source_id)
    return load_graph(store, graph, source_id, [path])


def load_graph(store: Store, graph: Graph, source_id: str, files: list[Path]) -> LoadSummary:
    """Validate ``graph`` and commit it as the source ``source_id``: public facts to the
    source's graph, personal data to its private graph, provenance to the metadata graph,
    all in one step."""
    report = validate(graph)
    names = ", ".join(str(f) for f in files)
    if not report.conforms:
        raise ValidationFailed(
            f"{names}: {report.violations} violation(s) of the SHACL shapes; nothing was "
            "stored. Fix the records listed above and load the file again.",
            f"{names}: {report.violations} kršenja SHACL pravila; ništa nije sačuvano. "
            "Ispravite zapise navedene iznad i ponovo učitajte datoteku.",
            report=report,
        )
    public, private = split_personal(graph)
    graphs = store.graphs_of
    target = graphs.source(source_id)
    private_target = f"{graphs.private}/source/{source_id}"
    actors = len(set(graph.subjects(RDF.type, SSEKG.Actor)))
    provenance = provenance_triples(store, files, source_id, target, len(public), actors, report)
    store.replace_graphs(
        {target: public, private_target: private},
        add={graphs.meta: provenance},
    )
    refresh_derived(store)
    return LoadSummary(source_id, target, len(public), len(private), actors, report)


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def provenance_triples(
    store: Store,
    files: list[Path],
    source_id: str,
    target: str,
    triples: int,
    actors: int,
    report: ValidationReport,
) -> Iterable[Triple]:
    """The PROV-O record of one load: which file, when, by what, and with what result."""
    now = datetime.now(UTC)
    base = store.graphs_of.base
    source = URIRef(f"{base}source/{source_id}")
    activity = URIRef(f"{base}load/{source_id}/{now.strftime('%Y%m%dT%H%M%S%fZ')}")
    triples_out: list[Triple] = []
    for path in files:
        checksum = URIRef(f"urn:sha256:{file_checksum(path)}")
        triples_out += [
            (activity, PROV.used, checksum),
            (checksum, DCTERMS.source, Literal(path.name)),
        ]
    return triples_out + [
        (source, RDF.type, SSEKG.Source),
        (source, SSEKG.sourceId, Literal(source_id)),
        (activity, RDF.type, PROV.Activity),
        (activity, PROV.generated, URIRef(target)),
        (activity, PROV.startedAtTime, Literal(now.isoformat(), datatype=XSD.dateTime)),
        (
            activity,
            PROV.wasAssociatedWith,
            URIRef(f"https://w3id.org/ssekg/loader/rdf/{__version__}"),
        ),
        (
            activity,
            SCHEMA.result,
            Literal(
                f"{triples} triples, {actors} actors, {report.violations} violations, "
                f"{report.warnings} warnings"
            ),
        ),
        (URIRef(target), PROV.wasGeneratedBy, activity),
        (URIRef(target), PROV.wasDerivedFrom, source),
    ]
