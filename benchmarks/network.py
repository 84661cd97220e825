"""Network benchmark: :func:`ssekg.analysis.network.build_network` (reading the ties and the
actors from the store), :func:`analyse_network` (degree, betweenness, Louvain communities,
brokers) and :func:`write_network` (GraphML and GEXF) on synthetic data in the embedded
store in memory, beside a baseline measured in the same run on the same store: the named
query ``isolated-actors``, which reads the same ties in SPARQL.

    python benchmarks/network.py DATA.nt [DATA2.nt ...] [--rounds 3]

Each figure is the best of ``--rounds`` runs after a warm-up run. Prints one JSON line per
file, and writes them to ``benchmarks/results/network-*.json``."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench_store import best, load_synthetic  # noqa: E402

from ssekg.analysis.network import analyse_network, build_network, write_network  # noqa: E402
from ssekg.queries import run_named  # noqa: E402
from ssekg.store.base import Store  # noqa: E402

BASELINE = "isolated-actors"


def measure(store: Store, rounds: int) -> dict[str, object]:
    graph = build_network(store)
    summary = analyse_network(graph)
    baseline = best(lambda: run_named(store, BASELINE, {}).rows, rounds)
    build = best(lambda: build_network(store), rounds)
    analyse = best(lambda: analyse_network(graph), rounds)
    row: dict[str, object] = {
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "communities": len(summary.communities),
        "brokers": len(summary.brokers),
        "isolated": len(summary.isolated),
        "betweenness_samples": summary.betweenness_samples,
        "baseline_query": BASELINE,
        "baseline_s": round(baseline, 3),
        "build_s": round(build, 3),
        "build_ratio": round(build / baseline, 2),
        "analyse_s": round(analyse, 3),
        "analyse_ratio": round(analyse / baseline, 2),
    }
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("graphml", "gexf"):
            path = Path(tmp) / f"network.{fmt}"
            seconds = best(lambda: write_network(graph, path, fmt, summary=summary), rounds)  # noqa: B023
            row[f"{fmt}_s"] = round(seconds, 3)
            row[f"{fmt}_ratio"] = round(seconds / baseline, 2)
            row[f"{fmt}_bytes"] = path.stat().st_size
    total = build + analyse + float(str(row["graphml_s"]))
    row["total_s"] = round(total, 3)
    row["total_ratio"] = round(total / baseline, 2)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", type=Path, nargs="+")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    results = []
    for data in args.data:
        store = load_synthetic(data)[0]
        actors = store.query("SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a ssekg:Actor }")
        row: dict[str, object] = {"data": data.name, "store": "memory",
                                  "actors": int(str(actors.rows[0]["n"]))}  # fmt: skip
        row.update(measure(store, args.rounds))
        store.close()
        results.append(row)
        print(json.dumps(row), flush=True)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / f"network-{time.strftime('%Y%m%dT%H%M%S')}.json").write_text(
        json.dumps(results, indent=2)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
