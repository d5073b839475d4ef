"""`python -m kgtool.bench`: kgtool beside the same engine used raw, like for like.

On synthetic graphs (`kgtool.bench.synthetic`) of the sizes asked for, beside the shipped
graph, one run measures on the same machine, each load in a fresh process and kgtool's turn
alternating with its baseline's (ABAB), medians of `--repeat`:

- load time and peak memory: kgtool (`KnowledgeGraph.load`, the reach it derives at load
  included) against raw pyoxigraph loading the same files into the same named graphs with
  `Store.load`, the call kgtool makes (the baseline); beside them `Store.bulk_load`, parsing
  alone (the floor under any load), rdflib (within `--bound`) and `oxigraph load`;
- each named query's latency: kgtool against the same bound query text on raw pyoxigraph over
  the same triples (the ones kgtool derives at load given to it as a file), and on Oxigraph's
  on-disk server and rdflib beside;
- the cold start of the README's own command, `kgtool query measures-reaching --param
  target=…`, against a bare pyoxigraph script loading the same files and running the same
  query;
- `kgtool serve` without its cache against Oxigraph's server holding the same data in memory
  (the baseline), on a lookup and each named query that answers within a second, with wrk;
  beside them Oxigraph's on-disk server, kgtool with its cache (reported apart) and the floor
  under any Python endpoint (`kgtool.bench.floor`: what the HTTP stack alone costs);
- SHACL: pySHACL through kgtool, the shapes as SPARQL (`kgtool.fastcheck`) on kgtool, raw
  pyoxigraph and Oxigraph's server, and on an edit's nodes only.

It prints the tables and every ratio with its baseline and target, and writes the figures as
JSON (`--json`), the tables (`--markdown`) and a plot (`--plot`). The machine's load average
is recorded at the start and end of each size. Loopback only; every process is bounded.

Over 500 lines: the benchmark's steps, in the order of its report.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
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
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

import kgtool
from kgtool import catalog, fastcheck, resources
from kgtool.bench import measure, report
from kgtool.bench.endpoint import (
    BenchError,
    kgtool_server,
    measure_endpoint,
    oxigraph_in_memory,
    oxigraph_on_disk,
    python_floor,
)
from kgtool.bench.synthetic import Summary, generate
from kgtool.catalog import bind, coerce
from kgtool.namespaces import GRAPH, KGD
from kgtool.terms import IRI

#: A query slower than this (seconds) on raw pyoxigraph is not put under concurrent load.
ENDPOINT_MAX_LATENCY = 1.0
#: Nodes an "edit" touches, for validating only what changed.
EDIT_NODES = 200
#: The systems whose named-query latencies are measured at every size.
_QUERIED = ("kgtool", "pyoxigraph", "oxigraph")


def child(kind: str, task: dict[str, Any], folder: Path, bound: float) -> dict[str, Any]:
    """Run `python -m kgtool.bench.measure KIND` on `task`: what it reported before `bound`
    seconds (a process stopped at its bound says so)."""
    path = folder / f"task-{time.monotonic_ns()}.json"
    path.write_text(json.dumps(task), encoding="utf-8")
    figures: dict[str, Any] = {}
    command = [sys.executable, "-m", "kgtool.bench.measure", kind, str(path)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
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


def _medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The last run's figures (it ran the queries), with load, memory and import times as the
    median over all runs."""
    figures = dict(runs[-1])
    for key in ("load_s", "peak_mb", "import_s"):
        values = [run[key] for run in runs if key in run]
        if values:
            figures[key] = statistics.median(values)
    figures["load_runs"] = sum("load_s" in run for run in runs)
    return figures


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


def _write_derived(extra: list[str], path: Path) -> None:
    """The triples kgtool derives at load (who meets which criterion, which measures reach
    whom), as N-Triples, for the raw systems: they must answer from the same triples."""
    from kgtool.graph import KnowledgeGraph

    store = KnowledgeGraph.load(extra=extra).store.oxigraph
    quads = store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH.derived))
    ox.serialize((quad.triple for quad in quads), output=path, format=ox.RdfFormat.N_TRIPLES)


