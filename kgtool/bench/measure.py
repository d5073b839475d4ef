"""The measuring processes of `python -m kgtool.bench`, each in a fresh interpreter.

    python -m kgtool.bench.measure KIND TASK.json

KIND is one of `MEASURES`. Each reads its task (JSON) and prints one JSON object per line as it
goes ({"key": ..., "value": ...}), so that a process stopped at its time bound still reports
what it finished. A fresh process per measurement keeps one system's memory and caches out of
another's figures.
"""

from __future__ import annotations

import gc
import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any


def say(key: str, value: Any) -> None:
    print(json.dumps({"key": key, "value": value}), flush=True)


def peak_mb() -> float:
    """The high-water mark of this process's own memory (VmHWM). ru_maxrss is not used: on
    Linux it keeps the parent's mark from before exec, which swamps the small graphs."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(run: Callable[[], int], repeat: int, slow: float) -> dict[str, Any]:
    """Median seconds of `repeat` runs (one, if the first is slower than `slow`), and rows."""
    times, rows = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        rows = run()
        times.append(time.perf_counter() - started)
        if times[0] > slow:
            break
    return {"median_s": statistics.median(times), "runs": len(times), "rows": rows}


def _named(kg: Any, name: str, params: dict[str, str]) -> int:
    return len(kg.query(name, params=params).rows)


def _rows(graph: Any, queries: list[str]) -> int:
    """How many solutions the queries give together, over the union of the graphs."""
    return sum(len(list(graph.query(q, use_default_graph_as_union=True))) for q in queries)


def _rdflib_rows(graph: Any, sparql: str) -> int:
    return len(list(graph.query(sparql)))


def rdf_format(path: str) -> Any:
    """pyoxigraph's format for a data file: N-Triples for `.nt`, Turtle otherwise."""
    import pyoxigraph as ox

    return ox.RdfFormat.N_TRIPLES if path.endswith(".nt") else ox.RdfFormat.TURTLE


def kgtool(task: dict[str, Any]) -> None:
    """`KnowledgeGraph.load` (the reach derivation included), then the named queries."""
    started = time.perf_counter()
    from kgtool import KnowledgeGraph, fastcheck

    say("import_s", time.perf_counter() - started)
    started = time.perf_counter()
    kg = KnowledgeGraph.load(extra=task["extra"], queries=task["queries_folder"])
    say("load_s", time.perf_counter() - started)
    say("peak_mb", peak_mb())
    repeat, slow = task["repeat"], task["slow"]
    for label, (name, params) in task["named"].items():
        say("query:" + label, timed(partial(_named, kg, name, params), repeat, slow))
    if task["fastcheck"]:
        say("fastcheck", timed(lambda: len(fastcheck.validate(kg).results), repeat, slow))
        edit = task["edit"]
        say(
            "fastcheck edit",
            timed(lambda: len(fastcheck.validate(kg, focus=edit).results), repeat, slow),
        )
    if task["pyshacl"]:
        started = time.perf_counter()
        report = kg.validate()
        say(
            "pyshacl",
            {"median_s": time.perf_counter() - started, "runs": 1, "rows": len(report.results)},
        )


def store(task: dict[str, Any]) -> None:
    """Raw pyoxigraph: each file into the named graph kgtool gives it, by `Store.load` (the
    call kgtool makes) or `Store.bulk_load` (task["method"]); then the same queries over the
    union of the graphs, as kgtool asks them."""
    import pyoxigraph as ox

    started = time.perf_counter()
    graph = ox.Store()
    for path, name in task["files"]:
        target = ox.NamedNode(name)
        if task["method"] == "bulk_load":
            graph.bulk_load(path=path, format=rdf_format(path), base_iri=name, to_graph=target)
        else:
            graph.load(path=path, format=rdf_format(path), base_iri=name, to_graph=target)
    say("load_s", time.perf_counter() - started)
    say("peak_mb", peak_mb())
    repeat, slow = task["repeat"], task["slow"]
    for label, sparql in task["queries"].items():
        say("query:" + label, timed(partial(_rows, graph, [sparql]), repeat, slow))
    if task["checks"]:
        say("fastcheck", timed(partial(_rows, graph, task["checks"]), repeat, slow))


def parse(task: dict[str, Any]) -> None:
    """The floor under any load: parsing every triple of the files, storing none."""
    import pyoxigraph as ox

    started = time.perf_counter()
    count = 0
    for path, name in task["files"]:
        for _ in ox.parse(path=path, format=rdf_format(path), base_iri=name):
            count += 1
    say("load_s", time.perf_counter() - started)
    say("triples", count)


def rdflib(task: dict[str, Any]) -> None:
    """rdflib: parse, optionally pySHACL on it, then the queries (some fail there)."""
    import rdflib as rdf

    started = time.perf_counter()
    graph = rdf.Graph()
    for path, name in task["files"]:
        graph.parse(path, publicID=name, format="nt" if path.endswith(".nt") else "turtle")
    say("load_s", time.perf_counter() - started)
    say("peak_mb", peak_mb())
    if task.get("shapes"):
        import pyshacl

        shapes = rdf.Graph().parse(task["shapes"], format="turtle")
        started = time.perf_counter()
        conforms = pyshacl.validate(
            graph, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
        )[0]
        seconds = time.perf_counter() - started
        say("pyshacl", {"median_s": seconds, "runs": 1, "rows": int(not conforms)})
    for label, sparql in task["queries"].items():
        try:
            say("query:" + label, timed(partial(_rdflib_rows, graph, sparql), 1, 0))
        except Exception as error:  # rdflib fails on some queries (unbound GROUP_CONCAT values)
            say("query:" + label, {"error": repr(error)[:200]})


def bare(task: dict[str, Any]) -> None:
    """What a researcher would write without kgtool, for the cold start: load the same files
    as kgtool does (Store.load into their graphs), run the same bound query, print JSON."""
    import pyoxigraph as ox

    graph = ox.Store()
    for path, name in task["files"]:
        graph.load(path=path, format=rdf_format(path), base_iri=name, to_graph=ox.NamedNode(name))
    result = graph.query(task["query"], use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    sys.stdout.buffer.write(result.serialize(format=ox.QueryResultsFormat.JSON) or b"")


def oxigraph_load(task: dict[str, Any]) -> None:
    """Oxigraph's own loader into an on-disk store, the store its read-only server opens."""
    started = time.perf_counter()
    for path, name in task["files"]:
        command = [
            task["oxigraph"],
            "load",
            "--location",
            task["location"],
            "--file",
            path,
            "--graph",
            name,
            "--base",
            name,
        ]
        subprocess.run(command, check=True, capture_output=True)
    say("load_s", time.perf_counter() - started)
    say("peak_mb", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


MEASURES: dict[str, Callable[[dict[str, Any]], None]] = {
    "kgtool": kgtool,
    "load": store,
    "parse": parse,
    "rdflib": rdflib,
    "bare": bare,
    "oxigraph-load": oxigraph_load,
}


def main(argv: Sequence[str] | None = None) -> int:
    kind, path = list(sys.argv[1:] if argv is None else argv)
    with open(path, encoding="utf-8") as file:
        task = json.load(file)
    # The collector is left as each system leaves it: kgtool's own choices are measured.
    gc.collect()
    MEASURES[kind](task)
    return 0


if __name__ == "__main__":
    sys.exit(main())
