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
import http.client
import json
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


def queries(
    actors: list[str], needing: list[str]
) -> dict[str, tuple[Callable[[int], str], str]]:
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


def over_http(port: int, text: str, accept: str) -> float:
    """One GET /sparql on a kept-alive connection of this thread (a new one if it closed)."""
    try:
        return _get(port, text, accept)
    except (http.client.RemoteDisconnected, ConnectionResetError):
        return _get(port, text, accept)  # the server closed an idle kept-alive connection


def _get(port: int, text: str, accept: str) -> float:
    started = time.perf_counter()
    connection = getattr(_CONNECTIONS, "http", None)
    if connection is None:
        connection = _CONNECTIONS.http = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request(
            "GET", "/sparql?" + urlencode({"query": text}), headers={"Accept": accept}
        )
        response = connection.getresponse()
        response.read()
    except (http.client.HTTPException, OSError):
        connection.close()
        _CONNECTIONS.http = None
        raise
    if response.status != 200:
        raise RuntimeError(f"status {response.status}")
    return time.perf_counter() - started


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 2), "p95_ms": round(p95 * 1000, 2)}


def throughput(run: Callable[[int], float], clients: int, seconds: float) -> float:
    done = [0] * clients
    stop = time.monotonic() + seconds

    def client(index: int) -> None:
        i = index
        while time.monotonic() < stop:
            run(i)
            done[index] += 1
            i += clients

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return round(sum(done) / (time.monotonic() - started), 1)


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", type=Path)
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--workers", type=int, default=0, help="the server's query processes")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "store"
        actors, needing = prepare(args.data, folder)
        plan = queries(actors, needing)
        report: dict[str, object] = {"actors": len(actors), "clients": args.clients}
        # In-process first (the store read-only), then the server over the same directory.
        for name, (text_for, accept) in plan.items():
            for i in range(3):
                in_process(folder, text_for(i), accept)
            local = [in_process(folder, text_for(i), accept) for i in range(args.rounds)]
            report[name] = {"in_process": percentiles(local)}
            print(f"# in process: {name} {report[name]}", file=sys.stderr, flush=True)
            report[name]["in_process"]["per_s"] = throughput(  # type: ignore[index]
                lambda i, t=text_for, a=accept: in_process(folder, t(i), a),  # type: ignore[misc]
                args.clients,
                args.seconds,
            )
        _STORES.clear()
        port = args.port or free_port()
        process = serve(folder, port, args.workers)
        try:
            for name, (text_for, accept) in plan.items():
                for i in range(3):
                    over_http(port, text_for(i), accept)
                remote = [over_http(port, text_for(i), accept) for i in range(args.rounds)]
                entry = report[name]
                assert isinstance(entry, dict)
                entry["server"] = percentiles(remote)
                print(f"# server: {name} {entry['server']}", file=sys.stderr, flush=True)
                entry["server"]["per_s"] = throughput(
                    lambda i, t=text_for, a=accept: over_http(port, t(i), a),  # type: ignore[misc]
                    args.clients,
                    args.seconds,
                )
                entry["overhead_p50_ms"] = round(
                    entry["server"]["p50_ms"] - entry["in_process"]["p50_ms"], 2
                )
                entry["ratio_p50"] = round(
                    entry["server"]["p50_ms"] / max(entry["in_process"]["p50_ms"], 0.001), 1
                )
        finally:
            process.terminate()
            process.wait(10)
    print(json.dumps(report, indent=2))
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    path = out / f"server-{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(report, indent=2))
    print(f"Written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
