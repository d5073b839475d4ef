"""The local engine: RDF files loaded into an in-memory pyoxigraph store, one named graph each.

Queries see the union of the asserted graphs and of the triples derived from them at load (who
meets which scope criterion, which measures could reach whom), plus the graph of RDFS / OWL RL
inferences when asked. Results
come back as `kgtool.terms` values in a `QueryResult`, the same types a remote endpoint gives.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Literal, Protocol

import pyoxigraph as ox

from kgtool.errors import DataError, QueryError, ResultTooLarge
from kgtool.namespaces import GRAPH, PREFIXES
from kgtool.resources import Source
from kgtool.results import QueryResult
from kgtool.terms import IRI, Term, from_oxigraph

_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
}
_QUERY_POSITION = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)
#: The characters XML 1.0 forbids, as UTF-8 bytes (none is part of another character's bytes).
_XML_INVALID = re.compile(b"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")
_INFERRED = ox.NamedNode(GRAPH.inferred)
_DERIVED = ox.NamedNode(GRAPH.derived)


def _format(source: Source) -> ox.RdfFormat:
    suffix = "." + source.file.name.rsplit(".", 1)[-1].lower()
    if suffix not in _FORMATS:
        known = ", ".join(_FORMATS)
        raise DataError(
            f"cannot tell the RDF format from the file name (use {known})", source=source.name
        )
    return _FORMATS[suffix]


def _data_error(source: Source, error: SyntaxError) -> DataError:
    """pyoxigraph's SyntaxError carries the position as (file, line, column, ...) arguments."""
    message = re.sub(r"^Parser error [^:]*: ", "", str(error.msg or error))
    return DataError(message, source=source.name, line=error.lineno, column=error.offset)


def _query_error(sparql: str, source: str, error: SyntaxError) -> QueryError:
    """A QueryError at the most useful position.

    pyoxigraph reports where its parser gave up, often the end of the query; rdflib's parser
    stops at the first token that cannot fit, usually the culprit. So rdflib (imported only
    here, on the error path) is asked first, and pyoxigraph's own position is the fallback.
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql import prepareQuery

    try:
        prepareQuery(sparql)
    except ParseException as located:
        rest = located.line[located.col - 1 :].split()
        found = f"near {rest[0]!r}" if rest else "at the end of the line"
        message = f"syntax error {found} ({located.msg})"
        return QueryError(message, source=source, line=located.lineno, column=located.col)
    except Exception as other:  # such as an undeclared prefix, which rdflib names plainly
        return QueryError(str(other), source=source)
    own = _QUERY_POSITION.match(str(error))
    if own is None:
        return QueryError(str(error), source=source)
    line, column, message = own.groups()
    return QueryError(message, source=source, line=int(line), column=int(column))


def parse(source: Source) -> list[ox.Triple]:
    """The triples of one RDF file (for the files that are not loaded, such as the shapes)."""
    try:
        return [
            quad.triple
            for quad in ox.parse(source.read(), format=_format(source), base_iri=source.base_iri)
        ]
    except SyntaxError as error:
        raise _data_error(source, error) from None


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a result becomes Python objects.

    Result terms hold no cycles, yet each row allocates several objects, so a large answer sets
    off collections that walk every object of the process again and again: at a million triples
    this took chips, claims-by and timeline 1.3-1.5x the engine's own time. Nothing is lost by
    pausing; a collection runs as usual once the allocations resume elsewhere.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _converter() -> Callable[[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple], Term]:
    """Turns the terms of one result into kgtool terms, each distinct term once: a large answer
    repeats the same labels, classes and IRIs on many rows (claims-by at 1M triples: 16,074
    distinct terms in 52,440 values), and kgtool terms are immutable, so rows share them."""
    made: dict[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple, Term] = {}

    def term(node: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Term:
        found = made.get(node)
        if found is None:
            found = made[node] = from_oxigraph(node)
        return found

    return term


def _graph(name: str | None) -> ox.NamedNode | ox.DefaultGraph:
    """The named graph `name`; "" or None: the default graph."""
    return ox.NamedNode(name) if name else ox.DefaultGraph()


def write_triples(triples: Iterable[ox.Triple], rdf_format: ox.RdfFormat) -> bytes:
    """Triples in an RDF format, Turtle and RDF/XML with the project's prefixes."""
    prefixes = PREFIXES if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    return bytes(ox.serialize(triples, format=rdf_format, prefixes=prefixes) or b"")


