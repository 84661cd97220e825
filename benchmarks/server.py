"""Server benchmark: typical queries through a live ``ssekg serve`` against the same queries
run in-process, over one on-disk store of synthetic data.

    python benchmarks/server.py DATA.nt [--rounds 60] [--clients 4] [--seconds 8]

Queries: an actor's page (CONSTRUCT of the actor and the nodes below its IRI, as Turtle),
actor counts by type and region (the named query ``actor-types-by-region``), and a capacity
match (who offers a capacity that someone in the same district needs). For each: latency
p50/p95 over sequential requests (in-process: pyoxigraph's query and its own serialisation,
the work a query worker does), then throughput with several clients at once. Prints JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import pyoxigraph as ox  # noqa: E402

from ssekg.namespaces import DEFAULT_BASE, PREFIXES, Graphs  # noqa: E402
from ssekg.queries import named_queries  # noqa: E402

MATCH = """SELECT ?need ?provider WHERE {
  <%(a)s> ssekg:needs ?wanted ; ssekg:municipality ?home .
  ?wanted a ssekg:CapacityNeed ; ssekg:capacityArea ?need .
  ?home ssekg:partOf ?district .
  ?district a ssekg:District .
  ?place ssekg:partOf ?district .
  ?provider ssekg:municipality ?place ; ssekg:offers ?offer .
  ?offer a ssekg:CapacityOffer ; ssekg:capacityArea ?need .
  FILTER(?provider != <%(a)s>)
} LIMIT 100"""
PAGE = """CONSTRUCT { <%(a)s> ?p ?o . ?part ?q ?v } WHERE {
  { <%(a)s> ?p ?o } UNION { <%(a)s> ?r ?part . ?part ?q ?v FILTER(STRSTARTS(STR(?part), "%(a)s/")) }
}"""


def prepare(data: Path, folder: Path) -> tuple[list[str], list[str]]:
    """An on-disk store with the reference data and the synthetic source; returns the actors
    and those that need a capacity."""
    from ssekg.server.executor import raw
    from ssekg.setup import initialise
    from ssekg.store import open_store

    with open_store(str(folder), create=True) as store:
        initialise(store)
        graph = ox.NamedNode(store.graphs_of.source("synthetic"))
        raw(store).bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)  # type: ignore[arg-type]
        rows = store.query("SELECT ?a WHERE { ?a a ssekg:Actor } ORDER BY ?a").rows
        needs = store.query(
            "SELECT DISTINCT ?a WHERE { ?a ssekg:needs [ a ssekg:CapacityNeed ] } ORDER BY ?a"
        ).rows
        return [str(r["a"]) for r in rows], [str(r["a"]) for r in needs]


def queries(actors: list[str], needing: list[str]) -> dict[str, tuple[Callable[[int], str], str]]:
    rng = random.Random(7)
    sample = rng.sample(actors, min(200, len(actors)))
    needing = rng.sample(needing, min(200, len(needing)))
    region = named_queries()["actor-types-by-region"].text
    return {
        "actor page": (lambda i: PAGE % {"a": sample[i % len(sample)]}, "text/turtle"),
        "counts by type and region": (lambda i: region, "application/sparql-results+json"),
        "capacity match": (
            lambda i: MATCH % {"a": needing[i % len(needing)]},
            "application/sparql-results+json",
        ),
    }


def in_process(folder: Path, text: str, accept: str) -> float:
    """One query the way a worker runs it: pyoxigraph on the store, its own serialiser."""
    if str(folder) not in _STORES:
        opened = ox.Store.read_only(str(folder))
        public = Graphs(DEFAULT_BASE)
        named = [
            g
            for g in opened.named_graphs()
            if isinstance(g, ox.NamedNode) and not public.is_private(g.value)
        ]
        _STORES[str(folder)] = (opened, named)
    store, graphs = _STORES[str(folder)]
    started = time.perf_counter()
    answer = store.query(
        text, prefixes=PREFIXES, default_graph=[ox.DefaultGraph(), *graphs], named_graphs=graphs
    )
    if isinstance(answer, ox.QueryTriples):
        ox.serialize(answer, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    else:
        answer.serialize(format=ox.QueryResultsFormat.JSON)  # type: ignore[union-attr]
    return time.perf_counter() - started


_STORES: dict[str, tuple[ox.Store, list[ox.NamedNode]]] = {}
_CONNECTIONS = threading.local()


def over_http(port: int, text: str, accept: str, path: str = "/sparql") -> float:
    """One GET on a kept-alive connection of this thread, opened again (and the request
    sent once more) when the server has closed it while idle."""
    try:
        return _get(port, text, accept, path)
    except (ConnectionError, http.client.BadStatusLine):
        return _get(port, text, accept, path)


def _get(port: int, text: str, accept: str, path: str) -> float:
    started = time.perf_counter()
    connections = getattr(_CONNECTIONS, "http", None)
    if connections is None:
        connections = _CONNECTIONS.http = {}
    connection = connections.get(port)
    if connection is None:
        connection = connections[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
    try:
        connection.request(
            "GET", path + "?" + urlencode({"query": text}), headers={"Accept": accept}
        )
        response = connection.getresponse()
        body = response.read()
    except (http.client.HTTPException, OSError):
        connection.close()
        del connections[port]
        raise
    if response.status != 200:
        raise RuntimeError(f"status {response.status}: {body[:300]!r}")
    if response.will_close:
        connection.close()
        del connections[port]
    return time.perf_counter() - started


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and all its descendants alive now, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    times: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        times[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
    total, todo = 0.0, [pid]
    while todo:
        each = todo.pop()
        total += times.get(each, 0.0)
        todo.extend(children.get(each, []))
    return total


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 2), "p95_ms": round(p95 * 1000, 2)}


def throughput(
    run: Callable[[int], float], clients: int, seconds: float, pid: int | None
) -> dict[str, float]:
    """Queries per second with ``clients`` threads sending one query after another for
    ``seconds``, and the CPU time per query of process ``pid`` and its children (None: this
    process) over that time."""
    done = [0] * clients
    stop = time.monotonic() + seconds

    def client(index: int) -> None:
        i = index
        while time.monotonic() < stop:
            run(i)
            done[index] += 1
            i += clients

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    cpu = cpu_seconds(pid) if pid else time.process_time()
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    used = (cpu_seconds(pid) if pid else time.process_time()) - cpu
    count = max(sum(done), 1)
    return {"per_s": round(sum(done) / elapsed, 1), "cpu_ms": round(used / count * 1000, 2)}


def free_port() -> int:
    """A port nothing listens on now, on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(folder: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    """``ssekg serve`` on 127.0.0.1, once it answers /health."""
    command = [sys.executable, "-m", "ssekg", "serve", "--store", str(folder), "--host",
               "127.0.0.1", "--port", str(port), "--workers", str(workers)]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped at start (exit code {process.returncode})")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the server did not start")


