"""Report benchmark: :func:`ssekg.analysis.report.write_report` on synthetic data in the
embedded store (in memory, and on disk unless ``--no-disk``), beside a baseline measured in
the same run on the same store: the named query ``actor-types-by-region``. Wall and CPU time
are both recorded (the machine may be shared). Besides the whole
report it times its parts (the counts, the data quality without a fresh validation, the gap
analysis, the network, matching and alliances), so a slow part shows.

    python benchmarks/report.py DATA.nt [DATA2.nt ...] [--no-disk]

The report runs once (it takes seconds, and its charts cost the same every time); the
baseline is the best of three after a warm-up. Each part is timed twice: alone (reading its
own facts, as its command does) and as in the report (``shared_*``: in the report's order, with
one :class:`~ssekg.analysis.facts.Facts` for all, so a part reads only what the parts before
it have not). Prints one JSON line per file and store, and writes them to
``benchmarks/results/report-*.json``."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench_store import load_synthetic  # noqa: E402

from ssekg.analysis.facts import Facts  # noqa: E402
from ssekg.analysis.gaps import analyse_gaps  # noqa: E402
from ssekg.analysis.matching import alliance_candidates, match_needs  # noqa: E402
from ssekg.analysis.network import analyse_network, build_network  # noqa: E402
from ssekg.analysis.report import TABLE_ROWS, at_a_glance, data_quality, write_report  # noqa: E402
from ssekg.queries import run_named  # noqa: E402
from ssekg.store.base import Store  # noqa: E402

BASELINE = "actor-types-by-region"


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def cpu(action: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds of this process (other jobs on a shared machine inflate the wall
    time far more than the CPU time)."""
    wall, used = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - wall, time.process_time() - used


def measure(store: Store, folder: Path) -> dict[str, object]:
    run_named(store, BASELINE, {})  # warm-up
    baseline = min(timed(lambda: run_named(store, BASELINE, {}).rows) for _ in range(3))
    today = date.today()

    def parts(facts: Facts | None) -> dict[str, Callable[[], object]]:
        return {
            "glance": lambda: at_a_glance(store, "en", today=today, facts=facts),
            "quality": lambda: data_quality(store, "en", validate=False, today=today,
                                            facts=facts),  # fmt: skip
            "gaps": lambda: analyse_gaps(store, lang="en", facts=facts),
            "network": lambda: analyse_network(build_network(store, lang="en", facts=facts)),
            "matches": lambda: match_needs(store, limit=TABLE_ROWS, lang="en", facts=facts),
            "alliances": lambda: alliance_candidates(store, limit=TABLE_ROWS, lang="en",
                                                     facts=facts),  # fmt: skip
        }

    row: dict[str, object] = {"baseline_query": BASELINE, "baseline_s": round(baseline, 3)}
    base_cpu = min(cpu(lambda: run_named(store, BASELINE, {}).rows)[1] for _ in range(3))
    row["baseline_cpu_s"] = round(base_cpu, 3)
    whole, used = cpu(lambda: write_report(store, folder / "report", lang="en", validate=False))
    row["report_s"] = round(whole, 2)
    row["report_cpu_s"] = round(used, 2)
    row["report_ratio"] = round(whole / baseline, 1)
    row["report_cpu_ratio"] = round(used / base_cpu, 1)
    for name, action in parts(None).items():
        wall, used = cpu(action)
        row[f"{name}_s"] = round(wall, 2)
        row[f"{name}_cpu_s"] = round(used, 2)
    for name, action in parts(Facts(store)).items():
        wall, used = cpu(action)
        row[f"shared_{name}_s"] = round(wall, 2)
        row[f"shared_{name}_cpu_s"] = round(used, 2)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", type=Path, nargs="+")
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
                row.update(measure(store, Path(tmp)))
                store.close()
            results.append(row)
            print(json.dumps(row), flush=True)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    (out / f"report-{stamp}.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
