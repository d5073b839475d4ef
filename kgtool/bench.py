"""`python -m kgtool.bench`: kgtool beside raw pyoxigraph, rdflib and Oxigraph's server.

On synthetic graphs (`kgtool.synthetic`) of the sizes asked for, beside the shipped graph, one
run measures, side by side and on the same machine:

- load time and peak memory (ru_maxrss), each in a fresh process: kgtool
  (`KnowledgeGraph.load`), raw pyoxigraph (`Store.bulk_load`), rdflib (`Graph.parse`, within
  `--bound` seconds) and Oxigraph's server (`oxigraph load`);
- each named query's latency (median of `--repeat` runs): kgtool, the same bound SPARQL on raw
  pyoxigraph and on `oxigraph serve-read-only`, and on rdflib within `--bound`;
- `kgtool query` cold-start wall time beside a bare pyoxigraph script doing the same;
- `kgtool serve` throughput and p50/p99 latency under `--connections` concurrent connections
  for `--seconds` each (wrk, through `kgtool.server.bench.measure_endpoint`) beside Oxigraph's
  server, on a trivial lookup and on each named query that answers within a second;
- SHACL validation: pySHACL through kgtool (`kgtool validate`) and on plain rdflib, within
  `--bound`; the shapes as SPARQL (`kgtool.fastcheck`) on kgtool, raw pyoxigraph and
  Oxigraph's server; and `fastcheck` on just the nodes of an edit.

It prints the tables, writes the figures as JSON (`--json`, with a list `ratios` of
{"name", "value", "target", "op", "met"} for each target that applies at the sizes run), a
Markdown table (`--markdown`) and a plot of cost against graph size (`--plot`, with
matplotlib). Loopback only; every load is bounded in time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kgtool import fastcheck, resources
from kgtool.catalog import Catalog, bind, coerce
from kgtool.synthetic import Summary, generate
from kgtool.terms import IRI

#: Targets: (name, op, target), `op` saying whether the ratio must be at most or at least it.
TARGETS = {
    "load": ("<=", 1.3),
    "memory": ("<=", 2.0),
    "measures-reaching": ("<=", 1.5),
    "measures-reaching growth": ("<=", 3.0),
    "cold query": ("<=", 3.0),
    "endpoint named": (">=", 1.0),
    "endpoint lookup": (">=", 0.25),
}
#: The size the load, memory and query targets are stated at.
TARGET_SIZE = 1_000_000
#: A query slower than this (seconds) on raw pyoxigraph is not put under concurrent load.
ENDPOINT_MAX_LATENCY = 1.0
#: Nodes an "edit" touches, for validating only what changed.
EDIT_NODES = 200

# ----------------------------------------------------------------------------------------------
# The measuring processes. Each reads a task (JSON) and prints one JSON object per line as it
# goes, so a process stopped at its time bound still reports what it finished.

_PRELUDE = r"""
import json, resource, statistics, sys, time
task = json.load(open(sys.argv[1], encoding="utf-8"))
def say(key, value):
    print(json.dumps({"key": key, "value": value}), flush=True)