class _Full(Exception):
    """Raised by `_Output` to stop pyoxigraph writing."""


class _Output:
    """A binary output for a SELECT answer that stops the writing (`_Full`) past `max_rows`
    rows or `max_bytes` bytes, so that an answer far over the limits costs little.

    The rows are counted each time the answer doubles in size past the least size that could
    hold too many (two bytes a row), so counting costs at most twice the answer's length."""

    def __init__(
        self, results_format: ox.QueryResultsFormat, max_rows: int | None, max_bytes: int | None
    ) -> None:
        self.buffer = bytearray()
        self.format = results_format
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self.count_at = None if max_rows is None else 2 * (max_rows + 1)

    def write(self, chunk: bytes) -> int:
        self.buffer += chunk
        if self.max_bytes is not None and len(self.buffer) > self.max_bytes:
            raise _Full
        if self.count_at is not None and len(self.buffer) >= self.count_at:
            if self.over():
                raise _Full
            self.count_at *= 2
        return len(chunk)

    def flush(self) -> None:
        pass

    def over(self) -> bool:
        """Whether the answer written so far has more than `max_rows` rows."""
        if self.max_rows is None or len(self.buffer) < 2 * (self.max_rows + 1):
            return False
        return _rows(bytes(self.buffer), self.format, self.max_rows) > self.max_rows


def _rows(body: bytes, results_format: ox.QueryResultsFormat, limit: int) -> int:
    """How many rows a SELECT answer, or the beginning of one, has, counted only as far as
    `limit` + 1. TSV has one line per row and a head line; CSV too, but a quoted value may
    hold line breaks (a quote inside one is doubled, so the parts between quotes alternate
    outside and inside values); JSON and XML are parsed again (in Rust) up to where they end."""
    if results_format == ox.QueryResultsFormat.TSV:
        return body.count(b"\n") - 1
    if results_format == ox.QueryResultsFormat.CSV:
        return sum(outside.count(b"\n") for outside in body.split(b'"')[::2]) - 1
    parsed = ox.parse_query_results(body, results_format)
    assert isinstance(parsed, ox.QuerySolutions)
    found = 0
    try:
        for _ in islice(parsed, limit + 1):
            found += 1
    except SyntaxError:
        pass  # the end of a beginning
    return found


class Store(Protocol):
    """Where a graph's triples are: anything that answers SPARQL over them.

    `LocalStore` (this module) holds them in memory; `kgtool.remote.RemoteStore` sends each
    query to a SPARQL 1.1 store over HTTP. Both hand back the same `QueryResult` values, so the
    named queries, entity look-up and `measures_reaching` run on either (`kgtool.graph`).
    """

    @property
    def locations(self) -> list[str]:
        """Where the triples come from, as messages name it (files, or an endpoint's graph)."""
        ...

    def execute(self, sparql: str, *, source: str) -> QueryResult:
        """Run a SPARQL query; `source` names it (a file, a query name) in error messages."""
        ...


