"""What the analysis benchmarks share: a store with the synthetic data, and best-of timing."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pyoxigraph as ox  # noqa: E402

from ssekg.derived import refresh  # noqa: E402
from ssekg.setup import initialise  # noqa: E402
from ssekg.store import open_store  # noqa: E402
from ssekg.store.base import Store  # noqa: E402


def load_synthetic(data: Path, where: str = "memory") -> tuple[Store, float]:
    """A new embedded store (``memory`` or a folder) with the reference graph and ``data``
    (N-Triples) bulk-loaded as the source ``synthetic`` and the derived graph computed, and
    the seconds of both."""
    store = open_store(where, create=True)
    initialise(store)
    raw, _ = store.oxigraph_dataset()  # type: ignore[attr-defined]
    start = time.perf_counter()
    graph = ox.NamedNode(store.graphs_of.source("synthetic"))
    raw.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
    refresh(store)  # the tallies every ssekg write computes, which a raw load does not
    return store, time.perf_counter() - start


def best(action: Callable[[], object], rounds: int) -> float:
    """The quickest of ``rounds`` timed runs, after one warm-up."""
    action()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)
