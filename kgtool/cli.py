"""The `kgtool` command: parse arguments, call the library, print a standard format.

Each subcommand (`query`, `queries`, `entity`, `push`, `coverage`, `validate`, `reason`,
`export`, `release`, `stats`, `docs`, `draw`, `synth`, and `serve` from `kgtool.server.command`)
is a `Command` (name, help, example, arguments, run) in the registry of `kgtool.commands`. A
module that adds its own calls `register(Command(...))` at import and is listed in `PLUGINS`;
it imports its heavy dependencies inside `run`, so `kgtool query` stays fast.

Over 500 lines: one short section per subcommand (its arguments, what it runs, its
registration), in the order of `kgtool --help`, so a reader compares commands side by side; each
section imports what it needs inside its function.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from importlib import import_module
from typing import TYPE_CHECKING, Any

from kgtool.commands import (
    COMMANDS,
    EXIT_BUG,
    EXIT_DATA,
    EXIT_FAILURE,
    EXIT_NONCONFORMING,
    EXIT_OK,
    EXIT_USAGE,
    Command,
    UsageError,
    register,
)
from kgtool.errors import (
    AmbiguousEntity,
    DataError,
    KgtoolError,
    MissingExtra,
    ParameterError,
    QueryError,
    ReasoningUnavailable,
    UnknownEntity,
    UnknownQuery,
    ValidationError,
)

if TYPE_CHECKING:
    from kgtool.catalog import NamedQuery
    from kgtool.graph import KnowledgeGraph, QueryableGraph
    from kgtool.results import QueryResult
    from kgtool.terms import Term


EXIT_CODES_HELP = """\
exit codes:
  0  success
  1  validation ran and the data does not conform to the SHACL shapes, or coverage found a
     sentence that nothing cites
  2  usage error: bad arguments, unknown query, parameter or entity, a query file that is
     missing or malformed (the message names file:line:column)
  3  data error: an RDF or shapes file is missing or malformed (the message names file:line:column)
  4  another kgtool error: an output file or folder cannot be written (the message names it
     and says why), or a tool or package a command needs is missing (it says what to install)
  5  internal error: a bug; run again with --debug for the traceback
