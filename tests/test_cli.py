"""The `kgtool` command, run as a user runs it: the installed entry point in a subprocess."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from kgtool.cli import COMMANDS
from kgtool.tables import width

Run = Callable[..., subprocess.CompletedProcess[Any]]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
RESULTS = FIXTURES / "results"
TERMS = ["--data", str(RESULTS / "terms.ttl"), str(RESULTS / "terms.rq")]


def test_help_documents_exit_codes_and_examples(kgtool: Run) -> None:
    main = kgtool("--help").stdout
    assert "exit codes:" in main and "1  validation ran" in main and "3  data error" in main
    assert COMMANDS, "no subcommands registered"
    for name in COMMANDS:
        text = kgtool(name, "--help").stdout
        assert f"example:\n  kgtool {name}" in text, name


def test_version(kgtool: Run) -> None:
    assert kgtool("--version").stdout.strip() == "kgtool 0.1.0"


def test_query_writes_the_standard_formats(kgtool: Run) -> None:
    csv = kgtool("query", *TERMS, "--format", "csv").stdout
    assert csv == (RESULTS / "terms.csv").read_bytes().decode("utf-8").replace("\r\n", "\n")
    # (text mode reads CRLF as LF; the bytes are checked in test_csv_keeps_crlf_line_ends)
    raw = kgtool("query", *TERMS, "--format", "tsv").stdout
    assert raw == (RESULTS / "terms.tsv").read_text(encoding="utf-8")
    results = json.loads(kgtool("query", *TERMS, "--format", "json").stdout)
    assert results == json.loads((RESULTS / "terms.srj").read_text(encoding="utf-8"))


def test_csv_keeps_crlf_line_ends(kgtool: Run) -> None:
    done = kgtool("query", *TERMS, "--format", "csv", binary=True)
    assert done.stdout == (RESULTS / "terms.csv").read_bytes()


def test_query_table_and_ask(kgtool: Run) -> None:
    table = kgtool("query", *TERMS).stdout
    assert table.splitlines()[0].split() == ["s", "o", "missing"]
    assert "(10 rows)" in table
    ask = kgtool("query", "--sparql", "ASK { ?s ?p ?o }").stdout
    assert ask == "true\n"


def test_construct_as_turtle(kgtool: Run) -> None:
    query = str(FIXTURES / "queries" / "measure-graph.rq")
    turtle = kgtool("query", query, "--data", str(FIXTURES / "graph" / "data.ttl")).stdout
    triples = list(ox.parse(turtle, format=ox.RdfFormat.TURTLE))
    assert ox.Triple(
        ox.NamedNode("https://w3id.org/kgtool/id/DataRule"),
        ox.NamedNode("https://w3id.org/kgtool/def#legalBasis"),
        ox.NamedNode("https://w3id.org/kgtool/id/IEEPA"),
    ) in [quad.triple for quad in triples]
    wrong = kgtool("query", query, "--format", "csv", check=2)
    assert "use turtle or nt" in wrong.stderr


def test_parameters_from_the_command_line(kgtool: Run) -> None:
    query = str(FIXTURES / "queries" / "labelled.rq")
    data = ["--data", str(FIXTURES / "graph" / "data.ttl")]
    params = ["-p", "text=月之暗面", "-p", "strict=no", "-p", "since=2025-01-27"]
    out = kgtool("query", query, *data, *params, "-f", "tsv").stdout
    assert out.splitlines()[1:] == [
        '<https://w3id.org/kgtool/id/Moonshot>\t"月之暗面"@zh-hant\t"月之暗面"\t'
        '"2025-01-27"^^<http://www.w3.org/2001/XMLSchema#date>\tfalse'
    ]


def test_table_fits_the_terminal_with_chinese(kgtool: Run) -> None:
    sparql = (
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "SELECT ?entity ?label WHERE { ?entity rdfs:label ?label "
        'FILTER(LANGMATCHES(LANG(?label), "zh-Hant")) } ORDER BY DESC(STRLEN(?label)) LIMIT 20'
    )
    out = kgtool("query", "--sparql", sparql, columns=60).stdout
    lines = out.splitlines()
    assert len(lines) > 23  # the long labels take several lines each
    assert all(width(line) <= 60 for line in lines)
    assert "…" not in out
    assert any(any(ord(c) > 0x3000 for c in line) for line in lines)
    # entity cells hold no spaces: where a line has both cells, the label cell starts after
    # the first gap, at the same display column on every line
    starts = {
        width(m[1]) for line in [lines[0], *lines[2:-1]] if (m := re.match(r"(\S+\s+)\S", line))
    }
    assert len(starts) == 1


def _shown(results: dict[str, Any]) -> list[str]:
    """The texts a table shows for SPARQL JSON results: a `fooLabel` stands in for `foo`."""
    variables = results["head"]["vars"]
    texts = []
    for binding in results["results"]["bindings"]:
        for name in variables:
            if f"{name}Label" in variables:
                continue
            term = binding.get(name) or binding.get(name.removesuffix("Label"))
            if term is not None and term["type"] == "literal":
                texts.append(term["value"])
    return texts


@pytest.mark.slow
def test_named_queries_at_80_columns_cut_nothing(kgtool: Run) -> None:
    from collections import Counter

    names = [entry["name"] for entry in json.loads(kgtool("queries", "-f", "json").stdout)]
    assert len(names) >= 11
    for name in names:
        table = kgtool("query", name, columns=80).stdout
        assert all(width(line) <= 80 for line in table.splitlines()), name
        if name == "measures-reaching":
            texts = ["Export controls on high-end chips to China", "based in China"]
        else:
            texts = _shown(json.loads(kgtool("query", name, "-f", "json").stdout))
        assert texts, name
        assert table.count("…") == sum(text.count("…") for text in texts), name
        # every character of every value is on the screen: nothing was cut
        wanted = Counter("".join("".join(text.split()) for text in texts))
        assert wanted - Counter("".join(table.split())) == Counter(), name


def test_measures_reaching_shows_one_line_per_measure(kgtool: Run) -> None:
    table = kgtool("query", "measures-reaching", "-p", "target=深度求索", columns=200).stdout
    lines = table.splitlines()
    assert lines[0].split() == ["status", "measure", "criteria", "met"]
    assert lines[-1] == "(14 measures; --detail: the facts and quotes)"
    assert len(lines) == 2 + 14 + 1  # no measure wraps at 200 columns
    chips = next(line for line in lines if "Export controls on high-end chips to China" in line)
    assert chips.startswith("in force") and chips.endswith("based in China")
    app = next(line for line in lines if "under PAFACA" in line)
    assert "based in China; operates an app serving US users" in app
    detail = kgtool("query", "measures-reaching", "--detail", columns=200).stdout
    assert detail.rstrip().endswith("rows)") and "這家專注于模型研發" in detail
    csv = kgtool("query", "measures-reaching", "-f", "csv").stdout
    assert csv.startswith("measure,measureLabel,") and len(csv.splitlines()) > 15


def test_output_paths_that_cannot_be_written_are_named(kgtool: Run, tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent" / "dir" / "x.owl"
    done = kgtool("export", "--format", "xml", "--out", str(missing), check=4)
    assert f"{missing}: cannot write it: there is no folder {missing.parent}" in done.stderr
    existing = tmp_path / "site"
    existing.write_text("not a folder", encoding="utf-8")
    done = kgtool("docs", "--out", str(existing), "--no-pictures", check=4)
    assert f"{existing}: cannot make the folder: a file of that name is in the way" in done.stderr
    done = kgtool("export", "-f", "nt", "--out", str(tmp_path), check=4)
    assert f"{tmp_path}: cannot write it: it is a folder" in done.stderr
    done = kgtool("synth", str(missing.with_suffix(".nt")), "-n", "1000", check=4)
    assert f"{missing.with_suffix('.nt')}: cannot write it: there is no folder" in done.stderr
    for error in ("FileNotFoundError", "FileExistsError", "internal error", "Traceback"):
        assert error not in done.stderr


def test_a_missing_query_file_is_named(kgtool: Run, tmp_path: Path) -> None:
    done = kgtool("query", "missing.rq", check=2, cwd=tmp_path)
    assert done.stderr == "kgtool query: error: missing.rq: no such query file\n"
    (tmp_path / "folder.rq").mkdir()
    done = kgtool("query", "folder.rq", check=2, cwd=tmp_path)
    assert "folder.rq: this is a folder, not a query file" in done.stderr


def test_serve_without_the_server_extra_says_what_to_install() -> None:
    import os
    import sys

    from conftest import REPO

    script = (
        "import sys; sys.modules['uvicorn'] = None  # as if pip install . without [server]\n"
        "from kgtool.cli import main; sys.exit(main(['serve', '--port', '0']))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 4, done.stderr
    assert "pip install 'kgtool[server]'" in done.stderr
    assert "uvicorn" in done.stderr and "internal error" not in done.stderr


def test_user_errors_exit_2_without_traceback(kgtool: Run) -> None:
    unknown = kgtool("query", "measures-reachin", check=2)
    assert "unknown query 'measures-reachin'; did you mean measures-reaching" in unknown.stderr
    query = str(FIXTURES / "queries" / "instances.rq")
    bad_param = kgtool("query", query, "--param", "bogus=1", check=2)
    assert "query instances: unknown parameter 'bogus'" in bad_param.stderr
    kind = kgtool("query", query, "-p", "minLabels=lots", check=2)
    assert "parameter 'minLabels' is integer" in kind.stderr
    entity = kgtool("entity", "Deepsek", check=2)
    assert "no entity is called 'Deepsek'; did you mean 'DeepSeek'" in entity.stderr
    syntax = kgtool("query", str(FIXTURES / "bad" / "syntax-error.rq"), check=2)
    assert "syntax-error.rq:9:3: syntax error near 'FILTER(?target'" in syntax.stderr
    usage = kgtool("query", check=2)
    assert "give a query name or .rq file, or --sparql TEXT" in usage.stderr
    argparse_error = kgtool("export", check=2)
    assert "--format" in argparse_error.stderr
    for done in (unknown, bad_param, kind, entity, syntax, usage):
        assert "Traceback" not in done.stderr and done.stdout == ""


def test_data_errors_exit_3_naming_file_and_line(kgtool: Run) -> None:
    bad = FIXTURES / "bad" / "missing-dot.ttl"
    done = kgtool("stats", "--data", str(bad), check=3)
    assert f"{bad}:5:1: A dot is expected at the end of statements" in done.stderr
    assert "Traceback" not in done.stderr
    debug = kgtool("--debug", "stats", "--data", str(bad), check=None)
    assert debug.returncode != 0 and "Traceback" in debug.stderr


def test_validate_exit_codes(kgtool: Run) -> None:
    shapes = FIXTURES / "shapes"
    failing = kgtool(
        "validate",
        "--shapes",
        str(shapes / "shapes.ttl"),
        "--data",
        str(shapes / "nonconforming.ttl"),
        check=1,
    )
    assert "Does not conform" in failing.stdout
    assert (
        "kgd:MysteryMeasure (Mystery measure) kg:legalBasis: A policy measure needs a legal basis."
        in failing.stdout
    )
    passing = kgtool("validate", "--shapes", str(shapes / "nothing.ttl"))
    assert passing.stdout == "Conforms: the data meets every shape.\n"


def test_export(kgtool: Run, tmp_path: Path) -> None:
    out = tmp_path / "kgtool.owl"
    assert kgtool("export", "--format", "xml", "--out", str(out)).stdout == ""
    triples = list(ox.parse(path=out, format=ox.RdfFormat.RDF_XML))
    assert len(triples) > 1000
    nt = kgtool("export", "-f", "nt").stdout
    assert len(nt.splitlines()) == len(triples)


def test_entity_stats_and_queries(kgtool: Run) -> None:
    entity = kgtool("entity", "深度求索").stdout
    assert entity.startswith("DeepSeek  <https://w3id.org/kgtool/id/DeepSeek>")
    assert "深度求索" in entity and "headquartered in" in entity
    assert re.search(r"headquartered in +China +implied", entity), "each fact shows its support"
    stats = kgtool("stats").stdout
    assert (
        stats.startswith("triples   ") and "measures  " in stats and "ontology/kgtool.ttl" in stats
    )
    listing = kgtool("queries").stdout
    assert "measures-reaching" in listing and "target=kgd:DeepSeek" in listing
    catalog = json.loads(kgtool("queries", "--format", "json").stdout)
    reaching = next(entry for entry in catalog if entry["name"] == "measures-reaching")
    assert reaching["params"][0]["name"] == "target" and reaching["params"][0]["kind"] == "entity"
