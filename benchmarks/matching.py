"""Matching benchmark: needs against offers and alliance candidates on synthetic data.

    python benchmarks/matching.py 10000 [100000]

For each size it generates data, bulk-loads it into the embedded store in memory (with the
reference graph), and times, in one process: (a) the baseline, the named query
``capacity-providers`` for one actor (the SPARQL that answers "who offers what I need,
nearest first" without scores); (b) ``match_needs`` for that actor; (c) ``match_needs`` over
all needs, best 50; (d) ``alliance_candidates`` for one actor; (e) ``alliance_candidates``
over all pairs, best 50. Times are reported as ratios to (a) of the same run and written as
JSON to ``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent


def timed(action: Callable[[], object], repeat: int = 3) -> tuple[float, object]:
    """The best wall time of ``repeat`` runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - start)
    return best, result


def run_size(n: int, data: Path) -> dict[str, object]:
    import pyoxigraph as ox
    from rdflib import URIRef

    from ssekg.analysis.matching import alliance_candidates, match_needs
    from ssekg.queries import run_named
    from ssekg.setup import initialise
    from ssekg.store import open_store

    store = open_store("memory", create=True)
    initialise(store)
    dataset, _ = store.oxigraph_dataset()  # type: ignore[attr-defined]
    start = time.perf_counter()
    dataset.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES,
                      to_graph=ox.NamedNode(store.graphs_of.source("synthetic")))  # fmt: skip
    load = time.perf_counter() - start
    # the actor with the most needs, so the one-actor steps have work to do
    rows = store.query(
        "SELECT ?actor (COUNT(?n) AS ?needs) WHERE { ?actor ssekg:needs ?n } "
        "GROUP BY ?actor ORDER BY DESC(?needs) ?actor LIMIT 1"
    ).rows
    actor = str(rows[0]["actor"])
    steps: dict[str, Callable[[], object]] = {
        "a-capacity-providers": lambda: run_named(
            store, "capacity-providers", {"actor": URIRef(actor)}
        ),
        "b-match-one-actor": lambda: match_needs(store, actor=actor),
        "c-match-all-top50": lambda: match_needs(store, limit=50),
        "d-alliances-one-actor": lambda: alliance_candidates(store, actor=actor),
        "e-alliances-all-top50": lambda: alliance_candidates(store, limit=50),
    }
    row: dict[str, object] = {"actors": n, "load_seconds": round(load, 2), "actor": actor}
    for name, action in steps.items():
        seconds, result = timed(action)
        size = len(result) if isinstance(result, list) else len(getattr(result, "rows", []))
        row[name] = {"seconds": round(seconds, 3), "rows": size}
    base = row["a-capacity-providers"]
    assert isinstance(base, dict)
    for name in steps:
        m = row[name]
        assert isinstance(m, dict)
        m["ratio"] = round(float(m["seconds"]) / float(base["seconds"]), 2)
    store.close()
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", type=int, nargs="*", default=[10000])
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            data = Path(tmp) / f"synthetic-{n}.nt"
            subprocess.run([sys.executable, str(HERE / "generate.py"), str(n), "-o", str(data)],
                           check=True, capture_output=True)  # fmt: skip
            row = run_size(n, data)
            results.append(row)
            print(json.dumps(row), flush=True)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    (out / f"matching-{stamp}.json").write_text(json.dumps(results, indent=2))
    print(f"{'actors':>8} {'step':<24} {'s':>8} {'ratio':>7} {'rows':>7}")
    for row in results:
        for name, m in row.items():
            if isinstance(m, dict):
                print(f"{row['actors']:>8} {name:<24} {m['seconds']:>8} {m['ratio']:>7} "
                      f"{m['rows']:>7}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
