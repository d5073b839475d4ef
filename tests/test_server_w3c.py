"""The W3C SPARQL 1.1 test suites, run against real `kgtool serve` processes.

The test files are vendored in `tests/w3c/` (see its SOURCE.md and licences); nothing here is
read from outside the repository.

- The Protocol tests (`protocol/manifest.ttl`, 34 tests): every request of every test sent as
  the manifest writes it, the answer checked for status, format and boolean. The query tests
  run on a read-only server holding the manifest's graphs (`--named-graph`); the update
  tests on a second server with updates on, to whose requests the harness adds the update
  token, its only addition. All must pass.
- The query-evaluation tests (aggregates, bind, bindings, cast, construct, CSV/TSV and JSON
  results, exists, functions, grouping, negation, project expressions, property paths,
  subqueries: 235 tests). Starting a server per test would take minutes, so one server holds
  every test's data, each file in a named graph of its file IRI (`--no-shipped-graph --data
  all.nq`), and each request chooses its test's dataset with the protocol's
  `default-graph-uri` and `named-graph-uri`; a query with its own FROM keeps it. The query is
  sent with `BASE <its file's IRI>` in front, the IRI its relative IRIs are written against.
  Answers are compared as multisets of rows (or graphs, canonicalized), blank nodes matched
  one to one, numbers and booleans by value. Oxigraph's own server gets the same data and
  the same requests in the same run: kgtool must pass at least as many tests, and fail
  exactly those listed, with their causes, in `w3c/expected-failures.txt` (a listed test that
  passes, or a new failure, fails the test).
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from conftest import Server

from kgtool.server import guard

pytestmark = pytest.mark.slow

SUITE = Path(__file__).resolve().parent / "w3c"
#: Where the W3C publishes the suite: the base IRI of every file in it.
PUBLISHED = "https://w3c.github.io/rdf-tests/sparql/sparql11/"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
QT = "http://www.w3.org/2001/sw/DataAccess/tests/test-query#"
HT = "http://www.w3.org/2011/http#"
CNT = "http://www.w3.org/2011/content#"
UT = "http://www.w3.org/2009/sparql/tests/test-update#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
#: The namespace of the tests' own IRIs.
TESTS = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/"
EVALUATION = [
    "aggregates",
    "bind",
    "bindings",
    "cast",
    "construct",
    "csv-tsv-res",
    "exists",
    "functions",
    "grouping",
    "json-res",
    "negation",
    "project-expression",
    "property-path",
    "subquery",
]
TOKEN = "w3c-token"
#: The graph each test without data of its own gets as its default graph: an empty one.
NO_DATA = "urn:kgtool:w3c:no-data"
RESULT_FORMATS = {
    ".srx": ox.QueryResultsFormat.XML,
    ".srj": ox.QueryResultsFormat.JSON,
    ".tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".rdf": ox.RdfFormat.RDF_XML,
}


# ----------------------------------------------------------------------------------------------
# Reading the manifests


def _iri(path: Path) -> str:
    return PUBLISHED + path.relative_to(SUITE / "sparql11").as_posix()


def _path(iri: str) -> Path:
    assert iri.startswith(PUBLISHED), iri
    return SUITE / "sparql11" / iri[len(PUBLISHED) :]


def _manifest(folder: str) -> tuple[ox.Store, list[ox.NamedNode]]:
    """A manifest's triples, and its entries in order."""
    path = SUITE / "sparql11" / folder / "manifest.ttl"
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=_iri(path))
    # the list walked link by link: a `rest*/first` path query returns its members in no order
    manifest = next(iter(store.quads_for_pattern(None, ox.NamedNode(MF + "entries"), None)))
    entries = _list(store, manifest.object)
    assert entries, f"no entries in {path}"
    return store, entries


def _objects(store: ox.Store, subject: Any, predicate: str) -> list[Any]:
    return [quad.object for quad in store.quads_for_pattern(subject, ox.NamedNode(predicate), None)]


def _one(store: ox.Store, subject: Any, predicate: str) -> Any:
    found = _objects(store, subject, predicate)
    assert len(found) == 1, (subject, predicate, found)
    return found[0]


