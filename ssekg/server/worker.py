"""Query evaluation outside the server process, where a query can be stopped by killing it.

pyoxigraph cannot interrupt a running query, so the endpoint never evaluates one in its own
process. :func:`execute` runs one query job against a pyoxigraph store and writes the
answer, serialised by pyoxigraph in the negotiated format, to a spool file; it runs either in
a child forked for the job (in-memory stores) or in a long-lived worker process that opens
an on-disk store read-only (``python -m ssekg.server.worker FD PATH [GENERATION]``) and says
when it is ready. Jobs and replies are small JSON messages, length-prefixed, over a socket.

Private graphs are left out of the dataset here, where the query runs: the dataset is built
from the store's graph names minus the private ones, and pyoxigraph puts an explicit
dataset above any FROM, FROM NAMED or GRAPH in the query text."""

from __future__ import annotations

import json
import os
import socket
import struct
import sys
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox

from ssekg.namespaces import PREFIXES
from ssekg.server.sparql_formats import choose
from ssekg.server.sparql_text import syntax_problem
from ssekg.store.embedded import dataset_clause, hidden_graphs

Job = dict[str, Any]
Reply = dict[str, Any]

_LENGTH = struct.Struct(">I")
_PREFIXED = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG)


# -- messages ---------------------------------------------------------------------------------


def send_message(sock: socket.socket, message: dict[str, Any]) -> None:
    data = json.dumps(message).encode("utf-8")
    sock.sendall(_LENGTH.pack(len(data)) + data)


def receive_message(sock: socket.socket) -> dict[str, Any] | None:
    """The next message, or None when the other side has closed the socket."""
    head = _receive_exactly(sock, _LENGTH.size)
    if head is None:
        return None
    body = _receive_exactly(sock, _LENGTH.unpack(head)[0])
    return None if body is None else dict(json.loads(body))