class LocalStore:
    """An in-memory pyoxigraph store holding one named graph per loaded file (or the files of
    a user's dataset in the graphs it chose; see `kgtool.resources.dataset_sources`)."""

    def __init__(self) -> None:
        self._store = ox.Store()
        self.sources: list[Source] = []
        self._inferred = 0

    def load(self, sources: Iterable[Source]) -> None:
        """Load each file into its graph (a TriG or N-Quads file into the graphs it names);
        a malformed file raises `DataError`."""
        for source in sources:
            rdf_format = _format(source)
            quads = rdf_format in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS)
            to_graph = None if quads else _graph(source.graph)
            try:
                # A file on disk is parsed as it is read: reading it into bytes first costs
                # its whole size in memory on top of the store's (124 MB more at 1M triples).
                if isinstance(source.file, Path):
                    self._store.load(
                        path=source.file,
                        format=rdf_format,
                        base_iri=source.base_iri,
                        to_graph=to_graph,
                    )
                else:
                    self._store.load(
                        source.read(), rdf_format, base_iri=source.base_iri, to_graph=to_graph
                    )
            except SyntaxError as error:
                raise _data_error(source, error) from None
            except OSError as error:
                message = f"cannot read the file: {error.strerror or error}"
                raise DataError(message, source=source.name) from None
            self.sources.append(source)

    @property
    def locations(self) -> list[str]:
        """The files loaded, as messages name them."""
        return [source.name for source in self.sources]

    @property
    def oxigraph(self) -> ox.Store:
        """The pyoxigraph store itself, for the endpoint's protocol queries and updates."""
        return self._store

    @property
    def asserted(self) -> list[ox.NamedNode | ox.DefaultGraph]:
        """The graphs loaded from files."""
        return list(dict.fromkeys(_graph(source.graph) for source in self.sources))

    def execute(self, sparql: str, *, source: str, inferred: bool = False) -> QueryResult:
        """Run a SPARQL query over the asserted graphs (and the inferred one if `inferred`).

        `source` names the query in error messages: a query name or a file.
        """
        try:
            return self.evaluate(sparql, inferred=inferred)
        except SyntaxError as error:
            raise _query_error(sparql, source, error) from None
        except (OSError, RuntimeError, ValueError) as error:
            raise QueryError(str(error), source=source) from None

    def evaluate(
        self,
        sparql: str,
        *,
        inferred: bool = False,
        dataset: tuple[Sequence[str], Sequence[str]] | Literal["as written"] | None = None,
        base_iri: str | None = None,
        limit: int | None = None,
    ) -> QueryResult:
        """`execute` for a caller that tells pyoxigraph's errors apart itself (the endpoint:
        a syntax error is a 400, a failed SERVICE call a 502), so they are raised as they are:
        `SyntaxError`, `OSError`, `RuntimeError` or `ValueError`.

        `dataset` replaces the library's default graph (the union of the loaded graphs): a
        protocol request's (default graphs, named graphs) IRIs, or "as written": the store's
        own default graph unless the query's FROM and FROM NAMED choose. `limit` stops
        reading rows or triples after that many.
        """
        result = self._query(sparql, inferred, dataset, base_iri)
        if isinstance(result, ox.QueryBoolean):
            return QueryResult(boolean=bool(result))
        with _collector_paused():
            term = _converter()
            if isinstance(result, ox.QueryTriples):
                return QueryResult(
                    triples=[
                        (term(t.subject), IRI(t.predicate.value), term(t.object))
                        for t in islice(result, limit)
                    ]
                )
            return QueryResult(
                variables=[variable.value for variable in result.variables],
                rows=[
                    [None if value is None else term(value) for value in solution]
                    for solution in islice(result, limit)
                ],
            )

    def serialized(
        self,
        sparql: str,
        choose: Callable[[str], ox.QueryResultsFormat | ox.RdfFormat],
        *,
        inferred: bool = False,
        dataset: tuple[Sequence[str], Sequence[str]] | Literal["as written"] | None = None,
        base_iri: str | None = None,
        limit: int | None = None,
        max_bytes: int | None = None,
    ) -> tuple[str, bytes]:
        """`evaluate`, the answer written by pyoxigraph's own serializers (5-8 times faster
        than turning it into Python terms and writing those): returns the kind of answer
        (`select`, `ask` or `graph`) and the bytes in the format `choose(kind)` gives, a
        `QueryResultsFormat` for `select` and `ask`, an `RdfFormat` for `graph`. Same dataset
        rules and errors as `evaluate`; raises `ResultTooLarge` over `limit` rows or triples,
        or `max_bytes` bytes (writing stops there).
        """
        result = self._query(sparql, inferred, dataset, base_iri)
        if isinstance(result, ox.QueryBoolean):
            chosen = choose("ask")
            assert isinstance(chosen, ox.QueryResultsFormat)
            return "ask", result.serialize(format=chosen) or b""
        if isinstance(result, ox.QueryTriples):
            rdf_format = choose("graph")
            assert isinstance(rdf_format, ox.RdfFormat)
            triples = list(islice(result, None if limit is None else limit + 1))
            if limit is not None and len(triples) > limit:
                raise ResultTooLarge(limit, "triples")
            return "graph", write_triples(triples, rdf_format)
        results_format = choose("select")
        assert isinstance(results_format, ox.QueryResultsFormat)
        output = _Output(results_format, limit, max_bytes)
        try:
            result.serialize(output, format=results_format)  # type: ignore[arg-type]  # has write()
        except _Full:
            if output.over():
                raise ResultTooLarge(limit or 0, "rows") from None
            raise ResultTooLarge(max_bytes or 0, "bytes") from None
        if output.over():
            raise ResultTooLarge(limit or 0, "rows")
        body = bytes(output.buffer)
        if results_format == ox.QueryResultsFormat.XML:
            # pyoxigraph writes control characters as they are, which XML 1.0 forbids
            body = _XML_INVALID.sub("\ufffd".encode(), body)
        return "select", body

    def _query(
        self,
        sparql: str,
        inferred: bool,
        dataset: tuple[Sequence[str], Sequence[str]] | Literal["as written"] | None,
        base_iri: str | None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """The engine's answer over the dataset `evaluate` describes."""
        # The union of all graphs is much faster to query in pyoxigraph than an explicit list
        # of graphs, so the list is used only when there are inferences to leave out.
        union = dataset is None and (inferred or not self._inferred)
        options: dict[str, object] = {"use_default_graph_as_union": union, "base_iri": base_iri}
        if isinstance(dataset, tuple):
            options["default_graph"] = [_graph(iri) for iri in dataset[0]]
            options["named_graphs"] = [_graph(iri) for iri in dataset[1]]
        elif dataset is None and not union:
            options["default_graph"] = [*self.asserted, _DERIVED]
        return self._store.query(sparql, **options)  # type: ignore[arg-type]

    def construct(self, sparql: str, *, source: str) -> list[ox.Triple]:
        """The triples a CONSTRUCT query yields over asserted and inferred graphs (for rules)."""
        try:
            result = self._store.query(sparql, use_default_graph_as_union=True)
        except SyntaxError as error:
            raise QueryError(str(error), source=source) from None
        if not isinstance(result, ox.QueryTriples):
            raise QueryError("an inference rule must be a CONSTRUCT query", source=source)
        return list(result)

    def add_inferred(self, triples: Iterable[ox.Triple]) -> int:
        """Add the triples that no graph holds yet to the inferred graph; return how many."""
        new = {
            triple
            for triple in triples
            if next(
                self._store.quads_for_pattern(triple.subject, triple.predicate, triple.object), None
            )
            is None
        }
        self._store.extend(ox.Quad(t.subject, t.predicate, t.object, _INFERRED) for t in new)
        self._inferred += len(new)
        return len(new)

    def clear_inferred(self) -> None:
        self._store.clear_graph(_INFERRED)
        self._inferred = 0

    def derive(self, sparql: str, *, source: str) -> None:
        """Add what a CONSTRUCT rule yields to the graph derived at load, which is always
        queried with the asserted graphs. The triples go from the engine's result to the store
        as N-Triples, never through Python objects: at a million triples that halves the cost."""
        try:
            result = self._store.query(sparql, use_default_graph_as_union=True)
        except SyntaxError as error:
            raise QueryError(str(error), source=source) from None
        if not isinstance(result, ox.QueryTriples):
            raise QueryError("a derivation rule must be a CONSTRUCT query", source=source)
        data = result.serialize(format=ox.RdfFormat.N_TRIPLES)
        self._store.load(data, ox.RdfFormat.N_TRIPLES, to_graph=_DERIVED)

    def clear_derived(self) -> None:
        self._store.clear_graph(_DERIVED)

    def count(self, graphs: Sequence[str | None] | None = None) -> int:
        """How many triples the given graphs hold (None: the default graph; all asserted
        graphs by default)."""
        names = [_graph(graph) for graph in graphs] if graphs is not None else self.asserted
        return sum(
            1 for graph in names for _ in self._store.quads_for_pattern(None, None, None, graph)
        )

    def triples(self, *, inferred: bool, derived: bool = False) -> list[ox.Triple]:
        """Every asserted triple, and the derived and inferred ones if asked: the asserted
        alone for export and validation, with the derived ones for a push."""
        graphs = [
            *self.asserted,
            *([_DERIVED] if derived else []),
            *([_INFERRED] if inferred else []),
        ]
        return list(
            dict.fromkeys(
                quad.triple
                for graph in graphs
                for quad in self._store.quads_for_pattern(None, None, None, graph)
            )
        )
