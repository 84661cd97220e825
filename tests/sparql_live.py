"""A live ``ssekg serve`` for tests that talk to the SPARQL endpoint as real clients do: a
server process on a free 127.0.0.1 port, over an in-memory or an on-disk store."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

TOKEN = "test-token-3f9a"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Live:
    url: str  # the server's root, ending without "/"
    process: subprocess.Popen[bytes]
    token: str | None

    @property
    def endpoint(self) -> str:
        return self.url + "/sparql"

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 60.0,
    ) -> tuple[int, dict[str, str], bytes]:
        """One raw HTTP request: exactly the given headers (no Content-Type added)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.putrequest(method, path, skip_accept_encoding=True)
            for key, value in (headers or {}).items():
                connection.putheader(key, value)
            if body is not None:
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            data = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, data
        finally:
            connection.close()

    def update(self, text: str) -> None:
        assert self.token is not None
        status, _, body = self.request(
            "POST",
            "/sparql",
            text.encode(),
            {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {self.token}"},
        )
        assert status == 204, body

    def query(self, text: str, accept: str = "application/sparql-results+json") -> bytes:
        status, _, body = self.request(
            "GET", "/sparql?" + urlencode({"query": text}), headers={"Accept": accept}
        )
        assert status == 200, body
        return body

    def children(self) -> list[int]:
        """Processes the server started (query workers and forked query children)."""
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == self.process.pid and fields[0] != "Z":
                found.append(int(entry))
        return found


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a live process, or None when it is gone (or a zombie)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] == "Z":
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


@contextmanager
def live_server(
    store: str, *, token: str | None = TOKEN, args: tuple[str, ...] = ()
) -> Iterator[Live]:
    """``ssekg serve --store STORE`` on a free port, until the block ends. An on-disk store
    must exist (``open_store(path, create=True)``) before."""
    port = free_port()
    command = [sys.executable, "-m", "ssekg", "serve", "--store", store, "--port", str(port)]
    if token is not None:
        command += ["--update-token", token]
    command += list(args)
    env = {k: v for k, v in os.environ.items() if k not in ("SSEKG_UPDATE_TOKEN", "SSEKG_STORE")}
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    live = Live(f"http://127.0.0.1:{port}", process, token)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with {process.returncode}")
            try:
                status, _, _ = live.request("GET", "/health", timeout=2)
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start within 60 s")
            time.sleep(0.1)
        yield live
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
