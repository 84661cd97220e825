"""Validation of data against the SHACL shapes of ``ssekg/shapes``.

The data is validated together with the reference graph (ontology, taxonomies, places), so that
the shapes can check that a concept belongs to the right scheme and that a municipality is a
place of the gazetteer. Only results about the data are reported, never about the reference.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any, Protocol
from typing import Literal as Literal_

import pyoxigraph as ox
from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from ssekg.namespaces import ORG, PREFIXES, SSEKG
from ssekg.resources import data_files
from ssekg.shacl_sparql import (
    CompiledShapes,
    Unsupported,
    check_rows,
    compile_shapes,
    result_triples,
)
from ssekg.store.terms import from_ox, to_ox, to_ox_quad

SHX = Namespace("https://w3id.org/ssekg/shapes#")
PROV_DERIVED = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
SEVERITIES: dict[URIRef, str] = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
SEVERITY_SR = {"Violation": "Greška", "Warning": "Upozorenje", "Info": "Napomena"}
# How a node that is not an actor belongs to one: the actor points at it (address, offers,
# status, ...) or it points at the actor (membership, cooperation, funding).
_OWNER_BACKLINKS = (
    URIRef("http://www.w3.org/ns/locn#address"),
    URIRef("http://www.opengis.net/ont/geosparql#hasGeometry"),
    SSEKG.offers,
    SSEKG.needs,
    SSEKG.hasStatus,
    URIRef("https://schema.org/contactPoint"),
    SSEKG.sourceRecord,
    URIRef("http://www.w3.org/ns/adms#identifier"),
)
_OWNER_FORWARD = (ORG.member, SSEKG.partner, SSEKG.recipient, SSEKG.funder, ORG.organization)


class Store(Protocol):
    """What :func:`validate_store` needs of a store."""

    def query(self, sparql: str, *args: Any, **kwargs: Any) -> Any: ...


@dataclass(frozen=True)
class ValidationIssue:
    """One SHACL result about the data, with the actor it concerns."""

    severity: str
    focus: str
    actor: str | None
    actor_name: str | None
    source_record: str | None
    path: str | None
    value: str | None
    message_en: str
    message_sr: str
    shape: str

    def message(self, lang: str = "sr") -> str:
        return self.message_sr if lang.startswith("sr") else self.message_en


@dataclass
class ValidationReport:
    """The outcome of one validation: ``conforms`` is True when there is no Violation
    (Warnings and Infos are allowed)."""

    results: list[ValidationIssue] = field(default_factory=list)
    graph: Graph = field(default_factory=Graph, repr=False)

    @property
    def violations(self) -> int:
        return sum(1 for r in self.results if r.severity == "Violation")

    @property
    def warnings(self) -> int:
        return sum(1 for r in self.results if r.severity == "Warning")

    @property
    def infos(self) -> int:
        return sum(1 for r in self.results if r.severity == "Info")

    @property
    def conforms(self) -> bool:
        return self.violations == 0

    def by_actor(self) -> list[tuple[str | None, list[ValidationIssue]]]:
        """Issues grouped by actor, actors in IRI order, issues without an actor last."""
        groups: dict[str | None, list[ValidationIssue]] = {}
        for issue in self.results:
            groups.setdefault(issue.actor, []).append(issue)
        keys = sorted(k for k in groups if k is not None) + ([None] if None in groups else [])
        return [(k, groups[k]) for k in keys]

    def to_text(self, lang: str = "sr") -> str:
        sr = lang.startswith("sr")
        lines: list[str] = []
        for actor, issues in self.by_actor():
            first = issues[0]
            if actor is None:
                lines.append("Ostali čvorovi" if sr else "Other nodes")
            else:
                name = first.actor_name or ("(bez naziva)" if sr else "(no name)")
                header = f"{name} <{actor}>"
                if first.source_record:
                    header += f" ({'zapis' if sr else 'record'} {first.source_record})"
                lines.append(header)
            for issue in issues:
                severity = SEVERITY_SR[issue.severity] if sr else issue.severity
                parts = [f"  {severity}:"]
                if issue.path:
                    parts.append(issue.path)
                if issue.value is not None:
                    parts.append(f"= {issue.value}")
                if issue.focus != actor:
                    parts.append(f"[{issue.focus}]")
                lines.append(" ".join(parts) + " — " + issue.message(lang))
        if sr:
            verdict = "podaci su ispravni" if self.conforms else "podaci nisu ispravni"
            lines.append(
                f"Ukupno: {self.violations} grešaka, {self.warnings} upozorenja, "
                f"{self.infos} napomena; {verdict}."
            )
        else:
            verdict = "the data conforms" if self.conforms else "the data does not conform"
            lines.append(
                f"Total: {self.violations} violation(s), {self.warnings} warning(s), "
                f"{self.infos} info(s); {verdict}."
            )
        return "\n".join(lines)

    def to_json(self) -> str:
        actors = []
        for actor, issues in self.by_actor():
            actors.append(
                {
                    "actor": actor,
                    "name": issues[0].actor_name,
                    "record": issues[0].source_record,
                    "issues": [
                        {k: v for k, v in asdict(i).items() if k not in ("actor", "actor_name")}
                        for i in issues
                    ],
                }
            )
        body = {
            "conforms": self.conforms,
            "violations": self.violations,
            "warnings": self.warnings,
            "actors": actors,
        }
        return json.dumps(body, ensure_ascii=False, indent=2)

    def to_turtle(self) -> str:
        return self.graph.serialize(format="turtle")


@lru_cache(maxsize=256)
def _prepared(text: str) -> Query:
    return prepareQuery(text)


class _DataGraph(Graph):
    """The graph pyshacl validates. pyshacl sends the same SHACL-SPARQL text once per focus
    node; parsing it dominates the cost, so parsed queries are kept by their text."""

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(query_object, str) and not kwargs.get("initNs"):
            query_object = _prepared(query_object)
        return super().query(query_object, *args, **kwargs)


@lru_cache(maxsize=1)
def _shapes() -> Graph:
    graph = Graph()
    for f in data_files("shapes", ".ttl"):
        graph.parse(data=f.read_text(encoding="utf-8"), format="turtle", publicID=str(f))
    return graph


def load_shapes() -> Graph:
    """The shapes graph of the package (all ``ssekg/shapes/*.ttl``), parsed once."""
    return _shapes()


Engine = Literal_["auto", "sparql", "pyshacl"]
#: Called with (checks done, checks in all) while the compiled engine runs.
Progress = Callable[[int, int], None]


@lru_cache(maxsize=8)
def _compiled(shapes_id: int, shapes: Graph) -> CompiledShapes | None:
    try:
        return compile_shapes(shapes)
    except Unsupported:
        return None


def compiled_shapes(shapes: Graph) -> CompiledShapes | None:
    """The shapes as whole-graph queries, or None when they need pySHACL."""
    return _compiled(id(shapes), shapes)


@lru_cache(maxsize=4)
def _reference_ntriples(reference_id: int, reference: Graph) -> bytes:
    return reference.serialize(format="nt", encoding="utf-8")


def validate(
    data: Graph | Sequence[tuple[Node, Node, Node]],
    *,
    reference: Graph | None = None,
    shapes: Graph | None = None,
    engine: Engine = "auto",
    progress: Progress | None = None,
) -> ValidationReport:
    """Validate ``data`` with the shapes, reading concepts and places from ``reference``
    (default: the package's reference graph).

    The default engine runs each constraint as one SPARQL query on Oxigraph
    (:mod:`ssekg.shacl_sparql`); shapes it does not cover, or ``engine="pyshacl"``, go
    through pySHACL. Both give the same results. ``data`` may also be a plain sequence of
    triples, which spares building an rdflib graph for the compiled engine."""
    if reference is None:
        from ssekg.reference import reference_graph

        reference = reference_graph()
    shapes_graph = load_shapes() if shapes is None else shapes
    compiled = None if engine == "pyshacl" else compiled_shapes(shapes_graph)
    if compiled is None:
        if engine == "sparql":
            raise ValueError("the shapes use SHACL features only pySHACL validates")
        return _validate_pyshacl(as_graph(data), reference, shapes_graph)
    store = ox.Store()
    store.bulk_load(
        input=_reference_ntriples(id(reference), reference), format=ox.RdfFormat.N_TRIPLES
    )
    try:
        store.bulk_extend(to_ox_quad(s, p, o, None) for s, p, o in data)
    except ValueError:
        # a term Oxigraph refuses (an IRI with spaces or brackets): pySHACL still reads it
        return _validate_pyshacl(as_graph(data), reference, shapes_graph)
    return validate_oxigraph(compiled, store, None, reference_nodes(reference), progress)


def as_graph(data: Graph | Sequence[tuple[Node, Node, Node]]) -> Graph:
    """``data`` as an rdflib graph (a graph is returned as it is)."""
    if isinstance(data, Graph):
        return data
    graph = Graph()
    for triple in data:
        graph.add(triple)
    return graph


@lru_cache(maxsize=4)
def _reference_nodes_of(reference_id: int, reference: Graph) -> frozenset[Any]:
    return frozenset(to_ox(n) for n in reference.subjects())


def reference_ntriples(reference: Graph) -> bytes:
    """The reference graph as N-Triples (serialised once per graph)."""
    return _reference_ntriples(id(reference), reference)


def reference_nodes(reference: Graph) -> frozenset[Any]:
    """The subjects of the reference graph, as Oxigraph terms (computed once per graph)."""
    return _reference_nodes_of(id(reference), reference)


def validate_oxigraph(
    compiled: CompiledShapes,
    store: ox.Store,
    default_graph: Sequence[ox.NamedNode | ox.DefaultGraph] | None,
    reference_nodes: Iterable[Any],
    progress: Progress | None = None,
) -> ValidationReport:
    """Validate what ``store`` holds (its default graph, or the union of ``default_graph``)
    with compiled shapes; results about ``reference_nodes`` are left out."""
    found = check_results(compiled, store, default_graph, reference_nodes, progress)
    return report_of(in_report_order(found))


#: One result of a validation: the issue, and its SHACL result as triples about a blank node.
Found = tuple["ValidationIssue", list[tuple[Node, Node, Node]]]


def check_results(
    compiled: CompiledShapes,
    store: ox.Store,
    default_graph: Sequence[ox.NamedNode | ox.DefaultGraph] | None,
    reference_nodes: Iterable[Any],
    progress: Progress | None = None,
) -> list[Found]:
    """The results of compiled shapes on ``store`` (as :func:`validate_oxigraph`), each
    issue with its SHACL result, in the order the checks found them. Issues are built from
    the query answers directly; what is looked up per focus node (its actor, name and
    record) is looked up once."""
    view = _OxView(store, default_graph)
    skip = reference_nodes if isinstance(reference_nodes, frozenset | set) else set(reference_nodes)
    about: dict[Any, tuple[str | None, str | None, str | None]] = {}
    per_check: dict[int, tuple[str, str, str, str]] = {}
    found: list[Found] = []
    for check, focus, value, path in check_rows(
        compiled, store, default_graph=default_graph, progress=progress
    ):
        if focus in skip:
            continue
        result = BNode()
        triples = result_triples(compiled, check, result, focus, value, path)
        fixed = per_check.get(id(check))
        if fixed is None:
            shape = check.constraint if isinstance(check.constraint, URIRef) else check.shape
            messages = list(compiled.shapes.objects(shape, SH.message))
            fixed = per_check[id(check)] = (
                SEVERITIES.get(check.severity, "Violation"),
                _pick(messages, ("en",)),
                _pick(messages, ("sr-latn", "sr")),
                str(shape),
            )
        severity, message_en, message_sr, shape_name = fixed
        focus_node = from_ox(focus)
        known = about.get(focus)
        if known is None:
            actor = _actor_of(focus_node, view)  # type: ignore[arg-type]
            known = about[focus] = (
                str(actor) if actor is not None else None,
                _name(actor, view) if actor is not None else None,  # type: ignore[arg-type]
                _record_of(focus_node, actor, view),  # type: ignore[arg-type]
            )
        result_path = (
            check.path
            if check.constraint is None
            else (from_ox(path) if path is not None else None)
        )
        issue = ValidationIssue(
            severity=severity,
            focus=str(focus_node),
            actor=known[0],
            actor_name=known[1],
            source_record=known[2],
            path=_render_path(result_path, compiled.shapes) if result_path is not None else None,
            value=_render_value(from_ox(value)) if value is not None else None,
            message_en=message_en,
            message_sr=message_sr,
            shape=shape_name,
        )
        found.append((issue, triples))
    return found


def report_of(found: Iterable[Found]) -> ValidationReport:
    """A report of some results, in the order given, with its RDF form."""
    report_graph = Graph()
    for prefix, iri in PREFIXES.items():
        report_graph.bind(prefix, iri)
    report_graph.bind("shx", str(SHX))
    report_node = BNode()
    report_graph.add((report_node, RDF.type, SH.ValidationReport))
    issues: list[ValidationIssue] = []
    for issue, triples in found:
        issues.append(issue)
        if triples:
            report_graph.add((report_node, SH.result, triples[0][0]))
        for triple in triples:
            report_graph.add(triple)
    report = ValidationReport(results=issues, graph=report_graph)
    report_graph.add((report_node, SH.conforms, Literal(report.conforms)))
    return report


def _issue_order(issue: ValidationIssue) -> tuple[str, str, int, str]:
    return (issue.actor or "~", issue.focus, _SEVERITY_ORDER[issue.severity], issue.shape)


def in_report_order(found: list[Found]) -> list[Found]:
    """The results sorted as a report lists them: by actor, focus node, severity, shape."""
    found.sort(key=lambda f: _issue_order(f[0]))
    return found


def _validate_pyshacl(data: Graph, reference: Graph, shapes_graph: Graph) -> ValidationReport:
    return report_of(in_report_order(pyshacl_results(data, reference, shapes_graph)))


def pyshacl_results(data: Graph, reference: Graph, shapes_graph: Graph) -> list[Found]:
    """The results of pySHACL on ``data`` (with ``reference``), each issue with its SHACL
    result; results about the reference are left out."""
    union = _DataGraph()
    for prefix, iri in PREFIXES.items():
        union.bind(prefix, iri)
    for triple in data:
        union.add(triple)
    for triple in reference:
        union.add(triple)
    _, results_graph, _ = shacl_validate(
        union,
        shacl_graph=shapes_graph,
        inference="none",
        advanced=True,
        allow_warnings=True,
        inplace=True,
    )
    assert isinstance(results_graph, Graph)
    reference_nodes = set(reference.subjects())
    data_nodes = {s for s in data.subjects() if s not in reference_nodes}
    found: list[Found] = []
    for result in results_graph.objects(None, SH.result):
        focus = results_graph.value(result, SH.focusNode)
        if focus is None or focus not in data_nodes:
            continue
        issue = _issue(result, results_graph, union, shapes_graph)
        found.append((issue, list(results_graph.cbd(result))))
    return found


class _OxView:
    """The few rdflib Graph lookups the report needs, answered by an Oxigraph store."""

    def __init__(
        self, store: ox.Store, graphs: Sequence[ox.NamedNode | ox.DefaultGraph] | None
    ) -> None:
        self.store = store
        self.graphs: list[Any] = list(graphs) if graphs is not None else [ox.DefaultGraph()]

    def _quads(self, s: Node | None, p: Node | None, o: Node | None) -> Iterator[ox.Quad]:
        seen: set[tuple[Any, Any, Any]] = set()
        if isinstance(s, Literal) or isinstance(p, Literal | BNode):
            return
        for graph in self.graphs:
            for quad in self.store.quads_for_pattern(
                None if s is None else to_ox(s),  # type: ignore[arg-type]
                None if p is None else to_ox(p),  # type: ignore[arg-type]
                None if o is None else to_ox(o),
                graph,
            ):
                key = (quad.subject, quad.predicate, quad.object)
                if key not in seen:
                    seen.add(key)
                    yield quad

    def __contains__(self, triple: tuple[Node, Node, Node]) -> bool:
        return next(self._quads(*triple), None) is not None

    def subjects(self, p: Node, o: Node) -> Iterator[Node]:
        for quad in self._quads(None, p, o):
            yield from_ox(quad.subject)

    def objects(self, s: Node, p: Node) -> Iterator[Node]:
        for quad in self._quads(s, p, None):
            yield from_ox(quad.object)

    def value(self, s: Node, p: Node) -> Node | None:
        return next(self.objects(s, p), None)


_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


def validate_store(store: Store, progress: Progress | None = None) -> ValidationReport:
    """Validate the public union of a store (every public graph; the store's reference graph
    is taken as the reference, not reported on)."""
    from ssekg.reference import reference_graph

    reference = reference_graph()
    compiled = compiled_shapes(load_shapes())
    dataset = getattr(store, "oxigraph_dataset", None)
    if compiled is not None and dataset is not None:
        ox_store, graphs = dataset()
        skip = reference_nodes(reference)
        if ox.NamedNode(store.graphs_of.reference) not in graphs:  # type: ignore[attr-defined]
            ox_store.extend(
                ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(_REFERENCE_COPY))
                for q in ox.parse(
                    reference_ntriples(reference), ox.RdfFormat.N_TRIPLES
                )
            )
            graphs = [*graphs, ox.NamedNode(_REFERENCE_COPY)]
            try:
                return validate_oxigraph(compiled, ox_store, graphs, skip, progress)
            finally:
                ox_store.remove_graph(ox.NamedNode(_REFERENCE_COPY))
        return validate_oxigraph(compiled, ox_store, graphs, skip, progress)
    union = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }").graph
    data = Graph()
    for triple in union:
        if triple not in reference:
            data.add(triple)
    return validate(data, reference=reference, progress=progress)


_REFERENCE_COPY = "urn:x-ssekg:staging:validation-reference"


def _issue(result: Node, results: Graph, union: Graph, shapes: Graph) -> ValidationIssue:
    focus = results.value(result, SH.focusNode)
    assert focus is not None
    level = results.value(result, SH.resultSeverity)
    severity = SEVERITIES.get(level, "Violation") if isinstance(level, URIRef) else "Violation"
    shape = _shape_of(result, results)
    messages = list(results.objects(result, SH.resultMessage))
    if shape is not None:
        messages += list(shapes.objects(shape, SH.message))
    path = results.value(result, SH.resultPath)
    value = results.value(result, SH.value)
    actor = _actor_of(focus, union)
    return ValidationIssue(
        severity=severity,
        focus=str(focus),
        actor=str(actor) if actor is not None else None,
        actor_name=_name(actor, union) if actor is not None else None,
        source_record=_record_of(focus, actor, union),
        path=_render_path(path, results) if path is not None else None,
        value=_render_value(value) if value is not None else None,
        message_en=_pick(messages, ("en",)),
        message_sr=_pick(messages, ("sr-latn", "sr")),
        shape=str(shape) if shape is not None else "",
    )


def _shape_of(result: Node, results: Graph) -> Node | None:
    """The named shape a result comes from: the SPARQL constraint for SHACL-SPARQL, else the
    (property) shape."""
    constraint = results.value(result, SH.sourceConstraint)
    if isinstance(constraint, URIRef):
        return constraint
    return results.value(result, SH.sourceShape)


def _pick(messages: Iterable[Node], langs: tuple[str, ...]) -> str:
    literals = [m for m in messages if isinstance(m, Literal)]
    for lang in langs:
        for m in literals:
            if (m.language or "").lower() == lang:
                return str(m)
    for m in literals:
        if m.language is None:
            return str(m)
    return str(literals[0]) if literals else ""


def _actor_of(focus: Node, graph: Graph) -> Node | None:
    if (focus, RDF.type, SSEKG.Actor) in graph:
        return focus
    for prop in _OWNER_BACKLINKS:
        for subject in graph.subjects(prop, focus):
            if (subject, RDF.type, SSEKG.Actor) in graph:
                return subject
    for prop in _OWNER_FORWARD:
        for obj in sorted(graph.objects(focus, prop), key=str):
            if (obj, RDF.type, SSEKG.Actor) in graph:
                return obj
    return None


def _name(actor: Node, graph: Graph) -> str | None:
    names = [n for n in graph.objects(actor, SSEKG.name) if isinstance(n, Literal)]
    if not names:
        return None
    latin = [n for n in graph.objects(actor, SSEKG.transliteratedName) if isinstance(n, Literal)]
    for candidates in (names, latin):
        for n in sorted(candidates):
            if (n.language or "").lower() == "sr-latn":
                return str(n)
    for lang in ("sr", "en"):
        for n in sorted(names):
            if (n.language or "").lower() == lang:
                return str(n)
    return str(sorted(names)[0])


def _record_of(focus: Node, actor: Node | None, graph: Graph) -> str | None:
    records = list(graph.objects(focus, PROV_DERIVED))
    if actor is not None:
        records += sorted(graph.objects(actor, SSEKG.sourceRecord), key=str)
    if (focus, RDF.type, SSEKG.SourceRecord) in graph:
        records.insert(0, focus)
    for record in records:
        key = graph.value(record, SSEKG.recordKey)
        if key is not None:
            return str(key)
    return None


def _render_value(value: Node) -> str:
    if isinstance(value, Literal):
        text = str(value)
        if value.language:
            return f'"{text}"@{value.language}'
        if value.datatype is not None:
            return f'"{text}"^^{_compact(value.datatype)}'
        return f'"{text}"'
    if isinstance(value, URIRef):
        return f"<{value}>"
    return str(value)


def _render_path(path: Node, graph: Graph) -> str:
    if isinstance(path, URIRef):
        return _compact(path)
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return " | ".join(_render_path(p, graph) for p in Collection(graph, alternatives))
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _render_path(inverse, graph)
    if graph.value(path, RDF.first) is not None:
        return "/".join(_render_path(p, graph) for p in Collection(graph, path))
    return str(path)


def _compact(iri: Node) -> str:
    text = str(iri)
    best = ""
    for prefix, ns in PREFIXES.items():
        if text.startswith(ns) and len(ns) > len(best):
            best = ns
            chosen = prefix
    return f"{chosen}:{text[len(best) :]}" if best else f"<{text}>"