def rss():
    # The high-water mark of this process's own memory. ru_maxrss is not used: on Linux it
    # keeps the parent's mark from before exec, which swamps the small graphs.
    for line in open("/proc/self/status", encoding="ascii"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
def timed(run, repeat):
    times, rows = [], None
    for attempt in range(repeat):
        start = time.perf_counter()
        rows = run()
        times.append(time.perf_counter() - start)
        if times[0] > task["slow"]:
            break
    return {"median_s": statistics.median(times), "runs": len(times), "rows": rows}
"""

_RAW = (
    _PRELUDE
    + r"""
import pyoxigraph as ox
start = time.perf_counter()
store = ox.Store()
for path, base in task["files"]:
    store.bulk_load(path=path, base_iri=base)
say("load_s", time.perf_counter() - start)
say("maxrss_mb", rss())
for name, sparql in task["queries"].items():
    say("query:" + name, timed(lambda: len(list(store.query(sparql))), task["repeat"]))
if task["checks"]:
    def check():
        union = {"use_default_graph_as_union": True}
        return sum(len(list(store.query(q, **union))) for q in task["checks"])
    say("fastcheck", timed(check, task["repeat"]))
"""
)

_RDFLIB = (
    _PRELUDE
    + r"""
import rdflib
start = time.perf_counter()
graph = rdflib.Graph()
for path, base in task["files"]:
    graph.parse(path, publicID=base, format="nt" if path.endswith(".nt") else "turtle")
say("load_s", time.perf_counter() - start)
say("maxrss_mb", rss())
if task.get("shapes"):
    import pyshacl
    shapes = rdflib.Graph().parse(task["shapes"], format="turtle")
    start = time.perf_counter()
    conforms = pyshacl.validate(graph, shacl_graph=shapes, inference="none", advanced=True,
                                allow_warnings=True)[0]
    say("pyshacl", {"median_s": time.perf_counter() - start, "runs": 1, "rows": int(not conforms)})
for name, sparql in task["queries"].items():
    try:
        say("query:" + name, timed(lambda: len(list(graph.query(sparql))), 1))
    except Exception as error:  # rdflib fails on some queries (unbound GROUP_CONCAT values)
        say("query:" + name, {"error": repr(error)[:200]})
"""
)

_KGTOOL = (
    _PRELUDE
    + r"""
start = time.perf_counter()
from kgtool import KnowledgeGraph, fastcheck
say("import_s", time.perf_counter() - start)
start = time.perf_counter()
kg = KnowledgeGraph.load(extra=task["extra"], queries=task["queries_folder"])
say("load_s", time.perf_counter() - start)
say("maxrss_mb", rss())
for name, (query, params) in task["named"].items():
    say("query:" + name, timed(lambda: len(kg.query(query, **params).rows), task["repeat"]))
if task["fastcheck"]:
    say("fastcheck", timed(lambda: len(fastcheck.validate(kg).results), task["repeat"]))
    say("fastcheck edit", timed(
        lambda: len(fastcheck.validate(kg, focus=task["edit"]).results), task["repeat"]))
if task["pyshacl"]:
    start = time.perf_counter()
    report = kg.validate()
    seconds = time.perf_counter() - start
    say("pyshacl", {"median_s": seconds, "runs": 1, "rows": len(report.results)})
"""
)

_OXIGRAPH_LOAD = r"""
import json, resource, subprocess, sys, time
task = json.load(open(sys.argv[1], encoding="utf-8"))
start = time.perf_counter()
for path, base in task["files"]:
    subprocess.run([task["oxigraph"], "load", "--location", task["location"], "--file", path,
                    "--base", base], check=True, capture_output=True)
print(json.dumps({"key": "load_s", "value": time.perf_counter() - start}))
maxrss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"key": "maxrss_mb", "value": maxrss}))
"""

_BARE_QUERY = r"""
import sys, pyoxigraph as ox
store = ox.Store()
files = sys.argv[2:]
for path, base in zip(files[::2], files[1::2]):
    store.bulk_load(path=path, base_iri=base)
