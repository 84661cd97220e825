"""The two validation engines (shapes compiled to SPARQL on Oxigraph, and pySHACL) report the
same results on the same data, and shapes the compiled engine does not cover still validate."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.term import Node

from ssekg.reference import reference_graph
from ssekg.setup import initialise
from ssekg.store import open_store
from ssekg.validation import (
    ValidationReport,
    compiled_shapes,
    load_shapes,
    validate,
    validate_store,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import contextlib

from generate import generate  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHAPE_FIXTURES = sorted((ROOT / "tests" / "fixtures" / "shapes").glob("*/*.ttl"))


def _value_key(text: str | None) -> str:
    return "" if text is None else text


def results(report: ValidationReport) -> list[tuple[str, str, str, str, str]]:
    """What a user reads of each result: severity, focus, path, value and message."""
    return sorted(
        (i.severity, i.focus, i.path or "", _value_key(i.value), i.message_en)
        for i in report.results
    )


def same_values(report: ValidationReport) -> list[tuple[str, str, str, str, str]]:
    """Results with typed values compared by value ("-100" and "-100.0" are one decimal)."""
    out = []
    for severity, focus, path, value, message in results(report):
        if value.startswith('"') and "^^" in value:
            lexical, _, datatype = value[1:].rpartition('"^^')
            with contextlib.suppress(ValueError):
                lexical = repr(float(lexical))
            value = f"{lexical}^^{datatype}"
        out.append((severity, focus, path, value, message))
    return sorted(out)


def test_the_project_shapes_compile_whole() -> None:
    compiled = compiled_shapes(load_shapes())
    assert compiled is not None
    assert len(compiled.checks) > 60


@pytest.mark.parametrize("path", SHAPE_FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_engines_agree_on_every_shape_fixture(path: Path) -> None:
    reference = Graph().parse(ROOT / "tests" / "fixtures" / "shapes" / "reference-min.ttl")
    data = Graph().parse(path)
    fast = validate(data, reference=reference, engine="sparql")
    slow = validate(data, reference=reference, engine="pyshacl")
    assert same_values(fast) == same_values(slow)
    assert fast.conforms == slow.conforms


def test_engines_agree_on_synthetic_data_with_planted_errors() -> None:
    data = Graph()
    for triple in generate(120, seed=11, error_rate=0.2):
        data.add(triple)
    fast = validate(data, engine="sparql")
    slow = validate(data, engine="pyshacl")
    assert fast.violations > 0
    assert same_values(fast) == same_values(slow)
    assert [(i.actor, i.actor_name) for i in fast.results] == [
        (i.actor, i.actor_name) for i in slow.results
    ]


def test_engines_agree_on_the_examples() -> None:
    data = Graph().parse(ROOT / "examples" / "ssekg-examples.ttl")
    assert results(validate(data, engine="sparql")) == results(validate(data, engine="pyshacl"))


def test_the_store_is_validated_where_it_lies() -> None:
    data = Graph()
    for triple in generate(60, seed=5, error_rate=0.3):
        data.add(triple)
    with open_store("memory") as store:
        initialise(store)
        store.replace_graph(store.graphs_of.source("synthetic"), data)
        in_store = validate_store(store)
    assert in_store.violations > 0
    assert same_values(in_store) == same_values(validate(data, engine="pyshacl"))


SHX = "https://w3id.org/ssekg/shapes#"
QUALIFIED_SHAPES = f"""
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ssekg: <https://w3id.org/ssekg/ontology#> .
<{SHX}TwoNames> a sh:NodeShape ;
    sh:targetClass ssekg:Actor ;
    sh:property [
        sh:path ssekg:name ;
        sh:qualifiedValueShape [ sh:languageIn ( "en" ) ] ;
        sh:qualifiedMinCount 1 ;
        sh:message "An English name is needed."@en , "Potreban je naziv na engleskom."@sr-Latn
    ] .
"""


def test_shapes_beyond_the_compiled_part_go_through_pyshacl() -> None:
    shapes = Graph().parse(data=QUALIFIED_SHAPES, format="turtle")
    assert compiled_shapes(shapes) is None
    data = Graph().parse(
        data="""
        @prefix ssekg: <https://w3id.org/ssekg/ontology#> .
        <https://w3id.org/ssekg/id/a> a ssekg:Actor ; ssekg:name "Zadruga"@sr-Latn .
        <https://w3id.org/ssekg/id/b> a ssekg:Actor ; ssekg:name "Co-op"@en .
        """,
        format="turtle",
    )
    report = validate(data, reference=reference_graph(), shapes=shapes)
    focus: list[Node] = [i.focus for i in report.results]  # type: ignore[misc]
    assert focus == ["https://w3id.org/ssekg/id/a"]
    assert report.results[0].message_en == "An English name is needed."
    with pytest.raises(ValueError):
        validate(data, shapes=shapes, engine="sparql")
