"""Entity resolution benchmark: how long ``find_links`` takes, and how many planted
duplicates it finds.

    python benchmarks/resolve.py 10000 [--seed 0]

The synthetic survey of ``generate.py`` is one source; a second, "partner" source lists
half of its actors again under the partner's own IRIs, the way a partner network's export
would: the name in the other script, the legal-form word left out or abbreviated, some with
the matični broj, a few with a typo. Both go straight into an in-memory store (no
validation: this measures resolution only). Prints the time and how the planted pairs
ended up (auto, pending, missed), how many links joined actors that were not planted, and the
times of ``canonical_actors`` and of the ``merged-actor`` query afterwards.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import cyrtranslit
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.term import Node

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate  # noqa: E402

from ssekg.loaders.resolve import (  # noqa: E402
    canonical_actors,
    find_links,
    parse_links,
    read_links_graph,
)
from ssekg.namespaces import SSEKG  # noqa: E402
from ssekg.queries import named_queries  # noqa: E402
from ssekg.store import open_store  # noqa: E402
from ssekg.text import to_latin  # noqa: E402

ABBREVIATIONS = {"Udruženje": "UG", "Zadruga": "ZZ", "Fondacija": "Fondacija"}


def partner_name(name: str, rng: random.Random) -> str:
    """The name as a partner would write it: other script, form word dropped or short, and
    now and then a typo."""
    latin = to_latin(name)
    first, _, rest = latin.partition(" ")
    if first in ABBREVIATIONS and rng.random() < 0.5:
        latin = f"{ABBREVIATIONS[first]} {rest}"
    elif first in ABBREVIATIONS:
        latin = rest
    if rng.random() < 0.1:
        i = rng.randrange(len(latin))
        latin = latin[:i] + latin[i + 1 :]
    return latin if rng.random() < 0.5 else cyrtranslit.to_cyrillic(latin, "sr")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n_actors", type=int, nargs="?", default=10000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    survey = Graph()
    for triple in generate(args.n_actors, seed=args.seed, error_rate=0.0):
        survey.add(triple)
    store = open_store("memory", create=True)
    base = store.graphs_of.base
    partner: list[tuple[Node, Node, Node]] = []
    planted: set[tuple[str, str]] = set()
    actors = sorted(str(a) for a in survey.subjects(RDF.type, SSEKG.Actor))
    for i, iri in enumerate(actors):
        actor = URIRef(iri)
        if i % 2:
            continue
        name = survey.value(actor, SSEKG.name)
        place = survey.value(actor, SSEKG.municipality)
        if name is None or place is None:
            continue
        twin = URIRef(f"{base}actor/partner/{i}")
        partner.append((twin, RDF.type, SSEKG.Actor))
        partner.append((twin, SSEKG.name, Literal(partner_name(str(name), rng), lang="und")))
        partner.append((twin, SSEKG.municipality, place))
        mb = survey.value(actor, SSEKG.registrationNumber)
        if mb is not None and rng.random() < 0.3:
            partner.append((twin, SSEKG.registrationNumber, mb))
        planted.add((min(iri, str(twin)), max(iri, str(twin))))
    store.replace_graphs(
        {store.graphs_of.source("synthetic"): survey, store.graphs_of.source("partner"): partner}
    )
    start = time.perf_counter()
    summary = find_links(store)
    seconds = time.perf_counter() - start
    links = parse_links(read_links_graph(store)).values()
    outcome = {"auto": 0, "pending": 0}
    unplanted = {"auto": 0, "pending": 0}
    for link in links:
        bucket = outcome if (link.a, link.b) in planted else unplanted
        bucket[link.status] = bucket.get(link.status, 0) + 1
    missed = len(planted) - sum(outcome.values())
    start = time.perf_counter()
    canonical = canonical_actors(store)
    canonical_seconds = time.perf_counter() - start
    merged_query = named_queries()["merged-actor"].text
    start = time.perf_counter()
    facts = store.query(merged_query, bindings={"actor": URIRef(actors[0])}).rows
    merged_seconds = time.perf_counter() - start
    print(
        f"actors: {summary.actors} ({args.n_actors} survey + {len(planted)} partner)\n"
        f"find_links: {seconds:.2f} s\n"
        f"planted pairs: {len(planted)}: auto {outcome['auto']}, pending {outcome['pending']}, "
        f"missed {missed}\n"
        f"links between actors not planted as one: auto {unplanted['auto']}, "
        f"pending {unplanted['pending']}\n"
        f"canonical_actors: {canonical_seconds:.2f} s, {len(set(canonical.values()))} actors "
        f"after merging\n"
        f"merged-actor query for one actor: {merged_seconds * 1000:.0f} ms, {len(facts)} facts"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
