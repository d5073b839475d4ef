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

from kgtool.errors import DataError, QueryError
from kgtool.namespaces import GRAPH
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
        # The union of all graphs is much faster to query in pyoxigraph than an explicit list
        # of graphs, so the list is used only when there are inferences to leave out.
        union = dataset is None and (inferred or not self._inferred)
        options: dict[str, object] = {"use_default_graph_as_union": union, "base_iri": base_iri}
        if isinstance(dataset, tuple):
            options["default_graph"] = [_graph(iri) for iri in dataset[0]]
            options["named_graphs"] = [_graph(iri) for iri in dataset[1]]
        elif dataset is None and not union:
            options["default_graph"] = [*self.asserted, _DERIVED]
        result = self._store.query(sparql, **options)  # type: ignore[arg-type]
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