def _list(store: ox.Store, head: Any) -> list[Any]:
    items = []
    while head != ox.NamedNode(RDF + "nil"):
        items.append(_one(store, head, RDF + "first"))
        head = _one(store, head, RDF + "rest")
    return items


# ----------------------------------------------------------------------------------------------
# The Protocol tests


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    statuses: tuple[str, ...]
    boolean: bool | None
    result_format: str | None


def _protocol_tests() -> list[tuple[str, list[HttpRequest], list[tuple[str, str]]]]:
    """Each test's name, its requests in order, and the graphs (IRI, file) it needs."""
    store, entries = _manifest("protocol")
    tests = []
    for entry in entries:
        name = entry.value.rsplit("#", 1)[1]
        action = _one(store, entry, MF + "action")
        requests = []
        for request in _list(store, _one(store, action, HT + "requests")):
            headers = tuple(
                (_one(store, h, HT + "fieldName").value, _one(store, h, HT + "fieldValue").value)
                for head in _objects(store, request, HT + "headers")
                for h in _list(store, head)
            )
            bodies = _objects(store, request, HT + "body")
            response = _one(store, request, HT + "resp")
            booleans = _objects(store, response, MF + "expectedBoolean")
            formats = _objects(store, response, MF + "expectedFormat")
            requests.append(
                HttpRequest(
                    method=_one(store, request, HT + "methodName").value,
                    path=_one(store, request, HT + "absolutePath").value,
                    headers=headers,
                    body=_one(store, bodies[0], CNT + "chars").value.encode() if bodies else None,
                    statuses=tuple(
                        sorted(
                            code.value.rsplit("StatusCode", 1)[1][0]
                            for code in _objects(store, response, MF + "expectedStatus")
                        )
                    ),
                    boolean=booleans[0].value == "true" if booleans else None,
                    result_format=formats[0].value if formats else None,
                )
            )
        graphs = [
            (
                _one(store, data, RDFS + "label").value,
                str(_path(_one(store, data, UT + "graph").value)),
            )
            for data in _objects(store, entry, UT + "graphData")
        ]
        tests.append((name, requests, graphs))
    return tests


PROTOCOL = _protocol_tests()
#: The graphs the protocol tests name, as `--named-graph IRI FILE` options.
PROTOCOL_GRAPHS = sorted({graph for _, _, graphs in PROTOCOL for graph in graphs})
FORMAT_TYPES = {
    "boolean": {"application/sparql-results+json", "application/sparql-results+xml"},
    "tabular": {
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    },
    "RDF": {"text/turtle", "application/n-triples", "application/rdf+xml"},
}


@pytest.fixture(scope="module")
def protocol_servers() -> Iterator[dict[str, Server]]:
    """A read-only server and a server taking updates, each with the protocol tests' graphs."""
    graphs = [option for iri, file in PROTOCOL_GRAPHS for option in ("--named-graph", iri, file)]
    common = ["--no-shipped-graph", *graphs, "--workers", "2"]
    servers = {
        "read-only": Server(*common),
        "updates": Server(*common, "--allow-update", "--update-token", TOKEN),
    }
    yield servers
    for server in servers.values():
        server.stop()


def test_the_protocol_manifest_was_read() -> None:
    assert len(PROTOCOL) == 34
    assert len(PROTOCOL_GRAPHS) == 3
    assert sum(len(requests) for _, requests, _ in PROTOCOL) == 39


@pytest.mark.parametrize(
    ("requests", "graphs"),
    [(requests, graphs) for _, requests, graphs in PROTOCOL],
    ids=[name for name, _, _ in PROTOCOL],
)
def test_w3c_protocol(
    protocol_servers: dict[str, Server],
    request: pytest.FixtureRequest,
    requests: list[HttpRequest],
    graphs: list[tuple[str, str]],
) -> None:
    name = request.node.callspec.id
    updating = name.startswith(("update_", "bad_update_"))
    server = protocol_servers["updates" if updating else "read-only"]
    added = (("Authorization", f"Bearer {TOKEN}"),) if updating else ()
    with httpx.Client(base_url=server.url, timeout=60) as client:
        for sent in requests:
            assert sent.path.startswith("/sparql/")
            response = client.request(
                sent.method,
                "/sparql" + sent.path[len("/sparql/") :],
                headers=[*sent.headers, *added],
                content=sent.body,
            )
            assert str(response.status_code)[0] in sent.statuses, (sent, response.text)
            kind = response.headers.get("content-type", "").split(";")[0].strip()
            if sent.result_format is not None:
                assert kind in FORMAT_TYPES[sent.result_format], (sent, kind)
            if sent.boolean is not None:
                assert kind == "application/sparql-results+json", kind
                assert response.json()["boolean"] is sent.boolean, sent


