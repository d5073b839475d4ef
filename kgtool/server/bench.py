"""Measuring SPARQL endpoints with wrk, and `kgtool serve` beside Oxigraph's own server.

`measure_endpoint(url, query, seconds, connections)` is the reusable part: one wrk run against
one endpoint, its throughput and latency percentiles as a dict. `python -m
kgtool.server.bench` runs the comparison this project reports: the same graph in `kgtool serve`
and in `oxigraph serve-read-only`, a trivial label lookup and the named query
measures-reaching for DeepSeek, with and without kgtool's cache, and kgtool's simple-query
latency while a pathological query runs until its timeout. Loopback only, bounded in time.

Needs the `wrk` and `oxigraph` commands (Debian's wrk; `pip install oxigraph`).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
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


def _free_port() -> int:
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
def oxigraph_server(data: Sequence[str] = ()) -> Iterator[str]:
    """Oxigraph's read-only server on the same files, each in the named graph kgtool gives it,
    the default graph being their union (as in kgtool); yields the query endpoint URL."""
    from kgtool.resources import shipped_sources, user_sources

    oxigraph = shutil.which("oxigraph")
    if oxigraph is None:
        raise BenchError("the oxigraph command is missing (pip install oxigraph)")
    with tempfile.TemporaryDirectory(prefix="kgtool-oxigraph-") as location:
        for source in [*shipped_sources(), *user_sources(data)]:
            with tempfile.NamedTemporaryFile(
                suffix="." + source.file.name.rsplit(".", 1)[-1]
            ) as copy:
                copy.write(source.read())
                copy.flush()
                subprocess.run(
                    [
                        oxigraph,
                        "load",
                        "--location",
                        location,
                        "--file",
                        copy.name,
                        "--graph",
                        source.graph,
                        "--base",
                        source.graph,
                    ],
                    check=True,
                    capture_output=True,
                )
        port = _free_port()
        command = [
            oxigraph,
            "serve-read-only",
            "--location",
            location,
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ]
        with _process(command, f"http://127.0.0.1:{port}/query") as endpoint:
            yield endpoint


@contextmanager
def kgtool_server(*arguments: str) -> Iterator[str]:
    """`kgtool serve` with extra arguments on a free port; yields the base URL."""
    script = shutil.which("kgtool")
    if script is None:
        raise BenchError("the kgtool command is not installed (pip install -e '.[server]')")
    port = _free_port()
    command = [script, "serve", "--port", str(port), *arguments]
    base = f"http://127.0.0.1:{port}"
    with _process(command, base + "/sparql"):
        yield base


def _pathological_load(endpoint: str, query: str, stop: threading.Event) -> None:
    """Keep one pathological query running (each runs until the server's timeout)."""
    body = urllib.parse.urlencode({"query": query}).encode()
    while not stop.is_set():
        with suppress(urllib.error.URLError, OSError):
            urllib.request.urlopen(endpoint, data=body, timeout=120).read()


def compare(seconds: float, connections: int) -> dict[str, Any]:
    """The figures the project reports (see the module docstring)."""
    from kgtool.graph import KnowledgeGraph

    kg = KnowledgeGraph.load()
    reaching = kg.named_query("measures-reaching").sparql
    lookup = (
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?label WHERE { <https://w3id.org/kgtool/id/DeepSeek> rdfs:label ?label }"
    )
    pathological = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    figures: dict[str, Any] = {}

    def run(name: str, url: str, query: str | None) -> None:
        figures[name] = measure_endpoint(url, query, seconds, connections)
        print(f"{name:<44} {json.dumps(figures[name])}", file=sys.stderr, flush=True)

    with oxigraph_server() as endpoint:
        run("oxigraph lookup", endpoint, lookup)
        run("oxigraph measures-reaching", endpoint, reaching)
    for label, arguments in (("cached", ()), ("uncached", ("--cache", "0"))):
        with kgtool_server(*arguments) as base:
            run(f"kgtool {label} lookup", base + "/sparql", lookup)
            run(f"kgtool {label} measures-reaching /sparql", base + "/sparql", reaching)
            named = base + "/queries/measures-reaching?target=DeepSeek"
            run(f"kgtool {label} measures-reaching /queries", named, None)
    with kgtool_server("--cache", "0", "--timeout", "10") as base:
        stop = threading.Event()
        load = threading.Thread(
            target=_pathological_load, args=(base + "/sparql", pathological, stop), daemon=True
        )
        load.start()
        time.sleep(1)
        try:
            run("kgtool uncached lookup during pathological", base + "/sparql", lookup)
        finally:
            stop.set()
        load.join(30)
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kgtool.server.bench",
        description="Measure kgtool serve beside oxigraph serve-read-only with wrk (loopback).",
    )
    parser.add_argument("--seconds", type=float, default=10, help="per measurement (10)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections (8)")
    args = parser.parse_args(argv)
    try:
        figures = compare(args.seconds, args.connections)
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 4
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
