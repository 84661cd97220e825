"""Write docs/ontology.md, the reference page of the ssekg ontology, from ssekg/ontology/ssekg.ttl.

Run it after every change to the ontology (``make docs``); a test checks that the committed
page is what this script renders.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from rdflib import OWL, RDF, RDFS, SKOS, BNode, Graph, Literal, Node, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, FOAF

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ssekg" / "ontology" / "ssekg.ttl"
OUTPUT = ROOT / "docs" / "ontology.md"

sys.path.insert(0, str(ROOT))
from ssekg.namespaces import ONTOLOGY_IRI, PREFIXES, SSEKG  # noqa: E402

LABEL_LANGUAGES = ("en", "sr-Latn", "sr-Cyrl")
DEFINITION_LANGUAGES = ("en", "sr-Latn")
EXTRA_PREFIXES = {
    "vann": "http://purl.org/vocab/vann/",
    "foaf": str(FOAF),
}


def load(path: Path = ONTOLOGY) -> Graph:
    """The ontology graph, read from its Turtle file."""
    graph = Graph()
    graph.parse(path, format="turtle")
    return graph


def _curie(node: Node) -> str:
    text = str(node)
    prefixes = {**PREFIXES, **EXTRA_PREFIXES}
    # Longest namespace first, so that a namespace inside another never wins.
    for prefix, iri in sorted(prefixes.items(), key=lambda item: -len(item[1])):
        if text.startswith(iri) and len(text) > len(iri):
            return f"{prefix}:{text[len(iri):]}"
    return f"<{text}>"


def _term(graph: Graph, node: Node) -> str:
    """A class expression or term in Markdown: a CURIE, or a union of them."""
    if isinstance(node, BNode):
        union = graph.value(node, OWL.unionOf)
        if union is not None:
            members = [_term(graph, member) for member in Collection(graph, union)]
            return " or ".join(members)
        return "(anonymous)"
    return f"`{_curie(node)}`"


def _terms(graph: Graph, nodes: Iterable[Node]) -> str:
    rendered = sorted(_term(graph, node) for node in nodes)
    return ", ".join(rendered) if rendered else "—"


def _text(graph: Graph, subject: Node, predicate: URIRef, language: str) -> str:
    for value in graph.objects(subject, predicate):
        if isinstance(value, Literal) and (value.language or "").lower() == language.lower():
            return str(value)
    return "—"


def _local(term: Node) -> str:
    return str(term)[len(str(SSEKG)) :]


def _own_terms(graph: Graph, kind: URIRef) -> list[URIRef]:
    found = {
        s
        for s in graph.subjects(RDF.type, kind)
        if isinstance(s, URIRef) and str(s).startswith(str(SSEKG))
    }
    return sorted(found, key=lambda t: _local(t).lower())


def _anchor(term: URIRef, is_class: bool) -> str:
    return f"{'class' if is_class else 'property'}-{_local(term)}"


def _overview(graph: Graph, terms: list[URIRef], is_class: bool) -> list[str]:
    lines = ["| term | en | sr-Latn | sr-Cyrl |", "|---|---|---|---|"]
    for term in terms:
        labels = " | ".join(_text(graph, term, RDFS.label, lang) for lang in LABEL_LANGUAGES)
        lines.append(f"| [`ssekg:{_local(term)}`](#{_anchor(term, is_class)}) | {labels} |")
    return lines


def _entry(graph: Graph, term: URIRef, is_class: bool) -> list[str]:
    lines = [
        f'<a id="{_anchor(term, is_class)}"></a>',
        "",
        f"### ssekg:{_local(term)}",
        "",
        f"<{term}>",
        "",
    ]
    for lang in LABEL_LANGUAGES:
        lines.append(f"- label ({lang}): {_text(graph, term, RDFS.label, lang)}")
    for lang in DEFINITION_LANGUAGES:
        lines.append(f"- definition ({lang}): {_text(graph, term, SKOS.definition, lang)}")
    if is_class:
        lines.append(f"- subclass of: {_terms(graph, graph.objects(term, RDFS.subClassOf))}")
        subclasses = graph.subjects(RDFS.subClassOf, term)
        lines.append(f"- subclasses: {_terms(graph, subclasses)}")
        disjoint = set(graph.objects(term, OWL.disjointWith)) | set(
            graph.subjects(OWL.disjointWith, term)
        )
        for group in graph.subjects(RDF.type, OWL.AllDisjointClasses):
            head = graph.value(group, OWL.members)
            members = list(Collection(graph, head)) if head is not None else []
            if term in members:
                disjoint.update(m for m in members if m != term)
        if disjoint:
            lines.append(f"- disjoint with: {_terms(graph, disjoint)}")
    else:
        kind = "object" if (term, RDF.type, OWL.ObjectProperty) in graph else "datatype"
        lines.append(f"- kind: {kind} property")
        lines.append(
            f"- subproperty of: {_terms(graph, graph.objects(term, RDFS.subPropertyOf))}"
        )
        lines.append(f"- domain: {_terms(graph, graph.objects(term, RDFS.domain))}")
        lines.append(f"- range: {_terms(graph, graph.objects(term, RDFS.range))}")
    matches = list(graph.objects(term, SKOS.closeMatch))
    if matches:
        lines.append(f"- close match: {_terms(graph, matches)}")
    lines.append("")
    return lines


def _agents(graph: Graph, ontology: URIRef, predicate: URIRef) -> str:
    names = []
    for agent in graph.objects(ontology, predicate):
        agent_names = sorted(str(n) for n in graph.objects(agent, FOAF.name))
        names.append(" / ".join(agent_names) if agent_names else str(agent))
    return "; ".join(sorted(names)) or "—"


def render(graph: Graph) -> str:
    """The Markdown text of the reference page of the ontology in ``graph``."""
    ontology = URIRef(ONTOLOGY_IRI)
    lines = [
        "# The ssekg ontology",
        "",
        "<!-- Generated from ssekg/ontology/ssekg.ttl by scripts/build_ontology_doc.py; "
        "edit the ontology and run `make docs` instead of editing this page. -->",
        "",
        f"{_text(graph, ontology, DCTERMS.description, 'en')}",
        "",
        f"*{_text(graph, ontology, DCTERMS.description, 'sr-Latn')}*",
        "",
        f"- IRI: <{ontology}>",
        f"- version: {graph.value(ontology, OWL.versionInfo)} "
        f"(<{graph.value(ontology, OWL.versionIRI)}>)",
        f"- licence: <{graph.value(ontology, DCTERMS.license)}>",
        f"- creators: {_agents(graph, ontology, DCTERMS.creator)}",
        f"- contributors: {_agents(graph, ontology, DCTERMS.contributor)}",
        f"- created: {graph.value(ontology, DCTERMS.created)}, "
        f"modified: {graph.value(ontology, DCTERMS.modified)}",
        "- preferred prefix: `ssekg:`",
        "- changes: [CHANGELOG](../ssekg/ontology/CHANGELOG.md); "
        "JSON-LD context: [context.jsonld](../ssekg/ontology/context.jsonld); "
        "how the terms fit together: [model.md](model.md)",
        "",
    ]
    sections = (
        ("Classes", OWL.Class, True),
        ("Object properties", OWL.ObjectProperty, False),
        ("Datatype properties", OWL.DatatypeProperty, False),
    )
    for title, kind, is_class in sections:
        terms = _own_terms(graph, kind)
        lines += [f"## {title}", "", *_overview(graph, terms, is_class), ""]
        for term in terms:
            lines += _entry(graph, term, is_class)
    return "\n".join(lines).rstrip("\n") + "\n"


def main() -> None:
    OUTPUT.write_text(render(load()), encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