# ----------------------------------------------------------------------------------------------
# The query-evaluation tests


@dataclass(frozen=True)
class Evaluation:
    """One query-evaluation test: its IRI, query, dataset and expected result file."""

    iri: str
    query: Path
    data: tuple[str, ...]
    graphs: tuple[str, ...]
    result: Path


def _evaluation_tests() -> list[Evaluation]:
    tests = []
    for folder in EVALUATION:
        store, entries = _manifest(folder)
        for entry in entries:
            kinds = {kind.value for kind in _objects(store, entry, RDF + "type")}
            if not kinds & {MF + "QueryEvaluationTest", MF + "CSVResultFormatTest"}:
                continue
            action = _one(store, entry, MF + "action")
            tests.append(
                Evaluation(
                    iri=entry.value,
                    query=_path(_one(store, action, QT + "query").value),
                    data=tuple(sorted(d.value for d in _objects(store, action, QT + "data"))),
                    graphs=tuple(
                        sorted(g.value for g in _objects(store, action, QT + "graphData"))
                    ),
                    result=_path(_one(store, entry, MF + "result").value),
                )
            )
    return tests


EVALUATIONS = _evaluation_tests()


def _dataset(path: Path) -> None:
    """Every data file of the evaluation tests, each in the named graph of its IRI, as N-Quads."""
    files = sorted({iri for test in EVALUATIONS for iri in (*test.data, *test.graphs)})
    quads = []
    for iri in files:
        source = _path(iri)
        for quad in ox.parse(path=str(source), format=GRAPH_FORMATS[source.suffix], base_iri=iri):
            quads.append(ox.Quad(quad.subject, quad.predicate, quad.object, ox.NamedNode(iri)))
    ox.serialize(quads, output=str(path), format=ox.RdfFormat.N_QUADS)


