"""A throwaway Virtuoso for benchmarks, started the way the remote-store tests start theirs
(``tests/virtuoso.py``: the same configuration, free ports of 127.0.0.1, a temporary
database directory, stopped by its process id), with more buffers for larger data, and
loaded with Virtuoso's bulk loader from N-Triples or N-Quads files."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tests.virtuoso import INI, START_LIMIT, Virtuoso, _answers, _free_port, _tool  # noqa: E402


def available() -> bool:
    return shutil.which("virtuoso-t") is not None and (
        shutil.which("isql-vt") is not None or shutil.which("isql") is not None
    )


@contextmanager
def running(folder: Path, *, buffers: int = 170_000, max_rows: int = 100_000) -> Iterator[Virtuoso]:
    """A Virtuoso with its database in ``folder`` (which must exist), stopped at the end.
    ``buffers`` are 8 KiB pages of cache (Virtuoso suggests about 2/3 of free memory)."""
    (folder / "www").mkdir(exist_ok=True)
    http_port, sql_port = _free_port(), _free_port()
    ini = INI.format(db=folder, sql_port=sql_port, http_port=http_port, max_rows=max_rows)
    ini = ini.replace("NumberOfBuffers = 10000", f"NumberOfBuffers = {buffers}")
    ini = ini.replace("MaxDirtyBuffers = 6000", f"MaxDirtyBuffers = {buffers * 3 // 4}")
    ini = ini.replace("MaxQueryExecutionTime = 60", "MaxQueryExecutionTime = 600")
    (folder / "virtuoso.ini").write_text(ini, encoding="utf-8")
    log = (folder / "console.log").open("wb")
    process = subprocess.Popen(
        [shutil.which("virtuoso-t") or "virtuoso-t", "+configfile", str(folder / "virtuoso.ini"),
         "+foreground"],
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    instance = Virtuoso(http_port, sql_port, "dba", max_rows)
    try:
        deadline = time.monotonic() + START_LIMIT
        while not _answers(instance.url):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = (folder / "console.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"Virtuoso did not start:\n{tail}")
            time.sleep(0.3)
        yield instance
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        log.close()


def pid_of(instance: Virtuoso) -> int | None:
    """The server's process id, found by its SQL port in /proc (for its CPU time)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if command and command[0].endswith(b"virtuoso-t"):
            try:
                ini = command[command.index(b"+configfile") + 1].decode()
                text = Path(ini).read_text(encoding="utf-8")
            except (ValueError, OSError):
                continue
            if f"127.0.0.1:{instance.sql_port}" in text:
                return int(entry.name)
    return None


def bulk_load(instance: Virtuoso, folder: Path, files: dict[Path, str]) -> float:
    """Load each file (N-Triples into the graph given, N-Quads into their own graphs) with
    ``ld_dir`` and ``rdf_loader_run``, then checkpoint; returns the seconds taken. The files
    are linked (or copied) into the database directory, the only one Virtuoso may read."""
    started = time.perf_counter()
    inbox = folder / "load"
    inbox.mkdir(exist_ok=True)
    statements = []
    for number, (path, graph) in enumerate(files.items()):
        target = inbox / f"{number}{''.join(path.suffixes) or '.nt'}"
        try:
            os.link(path, target)
        except OSError:
            shutil.copyfile(path, target)
        statements.append(f"ld_dir('{inbox}', '{target.name}', '{graph}');")
    statements.append("rdf_loader_run();")
    statements.append("checkpoint;")
    done = subprocess.run(
        [_tool("isql-vt", "isql"), f"127.0.0.1:{instance.sql_port}", "dba", instance.password,
         "exec=" + " ".join(statements)],
        capture_output=True, text=True, timeout=7200, check=False,
    )  # fmt: skip
    if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
        raise RuntimeError(f"bulk load failed: {done.stdout[-500:]} {done.stderr[-500:]}")
    errors = instance.isql(
        "SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL;"
    )
    if "0 Rows" not in errors:
        raise RuntimeError(f"bulk load reported errors: {errors[-800:]}")
    return time.perf_counter() - started
