"""`python -m kgtool.bench` on a tiny graph: one run measures every system, the engines agree on
every named query's rows, the JSON holds the target ratios, and a query predicted over the bound
at the next size is skipped with its reason. (Figures are not asserted: benchmarks report them.)"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest

from kgtool import bench

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("bench") / "bench.json"
    arguments = ["--sizes", "1000", "--repeat", "1", "--seconds", "0", "--bound", "20"]
    status = bench.main([*arguments, "--no-article", "--quiet", "--json", str(out)])
    assert status == 0
    loaded: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return loaded


def test_every_system_is_measured(report: dict[str, Any]) -> None:
    figures = report["results"]["1k"]
    assert figures["triples_requested"] == 1000 <= figures["triples_generated"]
    for system in ("kgtool", "pyoxigraph", "oxigraph"):
        assert figures[system]["load_s"] > 0, system
        assert figures[system]["query:measures-reaching"]["median_s"] > 0, system
    assert figures["cold"]["kgtool_s"] > 0 and figures["cold"]["pyoxigraph_s"] > 0
    assert figures["kgtool"]["fastcheck"]["rows"] == 0  # the synthetic graph conforms


def test_the_engines_give_the_same_rows_for_every_named_query(report: dict[str, Any]) -> None:
    figures = report["results"]["1k"]
    queries = [key for key in figures["kgtool"] if key.startswith("query:")]
    assert "query:measures-reaching (hub)" in queries and len(queries) >= 12
    for key in queries:
        rows = {system: figures[system][key]["rows"] for system in ("kgtool", "pyoxigraph")}
        rows["oxigraph server"] = figures["oxigraph"][key]["rows"]
        assert len(set(rows.values())) == 1, (key, rows)
    assert figures["kgtool"]["query:measures-reaching"]["rows"] > 0


def test_the_json_lists_the_ratios_that_apply(report: dict[str, Any]) -> None:
    names = [ratio["name"] for ratio in report["ratios"]]
    assert names == ["cold query kgtool/bare pyoxigraph at 1k"]  # the others are stated at 1M
    ratio = report["ratios"][0]
    assert ratio["target"] == 3.0 and ratio["op"] == "<=" and ratio["value"] > 0


def test_ratios_at_the_target_sizes() -> None:
    def at(seconds: float) -> dict[str, Any]:
        reaching = "query:measures-reaching"
        return {
            "kgtool": {"load_s": 2.0, "maxrss_mb": 300, reaching: {"median_s": seconds}},
            "pyoxigraph": {"load_s": 1.0, "maxrss_mb": 200, reaching: {"median_s": 0.05}},
        }

    results = {"10k": at(0.02), "1M": at(0.1)}
    found = {r["name"]: r for r in bench.ratios(results, [10_000, 1_000_000])}
    assert found["load time kgtool/pyoxigraph at 1M"]["value"] == 2.0
    assert not found["load time kgtool/pyoxigraph at 1M"]["met"]
    assert found["peak memory kgtool/pyoxigraph at 1M"]["met"]
    assert found["measures-reaching kgtool/pyoxigraph at 1M"]["value"] == 2.0
    growth = found["measures-reaching growth 10k to 1M (kgtool)"]
    assert growth["value"] == 5.0 and growth["target"] == 3.0 and not growth["met"]


def test_a_query_predicted_over_the_bound_is_skipped(tmp_path: Path) -> None:
    args = argparse.Namespace(queries=None, log=False, bound=60.0)
    run = bench._Run(args, tmp_path)
    run.latest = {"kgtool": {"measures-reaching": (100_000, 10.0), "chips": (100_000, 0.01)}}
    assert run.predicted_slow("kgtool", 200_000) == {}
    skipped = run.predicted_slow("kgtool", 1_000_000)
    assert list(skipped) == ["measures-reaching"]
    assert "took 10.0 s at 100k" in skipped["measures-reaching"]
    assert run.predicted_slow("pyoxigraph", 1_000_000) == {}
