"""The soak benchmark: `kgtool serve` and Oxigraph's server under the same hostile mixed traffic.

    python -m kgtool.bench.soak                       # 5 minutes per server, both servers
    python -m kgtool.bench.soak --seconds 60 --systems kgtool --json soak.json

Each server gets, for the same time, the same clients (one process each, each from its own
127.0.0.N address): cached and unique lookups, named queries, queries that run until the
timeout, distinct 1 MB queries, 10,000-deep nesting, and malformed HTTP (a 1 MB header,
garbage, a bad chunked body, a body shorter than declared, an idle connection, an unfinished
head). It prints, per class of traffic, the requests, throughput, p50 and p99 latency and the
answers by status code, and per server its resident memory at start, end and peak, how often
it died (and was started again), and how many query processes it replaced (stopped at the
timeout, or crashed).
A figure is a measurement of one run on a shared machine: compare the two columns, and
repeat before trusting a small difference.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from kgtool.bench.endpoint import BenchError
from kgtool.bench.traffic import (
    CHEAP,
    DEEP,
    MALFORMED,
    PATHOLOGICAL,
    SUBJECTS,
    Client,
    Request,
    Server,
    Tally,
    kgtool_server,
    load_oxigraph,
    lookup,
    oversized,
    oxigraph_server,
    query_request,
    source_address,
)

#: The classes of traffic: how many clients each, and the pause between a client's requests.
CLASSES: tuple[tuple[str, int, float], ...] = (
    ("cached lookup", 2, 0.0),
    ("unique lookup", 1, 0.0),
    ("named query", 1, 0.0),
    ("timeout-length query", 2, 0.0),
    ("1 MB query", 1, 1.0),
    ("10k-deep nesting", 1, 5.0),
    ("malformed HTTP", 1, 1.0),
)
#: The query timeout both servers are started with (seconds).
TIMEOUT = 10
#: No client sends more than this many requests, whatever the duration.
MAX_REQUESTS = 2_000_000


@dataclass(frozen=True)
class Plan:
    """What one client process does: which traffic, to which server, until when."""

    traffic: str
    system: str
    port: int
    query_path: str
    index: int
    deadline: float
    #: Named queries as (kgtool's /queries URL, the same query's SPARQL text).
    named: tuple[tuple[str, str], ...]
    pause: float
    #: Requests per second on a fixed schedule, each latency counted from the time it was
    #: due (so a stalled server cannot hide by delaying the requests); 0: a closed loop.
    rate: float = 0.0
    timeout: float = 30.0


def _request(plan: Plan, i: int) -> Request:
    """The `i`-th request of a client."""
    path = plan.query_path
    if plan.traffic == "cached lookup":
        return query_request(path, lookup(SUBJECTS[i % len(SUBJECTS)]))
    if plan.traffic == "unique lookup":
        return query_request(path, lookup(SUBJECTS[i % len(SUBJECTS)], f"{plan.index}.{i}"))
    if plan.traffic == "named query":
        url, sparql = plan.named[i % len(plan.named)]
        if plan.system == "kgtool":
            return Request("GET", url, (("Accept", "application/sparql-results+json"),))
        return query_request(path, sparql)
    if plan.traffic == "cheap query":
        return query_request(path, f"{CHEAP} # {plan.index}.{i}")
    if plan.traffic == "timeout-length query":
        return query_request(path, f"{PATHOLOGICAL} # {plan.index}.{i}")
    if plan.traffic == "1 MB query":
        return query_request(path, oversized(plan.index * MAX_REQUESTS + i))
    if plan.traffic == "10k-deep nesting":
        kinds = sorted(DEEP)
        return query_request(path, DEEP[kinds[i % len(kinds)]]())
    raise ValueError(f"no such traffic: {plan.traffic}")


def run_client(plan: Plan) -> Tally:
    """One client's closed loop: send, wait for the answer, pause, until the deadline."""
    tally = Tally()
    source = source_address(plan.index)
    client = Client(plan.port, source, plan.timeout)
    started = time.monotonic()
    attacks = sorted(MALFORMED)
    due = time.monotonic()
    i = 0
    while time.time() < plan.deadline and i < MAX_REQUESTS:
        if plan.rate:
            time.sleep(max(0.0, due - time.monotonic()))
            begin, due = due, due + 1 / plan.rate
        else:
            begin = time.monotonic()
        if plan.traffic == "malformed HTTP":
            outcome: int | str = MALFORMED[attacks[i % len(attacks)]](plan.port, source)
        else:
            outcome, _ = client.send(_request(plan, i))
        tally.add(outcome, time.monotonic() - begin)
        i += 1
        if plan.pause:
            time.sleep(min(plan.pause, max(0.0, plan.deadline - time.time())))
    client.close()
    tally.seconds = time.monotonic() - started
    return tally


def _named_queries() -> tuple[tuple[str, str], ...]:
    """Each named query with its default parameters: kgtool's URL and its SPARQL text."""
    from kgtool.graph import KnowledgeGraph

    kg = KnowledgeGraph.load()
    return tuple((f"/queries/{query.name}", query.sparql) for query in kg.queries())


