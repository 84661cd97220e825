"""Named-query benchmark: every named query on synthetic data in the embedded store, in memory
and on disk, through :func:`ssekg.queries.run_named` (parameters checked and bound, rows read
into Python), the way ``ssekg query`` and ``/api/queries/{name}`` run them.

    python benchmarks/generate.py 100000 -o /tmp/syn-100k.nt      # once: about 5 minutes
    python benchmarks/queries.py /tmp/syn-10k.nt /tmp/syn-100k.nt [--stores memory disk]
        [--rounds 7] [--budget 12] [--limit 60] [--only NAME ...]

Each data file is bulk-loaded once per kind of store. Each query then runs in a process of
its own (forked from the loaded in-memory store; a fresh process opening the on-disk store),
so a query that runs past ``--limit`` seconds is killed and reported as such rather than
holding up the rest: one warm-up run, then up to ``--rounds`` timed runs while they fit in
``--budget`` seconds (at least one). Reported: p50 and p95 of the timed runs, and p50 as a
ratio to a baseline query (actors by type) timed the same way in the same run, since
absolute seconds on a shared machine are noisy; and the CPU time of the query process (p50),
which other jobs on the machine inflate far less than wall time. The 1 s target is judged
on CPU time.

Parameters without a default get heavy but realistic values taken from the data: the actor
with the most needs, the biggest network, the busiest funder, a district with many actors.
Writes JSON to ``benchmarks/results/`` and prints a table; queries over 1 s at the largest
size are listed at the end."""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import statistics
import subprocess
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import pyoxigraph as ox  # noqa: E402

from ssekg.derived import refresh  # noqa: E402
from ssekg.queries import named_queries, run_named  # noqa: E402
from ssekg.setup import initialise  # noqa: E402
from ssekg.store import open_store  # noqa: E402
from ssekg.store.base import Store  # noqa: E402
from ssekg.store.embedded import EmbeddedStore  # noqa: E402

#: Heavy but realistic values for parameters that have no default.
PICKS = {
    "actor": """SELECT ?v WHERE { ?v ssekg:needs ?n ; ssekg:targetGroup ?g }
                GROUP BY ?v ORDER BY DESC(COUNT(?n)) ?v LIMIT 1""",
    "network": """SELECT ?v WHERE { ?m org:organization ?v }
                  GROUP BY ?v ORDER BY DESC(COUNT(?m)) ?v LIMIT 1""",
    "funder": """SELECT ?v WHERE { ?f ssekg:funder ?v } GROUP BY ?v ORDER BY DESC(COUNT(?f)) ?v
                 LIMIT 1""",
}
#: Places for required territory parameters: a district with many actors.
TERRITORY = "RS-06"
#: The baseline: a small aggregate over every actor (two index scans and a join).
BASELINE = "baseline: actors by type"
BASELINE_QUERY = """SELECT ?type (COUNT(?a) AS ?n) WHERE {
  ?a a ssekg:Actor ; ssekg:actorType ?type } GROUP BY ?type"""
ACTORS = "SELECT (COUNT(*) AS ?n) WHERE { ?a a ssekg:Actor }"
TARGET = 1.0


def load(data: Path, folder: Path | None) -> Store:
    """The reference graphs and ``data`` as the source ``synthetic``, bulk-loaded into memory
    (``folder=None``) or into a new store directory, with the derived graph computed."""
    store = open_store(str(folder) if folder else "memory", create=True)
    initialise(store)
    assert isinstance(store, EmbeddedStore)
    raw, _ = store.oxigraph_dataset()
    graph = ox.NamedNode(store.graphs_of.source("synthetic"))
    raw.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
    # the counting queries read the tallies of the derived graph, which every ssekg write
    # computes again; a raw bulk load does not, so it is computed here as a load would
    refresh(store)
    if folder is not None:
        raw.optimize()
    return store


def picks(store: Store) -> dict[str, str]:
    """A value from the data for each parameter name in PICKS."""
    chosen = {}
    for name, sparql in PICKS.items():
        rows = store.query(sparql).rows
        if rows:
            chosen[name] = str(rows[0]["v"])
    return chosen


def parameters(name: str, chosen: dict[str, str]) -> dict[str, str]:
    values = {}
    for param in named_queries()[name].parameters:
        if not param.required:
            continue
        if param.name in chosen:
            values[param.name] = chosen[param.name]
        elif param.type.base == "place":
            values[param.name] = TERRITORY
        elif param.example is not None:
            values[param.name] = param.example
    return values


def timings(store: Store, name: str, values: dict[str, str], rounds: int, budget: float) -> dict:
    """One warm-up run, then timed runs: up to ``rounds``, while they fit in ``budget``."""

    def once() -> tuple[float, float, int]:
        started, cpu = time.perf_counter(), time.process_time()
        if name == BASELINE:
            rows = len(store.query(BASELINE_QUERY).rows)
        else:
            rows = len(run_named(store, name, values).rows)
        return time.perf_counter() - started, time.process_time() - cpu, rows

    warm, _, rows = once()
    samples: list[float] = []
    cpu_samples: list[float] = []
    spent = warm
    while len(samples) < rounds and (not samples or spent + warm <= budget):
        seconds, cpu, rows = once()
        samples.append(seconds)
        cpu_samples.append(cpu)
        spent += seconds
    return {"samples": samples, "cpu_samples": cpu_samples, "rows": rows}


