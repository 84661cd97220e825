"""The SKOS taxonomies: every scheme and code of docs/model.md, labelled in English and both
Serbian scripts, with definitions, consistent hierarchies and the extra facts loaders and
analyses rely on (who fulfils an ecosystem function, where a legal form is registered)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest
from rdflib import RDF, SKOS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS
from rdflib.term import Node

import ssekg
from ssekg.namespaces import SCHEME_BASE, SSEKG, concept, scheme

REPO = Path(__file__).resolve().parents[1]
MODEL = REPO / "docs" / "model.md"
SCHEMES_DIR = Path(ssekg.__file__).resolve().parent / "ontology" / "schemes"
LANGS = ("en", "sr-Latn", "sr-Cyrl")
ESSGLOBAL_STANDARD = "http://purl.org/essglobal/standard/"
XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")
XSD_BOOLEAN = URIRef("http://www.w3.org/2001/XMLSchema#boolean")


def model_codes() -> dict[str, list[str]]:
    """Scheme name -> codes, read from the bullet list of the "Concept schemes and codes"
    section of docs/model.md (`scheme`: `CODE` text, `CODE` text, ...; `A` … `U` is a range)."""
    text = MODEL.read_text(encoding="utf-8")
    section = text.split("## Concept schemes and codes", 1)[1].split("\n## ", 1)[0]
    bullets: list[str] = []
    for line in section.splitlines():
        if line.startswith("- `"):
            bullets.append(line[2:])
        elif bullets and line.startswith("  "):
            bullets[-1] += " " + line.strip()
    result: dict[str, list[str]] = {}
    for bullet in bullets:
        name, rest = bullet.split(":", 1)
        codes: list[str] = []
        parts = re.split(r"(`[^`]+`)", rest)
        for i, part in enumerate(parts):
            if part.startswith("`"):
                codes.append(part.strip("`"))
            elif "…" in part and codes and i + 1 < len(parts) and parts[i + 1].startswith("`"):
                first, last = codes[-1], parts[i + 1].strip("`")
                codes.extend(chr(c) for c in range(ord(first) + 1, ord(last)))
        result[name.strip("`")] = codes
    return result


MODEL_CODES = model_codes()
ALL_CONCEPTS = [(s, c) for s, codes in MODEL_CODES.items() for c in codes]


@lru_cache(maxsize=1)
def _graph() -> Graph:
    g = Graph()
    for f in sorted(SCHEMES_DIR.glob("*.ttl")):
        g.parse(f, format="turtle")
    return g


@pytest.fixture(scope="module")
def graph() -> Graph:
    return _graph()


def labels(g: Graph, node: URIRef, prop: URIRef) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for o in g.objects(node, prop):
        assert isinstance(o, Literal), f"{prop} of {node} is not a literal"
        out.setdefault(o.language or "", []).append(str(o))
    return out


def scheme_of(g: Graph, node: Node) -> str:
    return str(g.value(node, SKOS.inScheme))


def test_model_lists_all_fourteen_schemes() -> None:
    assert len(MODEL_CODES) == 14
    assert MODEL_CODES["nace-section"] == [chr(c) for c in range(ord("A"), ord("U") + 1)]
    assert "ZAD-POLJ" in MODEL_CODES["legal-form"]


@pytest.mark.parametrize("name", sorted(MODEL_CODES))
def test_scheme_file_parses_and_declares_its_scheme(name: str) -> None:
    path = SCHEMES_DIR / f"{name}.ttl"
    assert path.is_file(), f"missing {path.name}"
    g = Graph().parse(path, format="turtle")
    declared = set(g.subjects(RDF.type, SKOS.ConceptScheme))
    assert declared == {URIRef(scheme(name))}


def test_no_stray_scheme_files() -> None:
    assert {p.stem for p in SCHEMES_DIR.glob("*.ttl")} == set(MODEL_CODES)


@pytest.mark.parametrize("name", sorted(MODEL_CODES))
def test_scheme_is_labelled(graph: Graph, name: str) -> None:
    s = URIRef(scheme(name))
    pref = labels(graph, s, SKOS.prefLabel)
    for lang in LANGS:
        assert len(pref.get(lang, [])) == 1, f"{name}: prefLabel@{lang}"
    assert labels(graph, s, DCTERMS.title), f"{name}: dct:title"
    assert labels(graph, s, SKOS.definition).get("en"), f"{name}: definition@en"


@pytest.mark.parametrize("name", sorted(MODEL_CODES))
def test_codes_equal_model(graph: Graph, name: str) -> None:
    in_graph = {
        str(graph.value(c, SKOS.notation))
        for c in graph.subjects(SKOS.inScheme, URIRef(scheme(name)))
    }
    assert in_graph == set(MODEL_CODES[name])


@pytest.mark.parametrize(("name", "code"), ALL_CONCEPTS, ids=[f"{s}/{c}" for s, c in ALL_CONCEPTS])
def test_concept_is_complete(graph: Graph, name: str, code: str) -> None:
    c = URIRef(concept(name, code))
    assert (c, RDF.type, SKOS.Concept) in graph, "not a skos:Concept"
    schemes = set(graph.objects(c, SKOS.inScheme))
    assert schemes == {URIRef(scheme(name))}
    assert (URIRef(scheme(name)), RDF.type, SKOS.ConceptScheme) in graph

    pref = labels(graph, c, SKOS.prefLabel)
    for lang in LANGS:
        assert len(pref.get(lang, [])) == 1, f"prefLabel@{lang}"
    definition = labels(graph, c, SKOS.definition)
    for lang in ("en", "sr-Latn"):
        assert definition.get(lang) and definition[lang][0].strip(), f"definition@{lang}"

    notations = list(graph.objects(c, SKOS.notation))
    assert len(notations) == 1
    notation = notations[0]
    assert isinstance(notation, Literal)
    assert notation.language is None and notation.datatype in (None, XSD_STRING)
    assert str(notation) == str(c).rsplit("/", 1)[1] == code


def _all_labels(g: Graph, lang: str) -> list[tuple[URIRef, str]]:
    out = []
    for prop in (SKOS.prefLabel, SKOS.altLabel):
        for s, o in g.subject_objects(prop):
            if isinstance(o, Literal) and o.language == lang and isinstance(s, URIRef):
                out.append((s, str(o)))
    return out


def test_cyrillic_labels_are_cyrillic(graph: Graph) -> None:
    bad = [(s, t) for s, t in _all_labels(graph, "sr-Cyrl") if re.search(r"[A-Za-zčćžšđČĆŽŠĐ]", t)]
    assert not bad


def test_latin_labels_have_no_cyrillic(graph: Graph) -> None:
    bad = [(s, t) for s, t in _all_labels(graph, "sr-Latn") if re.search(r"[\u0400-\u04FF]", t)]
    assert not bad


def test_cyrillic_digraph_letters_are_single_letters(graph: Graph) -> None:
    # Serbian Cyrillic writes lj, nj, dž as љ, њ, џ; "лј", "нј" or "дж" in a label is a
    # transliteration slip (no word here has a morpheme boundary inside those pairs).
    bad = [(s, t) for s, t in _all_labels(graph, "sr-Cyrl") if re.search(r"лј|нј|дж", t.lower())]
    assert not bad
    cooperative = URIRef(concept("legal-form", "ZAD-POLJ"))
    alts = {str(o) for o in graph.objects(cooperative, SKOS.altLabel)}
    assert "земљорадничка задруга" in alts


@pytest.mark.parametrize("name", sorted(MODEL_CODES))
def test_preflabels_unique_within_scheme(graph: Graph, name: str) -> None:
    seen: dict[tuple[str, str], URIRef] = {}
    for c in graph.subjects(SKOS.inScheme, URIRef(scheme(name))):
        assert isinstance(c, URIRef)
        for o in graph.objects(c, SKOS.prefLabel):
            assert isinstance(o, Literal)
            key = (o.language or "", str(o).casefold())
            assert key not in seen, f"{c} and {seen[key]} share {o!r}"
            seen[key] = c


@pytest.mark.parametrize("name", sorted(MODEL_CODES))
def test_each_label_names_one_concept_within_scheme(graph: Graph, name: str) -> None:
    # loaders match free text against pref- and altLabels: a label must not be ambiguous
    seen: dict[tuple[str, str], URIRef] = {}
    for c in graph.subjects(SKOS.inScheme, URIRef(scheme(name))):
        assert isinstance(c, URIRef)
        for prop in (SKOS.prefLabel, SKOS.altLabel):
            for o in graph.objects(c, prop):
                assert isinstance(o, Literal)
                key = (o.language or "", str(o).casefold())
                assert seen.setdefault(key, c) == c, f"{c} and {seen[key]} share {o!r}"


def test_broader_and_narrower_are_consistent(graph: Graph) -> None:
    for child, parent in graph.subject_objects(SKOS.broader):
        assert (parent, SKOS.narrower, child) in graph, f"{parent} lacks narrower {child}"
        assert scheme_of(graph, child) == scheme_of(graph, parent)
    for parent, child in graph.subject_objects(SKOS.narrower):
        assert (child, SKOS.broader, parent) in graph, f"{child} lacks broader {parent}"


def test_top_concepts_are_exactly_those_without_broader(graph: Graph) -> None:
    for c in graph.subjects(RDF.type, SKOS.Concept):
        s = graph.value(c, SKOS.inScheme)
        has_broader = graph.value(c, SKOS.broader) is not None
        is_top = (c, SKOS.topConceptOf, s) in graph
        assert is_top != has_broader, c
        assert ((s, SKOS.hasTopConcept, c) in graph) == is_top, c


@pytest.mark.parametrize(
    ("name", "child", "parent"),
    [
        ("legal-form", "ZAD-POLJ", "ZAD"),
        ("legal-form", "ZAD-STAMB", "ZAD"),
        ("legal-form", "ZAD-ENERG", "ZAD"),
        ("legal-form", "ZAD-OST", "ZAD"),
        ("target-group", "PWD", "VULNERABLE"),
        ("target-group", "ROMA", "VULNERABLE"),
        ("target-group", "PWD-INTELLECTUAL", "PWD"),
        ("target-group", "UNEMPLOYED-50", "LONG-UNEMPLOYED"),
        ("target-group", "WOMEN-VIOLENCE", "VIOLENCE"),
        ("target-group", "YOUTH-CARE-LEAVERS", "YOUTH"),
    ],
)
def test_hierarchy_follows_model(graph: Graph, name: str, child: str, parent: str) -> None:
    assert (URIRef(concept(name, child)), SKOS.broader, URIRef(concept(name, parent))) in graph


def test_vulnerable_groups_are_the_umbrella(graph: Graph) -> None:
    top = set(graph.objects(URIRef(scheme("target-group")), SKOS.hasTopConcept))
    assert top == {URIRef(concept("target-group", "VULNERABLE"))}


def test_no_dangling_references_to_taxonomy_terms(graph: Graph) -> None:
    defined = set(graph.subjects(RDF.type, SKOS.Concept)) | set(
        graph.subjects(RDF.type, SKOS.ConceptScheme)
    )
    for _, _, o in graph:
        if isinstance(o, URIRef) and str(o).startswith(SCHEME_BASE):
            assert o in defined, f"{o} is referenced but not defined"


@pytest.mark.parametrize("code", MODEL_CODES["ecosystem-function"])
def test_ecosystem_function_is_fulfilled_by_actor_types(graph: Graph, code: str) -> None:
    targets = list(
        graph.objects(URIRef(concept("ecosystem-function", code)), SSEKG.typicallyFulfilledBy)
    )
    assert targets, "no ssekg:typicallyFulfilledBy"
    for t in targets:
        assert scheme_of(graph, t) == scheme("actor-type"), t


def test_financing_and_research_point_to_the_expected_actors(graph: Graph) -> None:
    def fulfilled(code: str) -> set[str]:
        return {
            str(o).rsplit("/", 1)[1]
            for o in graph.objects(
                URIRef(concept("ecosystem-function", code)), SSEKG.typicallyFulfilledBy
            )
        }

    assert {"FIN", "DON", "PUB"} <= fulfilled("FINANCING")
    assert "ACA" in fulfilled("EDUCATION-RESEARCH")
    assert {"SUP", "RDA"} <= fulfilled("INCUBATION-SUPPORT")
    assert {"NET", "ASSOC"} <= fulfilled("ADVOCACY-POLICY")


@pytest.mark.parametrize("code", MODEL_CODES["legal-form"])
def test_legal_form_has_register_and_eligibility(graph: Graph, code: str) -> None:
    c = URIRef(concept("legal-form", code))
    registers = list(graph.objects(c, SSEKG.registeredIn))
    if code == "NEFORM":
        assert not registers
    else:
        assert registers, "no ssekg:registeredIn"
    for r in registers:
        assert scheme_of(graph, r) == scheme("register"), r
    eligible = list(graph.objects(c, SSEKG.eligibleForSEStatus))
    assert len(eligible) == 1
    assert isinstance(eligible[0], Literal) and eligible[0].datatype == XSD_BOOLEAN


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("DOO", True),
        ("PR", True),
        ("ZAD", True),
        ("ZAD-SOC", True),
        ("UDR", True),
        ("FOND", True),
        ("SPORT", True),
        ("SIND", False),
        ("JLS", False),
        ("USTANOVA", False),
        ("NEFORM", False),
    ],
)
def test_eligibility_follows_the_law(graph: Graph, code: str, expected: bool) -> None:
    value = graph.value(URIRef(concept("legal-form", code)), SSEKG.eligibleForSEStatus)
    assert isinstance(value, Literal) and value.toPython() is expected


def test_associations_and_cooperatives_sit_in_their_apr_registers(graph: Graph) -> None:
    def reg(code: str) -> set[str]:
        return {
            str(o) for o in graph.objects(URIRef(concept("legal-form", code)), SSEKG.registeredIn)
        }

    assert reg("UDR") == {concept("register", "APR-RUDR")}
    assert reg("ZAD") == {concept("register", "APR-RPS")}
    assert concept("register", "APR-RZF") in reg("FOND")


def test_close_matches_point_to_essglobal(graph: Graph) -> None:
    targets = list(graph.objects(None, SKOS.closeMatch))
    assert targets
    for t in targets:
        assert str(t).startswith(ESSGLOBAL_STANDARD), t


@pytest.mark.parametrize("code", MODEL_CODES["practice"])
def test_practice_matches_an_essglobal_activity(graph: Graph, code: str) -> None:
    matches = {str(o) for o in graph.objects(URIRef(concept("practice", code)), SKOS.closeMatch)}
    assert any(m.startswith(ESSGLOBAL_STANDARD + "activities-modified/AM") for m in matches)


@pytest.mark.parametrize(
    ("name", "code", "text", "lang"),
    [
        ("actor-type", "COOP", "zadruga", "sr-Latn"),
        ("actor-type", "COOP", "задруга", "sr-Cyrl"),
        ("actor-type", "COOP", "co-op", "en"),
        ("actor-type", "ASSOC", "NVO", "sr-Latn"),
        ("legal-form", "DOO", "d.o.o.", "sr-Latn"),
        ("legal-form", "PR", "paušalac", "sr-Latn"),
        ("target-group", "PWD", "OSI", "sr-Latn"),
        ("nace-section", "Q", "Здравствена и социјална заштита", "sr-Cyrl"),
    ],
)
def test_free_text_variants_are_labels(
    graph: Graph, name: str, code: str, text: str, lang: str
) -> None:
    c = URIRef(concept(name, code))
    found = {
        (str(o), o.language)
        for p in (SKOS.prefLabel, SKOS.altLabel)
        for o in graph.objects(c, p)
        if isinstance(o, Literal)
    }
    assert (text, lang) in found


def test_reference_graph_contains_the_taxonomies() -> None:
    from ssekg.reference import reference_graph

    g = reference_graph()
    for name in MODEL_CODES:
        assert (URIRef(scheme(name)), RDF.type, SKOS.ConceptScheme) in g, name