class OxigraphServer:
    """`oxigraph serve-read-only` over a store loaded with one file, on a free port."""

    def __init__(self, location: Path, data: Path) -> None:
        import socket

        command = shutil.which("oxigraph")
        assert command, "the `oxigraph` server command is missing: pip install oxigraph"
        subprocess.run(
            [command, "load", "--location", str(location), "--file", str(data)],
            check=True,
            capture_output=True,
        )
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.endpoint = f"http://127.0.0.1:{port}/query"
        self.process = subprocess.Popen(
            [
                command,
                "serve-read-only",
                "--location",
                str(location),
                "--bind",
                f"127.0.0.1:{port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "oxigraph serve-read-only exited at start"
            try:
                if httpx.get(self.endpoint, params={"query": "ASK {}"}, timeout=2).is_success:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        raise AssertionError("oxigraph serve-read-only did not answer within 60 s")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(20)


# Comparing answers: terms as (kind, value, datatype, language); blank nodes matched one to one;
# numbers and booleans by value, as the engine keeps them in canonical form ("1.0"^^xsd:decimal
# comes back as "1") and the suite's result files write them either way.
Term = tuple[str, str, str, str]
Row = tuple[tuple[str, Term], ...]
XSD = "http://www.w3.org/2001/XMLSchema#"
INTEGERS = {
    XSD + name
    for name in [
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    ]
}
RS = "http://www.w3.org/2001/sw/DataAccess/tests/result-set#"


def _value(lexical: str, datatype: str) -> str:
    """A number's or boolean's value, written one way; any other lexical form as it is."""
    try:
        if datatype in INTEGERS:
            return str(int(lexical))
        if datatype == XSD + "decimal":
            return repr(Decimal(lexical).normalize())
        if datatype in (XSD + "double", XSD + "float"):
            return repr(float(lexical))
    except (ValueError, ArithmeticError):
        return lexical
    if datatype == XSD + "boolean":
        return {"1": "true", "0": "false"}.get(lexical, lexical)
    return lexical


def _term(term: Any) -> Term:
    if isinstance(term, ox.BlankNode):
        return ("bnode", term.value, "", "")
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        return ("literal", _value(term.value, datatype), datatype, term.language or "")
    return ("iri", term.value, "", "")


def _result_set(path: Path) -> list[Row] | bool | None:
    """The answer an RDF result file holds (the result-set vocabulary), or None if it holds
    a graph (a CONSTRUCT's answer)."""
    store = ox.Store()
    store.load(path=str(path), format=GRAPH_FORMATS[path.suffix], base_iri=_iri(path))
    sets = [q.subject for q in store.quads_for_pattern(None, None, ox.NamedNode(RS + "ResultSet"))]
    if not sets:
        return None
    booleans = _objects(store, sets[0], RS + "boolean")
    if booleans:
        return booleans[0].value == "true"
    return [
        tuple(
            sorted(
                (
                    _one(store, binding, RS + "variable").value,
                    _term(_one(store, binding, RS + "value")),
                )
                for binding in _objects(store, solution, RS + "binding")
            )
        )
        for solution in _objects(store, sets[0], RS + "solution")
    ]


def _rows(results: ox.QuerySolutions) -> list[Row]:
    names = [variable.value for variable in results.variables]
    return [
        tuple(sorted((name, _term(value)) for name, value in zip(names, row, strict=True) if value))
        for row in results
    ]


def _csv_rows(text: str) -> list[Row]:
    """CSV answers as rows of text (the format keeps no term kinds), blank nodes apart."""
    reader = list(csv.reader(io.StringIO(text)))
    header = reader[0]
    return [
        tuple(
            sorted(
                (name, ("bnode" if cell.startswith("_:") else "text", cell, "", ""))
                for name, cell in zip(header, line, strict=True)
                if cell
            )
        )
        for line in reader[1:]
    ]


def _same_rows(expected: Sequence[Row], actual: Sequence[Row]) -> bool:
    """The same rows as multisets, with a one-to-one renaming of blank nodes."""
    if len(expected) != len(actual):
        return False

    def plain(row: Row) -> Row:
        return tuple((n, ("bnode", "", "", "") if t[0] == "bnode" else t) for n, t in row)

    if Counter(map(plain, expected)) != Counter(map(plain, actual)):
        return False
    if not any(t[0] == "bnode" for row in expected for _, t in row):
        return True

    def extend(mapping: dict[str, str], one: Row, other: Row) -> dict[str, str] | None:
        if len(one) != len(other):
            return None
        found = dict(mapping)
        for (name, term), (other_name, other_term) in zip(one, other, strict=True):
            if name != other_name or term[0] != other_term[0]:
                return None
            if term[0] != "bnode":
                if term != other_term:
                    return None
            elif found.setdefault(term[1], other_term[1]) != other_term[1]:
                return None
        if len(set(found.values())) != len(found):
            return None
        return found

    def search(at: int, used: frozenset[int], mapping: dict[str, str]) -> bool:
        if at == len(expected):
            return True
        for j, row in enumerate(actual):
            if j not in used:
                extended = extend(mapping, expected[at], row)
                if extended is not None and search(at + 1, used | {j}, extended):
                    return True
        return False

    return search(0, frozenset(), {})


def _canonical(triples: list[ox.Triple]) -> set[ox.Quad]:
    dataset = ox.Dataset([ox.Quad(t.subject, t.predicate, t.object) for t in triples])
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


def _outcome(endpoint: str, test: Evaluation, client: httpx.Client) -> str:
    """ "pass", or why the test failed."""
    query = f"BASE <{_iri(test.query)}>\n" + test.query.read_text(encoding="utf-8")
    params: list[tuple[str, str]] = []
    if not guard.scan(query).has_dataset:
        params += [("default-graph-uri", iri) for iri in test.data or (NO_DATA,)]
        params += [("named-graph-uri", iri) for iri in test.graphs]
    suffix = test.result.suffix
    accept = {
        ".csv": "text/csv",
        ".tsv": "text/tab-separated-values",
    }.get(suffix, "application/sparql-results+json, application/n-triples;q=0.9")
    try:
        response = client.post(
            endpoint,
            params=params,
            content=query.encode("utf-8"),
            headers={"Content-Type": "application/sparql-query", "Accept": accept},
        )
    except httpx.TransportError as error:
        return f"no answer ({error!r})"
    if response.status_code != 200:
        return f"{response.status_code}: {response.text.strip()[:200]}"
    kind = response.headers.get("content-type", "").split(";")[0].strip()
    if suffix == ".csv":
        expected_csv = _csv_rows(test.result.read_text(encoding="utf-8"))
        return "pass" if _same_rows(expected_csv, _csv_rows(response.text)) else "other rows"
    expected_set = _result_set(test.result) if suffix in GRAPH_FORMATS else None
    if expected_set is not None:
        answer = ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)
        if isinstance(expected_set, bool) or isinstance(answer, ox.QueryBoolean):
            return "pass" if expected_set == bool(answer) else "another boolean"
        return "pass" if _same_rows(expected_set, _rows(answer)) else "other rows"
    if suffix in GRAPH_FORMATS:
        if kind != "application/n-triples":
            return f"a {kind} answer to a CONSTRUCT"
        expected_graph = [
            q.triple
            for q in ox.parse(
                path=str(test.result), format=GRAPH_FORMATS[suffix], base_iri=_iri(test.result)
            )
        ]
        actual = [q.triple for q in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)]
        return "pass" if _canonical(expected_graph) == _canonical(actual) else "another graph"
    expected = ox.parse_query_results(path=str(test.result), format=RESULT_FORMATS[suffix])
    got = ox.parse_query_results(
        response.content,
        format=ox.QueryResultsFormat.TSV if suffix == ".tsv" else ox.QueryResultsFormat.JSON,
    )
    if isinstance(expected, ox.QueryBoolean) or isinstance(got, ox.QueryBoolean):
        return "pass" if expected == got else f"{bool(got)}, expected {bool(expected)}"
    assert isinstance(expected, ox.QuerySolutions) and isinstance(got, ox.QuerySolutions)
    return "pass" if _same_rows(_rows(expected), _rows(got)) else "other rows"