def soak(
    server: Server,
    seconds: float,
    named: tuple[tuple[str, str], ...],
    skip: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Run every class of traffic but those in `skip` against a started server for
    `seconds`; the figures."""
    rss_start = server.rss_mb()
    peak = list(rss_start)
    done = threading.Event()

    def watch() -> None:  # memory peaks, and a server that died is started again
        while not done.wait(1.0):
            if server.revive():
                print(f"soak: {server.name} died; started again", file=sys.stderr, flush=True)
            main, total = server.rss_mb()
            peak[0], peak[1] = max(peak[0], main), max(peak[1], total)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    deadline = time.time() + seconds
    plans: list[Plan] = []
    for traffic, count, pause in CLASSES:
        if traffic in skip:
            continue
        for _ in range(count):
            plans.append(
                Plan(
                    traffic,
                    server.name,
                    server.port,
                    server.query_path,
                    len(plans),
                    deadline,
                    named,
                    pause,
                )
            )
    tallies = {traffic: Tally() for traffic, _, _ in CLASSES if traffic not in skip}
    with ProcessPoolExecutor(max_workers=len(plans), mp_context=get_context("spawn")) as pool:
        for plan, tally in zip(plans, pool.map(run_client, plans), strict=True):
            tallies[plan.traffic].merge(tally)
    done.set()
    watcher.join(5)
    rss_end = server.rss_mb()
    return {
        "traffic": {name: tally.summary() for name, tally in tallies.items()},
        "rss_mb": {
            "start": [round(v, 1) for v in rss_start],
            "end": [round(v, 1) for v in rss_end],
            "peak": [round(v, 1) for v in peak],
        },
        "server_restarts": server.restarts,
        "query_processes_started": server.processes_started(),
        "query_processes_replaced": list(server.processes_replaced()),
    }


def table(figures: dict[str, dict[str, Any]]) -> str:
    """The figures as a Markdown table, one column per server."""
    systems = list(figures)
    lines = [
        "| | " + " | ".join(systems) + " |",
        "| --- |" + " ---: |" * len(systems),
    ]

    def row(label: str, cells: list[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    for traffic, _, _ in CLASSES:
        runs = [figures[s]["traffic"].get(traffic) for s in systems]
        if not any(runs):
            continue
        row(
            f"{traffic}: requests (per s)",
            [f"{r['requests']:,} ({r['per_second']:,})" if r else "not sent" for r in runs],
        )
        if traffic != "malformed HTTP":
            row(
                f"{traffic}: p50 / p99 ms",
                [f"{r['p50_ms']} / {r['p99_ms']}" if r else "" for r in runs],
            )
        row(
            f"{traffic}: answers",
            [", ".join(f"{k}: {v:,}" for k, v in r["statuses"].items()) if r else "" for r in runs],
        )
    for label, key in (("start", "start"), ("end", "end"), ("peak", "peak")):
        row(
            f"RSS at {label}, MB (server / with query processes)",
            [" / ".join(str(v) for v in figures[s]["rss_mb"][key]) for s in systems],
        )
    row("server died (started again)", [str(figures[s]["server_restarts"]) for s in systems])
    row(
        "query processes replaced (of them crashed)",
        [
            "{} ({})".format(*figures[s]["query_processes_replaced"])
            if s.startswith("kgtool")
            else "no query processes"
            for s in systems
        ],
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kgtool.bench.soak",
        description="kgtool serve and Oxigraph's server under the same mixed hostile traffic.",
    )
    parser.add_argument("--seconds", type=float, default=300, help="per server (300)")
    parser.add_argument(
        "--systems", default="kgtool,oxigraph", help="kgtool, oxigraph or both (the default)"
    )
    parser.add_argument(
        "--kgtool-source",
        type=Path,
        help="run kgtool serve from this source tree (to compare an older version)",
    )
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=[traffic for traffic, _, _ in CLASSES],
        metavar="CLASS",
        help="leave this class of traffic out (to see a server that another class kills)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    systems = [name.strip() for name in args.systems.split(",") if name.strip()]
    unknown = set(systems) - {"kgtool", "oxigraph"}
    if unknown or not systems:
        parser.error(f"--systems takes kgtool and oxigraph, not {', '.join(sorted(unknown))}")
    named = _named_queries()
    figures: dict[str, dict[str, Any]] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="kgtool-soak-") as folder:
            for system in systems:
                if system == "kgtool":
                    server = kgtool_server(
                        "--timeout",
                        str(TIMEOUT),
                        source=args.kgtool_source,
                        log=Path(folder) / "kgtool.log",
                    )
                else:
                    location = Path(folder) / "oxigraph"
                    load_oxigraph(location)
                    server = oxigraph_server(location, TIMEOUT, log=Path(folder) / "oxigraph.log")
                server.start()
                print(f"soak: {system} for {args.seconds:g} s", file=sys.stderr, flush=True)
                try:
                    figures[system] = soak(server, args.seconds, named, frozenset(args.skip))
                finally:
                    server.stop()
    except BenchError as error:  # a missing tool, or a server that would not start
        print(f"soak: {error}", file=sys.stderr)
        return 4
    print(table(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
