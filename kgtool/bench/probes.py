"""Issue 13's ten attacks on the endpoint, each reproduced and measured: one figure per finding.

    python -m kgtool.bench.probes                         # this tree's kgtool serve
    python -m kgtool.bench.probes --kgtool-source DIR     # another tree (an older version)
    python -m kgtool.bench.probes --only 3 4              # some findings only

Each probe starts its own `kgtool serve` on 127.0.0.1 (the same clients whatever the version,
so a before and an after are measured alike) and prints what an attacker would see: memory
grown, latency percentiles, status codes, process restarts, what was fetched. The figures are
measurements, not assertions (the tests assert the behaviour).
"""

from __future__ import annotations

import argparse
import http.server
import json
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_context
from pathlib import Path
from typing import Any, ClassVar

from kgtool.bench.soak import Plan, run_client
from kgtool.bench.traffic import (
    KGD,
    Server,
    Tally,
    half_open,
    huge_header,
    kgtool_server,
    oversized,
    request,
    slow_head,
    source_address,
)

Figures = dict[str, Any]


@contextmanager
def _serving(*arguments: str, source: Path | None) -> Iterator[Server]:
    server = kgtool_server(*arguments, source=source)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _clients(
    server: Server, plans: Sequence[tuple[str, float]], seconds: float, rate: float = 0.0
) -> list[Tally]:
    """Run client processes (traffic, pause) against `server` for `seconds`, the first one
    at `rate` requests a second if given; their tallies."""
    deadline = time.time() + seconds
    named = (("/queries/chips", ""), ("/queries/legal-limits", ""), ("/queries/claims-by", ""))
    runs = [
        Plan(
            traffic,
            "kgtool",
            server.port,
            "/sparql",
            i,
            deadline,
            named,
            pause,
            rate=rate if traffic == "cached lookup" else 0.0,
        )
        for i, (traffic, pause) in enumerate(plans)
    ]
    with ProcessPoolExecutor(max_workers=len(runs), mp_context=get_context("spawn")) as pool:
        return list(pool.map(run_client, runs))


def _merged(tallies: Sequence[Tally]) -> dict[str, object]:
    total = Tally()
    for tally in tallies:
        total.merge(tally)
    return total.summary()


def memory(source: Path | None) -> Figures:
    """1. 339 distinct 1 MB `ASK {}` queries (comment-padded): the server process's growth."""
    with _serving(source=source) as server:
        before = server.rss_mb()[0]
        statuses: Counter[int] = Counter()

        def send(i: int) -> int:
            query = oversized(2 * i)
            status, _ = request(
                server.port,
                "POST",
                "/sparql",
                headers=(("Content-Type", "application/sparql-query"),),
                body=query.encode(),
                timeout=60,
                source=source_address(i % 4),
            )
            return status

        with ThreadPoolExecutor(4) as pool:
            statuses.update(pool.map(send, range(339)))
        time.sleep(1)
        after = server.rss_mb()[0]
    return {
        "server RSS before (MB)": round(before, 1),
        "after 339 queries (MB)": round(after, 1),
        "grown (MB)": round(after - before, 1),
        "answers": dict(statuses),
    }


def event_loop(source: Path | None) -> Figures:
    """2. Cached lookups (two clients, 100 a second each, on schedule) alone, then while a
    1 MB query arrives every 4 s."""
    with _serving(source=source) as server:
        alone = _clients(server, [("cached lookup", 0.0)] * 2, 15, rate=100)
        busy = _clients(server, [("cached lookup", 0.0)] * 2 + [("1 MB query", 4.0)], 20, rate=100)
    return {
        "cached lookups alone": _merged(alone),
        "cached lookups while 1 MB queries arrive": _merged(busy[:2]),
        "the 1 MB queries": busy[2].summary(),
    }


def starvation(source: Path | None) -> Figures:
    """3. Four clients running timeout-length queries; a fifth client's lookups, named queries
    and a cheap query of its own (no cache, so every request reaches the scheduler)."""
    with _serving("--cache", "0", source=source) as server:
        alone = _clients(server, [("unique lookup", 0.0)], 10)
        slow = [("timeout-length query", 0.0)] * 4
        fifth = [("unique lookup", 0.0), ("named query", 0.0), ("cheap query", 0.0)]
        tallies = _clients(server, slow + fifth, 25)
    return {
        "unique lookups alone": _merged(alone),
        "the four slow clients": _merged(tallies[:4]),
        "fifth client: unique lookups": tallies[4].summary(),
        "fifth client: named queries": tallies[5].summary(),
        "fifth client: a cheap query": tallies[6].summary(),
    }


def nesting(source: Path | None) -> Figures:
    """4. Four clients sending 10,000-deep nesting for 15 s: answers, processes restarted."""
    with _serving(source=source) as server:
        tallies = _clients(server, [("10k-deep nesting", 0.0)] * 4, 15)
        started = server.processes_started()
        alive = server.alive()
    return {
        "answers": _merged(tallies)["statuses"],
        "query processes started again": started,
        "server alive": alive,
    }


def headers(source: Path | None) -> Figures:
    """5. Huge headers, an idle connection and an unfinished head."""
    with _serving(source=source) as server:
        one, one_s = huge_header(server.port, "/sparql", 1 << 20)
        big, big_s = huge_header(server.port, "/sparql", 64 << 20)
        idle = half_open(server.port, 30)
        slow = slow_head(server.port, 30)
    return {
        "1 MB header": f"{one} after {one_s:.2f} s",
        "64 MB header": f"{big} after {big_s:.2f} s",
        "idle connection after 30 s": idle,
        "unfinished head after 30 s": slow,
    }


