"""First benchmark: loading and validating synthetic data, each step in its own process.

    python benchmarks/run.py 10000 100000 [--no-validate] [--validate-max N] [--pyshacl-max N]

Reports wall time, peak RSS and time as a ratio to a raw pyoxigraph bulk load.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
STEPS = {
    "a-pyoxigraph": "import pyoxigraph as ox; s = ox.Store(); s.bulk_load(path={f!r}, "
    "format=ox.RdfFormat.N_TRIPLES)",
    "b-rdflib": "import rdflib; rdflib.Graph().parse({f!r}, format='nt')",
    "c-ssekg-store": "import rdflib; from ssekg.store import open_store; "
    "g = rdflib.Graph().parse({f!r}, format='nt'); st = open_store('memory', create=True); "
    "st.replace_graph(st.graphs_of.source('synthetic'), g)",
    "d-validation": "import rdflib; from ssekg.validation import validate; "
    "validate(rdflib.Graph().parse({f!r}, format='nt'))",
    "e-pyshacl": "import rdflib; from ssekg.validation import validate; "
    "validate(rdflib.Graph().parse({f!r}, format='nt'), engine='pyshacl')",
    "f-validate-store": "import pyoxigraph as ox; from ssekg.store import open_store; "
    "from ssekg.setup import initialise; from ssekg.validation import validate_store; "
    "st = open_store('memory', create=True); initialise(st); o, _ = st.oxigraph_dataset(); "
    "o.bulk_load(path={f!r}, format=ox.RdfFormat.N_TRIPLES, "
    "to_graph=ox.NamedNode(st.graphs_of.source('synthetic'))); "
    "r = validate_store(st); print('ISSUES', r.violations, r.warnings)",
}
#: Steps that only run up to a size (pySHACL takes about 24 ms per actor).
LIMITS = {"e-pyshacl": "pyshacl_max"}


#: Appended to every step: the child reports its own peak resident memory (KiB on Linux).
REPORT_PEAK = "\nimport resource; print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"


def measure(code: str) -> dict[str, float | str]:
    """Wall time and peak RSS (MiB) of one step, run in a fresh process."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code + REPORT_PEAK], capture_output=True, text=True
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    peak = next(
        int(line.split()[1]) for line in done.stdout.splitlines() if line.startswith("PEAK")
    )
    return {"seconds": round(wall, 3), "peak_rss_mib": round(peak / 1024, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", type=int, nargs="*", default=[10000, 100000])
    parser.add_argument("--no-validate", action="store_true")
    parser.add_argument("--validate-max", type=int, default=100000)
    parser.add_argument("--pyshacl-max", type=int, default=1000)
    args = parser.parse_args(argv)
    results: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            data = Path(tmp) / f"synthetic-{n}.nt"
            subprocess.run([sys.executable, str(HERE / "generate.py"), str(n), "-o", str(data)],
                           check=True, capture_output=True)  # fmt: skip
            row: dict[str, object] = {"actors": n, "bytes": data.stat().st_size}
            for step, template in STEPS.items():
                validating = step in ("d-validation", "e-pyshacl", "f-validate-store")
                if validating and (args.no_validate or n > args.validate_max):
                    continue
                if step in LIMITS and n > getattr(args, LIMITS[step]):
                    continue
                row[step] = measure(template.format(f=str(data)))
            base = row["a-pyoxigraph"]
            for step in STEPS:
                m = row.get(step)
                if isinstance(m, dict) and isinstance(base, dict) and "seconds" in m:
                    m["ratio"] = round(float(m["seconds"]) / float(base["seconds"]), 1)
            results.append(row)
            print(json.dumps(row), flush=True)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / f"run-{time.strftime('%Y%m%dT%H%M%S')}.json").write_text(json.dumps(results, indent=2))
    print(f"{'actors':>8} {'step':<15} {'s':>8} {'ratio':>6} {'MiB':>7}")
    for row in results:
        for step in STEPS:
            m = row.get(step)
            if isinstance(m, dict):
                rss = m.get("peak_rss_mib", m.get("error", ""))
                secs, ratio = m.get("seconds", "-"), m.get("ratio", "-")
                print(f"{row['actors']:>8} {step:<15} {secs:>8} {ratio:>6} {rss:>7}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