def _load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


class Bench:
    """One run: the sizes measured in turn, remembering each query's time to skip at the next
    size what would pass the bound there."""

    def __init__(self, args: argparse.Namespace, folder: Path) -> None:
        self.args = args
        self.folder = folder
        self.catalog = catalog.folder(args.queries) if args.queries else catalog.shipped()
        self.shipped = [(str(source.file), source.graph) for source in resources.shipped_sources()]
        self.checks = [check.sparql for check in fastcheck.compile()]
        #: system -> query label -> (synthetic triples, seconds) at the last size measured
        self.latest: dict[str, dict[str, tuple[int, float]]] = {}
        self._pyshacl_seconds: float | None = None

    def say(self, text: str) -> None:
        if self.args.log:
            print(f"[bench {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)

    def named(self, summary: Summary | None) -> dict[str, tuple[str, dict[str, str]]]:
        """Each named query with the example entity it runs for, and the queries for a fixed
        subject once more for the hub (the company most claims are about)."""
        roles = {
            "claimant": "claimant",
            "subject": "company",
            "entity": "company",
            "target": "company",
        }
        chosen: dict[str, tuple[str, dict[str, str]]] = {}
        for query in self.catalog.all():
            params: dict[str, str] = {}
            if summary is not None:
                for param in query.params:
                    if param.kind == "entity":
                        role = (
                            "person"
                            if query.name == "affiliations"
                            else roles.get(param.name, "company")
                        )
                        params[param.name] = summary.examples[role]
            chosen[query.name] = (query.name, params)
            if summary is not None and query.name in report.OUTPUT_SENSITIVE:
                hub = {name: summary.examples["hub"] for name in params}
                chosen[f"{query.name} (hub)"] = (query.name, hub)
        return chosen

    def sparql(self, named: dict[str, tuple[str, dict[str, str]]]) -> dict[str, str]:
        """The same queries as plain SPARQL, parameters bound as kgtool binds them."""
        return {
            label: bind(
                self.catalog.get(name), coerce(self.catalog.get(name), params, lambda t: IRI(t))
            )
            for label, (name, params) in named.items()
        }

    def predicted_slow(self, system: str, triples: int | None) -> dict[str, str]:
        """The queries `system` would take over `--bound` seconds on at this size, each with
        why: its time at the last size, grown in proportion to the graph."""
        if triples is None:
            return {}
        slow = {}
        for name, (before, seconds) in self.latest.get(system, {}).items():
            predicted = seconds * triples / before
            if predicted > self.args.bound:
                slow[name] = (
                    f"predicted over {self.args.bound:g} s "
                    f"(took {seconds:.1f} s at {report.label(before)} triples)"
                )
        return slow

    def remember(self, figures: dict[str, Any], triples: int) -> None:
        for system in _QUERIED:
            for key, entry in figures.get(system, {}).items():
                if key.startswith("query:") and isinstance(entry, dict):
                    name = key.removeprefix("query:")
                    if "median_s" in entry:
                        self.latest.setdefault(system, {})[name] = (triples, entry["median_s"])
                    elif "error" in entry or "skipped" in entry:
                        self.latest.setdefault(system, {})[name] = (triples, self.args.bound)

    def size(self, triples: int | None) -> dict[str, Any]:
        """Every figure for the shipped graph plus a synthetic graph of `triples` (or none)."""
        args = self.args
        name = report.label(triples)
        figures: dict[str, Any] = {"triples_requested": triples, "load_average": {}}
        figures["load_average"]["start"] = _load_average()
        summary: Summary | None = None
        files = list(self.shipped)
        if triples is not None:
            started = time.perf_counter()
            summary = generate(self.folder / f"synthetic-{triples}.nt", triples, args.seed)
            figures["generate_s"] = time.perf_counter() - started
            figures["triples_generated"] = summary.triples
            figures["examples"] = summary.examples
            files.append((str(summary.path), summary.path.resolve().as_uri()))
        extra = [str(summary.path)] if summary else []
        derived = self.folder / f"derived-{name}.nt"
        _write_derived(extra, derived)
        files.append((str(derived), GRAPH.derived))
        os.sync()  # written out before any load is timed
        named = self.named(summary)
        sparql = self.sparql(named)
        if args.only == "endpoint":
            figures["pyoxigraph"] = _raw_latencies(files, sparql)
            if shutil.which("wrk") and args.seconds > 0:
                figures["endpoint"] = self._endpoint(None, files, extra, sparql, figures, summary)
            figures["load_average"]["end"] = _load_average()
            return figures
        skipped = {system: self.predicted_slow(system, triples) for system in _QUERIED}
        self._loads(figures, files, extra, named, sparql, skipped, summary)
        self.say(f"{name}: rdflib (bound {args.bound:g} s)")
        rdflib_task = {
            "files": files,
            "queries": sparql,
            "shapes": str(resources.shipped_shapes().file),
        }
        figures["rdflib"] = child("rdflib", rdflib_task, self.folder, args.bound)
        figures["kgtool"]["pyshacl"] = self._bounded_pyshacl(extra)
        self.say(f"{name}: Oxigraph's on-disk server")
        location = self.folder / "oxigraph"
        figures["oxigraph"] = self._oxigraph(location, files, sparql, skipped["oxigraph"])
        self.say(f"{name}: cold start")
        figures["cold"] = self._cold(extra, files, named, sparql)
        if shutil.which("wrk") and args.seconds > 0:
            figures["endpoint"] = self._endpoint(location, files, extra, sparql, figures, summary)
        shutil.rmtree(location, ignore_errors=True)
        for system, reasons in skipped.items():
            for label, reason in reasons.items():
                figures[system]["query:" + label] = {"skipped": reason}
        if summary is not None:
            self.remember(figures, summary.triples)
        figures["load_average"]["end"] = _load_average()
        return figures

    def _loads(
        self,
        figures: dict[str, Any],
        files: list[tuple[str, str]],
        extra: list[str],
        named: dict[str, tuple[str, dict[str, str]]],
        sparql: dict[str, str],
        skipped: dict[str, dict[str, str]],
        summary: Summary | None,
    ) -> None:
        """kgtool, raw `Store.load`, `bulk_load` and parsing alone, taking turns (ABAB), so
        that neither always goes first; the last kgtool and Store.load runs ask the queries."""
        args = self.args
        common = {"repeat": args.repeat, "slow": args.slow}
        edit = self.edit(summary) if summary else []
        runs: dict[str, list[dict[str, Any]]] = {
            "kgtool": [],
            "pyoxigraph": [],
            "bulk_load": [],
            "parse": [],
        }
        self.say(f"{report.label(figures['triples_requested'])}: loads, taking turns")
        for turn in range(args.repeat):
            last = turn == args.repeat - 1
            kgtool_task = {
                **common,
                "extra": extra,
                "queries_folder": args.queries,
                "named": {k: v for k, v in named.items() if k not in skipped["kgtool"]}
                if last
                else {},
                "fastcheck": last,
                "pyshacl": False,
                "edit": edit,
            }
            store_task = {
                **common,
                "files": files,
                "method": "load",
                "queries": {k: v for k, v in sparql.items() if k not in skipped["pyoxigraph"]}
                if last
                else {},
                "checks": self.checks if last else [],
            }
            order = [
                ("kgtool", "kgtool", kgtool_task),
                ("pyoxigraph", "load", store_task),
                (
                    "bulk_load",
                    "load",
                    {**store_task, "method": "bulk_load", "queries": {}, "checks": []},
                ),
                ("parse", "parse", {"files": files}),
            ]
            # ABAB: the baseline goes first on every other turn
            if turn % 2:
                order[0], order[1] = order[1], order[0]
            for system, kind, task in order:
                runs[system].append(child(kind, task, self.folder, args.process_bound))
        for system, measured in runs.items():
            figures[system] = _medians(measured)

    def edit(self, summary: Summary) -> list[str]:
        """The nodes an edit would touch: the last entities written, of several kinds."""
        touched = []
        for kind in ("claim", "segment", "company", "person", "role"):
            count = summary.counts.get(kind, 0)
            touched += [f"{KGD}syn-{kind}-{n}" for n in range(count, max(0, count - 40), -1)]
        return touched[:EDIT_NODES]

    def _bounded_pyshacl(self, extra: list[str]) -> dict[str, Any]:
        previous = self._pyshacl_seconds
        if previous is not None and previous > self.args.bound / 5:
            return {
                "skipped": f"predicted over {self.args.bound:g} s "
                f"(took {previous:.0f} s at a tenth of the size)"
            }
        task = {
            "repeat": 1,
            "slow": 0,
            "extra": extra,
            "queries_folder": None,
            "named": {},
            "fastcheck": False,
            "pyshacl": True,
            "edit": [],
        }
        run = child("kgtool", task, self.folder, self.args.bound)
        if "pyshacl" not in run:
            self._pyshacl_seconds = float(self.args.bound) * 10
            return {"skipped": f"over {self.args.bound:g} s"}
        self._pyshacl_seconds = run["pyshacl"]["median_s"]
        return dict(run["pyshacl"])

    def _oxigraph(
        self,
        location: Path,
        files: list[tuple[str, str]],
        sparql: dict[str, str],
        skipped: dict[str, str],
    ) -> dict[str, Any]:
        """`oxigraph load` into an on-disk store, then each query on its read-only server."""
        from kgtool.bench.endpoint import _tool

        runs = []
        for _ in range(self.args.repeat):
            shutil.rmtree(location, ignore_errors=True)
            task = {"files": files, "oxigraph": _tool("oxigraph"), "location": str(location)}
            runs.append(child("oxigraph-load", task, self.folder, self.args.process_bound))
        figures = _medians(runs)
        with oxigraph_on_disk(location, timeout=self.args.bound) as endpoint:
            for label, query in sparql.items():
                if label not in skipped:
                    figures["query:" + label] = self._http_timed(endpoint, query)
            started = time.perf_counter()
            try:
                for query in self.checks:
                    _post(endpoint, query, self.args.process_bound)
            except (OSError, ValueError) as error:
                # a check the server stopped at its timeout ends its answer mid-way: reported,
                # not fatal to the run (a 1M run once died here, after 50 minutes)
                figures["fastcheck"] = {"error": f"{type(error).__name__}: {error}"[:200]}
            else:
                figures["fastcheck"] = {"median_s": time.perf_counter() - started, "runs": 1}
        return figures

    def _http_timed(self, endpoint: str, sparql: str) -> dict[str, Any]:
        times: list[float] = []
        rows = 0
        for _ in range(self.args.repeat):
            started = time.perf_counter()
            try:
                rows = _post(endpoint, sparql, self.args.process_bound)
            except (OSError, ValueError) as error:  # ValueError: an answer cut at the timeout
                return {"error": f"{type(error).__name__}: {error}"[:200]}
            times.append(time.perf_counter() - started)
            if times[0] > self.args.slow:
                break
        return {"median_s": statistics.median(times), "runs": len(times), "rows": rows}

    def _cold(
        self,
        extra: list[str],
        files: list[tuple[str, str]],
        named: dict[str, tuple[str, dict[str, str]]],
        sparql: dict[str, str],
    ) -> dict[str, Any]:
        """The README's own command from a cold start, and a bare pyoxigraph script doing the
        same, taking turns."""
        _, params = named["measures-reaching"]
        target = params.get("target", "DeepSeek")
        data = [argument for path in extra for argument in ("--data", path)]
        script = shutil.which("kgtool")
        if script is None:
            raise BenchError("the kgtool command is not installed (pip install -e .)")
        command = [script, "query", "measures-reaching", "--param", f"target={target}", *data]
        task = self.folder / "cold.json"
        task.write_text(
            json.dumps({"files": files, "query": sparql["measures-reaching"]}), encoding="utf-8"
        )
        # The bare script runs as a file of its own: `-m kgtool.bench.measure` would import
        # the kgtool package first and charge its imports to the baseline.
        bare = [sys.executable, str(Path(measure.__file__).resolve()), "bare", str(task)]
        # Compiled once, as pip does at install: with PYTHONDONTWRITEBYTECODE set (as on the
        # machines the team measures on) every run would compile kgtool's modules again.
        compileall.compile_dir(str(Path(kgtool.__file__).parent), quiet=1)
        times: dict[str, list[float]] = {"kgtool": [], "pyoxigraph": []}
        for turn in range(self.args.repeat):
            order = [("kgtool", command), ("pyoxigraph", bare)]
            for system, run in order[::-1] if turn % 2 else order:
                started = time.perf_counter()
                subprocess.run(run, check=True, capture_output=True)
                times[system].append(time.perf_counter() - started)
        return {f"{system}_s": statistics.median(t) for system, t in times.items()} | {
            "command": "kgtool query measures-reaching --param target=…"
        }

    def _endpoint(
        self,
        location: Path | None,
        files: list[tuple[str, str]],
        extra: list[str],
        sparql: dict[str, str],
        figures: dict[str, Any],
        summary: Summary | None,
    ) -> dict[str, Any]:
        """wrk against kgtool (no cache: the target; cached: apart) and Oxigraph's server in
        memory (the baseline) and on disk (without `location`: the first two alone), on a
        lookup and each query fast enough; `--endpoint-rounds` rounds taking turns (ABAB),
        each figure the run with the median requests/s."""
        args = self.args
        entity = summary.examples["company"] if summary else KGD + "DeepSeek"
        lookup = (
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
            f"SELECT ?label WHERE {{ <{entity}> rdfs:label ?label }}"
        )
        chosen = {"lookup": lookup}
        for label, query in sparql.items():
            latency = figures["pyoxigraph"].get("query:" + label, {}).get("median_s")
            if latency is not None and latency < ENDPOINT_MAX_LATENCY:
                chosen[label] = query
        result: dict[str, Any] = {
            "not measured (over 1 s on raw pyoxigraph)": sorted(set(sparql) - set(chosen))
        }

        def measure(url: str, query: str) -> dict[str, Any]:
            try:
                return measure_endpoint(url, query, args.seconds, args.connections, timeout=10)
            except Exception as error:  # a failed wrk run is a figure too
                return {"error": str(error)}

        data = [argument for path in extra for argument in ("--data", path)]
        self.say(f"{report.label(figures['triples_requested'])}: endpoints under wrk")
        with contextlib.ExitStack() as started:
            servers = {
                "kgtool uncached": started.enter_context(kgtool_server(*data, "--cache", "0"))
                + "/sparql",
                "oxigraph in memory": started.enter_context(oxigraph_in_memory(files)),
                "python floor": started.enter_context(python_floor(files)),
            }
            if location is not None:
                servers["oxigraph on disk"] = started.enter_context(oxigraph_on_disk(location))
                servers["kgtool cached"] = started.enter_context(kgtool_server(*data)) + "/sparql"
            rounds: dict[str, dict[str, list[dict[str, Any]]]] = {}
            for turn in range(args.endpoint_rounds):
                for label, query in chosen.items():
                    self.say(f"endpoint {label} (round {turn + 1} of {args.endpoint_rounds})")
                    for system, url in servers.items():
                        rounds.setdefault(label, {}).setdefault(system, []).append(
                            measure(url, query)
                        )
                        # Oxigraph goes on answering the requests still queued when wrk
                        # stops: let them finish before the next measurement.
                        single = figures["pyoxigraph"].get("query:" + label, {}).get("median_s")
                        pause = args.connections * (single or 0.0) / (os.cpu_count() or 1)
                        time.sleep(min(30.0, pause))
        for label, measured in rounds.items():
            result[label] = {system: _median_run(runs) for system, runs in measured.items()}
        return result


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median requests/s (the lower middle one of an even number), with every
    run's requests/s beside it; a failed run counts as zero."""
    ranked = sorted(runs, key=lambda run: run.get("rps") or 0.0)
    chosen = dict(ranked[(len(ranked) - 1) // 2])
    if len(runs) > 1:
        chosen["rounds_rps"] = [run.get("rps") for run in runs]
    return chosen


def _raw_latencies(files: list[tuple[str, str]], sparql: dict[str, str]) -> dict[str, Any]:
    """Each query's time on raw pyoxigraph over the same files (one run after a warm-up), for
    `--only endpoint`: it chooses which queries go under load, and the pause after each."""
    store = ox.Store()
    for path, graph in files:
        rdf_format = ox.RdfFormat.from_extension(path.rsplit(".", 1)[-1])
        store.load(path=path, format=rdf_format, to_graph=ox.NamedNode(graph))
    figures: dict[str, Any] = {}
    for label, query in sparql.items():
        for _warm_up_then_timed in range(2):
            started = time.perf_counter()
            result = store.query(query, use_default_graph_as_union=True)
            if not isinstance(result, ox.QueryBoolean):
                list(result)
        figures["query:" + label] = {"median_s": time.perf_counter() - started}
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kgtool.bench",
        description="Measure kgtool beside raw pyoxigraph, rdflib and Oxigraph's server "
        "on synthetic graphs, like for like.",
        epilog="examples:\n  python -m kgtool.bench --sizes 10000,100000,1000000 "
        "--json docs/benchmarks.json --plot docs/benchmarks.png --markdown table.md\n"
        "  python -m kgtool.bench --only endpoint --sizes 10000 --endpoint-rounds 3",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--sizes", default="10000,100000,1000000", help="synthetic triples")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures as JSON")
    parser.add_argument("--plot", type=Path, metavar="FILE.png", help="plot cost against size")
    parser.add_argument("--markdown", type=Path, metavar="FILE", help="write the tables")
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
        help="time bound for rdflib, pySHACL and one query, per size (60)",
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
    parser.add_argument(
        "--endpoint-rounds",
        type=int,
        default=1,
        metavar="N",
        help="endpoint measurements per server and query, taking turns; the median is kept (1)",
    )
    parser.add_argument(
        "--only",
        choices=["endpoint"],
        help="run one step alone: endpoint = kgtool serve --cache 0 against oxigraph serve "
        "(in memory) under wrk, each query timed once on raw pyoxigraph to choose those "
        "under load (no loads, cold start, on-disk server, cache, SHACL, plot)",
    )
    parser.add_argument("--queries", metavar="DIR", help="benchmark this folder of named queries")
    parser.add_argument("--no-article", action="store_true", help="skip the article's graph")
    parser.add_argument("--quiet", dest="log", action="store_false", help="no progress lines")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    started = time.perf_counter()
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="kgtool-bench-") as folder:
        bench = Bench(args, Path(folder))
        for size in ([] if args.no_article else [None]) + sizes:
            results[report.label(size)] = bench.size(size)
    found = report.ratios(results, sizes)
    if args.only == "endpoint":
        found = [
            entry
            for entry in found
            if entry["name"].startswith("endpoint ")
            and (entry["value"] is not None or entry["target"] is not None)
        ]
    document: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "pyoxigraph": ox.__version__,
        },
        "command": " ".join(
            ["python -m kgtool.bench", *(argv if argv is not None else sys.argv[1:])]
        ),
        "seconds": round(time.perf_counter() - started, 1),
        "results": results,
        "ratios": found,
    }
    text = report.endpoint_table(results) if args.only == "endpoint" else report.table(results)
    print(text)
    print(report.verdicts(found))
    print(f"bench took {document['seconds']:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    if args.plot and args.only is None:
        print(report.plot(results, args.plot))
    return 0
