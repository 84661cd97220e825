"""SHACL shapes run as whole-graph SPARQL queries on Oxigraph.

pySHACL evaluates every constraint once per focus node in Python (about 24 ms per actor with
the project's shapes), which makes 100,000 actors a matter of most of an hour. The shapes of
ssekg use a small part of SHACL Core plus SHACL-SPARQL constraints, and each of those parts
can be asked of the whole graph at once: "every actor with fewer than one name", "every
municipality that is not a place of the gazetteer". This module turns each constraint into
one SELECT query and runs it on a pyoxigraph store, where the query engine does the work.

The results are written as a SHACL validation results graph of the same form pySHACL writes
(``sh:focusNode``, ``sh:value``, ``sh:resultPath``, ``sh:sourceShape``,
``sh:sourceConstraintComponent``, ``sh:resultSeverity``), so that one report builder serves
both engines. Shapes that use a part of SHACL this module does not know are not guessed at:
:func:`compile_shapes` raises :class:`Unsupported` and the caller falls back to pySHACL.
The test suite checks both engines give the same results on the same data.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from ssekg.store.terms import from_ox

RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"

#: Parameters a shape may carry that this module understands; anything else in the
#: ``sh:`` namespace on a shape makes the shapes unsupported.
_KNOWN = {
    SH.path,
    SH.property,
    SH.targetClass,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.targetNode,
    SH.severity,
    SH.message,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.deactivated,
    SH.minCount,
    SH.maxCount,
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH.pattern,
    SH.flags,
    SH.hasValue,
    SH["in"],
    SH.node,
    SH["or"],
    SH.minInclusive,
    SH.maxInclusive,
    SH.minExclusive,
    SH.maxExclusive,
    SH.lessThanOrEquals,
    SH.lessThan,
    SH.languageIn,
    SH.sparql,
}

#: Datatypes whose lexical form SPARQL can check by casting: a literal of the type that does
#: not cast to it is ill-formed (pySHACL reports it under sh:datatype).
_CASTABLE = {
    str(XSD.integer),
    str(XSD.decimal),
    str(XSD.double),
    str(XSD.float),
    str(XSD.boolean),
    str(XSD.date),
    str(XSD.dateTime),
}


class Unsupported(Exception):
    """The shapes use a part of SHACL that is only validated by pySHACL."""


@dataclass
class Check:
    """One constraint component of one shape, as a query that returns its failures."""

    shape: Node
    component: URIRef
    severity: URIRef
    query: str
    path: Node | None = None
    constraint: Node | None = None


@dataclass
class CompiledShapes:
    checks: list[Check] = field(default_factory=list)
    shapes: Graph = field(default_factory=Graph)


def _iri(node: Node) -> str:
    if not isinstance(node, URIRef):
        raise Unsupported(f"expected an IRI, got {node!r}")
    return f"<{node}>"


def _term(node: Node) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3()
    raise Unsupported(f"a blank node as a constraint value: {node!r}")


def _path_pattern(shapes: Graph, path: Node, subject: str, obj: str) -> str:
    if isinstance(path, URIRef):
        return f"{subject} <{path}> {obj} ."
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        parts = [_path_pattern(shapes, p, subject, obj) for p in Collection(shapes, alternatives)]
        return " UNION ".join("{ " + p + " }" for p in parts)
    inverse = shapes.value(path, SH.inversePath)
    if inverse is not None:
        return _path_pattern(shapes, inverse, obj, subject)
    raise Unsupported(f"the path {path!r}")


def _has_type(var: str, cls: Node) -> str:
    return f"{var} <{RDF.type}>/<{RDFS_SUBCLASS}>* {_iri(cls)} ."


def _lacks_type(var: str, cls: Node) -> str:
    """True when the bound ``var`` is no instance of ``cls`` (nor of a subclass). The same
    test as NOT EXISTS of :func:`_has_type`, but with the class compared and ``+`` for the
    subclasses: Oxigraph evaluates the zero-length step of ``*`` over every term of the
    data, once for each value tested (4 s instead of 0.1 s for 10,000 addresses)."""
    found = f"?{var.lstrip('?$')}TypeOf"
    return (
        f"NOT EXISTS {{ {var} <{RDF.type}> {found} . FILTER ({found} = {_iri(cls)} || "
        f"EXISTS {{ {found} <{RDFS_SUBCLASS}>+ {_iri(cls)} }}) }}"
    )


def _value_failure(shapes: Graph, shape: Node, var: str, depth: int = 0) -> str:
    """A SPARQL expression that is true when ``var`` does NOT conform to the node shape
    ``shape`` (used for sh:node and the members of sh:or)."""
    if depth > 4:
        raise Unsupported("shapes nested too deep")
    _check_known(shapes, shape)
    failures: list[str] = []
    for cls in shapes.objects(shape, SH["class"]):
        failures.append(_lacks_type(var, cls))
    for datatype in shapes.objects(shape, SH.datatype):
        failures.append(_datatype_failure(var, datatype))
    for kind in shapes.objects(shape, SH.nodeKind):
        failures.append(_nodekind_failure(var, kind))
    for other in shapes.objects(shape, SH.node):
        failures.append(_value_failure(shapes, other, var, depth + 1))
    for members in shapes.objects(shape, SH["or"]):
        alternatives = [
            _value_failure(shapes, m, var, depth + 1) for m in Collection(shapes, members)
        ]
        failures.append("(" + " && ".join(alternatives) + ")")
    for prop in shapes.objects(shape, SH.property):
        _check_known(shapes, prop)
        path = shapes.value(prop, SH.path)
        if path is None:
            raise Unsupported("a property shape without sh:path")
        unknown = set(shapes.predicates(prop)) - {
            SH.path,
            SH.hasValue,
            SH.severity,
            SH.message,
            SH.name,
            SH.description,
            RDF.type,
        }
        if unknown:
            raise Unsupported(f"nested property shape with {sorted(str(u) for u in unknown)}")
        for value in shapes.objects(prop, SH.hasValue):
            failures.append(
                f"NOT EXISTS {{ {_path_pattern(shapes, path, var, '?nested' + str(depth))} "
                f"FILTER (?nested{depth} = {_term(value)}) }}"
            )
    if set(shapes.predicates(shape)) & {
        SH.pattern,
        SH.minCount,
        SH.maxCount,
        SH.hasValue,
        SH["in"],
        SH.sparql,
        SH.minInclusive,
        SH.maxInclusive,
        SH.minExclusive,
        SH.maxExclusive,
        SH.lessThan,
        SH.lessThanOrEquals,
        SH.languageIn,
    }:
        raise Unsupported("a nested shape with value-range, pattern or count constraints")
    if not failures:
        return "false"
    return "(" + " || ".join(failures) + ")"


def _datatype_failure(var: str, datatype: Node) -> str:
    dt = str(datatype)
    test = f"(!isLiteral({var}) || DATATYPE({var}) != <{dt}>"
    if dt in _CASTABLE:
        test += " || " + _ill_typed(f"<{dt}>({var})")
    if dt == str(XSD.nonNegativeInteger):
        test += " || " + _ill_typed(f"<{XSD.integer}>(STR({var}))")
        test += f" || COALESCE(<{XSD.integer}>(STR({var})) < 0, false)"
    return test + ")"


def _ill_typed(cast: str) -> str:
    """True when the cast fails (SPARQL has no other test of a lexical form)."""
    return f"sameTerm(COALESCE({cast}, <urn:ssekg:ill-typed>), <urn:ssekg:ill-typed>)"


def _nodekind_failure(var: str, kind: Node) -> str:
    tests = {
        SH.IRI: f"!isIRI({var})",
        SH.Literal: f"!isLiteral({var})",
        SH.BlankNode: f"!isBlank({var})",
        SH.BlankNodeOrIRI: f"isLiteral({var})",
        SH.BlankNodeOrLiteral: f"isIRI({var})",
        SH.IRIOrLiteral: f"isBlank({var})",
    }
    if kind not in tests:
        raise Unsupported(f"the node kind {kind!r}")
    return tests[kind]  # type: ignore[index]


def _check_known(shapes: Graph, shape: Node) -> None:
    if (shape, SH.deactivated, Literal(True)) in shapes:
        raise Unsupported("deactivated shapes")
    for predicate in shapes.predicates(shape):
        if str(predicate).startswith(str(SH)) and predicate not in _KNOWN:
            raise Unsupported(f"the parameter {predicate}")


def _focus_pattern(shapes: Graph, shape: Node) -> str | None:
    targets: list[str] = []
    for cls in shapes.objects(shape, SH.targetClass):
        targets.append(_has_type("?this", cls))
    for p in shapes.objects(shape, SH.targetSubjectsOf):
        targets.append(f"?this {_iri(p)} ?targetObject .")
    for p in shapes.objects(shape, SH.targetObjectsOf):
        targets.append(f"?targetSubject {_iri(p)} ?this .")
    for node in shapes.objects(shape, SH.targetNode):
        targets.append(f"VALUES ?this {{ {_term(node)} }}")
    if not targets:
        return None
    if len(targets) == 1:
        return "{ SELECT DISTINCT ?this WHERE { " + targets[0] + " } }"
    union = " UNION ".join("{ " + t + " }" for t in targets)
    return "{ SELECT DISTINCT ?this WHERE { " + union + " } }"


def _severity(shapes: Graph, shape: Node) -> URIRef:
    value = shapes.value(shape, SH.severity)
    return value if isinstance(value, URIRef) else SH.Violation


def _prefixes(shapes: Graph, constraint: Node) -> str:
    lines = []
    for holder in shapes.objects(constraint, SH.prefixes):
        for declaration in shapes.objects(holder, SH.declare):
            prefix = shapes.value(declaration, SH.prefix)
            namespace = shapes.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(lines)


_SELECT = re.compile(r"^\s*SELECT\s", re.IGNORECASE)


def _property_checks(shapes: Graph, focus: str, prop: Node) -> Iterator[Check]:
    _check_known(shapes, prop)
    path = shapes.value(prop, SH.path)
    if path is None:
        raise Unsupported("a property shape without sh:path")
    severity = _severity(shapes, prop)
    values = _path_pattern(shapes, path, "?this", "?value")

    def check(component: URIRef, query: str) -> Check:
        return Check(prop, component, severity, query, path=path)

    def per_value(component: URIRef, failure: str) -> Check:
        return check(
            component,
            f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {values} FILTER ({failure}) }}",
        )

    for n in shapes.objects(prop, SH.minCount):
        yield check(
            SH.MinCountConstraintComponent,
            f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ {values} }} }} GROUP BY ?this "
            f"HAVING (COUNT(DISTINCT ?value) < {int(str(n))})",
        )
    for n in shapes.objects(prop, SH.maxCount):
        yield check(
            SH.MaxCountConstraintComponent,
            f"SELECT ?this WHERE {{ {focus} {values} }} GROUP BY ?this "
            f"HAVING (COUNT(DISTINCT ?value) > {int(str(n))})",
        )
    for cls in shapes.objects(prop, SH["class"]):
        yield per_value(SH.ClassConstraintComponent, _lacks_type("?value", cls))
    for datatype in shapes.objects(prop, SH.datatype):
        yield per_value(SH.DatatypeConstraintComponent, _datatype_failure("?value", datatype))
    for kind in shapes.objects(prop, SH.nodeKind):
        yield per_value(SH.NodeKindConstraintComponent, _nodekind_failure("?value", kind))
    for pattern in shapes.objects(prop, SH.pattern):
        flags = shapes.value(prop, SH.flags)
        regex = f"REGEX(STR(?value), {Literal(str(pattern)).n3()}"
        regex += f", {Literal(str(flags)).n3()})" if flags is not None else ")"
        yield per_value(SH.PatternConstraintComponent, f"isBlank(?value) || !{regex}")
    for node in shapes.objects(prop, SH.node):
        yield per_value(SH.NodeConstraintComponent, _value_failure(shapes, node, "?value"))
    for members in shapes.objects(prop, SH["or"]):
        alternatives = [_value_failure(shapes, m, "?value") for m in Collection(shapes, members)]
        yield per_value(SH.OrConstraintComponent, " && ".join(alternatives))
    for value in shapes.objects(prop, SH.hasValue):
        yield check(
            SH.HasValueConstraintComponent,
            f"SELECT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ {values} "
            f"FILTER (?value = {_term(value)}) }} }}",
        )
    for members in shapes.objects(prop, SH["in"]):
        allowed = ", ".join(_term(m) for m in Collection(shapes, members))
        yield per_value(SH.InConstraintComponent, f"?value NOT IN ({allowed})")
    for languages in shapes.objects(prop, SH.languageIn):
        ranges = [str(m) for m in Collection(shapes, languages)]
        test = " || ".join(f"langMatches(LANG(?value), {Literal(r).n3()})" for r in ranges)
        yield per_value(SH.LanguageInConstraintComponent, f"!isLiteral(?value) || !({test})")
    comparisons = (
        (SH.minInclusive, SH.MinInclusiveConstraintComponent, ">="),
        (SH.maxInclusive, SH.MaxInclusiveConstraintComponent, "<="),
        (SH.minExclusive, SH.MinExclusiveConstraintComponent, ">"),
        (SH.maxExclusive, SH.MaxExclusiveConstraintComponent, "<"),
    )
    for parameter, component, operator in comparisons:
        for bound in shapes.objects(prop, parameter):
            yield per_value(component, f"!COALESCE(?value {operator} {_term(bound)}, false)")
    for parameter, component, operator in (
        (SH.lessThanOrEquals, SH.LessThanOrEqualsConstraintComponent, "<="),
        (SH.lessThan, SH.LessThanConstraintComponent, "<"),
    ):
        for other in shapes.objects(prop, parameter):
            yield check(
                component,
                f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {values} ?this {_iri(other)} "
                f"?other . FILTER (!COALESCE(?value {operator} ?other, false)) }}",
            )
    if shapes.value(prop, SH.sparql) is not None:
        raise Unsupported("SPARQL constraints on property shapes")


def _sparql_checks(shapes: Graph, focus: str, shape: Node) -> Iterator[Check]:
    for constraint in shapes.objects(shape, SH.sparql):
        select = shapes.value(constraint, SH.select)
        if select is None or not _SELECT.match(str(select)):
            raise Unsupported("a SPARQL constraint without sh:select")
        text = str(select).replace("$this", "?this").replace("$PATH", "")
        query = (
            _prefixes(shapes, constraint)
            + f"\nSELECT ?this ?value ?path WHERE {{ {focus} {{ {text} }} }}"
        )
        yield Check(
            shape,
            SH.SPARQLConstraintComponent,
            _severity(shapes, shape),
            query,
            constraint=constraint,
        )


def compile_shapes(shapes: Graph) -> CompiledShapes:
    """Every constraint of every targeted shape as a query; :class:`Unsupported` when some
    part of the shapes is not covered."""
    compiled = CompiledShapes(shapes=shapes)
    targeted: set[Node] = set()
    for p in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode):
        targeted.update(shapes.subjects(p, None))
    if set(shapes.subjects(SH.target, None)):
        raise Unsupported("SHACL-AF custom targets")
    for shape in sorted(targeted, key=str):
        _check_known(shapes, shape)
        focus = _focus_pattern(shapes, shape)
        assert focus is not None
        if shapes.value(shape, SH.path) is not None:
            compiled.checks.extend(_property_checks(shapes, focus, shape))
            continue
        for prop in shapes.objects(shape, SH.property):
            compiled.checks.extend(_property_checks(shapes, focus, prop))
        compiled.checks.extend(_sparql_checks(shapes, focus, shape))
        node_level = set(shapes.predicates(shape)) & {
            SH["class"],
            SH.datatype,
            SH.nodeKind,
            SH.node,
            SH["or"],
            SH.pattern,
            SH["in"],
            SH.hasValue,
        }
        if node_level:
            raise Unsupported("constraints on the focus node of a node shape")
    return compiled


def check_rows(
    compiled: CompiledShapes,
    store: ox.Store,
    *,
    default_graph: Sequence[ox.NamedNode | ox.DefaultGraph] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[tuple[Check, Any, Any, Any]]:
    """The failures of the checks on ``store`` (its default graph, or the union of
    ``default_graph``), as (check, focus node, value or None, path or None) in Oxigraph
    terms, check by check in the order of ``compiled.checks``."""
    graphs: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | None = (
        None if default_graph is None else list(default_graph)
    )

    def evaluate(check: Check) -> list[tuple[Any, Any, Any]]:
        # Oxigraph lets go of the GIL while it evaluates, so checks run side by side
        solutions = store.query(check.query, default_graph=graphs)
        assert isinstance(solutions, ox.QuerySolutions)
        names = _names(solutions)
        has_value, has_path = "value" in names, "path" in names
        return [
            (
                solution["this"],
                solution["value"] if has_value else None,
                solution["path"] if has_path else None,
            )
            for solution in solutions
            if solution["this"] is not None
        ]

    workers = max(1, min(4, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        answers = pool.map(evaluate, compiled.checks)
        for done, (check, rows) in enumerate(zip(compiled.checks, answers, strict=True)):
            if progress is not None:
                progress(done, len(compiled.checks))
            for focus, value, found in rows:
                yield check, focus, value, found


def result_triples(
    compiled: CompiledShapes, check: Check, result: BNode, focus: Any, value: Any, found: Any
) -> list[tuple[Node, Node, Node]]:
    """The SHACL validation result of one failure, as triples about ``result`` (and the
    description of a blank-node path), the way pySHACL writes it."""
    triples: list[tuple[Node, Node, Node]] = [
        (result, RDF.type, SH.ValidationResult),
        (result, SH.focusNode, from_ox(focus)),
        (result, SH.resultSeverity, check.severity),
        (result, SH.sourceShape, check.shape),
        (result, SH.sourceConstraintComponent, check.component),
    ]
    if value is not None:
        triples.append((result, SH.value, from_ox(value)))
    path: Node | None = check.path
    if check.constraint is not None:
        triples.append((result, SH.sourceConstraint, check.constraint))
        path = from_ox(found) if found is not None else None
    if path is not None:
        triples.append((result, SH.resultPath, path))
        if isinstance(path, BNode):
            triples.extend(_describe(compiled.shapes, path))
    return triples


def run_checks(
    compiled: CompiledShapes,
    store: ox.Store,
    *,
    default_graph: Sequence[ox.NamedNode | ox.DefaultGraph] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Graph:
    """Run the checks on ``store`` (its default graph, or the union of ``default_graph``) and
    return the results graph."""
    results = Graph()
    report = BNode()
    results.add((report, RDF.type, SH.ValidationReport))
    for check, focus, value, found in check_rows(
        compiled, store, default_graph=default_graph, progress=progress
    ):
        result = BNode()
        results.add((report, SH.result, result))
        for triple in result_triples(compiled, check, result, focus, value, found):
            results.add(triple)
    return results


def _names(solutions: ox.QuerySolutions) -> set[str]:
    return {v.value for v in solutions.variables}


def _describe(graph: Graph, node: Node) -> Iterable[tuple[Node, Node, Node]]:
    return graph.cbd(node)
