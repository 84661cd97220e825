"""A throwaway Virtuoso for the remote-store tests: one server per test session, on free
ports of 127.0.0.1 only, with its database in a temporary directory.

Tests share the server but not each other's data: each opens its store with a base IRI of
its own (:meth:`Virtuoso.new_base`), and a remote store sees only the graphs under its base.
The fixture skips, with the reason, when ``virtuoso-t`` is not installed (Debian and Ubuntu:
``apt-get install virtuoso-opensource``; CI installs it)."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

#: How long the server may take to come up (a fresh database takes a few seconds).
START_LIMIT = 90.0

INI = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 0
CaseMode = 2
DirsAllowed = {db}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 4

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {db}/www
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 60
MaxQueryCostEstimationTime = 0
"""
# MaxQueryCostEstimationTime = 0 turns off Virtuoso's refusal by estimated cost: its estimate
# for the gazetteer's transitive partOf paths grows with everything the session's tests have
# stored (millions of "seconds" for queries that answer in milliseconds), so the same query
# passed or was refused by the order the tests ran in. The execution time limit still holds.


@dataclass(frozen=True)
class Virtuoso:
    """A running server: its SPARQL endpoints and the DBA account (digest auth)."""

    http_port: int
    sql_port: int
    password: str
    max_rows: int

    @property
    def url(self) -> str:
        """The plain endpoint; the SPARQL user may update there (granted at start)."""
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def auth_url(self) -> str:
        """The endpoint behind digest authentication."""
        return f"http://127.0.0.1:{self.http_port}/sparql-auth"

    @staticmethod
    def new_base() -> str:
        """A base IRI no other test uses, so a test's graphs are its own."""
        return f"https://w3id.org/ssekg/test/{uuid.uuid4().hex}/id/"

    def isql(self, statements: str) -> str:
        done = subprocess.run(
            [
                _tool("isql-vt", "isql"),
                f"127.0.0.1:{self.sql_port}",
                "dba",
                self.password,
                f"exec={statements}",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql failed: {done.stdout[-500:]} {done.stderr[-500:]}")
        return done.stdout


def _tool(*names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return names[0]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    server = shutil.which("virtuoso-t")
    if server is None or shutil.which("isql-vt") is None and shutil.which("isql") is None:
        pytest.skip("virtuoso-t is not installed (apt-get install virtuoso-opensource)")
    db: Path = tmp_path_factory.mktemp("virtuoso")
    (db / "www").mkdir()
    http_port, sql_port = _free_port(), _free_port()
    max_rows = 10000  # Virtuoso's own default, so truncation is tested as users meet it
    ini = db / "virtuoso.ini"
    ini.write_text(
        INI.format(db=db, sql_port=sql_port, http_port=http_port, max_rows=max_rows),
        encoding="utf-8",
    )
    log = (db / "console.log").open("wb")
    process = subprocess.Popen(
        [server, "+configfile", str(ini), "+foreground"],
        cwd=db,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    instance = Virtuoso(http_port, sql_port, "dba", max_rows)
    try:
        deadline = time.monotonic() + START_LIMIT
        while not _answers(instance.url):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = (db / "console.log").read_text(errors="replace")[-2000:]
                pytest.fail(f"Virtuoso did not start:\n{tail}")
            time.sleep(0.3)
        password = "pw" + secrets.token_hex(12)  # SQL names start with a letter
        instance.isql(f'GRANT SPARQL_UPDATE TO "SPARQL"; SET PASSWORD dba {password};')
        yield Virtuoso(http_port, sql_port, password, max_rows)
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        log.close()
