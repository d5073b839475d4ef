"""What `python -m kgtool.bench` concludes: the target ratios, each against a named baseline,
the Markdown tables and the plot.

Every ratio is kgtool's figure over its baseline's, measured in the same run on the same data:
a baseline is named in each ratio (`baseline`), and a pair the baseline could not complete is
reported as such (`value` None, `why`), never dropped. Cached endpoint figures are reported
apart and are never a target: a dictionary lookup is not query evaluation.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

#: target -> (op, limit): the ratio must be at most (<=) or at least (>=) the limit.
TARGETS: dict[str, tuple[str, float]] = {
    "load": ("<=", 1.1),
    "memory": ("<=", 1.1),
    "cold query": ("<=", 2.0),
    "endpoint named": (">=", 0.9),
    "endpoint lookup": (">=", 0.5),
    "output-sensitive": ("<=", 2.0),
    "global query": ("<=", 1.2),
    "measures-reaching": ("<=", 1.5),
}
#: The size the load, memory and query targets are stated at, and the small size growth is
#: measured from.
TARGET_SIZE = 1_000_000
SMALL_SIZE = 10_000
#: Queries for a fixed subject whose answer barely grows with the graph: their cost must not.
OUTPUT_SENSITIVE = ("affiliations", "claims-about", "sources-of", "measures-reaching")
#: Queries over the whole graph: within a margin of the engine's own time.
GLOBAL = ("chips", "claims-by", "timeline")
#: Sizes at which the endpoint targets are stated.
ENDPOINT_SIZES = (10_000, 100_000, 1_000_000)


def label(size: int | None) -> str:
    """`1M`, `100k`, `article` (no synthetic graph)."""
    if size is None:
        return "article"
    for unit, name in ((1_000_000, "M"), (1_000, "k")):
        if size >= unit and size % unit == 0:
            return f"{size // unit}{name}"
    return str(size)


def value(figures: dict[str, Any], system: str, key: str) -> float | None:
    """A system's figure: a number, or a measurement's median."""
    entry = figures.get(system, {}).get(key)
    if isinstance(entry, dict):
        entry = entry.get("median_s")
    return float(entry) if isinstance(entry, int | float) else None


def ratio(
    name: str,
    target: str | None,
    ours: float | None,
    theirs: float | None,
    baseline: str,
    *,
    why: str = "",
) -> dict[str, Any]:
    """kgtool's figure over the baseline's, judged against `target` (None: reported only)."""
    found = ours / theirs if ours is not None and theirs else None
    entry: dict[str, Any] = {"name": name, "baseline": baseline, "value": None, "target": None}
    if found is not None:
        entry["value"] = round(found, 3)
    elif not why:
        why = "the baseline gave no figure" if ours is not None else "kgtool gave no figure"
    if target is not None:
        op, limit = TARGETS[target]
        entry |= {"target": limit, "op": op}
        entry["met"] = None if found is None else (found <= limit if op == "<=" else found >= limit)
    if why:
        entry["why"] = why
    return entry


def _why(figures: dict[str, Any], system: str, key: str) -> str:
    entry = figures.get(system, {}).get(key)
    if isinstance(entry, dict):
        return str(entry.get("skipped") or entry.get("error") or "")
    return ""


def ratios(results: dict[str, dict[str, Any]], sizes: Sequence[int]) -> list[dict[str, Any]]:
    """Every target ratio that applies at the sizes run, and the figures reported beside them."""
    found: list[dict[str, Any]] = []
    big = label(TARGET_SIZE)
    if TARGET_SIZE in sizes:
        f = results[big]
        found += [
            ratio(
                f"load at {big}",
                "load",
                value(f, "kgtool", "load_s"),
                value(f, "pyoxigraph", "load_s"),
                "pyoxigraph Store.load",
            ),
            ratio(
                f"peak memory at {big}",
                "memory",
                value(f, "kgtool", "peak_mb"),
                value(f, "pyoxigraph", "peak_mb"),
                "pyoxigraph Store.load",
            ),
            ratio(
                f"load at {big}",
                None,
                value(f, "kgtool", "load_s"),
                value(f, "bulk_load", "load_s"),
                "pyoxigraph Store.bulk_load",
            ),
            ratio(
                f"peak memory at {big}",
                None,
                value(f, "kgtool", "peak_mb"),
                value(f, "bulk_load", "peak_mb"),
                "pyoxigraph Store.bulk_load",
            ),
        ]
        for query in (*GLOBAL, "measures-reaching"):
            key = "query:" + query
            stated = "measures-reaching" if query == "measures-reaching" else "global query"
            found.append(
                ratio(
                    f"{query} at {big}",
                    stated,
                    value(f, "kgtool", key),
                    value(f, "pyoxigraph", key),
                    "raw pyoxigraph, same query text and triples",
                    why=_why(f, "kgtool", key) or _why(f, "pyoxigraph", key),
                )
            )
    for size in sizes:
        f = results[label(size)]
        for system in ("kgtool", "pyoxigraph"):
            found.append(
                ratio(
                    f"{system} load at {label(size)}",
                    None,
                    value(f, system, "load_s"),
                    value(f, "parse", "load_s"),
                    "parsing the same files (the floor)",
                )
            )
    small = label(SMALL_SIZE)
    if SMALL_SIZE in sizes and TARGET_SIZE in sizes:
        for query in OUTPUT_SENSITIVE:
            pairs: tuple[tuple[str, str | None], ...] = (("", "output-sensitive"), (" (hub)", None))
            for suffix, target in pairs:
                key = f"query:{query}{suffix}"
                found.append(
                    ratio(
                        f"{query}{suffix} growth {small} to {big}",
                        target,
                        value(results[big], "kgtool", key),
                        value(results[small], "kgtool", key),
                        f"kgtool at {small}, same subject kind",
                        why=_why(results[big], "kgtool", key),
                    )
                )
    for name, f in results.items():
        cold = f.get("cold", {})
        found.append(
            ratio(
                f"cold start at {name}",
                "cold query",
                cold.get("kgtool_s"),
                cold.get("pyoxigraph_s"),
                "a bare pyoxigraph script, same files and query",
            )
        )
        found += endpoint_ratios(name, f.get("endpoint", {}), f.get("triples_requested"))
    return found


def endpoint_ratios(name: str, endpoint: dict[str, Any], size: int | None) -> list[dict[str, Any]]:
    """Uncached kgtool against Oxigraph's in-memory server (the target), and beside it the
    on-disk server and the floor under a Python endpoint (kgtool over the floor, the floor
    over Oxigraph: the two parts of the distance); kgtool's cache is reported apart, never as
    a target."""
    found = []
    stated = size in ENDPOINT_SIZES
    for query, measured in endpoint.items():
        if not isinstance(measured, dict):
            continue
        target = ("endpoint lookup" if query == "lookup" else "endpoint named") if stated else None
        rps = partial(_rps, measured)
        failed = partial(_failed, measured)

        found.append(
            ratio(
                f"endpoint {query} at {name}",
                target,
                rps("kgtool uncached"),
                rps("oxigraph in memory"),
                "oxigraph serve (in memory), same query and triples",
                why=failed("kgtool uncached") or failed("oxigraph in memory"),
            )
        )
        for ours, theirs, baseline in (
            ("kgtool uncached", "oxigraph on disk", "oxigraph serve-read-only (on disk)"),
            (
                "kgtool uncached",
                "python floor",
                "a bare Python endpoint on the same HTTP stack (kgtool.bench.floor)",
            ),
            (
                "python floor",
                "oxigraph in memory",
                "oxigraph serve (in memory); the floor: a bare Python endpoint",
            ),
            (
                "kgtool cached",
                "oxigraph in memory",
                "oxigraph serve (in memory); kgtool answering from its cache",
            ),
        ):
            found.append(
                ratio(
                    f"endpoint {query} at {name} ({ours} ÷ {theirs})",
                    None,
                    rps(ours),
                    rps(theirs),
                    baseline,
                    why=failed(ours) or failed(theirs),
                )
            )
    return found


def _rps(measured: dict[str, Any], system: str) -> float | None:
    entry = measured.get(system, {})
    return float(entry["rps"]) if entry.get("rps") else None


def _failed(measured: dict[str, Any], system: str) -> str:
    """Why a system has no throughput figure: its error, or no request completed."""
    entry = measured.get(system, {})
    if "error" in entry:
        return f"{system}: {entry['error']}"
    if entry and not entry.get("rps"):
        return f"{system} completed no request"
    return ""


# ----------------------------------------------------------------------------------------------
# Tables


def _cell(entry: Any, unit: str = "ms") -> str:
    if isinstance(entry, dict):
        if "skipped" in entry:
            return "skipped"
        if "error" in entry:
            return "error"
        entry = entry.get("median_s")
    if entry is None:
        return "–"
    if unit == "ms":
        return f"{entry * 1000:.1f}"
    return f"{entry:.2f}" if isinstance(entry, float) else str(entry)


#: Columns of the main table: (system key, heading).
_SYSTEMS = (
    ("kgtool", "kgtool"),
    ("pyoxigraph", "pyoxigraph `Store.load`"),
    ("bulk_load", "pyoxigraph `bulk_load`"),
    ("parse", "parse only"),
    ("rdflib", "rdflib"),
    ("oxigraph", "Oxigraph server (on disk)"),
)


def table(results: dict[str, dict[str, Any]]) -> str:
    """The figures as Markdown: loads, memory and queries per size and system, kgtool over
    raw pyoxigraph (`Store.load`, same text and triples); then cold start; then the endpoint."""
    return _steps_table(results) + endpoint_table(results)


def _steps_table(results: dict[str, dict[str, Any]]) -> str:
    headings = " | ".join(heading for _, heading in _SYSTEMS)
    lines = [
        f"| measure | graph | {headings} | kgtool ÷ pyoxigraph `Store.load` |",
        "| --- | --- |" + " ---: |" * (len(_SYSTEMS) + 1),
    ]
    keys: list[tuple[str, str, str]] = [
        ("load (s)", "load_s", "s"),
        ("peak memory (MB)", "peak_mb", "s"),
    ]
    queries = sorted(
        {
            k
            for f in results.values()
            for s, _ in _SYSTEMS
            for k in f.get(s, {})
            if k.startswith("query:")
        }
    )
    keys += [(f"{k[6:]} (ms)", k, "ms") for k in queries]
    keys += [
        ("SHACL, shapes as SPARQL (ms)", "fastcheck", "ms"),
        ("SHACL, only an edit's nodes (ms)", "fastcheck edit", "ms"),
        ("SHACL, pySHACL (ms)", "pyshacl", "ms"),
    ]
    for title, key, unit in keys:
        for name, figures in results.items():
            cells = [
                _cell(figures.get(system, {}).get(key), unit)
                if key in figures.get(system, {})
                else "–"
                for system, _ in _SYSTEMS
            ]
            a, b = value(figures, "kgtool", key), value(figures, "pyoxigraph", key)
            shown = f"{a / b:.2f}" if a is not None and b else ""
            lines.append(f"| {title} | {name} | " + " | ".join(cells) + f" | {shown} |")
    lines += [
        "",
        "| cold start (s): `kgtool query measures-reaching --param target=…` vs a bare "
        "pyoxigraph script | graph | kgtool | pyoxigraph | ratio |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for name, figures in results.items():
        cold = figures.get("cold", {})
        if cold.get("kgtool_s") and cold.get("pyoxigraph_s"):
            lines.append(
                f"| | {name} | {cold['kgtool_s']:.2f} | {cold['pyoxigraph_s']:.2f} | "
                f"{cold['kgtool_s'] / cold['pyoxigraph_s']:.2f} |"
            )
    return "\n".join(lines) + "\n\n"


def endpoint_table(results: dict[str, dict[str, Any]]) -> str:
    """The endpoint's figures as Markdown: kgtool without its cache over Oxigraph's in-memory
    server (the target), then the floor under a Python endpoint, the on-disk server and
    kgtool's cache beside, apart."""
    lines = [
        "| endpoint, requests/s (p50 / p99 ms) | graph | kgtool, no cache | Oxigraph in memory "
        "| no cache ÷ in memory | Python floor | floor ÷ in memory | Oxigraph on disk "
        "| kgtool, cached (apart) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, figures in results.items():
        for query, measured in figures.get("endpoint", {}).items():
            if not isinstance(measured, dict):
                continue
            ours, theirs, floor = (
                measured.get("kgtool uncached", {}),
                measured.get("oxigraph in memory", {}),
                measured.get("python floor", {}),
            )
            lines.append(
                f"| {query} | {name} | {_throughput(ours)} | {_throughput(theirs)} | "
                + f"{_quotient(ours, theirs)} | {_throughput(floor)} | "
                + f"{_quotient(floor, theirs)} | "
                + f"{_throughput(measured.get('oxigraph on disk', {}))} | "
                + f"{_throughput(measured.get('kgtool cached', {}))} |"
            )
    return "\n".join(lines) + "\n"


def _quotient(ours: dict[str, Any], theirs: dict[str, Any]) -> str:
    return f"{ours['rps'] / theirs['rps']:.2f}" if ours.get("rps") and theirs.get("rps") else "–"


def _throughput(entry: dict[str, Any]) -> str:
    if not entry:
        return "–"
    if "error" in entry:
        return "error"
    if not entry.get("rps"):
        return "no request completed"
    return f"{entry['rps']:.0f} ({entry['p50_ms']:.1f} / {entry['p99_ms']:.1f})"


def verdicts(found: Sequence[dict[str, Any]]) -> str:
    """The ratios, one line each: value, baseline, target and whether it is met."""
    lines = []
    for entry in found:
        shown = "–" if entry["value"] is None else f"{entry['value']:.2f}"
        line = f"{entry['name']}: {shown} × {entry['baseline']}"
        if entry.get("target") is not None:
            verdict = {True: "met", False: "MISSED", None: "not measured"}[entry["met"]]
            line += f" (target {entry['op']} {entry['target']}: {verdict})"
        if entry.get("why"):
            line += f" [{entry['why']}]"
        lines.append(line)
    return "\n".join(lines)


#: One colour per system in every panel of the plot.
_COLOURS = {
    "kgtool": "tab:blue",
    "pyoxigraph": "tab:orange",
    "rdflib": "tab:green",
    "oxigraph": "tab:red",
    "parse": "tab:gray",
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
        ("load (s)", "load_s"),
        ("measures-reaching, a typical company (s)", "query:measures-reaching"),
        ("claims-by, the busiest claimant (s)", "query:claims-by"),
        ("SHACL validation (s)", "fastcheck"),
    ]
    figure, axes = plt.subplots(1, len(panels), figsize=(19, 4.5))
    for axis, (title, key) in zip(axes, panels, strict=True):
        for system, colour in _COLOURS.items():
            points = [(n, value(sized[n], system, key)) for n in sizes]
            shown = [(n, v) for n, v in points if v is not None]
            if shown:
                axis.plot(*zip(*shown, strict=True), marker="o", label=system, color=colour)
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("synthetic triples")
        axis.set_title(title)
        axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    return f"plot written to {path}"
