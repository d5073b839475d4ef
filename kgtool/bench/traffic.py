"""Servers under test and the clients that load them, for the soak benchmark and the probes.

A `Server` is `kgtool serve` or Oxigraph's own server, started on 127.0.0.1 and a free port
with the same data (the shipped graph, each file in its named graph, the default graph their
union), restarted if it dies (each restart counted). A client is a closed loop in its own
process (no client shares another's interpreter lock) with its own loopback source address,
127.0.0.N: a server that tells clients apart by address sees distinct clients, as it would
across a network. Everything is bounded: each request by a client timeout, each client by a
deadline and a count.

Used by `python -m kgtool.bench.soak` and `python -m kgtool.bench.probes`; nothing here is
imported by the server itself.

Over 500 lines: the servers under test and the client loops are read together: each client's
bounds are set by the server it loads.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kgtool.bench.endpoint import BenchError, free_port, oxigraph_read_only

RESULTS_JSON = "application/sparql-results+json"
KGD = "https://w3id.org/kgtool/id/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
#: A query that runs until any timeout on the article's graph (5,556^3 rows to count).
PATHOLOGICAL = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
#: A query that is no lookup but costs next to nothing.
CHEAP = f"ASK {{ <{KGD}DeepSeek> a <https://w3id.org/kgtool/def#Company> }}"
#: Subjects of the article's graph, for lookups.
SUBJECTS = (
    "DeepSeek",
    "Nvidia",
    "H100",
    "EntityList",
    "LiangWenfeng",
    "MichaelKratsios",
    "Zhipu",
    "OpenAI",
)


class TrafficError(BenchError):
    """A server under test could not start, or a tool it needs is missing."""


def lookup(subject: str, nonce: str = "") -> str:
    """A lookup: one triple pattern with a fixed subject (a comment makes the text unique)."""
    comment = f" # {nonce}" if nonce else ""
    return f"SELECT ?label WHERE {{ <{KGD}{subject}> <{RDFS_LABEL}> ?label }}{comment}"


def oversized(index: int, size: int = 1 << 20) -> str:
    """A distinct query of about `size` bytes: padded with a comment (even `index`) or made
    of many small tokens (odd `index`), the two ways a big text costs a tokenizer."""
    if index % 2 == 0:
        head = f"ASK {{}} # {index} "
        return head + "x" * (size - len(head))
    head = f"ASK {{ VALUES ?n {{ {index} "
    return head + "1 " * ((size - len(head) - 4) // 2) + "} }"


#: Queries nested 10,000 levels deep (or 30,000 UNIONs), each its own way.
DEEP: dict[str, Callable[[], str]] = {
    "parentheses": lambda: "SELECT * { FILTER(" + "(" * 10_000 + "1" + ")" * 10_000 + ") }",
    "groups": lambda: "SELECT * " + "{" * 10_000 + "}" * 10_000,
    "subqueries": lambda: "SELECT * " + "{ SELECT * " * 5_000 + "{}" + " }" * 5_000,
    "unions": lambda: "SELECT * { " + " UNION ".join(["{}"] * 30_000) + " }",
}


# ----------------------------------------------------------------------------------------------
# Servers


def _status(pid: int, field_name: str) -> int:
    """A kB figure of /proc/PID/status (0 if the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


def children(pid: int) -> set[int]:
    """The live child processes of `pid`."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                found.add(int(entry.name))
    return found


@dataclass
class Server:
    """A server under test: its command, its address once started, and its health."""

    name: str
    command: list[str]
    port: int
    query_path: str
    env: dict[str, str] | None = None
    log: Path | None = None
    process: subprocess.Popen[bytes] | None = None
    #: How many times the server died and was started again.
    restarts: int = 0
    #: Every child process ever seen (query processes), and how many there were at start.
    seen_children: set[int] = field(default_factory=set)
    initial_children: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def endpoint(self) -> str:
        return self.base + self.query_path

    def start(self, wait: float = 120) -> None:
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            self.command,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            start_new_session=True,
        )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise TrafficError(f"{self.name} exited at start ({self.process.returncode})")
            status, _ = request(self.port, "GET", self.query_path + "?query=ASK%7B%7D", timeout=2)
            if status == 200:
                first = children(self.process.pid)
                if not self.seen_children:
                    self.initial_children = len(first)
                self.seen_children |= first
                return
            time.sleep(0.2)
        self.stop()
        raise TrafficError(f"{self.name} did not answer within {wait:g} s")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def revive(self) -> bool:
        """Start the server again if it died; True if it had to."""
        if self.alive():
            return False
        self.restarts += 1
        self.start()
        return True

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)

    def rss_mb(self) -> tuple[float, float]:
        """Resident memory of the server process, and of it with its query processes (MB)."""
        if not self.alive():
            return 0.0, 0.0
        assert self.process is not None
        main = _status(self.process.pid, "VmRSS")
        kids = children(self.process.pid)
        self.seen_children |= kids
        return main / 1024, (main + sum(_status(pid, "VmRSS") for pid in kids)) / 1024

    def processes_replaced(self) -> tuple[int, int]:
        """Query processes the server stopped and replaced, as its log says: all of them, and
        those that died of themselves (a crash, not a query stopped at the timeout)."""
        if self.log is None or not self.log.exists():
            return 0, 0
        lines = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        stopped = [line for line in lines if re.search(r"query process \d+ stopped", line)]
        return len(stopped), sum("process ended" in line for line in stopped)

    def processes_started(self) -> int:
        """Query processes started after the first ones (replacements, or a growing pool)."""
        if self.alive():
            assert self.process is not None
            self.seen_children |= children(self.process.pid)
        return max(0, len(self.seen_children) - self.initial_children)


def kgtool_server(*arguments: str, source: Path | None = None, log: Path | None = None) -> Server:
    """`kgtool serve` with these arguments (not started); `source` puts another tree of the
    package first on the path (to measure an older version with the same clients)."""
    script = shutil.which("kgtool")
    if script is None:
        raise TrafficError("the kgtool command is not installed (pip install -e '.[server]')")
    port = free_port()
    env = dict(os.environ)
    if source is not None:
        env["PYTHONPATH"] = str(source)
    command = [script, "serve", "--host", "127.0.0.1", "--port", str(port), *arguments]
    return Server("kgtool", command, port, "/sparql", env=env, log=log)


def oxigraph_server(location: Path, timeout: float, log: Path | None = None) -> Server:
    """Oxigraph's read-only server on a store loaded by `load_oxigraph` (not started)."""
    port = free_port()
    return Server("oxigraph", oxigraph_read_only(location, port, timeout), port, "/query", log=log)


def load_oxigraph(location: Path) -> None:
    """The shipped graph into an Oxigraph store at `location`, each file in the named graph
    kgtool gives it (written as N-Quads, loaded with `oxigraph load`)."""
    import pyoxigraph as ox

    from kgtool.graph import KnowledgeGraph

    oxigraph = shutil.which("oxigraph")
    if oxigraph is None:
        raise TrafficError("the oxigraph command is missing (pip install oxigraph)")
    with tempfile.TemporaryDirectory(prefix="kgtool-traffic-") as folder:
        quads = Path(folder) / "graph.nq"
        kg = KnowledgeGraph.load()
        ox.serialize(kg.store.oxigraph, output=str(quads), format=ox.RdfFormat.N_QUADS)
        subprocess.run(
            [oxigraph, "load", "--location", str(location), "--file", str(quads)],
            check=True,
            capture_output=True,
        )


# ----------------------------------------------------------------------------------------------
# Requests


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""


def query_request(path: str, query: str, accept: str = RESULTS_JSON) -> Request:
    """A SPARQL Protocol query, POSTed directly (the form every server takes)."""
    return Request(
        "POST",
        path,
        (("Content-Type", "application/sparql-query"), ("Accept", accept)),
        query.encode("utf-8"),
    )


def request(
    port: int,
    method: str,
    path: str,
    *,
    headers: Sequence[tuple[str, str]] = (),
    body: bytes = b"",
    timeout: float = 30,
    source: str | None = None,
) -> tuple[int, bytes]:
    """One request on a new connection: the status (0 if none came) and the body."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=timeout, source_address=(source, 0) if source else None
    )
    try:
        connection.request(method, path, body=body or None, headers=dict(headers))
        response = connection.getresponse()
        return response.status, response.read()
    except (OSError, http.client.HTTPException):
        return 0, b""
    finally:
        connection.close()


class Client:
    """A keep-alive connection from one source address that reconnects after an error."""

    def __init__(self, port: int, source: str, timeout: float) -> None:
        self.port = port
        self.source = source
        self.timeout = timeout
        self.connection: http.client.HTTPConnection | None = None

    def send(self, req: Request) -> tuple[int, bytes]:
        """The status (0 for a connection error or a timeout) and body of one request."""
        for attempt in range(2):
            reused = self.connection is not None
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=self.timeout, source_address=(self.source, 0)
                )
            try:
                self.connection.request(
                    req.method, req.path, body=req.body or None, headers=dict(req.headers)
                )
                response = self.connection.getresponse()
                body = response.read()
                if response.will_close:
                    self.close()
                return response.status, body
            except (OSError, http.client.HTTPException) as error:
                self.close()
                # A kept-alive connection the server closed meanwhile (as servers close idle
                # ones): try once on a new one. A timeout is an answer that did not come.
                if attempt == 0 and reused and not isinstance(error, TimeoutError):
                    continue
                return 0, b""
        return 0, b""

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


# ----------------------------------------------------------------------------------------------
# Malformed HTTP, sent on raw sockets


def _connect(port: int, wait: float, source: str | None) -> socket.socket | None:
    try:
        return socket.create_connection(
            ("127.0.0.1", port), timeout=wait, source_address=(source, 0) if source else None
        )
    except OSError:
        return None


def raw(port: int, data: bytes, *, wait: float = 30, source: str | None = None) -> str:
    """Send bytes as they are, then read until the server closes or `wait` passes: the status
    code of the answer, "closed" (closed without one), "open" (still open after `wait`), or
    "refused" (no connection)."""
    sock = _connect(port, wait, source)
    if sock is None:
        return "refused"
    with sock:
        # The server may close before reading it all; its answer still counts.
        with contextlib.suppress(OSError):
            sock.sendall(data)
        return _answer(sock, wait)


def _answer(sock: socket.socket, wait: float) -> str:
    received = b""
    deadline = time.monotonic() + wait
    try:
        while time.monotonic() < deadline:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
            if b"\r\n\r\n" in received:
                break
        else:
            return "open" if not received else _code(received)
    except TimeoutError:
        return "open" if not received else _code(received)
    except OSError:
        pass
    return _code(received) if received else "closed"


def _code(received: bytes) -> str:
    parts = received.split(b" ", 2)
    return parts[1].decode("ascii", "replace") if len(parts) > 1 else "garbled"


def huge_header(port: int, path: str, size: int, source: str | None = None) -> tuple[str, float]:
    """A GET with one header of `size` bytes: the answer and the seconds it took."""
    started = time.monotonic()
    head = f"GET {path}?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: ".encode()
    outcome = raw(port, head + b"a" * size + b"\r\nConnection: close\r\n\r\n", source=source)
    return outcome, time.monotonic() - started


def half_open(port: int, wait: float, source: str | None = None) -> str:
    """Open a connection, send nothing: "closed" if the server hangs up within `wait`."""
    sock = _connect(port, wait, source)
    if sock is None:
        return "refused"
    with sock:
        return _answer(sock, wait)


def slow_head(port: int, wait: float, source: str | None = None) -> str:
    """Send the start of a request head and no more (slowloris)."""
    sock = _connect(port, wait, source)
    if sock is None:
        return "refused"
    with sock, contextlib.suppress(OSError):
        sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        return _answer(sock, wait)
    return "closed"


MALFORMED: dict[str, Callable[[int, str], str]] = {
    "1 MB header": lambda port, source: huge_header(port, "/sparql", 1 << 20, source)[0],
    "garbage request line": lambda port, source: raw(
        port, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http\r\n\r\n", source=source
    ),
    "bad chunked body": lambda port, source: raw(
        port,
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        b"Content-Type: application/sparql-query\r\n\r\nZZZ\r\nASK{}\r\n0\r\n\r\n",
        source=source,
    ),
    "body shorter than declared": lambda port, source: raw(
        port,
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
        b"Content-Type: application/sparql-query\r\n\r\nASK {}",
        wait=40,
        source=source,
    ),
    "idle connection": lambda port, source: half_open(port, 15, source),
    "unfinished head": lambda port, source: slow_head(port, 15, source),
}


# ----------------------------------------------------------------------------------------------
# Measuring


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (`share` in 0..1) of `values`; 0 if there are none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


@dataclass
class Tally:
    """What one client saw: latencies of answered requests (s), and statuses by code."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def add(self, status: int | str, latency: float) -> None:
        self.statuses[str(status)] += 1
        if isinstance(status, int) and status > 0:
            self.latencies.append(latency)

    def merge(self, other: Tally) -> None:
        self.latencies += other.latencies
        self.statuses += other.statuses
        self.seconds = max(self.seconds, other.seconds)

    @property
    def count(self) -> int:
        return sum(self.statuses.values())

    def summary(self) -> dict[str, object]:
        return {
            "requests": self.count,
            "per_second": round(self.count / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(percentile(self.latencies, 0.5) * 1000, 1),
            "p99_ms": round(percentile(self.latencies, 0.99) * 1000, 1),
            "max_ms": round(max(self.latencies, default=0.0) * 1000, 1),
            "statuses": dict(sorted(self.statuses.items())),
        }


def source_address(index: int) -> str:
    """The loopback address of client `index` (127.0.0.10, .11, ...)."""
    return f"127.0.0.{10 + index}"


def quoted(path: str, **params: str) -> str:
    return path + ("?" + urllib.parse.urlencode(params) if params else "")