"""

#: Which exit code each kind of error gives; the first matching class wins.
ERROR_EXITS: tuple[tuple[type[KgtoolError], int], ...] = (
    (DataError, EXIT_DATA),
    (ValidationError, EXIT_DATA),
    (UnknownQuery, EXIT_USAGE),
    (ParameterError, EXIT_USAGE),
    (UnknownEntity, EXIT_USAGE),
    (AmbiguousEntity, EXIT_USAGE),
    (QueryError, EXIT_USAGE),
    (ReasoningUnavailable, EXIT_FAILURE),
)

#: Modules that register more subcommands when imported.
PLUGINS: tuple[str, ...] = ("kgtool.server.command",)
#: The optional extra (pyproject's optional-dependencies) that brings each such module.
EXTRAS = {"uvicorn": "server", "starlette": "server", "httptools": "server", "uvloop": "server"}


def _add_data(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        action="append",
        default=[],
        metavar="FILE",
        help="add an RDF file of your own (Turtle, N-Triples, RDF/XML, JSON-LD); repeatable",
    )


def _load(args: argparse.Namespace, *, infer: bool = False) -> KnowledgeGraph:
    from kgtool.graph import KnowledgeGraph

    return KnowledgeGraph.load(extra=args.data, infer=infer)


def _out(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")


def _columns() -> int:
    return shutil.get_terminal_size((100, 24)).columns


def _cell(term: Term | None) -> str:
    return "" if term is None else term.compact()


# ----------------------------------------------------------------------------------------------
# query


def _query_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "query", nargs="?", help="a named query (see `kgtool queries`) or a .rq file"
    )
    parser.add_argument("--sparql", metavar="TEXT", help="SPARQL query text to run instead")
    parser.add_argument(
        "--param",
        "-p",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="bind a declared parameter; repeatable",
    )
    parser.add_argument(
        "--format",
        "-f",
        choices=("table", "json", "csv", "tsv", "turtle", "nt"),
        help="table (default), SPARQL 1.1 json/csv/tsv results, or turtle/nt for CONSTRUCT",
    )
    parser.add_argument(
        "--inferred",
        action="store_true",
        help="materialise RDFS/OWL RL inferences and query them too",
    )
    parser.add_argument(
        "--detail",
        action="store_true",
        help="in a table, one row per result even where a summary is shown by default "
        "(measures-reaching: the facts and quotes behind each measure)",
    )
    _add_data(parser)
    parser.add_argument(
        "--endpoint",
        metavar="QUERY_URL",
        help="run it on the graph `kgtool push` put into this SPARQL store instead",
    )
    _add_remote(parser)


def _add_remote(parser: argparse.ArgumentParser) -> None:
    """The options of a remote store: its graph, credentials and patience."""
    from kgtool.namespaces import GRAPH

    parser.add_argument(
        "--graph",
        metavar="IRI",
        default=GRAPH.all,
        help=f"the named graph in the store (default {GRAPH.all}); '' for its default graph",
    )
    parser.add_argument("--user", help="user name for the store (HTTP Basic or Digest)")
    parser.add_argument(
        "--password",
        default=os.environ.get("KGTOOL_PASSWORD"),
        help="password for --user (default: $KGTOOL_PASSWORD, kept out of the process list)",
    )
    parser.add_argument(
        "--token",
        default=os.environ.get("KGTOOL_TOKEN"),
        help="bearer token instead of a user (default: $KGTOOL_TOKEN)",
    )
    parser.add_argument(
        "--timeout", type=float, default=60.0, metavar="SECONDS", help="per request (default 60)"
    )
    parser.add_argument(
        "--retries",
        type=int,
        default=4,
        help="tries again after connection refused or 502/503/504, backing off (default 4)",
    )


def _remote_options(args: argparse.Namespace) -> dict[str, Any]:
    if args.token and args.user:
        raise UsageError("give --user and --password, or --token, not both")
    if args.user and not args.password:
        raise UsageError("--user needs --password (or $KGTOOL_PASSWORD)")
    return {
        "user": args.user,
        "password": args.password if args.user else None,
        "token": args.token if not args.user else None,
        "timeout": args.timeout,
        "retries": args.retries,
    }


def _params(pairs: Sequence[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals or not key.strip():
            raise UsageError(f"--param needs KEY=VALUE, got {pair!r}")
        params[key.strip()] = value
    return params


def _query_table(result: QueryResult) -> str:
    """The rows as a table for people: a `fooLabel` column stands in for `foo` when both exist
    (showing `foo` itself where the label is missing)."""
    from kgtool.tables import render

    variables = result.variables
    shown = [name for name in variables if f"{name}Label" not in variables]

    def base(name: str) -> str | None:
        stem = name.removesuffix("Label")
        return stem if stem != name and stem in variables else None

    headers = [base(name) or name for name in shown]
    rows = [
        [_cell(row[name]) or (_cell(row[stem]) if (stem := base(name)) else "") for name in shown]
        for row in result
    ]
    footer = f"({len(rows)} row{'' if len(rows) == 1 else 's'})\n"
    return render(headers, rows, _columns()) + footer


def _measures_summary(kg: QueryableGraph, params: dict[str, Any]) -> str:
    """measures-reaching as a person wants it first: one line per measure, with its status
    and the criteria the target meets."""
    from kgtool.tables import render

    target = params.get("target") or kg.named_query("measures-reaching").param("target").default
    reaches = kg.measures_reaching(str(target))
    rows = [
        [
            reach.status_label or "",
            reach.label or kg.label(reach.measure),
            "; ".join(dict.fromkeys(m.criterion_label for m in reach.matches if m.criterion_label)),
        ]
        for reach in reaches
    ]
    count = len(rows)
    footer = f"({count} measure{'' if count == 1 else 's'}; --detail: the facts and quotes)\n"
    return render(["status", "measure", "criteria met"], rows, _columns()) + footer


#: Named queries whose table shows a summary unless --detail is given.
SUMMARIES: dict[str, Callable[[QueryableGraph, dict[str, Any]], str]] = {
    "measures-reaching": _measures_summary,
}


def _format_result(result: QueryResult, format: str | None) -> str:
    if result.kind == "graph":
        if format not in (None, "turtle", "nt"):
            raise UsageError(
                f"a CONSTRUCT or DESCRIBE result is a graph: use turtle or nt, not {format}"
            )
        return result.serialize(format or "turtle")
    if format in ("turtle", "nt"):
        raise UsageError(
            f"--format {format} is for CONSTRUCT and DESCRIBE queries; use table, json, csv or tsv"
        )
    if result.kind == "ask":
        if format == "json":
            return json.dumps(result.to_json()) + "\n"
        if format in ("csv", "tsv"):
            raise UsageError("an ASK result has no CSV or TSV form: use --format json or table")
        return "true\n" if result.boolean else "false\n"
    if format == "json":
        return json.dumps(result.to_json(), ensure_ascii=False, indent=2) + "\n"
    if format == "csv":
        return result.to_csv()
    if format == "tsv":
        return result.to_tsv()
    return _query_table(result)


def _chosen_query(args: argparse.Namespace) -> str | NamedQuery:
    """The query the command line names: SPARQL text (--sparql), a `.rq` file, or a name."""
    from kgtool.catalog import NamedQuery

    if args.sparql is not None:
        return NamedQuery.text(args.sparql)
    if str(args.query).endswith(".rq"):
        return NamedQuery.read(args.query)
    return str(args.query)


def _query(args: argparse.Namespace) -> int:
    if (args.query is None) == (args.sparql is None):
        raise UsageError("give a query name or .rq file, or --sparql TEXT (one of them)")
    params = _params(args.param)
    kg: QueryableGraph
    if args.endpoint:
        from kgtool.graph import KnowledgeGraph

        if args.data or args.inferred:
            raise UsageError("--data and --inferred are for the embedded graph, not --endpoint")
        kg = KnowledgeGraph.remote(args.endpoint, graph=args.graph or None, **_remote_options(args))
    else:
        kg = _load(args, infer=args.inferred)
    summary = SUMMARIES.get(args.query or "")
    if summary and args.format in (None, "table") and not args.detail and set(params) <= {"target"}:
        _out(summary(kg, params))
        return EXIT_OK
    result = kg.query(_chosen_query(args), params=params)
    text = _format_result(result, args.format)
    if args.format in ("csv", "tsv"):
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8"))
    else:
        _out(text)
    return EXIT_OK


register(
    Command(
        "query",
        "run a named query, a .rq file or SPARQL text",
        "kgtool query measures-reaching --param target=DeepSeek\n"
        "  kgtool query measures-reaching -p target=深度求索 --format csv\n"
        "  kgtool query --sparql 'PREFIX kg: <https://w3id.org/kgtool/def#>\n"
        "                         SELECT ?claim WHERE { ?claim a kg:Claim }' --format json\n"
        "  kgtool query measures-reaching --endpoint http://127.0.0.1:7878/query",
        _query_arguments,
        _query,
    )
)

# ----------------------------------------------------------------------------------------------
# push


def _push_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--endpoint", required=True, metavar="QUERY_URL", help="the store's SPARQL query URL"
    )
    parser.add_argument(
        "--update-endpoint",
        metavar="URL",
        help="its SPARQL Update URL (else guessed from the query URL)",
    )
    parser.add_argument(
        "--store-endpoint",
        metavar="URL",
        help="its Graph Store Protocol URL (likewise; without one, SPARQL Update carries the data)",
    )
    _add_remote(parser)
    parser.add_argument(
        "--batch-size",
        type=int,
        default=10_000,
        metavar="TRIPLES",
        help="triples per request (default 10000)",
    )
    _add_data(parser)


def _progress_bar(sent: int, total: int) -> None:
    width = 30
    done = width * sent // total
    sys.stderr.write(f"\r[{'#' * done}{'.' * (width - done)}] {sent}/{total} triples")
    if sent == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _push(args: argparse.Namespace) -> int:
    from kgtool.namespaces import GRAPH
    from kgtool.push import push

    if not args.graph:
        raise UsageError("push needs a named graph: --graph IRI")
    report = push(
        _load(args),
        args.endpoint,
        graph=args.graph,
        update_endpoint=args.update_endpoint,
        store_endpoint=args.store_endpoint,
        batch_size=args.batch_size,
        progress=_progress_bar if sys.stderr.isatty() else None,
        **_remote_options(args),
    )
    _out(
        f"pushed {report.triples} triples into <{report.graph}> "
        f"(it held {report.previous}) in {report.seconds:.1f} s, {report.batches} "
        f"batch{'' if report.batches == 1 else 'es'} by {report.method}\n"
        f"query it: kgtool query NAME --endpoint {report.endpoints.query}"
        + ("" if report.graph == GRAPH.all else f" --graph {report.graph}")
    )
    return EXIT_OK


register(
    Command(
        "push",
        "load the ontology and data into a SPARQL 1.1 store, replacing one named graph atomically",
        "kgtool push --endpoint http://127.0.0.1:7878/query                  # Oxigraph\n"
        "  kgtool push --endpoint http://127.0.0.1:8890/sparql-auth --user dba  # Virtuoso,\n"
        "                                         # password in $KGTOOL_PASSWORD\n"
        '  kgtool push --endpoint http://host:3030/ds/sparql --token "$TOKEN"  # Fuseki',
        _push_arguments,
        _push,
    )
)

# ----------------------------------------------------------------------------------------------
# queries


def _queries_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", "-f", choices=("table", "json"), default="table")
    parser.add_argument("--lang", default="en", help="language of the questions (en, zh-Hant)")


def _queries(args: argparse.Namespace) -> int:
    from kgtool.catalog import shipped

    catalog = shipped().all()
    if args.format == "json":
        entries = [
            {
                "name": q.name,
                "title": q.title,
                "questions": dict(q.questions),
                "params": [
                    {"name": p.name, "kind": p.kind, "default": p.default, "doc": p.doc}
                    for p in q.params
                ],
                "row": q.row,
                "description": q.description,
                "file": q.source,
            }
            for q in catalog
        ]
        _out(json.dumps(entries, ensure_ascii=False, indent=2))
        return EXIT_OK
    from kgtool.tables import render

    rows = [
        [
            q.name,
            " ".join(f"{p.name}={p.default or '?'}" for p in q.params),
            q.question(args.lang) or q.title,
        ]
        for q in catalog
    ]
    _out(render(["name", "parameters", "question"], rows, _columns()))
    return EXIT_OK


register(
    Command(
        "queries",
        "list the named research queries and their parameters",
        "kgtool queries\n  kgtool queries --lang zh-Hant\n  kgtool queries --format json",
        _queries_arguments,
        _queries,
    )
)

# ----------------------------------------------------------------------------------------------
# entity


def _entity_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", help="a label or alias in any language, a prefixed name, or an IRI")
    parser.add_argument("--inferred", action="store_true", help="include inferred facts")
    _add_data(parser)


def _entity(args: argparse.Namespace) -> int:
    from kgtool.tables import render

    kg = _load(args, infer=args.inferred)
    entity = kg.entity(args.name)
    lines = [f"{entity.label}  <{entity.iri}>", ""]
    for title, names in (("labels", entity.labels), ("also known as", entity.alt_labels)):
        for lang, values in sorted(names.items()):
            lines.append(f"{title:<14} {lang or '-':<8} {' / '.join(values)}")
    if entity.types:
        lines.append(
            f"{'types':<14} "
            + ", ".join(f"{label} ({iri.compact()})" for iri, label in entity.types)
        )
    _out("\n".join(lines) + "\n")
    width = _columns()
    if entity.outgoing:
        rows = [[f.predicate_label, f.object_label, f.support or ""] for f in entity.outgoing]
        _out("\n" + render(["property", "value", "support"], rows, width))
    if entity.incoming:
        rows = [[f.subject_label, f.predicate_label, f.support or ""] for f in entity.incoming]
        _out("\n" + render(["subject", "property (→ this entity)", "support"], rows, width))
    return EXIT_OK


register(
    Command(
        "entity",
        "describe an entity found by label, alias or IRI",
        "kgtool entity DeepSeek\n  kgtool entity 深度求索\n  kgtool entity kgd:EntityList",
        _entity_arguments,
        _entity,
    )
)

# ----------------------------------------------------------------------------------------------
# coverage


def _coverage_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format", choices=("table", "json"), default="table", help="output format (table)"
    )
    _add_data(parser)


def _coverage(args: argparse.Namespace) -> int:
    from kgtool.coverage import GRADES
    from kgtool.tables import clip, render

    report = _load(args).coverage()
    if args.format == "json":
        _out(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        headers = ["segment", "status", "facts", "claims", "entities", "quote or why left out"]
        for source, label in report.sources.items():
            rows = []
            for segment in (s for s in report.segments if s.source == source):
                grades = ", ".join(
                    f"{n} {grade}"
                    for grade in GRADES
                    if (n := sum(f.support == grade for f in segment.facts))
                )
                rows.append(
                    [
                        segment.name,
                        segment.status,
                        f"{len(segment.facts)}" + (f" ({grades})" if grades else ""),
                        str(len(segment.claims)),
                        str(len(segment.entities)),
                        segment.omission or segment.quote,
                    ]
                )
            _out(f"{label}  <{source}>\n")
            _out(render(headers, rows, _columns()) + "\n")
        counts = report.counts()
        _out(
            f"{counts['segments']} segments: {counts['cited']} cited, {counts['leftOut']} left out"
            f" on purpose, {counts['uncited']} cited by nothing;"
            f" {counts['unsegmented']} stretches of text in no segment"
        )
        for segment in report.uncited:
            _out(f"cited by nothing: {segment.segment.compact()} «{clip(segment.quote, 60)}»")
        for gap in report.unsegmented:
            text = clip(" ".join(gap.text.split()), 60)
            _out(f"in no segment: {gap.source.compact()} [{gap.start}, {gap.end}) «{text}»")
    return EXIT_OK if report.complete else EXIT_NONCONFORMING


register(
    Command(
        "coverage",
        "list every sentence of the sources with what cites it; exit 1 if one is cited by nothing",
        "kgtool coverage\n  kgtool coverage --format json > coverage.json",
        _coverage_arguments,
        _coverage,
    )
)

# ----------------------------------------------------------------------------------------------
# validate


def _validate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--shapes", action="append", metavar="FILE", help="SHACL shapes to use instead"
    )
    _add_data(parser)


def _validate(args: argparse.Namespace) -> int:
    report = _load(args).validate(shapes=args.shapes)
    _out(report.text)
    return EXIT_OK if report.conforms else EXIT_NONCONFORMING


register(
    Command(
        "validate",
        "check ontology and data against the SHACL shapes (exit 1 if they do not conform)",
        "kgtool validate\n  kgtool validate --data my-facts.ttl",
        _validate_arguments,
        _validate,
    )
)

# ----------------------------------------------------------------------------------------------
# reason


def _reason_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scopes",
        action="store_true",
        help="show which measures' scopes contain which, instead of who each measure could reach",
    )
    parser.add_argument(
        "--format", "-f", choices=("table", "json", "csv", "tsv"), help="output format"
    )
    _add_data(parser)


def _reason(args: argparse.Namespace) -> int:
    reasoning = _load(args).reason()
    result = reasoning.scopes if args.scopes else reasoning.reach
    text = _format_result(result, args.format)
    if args.format in ("csv", "tsv"):
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8"))
    else:
        _out(text)
    if args.format in (None, "table"):
        print(
            f"{reasoning.reasoner}: {reasoning.individuals} individuals classified "
            f"in {reasoning.seconds:.1f} s",
            file=sys.stderr,
        )
    return EXIT_OK


register(
    Command(
        "reason",
        "classify the graph with an OWL reasoner (HermiT, on Java) and show whom each measure "
        "could reach",
        "kgtool reason\n  kgtool reason --scopes --format csv\n  kgtool reason --data my-facts.ttl",
        _reason_arguments,
        _reason,
    )
)

# ----------------------------------------------------------------------------------------------
# export


def _export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        "-f",
        required=True,
        choices=("turtle", "xml", "json-ld", "nt"),
        help="xml is RDF/XML, for Protégé and owlready2",
    )
    parser.add_argument(
        "--out", "-o", metavar="PATH", help="write to this file instead of standard output"
    )
    _add_data(parser)


def _export(args: argparse.Namespace) -> int:
    text = _load(args).export(args.format, args.out)
    if text is not None:
        _out(text)
    return EXIT_OK


register(
    Command(
        "export",
        "write ontology and data as one ontology document",
        "kgtool export --format xml --out kgtool.owl\n  kgtool export -f json-ld > kgtool.jsonld",
        _export_arguments,
        _export,
    )
)

# ----------------------------------------------------------------------------------------------
# release


def _release_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", "-o", required=True, metavar="DIR", help="folder to write the release into"
    )


def _release(args: argparse.Namespace) -> int:
    from kgtool.graph import KnowledgeGraph
    from kgtool.release import release

    done = release(KnowledgeGraph.load().store, args.out)
    for distribution in done.distributions:
        _out(
            f"{done.folder / distribution.file}  {distribution.size} bytes  sha256 "
            f"{distribution.sha256[:12]}…"
        )
    _out(f"{done.description}\n{done.checksums}")
    return EXIT_OK


register(
    Command(
        "release",
        "write the versioned release: ontology (Turtle, RDF/XML, JSON-LD), data (Turtle, "
        "N-Triples), shapes, JSON-LD context, and a VoID/DCAT description with checksums",
        "kgtool release --out dist/release\n  (cd dist/release && sha256sum -c SHA256SUMS)",
        _release_arguments,
        _release,
    )
)

# ----------------------------------------------------------------------------------------------
# stats


def _stats_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--inferred", action="store_true", help="also materialise and count inferences"
    )
    _add_data(parser)


def _stats(args: argparse.Namespace) -> int:
    from kgtool.tables import render

    stats = _load(args, infer=args.inferred).stats()
    lines = [
        f"triples   {stats.triples}" + (f" (+ {stats.inferred} inferred)" if args.inferred else ""),
        f"claims    {stats.claims}",
        f"measures  {stats.measures}",
        f"segments  {stats.segments}",
        "",
    ]
    _out("\n".join(lines))
    _out(
        render(
            ["file", "triples"],
            [[name, str(count)] for name, count in stats.files.items()],
            _columns(),
        )
    )
    _out("")
    rows = [[entry.iri.compact(), entry.label, str(entry.count)] for entry in stats.classes]
    _out(render(["class", "label", "entities"], rows, _columns()))
    return EXIT_OK


register(
    Command(
        "stats",
        "count triples, entities by class, claims, measures and text segments",
        "kgtool stats\n  kgtool stats --data my-facts.ttl",
        _stats_arguments,
        _stats,
    )
)

# ----------------------------------------------------------------------------------------------
# docs


def _docs_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", "-o", default="site", metavar="DIR", help="folder to write into (default: site)"
    )
    parser.add_argument(
        "--lang",
        action="append",
        metavar="LANG",
        help="make only this language's page (en, zh-Hant); repeatable",
    )
    parser.add_argument(
        "--no-pictures", action="store_true", help="leave out the ontology picture (no Graphviz)"
    )
    _add_data(parser)


def _docs(args: argparse.Namespace) -> int:
    from kgtool.docs.site import write_site

    pictures = False if args.no_pictures else None
    for path in write_site(_load(args), args.out, langs=args.lang, pictures=pictures):
        _out(str(path))
    return EXIT_OK


register(
    Command(
        "docs",
        "write the HTML reference: ontology, vocabularies, research queries with their answers, "
        "sources; one page per language",
        "kgtool docs --out site\n  kgtool docs --out site --lang zh-Hant --no-pictures",
        _docs_arguments,
        _docs,
    )
)

# ----------------------------------------------------------------------------------------------
# draw


def _draw_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("entity", nargs="?", help="the entity to draw: a label, alias or IRI")
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--timeline", action="store_true", help="draw the dated things in order")
    what.add_argument("--ontology", action="store_true", help="draw the ontology's main classes")
    parser.add_argument(
        "--depth", type=int, default=1, metavar="N", help="hops of facts around the entity"
    )
    parser.add_argument(
        "--out",
        "-o",
        metavar="FILE",
        help="write .svg, .png, .pdf or .dot (default: SVG on standard output)",
    )
    parser.add_argument(
        "--lang",
        action="append",
        metavar="LANG",
        help="label in this language only (en, zh-Hant); repeatable; default both",
    )
    _add_data(parser)


def _draw(args: argparse.Namespace) -> int:
    from kgtool import draw

    if (args.entity is None) == (not args.timeline and not args.ontology):
        raise UsageError("give an entity to draw, or --timeline, or --ontology (one of them)")
    kg = _load(args)
    if args.timeline:
        dot = draw.timeline(kg, langs=args.lang)
    elif args.ontology:
        dot = draw.ontology(kg, langs=args.lang)
    else:
        dot = draw.neighbourhood(kg, args.entity, depth=args.depth, langs=args.lang)
    if args.out is None:
        _out(draw.svg(dot))
    else:
        _out(str(draw.render(dot, args.out)))
    return EXIT_OK


register(
    Command(
        "draw",
        "draw an entity's neighbourhood, the timeline or the ontology with Graphviz",
        "kgtool draw DeepSeek --out deepseek.svg\n"
        "  kgtool draw 深度求索 --depth 2 --out deepseek.png\n"
        "  kgtool draw --timeline --out timeline.svg\n"
        "  kgtool draw --ontology --out docs/ontology.svg",
        _draw_arguments,
        _draw,
    )
)

# ----------------------------------------------------------------------------------------------
# synth


def _synth_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out", metavar="FILE", help="the file to write: .nt N-Triples, .ttl Turtle")
    parser.add_argument(
        "--triples", "-n", type=int, default=100_000, help="about how many triples (100000)"
    )
    parser.add_argument("--seed", type=int, default=0, help="the same seed, the same graph (0)")


def _synth(args: argparse.Namespace) -> int:
    from kgtool.bench.synthetic import generate
    from kgtool.terms import IRI

    try:
        summary = generate(args.out, args.triples, args.seed)
    except ValueError as error:
        raise UsageError(str(error)) from None
    company = IRI(summary.examples["company"]).compact()
    _out(
        f"wrote {summary.triples} triples to {summary.path}\n"
        f"  kgtool query measures-reaching --data {summary.path} -p target={company}"
    )
    return EXIT_OK


register(
    Command(
        "synth",
        "write a synthetic graph in kgtool's ontology, of a given size and seed, for benchmarks",
        "kgtool synth synthetic.nt --triples 1000000 --seed 1\n"
        "  kgtool validate --data synthetic.nt",
        _synth_arguments,
        _synth,
    )
)

# ----------------------------------------------------------------------------------------------


class _Version(argparse.Action):
    """Prints the installed version; importlib.metadata is imported only when asked."""

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        import kgtool

        _out(f"kgtool {kgtool.__version__}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one sub-parser per registered command."""
    for module in PLUGINS:
        import_module(module)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show the traceback on errors",
    )
    parser = argparse.ArgumentParser(
        prog="kgtool",
        description="Query, check and export the knowledge graph of DeepSeek and US tech policy.",
        epilog="example:\n  kgtool query measures-reaching --param target=DeepSeek\n\n"
        + EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--debug", action="store_true", help="show the traceback on errors")
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS.values():
        sub = commands.add_parser(
            command.name,
            parents=[common],
            help=command.help,
            description=command.help[0].upper() + command.help[1:] + ".",
            epilog=f"example:\n  {command.example}\n\n{EXIT_CODES_HELP}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        command.arguments(sub)
        sub.set_defaults(run=command.run)
    return parser


def _exit_code(error: KgtoolError) -> int:
    if isinstance(error, UsageError):
        return EXIT_USAGE
    return next((code for kind, code in ERROR_EXITS if isinstance(error, kind)), EXIT_FAILURE)


def main(argv: Sequence[str] | None = None) -> int:
    """Run `kgtool` with `argv` (the process arguments by default); return the exit code."""
    args = build_parser().parse_args(argv)
    try:
        code: int = args.run(args)
        sys.stdout.flush()
        return code
    except KgtoolError as error:
        if args.debug:
            raise
        print(f"kgtool {args.command}: error: {error}", file=sys.stderr)
        return _exit_code(error)
    except BrokenPipeError:
        # The reader (`| head`) has gone: stop quietly, without a second error at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        if args.debug:
            raise
        module = error.name or "" if isinstance(error, ModuleNotFoundError) else ""
        extra = EXTRAS.get(module.partition(".")[0])
        if extra is not None:
            missing = MissingExtra(f"kgtool {args.command}", extra, module)
            print(f"kgtool {args.command}: error: {missing}", file=sys.stderr)
            return _exit_code(missing)
        print(
            f"kgtool {args.command}: internal error: {error!r} (--debug shows the traceback)",
            file=sys.stderr,
        )
        return EXIT_BUG
