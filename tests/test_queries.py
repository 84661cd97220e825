"""The named queries: every one has a header, runs on the example data and finds something."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from ssekg.queries import named_queries
from ssekg.rdf_io import parse_rdf
from ssekg.setup import EXAMPLE_FILES, EXAMPLES, initialise
from ssekg.store import open_store
from ssekg.store.base import Store

SAMPLE_PARAMETERS = {"district": URIRef("https://w3id.org/ssekg/place/RS-06")}


@pytest.fixture(scope="module")
def store() -> Store:
    store = open_store("memory", create=True)
    initialise(store)
    data = Graph()
    for name in EXAMPLE_FILES:
        data += parse_rdf(Path(EXAMPLES) / name)
    store.replace_graph(store.graphs_of.source("examples"), data)
    return store


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_named_query_has_header_and_answers(store: Store, name: str) -> None:
    query = named_queries()[name]
    assert query.titles.get("en") and query.titles.get("sr-Latn")
    assert query.descriptions.get("en") and query.descriptions.get("sr-Latn")
    examples = {p.name: p.example for p in query.parameters if p.required and p.example}
    bindings = query.bind(examples)
    result = store.query(query.text, bindings=bindings or None)
    assert result.rows, f"{name} found nothing in the example data"


def test_district_parameter_narrows_the_answer(store: Store) -> None:
    query = named_queries()["actors-in-district"].text
    south_backa = store.query(query, bindings=SAMPLE_PARAMETERS)
    belgrade = store.query(
        query, bindings={"district": URIRef("https://w3id.org/ssekg/place/RS-00")}
    )
    assert south_backa.rows and belgrade.rows
    assert {r["actor"] for r in south_backa.rows}.isdisjoint({r["actor"] for r in belgrade.rows})
