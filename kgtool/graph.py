"""The graphs: `KnowledgeGraph` (loaded here, in memory) and `RemoteKnowledgeGraph` (pushed
into a SPARQL 1.1 store), both answering the same named queries through a `kgtool.store.Store`.

Data flows one way: files are loaded into a store, the reach rules derive from them, then the
graph is queried, described, validated or exported. What any store can answer (named queries,
entity look-up, `measures_reaching`) is in `QueryableGraph`; what needs the triples at hand
(inference, validation, export, statistics, the DL reasoner) only `KnowledgeGraph` has, so the
type of a graph says what it can do. Heavy parts (pySHACL, rdflib, Java) load only when asked.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kgtool import catalog, resources
from kgtool.catalog import Catalog, NamedQuery, bind, coerce
from kgtool.entities import Entity, LabelIndex, describe, resolve
from kgtool.inference import derive_reach
from kgtool.namespaces import GRAPH
from kgtool.results import QueryResult
from kgtool.stats import ClassCount, Stats
from kgtool.store import LocalStore, Store
from kgtool.terms import IRI, Literal, Term

if TYPE_CHECKING:
    from kgtool.coverage import Coverage
    from kgtool.measures import MeasureReach
    from kgtool.reasoning import Reasoning
    from kgtool.remote import RemoteStore
    from kgtool.validation import ValidationReport

PathLike = str | Path
Params = Mapping[str, Any]

_NAME = re.compile(r"[\w.-]+")


def _catalog(queries: PathLike | None) -> Catalog:
    return catalog.shipped() if queries is None else catalog.folder(queries)


def _merge(params: Params | None, legacy: dict[str, Any], what: str) -> dict[str, Any]:
    """`params`, or (deprecated, for one release) the same given as keyword arguments."""
    if not legacy:
        return dict(params or {})
    if params is not None:
        names = ", ".join(sorted(legacy))
        raise TypeError(f"{what}() got unexpected keyword arguments ({names}) beside params=")
    warnings.warn(
        f"{what}(name, NAME=value) is deprecated: use {what}(name, params={{'NAME': value}})",
        DeprecationWarning,
        stacklevel=3,
    )
    return legacy


class QueryableGraph:
    """What any graph answers, wherever its triples are: named queries and entity look-up.

    `query()` runs a named query (by name, or a `NamedQuery` read from a file or text);
    `entity()` describes a thing by name; `measures_reaching()` says which policy measures could
    reach an actor, and why.
    """

    def __init__(self, store: Store, queries: Catalog) -> None:
        self._store = store
        self._catalog = queries
        self._library = catalog.shipped("library")
        self._index: LabelIndex | None = None

    @property
    def sources(self) -> list[str]:
        """Where the triples come from: the files loaded, or the store and graph queried."""
        return self._store.locations

    def query(
        self, query: str | NamedQuery, /, params: Params | None = None, **legacy: Any
    ) -> QueryResult:
        """Run a query: a named query's name (`"measures-reaching"`, see `queries()`), or a
        `NamedQuery` (`NamedQuery.read("my.rq")`, `NamedQuery.text("SELECT ...")`).

        `params` binds the query's declared parameters; an `entity` parameter takes a label,
        alias, prefixed name or IRI. Raises `UnknownQuery`, `ParameterError`, `UnknownEntity`
        or `QueryError`.
        """
        return self._run(self._named(query), _merge(params, legacy, "query"))

    def _named(self, query: str | NamedQuery) -> NamedQuery:
        if isinstance(query, NamedQuery):
            return query
        if query in self._catalog or (_NAME.fullmatch(query) and not query.endswith(".rq")):
            return self._catalog.get(query)
        warnings.warn(
            "query(PATH or SPARQL text) is deprecated: use query(NamedQuery.read(path)) or "
            "query(NamedQuery.text(sparql))",
            DeprecationWarning,
            stacklevel=3,
        )
        if "\n" not in query and len(query) < 4096 and query.endswith(".rq"):
            return NamedQuery.read(query)
        return NamedQuery.text(query)

    def _run(self, named: NamedQuery, params: Params) -> QueryResult:
        return self._execute(self._bind(named, params), named.source)

    def _execute(self, sparql: str, source: str) -> QueryResult:
        return self._store.execute(sparql, source=source)

    def _bind(self, named: NamedQuery, params: Params) -> str:
        def entity(text: str) -> IRI:
            return self.resolve(text, context=f"query {named.name}")

        return bind(named, coerce(named, params, entity))

    def sparql(self, name: str, /, params: Params | None = None, **legacy: Any) -> str:
        """The SPARQL text the named query `name` runs with these parameters: each given one
        bound in its VALUES block (an entity given by name, resolved to its IRI), the others
        at their defaults. For showing, sharing or running elsewhere what `query()` runs.
        Raises `UnknownQuery`, `ParameterError` or `UnknownEntity` as `query()` does.
        """
        return self._bind(self._catalog.get(name), _merge(params, legacy, "sparql"))

    def queries(self) -> list[NamedQuery]:
        """The catalog of named queries: name, title, questions, parameters, SPARQL text."""
        return self._catalog.all()

    def named_query(self, name: str) -> NamedQuery:
        """One named query by name; `UnknownQuery` lists the closest names."""
        return self._catalog.get(name)

    @property
    def labels(self) -> LabelIndex:
        """Every label and alias, indexed for name resolution (built on first use)."""
        if self._index is None:
            rows = self._run(self._library.get("labels"), {})
            self._index = LabelIndex(
                (IRI(row["entity"]), IRI(row["property"]), row["label"])
                for row in rows
                if isinstance(row["entity"], IRI) and isinstance(row["label"], Literal)
            )
        return self._index

    def label(self, term: Term | None) -> str:
        """A readable name for a term: its label (English first), else a prefixed name."""
        return self.labels.label(term)

    def resolve(self, text: str, *, context: str = "") -> IRI:
        """The IRI that a label, alias, prefixed name or IRI names.

        Raises `UnknownEntity` with the closest labels, or `AmbiguousEntity` with the candidates.
        """

        def exists(iri: IRI) -> bool:
            return bool(self._run(self._library.get("entity-exists"), {"entity": iri}).boolean)

        return resolve(text, self.labels, exists, context=context)

    def search(self, text: str, *, limit: int = 20) -> list[tuple[IRI, str]]:
        """Things whose label or alias matches `text` (in either Chinese script, any case),
        best first, as (IRI, the name matched): for a search box."""
        return self.labels.search(text, limit)

    def entity(self, label_or_iri: str) -> Entity:
        """Describe an entity: labels by language, aliases, classes, facts in and out, each
        fact with its support grade."""
        iri = self.resolve(label_or_iri)
        rows = self._run(self._library.get("entity-facts"), {"entity": iri})
        triples = [
            (str(row["direction"]), subject, IRI(row["predicate"]), obj, str(grade) or None)
            for row in rows
            if (subject := row["subject"]) is not None
            and (obj := row["object"]) is not None
            and (grade := row["support"]) is not None
        ]
        return describe(iri, self.labels, triples)

    def measures_reaching(self, target: str) -> list[MeasureReach]:
        """The policy measures that could reach `target` (a name or IRI), one record each,
        with the scope criteria, mechanisms, explanations and quotes through which they do.
        """
        from kgtool.measures import QUERY, group

        return group(self.query(QUERY, params={"target": target}))


class KnowledgeGraph(QueryableGraph):
    """The DeepSeek / US technology policy knowledge graph, loaded and ready to query.

    Build one with `KnowledgeGraph.load()`; then `query()` runs a named query, `entity()`
    describes a thing by name, `validate()` checks the SHACL shapes and `export()` writes the
    graph for Protégé and other tools. `KnowledgeGraph.remote()` queries a pushed copy instead.
    """

    def __init__(self, store: LocalStore, queries: Catalog, *, infer: bool = False) -> None:
        super().__init__(store, queries)
        self._local = store
        self._materialised = False
        #: Whether queries include the inferred graph unless told otherwise.
        self.inferred = False
        if infer:
            self.infer()

    @classmethod
    def load(
        cls,
        paths: Sequence[PathLike] | None = None,
        *,
        extra: Sequence[PathLike] = (),
        infer: bool = False,
        queries: PathLike | None = None,
        **legacy: Any,
    ) -> KnowledgeGraph:
        """Load the shipped ontology and data, or the given files and folders instead.

        `extra` adds a user's own RDF files (Turtle, N-Triples, RDF/XML or JSON-LD, told
        apart by extension). `infer=True` materialises the RDFS / OWL RL inferences at once
        (see `infer`). `queries` replaces the shipped named queries with a folder of `.rq`
        files. A malformed or missing file raises `DataError` naming the file, line and column.
        """
        if set(legacy) - {"reasoning"}:
            raise TypeError(f"load() got an unexpected keyword argument {next(iter(legacy))!r}")
        if "reasoning" in legacy:
            warnings.warn(
                "load(reasoning=...) is deprecated: use load(infer=...) (reasoning is the "
                "DL reasoner, KnowledgeGraph.reason)",
                DeprecationWarning,
                stacklevel=2,
            )
            infer = bool(legacy["reasoning"])
        store = LocalStore()
        store.load(resources.shipped_sources() if paths is None else resources.user_sources(paths))
        store.load(resources.user_sources(extra))
        derive_reach(store)
        return cls(store, _catalog(queries), infer=infer)

    @staticmethod
    def remote(
        url: str,
        *,
        graph: str | None = GRAPH.all,
        user: str | None = None,
        password: str | None = None,
        token: str | None = None,
        timeout: float = 60.0,
        retries: int = 4,
        queries: PathLike | None = None,
    ) -> RemoteKnowledgeGraph:
        """The graph as `kgtool push` put it into a SPARQL 1.1 store whose query URL is `url`.

        The named queries, `entity()` and `measures_reaching()` run there, over the named
        graph `graph` (None: the store's default graph); see `RemoteKnowledgeGraph`.
        """
        # Imported here: the HTTP client costs a local command a third of its start-up.
        from kgtool.remote import Credentials, Endpoints, RemoteStore

        credentials = Credentials(user, password, token)
        endpoints = Endpoints.discover(url, authenticated=bool(credentials))
        remote = RemoteStore(endpoints, credentials, timeout=timeout, retries=retries, graph=graph)
        return RemoteKnowledgeGraph(remote, _catalog(queries))

    @property
    def store(self) -> LocalStore:
        """The loaded store (the endpoint runs protocol requests on it with their own dataset)."""
        return self._local

    def infer(self) -> int:
        """Materialise the RDFS / OWL RL inferences into the graph
        `https://w3id.org/kgtool/graph/inferred` and include them in later queries by default.

        Returns the number of inferred triples. The named queries need no inference; this is
        for people who want to see the entailed graph.
        """
        count = self._materialise()
        self.inferred = True
        return count

    def _materialise(self) -> int:
        from kgtool.inference import materialise

        count = materialise(self._local)
        self._materialised = True
        self._index = None
        return count

    def query(
        self,
        query: str | NamedQuery,
        /,
        params: Params | None = None,
        *,
        inferred: bool | None = None,
        **legacy: Any,
    ) -> QueryResult:
        """Run a query: a named query's name (`"measures-reaching"`, see `queries()`), or a
        `NamedQuery` (`NamedQuery.read("my.rq")`, `NamedQuery.text("SELECT ...")`).

        `params` binds the query's declared parameters; an `entity` parameter takes a label,
        alias, prefixed name or IRI. `inferred` chooses whether the inferences are queried too
        (materialised on first need); by default they are after `infer()` or `load(infer=True)`.
        Raises `UnknownQuery`, `ParameterError`, `UnknownEntity` or `QueryError`.
        """
        named = self._named(query)
        sparql = self._bind(named, _merge(params, legacy, "query"))
        chosen = self.inferred if inferred is None else inferred
        return self._execute_local(sparql, named.source, chosen)

    def _execute(self, sparql: str, source: str) -> QueryResult:
        return self._execute_local(sparql, source, self.inferred)

    def _execute_local(self, sparql: str, source: str, inferred: bool) -> QueryResult:
        if inferred and not self._materialised:
            self._materialise()
        return self._local.execute(sparql, source=source, inferred=inferred)

    def reason(self) -> Reasoning:
        """Classify the graph with a DL reasoner: HermiT, bundled with owlready2, on Java.

        The ontology, the data and the scope classes of the loaded measures (`kgtool.scopes`)
        go to the reasoner, which derives on its own which measures could reach which actors
        and which measures' scopes contain which; the named queries `measures-reaching` and
        `scope-containment` give the same answers from the engine's rules. Takes seconds.
        Raises `ReasoningUnavailable` without Java, `DataError` if the graph is inconsistent.
        """
        from kgtool.export import document
        from kgtool.reasoning import reason

        statuses = {
            IRI(row["measure"]): IRI(row["status"]) if isinstance(row["status"], IRI) else None
            for row in self._run(self._library.get("measure-statuses"), {})
            if isinstance(row["measure"], IRI)
        }
        return reason(document(self._local), statuses, self.label)

    def coverage(self) -> Coverage:
        """Every sentence of every source with the facts, claims and entities that cite it,
        the sentences left out on purpose (`kg:omissionNote`), and the gaps: sentences nothing
        cites, stretches of a source's text no sentence covers.
        """
        from kgtool.coverage import coverage

        queries = catalog.shipped("coverage")
        segments, texts = queries.get("segments"), queries.get("source-texts")
        return coverage(self.query(segments), self.query(texts), self.label)

    def validate(self, *, shapes: PathLike | Sequence[PathLike] | None = None) -> ValidationReport:
        """Check ontology and data against the SHACL shapes (the shipped ones by default).

        Non-conformance is a normal outcome (`report.conforms` is False); `ValidationError`
        means validation itself could not run.
        """
        from kgtool.validation import validate

        if shapes is None:
            sources = [resources.shipped_shapes()]
        else:
            given = [shapes] if isinstance(shapes, str | Path) else list(shapes)
            sources = resources.user_sources(given)
        return validate(self._local, sources, label=self.label)

    def export(self, format: str, path: PathLike | None = None) -> str | None:
        """The graph as one ontology document in `turtle`, `xml` (RDF/XML), `json-ld` or `nt`.

        Written to `path` if given (returns None), else returned as text.
        """
        from kgtool.export import export

        return export(self._local, format, path)

    def stats(self) -> Stats:
        """Triples per file and in total, inferred triples, and entities per class."""
        counts = self._run(self._library.get("class-counts"), {})
        classes = tuple(
            ClassCount(IRI(row["class"]), self.label(row["class"]), int(row.value("count")))
            for row in counts
        )
        files = {source.name: self._local.count([source.graph]) for source in self._local.sources}
        return Stats(
            triples=sum(files.values()),
            inferred=self._local.count([GRAPH.inferred]),
            files=files,
            classes=classes,
        )


class RemoteKnowledgeGraph(QueryableGraph):
    """The graph as pushed into a SPARQL 1.1 store (`kgtool push`): the same named queries,
    entity look-up and `measures_reaching`, answered by the store with the same result types.

    Inference, validation, export and statistics need the triples at hand: a
    `KnowledgeGraph.load()` has them; this type has no such methods.
    """

    def __init__(self, store: RemoteStore, queries: Catalog) -> None:
        super().__init__(store, queries)
        self._remote = store

    @property
    def graph(self) -> str | None:
        """The named graph queried as the default graph (None: the store's own default graph)."""
        return self._remote.graph

    @property
    def store(self) -> RemoteStore:
        """The remote store the queries go to."""
        return self._remote
