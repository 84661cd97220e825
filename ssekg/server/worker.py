"""Query evaluation outside the server process, where a query can be stopped by killing it.

pyoxigraph cannot interrupt a running query, so the endpoint never evaluates one in its own
process. :func:`execute` runs one query job against a pyoxigraph store and writes the
answer, serialised by pyoxigraph in the negotiated format, to a spool file; it runs either in
a child forked for the job (in-memory stores) or in a long-lived worker process that opens
an on-disk store read-only (``python -m ssekg.server.worker FD PATH [GENERATION]``) and says
when it is ready. Jobs and replies are small JSON messages, length-prefixed, over a socket.

Private graphs are left out of the dataset here, where the query runs: the dataset is built
from the store's graph names minus the private ones, and pyoxigraph puts an explicit
dataset above any FROM, FROM NAMED or GRAPH in the query text.

Answers up to :data:`INLINE` bytes travel in the reply itself, after its JSON; only larger
ones go through the spool file, so a small query costs no file to create, read and delete."""

from __future__ import annotations

import itertools
import json
import os
import socket
import struct
import sys
from collections.abc import Iterator
from typing import Any, BinaryIO

import pyoxigraph as ox

from ssekg.namespaces import PREFIXES
from ssekg.server.sparql_formats import choose
from ssekg.server.sparql_text import syntax_problem
from ssekg.store.embedded import dataset_clause, hidden_graphs

Job = dict[str, Any]
Reply = dict[str, Any]

_LENGTH = struct.Struct(">I")
_PREFIXED = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG)

#: The largest answer (bytes) sent within the reply; a larger one is written to the spool.
INLINE = 1 << 20


# -- messages ---------------------------------------------------------------------------------


def send_message(sock: socket.socket, message: dict[str, Any]) -> None:
    """The message as length-prefixed JSON; bytes under "body" follow it raw (their length
    in "inline")."""
    body = message.get("body")
    if isinstance(body, bytes | bytearray):
        message = {k: v for k, v in message.items() if k != "body"} | {"inline": len(body)}
    else:
        body = b""
    data = json.dumps(message).encode("utf-8")
    sock.sendall(b"".join((_LENGTH.pack(len(data)), data, body)))


def receive_message(sock: socket.socket) -> dict[str, Any] | None:
    """The next message, or None when the other side has closed the socket."""
    head = _receive_exactly(sock, _LENGTH.size)
    if head is None:
        return None
    body = _receive_exactly(sock, _LENGTH.unpack(head)[0])
    if body is None:
        return None
    message = dict(json.loads(body))
    if "inline" in message:
        payload = _receive_exactly(sock, int(message.pop("inline")))
        if payload is None:
            return None
        message["body"] = payload
    return message


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


class Answer:
    """A binary writer for one answer: kept in memory up to ``limit`` bytes, then moved to
    ``path`` and written there."""

    def __init__(self, path: str, limit: int = INLINE) -> None:
        self.path, self.limit = path, limit
        self.memory: bytearray | None = bytearray()
        self.file: BinaryIO | None = None
        self.size = 0

    def write(self, data: bytes) -> int:
        if self.memory is not None and self.size + len(data) > self.limit:
            self.file = open(self.path, "wb")  # noqa: SIM115 (closed in close())
            self.file.write(self.memory)
            self.memory = None
        if self.file is not None:
            self.file.write(data)
        else:
            assert self.memory is not None
            self.memory += data
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        if self.file is not None:
            self.file.flush()

    def close(self) -> None:
        if self.file is not None:
            self.file.close()

    def contents(self) -> bytes | None:
        """The answer when it stayed in memory (None: it is in the file)."""
        return None if self.memory is None else bytes(self.memory)

    def mark_json(self, max_rows: int) -> None:
        """Add the row-limit member to the SPARQL JSON object written (closed)."""
        if self.memory is None:
            _mark_json(self.path, max_rows)
        else:
            end = self.memory.rindex(b"}")
            self.memory[end:] = truncation_member(max_rows) + b"}"
        self.size = os.path.getsize(self.path) if self.memory is None else len(self.memory)

    def remove(self) -> None:
        self.close()
        if self.memory is None and os.path.exists(self.path):
            os.unlink(self.path)