result = store.query(open(sys.argv[1], encoding="utf-8").read())
sys.stdout.buffer.write(result.serialize(format=ox.QueryResultsFormat.JSON))
"""


def _child(code: str, task: dict[str, Any], folder: Path, bound: float) -> dict[str, Any]:
    """Run a measuring process on `task`; what it reported before `bound` seconds."""
    path = folder / f"task-{time.monotonic_ns()}.json"
    path.write_text(json.dumps(task), encoding="utf-8")
    figures: dict[str, Any] = {}
    with subprocess.Popen(
        [sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True
    ) as process:
        try:
            out, _ = process.communicate(timeout=bound)
        except subprocess.TimeoutExpired:
            process.kill()
            out, _ = process.communicate()
            figures["stopped_at_s"] = bound
        if process.returncode not in (0, None) and "stopped_at_s" not in figures:
            figures["error"] = f"exit {process.returncode}"
    for line in out.splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            figures[entry["key"]] = entry["value"]
    return figures


def _median_of(runs: Sequence[dict[str, Any]], key: str) -> float | None:
    values = [run[key] for run in runs if key in run]
    return statistics.median(values) if values else None


# ----------------------------------------------------------------------------------------------
# Servers


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _post(url: str, sparql: str, timeout: float) -> int:
    request = urllib.request.Request(
        url,
        data=sparql.encode("utf-8"),
        headers={
            "Content-Type": "application/sparql-query",
            "Accept": "application/sparql-results+json",
        },
    )
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        return len(json.loads(answer.read())["results"]["bindings"])


@contextmanager
def _oxigraph(location: Path, timeout: float | None = None) -> Iterator[str]:
    """Oxigraph's read-only server on `location`. With `timeout`, the server stops a query itself
    (a client that gives up does not stop it), but then it runs each request on a thread of its
    own and aborts under wrk's load (Oxigraph 0.5.13: "failed to allocate an alternative stack"),
    so throughput is measured on a server without it."""
    from kgtool.server.bench import _process

    port = _free_port()
    command = [
        _tool("oxigraph"),
        "serve-read-only",
        "--location",
        str(location),
        "--bind",
        f"127.0.0.1:{port}",
    ]
    if timeout is not None:
        command += ["--timeout-s", f"{max(1, round(timeout))}"]
    with _process(command, f"http://127.0.0.1:{port}/query") as endpoint:
        yield endpoint


#: The systems whose named-query latencies are measured at every size (rdflib has its own bound).
_QUERIED = ("kgtool", "pyoxigraph", "oxigraph")


def _without(queries: dict[str, Any], skipped: dict[str, str]) -> dict[str, Any]:
    return {label: query for label, query in queries.items() if label not in skipped}


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"bench: the {name} command is missing")
    return found


# ----------------------------------------------------------------------------------------------
# One size


class _Run:
    def __init__(self, args: argparse.Namespace, folder: Path) -> None:
        self.args = args
        self.folder = folder
        self.catalog = (
            Catalog(resources.query_folder(args.queries), folder=str(args.queries))
            if args.queries
            else Catalog(resources.shipped_queries())
        )
        self.shipped = [(str(source.file), source.graph) for source in resources.shipped_sources()]
        self.checks = fastcheck.compile()
        self.log = args.log
        #: system -> query label -> (synthetic triples, seconds) at the last size measured
        self.latest: dict[str, dict[str, tuple[int, float]]] = {}

    def say(self, text: str) -> None:
        if self.log:
            print(f"[bench {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)

    def named(self, summary: Summary | None) -> dict[str, tuple[str, dict[str, str]]]:
        """Each named query with the parameters it runs with: the example entities."""
        chosen: dict[str, tuple[str, dict[str, str]]] = {}
        for query in self.catalog.all():
            params: dict[str, str] = {}
            if summary is not None:
                for param in query.params:
                    if param.kind == "entity":
                        role = "claimant" if param.name == "claimant" else "company"
                        params[param.name] = summary.examples[role]
            chosen[query.name] = (query.name, params)
        if summary is not None and "measures-reaching" in chosen:
            chosen["measures-reaching (hub)"] = (
                "measures-reaching",
                {"target": summary.examples["hub"]},
            )
        return chosen

    def sparql(self, named: dict[str, tuple[str, dict[str, str]]]) -> dict[str, str]:
        """The same queries as plain SPARQL, parameters bound as kgtool binds them."""
        return {
            label: bind(
                self.catalog.get(name), coerce(self.catalog.get(name), params, lambda t: IRI(t))
            )
            for label, (name, params) in named.items()
        }

    def size(self, triples: int | None) -> dict[str, Any]:
        args = self.args
        figures: dict[str, Any] = {"triples_requested": triples}
        summary: Summary | None = None
        files = list(self.shipped)
        if triples is not None:
            started = time.perf_counter()
            summary = generate(self.folder / f"synthetic-{triples}.nt", triples, args.seed)
            os.sync()  # written out before any load is timed
            figures["generate_s"] = time.perf_counter() - started
            figures["triples_generated"] = summary.triples
            figures["examples"] = summary.examples
            files.append((str(summary.path), summary.path.resolve().as_uri()))
        extra = [str(summary.path)] if summary else []
        # The other systems run the same query text on the same triples: the reach kgtool
        # derives at load goes to them as a file (its cost counts in kgtool's load only).
        derived = self.folder / f"derived-{triples or 'article'}.nt"
        _write_derived(extra, derived)
        files.append((str(derived), derived.resolve().as_uri()))
        named = self.named(summary)
        sparql = self.sparql(named)
        checks = [check.sparql for check in self.checks]
        edit = self.edit(summary) if summary else []
        common = {"repeat": args.repeat, "slow": args.slow}
        skipped = {system: self.predicted_slow(system, triples) for system in _QUERIED}

        self.say(f"{triples or 'article'}: kgtool and raw pyoxigraph, turn about")
        kgtool_runs, raw_runs = [], []
        # Turn about, so that neither system always goes first (the freshly written file's
        # pages are still being flushed to disk while the first load reads it).
        for last in self._repeats():
            kgtool_runs.append(
                _child(
                    _KGTOOL,
                    {
                        **common,
                        "extra": extra,
                        "queries_folder": args.queries,
                        "named": _without(named, skipped["kgtool"]) if last else {},
                        "fastcheck": last,
                        "pyshacl": False,
                        "edit": edit,
                    },
                    self.folder,
                    args.process_bound,
                )
            )
            raw_runs.append(
                _child(
                    _RAW,
                    {
                        **common,
                        "files": files,
                        "queries": _without(sparql, skipped["pyoxigraph"]) if last else {},
                        "checks": checks if last else [],
                    },
                    self.folder,
                    args.process_bound,
                )
            )
        figures["kgtool"] = self._system(kgtool_runs)
        figures["pyoxigraph"] = self._system(raw_runs)

        self.say(f"{triples or 'article'}: pySHACL through kgtool (bound {args.bound:g} s)")
        figures["kgtool"]["pyshacl"] = self._bounded_pyshacl(extra, triples)
        self.say(f"{triples or 'article'}: rdflib (bound {args.bound:g} s)")
        figures["rdflib"] = self._system(
            [
                _child(
                    _RDFLIB,
                    {
                        **common,
                        "files": files,
                        "queries": dict(sorted(sparql.items(), key=lambda i: "reaching" in i[0])),
                        "shapes": str(resources.shipped_shapes().file),
                    },
                    self.folder,
                    args.bound,
                )
            ]
        )
        self.say(f"{triples or 'article'}: Oxigraph server")
        figures["oxigraph"], location = self._oxigraph_load(files)
        figures["cold"] = self._cold(extra, files, sparql.get("measures", ""))
        with _oxigraph(location, args.bound) as endpoint:
            server = figures["oxigraph"]
            for label, query in _without(sparql, skipped["oxigraph"]).items():
                server["query:" + label] = self._http_timed(endpoint, query)
            started = time.perf_counter()
            for query in checks:
                _post(endpoint, query, args.process_bound)
            server["fastcheck"] = {"median_s": time.perf_counter() - started, "runs": 1}
        if shutil.which("wrk") and args.seconds > 0:
            with _oxigraph(location) as endpoint:
                figures["endpoint"] = self._endpoint(endpoint, extra, sparql, figures, summary)
        shutil.rmtree(location, ignore_errors=True)
        for system, reasons in skipped.items():
            for label, reason in reasons.items():
                figures[system]["query:" + label] = {"skipped": reason}
        if summary is not None:
            self.remember(figures, summary.triples)
        return figures

    def predicted_slow(self, system: str, triples: int | None) -> dict[str, str]:
        """The queries `system` would take over `--bound` seconds on at this size, each with
        why: its time at the last size, grown in proportion to the graph."""
        if triples is None:
            return {}
        slow = {}
        for label, (before, seconds) in self.latest.get(system, {}).items():
            predicted = seconds * triples / before
            if predicted > self.args.bound:
                slow[label] = (
                    f"predicted over {self.args.bound:g} s "
                    f"(took {seconds:.1f} s at {_label(before)} triples)"
                )
        return slow

    def remember(self, figures: dict[str, Any], triples: int) -> None:
        for system in _QUERIED:
            for key, entry in figures.get(system, {}).items():
                if key.startswith("query:") and isinstance(entry, dict):
                    label = key.removeprefix("query:")
                    if "median_s" in entry:
                        self.latest.setdefault(system, {})[label] = (triples, entry["median_s"])
                    elif "error" in entry or "skipped" in entry:
                        # timed out or skipped: slower than the bound
                        self.latest.setdefault(system, {})[label] = (triples, self.args.bound)

    def _repeats(self) -> list[bool]:
        """One flag per repeat of a load: True for the last, which also runs the queries."""
        return [False] * (self.args.repeat - 1) + [True]

    @staticmethod
    def _system(runs: list[dict[str, Any]]) -> dict[str, Any]:
        figures = dict(runs[-1])
        for key in ("load_s", "maxrss_mb", "import_s"):
            value = _median_of(runs, key)
            if value is not None:
                figures[key] = value
        figures["load_runs"] = sum("load_s" in run for run in runs)
        return figures

    def edit(self, summary: Summary) -> list[str]:
        """The nodes an edit would touch: the last entities written, of several kinds."""
        from kgtool.namespaces import KGD

        touched = []
        for kind in ("claim", "segment", "company", "person", "role"):
            count = summary.counts.get(kind, 0)
            touched += [f"{KGD}syn-{kind}-{n}" for n in range(count, max(0, count - 40), -1)]
        return touched[:EDIT_NODES]

    def _bounded_pyshacl(self, extra: list[str], triples: int | None) -> dict[str, Any]:
        previous = self.__dict__.get("_pyshacl_seconds")
        if previous is not None and triples is not None and previous > self.args.bound / 5:
            return {
                "skipped": f"predicted over {self.args.bound:g} s "
                f"(took {previous:.0f} s at a tenth of the size)"
            }
        run = _child(
            _KGTOOL,
            {
                "repeat": 1,
                "slow": 0,
                "extra": extra,
                "queries_folder": None,
                "named": {},
                "fastcheck": False,
                "pyshacl": True,
                "edit": [],
            },
            self.folder,
            self.args.bound,
        )
        if "pyshacl" not in run:
            self._pyshacl_seconds = float(self.args.bound) * 10
            return {"skipped": f"over {self.args.bound:g} s"}
        self._pyshacl_seconds = run["pyshacl"]["median_s"]
        return dict(run["pyshacl"])

    def _oxigraph_load(self, files: list[tuple[str, str]]) -> tuple[dict[str, Any], Path]:
        runs = []
        location = self.folder / "oxigraph"
        for _ in range(self.args.repeat):
            shutil.rmtree(location, ignore_errors=True)
            task = {"files": files, "oxigraph": _tool("oxigraph"), "location": str(location)}
            runs.append(_child(_OXIGRAPH_LOAD, task, self.folder, self.args.process_bound))
        return self._system(runs), location

    def _http_timed(self, endpoint: str, sparql: str) -> dict[str, Any]:
        times: list[float] = []
        rows = 0
        for _ in range(self.args.repeat):
            started = time.perf_counter()
            try:
                rows = _post(endpoint, sparql, self.args.process_bound)
            except OSError as error:
                return {"error": str(error)}
            times.append(time.perf_counter() - started)
            if times[0] > self.args.slow:
                break
        return {"median_s": statistics.median(times), "runs": len(times), "rows": rows}

    def _cold(
        self, extra: list[str], files: list[tuple[str, str]], measures: str
    ) -> dict[str, Any]:
        """`kgtool query measures` from a cold start, and a bare pyoxigraph script alike."""
        query_file = self.folder / "cold.rq"
        query_file.write_text(measures, encoding="utf-8")
        data = [argument for path in extra for argument in ("--data", path)]
        kgtool = [_tool("kgtool"), "query", "measures", "--format", "json", *data]
        bare = [sys.executable, "-c", _BARE_QUERY, str(query_file), *[x for f in files for x in f]]
        figures: dict[str, Any] = {}
        for name, command in (("kgtool", kgtool), ("pyoxigraph", bare)):
            times = []
            for _ in range(self.args.repeat):
                started = time.perf_counter()
                subprocess.run(command, check=True, capture_output=True)
                times.append(time.perf_counter() - started)
            figures[name + "_s"] = statistics.median(times)
        return figures

    def _endpoint(
        self,
        oxigraph: str,
        extra: list[str],
        sparql: dict[str, str],
        figures: dict[str, Any],
        summary: Summary | None,
    ) -> dict[str, Any]:
        from kgtool.server.bench import kgtool_server, measure_endpoint

        args = self.args
        entity = summary.examples["company"] if summary else "https://w3id.org/kgtool/id/DeepSeek"
        lookup = (
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
            f"SELECT ?label WHERE {{ <{entity}> rdfs:label ?label }}"
        )
        chosen = {"lookup": lookup}
        for label, query in sparql.items():
            latency = figures["pyoxigraph"].get("query:" + label, {}).get("median_s")
            if latency is not None and latency < ENDPOINT_MAX_LATENCY:
                chosen[label] = query
        skipped = sorted(set(sparql) - set(chosen))
        result: dict[str, Any] = {"skipped (over 1 s on raw pyoxigraph)": skipped}

        def measure(url: str, query: str) -> dict[str, Any]:
            try:
                return measure_endpoint(url, query, args.seconds, args.connections, timeout=10)
            except Exception as error:  # a failed wrk run is a figure too
                return {"error": str(error)}

        data = [argument for path in extra for argument in ("--data", path)]
        with kgtool_server(*data) as kgtool, kgtool_server(*data, "--cache", "0") as uncached:
            for label, query in chosen.items():
                self.say(f"endpoint {label}")
                result[label] = {"oxigraph": measure(oxigraph, query)}
                # Oxigraph goes on answering the requests still queued when wrk stops: let it
                # finish them before the next measurement.
                single = figures["oxigraph"].get("query:" + label, {}).get("median_s", 0.0)
                time.sleep(min(30.0, args.connections * single / (os.cpu_count() or 1)))
                result[label] |= {
                    "kgtool": measure(kgtool + "/sparql", query),
                    "kgtool uncached": measure(uncached + "/sparql", query),
                }
        return result


# ----------------------------------------------------------------------------------------------
# Ratios, tables, plot


def _write_derived(extra: list[str], path: Path) -> None:
    """The triples kgtool derives when it loads the shipped graph and `extra`, as N-Triples."""
    import gc

    from kgtool.graph import KnowledgeGraph
    from kgtool.namespaces import GRAPH

    store = KnowledgeGraph.load(extra=extra).store.oxigraph
    quads = store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH.derived))
    ox.serialize((quad.triple for quad in quads), output=path, format=ox.RdfFormat.N_TRIPLES)
    del store
    gc.collect()


def _label(size: int | None) -> str:
    if size is None:
        return "article"
    for unit, name in ((1_000_000, "M"), (1_000, "k")):
        if size >= unit and size % unit == 0:
            return f"{size // unit}{name}"
    return str(size)


def _value(figures: dict[str, Any], system: str, key: str) -> float | None:
    entry = figures.get(system, {}).get(key)
    if isinstance(entry, dict):
        entry = entry.get("median_s")
    return float(entry) if isinstance(entry, int | float) else None


def _ratio(name: str, target: str, value: float | None) -> dict[str, Any] | None:
    if value is None:
        return None
    op, limit = TARGETS[target]
    met = value <= limit if op == "<=" else value >= limit
    return {"name": name, "value": round(value, 3), "target": limit, "op": op, "met": met}


def ratios(results: dict[str, dict[str, Any]], sizes: Sequence[int]) -> list[dict[str, Any]]:
    """The targets that apply at the sizes run, with the measured ratios."""
    found: list[dict[str, Any] | None] = []

    def over(figures: dict[str, Any], a: str, b: str, key: str) -> float | None:
        x, y = _value(figures, a, key), _value(figures, b, key)
        return x / y if x is not None and y else None

    for size in sizes:
        figures, label = results[_label(size)], _label(size)
        if size == TARGET_SIZE:
            found.append(
                _ratio(
                    f"load time kgtool/pyoxigraph at {label}",
                    "load",
                    over(figures, "kgtool", "pyoxigraph", "load_s"),
                )
            )
            found.append(
                _ratio(
                    f"peak memory kgtool/pyoxigraph at {label}",
                    "memory",
                    over(figures, "kgtool", "pyoxigraph", "maxrss_mb"),
                )
            )
            found.append(
                _ratio(
                    f"measures-reaching kgtool/pyoxigraph at {label}",
                    "measures-reaching",
                    over(figures, "kgtool", "pyoxigraph", "query:measures-reaching"),
                )
            )
    small, large = _label(10_000), _label(TARGET_SIZE)
    if small in results and large in results:
        a = _value(results[large], "kgtool", "query:measures-reaching")
        b = _value(results[small], "kgtool", "query:measures-reaching")
        found.append(
            _ratio(
                f"measures-reaching growth {small} to {large} (kgtool)",
                "measures-reaching growth",
                a / b if a and b else None,
            )
        )
    for label, figures in results.items():
        cold = figures.get("cold", {})
        if cold.get("kgtool_s") and cold.get("pyoxigraph_s"):
            found.append(
                _ratio(
                    f"cold query kgtool/bare pyoxigraph at {label}",
                    "cold query",
                    cold["kgtool_s"] / cold["pyoxigraph_s"],
                )
            )
        for query, measured in figures.get("endpoint", {}).items():
            if not isinstance(measured, dict):
                continue
            theirs = measured.get("oxigraph", {}).get("rps")
            target = "endpoint lookup" if query == "lookup" else "endpoint named"
            # with its answer cache, and without it (every request evaluated)
            for server, name in (("kgtool", "kgtool"), ("kgtool uncached", "kgtool --cache 0")):
                ours = measured.get(server, {}).get("rps")
                if ours is not None and theirs:
                    found.append(
                        _ratio(
                            f"endpoint throughput {name}/oxigraph {query} at {label}",
                            target,
                            ours / theirs,
                        )
                    )
    return [entry for entry in found if entry is not None]


def _cell(value: Any, unit: str = "") -> str:
    if isinstance(value, dict):
        if "skipped" in value:
            return "skipped"
        if "error" in value:
            return "error"
        value = value.get("median_s")
        unit = "ms" if unit == "" else unit
    if value is None:
        return "skipped"
    if unit == "ms":
        return f"{value * 1000:.1f}"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def _throughput_ratio(ours: dict[str, Any], theirs: dict[str, Any]) -> str:
    if ours.get("rps") and theirs.get("rps"):
        return f"{ours['rps'] / theirs['rps']:.2f}"
    return ""


def table(results: dict[str, dict[str, Any]]) -> str:
    """The figures as a Markdown table: one row per measure and size, one column per system."""
    systems = ("kgtool", "pyoxigraph", "rdflib", "oxigraph")
    header = (
        "| measure | graph | kgtool | pyoxigraph | rdflib | Oxigraph server | kgtool ÷ pyoxigraph |"
    )
    lines = [header, "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    keys: list[tuple[str, str]] = [("load time (s)", "load_s"), ("peak memory (MB)", "maxrss_mb")]
    queries = sorted(
        {
            k
            for f in results.values()
            for s in systems
            for k in f.get(s, {})
            if k.startswith("query:")
        }
    )
    keys += [(f"{k[6:]} (ms)", k) for k in queries]
    keys += [
        ("SHACL, shapes as SPARQL (ms)", "fastcheck"),
        ("SHACL, only an edit's nodes (ms)", "fastcheck edit"),
        ("SHACL, pySHACL (ms)", "pyshacl"),
    ]
    for title, key in keys:
        for label, figures in results.items():
            cells = []
            for system in systems:
                entry = figures.get(system, {}).get(key)
                if (
                    key == "load_s"
                    and system == "rdflib"
                    and "load_s" not in figures.get(system, {})
                ):
                    entry = None
                cells.append(_cell(entry, "ms" if key not in ("load_s", "maxrss_mb") else ""))
            a, b = _value(figures, "kgtool", key), _value(figures, "pyoxigraph", key)
            ratio = f"{a / b:.2f}" if a is not None and b else ""
            lines.append(f"| {title} | {label} | " + " | ".join(cells) + f" | {ratio} |")
    lines += [
        "",
        "| cold start, `kgtool query measures` vs a bare pyoxigraph script (s) | graph "
        "| kgtool | pyoxigraph | ratio |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for label, figures in results.items():
        cold = figures.get("cold", {})
        if cold:
            lines.append(
                f"| | {label} | {cold['kgtool_s']:.2f} | {cold['pyoxigraph_s']:.2f} | "
                f"{cold['kgtool_s'] / cold['pyoxigraph_s']:.2f} |"
            )
    lines += [
        "",
        "| endpoint, requests/s (p50 / p99 ms) | graph | kgtool serve | kgtool serve, no cache "
        "| oxigraph serve-read-only | kgtool ÷ Oxigraph | no cache ÷ Oxigraph |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, figures in results.items():
        for query, measured in figures.get("endpoint", {}).items():
            if not isinstance(measured, dict):
                continue

            def shown(entry: dict[str, Any]) -> str:
                if "rps" not in entry:
                    return "error"
                return f"{entry['rps']:.0f} ({entry['p50_ms']:.1f} / {entry['p99_ms']:.1f})"

            ours, uncached, theirs = (
                measured["kgtool"],
                measured["kgtool uncached"],
                measured["oxigraph"],
            )
            lines.append(
                f"| {query} | {label} | {shown(ours)} | {shown(uncached)} | {shown(theirs)} | "
                f"{_throughput_ratio(ours, theirs)} | {_throughput_ratio(uncached, theirs)} |"
            )
    return "\n".join(lines) + "\n"


#: One colour per system in every panel of the plot.
_COLOURS = {
    "kgtool": "tab:blue",
    "pyoxigraph": "tab:orange",
    "rdflib": "tab:green",
    "oxigraph": "tab:red",
}


def plot(results: dict[str, dict[str, Any]], path: Path) -> str:
    """Cost against graph size, log-log; returns a message (matplotlib may be missing)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "no plot: matplotlib is not installed (pip install matplotlib)"
    sized = {f["triples_generated"]: f for f in results.values() if "triples_generated" in f}
    sizes = sorted(sized)
    panels = [
        ("load time (s)", "load_s", 1),
        ("measures-reaching, a typical company (s)", "query:measures-reaching", 1),
        ("SHACL validation (s)", "fastcheck", 1),
    ]
    figure, axes = plt.subplots(1, len(panels), figsize=(15, 4.5))
    for axis, (title, key, _) in zip(axes, panels, strict=True):
        for system, colour in _COLOURS.items():
            points = [(n, _value(sized[n], system, key)) for n in sizes]
            shown = [(n, v) for n, v in points if v is not None]
            if shown:
                axis.plot(*zip(*shown, strict=True), marker="o", label=system, color=colour)
        if key == "fastcheck":
            points = [(n, _value(sized[n], "kgtool", "pyshacl")) for n in sizes]
            shown = [(n, v) for n, v in points if v is not None]
            if shown:
                axis.plot(
                    *zip(*shown, strict=True),
                    marker="x",
                    linestyle="--",
                    label="pySHACL (kgtool validate)",
                    color="tab:purple",
                )
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("synthetic triples")
        axis.set_title(title)
        axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    return f"plot written to {path}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kgtool.bench",
        description="Measure kgtool beside raw pyoxigraph, rdflib and Oxigraph's server "
        "on synthetic graphs.",
        epilog="example:\n  python -m kgtool.bench --sizes 10000,100000,1000000 "
        "--json bench.json --plot bench.png --markdown docs/benchmarks.md",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--sizes", default="10000,100000,1000000", help="synthetic triples")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures as JSON")
    parser.add_argument("--plot", type=Path, metavar="FILE.png", help="plot cost against size")
    parser.add_argument("--markdown", type=Path, metavar="FILE", help="write the table")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    parser.add_argument(
        "--slow",
        type=float,
        default=5.0,
        metavar="S",
        help="a query slower than S seconds is run once (5)",
    )
    parser.add_argument(
        "--bound",
        type=float,
        default=60.0,
        metavar="S",
        help="time bound for rdflib and pySHACL, per size (60)",
    )
    parser.add_argument(
        "--process-bound",
        type=float,
        default=600.0,
        metavar="S",
        help="time bound for any other measuring process (600)",
    )
    parser.add_argument("--seconds", type=float, default=3, help="per endpoint measurement (3)")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections (4)")
    parser.add_argument("--queries", metavar="DIR", help="benchmark this folder of named queries")
    parser.add_argument("--no-article", action="store_true", help="skip the article's graph")
    parser.add_argument("--quiet", dest="log", action="store_false", help="no progress lines")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    started = time.perf_counter()
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="kgtool-bench-") as folder:
        run = _Run(args, Path(folder))
        for size in ([] if args.no_article else [None]) + sizes:
            results[_label(size)] = run.size(size)
    found = ratios(results, sizes)
    report: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "command": " ".join(
            ["python -m kgtool.bench", *(argv if argv is not None else sys.argv[1:])]
        ),
        "seconds": round(time.perf_counter() - started, 1),
        "results": results,
        "ratios": found,
    }
    text = table(results)
    print(text)
    for entry in found:
        verdict = "met" if entry["met"] else "MISSED"
        print(
            f"{entry['name']}: {entry['value']} (target {entry['op']} {entry['target']}) {verdict}"
        )
    print(f"bench took {report['seconds']:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    if args.plot:
        print(plot(results, args.plot))
    return 0


if __name__ == "__main__":
    sys.exit(main())