def _receive_exactly(sock: socket.socket, size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        chunk = sock.recv(min(left, 1 << 16))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def error(status: int, en: str, sr: str) -> Reply:
    return {"ok": False, "status": status, "en": en, "sr": sr}


# -- one job ----------------------------------------------------------------------------------


def dataset(store: ox.Store, job: Job) -> tuple[list[Any], list[Any]]:
    """(default graph, named graphs) for the job: the protocol's graph lists, else the
    query's FROM / FROM NAMED, else every visible graph; always without private graphs
    unless the job may see them."""
    private = job["private_graph"]
    names = []
    hidden = hidden_graphs(store)
    for node in store.named_graphs():
        if not isinstance(node, ox.NamedNode) or node.value in hidden:
            continue
        if job["include_private"] or not (
            node.value == private or node.value.startswith(private + "/")
        ):
            names.append(node.value)
    visible = set(names)
    chosen: tuple[list[str], list[str]] | None
    if job["default_graphs"] is not None or job["named_graphs"] is not None:
        chosen = (job["default_graphs"] or [], job["named_graphs"] or [])
    else:
        chosen = dataset_clause(job["query"])
    if chosen is None:
        named = [ox.NamedNode(g) for g in sorted(names)]
        return [ox.DefaultGraph(), *named], named
    return (
        [ox.NamedNode(g) for g in chosen[0] if g in visible],
        [ox.NamedNode(g) for g in chosen[1] if g in visible],
    )


class _RowLimit:
    """A binary writer in front of a TSV serialisation that lets through the header line and
    ``rows`` rows, notes whether more came, and then stops the serialiser (TSV writes one
    line per row: line breaks inside values are escaped)."""

    class Stop(Exception):
        pass

    def __init__(self, out: Any, rows: int) -> None:
        self.out = out
        self.lines_left = rows + 1
        self.truncated = False

    def write(self, data: bytes) -> int:
        if self.lines_left <= 0:
            if data:
                self.truncated = True
                raise self.Stop
            return 0
        cut = 0
        while self.lines_left > 0:
            found = data.find(b"\n", cut)
            if found < 0:
                cut = len(data)
                break
            cut = found + 1
            self.lines_left -= 1
        self.out.write(data[:cut])
        if cut < len(data) and self.lines_left <= 0:
            self.truncated = True
            raise self.Stop
        return len(data)

    def flush(self) -> None:
        self.out.flush()


def _write_solutions(
    answer: ox.QuerySolutions, target: ox.QueryResultsFormat, path: str, max_rows: int | None
) -> tuple[int, bool]:
    """Write SELECT results to ``path``; returns (rows, truncated). With a row limit the
    rows go through TSV first, where they can be counted and cut, and are then written again
    in the target format; both steps are pyoxigraph's own code."""
    if not max_rows:
        answer.serialize(path, target)
        return -1, False
    tsv = path + ".tsv"
    try:
        with open(tsv, "wb") as raw:
            limit = _RowLimit(raw, max_rows)
            try:
                answer.serialize(limit, ox.QueryResultsFormat.TSV)  # type: ignore[arg-type]
            except (_RowLimit.Stop, OSError) as stopped:
                if not limit.truncated:
                    raise stopped from None
        rows = max_rows + 1 - limit.lines_left - 1
        if target == ox.QueryResultsFormat.TSV:
            os.replace(tsv, path)
        else:
            parsed = ox.parse_query_results(path=tsv, format=ox.QueryResultsFormat.TSV)
            parsed.serialize(path, target)
        return rows, limit.truncated
    finally:
        if os.path.exists(tsv):
            os.unlink(tsv)


def _write_triples(
    answer: ox.QueryTriples, target: ox.RdfFormat, path: str, max_rows: int | None
) -> tuple[int, bool]:
    state = {"rows": 0, "truncated": False}
    quads = target.supports_datasets

    def limited() -> Iterator[ox.Triple | ox.Quad]:
        for triple in answer:
            if max_rows and state["rows"] >= max_rows:
                state["truncated"] = True
                return
            state["rows"] += 1
            if quads:
                yield ox.Quad(triple.subject, triple.predicate, triple.object, ox.DefaultGraph())
            else:
                yield triple

    prefixes = PREFIXES if target in _PREFIXED else None
    ox.serialize(limited(), path, target, prefixes=prefixes)  # type: ignore[arg-type]
    return int(state["rows"]), bool(state["truncated"])


def truncation_member(max_rows: int) -> bytes:
    """The member added to a cut SPARQL JSON result (after "head" and "results")."""
    return b',"truncated":{"rowLimit":%d}' % max_rows


def _mark_json(path: str, max_rows: int) -> None:
    with open(path, "r+b") as handle:
        handle.seek(0, os.SEEK_END)
        end = handle.tell()
        while end > 0:
            handle.seek(end - 1)
            if handle.read(1) == b"}":
                break
            end -= 1
        handle.seek(end - 1)
        handle.truncate()
        handle.write(truncation_member(max_rows) + b"}")


def execute(store: ox.Store, job: Job) -> Reply:
    """Run one query job; the answer goes to ``job["spool"]``. Never raises for a problem a
    client caused: the reply says what it was."""
    default, named = dataset(store, job)
    try:
        answer = store.query(
            job["query"],
            base_iri=job["base"],
            prefixes=PREFIXES,
            default_graph=default,
            named_graphs=named,
        )
    except SyntaxError as problem:
        where = syntax_problem(problem)
        return error(
            400,
            f"the SPARQL query is not valid {where.en()}; correct it there and try again.",
            f"SPARQL upit nije ispravan {where.sr()}; ispravite ga na tom mestu i pokušajte "
            "ponovo.",
        )
    except (OSError, ValueError, TypeError) as problem:
        return _failed(problem)
    graph = isinstance(answer, ox.QueryTriples)
    kind = "graph" if graph else "ask" if isinstance(answer, ox.QueryBoolean) else "select"
    offer = choose(job["accept"], job["format_params"], graph)
    if offer is None:
        return {"ok": False, "status": 406, "kind": kind}
    spool, max_rows = job["spool"], job["max_rows"]
    try:
        if isinstance(answer, ox.QueryBoolean):
            assert isinstance(offer.format, ox.QueryResultsFormat)
            rows, truncated = 1, False
            with open(spool, "wb") as out:
                out.write(answer.serialize(format=offer.format) or b"")
        elif isinstance(answer, ox.QuerySolutions):
            assert isinstance(offer.format, ox.QueryResultsFormat)
            rows, truncated = _write_solutions(answer, offer.format, spool, max_rows)
            if truncated and offer.format == ox.QueryResultsFormat.JSON:
                _mark_json(spool, max_rows)
        else:
            assert isinstance(offer.format, ox.RdfFormat)
            rows, truncated = _write_triples(answer, offer.format, spool, max_rows)
    except (OSError, ValueError, TypeError) as problem:
        return _failed(problem)
    return {
        "ok": True,
        "kind": kind,
        "media_type": offer.media_type,
        "rows": rows,
        "truncated": truncated,
        "size": os.path.getsize(spool),
    }


def _failed(problem: Exception) -> Reply:
    detail = " ".join(str(problem).split())[:200]
    return error(
        400,
        f"the SPARQL query could not be evaluated: {detail}.",
        f"SPARQL upit nije mogao da se izvrši: {detail}.",
    ) | {"retry": isinstance(problem, OSError)}


# -- the long-lived worker --------------------------------------------------------------------


def exit_with_parent() -> None:
    """Leave as soon as the process that started this one is gone, even in the middle of a
    query (checked every half second by a daemon thread)."""
    import threading
    import time

    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="ssekg-parent-watch").start()


def serve(sock: socket.socket, path: str, generation: int | None = None) -> None:
    """Answer jobs from ``sock`` until it closes, over the store at ``path`` opened
    read-only and opened again whenever a job says the store was written since
    ``generation``. The first message says the worker is ready (started and the store open),
    so that no query's time limit is spent on starting a worker."""
    store: ox.Store | None = None
    try:
        store = ox.Store.read_only(path)
    except OSError:
        store, generation = None, None  # opened again at the first job, which reports it
    send_message(sock, {"ready": True})
    while True:
        job = receive_message(sock)
        if job is None:
            return
        try:
            if store is None or job.get("generation") != generation:
                store, generation = None, None
                store = ox.Store.read_only(path)
                generation = job.get("generation")
            reply = execute(store, job)
            if reply.get("retry"):
                # The primary may have compacted files away under a read-only view: look again.
                store = ox.Store.read_only(path)
                reply = execute(store, job)
        except OSError as problem:
            store = None
            reply = error(
                503,
                f"the store cannot be read: {problem}; try again shortly.",
                f"skladište ne može da se pročita: {problem}; pokušajte ponovo uskoro.",
            )
        send_message(sock, reply)


def main(argv: list[str]) -> int:
    exit_with_parent()
    sock = socket.socket(fileno=int(argv[0]))
    try:
        serve(sock, argv[1], int(argv[2]) if len(argv) > 2 else None)
    finally:
        sock.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
