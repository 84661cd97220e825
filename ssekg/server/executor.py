"""Where the endpoint's queries run, so that a query past its time limit is really stopped.

* :class:`ForkExecutor` (in-memory stores): each query runs in a child forked from the
  server, which sees the store as it was at the fork. The fork waits for any write in
  progress (see :class:`WatchedStore`), so the child never inherits a half-held lock.
* :class:`PoolExecutor` (on-disk stores): a few long-lived worker processes open the store
  read-only (``pyoxigraph.Store.read_only``) and open it again after each write.
* :class:`ThreadExecutor` (any other store, e.g. a remote endpoint): the store's own
  ``query`` in a thread, with the timeout passed on to it; nothing to kill locally.

On timeout the child or worker is killed (SIGKILL) and reaped; a pool worker is replaced.
The server process only waits on sockets, so a query never blocks its event loop. Small
answers come back within the worker's reply; larger ones as spool files written by the
worker, which the endpoint streams and deletes."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import uuid
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, BinaryIO

import anyio
import pyoxigraph as ox
from rdflib.term import Node

from ssekg.derived import refresh as refresh_derived
from ssekg.errors import QueryError, QueryTimeoutError
from ssekg.namespaces import PREFIXES, Graphs
from ssekg.server import worker
from ssekg.server.sparql_formats import choose
from ssekg.store.base import Quad, Store, Triple
from ssekg.store.embedded import EmbeddedStore
from ssekg.store.results import QueryResult
from ssekg.store.terms import to_ox

Job = dict[str, Any]


class QueryTimeout(Exception):
    """The query ran past its time limit and was stopped."""


class Busy(Exception):
    """Every worker stayed busy for as long as the query may take."""


@dataclass
class Outcome:
    """A worker's reply; the answer is ``body`` when it came within the reply, else the
    file ``spool``."""

    reply: dict[str, Any]
    spool: str
    body: bytes | None = None

    @classmethod
    def of(cls, reply: dict[str, Any], spool: str) -> Outcome:
        body = reply.pop("body", None)
        return cls(reply, spool, body)


# -- the store, watched -------------------------------------------------------------------


class WatchedStore:
    """The server's store, as every router sees it: each write holds ``lock`` (so no query
    child is forked in the middle of one) and then counts one more ``generation`` (so pool
    workers know to look again). Everything else is passed through."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.graphs_of: Graphs = inner.graphs_of
        self.lock = threading.RLock()
        self.generation = 0

    def _wrote(self) -> None:
        self.generation += 1

    def _derive(self, graph: str | None = None) -> None:
        """Compute the derived graph again after a write (not needed when only a private
        graph was written), before the write counts as done for any reader."""
        if graph is None or not self.graphs_of.is_private(graph):
            refresh_derived(self.inner)

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Node] | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
        include_private: bool = False,
    ) -> QueryResult:
        return self.inner.query(
            sparql,
            bindings=bindings,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            timeout=timeout,
            include_private=include_private,
        )

    def update(self, sparql: str) -> None:
        with self.lock:
            try:
                self.inner.update(sparql)
                self._derive()
            finally:
                self._wrote()

    def update_with_base(self, sparql: str, base_iri: str) -> None:
        """A SPARQL update whose relative IRIs resolve against ``base_iri`` (pyoxigraph's
        own parser for the embedded store; the store's ``update`` otherwise). Raises
        SyntaxError or OSError/ValueError from pyoxigraph as they come."""
        with self.lock:
            try:
                if isinstance(self.inner, EmbeddedStore):
                    raw(self.inner).update(sparql, base_iri=base_iri, prefixes=PREFIXES)
                else:
                    self.inner.update(sparql)
                self._derive()
            finally:
                self._wrote()

    def replace_graph(self, graph: str, triples: Iterable[Triple]) -> None:
        with self.lock:
            try:
                self.inner.replace_graph(graph, triples)
                self._derive(graph)
            finally:
                self._wrote()

    def replace_graphs(
        self,
        replace: Mapping[str, Iterable[Triple]],
        *,
        add: Mapping[str, Iterable[Triple]] | None = None,
    ) -> None:
        with self.lock:
            try:
                self.inner.replace_graphs(replace, add=add)
                self._derive()
            finally:
                self._wrote()

    def add_quads(self, quads: Iterable[Quad]) -> None:
        with self.lock:
            try:
                self.inner.add_quads(quads)
                self._derive()
            finally:
                self._wrote()

    def drop_graph(self, graph: str) -> None:
        with self.lock:
            try:
                self.inner.drop_graph(graph)
                self._derive(graph)
            finally:
                self._wrote()

    def restore(self, source: BinaryIO) -> None:
        with self.lock:
            try:
                self.inner.restore(source)
                self._derive()
            finally:
                self._wrote()

    def graphs(self) -> list[str]:
        return self.inner.graphs()

    def count(self, graph: str | None = None) -> int:
        return self.inner.count(graph)

    def dump(self, out: BinaryIO, *, include_private: bool = False) -> None:
        self.inner.dump(out, include_private=include_private)

    def close(self) -> None:
        self.inner.close()

    def __enter__(self) -> WatchedStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __getattr__(self, name: str) -> Any:
        # Anything a store implementation offers beyond the interface.
        return getattr(self.inner, name)


