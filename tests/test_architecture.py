"""The layers of kgtool (docs/architecture.md): imports only point down, never in a circle, and
no module reaches into another part's private names; every SPARQL text lives under queries/.

Imports are read from the source with `ast`, all of them: at the top, inside functions (the
lazy heavy imports) and under `if TYPE_CHECKING:` (a type is a dependency too).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

from kgtool import catalog

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "kgtool"

#: Bottom to top. A module may import its own layer or those below; the first part of its
#: dotted name (after `kgtool.`) says where it is.
LAYERS: tuple[tuple[str, frozenset[str]], ...] = (
    (
        "foundation: terms, vocabulary, errors, the shipped files",
        frozenset(
            {"errors", "namespaces", "terms", "results", "chinese", "tables", "output"}
            | {"resources", "owlapi"}
        ),
    ),
    ("store: LocalStore and RemoteStore behind one protocol", frozenset({"store", "remote"})),
    (
        "catalogue, and what runs on a store",
        frozenset(
            {"catalog", "inference", "entities", "measures", "stats", "coverage", "scopes"}
            | {"validation", "export", "reasoning", "simplified"}
        ),
    ),
    ("the graphs", frozenset({"graph"})),
    ("the public API, and what works on whole graphs", frozenset({"", "push", "fastcheck"})),
    (
        "leaves: command line, endpoint, pages, pictures, release, benchmarks",
        frozenset({"commands", "cli", "server", "docs", "draw", "release", "bench"}),
    ),
)
LEAVES = LAYERS[-1][1]


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _part(module: str) -> str:
    """`cli` for kgtool.cli, `server` for kgtool.server.app, "" for the package itself."""
    return module.split(".")[1] if "." in module else ""


def _layer(module: str) -> int:
    for number, (_, parts) in enumerate(LAYERS):
        if _part(module) in parts:
            return number
    raise AssertionError(f"{module} is in no layer: add it to LAYERS (and docs/architecture.md)")


def _resolve(name: str) -> str:
    while name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def _imports() -> dict[str, set[tuple[str, str]]]:
    """Each module's imports of kgtool modules, as (module, the name imported from it)."""
    edges: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                raise AssertionError(f"{module}: a relative import; kgtool imports absolutely")
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("kgtool"):
                for alias in node.names:
                    target = _resolve(f"{node.module}.{alias.name}")
                    name = "" if target.endswith(f".{alias.name}") else alias.name
                    edges[module].add((target, name))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == "kgtool":
                        edges[module].add((_resolve(alias.name), ""))
    # The CLI imports its plugins by name (kgtool.cli.PLUGINS) when it builds its parser.
    from kgtool.cli import PLUGINS

    edges["kgtool.cli"] |= {(plugin, "") for plugin in PLUGINS}
    return {
        module: {edge for edge in found if edge[0] != module} for module, found in edges.items()
    }


IMPORTS = _imports()


def test_the_import_graph_is_read() -> None:
    assert len(MODULES) >= 40
    assert ("kgtool.store", "") in {(t, "") for t, _ in IMPORTS["kgtool.graph"]}
    assert sum(len(found) for found in IMPORTS.values()) >= 150


def test_every_module_has_a_layer() -> None:
    for module in MODULES:
        _layer(module)


def test_imports_only_point_down() -> None:
    upward = [
        f"{module} ({LAYERS[_layer(module)][0]}) imports {target} ({LAYERS[_layer(target)][0]})"
        for module, found in IMPORTS.items()
        for target, _ in found
        if _layer(target) > _layer(module)
    ]
    assert not upward, "\n".join(upward)


def test_no_import_cycles() -> None:
    graph = {module: {target for target, _ in found} for module, found in IMPORTS.items()}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(MODULES):
        if module not in state:
            visit(module, [module])
    assert not cycles, "\n".join(" -> ".join(cycle) for cycle in cycles)


def test_no_module_imports_another_parts_private_names() -> None:
    private = [
        f"{module} imports {name} from {target}"
        for module, found in IMPORTS.items()
        for target, name in found
        if name.startswith("_") and _part(target) != _part(module)
    ]
    assert not private, "\n".join(private)


def test_the_core_never_imports_a_leaf() -> None:
    core = [module for module in MODULES if _part(module) not in LEAVES]
    assert "kgtool.graph" in core and "kgtool.bench.run" not in core
    reaching = [
        f"{module} imports {target}"
        for module in core
        for target, _ in IMPORTS.get(module, ())
        if _part(target) in LEAVES
    ]
    assert not reaching, "\n".join(reaching)


@pytest.mark.parametrize(
    "wrong", [("kgtool.store", "kgtool.graph"), ("kgtool.graph", "kgtool.cli")]
)
def test_the_layers_order_store_graph_and_leaves(wrong: tuple[str, str]) -> None:
    # Such an import would be reported by test_imports_only_point_down.
    module, target = wrong
    assert _layer(target) > _layer(module)


def test_every_sparql_file_is_under_queries_and_read_by_the_catalogue() -> None:
    assert not list(PACKAGE.glob("[!q]*/**/*.rq")), "SPARQL outside queries/"
    assert not [p for p in PACKAGE.rglob("*.rq") if not p.is_relative_to(PACKAGE / "queries")]
    assert not list((REPO / "ontology").rglob("*.rq"))
    files = sorted((REPO / "queries").rglob("*.rq"))
    assert len(files) >= 50
    folders = {path.parent.relative_to(REPO / "queries").as_posix() for path in files}
    assert folders == {"." if reader == "" else reader for reader in catalog.READERS}
    for reader in catalog.READERS:
        for query in catalog.shipped(reader):
            # Every file has the header the catalogue reads: a title, a question, what a row is.
            assert query.title and query.questions.get("en") and query.row, query.source
            where = "/".join(part for part in ("queries", reader, f"{query.name}.rq") if part)
            assert query.source == where


def test_the_public_catalogue_lists_only_the_research_questions() -> None:
    names = catalog.shipped().names()
    assert names == sorted(path.stem for path in (REPO / "queries").glob("*.rq"))
    inner = {query.name for reader in catalog.READERS[1:] for query in catalog.shipped(reader)}
    assert "entity-data" in inner and "labels" in inner
    assert not set(names) & {"entity-data", "labels", "domain", "meets-criterion"}


def test_a_file_over_500_lines_says_why_at_its_top() -> None:
    long = {
        module: path
        for module, path in MODULES.items()
        if len(path.read_text(encoding="utf-8").splitlines()) > 500
    }
    assert long, "no long file: drop this rule's exemption text from docs/architecture.md"
    unexplained = [
        module
        for module, path in long.items()
        if "Over 500 lines: " not in (ast.get_docstring(ast.parse(path.read_text())) or "")
    ]
    assert not unexplained, unexplained


def test_the_cli_docstring_names_exactly_the_real_commands() -> None:
    import re

    from kgtool.cli import build_parser
    from kgtool.commands import COMMANDS

    build_parser()
    import kgtool.cli

    listed = (kgtool.cli.__doc__ or "").split("\n\n")[1].partition(")")[0]
    advertised = set(re.findall(r"`([a-z]+)`", listed))
    assert advertised == set(COMMANDS)