def _expected_failures() -> dict[str, str]:
    """The listed failures and their causes, by test IRI."""
    listed = {}
    for line in (SUITE / "expected-failures.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, cause = line.partition(" ")
            assert cause.strip(), f"expected-failures.txt: {name} has no cause"
            listed[TESTS + name] = cause.strip()
    assert listed, "expected-failures.txt lists nothing"
    return listed


@pytest.fixture(scope="module")
def evaluation_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """kgtool and Oxigraph's server with every evaluation test's data; their query URLs."""
    folder = tmp_path_factory.mktemp("w3c")
    data = folder / "all.nq"
    _dataset(data)
    kgtool = Server("--no-shipped-graph", "--data", str(data), "--workers", "2")
    oxigraph = OxigraphServer(folder / "oxigraph", data)
    yield {"kgtool": kgtool.endpoint, "oxigraph": oxigraph.endpoint}
    kgtool.stop()
    oxigraph.stop()


def test_w3c_query_evaluation(evaluation_servers: dict[str, str]) -> None:
    assert len(EVALUATIONS) == 235
    outcomes: dict[str, dict[str, str]] = {}
    with httpx.Client(timeout=60) as client:
        for system, endpoint in evaluation_servers.items():
            outcomes[system] = {test.iri: _outcome(endpoint, test, client) for test in EVALUATIONS}
    passed = {
        system: sum(o == "pass" for o in found.values()) for system, found in outcomes.items()
    }
    print(f"W3C SPARQL 1.1 query evaluation, {len(EVALUATIONS)} tests, passed: {passed}")
    failing = {iri: why for iri, why in outcomes["kgtool"].items() if why != "pass"}
    listed = _expected_failures()
    unexpected = {iri: why for iri, why in failing.items() if iri not in listed}
    fixed = sorted(iri for iri in listed if iri not in failing)
    assert not unexpected, f"new failures: {unexpected}"
    assert not fixed, f"listed in expected-failures.txt but passing now: {fixed}"
    assert passed["kgtool"] >= passed["oxigraph"], passed
