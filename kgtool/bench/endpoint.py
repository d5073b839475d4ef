"""Endpoints under load: one wrk run against one SPARQL endpoint (`measure_endpoint`), and
the servers `python -m kgtool.bench` puts side by side, each on a free loopback port:
`kgtool serve` (with or without its cache), Oxigraph's server in memory (`oxigraph serve`,
the like-for-like baseline: the same engine, the data in memory) and on disk (`oxigraph
serve-read-only` on a store `oxigraph load` wrote), and the floor under any Python endpoint
(`kgtool.bench.floor`).

Needs the `wrk` and `oxigraph` commands (Debian's wrk; `pip install oxigraph`).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kgtool.errors import KgtoolError

RESULTS_JSON = "application/sparql-results+json"

#: wrk reports through this Lua script: one JSON line of counts and latency percentiles (µs).
_REPORT = """
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '\\nKGTOOL-BENCH {"requests": %d, "duration_us": %d, "connect_errors": %d, ' ..
    '"read_errors": %d, "write_errors": %d, "timeouts": %d, "non_2xx": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\\n',
    summary.requests, summary.duration, errors.connect, errors.read, errors.write,
    errors.timeout, errors.status, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean))
end
"""


class BenchError(KgtoolError):
    """A measurement could not run (a tool is missing, a server did not start)."""


def _lua_string(text: str) -> str:
    level = 0
    while f"]{'=' * level}]" in text:
        level += 1
    return f"[{'=' * level}[{text}]{'=' * level}]"


def measure_endpoint(
    url: str,
    query: str | None,
    seconds: float = 10,
    connections: int = 8,
    *,
    threads: int = 1,
    accept: str = RESULTS_JSON,
    timeout: float = 30,
) -> dict[str, Any]:
    """Load `url` with wrk for `seconds` over `connections` connections and report.

    With `query`, each request POSTs it as `application/sparql-query`; with None, each is a
    GET of `url` as it is (a named query's URL, say). Returns `rps` (requests per second),
    `p50_ms`, `p90_ms`, `p99_ms`, `max_ms`, `requests` and `errors` (socket errors, timeouts
    and non-2xx answers together). Raises `BenchError` when wrk is missing or fails.
    """
    wrk = shutil.which("wrk")
    if wrk is None:
        raise BenchError("wrk is not installed (Debian: apt-get install wrk)")
    lines = [f'wrk.headers["Accept"] = {_lua_string(accept)}']
    if query is not None:
        lines += [
            'wrk.method = "POST"',
            'wrk.headers["Content-Type"] = "application/sparql-query"',
            f"wrk.body = {_lua_string(query)}",
        ]
    with tempfile.TemporaryDirectory(prefix="kgtool-bench-") as folder:
        script = Path(folder) / "request.lua"
        script.write_text("\n".join(lines) + "\n" + _REPORT, encoding="utf-8")
        command = [
            wrk,
            f"-t{max(1, min(threads, connections))}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            f"--timeout={max(1, round(timeout))}s",
            "-s",
            str(script),
            url,
        ]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + timeout + 30
        )
    found = re.search(r"KGTOOL-BENCH (\{.*\})", done.stdout)
    if done.returncode != 0 or found is None:
        raise BenchError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout}")
    raw = json.loads(found.group(1))
    errors = sum(
        raw[key] for key in ("connect_errors", "read_errors", "write_errors", "timeouts", "non_2xx")
    )
    return {
        "rps": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
        "p50_ms": raw["p50_us"] / 1000,
        "p90_ms": raw["p90_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "requests": raw["requests"],
        "errors": errors,
        "seconds": seconds,
        "connections": connections,
    }


# ----------------------------------------------------------------------------------------------
# The comparison with Oxigraph's server


def free_port() -> int:
    """A TCP port on 127.0.0.1 free now, for a server to bind."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    query = urllib.parse.urlencode({"query": "ASK {}"})
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}?{query}", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise BenchError(f"{url} did not answer within {seconds:g} s")


@contextmanager
def _process(command: Sequence[str], endpoint: str) -> Iterator[str]:
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL
    )
    try:
        _wait(endpoint)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def oxigraph_on_disk(location: Path, *, timeout: float | None = None) -> Iterator[str]:
    """Oxigraph's read-only server on a store `oxigraph load` wrote at `location`, the default
    graph being the union of the named graphs (as in kgtool); yields the query URL.

    With `timeout`, the server stops a query itself (a client that gives up does not stop it),
    but then it runs each request on a thread of its own and aborts under wrk's load
    (Oxigraph 0.5.13: "failed to allocate an alternative stack"): throughput is measured on a
    server without it."""
    port = free_port()
    command = oxigraph_read_only(location, port, timeout)
    with _process(command, f"http://127.0.0.1:{port}/query") as endpoint:
        yield endpoint


@contextmanager
def oxigraph_in_memory(files: Sequence[tuple[str, str]]) -> Iterator[str]:
    """Oxigraph's server with an in-memory store, each file (path, graph) put into its named
    graph through the Graph Store Protocol, the default graph being their union; yields the
    query URL. The like-for-like baseline for `kgtool serve`, which also holds its graph in
    memory."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [_tool("oxigraph"), "serve", "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    with _process(command, base + "/query") as endpoint:
        for path, graph in files:
            kind = "application/n-triples" if path.endswith(".nt") else "text/turtle"
            with open(path, "rb") as body:
                request = urllib.request.Request(
                    f"{base}/store?{urllib.parse.urlencode({'graph': graph})}",
                    data=body.read(),
                    headers={"Content-Type": kind},
                    method="POST",
                )
            with urllib.request.urlopen(request, timeout=600) as answer:
                answer.read()
        yield endpoint


@contextmanager
def python_floor(files: Sequence[tuple[str, str]]) -> Iterator[str]:
    """The bare Python endpoint of `kgtool.bench.floor` over the same files, each in its named
    graph as in `oxigraph_in_memory`; yields the query URL."""
    port = free_port()
    command = [sys.executable, "-m", "kgtool.bench.floor", "--port", str(port)]
    for path, graph in files:
        command += ["--file", path, graph]
    with _process(command, f"http://127.0.0.1:{port}/") as endpoint:
        yield endpoint


def oxigraph_read_only(location: Path, port: int, timeout: float | None = None) -> list[str]:
    """The command that serves the Oxigraph store at `location` read-only on 127.0.0.1:`port`,
    its default graph the union of the named graphs (as in kgtool)."""
    command = [
        _tool("oxigraph"),
        "serve-read-only",
        "--location",
        str(location),
        "--bind",
        f"127.0.0.1:{port}",
        "--union-default-graph",
    ]
    if timeout is not None:
        command += ["--timeout-s", f"{max(1, round(timeout))}"]
    return command


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BenchError(f"the {name} command is missing")
    return found


@contextmanager
def kgtool_server(*arguments: str) -> Iterator[str]:
    """`kgtool serve` with extra arguments on a free port; yields the base URL."""
    script = shutil.which("kgtool")
    if script is None:
        raise BenchError("the kgtool command is not installed (pip install -e '.[server]')")
    port = free_port()
    command = [script, "serve", "--port", str(port), *arguments]
    base = f"http://127.0.0.1:{port}"
    with _process(command, base + "/sparql"):
        yield base