def _write_solutions(
    answer: ox.QuerySolutions, target: ox.QueryResultsFormat, out: Answer, max_rows: int | None
) -> tuple[int, bool]:
    """Write SELECT results to ``out``; returns (rows, truncated). With a row limit the
    rows go through TSV first, where they can be counted and cut, and are then written again
    in the target format; both steps are pyoxigraph's own code."""
    if not max_rows:
        answer.serialize(out, target)  # type: ignore[arg-type]
        return -1, False
    tsv = Answer(out.path + ".tsv")
    try:
        limit = _RowLimit(tsv, max_rows)
        try:
            answer.serialize(limit, ox.QueryResultsFormat.TSV)  # type: ignore[arg-type]
        except (_RowLimit.Stop, OSError) as stopped:
            if not limit.truncated:
                raise stopped from None
        tsv.close()
        rows = max_rows + 1 - limit.lines_left - 1
        kept = tsv.contents()
        if kept is not None:
            if target == ox.QueryResultsFormat.TSV:
                out.write(kept)
                return rows, limit.truncated
            parsed = ox.parse_query_results(kept, ox.QueryResultsFormat.TSV)
        else:
            if target == ox.QueryResultsFormat.TSV:
                out.memory, out.size = None, os.path.getsize(tsv.path)
                os.replace(tsv.path, out.path)
                return rows, limit.truncated
            parsed = ox.parse_query_results(path=tsv.path, format=ox.QueryResultsFormat.TSV)
        parsed.serialize(out, target)  # type: ignore[arg-type]
        return rows, limit.truncated
    finally:
        tsv.remove()


def _write_triples(
    answer: ox.QueryTriples, target: ox.RdfFormat, out: Answer, max_rows: int | None
) -> tuple[int, bool]:
    """Write CONSTRUCT or DESCRIBE triples to ``out``; returns (rows, -1 when not counted;
    truncated). Triple formats take the answer as it comes, cut by ``islice``."""
    prefixes = PREFIXES if target in _PREFIXED else None
    if not target.supports_datasets:
        kept = itertools.islice(answer, max_rows) if max_rows else answer
        ox.serialize(kept, out, target, prefixes=prefixes)  # type: ignore[arg-type]
        truncated = bool(max_rows) and next(answer, None) is not None
        return (max_rows or -1) if truncated else -1, truncated
    state = {"rows": 0, "truncated": False}

    def limited() -> Iterator[ox.Quad]:
        for triple in answer:
            if max_rows and state["rows"] >= max_rows:
                state["truncated"] = True
                return
            state["rows"] += 1
            yield ox.Quad(triple.subject, triple.predicate, triple.object, ox.DefaultGraph())

    ox.serialize(limited(), out, target, prefixes=prefixes)  # type: ignore[arg-type]
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
    max_rows = job["max_rows"]
    out = Answer(job["spool"])
    try:
        if isinstance(answer, ox.QueryBoolean):
            assert isinstance(offer.format, ox.QueryResultsFormat)
            rows, truncated = 1, False
            out.write(answer.serialize(format=offer.format) or b"")
        elif isinstance(answer, ox.QuerySolutions):
            assert isinstance(offer.format, ox.QueryResultsFormat)
            rows, truncated = _write_solutions(answer, offer.format, out, max_rows)
            out.close()
            if truncated and offer.format == ox.QueryResultsFormat.JSON:
                out.mark_json(max_rows)
        else:
            assert isinstance(offer.format, ox.RdfFormat)
            rows, truncated = _write_triples(answer, offer.format, out, max_rows)
        out.close()
    except (OSError, ValueError, TypeError) as problem:
        out.remove()
        return _failed(problem)
    reply = {
        "ok": True,
        "kind": kind,
        "media_type": offer.media_type,
        "rows": rows,
        "truncated": truncated,
        "size": out.size,
    }
    body = out.contents()
    if body is not None:
        reply["body"] = body
    return reply


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