def _forked(store: Store, job: tuple, pipe: Connection) -> None:
    pipe.send(timings(store, *job))
    pipe.close()


def run_in_memory(store: Store, job: tuple, limit: float) -> dict:
    """``timings`` in a child forked from the loaded store; killed past ``limit``."""
    context = mp.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_forked, args=(store, job, send))
    child.start()
    send.close()
    if receive.poll(limit):
        result = receive.recv()
        child.join()
        return result
    child.kill()
    child.join()
    return {"timeout": limit}


def run_on_disk(folder: Path, job: tuple, limit: float) -> dict:
    """``timings`` in a fresh process that opens the store directory; killed past ``limit``."""
    command = [sys.executable, __file__, "--worker", str(folder), json.dumps(job)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=limit)
    except subprocess.TimeoutExpired:
        return {"timeout": limit}
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(done.stdout)


def worker(folder: str, job: str) -> int:
    with open_store(folder) as store:
        print(json.dumps(timings(store, *json.loads(job))))
    return 0


def summarise(result: dict) -> dict:
    """p50 and p95 of the wall-clock times, and p50 of the CPU times."""
    samples = sorted(result.pop("samples", []))
    cpu = result.pop("cpu_samples", [])
    if samples:
        p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
        result.update(p50=statistics.median(samples), p95=p95, runs=len(samples))
        result["cpu_p50"] = statistics.median(cpu)
    return result


def bench(data: Path, kind: str, names: list[str], args: argparse.Namespace) -> dict:
    """Every query in ``names`` on ``data`` in one kind of store."""
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        folder = Path(tmp) / "store" if kind == "disk" else None
        started = time.perf_counter()
        store = load(data, folder)
        loaded = time.perf_counter() - started
        chosen = picks(store)
        actors = int(store.query(ACTORS).rows[0]["n"])
        if folder is not None:
            store.close()
        print(f"# {data.name} ({actors} actors) {kind}: loaded in {loaded:.1f} s", flush=True)
        results = {}
        for name in [BASELINE, *names]:
            values = {} if name == BASELINE else parameters(name, chosen)
            job = (name, values, args.rounds, args.budget)
            if folder is None:
                result = run_in_memory(store, job, args.limit)
            else:
                result = run_on_disk(folder, job, args.limit)
            results[name] = summarise(result) | {"params": values}
            print(json.dumps({"query": name, **results[name]}), flush=True)
        base = results[BASELINE].get("p50")
        for result in results.values():
            if base and "p50" in result:
                result["ratio"] = result["p50"] / base
        return {"actors": actors, "store": kind, "load_s": loaded, "queries": results}


def table(runs: list[dict]) -> str:
    def cell(result: dict) -> str:
        if "timeout" in result:
            return f"> {result['timeout']:g} s"
        if "error" in result:
            return "error"
        return (
            f"{result['p50']:.2f} / {result['p95']:.2f} / {result['cpu_p50']:.2f} "
            f"({result['ratio']:.1f}×)"
        )

    heads = [f"{r['actors']:,} {r['store']}" for r in runs]
    lines = ["| query | " + " | ".join(heads) + " |", "|---" * (len(runs) + 1) + "|"]
    for name in runs[0]["queries"]:
        cells = [cell(r["queries"].get(name, {"error": 1})) for r in runs]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def over_target(runs: list[dict]) -> list[str]:
    """Queries whose CPU time (p50) is over the target at the largest size, in any store."""
    largest = max(r["actors"] for r in runs)
    slow = []
    for run in runs:
        if run["actors"] != largest:
            continue
        for name, result in run["queries"].items():
            seconds = result.get("cpu_p50", result.get("timeout"))
            if seconds is None or seconds > TARGET:
                slow.append(f"{name} ({run['store']}: {cell_seconds(result)})")
    return slow


def cell_seconds(result: dict) -> str:
    if "timeout" in result:
        return f"> {result['timeout']:g} s"
    if "p50" in result:
        return f"{result['cpu_p50']:.2f} s CPU"
    return "error"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:
        return worker(argv[1], argv[2])
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", type=Path, nargs="+")
    parser.add_argument("--stores", nargs="+", default=["memory", "disk"])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--budget", type=float, default=12.0)
    parser.add_argument("--limit", type=float, default=60.0)
    parser.add_argument("--only", nargs="+", default=None)
    parser.add_argument("--tmp", type=Path, default=None, help="where on-disk stores go")
    args = parser.parse_args(argv)
    names = args.only or sorted(named_queries())
    runs = [bench(data, kind, names, args) for data in args.data for kind in args.stores]
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    path = out / f"queries-{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(runs, indent=2, ensure_ascii=False))
    print("\nWall p50 / wall p95 / CPU p50 in seconds (wall p50 as a ratio to the baseline)\n")
    print(table(runs))
    slow = over_target(runs)
    print(f"\nOver {TARGET:g} s at the largest size: {', '.join(slow) or 'none'}")
    print(f"Written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
