"""The SPARQL 1.1 Service Description served at ``GET /sparql`` without a query: what the
endpoint speaks, which formats it answers in, its dataset, and its limits, including
whether it accepts updates at all."""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox

from ssekg.server.sparql_formats import FORMAT_IRIS

SD = "http://www.w3.org/ns/sparql-service-description#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_COMMENT = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
RDFS_SEE_ALSO = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso")
DCT_TITLE = ox.NamedNode("http://purl.org/dc/terms/title")
ENTAILMENT_SIMPLE = ox.NamedNode("http://www.w3.org/ns/entailment/Simple")


def sd(name: str) -> ox.NamedNode:
    return ox.NamedNode(SD + name)


def notes(update_enabled: bool, timeout: float, max_rows: int | None) -> list[tuple[str, str]]:
    """(English, Serbian) sentences about access and limits."""
    found = []
    if update_enabled:
        found.append(
            (
                "SPARQL Update is accepted by POST with the header "
                "'Authorization: Bearer <token>'.",
                "SPARQL izmene se primaju metodom POST sa zaglavljem "
                "'Authorization: Bearer <token>'.",
            )
        )
    else:
        found.append(
            (
                "This endpoint is read-only: SPARQL Update is not enabled.",
                "Ova tačka pristupa je samo za čitanje: SPARQL izmene nisu omogućene.",
            )
        )
    found.append(
        (
            f"A query is stopped after {timeout:g} s (a lower 'timeout' parameter in seconds "
            "is honoured); remote SERVICE calls are not made.",
            f"Upit se prekida posle {timeout:g} s (poštuje se manji parametar 'timeout' u "
            "sekundama); udaljeni SERVICE pozivi se ne izvršavaju.",
        )
    )
    if max_rows:
        found.append(
            (
                f"Results are cut at {max_rows} rows; a cut result carries the header "
                "'X-SPARQL-MaxRows'.",
                f"Rezultati se seku na {max_rows} redova; skraćen rezultat nosi zaglavlje "
                "'X-SPARQL-MaxRows'.",
            )
        )
    return found


def description(
    endpoint: str,
    *,
    update_enabled: bool,
    named_graphs: Sequence[str],
    timeout: float,
    max_rows: int | None,
    void_url: str,
) -> list[ox.Triple]:
    service = ox.NamedNode(endpoint)
    triples = [
        ox.Triple(service, RDF_TYPE, sd("Service")),
        ox.Triple(service, sd("endpoint"), service),
        ox.Triple(service, DCT_TITLE, ox.Literal("ssekg SPARQL endpoint", language="en")),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, sd("feature"), sd("EmptyGraphs")),
        ox.Triple(service, sd("defaultEntailmentRegime"), ENTAILMENT_SIMPLE),
        ox.Triple(service, RDFS_SEE_ALSO, ox.NamedNode(void_url)),
    ]
    if update_enabled:
        triples.append(ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Update")))
    for iri in FORMAT_IRIS.values():
        triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(iri)))
    for en, sr in notes(update_enabled, timeout, max_rows):
        triples.append(ox.Triple(service, RDFS_COMMENT, ox.Literal(en, language="en")))
        triples.append(ox.Triple(service, RDFS_COMMENT, ox.Literal(sr, language="sr-Latn")))
    dataset, default = ox.BlankNode("dataset"), ox.BlankNode("default")
    triples += [
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, RDF_TYPE, sd("Graph")),
        ox.Triple(
            default,
            RDFS_COMMENT,
            ox.Literal("The union of every public named graph.", language="en"),
        ),
    ]
    for index, name in enumerate(named_graphs):
        node = ox.BlankNode(f"g{index}")
        triples += [
            ox.Triple(dataset, sd("namedGraph"), node),
            ox.Triple(node, RDF_TYPE, sd("NamedGraph")),
            ox.Triple(node, sd("name"), ox.NamedNode(name)),
        ]
    return triples