def raw(store: EmbeddedStore) -> ox.Store:
    """The pyoxigraph store inside an embedded store (its queries run in forked children)."""
    return store._ox


# -- shared machinery ---------------------------------------------------------------------


class _Slots:
    """At most ``size`` jobs at once, waited for asynchronously; one semaphore per event
    loop, since each loop needs its own (the server has one; test clients start several)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]
        self._by_loop = weakref.WeakKeyDictionary()

    def get(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if loop not in self._by_loop:
            self._by_loop[loop] = asyncio.Semaphore(self.size)
        return self._by_loop[loop]


async def _acquire(slots: _Slots, wait: float) -> asyncio.Semaphore:
    semaphore = slots.get()
    if not semaphore.locked():  # a free slot: taken at once, without a timer
        await semaphore.acquire()
        return semaphore
    try:
        async with asyncio.timeout(wait):
            await semaphore.acquire()
    except TimeoutError:
        raise Busy from None
    return semaphore


async def _receive(sock: socket.socket) -> dict[str, Any] | None:
    """One length-prefixed message from a non-blocking socket, without blocking the loop
    (usually in one read: a worker writes its reply at once)."""
    loop = asyncio.get_running_loop()
    buffer = bytearray()
    if not await _fill(loop, sock, buffer, 4):
        return None
    size = 4 + int.from_bytes(buffer[:4], "big")
    if not await _fill(loop, sock, buffer, size):
        return None
    message = dict(json.loads(buffer[4:size]))
    if "inline" in message:  # the answer itself follows (see worker.send_message)
        end = size + int(message.pop("inline"))
        if not await _fill(loop, sock, buffer, end):
            return None
        message["body"] = bytes(buffer[size:end])
    return message


async def _fill(
    loop: asyncio.AbstractEventLoop, sock: socket.socket, buffer: bytearray, size: int
) -> bool:
    """Read into ``buffer`` until it holds ``size`` bytes; False if the socket closed.
    Nothing after a message is ever sent before the reply is read, so reading ahead is safe."""
    while len(buffer) < size:
        chunk = await loop.sock_recv(sock, max(size - len(buffer), 1 << 16))
        if not chunk:
            return False
        buffer += chunk
    return True


def _remove(path: str) -> None:
    for candidate in (path, path + ".tsv"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(candidate)


class Executor:
    """Runs query jobs; see the module docstring for the three kinds."""

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        self.spool_dir = tempfile.mkdtemp(prefix="ssekg-sparql-")
        self._slots = _Slots(self.workers)
        self._finalizer = weakref.finalize(self, shutil.rmtree, self.spool_dir, True)

    def spool_path(self) -> str:
        return os.path.join(self.spool_dir, uuid.uuid4().hex)

    async def run(self, job: Job, timeout: float) -> Outcome:
        raise NotImplementedError

    def active_pids(self) -> list[int]:
        """Processes evaluating or waiting for queries now (for tests and monitoring)."""
        return []

    def start(self) -> None:
        """Get ready to answer (called when the server starts)."""

    def close(self) -> None:
        self._finalizer()


class ForkExecutor(Executor):
    def __init__(self, store: WatchedStore, workers: int) -> None:
        super().__init__(workers)
        inner = store.inner
        assert isinstance(inner, EmbeddedStore)
        self.store = store
        self.ox = raw(inner)
        self._children: set[int] = set()

    def _fork(self, job: Job) -> tuple[int, socket.socket]:
        parent, child = socket.socketpair()
        with self.store.lock:
            pid = os.fork()
        if pid == 0:  # the child: evaluate, answer, and leave without running anything else
            try:
                parent.close()
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                worker.exit_with_parent()
                worker.send_message(child, worker.execute(self.ox, job))
            except BaseException:
                pass
            finally:
                os._exit(0)
        child.close()
        parent.setblocking(False)
        self._children.add(pid)
        return pid, parent

    async def run(self, job: Job, timeout: float) -> Outcome:
        semaphore = await _acquire(self._slots, timeout)
        try:
            job = {**job, "spool": self.spool_path()}
            pid, sock = await anyio.to_thread.run_sync(self._fork, job)
            reply: dict[str, Any] | None = None
            try:
                async with asyncio.timeout(timeout):
                    reply = await _receive(sock)
            except TimeoutError:
                raise QueryTimeout from None
            finally:
                sock.close()
                if reply is None:
                    _kill(pid)
                    _remove(job["spool"])
                await anyio.to_thread.run_sync(_reap, pid)
                self._children.discard(pid)
            if reply is None:
                raise RuntimeError("the query process ended without an answer")
            return Outcome.of(reply, job["spool"])
        finally:
            semaphore.release()

    def active_pids(self) -> list[int]:
        return sorted(self._children)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


#: How long a new worker process may take to start and open the store (s); this time is
#: not taken from any query's time limit.
START_LIMIT = 60.0


class _Worker:
    """A worker process, started at once; ``ready`` once it has said so (imports done, the
    store open), which :meth:`wait_ready` waits for before the first job is sent."""

    def __init__(self, path: str, generation: int) -> None:
        mine, theirs = socket.socketpair()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ssekg.server.worker",
                str(theirs.fileno()),
                path,
                str(generation),
            ],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        mine.setblocking(False)
        self.sock = mine
        self.ready = False

    async def wait_ready(self) -> bool:
        if not self.ready:
            try:
                hello = await asyncio.wait_for(_receive(self.sock), START_LIMIT)
            except TimeoutError:
                hello = None
            self.ready = bool(hello and hello.get("ready"))
        return self.ready

    def stop(self) -> None:
        self.sock.close()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


class PoolExecutor(Executor):
    def __init__(self, store: WatchedStore, path: str, workers: int) -> None:
        super().__init__(workers)
        self.store = store
        self.path = path
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._lock = threading.Lock()
        self._started = False
        weakref.finalize(self, _stop_all, self._idle, self._busy)

    def _new_worker(self) -> _Worker:
        return _Worker(self.path, self.store.generation)

    def start(self) -> None:
        """Start the workers now (at server start), so that the first queries find them
        ready; otherwise they start with the first query."""
        with self._lock:
            if not self._started:
                self._started = True
                self._idle.extend(self._new_worker() for _ in range(self.workers))

    def _take_ready(self) -> _Worker | None:
        """An idle worker that is ready, taken without blocking (None: none is)."""
        with self._lock:
            if not self._started:
                return None
            for index in range(len(self._idle) - 1, -1, -1):
                if self._idle[index].ready:
                    chosen = self._idle.pop(index)
                    self._busy.add(chosen)
                    return chosen
        return None

    def _take(self) -> _Worker:
        self.start()
        with self._lock:
            # Ready workers first: one still starting is taken only when no other is idle.
            self._idle.sort(key=lambda w: w.ready)
            chosen = self._idle.pop() if self._idle else self._new_worker()
            self._busy.add(chosen)
            return chosen

    def _back_to_idle(self, chosen: _Worker) -> bool:
        """Put a healthy worker back among the idle ones if there is room (without
        blocking); False when it has to be stopped instead."""
        with self._lock:
            if len(self._idle) < self.workers:
                self._busy.discard(chosen)
                self._idle.append(chosen)
                return True
        return False

    def _give_back(self, chosen: _Worker, healthy: bool) -> None:
        with self._lock:
            self._busy.discard(chosen)
            if healthy and len(self._idle) < self.workers:
                self._idle.append(chosen)
                return
        chosen.stop()
        with self._lock:
            # A killed worker is replaced at once, so the pool stays warm.
            if not healthy and len(self._idle) + len(self._busy) < self.workers:
                self._idle.append(self._new_worker())

    async def run(self, job: Job, timeout: float) -> Outcome:
        semaphore = await _acquire(self._slots, timeout)
        try:
            job = {**job, "spool": self.spool_path(), "generation": self.store.generation}
            # A ready worker is taken at once; starting one (or the pool) blocks, so in a thread.
            ready = self._take_ready()
            chosen = ready if ready is not None else await anyio.to_thread.run_sync(self._take)
            reply: dict[str, Any] | None = None
            try:
                if not await chosen.wait_ready():
                    raise RuntimeError("a query worker did not start")
                loop = asyncio.get_running_loop()
                data = json.dumps(job).encode("utf-8")
                await loop.sock_sendall(chosen.sock, len(data).to_bytes(4, "big") + data)
                async with asyncio.timeout(timeout):
                    reply = await _receive(chosen.sock)
            except TimeoutError:
                raise QueryTimeout from None
            finally:
                if reply is None:
                    _remove(job["spool"])
                    await anyio.to_thread.run_sync(self._give_back, chosen, False)
                elif not self._back_to_idle(chosen):
                    await anyio.to_thread.run_sync(self._give_back, chosen, True)
            if reply is None:
                raise RuntimeError("the query worker ended without an answer")
            return Outcome.of(reply, job["spool"])
        finally:
            semaphore.release()

    def active_pids(self) -> list[int]:
        with self._lock:
            return sorted(w.process.pid for w in [*self._idle, *self._busy])

    def close(self) -> None:
        _stop_all(self._idle, self._busy)
        super().close()


def _stop_all(idle: list[_Worker], busy: set[_Worker]) -> None:
    for each in [*idle, *busy]:
        each.stop()
    idle.clear()
    busy.clear()


def _results_in(result: QueryResult, fmt: ox.QueryResultsFormat) -> bytes:
    """Rows or a boolean in ``fmt``, written by pyoxigraph. Its parsed results may be
    dropped only in the thread that made them, so they never leave this call."""
    parsed = ox.parse_query_results(result.serialize("json"), ox.QueryResultsFormat.JSON)
    try:
        return parsed.serialize(format=fmt) or b""
    finally:
        del parsed


class ThreadExecutor(Executor):
    """For stores that are not embedded: the store's own query in a thread."""

    def __init__(self, store: Store, workers: int) -> None:
        super().__init__(workers)
        self.store = store

    def _run(self, job: Job, timeout: float) -> dict[str, Any]:
        try:
            result = self.store.query(
                job["query"],
                default_graphs=job["default_graphs"],
                named_graphs=job["named_graphs"],
                timeout=timeout,
                include_private=job["include_private"],
            )
        except QueryTimeoutError:
            return {"ok": False, "timeout": True}
        except QueryError as problem:
            return worker.error(400, problem.en, problem.sr)
        graph = result.kind == "graph"
        offer = choose(job["accept"], job["format_params"], graph)
        if offer is None:
            return {"ok": False, "status": 406, "kind": result.kind}
        max_rows, truncated = job["max_rows"], False
        if graph:
            triples = []
            for s, p, o in result.graph or []:
                subject, predicate = to_ox(s), to_ox(p)
                if isinstance(predicate, ox.NamedNode) and not isinstance(subject, ox.Literal):
                    triples.append(ox.Triple(subject, predicate, to_ox(o)))
            if max_rows and len(triples) > max_rows:
                triples, truncated = triples[:max_rows], True
            items: list[Any] = triples
            if isinstance(offer.format, ox.RdfFormat) and offer.format.supports_datasets:
                items = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
            assert isinstance(offer.format, ox.RdfFormat)
            ox.serialize(items, job["spool"], offer.format, prefixes=PREFIXES)
            rows = len(triples)
        else:
            if max_rows and len(result.rows) > max_rows:
                result.rows, truncated = result.rows[:max_rows], True
            assert isinstance(offer.format, ox.QueryResultsFormat)
            with open(job["spool"], "wb") as out:
                out.write(_results_in(result, offer.format))
            rows = len(result.rows)
            if truncated and offer.format == ox.QueryResultsFormat.JSON:
                worker._mark_json(job["spool"], max_rows)
        return {
            "ok": True,
            "kind": result.kind,
            "media_type": offer.media_type,
            "rows": rows,
            "truncated": truncated,
            "size": os.path.getsize(job["spool"]),
        }

    async def run(self, job: Job, timeout: float) -> Outcome:
        semaphore = await _acquire(self._slots, timeout)
        try:
            job = {**job, "spool": self.spool_path()}
            reply = await anyio.to_thread.run_sync(self._run, job, timeout)
            if reply.get("timeout"):
                raise QueryTimeout  # stopped by the store itself (a remote engine's limit)
            return Outcome.of(reply, job["spool"])
        finally:
            semaphore.release()


def executor_for(store: WatchedStore, workers: int) -> Executor:
    inner = store.inner
    if isinstance(inner, EmbeddedStore):
        if inner.path is None:
            return ForkExecutor(store, workers)
        return PoolExecutor(store, inner.path, workers)
    return ThreadExecutor(store, workers)
