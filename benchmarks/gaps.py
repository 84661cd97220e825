"""Gap-analysis benchmark: :func:`ssekg.analysis.gaps.analyse_gaps` over every region,
district, city and municipality of synthetic data, in the embedded store in memory and on
disk, beside a baseline measured in the same run on the same store: the named query's
simplest aggregate, actors counted by region and actor type (``actor-types-by-region``).

    python benchmarks/gaps.py DATA.nt [DATA2.nt ...] [--rounds 3] [--no-disk]

Each figure is the best of ``--rounds`` runs after a warm-up run. Prints one JSON line per
file and store, and writes them to ``benchmarks/results/gaps-*.json``."""

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

from ssekg.analysis.gaps import analyse_gaps  # noqa: E402
from ssekg.queries import run_named  # noqa: E402
from ssekg.store.base import Store  # noqa: E402

BASELINE = "actor-types-by-region"


def measure(store: Store, rounds: int) -> dict[str, object]:
    report = analyse_gaps(store, lang="en")
    baseline = best(lambda: run_named(store, BASELINE, {}).rows, rounds)
    gaps = best(lambda: analyse_gaps(store, lang="en"), rounds)
    one = best(lambda: analyse_gaps(store, territory="RS-06"), rounds)
    return {
        "territories": len(report.territories),
        "baseline_query": BASELINE,
        "baseline_s": round(baseline, 3),
        "gaps_all_s": round(gaps, 3),
        "gaps_all_ratio": round(gaps / baseline, 2),
        "gaps_one_s": round(one, 3),
        "gaps_one_ratio": round(one / baseline, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", type=Path, nargs="+")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-disk", action="store_true")
    args = parser.parse_args(argv)
    results = []
    for data in args.data:
        kinds = ["memory"] if args.no_disk else ["memory", "disk"]
        for kind in kinds:
            with tempfile.TemporaryDirectory() as tmp:
                where = "memory" if kind == "memory" else str(Path(tmp) / "store")
                store, loaded = load_synthetic(data, where)
                actors = store.query(
                    "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a ssekg:Actor }"
                ).rows[0]["n"]
                row: dict[str, object] = {"data": data.name, "store": kind,
                                          "actors": int(str(actors)),
                                          "load_s": round(loaded, 1)}  # fmt: skip
                row.update(measure(store, args.rounds))
                store.close()
            results.append(row)
            print(json.dumps(row), flush=True)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / f"gaps-{time.strftime('%Y%m%dT%H%M%S')}.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