def with_prefixes(text: str) -> str:
    """The query with the prefixes ssekg supplies itself declared in its text (for other
    engines)."""
    return "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items()) + text


def export_public(folder: Path, out: Path) -> None:
    """Every public named graph of the store as N-Quads, what an anonymous query sees."""
    store = ox.Store.read_only(str(folder))
    public = Graphs(DEFAULT_BASE)
    with out.open("wb") as handle:
        for graph in store.named_graphs():
            if isinstance(graph, ox.NamedNode) and not public.is_private(graph.value):
                ox.serialize(
                    store.quads_for_pattern(None, None, None, graph), handle, ox.RdfFormat.N_QUADS
                )
    del store


Runner = Callable[[int], float]


def interleaved(
    modes: dict[str, tuple[Runner, int | None]], rounds: int, budget: float
) -> dict[str, dict[str, float]]:
    """Each mode's query in turn, round after round (so each sees the same load on a shared
    machine), up to ``rounds`` or ``budget`` seconds; per mode p50/p95 of wall time and the
    mean CPU time per query of the process doing the work (``pid``, or this thread)."""
    walls: dict[str, list[float]] = {m: [] for m in modes}
    cpus: dict[str, float] = dict.fromkeys(modes, 0.0)
    started = time.monotonic()
    for i in range(rounds):
        for mode, (run, pid) in modes.items():
            before = cpu_seconds(pid) if pid else time.thread_time()
            walls[mode].append(run(i))
            cpus[mode] += (cpu_seconds(pid) if pid else time.thread_time()) - before
        if i >= 4 and time.monotonic() - started > budget:
            break
    report = {}
    for mode in modes:
        entry = percentiles(walls[mode])
        entry["cpu_ms"] = round(cpus[mode] / len(walls[mode]) * 1000, 2)
        entry["n"] = len(walls[mode])
        report[mode] = entry
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", type=Path)
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--budget", type=float, default=60.0, help="most seconds per query")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--workers", type=int, default=0, help="the server's query processes")
    parser.add_argument("--no-virtuoso", action="store_true", help="leave Virtuoso out")
    parser.add_argument("--only", action="append", help="run only this query (repeatable)")
    args = parser.parse_args(argv)
    import virtuoso_server

    use_virtuoso = not args.no_virtuoso and virtuoso_server.available()
    with tempfile.TemporaryDirectory(prefix="ssekg-bench-server-") as tmp:
        folder = Path(tmp) / "store"
        started = time.perf_counter()
        actors, needing = prepare(args.data, folder)
        plan = queries(actors, needing)
        if args.only:
            plan = {k: v for k, v in plan.items() if k in args.only}
        report: dict[str, object] = {
            "actors": len(actors),
            "clients": args.clients,
            "load_s": {"ssekg": round(time.perf_counter() - started, 1)},
            "load_average": os.getloadavg(),
        }
        print(f"# loaded {len(actors)} actors", file=sys.stderr, flush=True)
        with contextlib.ExitStack() as stack:
            virtuoso = None
            if use_virtuoso:
                dump = Path(tmp) / "public.nq"
                export_public(folder, dump)
                (Path(tmp) / "virtuoso").mkdir()
                virtuoso = stack.enter_context(virtuoso_server.running(Path(tmp) / "virtuoso"))
                seconds = virtuoso_server.bulk_load(
                    virtuoso, Path(tmp) / "virtuoso", {dump: "urn:ssekg:unused"}
                )
                dump.unlink()
                report["load_s"]["virtuoso"] = round(seconds, 1)  # type: ignore[index]
                print(f"# Virtuoso loaded in {seconds:.0f} s", file=sys.stderr, flush=True)
            port = free_port()
            process = serve(folder, port, args.workers)
            stack.callback(_stop, process)
            modes: dict[str, Callable[[str, str, int], float]] = {
                "in_process": lambda text, accept, i: in_process(folder, text, accept),
                "server": lambda text, accept, i: over_http(port, text, accept),
            }
            pids: dict[str, int | None] = {"in_process": None, "server": process.pid}
            if virtuoso is not None:
                vport, vpid = virtuoso.http_port, virtuoso_server.pid_of(virtuoso)
                modes["virtuoso"] = lambda text, accept, i: over_http(
                    vport, with_prefixes(text), accept
                )
                pids["virtuoso"] = vpid
            for name, (text_for, accept) in plan.items():
                runners = {
                    mode: ((lambda i, m=run, t=text_for, a=accept: m(t(i), a, i)), pids[mode])
                    for mode, run in modes.items()
                }
                for i in range(3):  # warm-up
                    for run, _pid in runners.values():
                        run(i)
                entry: dict[str, object] = dict(interleaved(runners, args.rounds, args.budget))
                for mode, (run, pid) in runners.items():
                    entry[mode]["throughput"] = throughput(  # type: ignore[index]
                        run, args.clients, args.seconds, pid
                    )
                local, remote = entry["in_process"], entry["server"]
                assert isinstance(local, dict) and isinstance(remote, dict)
                entry["overhead_p50_ms"] = round(remote["p50_ms"] - local["p50_ms"], 2)
                entry["overhead_cpu_ms"] = round(remote["cpu_ms"] - local["cpu_ms"], 2)
                report[name] = entry
                print(f"# {name}: {json.dumps(entry)}", file=sys.stderr, flush=True)
    report["load_average_end"] = os.getloadavg()
    print(json.dumps(report, indent=2))
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    path = out / f"server-{len(actors)}-{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(report, indent=2))
    print(f"Written to {path}")
    return 0


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


if __name__ == "__main__":
    raise SystemExit(main())
