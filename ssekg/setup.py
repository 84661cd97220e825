"""Setting up a store: the reference graph, and the example data for the demo."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from ssekg.derived import refresh as refresh_derived
from ssekg.errors import InputError
from ssekg.loaders.rdf import load_graph
from ssekg.rdf_io import parse_rdf
from ssekg.reference import reference_graph
from ssekg.store.base import Store

#: The example dataset of a checkout (public facts, and the fictional contact persons).
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
EXAMPLE_FILES = ("ssekg-examples.ttl", "ssekg-examples-private.ttl")


def initialise(store: Store) -> int:
    """Put the ontology, taxonomies and places into the reference graph; returns its size."""
    graph = reference_graph()
    store.replace_graph(store.graphs_of.reference, graph)
    refresh_derived(store)
    return len(graph)


def load_examples(store: Store, folder: Path = EXAMPLES) -> str:
    """Initialise ``store`` and load the example dataset as the source ``examples``."""
    files = [folder / name for name in EXAMPLE_FILES]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise InputError(
            f"the example data is missing ({', '.join(missing)}); run the demo from a checkout "
            "of ssekg.",
            f"nedostaju primeri podataka ({', '.join(missing)}); pokrenite demo iz kopije "
            "repozitorijuma ssekg.",
        )
    reference_size = initialise(store)
    data = Graph()
    for path in files:
        data += parse_rdf(path)
    summary = load_graph(store, data, "examples", files)
    return (
        f"Reference graph: {reference_size} triples. Examples: {summary.actors} actors, "
        f"{summary.triples} triples, {summary.private_triples} private, "
        f"{summary.report.warnings} warnings."
    )