def relative_iris(source: Path | None) -> Figures:
    """6. A relative IRI in a query: the protocol's base is the service IRI."""
    with _serving(source=source) as server:
        status, body = request(
            server.port,
            "POST",
            "/sparql",
            headers=(("Content-Type", "application/sparql-query"), ("Accept", "text/plain")),
            body=b"CONSTRUCT { <s> <p> 1 } WHERE {}",
        )
    return {"CONSTRUCT { <s> <p> 1 } WHERE {}": f"{status} {body.decode(errors='replace')[:90]}"}


def unknown_parameters(source: Path | None) -> Figures:
    """7. Parameters the protocol does not define (cache-busters, a timeout)."""
    with _serving(source=source) as server:
        return {
            parameter: request(server.port, "GET", f"/sparql?query=ASK%7B%7D&{parameter}")[0]
            for parameter in ("_=1712345678", "timeout=5")
        }


class _Recorder(http.server.BaseHTTPRequestHandler):
    fetched: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Recorder.fetched.append(self.path)
        body = b'<http://example.org/s> <http://example.org/p> "1" .\n'
        self.send_response(200)
        self.send_header("Content-Type", "application/n-triples")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


def _announced(arguments: Sequence[str], source: Path | None) -> tuple[int | None, str]:
    """Start `kgtool serve ARGS` for a few seconds: its exit code (None if it kept running)
    and what it printed."""
    server = kgtool_server(source=source)
    command = [server.command[0], "serve", "--port", "0", *arguments]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command, env=server.env, stdout=log, stderr=log, stdin=subprocess.DEVNULL
        )
        try:
            code = process.wait(8)
        except subprocess.TimeoutExpired:
            code = None
            process.terminate()
            process.wait(20)
        log.seek(0)
        return code, log.read().decode(errors="replace").strip()


def write_mode(source: Path | None) -> Figures:
    """8. LOAD of a URL outside --allow-service, the guard's dry run, binding beyond loopback."""
    recorder = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    port = recorder.server_address[1]
    threading.Thread(target=recorder.serve_forever, daemon=True).start()
    token = "probe-token"
    allowed = f"http://127.0.0.1:{port}/allowed"
    figures: Figures = {}
    try:
        with _serving(
            "--allow-update",
            "--update-token",
            token,
            "--allow-service",
            allowed,
            source=source,
        ) as server:
            for name in ("data.nt", "data/service.nt"):
                status, body = request(
                    server.port,
                    "POST",
                    "/sparql",
                    headers=(
                        ("Content-Type", "application/sparql-update"),
                        ("Authorization", f"Bearer {token}"),
                    ),
                    body=f"LOAD <http://127.0.0.1:{port}/{name}>".encode(),
                )
                figures[f"LOAD of /{name}, not allowed"] = f"{status} {body.decode()[:70].strip()}"
            figures["URLs fetched"] = list(_Recorder.fetched)
    finally:
        recorder.shutdown()
    code, printed = _announced(["--host", "0.0.0.0"], source)
    figures["--host 0.0.0.0"] = printed.splitlines()[:3]
    code, printed = _announced(
        ["--host", "0.0.0.0", "--allow-update", "--update-token", token], source
    )
    figures["--host 0.0.0.0 --allow-update"] = {"exit": code, "printed": printed.splitlines()[:3]}
    return figures


def host_header(source: Path | None) -> Figures:
    """9. The service description, asked for with a forged Host header."""
    with _serving(source=source) as server:
        status, body = request(
            server.port, "GET", "/sparql", headers=(("Host", "evil.example:666"),)
        )
    return {"status": status, "forged host in the description": b"evil.example" in body}


def own_data(source: Path | None) -> Figures:
    """10. Serving only a user's file, with a graph name of the user's choosing."""
    with tempfile.TemporaryDirectory(prefix="kgtool-probe-") as folder:
        data = Path(folder) / "mine.ttl"
        data.write_text(f"<{KGD}Mine> <http://example.org/p> 1 .\n", encoding="utf-8")
        code, printed = _announced(["--no-shipped-graph", "--data", str(data)], source)
        if code is not None:
            return {"exit": code, "printed": printed.splitlines()[-1:]}
        with _serving("--no-shipped-graph", "--data", str(data), source=source) as server:
            status, body = request(
                server.port,
                "POST",
                "/sparql",
                headers=(("Content-Type", "application/sparql-query"), ("Accept", "text/csv")),
                body=b"SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o }",
            )
    return {"status": status, "triples served": body.decode().split()[-1:]}


PROBES: dict[int, Callable[[Path | None], Figures]] = {
    1: memory,
    2: event_loop,
    3: starvation,
    4: nesting,
    5: headers,
    6: relative_iris,
    7: unknown_parameters,
    8: write_mode,
    9: host_header,
    10: own_data,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kgtool.bench.probes",
        description="Issue 13's attacks on kgtool serve, one figure per finding.",
    )
    parser.add_argument("--kgtool-source", type=Path, help="run kgtool serve from this tree")
    parser.add_argument("--only", type=int, nargs="+", choices=sorted(PROBES), metavar="N")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    figures: dict[str, Figures] = {}
    for number in args.only or sorted(PROBES):
        probe = PROBES[number]
        print(f"probe {number}: {(probe.__doc__ or '').splitlines()[0]}", flush=True)
        figures[str(number)] = probe(args.kgtool_source)
        print(json.dumps(figures[str(number)], indent=2, ensure_ascii=False), flush=True)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
