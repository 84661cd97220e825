"""The ontology as its users meet it: it parses, describes itself, declares every term of the
model with labels in three scripts, aligns with ESSGLOBAL loosely, ships a usable JSON-LD
context and a reference page that matches it. Reads ssekg/ontology/ssekg.ttl alone."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import TypeGuard

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF

from ssekg.namespaces import ESSGLOBAL, ONTOLOGY_IRI, PREFIXES, SCHEMA, SSEKG

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY_FILE = ROOT / "ssekg" / "ontology" / "ssekg.ttl"
CONTEXT_FILE = ROOT / "ssekg" / "ontology" / "context.jsonld"
MODEL_FILE = ROOT / "docs" / "model.md"
DOC_FILE = ROOT / "docs" / "ontology.md"
BUILDER_FILE = ROOT / "scripts" / "build_ontology_doc.py"

ONTOLOGY = URIRef(ONTOLOGY_IRI)
KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
CYRILLIC = re.compile(r"[\u0400-\u04FF]")
LATIN_LETTER = re.compile(r"[A-Za-z]")
VANN_PREFIX = URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix")


def _xsd(name: str) -> URIRef:
    return URIRef(PREFIXES["xsd"] + name)


def _parse() -> Graph:
    graph = Graph()
    graph.parse(ONTOLOGY_FILE, format="turtle")
    return graph


# Parsed once at collection time too, so that every test below can be parametrized by term.
_GRAPH = _parse()
_MODEL_TEXT = MODEL_FILE.read_text(encoding="utf-8")


def _is_own(node: object) -> TypeGuard[URIRef]:
    return isinstance(node, URIRef) and str(node).startswith(str(SSEKG))


def _declared(graph: Graph) -> list[URIRef]:
    found = {s for kind in KINDS for s in graph.subjects(RDF.type, kind) if _is_own(s)}
    return sorted(found)


def _mentioned(graph: Graph) -> list[URIRef]:
    """Every ssekg: IRI the file speaks of, declared or not."""
    found = {n for triple in graph for n in triple if _is_own(n)}
    return sorted(found)


def _model_names() -> list[str]:
    return sorted(set(re.findall(r"`ssekg:([A-Za-z]+)`", _MODEL_TEXT)))


def _expand(curie: str) -> URIRef:
    prefix, local = curie.split(":", 1)
    return URIRef(PREFIXES[prefix] + local)


def _texts(graph: Graph, subject: URIRef, predicate: URIRef, language: str) -> list[str]:
    return [
        str(o)
        for o in graph.objects(subject, predicate)
        if isinstance(o, Literal) and (o.language or "").lower() == language.lower()
    ]


def _name(term: URIRef) -> str:
    return "ssekg:" + str(term)[len(str(SSEKG)) :]


@pytest.fixture(scope="module")
def graph() -> Graph:
    return _parse()


# --- the ontology describes itself ---------------------------------------------------------


def test_ontology_header_names_version_licence_and_creators(graph: Graph) -> None:
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in graph
    version = graph.value(ONTOLOGY, OWL.versionInfo)
    assert version is not None
    assert graph.value(ONTOLOGY, OWL.versionIRI) == URIRef(f"{ONTOLOGY_IRI}/{version}")
    assert graph.value(ONTOLOGY, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    creators = list(graph.objects(ONTOLOGY, DCTERMS.creator))
    assert creators, "the ontology names no creator"
    assert all(graph.value(c, FOAF.name) is not None for c in creators)
    for predicate in (DCTERMS.title, DCTERMS.description):
        for lang in ("en", "sr-Latn"):
            assert _texts(graph, ONTOLOGY, predicate, lang), f"no {predicate} in {lang}"
    assert str(graph.value(ONTOLOGY, VANN_PREFIX)) == "ssekg"
    assert graph.value(ONTOLOGY, DCTERMS.created) is not None
    assert graph.value(ONTOLOGY, DCTERMS.modified) is not None


def test_changelog_has_an_entry_for_the_current_version(graph: Graph) -> None:
    changelog = (ROOT / "ssekg" / "ontology" / "CHANGELOG.md").read_text(encoding="utf-8")
    version = str(graph.value(ONTOLOGY, OWL.versionInfo))
    assert re.search(rf"^## {re.escape(version)}\b", changelog, re.MULTILINE)


# --- every term is declared, labelled and defined --------------------------------------------


@pytest.mark.parametrize("term", _mentioned(_GRAPH), ids=_name)
def test_every_term_used_is_declared_once(graph: Graph, term: URIRef) -> None:
    kinds = [k for k in KINDS if (term, RDF.type, k) in graph]
    assert len(kinds) == 1, f"{_name(term)} is declared as {kinds or 'nothing'}"


@pytest.mark.parametrize("term", _declared(_GRAPH), ids=_name)
def test_term_has_three_labels_and_two_definitions(graph: Graph, term: URIRef) -> None:
    for lang in ("en", "sr-Latn", "sr-Cyrl"):
        labels = _texts(graph, term, RDFS.label, lang)
        assert len(labels) == 1, f"{_name(term)}: {len(labels)} labels in {lang}"
    for lang in ("en", "sr-Latn"):
        definitions = _texts(graph, term, SKOS.definition, lang)
        assert len(definitions) == 1, f"{_name(term)}: {len(definitions)} definitions in {lang}"
    (cyrillic,) = _texts(graph, term, RDFS.label, "sr-Cyrl")
    assert not LATIN_LETTER.search(cyrillic), f"Latin letters in the Cyrillic label {cyrillic!r}"
    for lang in ("en", "sr-Latn"):
        for text in _texts(graph, term, RDFS.label, lang) + _texts(
            graph, term, SKOS.definition, lang
        ):
            assert not CYRILLIC.search(text), f"Cyrillic letters in the {lang} text {text!r}"
    assert graph.value(term, RDFS.isDefinedBy) == ONTOLOGY


def test_labels_tell_terms_apart(graph: Graph) -> None:
    """Two terms of the same kind with one English label would be confused in any UI."""
    for kind in KINDS:
        seen: dict[str, URIRef] = {}
        for term in graph.subjects(RDF.type, kind):
            if not _is_own(term):
                continue
            (label,) = _texts(graph, term, RDFS.label, "en")
            assert label not in seen, f"{_name(term)} and {_name(seen[label])}: {label!r}"
            seen[label] = term


def test_foreign_terms_are_neither_redeclared_nor_labelled(graph: Graph) -> None:
    for subject in set(graph.subjects()):
        if isinstance(subject, BNode) or _is_own(subject) or subject == ONTOLOGY:
            continue
        predicates = set(graph.predicates(subject))
        assert not predicates, f"{subject} is described here: {sorted(map(str, predicates))}"


# --- the ontology and the model agree --------------------------------------------------------


@pytest.mark.parametrize("name", _model_names())
def test_model_term_is_declared(graph: Graph, name: str) -> None:
    term = SSEKG[name]
    assert any((term, RDF.type, k) in graph for k in KINDS), f"ssekg:{name} is not declared"


@pytest.mark.parametrize("term", _declared(_GRAPH), ids=_name)
def test_declared_term_is_in_the_model(term: URIRef) -> None:
    assert f"`{_name(term)}`" in _MODEL_TEXT, f"{_name(term)} is missing from docs/model.md"


def _model_class_rows() -> list[tuple[str, list[str]]]:
    rows = re.findall(r"^\| `ssekg:([A-Za-z]+)` \| ([^|]*) \|", _MODEL_TEXT, re.MULTILINE)
    classes = [(name, re.findall(r"`([a-z]+:[A-Za-z]+)`", supers)) for name, supers in rows]
    return [(name, supers) for name, supers in classes if name[0].isupper()]


@pytest.mark.parametrize(("name", "supers"), _model_class_rows(), ids=lambda v: str(v))
def test_class_has_the_superclasses_of_the_model(
    graph: Graph, name: str, supers: list[str]
) -> None:
    assert supers, f"the model gives ssekg:{name} no superclass"
    found = set(graph.objects(SSEKG[name], RDFS.subClassOf))
    assert found == {_expand(s) for s in supers}


def _model_subproperties() -> list[tuple[str, list[str]]]:
    flat = re.sub(r"\s+", " ", _MODEL_TEXT)
    pairs: dict[str, list[str]] = {}
    patterns = (
        # a table row: | `ssekg:x` | range | card. | ... subPropertyOf `a`, `b` |
        r"\| `ssekg:([A-Za-z]+)` \|[^\n]*?subPropertyOf ((?:`[a-z]+:[A-Za-z]+`(?:, )?)+)",
        # running text: `ssekg:x` (... subPropertyOf `a`)
        r"`ssekg:([A-Za-z]+)` \([^()]*?subPropertyOf ((?:`[a-z]+:[A-Za-z]+`(?:, )?)+)",
    )
    lines = _MODEL_TEXT.splitlines()
    for line in lines:
        match = re.search(patterns[0], line)
        if match:
            pairs[match.group(1)] = re.findall(r"`([a-z]+:[A-Za-z]+)`", match.group(2))
    for match in re.finditer(patterns[1], flat):
        pairs[match.group(1)] = re.findall(r"`([a-z]+:[A-Za-z]+)`", match.group(2))
    return sorted(pairs.items())


def test_model_names_some_subproperties() -> None:
    names = [name for name, _ in _model_subproperties()]
    assert {"name", "registrationNumber", "partOf"} <= set(names)


@pytest.mark.parametrize(("name", "supers"), _model_subproperties(), ids=lambda v: str(v))
def test_property_has_the_superproperties_of_the_model(
    graph: Graph, name: str, supers: list[str]
) -> None:
    found = set(graph.objects(SSEKG[name], RDFS.subPropertyOf))
    assert {_expand(s) for s in supers} <= found


def _model_property_rows() -> list[tuple[str, str]]:
    return re.findall(r"^\| `ssekg:([a-z][A-Za-z]*)` \| ([^|]*) \|", _MODEL_TEXT, re.MULTILINE)


@pytest.mark.parametrize(("name", "range_text"), _model_property_rows(), ids=lambda v: str(v))
def test_property_kind_and_range_follow_the_model(
    graph: Graph, name: str, range_text: str
) -> None:
    term = SSEKG[name]
    if range_text.startswith("concept of"):
        assert (term, RDF.type, OWL.ObjectProperty) in graph
        assert graph.value(term, RDFS.range) == SKOS.Concept
    elif range_text.startswith("`xsd:") or range_text.startswith("`rdf:langString`"):
        assert (term, RDF.type, OWL.DatatypeProperty) in graph
        assert graph.value(term, RDFS.range) == _expand(range_text.split("`")[1])
    else:  # a class or an IRI
        assert (term, RDF.type, OWL.ObjectProperty) in graph


# --- ESSGLOBAL is aligned, never equated ------------------------------------------------------


def test_close_matches_point_into_essglobal(graph: Graph) -> None:
    matches = list(graph.subject_objects(SKOS.closeMatch))
    assert (SSEKG.Actor, ESSGLOBAL.SSEInitiative) in matches
    assert (SSEKG.legalForm, ESSGLOBAL.legalForm) in matches
    for subject, target in matches:
        assert _is_own(subject)
        assert str(target).startswith(str(ESSGLOBAL)), f"{_name(subject)} matches {target}"


def test_nothing_is_equated_with_essglobal(graph: Graph) -> None:
    strong = (
        OWL.equivalentClass,
        OWL.equivalentProperty,
        OWL.sameAs,
        SKOS.exactMatch,
        RDFS.subClassOf,
        RDFS.subPropertyOf,
    )
    for predicate in strong:
        for subject, target in graph.subject_objects(predicate):
            for node in (subject, target):
                assert not str(node).startswith(str(ESSGLOBAL)), (
                    f"{subject} {predicate} {target}"
                )


# --- the JSON-LD context ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def context() -> dict[str, object]:
    document = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))
    value = document["@context"]
    assert isinstance(value, dict)
    return value


def _context_iri(context: dict[str, object], entry: object) -> str | None:
    iri = entry.get("@id") if isinstance(entry, dict) else entry
    if not isinstance(iri, str) or iri.startswith("@"):
        return None
    prefix, _, local = iri.partition(":")
    base = context.get(prefix)
    return base + local if isinstance(base, str) and not iri.startswith("http") else iri


def test_context_is_json_ld_1_1_with_the_project_prefixes(context: dict[str, object]) -> None:
    assert context["@version"] == 1.1
    for prefix in ("ssekg", "org", "locn", "adms", "schema", "geo", "prov", "vf", "skos"):
        assert context[prefix] == PREFIXES[prefix]


def test_context_maps_only_terms_of_the_ontology(
    graph: Graph, context: dict[str, object]
) -> None:
    declared = set(_declared(graph))
    mapped = {
        URIRef(iri)
        for key, entry in context.items()
        if key not in PREFIXES and (iri := _context_iri(context, entry)) is not None
    }
    own = {iri for iri in mapped if _is_own(iri)}
    assert own - declared == set(), "the context maps terms the ontology lacks"
    assert declared - own == set(), "the context leaves terms of the ontology out"


def test_context_object_properties_take_iris(graph: Graph, context: dict[str, object]) -> None:
    for key, entry in context.items():
        iri = _context_iri(context, entry)
        if iri is not None and (URIRef(iri), RDF.type, OWL.ObjectProperty) in graph:
            assert isinstance(entry, dict) and entry.get("@type") == "@id", key


def test_a_document_written_with_the_context_reads_as_the_model_says(
    context: dict[str, object],
) -> None:
    actor = "https://w3id.org/ssekg/id/actor/mb/17400169"
    person = actor + "/person/1"
    document = {
        "@context": context,
        "id": actor,
        "type": "Actor",
        "name": {"sr-Latn": "Zadruga Zlatna Ruka", "sr-Cyrl": "Задруга Златна Рука"},
        "actorType": "https://w3id.org/ssekg/scheme/actor-type/COOP",
        "municipality": "place:novi-sad",
        "foundingYear": "2005",
        "registrationDate": "2005-03-01",
        "employees": "4",
        "url": "https://example.org/",
        "contactPerson": {"id": person, "type": "Person", "name": "Milica Primer"},
    }
    data = Graph().parse(data=json.dumps(document), format="json-ld")
    subject = URIRef(actor)
    assert (subject, RDF.type, SSEKG.Actor) in data
    names = {
        (str(n), n.language) for n in data.objects(subject, SSEKG.name) if isinstance(n, Literal)
    }
    assert names == {
        ("Zadruga Zlatna Ruka", "sr-Latn"),
        ("Задруга Златна Рука", "sr-Cyrl"),
    }
    assert data.value(subject, SSEKG.actorType) == URIRef(
        "https://w3id.org/ssekg/scheme/actor-type/COOP"
    )
    assert data.value(subject, SSEKG.municipality) == URIRef(
        "https://w3id.org/ssekg/place/novi-sad"
    )
    assert data.value(subject, SSEKG.foundingYear) == Literal("2005", datatype=_xsd("gYear"))
    assert data.value(subject, SSEKG.registrationDate) == Literal(
        "2005-03-01", datatype=_xsd("date")
    )
    assert data.value(subject, SSEKG.employees) == Literal(
        "4", datatype=_xsd("nonNegativeInteger")
    )
    assert data.value(subject, SCHEMA.url) == URIRef("https://example.org/")
    # Inside a person, "name" is the person's schema:name, not an actor's name.
    assert data.value(URIRef(person), SCHEMA.name) == Literal("Milica Primer")
    assert data.value(URIRef(person), SSEKG.name) is None


# --- the reference page -----------------------------------------------------------------------


def _builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_ontology_doc", BUILDER_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reference_page_is_up_to_date(graph: Graph) -> None:
    rendered = _builder().render(graph)
    committed = DOC_FILE.read_text(encoding="utf-8")
    assert rendered == committed, "docs/ontology.md is stale: run `make docs`"


def test_reference_page_shows_every_term_in_three_scripts(graph: Graph) -> None:
    text = DOC_FILE.read_text(encoding="utf-8")
    for term in _declared(graph):
        assert f"### {_name(term)}\n" in text
        for lang in ("en", "sr-Latn", "sr-Cyrl"):
            (label,) = _texts(graph, term, RDFS.label, lang)
            assert f"- label ({lang}): {label}\n" in text
