"""`KnowledgeGraph`: the one entry point to the loaded ontology and data.

It ties the layers together in the order data flows: files are loaded into a store, optionally
reasoned over, then queried, described, validated or exported. The heavy parts (pySHACL,
rdflib) load only when validation or export asks for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kgtool import resources
from kgtool.catalog import Catalog, NamedQuery, bind, coerce
from kgtool.entities import Entity, LabelIndex, describe, resolve
from kgtool.inference import derive_reach
from kgtool.namespaces import GRAPH
from kgtool.results import QueryResult
from kgtool.stats import ClassCount, Stats
from kgtool.store import LocalStore
from kgtool.terms import IRI, Literal, Term

if TYPE_CHECKING:
    from kgtool.coverage import Coverage
    from kgtool.measures import MeasureReach
    from kgtool.reasoning import Reasoning
    from kgtool.validation import ValidationReport

PathLike = str | Path


class KnowledgeGraph:
    """The DeepSeek / US technology policy knowledge graph, loaded and ready to query.

    Build one with `KnowledgeGraph.load()`; then `query()` runs a named query, a `.rq` file
    or SPARQL text, `entity()` describes a thing by name, `validate()` checks the SHACL shapes
    and `export()` writes the graph for Protégé and other tools.
    """

    def __init__(self, store: LocalStore, catalog: Catalog, *, reasoning: bool = False) -> None:
        self._store = store
        self._catalog = catalog
        self._internal = Catalog(resources.internal_queries(), folder="kgtool/sparql")
        self._index: LabelIndex | None = None
        self._materialised = False
        #: Whether queries include the inferred graph unless told otherwise.
        self.reasoning = False
        if reasoning:
            self.infer()

    @classmethod
    def load(
        cls,
        paths: Sequence[PathLike] | None = None,
        *,
        extra: Sequence[PathLike] = (),
        reasoning: bool = False,
        queries: PathLike | None = None,
    ) -> KnowledgeGraph:
        """Load the shipped ontology and data, or the given files and folders instead.

        `extra` adds a user's own RDF files (Turtle, N-Triples, RDF/XML or JSON-LD, told
        apart by extension). `reasoning=True` materialises inferences at once (see `infer`).
        `queries` replaces the shipped named queries with a folder of `.rq` files.
        A malformed or missing file raises `DataError` naming the file, line and column.
        """
        store = LocalStore()
        store.load(resources.shipped_sources() if paths is None else resources.user_sources(paths))
        store.load(resources.user_sources(extra))
        derive_reach(store)
        if queries is None:
            catalog = Catalog(resources.shipped_queries())
        else:
            catalog = Catalog(resources.query_folder(queries), folder=str(queries))
        return cls(store, catalog, reasoning=reasoning)

    @property
    def store(self) -> LocalStore:
        """The loaded store (the endpoint runs protocol requests on it with their own dataset)."""
        return self._store

    @classmethod
    def remote(
        cls,
        url: str,
        *,
        graph: str | None = GRAPH.all,
        user: str | None = None,
        password: str | None = None,
        token: str | None = None,
        timeout: float = 60.0,
        retries: int = 4,
        queries: PathLike | None = None,
    ) -> KnowledgeGraph:
        """The graph as `kgtool push` put it into a SPARQL 1.1 store whose query URL is `url`.

        The named queries, `entity()` and `measures_reaching()` run there, over the named
        graph `graph` (None: the store's default graph); see `kgtool.remote`.
        """
        from kgtool.remote import connect

        return connect(
            url,
            graph=graph,
            user=user,
            password=password,
            token=token,
            timeout=timeout,
            retries=retries,
            queries=queries,
        )

    @property
    def sources(self) -> list[str]:
        """The files loaded, as messages name them."""
        return [source.name for source in self._store.sources]

    def infer(self) -> int:
        """Materialise the RDFS / OWL RL inferences into the graph
        `https://w3id.org/kgtool/graph/inferred` and include them in later queries by default.

        Returns the number of inferred triples. The named queries need no inference; this is
        for people who want to see the entailed graph.
        """
        count = self._materialise()
        self.reasoning = True
        return count

    def _materialise(self) -> int:
        from kgtool.inference import materialise

        count = materialise(self._store)
        self._materialised = True
        self._index = None
        return count

    def query(
        self, name_or_sparql: str, /, *, inferred: bool | None = None, **params: Any
    ) -> QueryResult:
        """Run a named query (`"measures-reaching"`), a `.rq` file, or SPARQL text.

        Keyword arguments bind the query's declared parameters; an `entity` parameter takes a
        label, alias, prefixed name or IRI. `inferred` chooses whether the inferences are
        queried too (materialised on first need); by default they are after `infer()` or
        `load(reasoning=True)`.
        Raises `UnknownQuery`, `ParameterError`, `UnknownEntity` or `QueryError`.
        """
        named = self._catalog.find(name_or_sparql)
        return self._run(named, params, inferred)

    def _run(self, named: NamedQuery, params: dict[str, Any], inferred: bool | None) -> QueryResult:
        sparql = self._bind(named, params)
        return self._execute(sparql, named.source, self.reasoning if inferred is None else inferred)

    def _bind(self, named: NamedQuery, params: dict[str, Any]) -> str:
        def entity(text: str) -> IRI:
            return self.resolve(text, context=f"query {named.name}")

        return bind(named, coerce(named, params, entity))

    def sparql(self, name: str, /, **params: Any) -> str:
        """The SPARQL text the named query `name` runs with these parameters: each given one
        bound in its VALUES block (an entity given by name, resolved to its IRI), the others
        at their defaults. For showing, sharing or running elsewhere what `query()` runs.
        Raises `UnknownQuery`, `ParameterError` or `UnknownEntity` as `query()` does.
        """
        return self._bind(self._catalog.get(name), params)

    def _execute(self, sparql: str, source: str, inferred: bool) -> QueryResult:
        """Run bound SPARQL on the engine (a remote graph sends it to its store instead)."""
        if inferred and not self._materialised:
            self._materialise()
        return self._store.execute(sparql, source=source, inferred=inferred)

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
            rows = self._run(self._internal.get("labels"), {}, None)
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
            return bool(
                self._run(self._internal.get("entity-exists"), {"entity": iri}, None).boolean
            )

        return resolve(text, self.labels, exists, context=context)

    def search(self, text: str, *, limit: int = 20) -> list[tuple[IRI, str]]:
        """Things whose label or alias matches `text` (in either Chinese script, any case),
        best first, as (IRI, the name matched): for a search box."""
        return self.labels.search(text, limit)

    def entity(self, label_or_iri: str) -> Entity:
        """Describe an entity: labels by language, aliases, classes, facts in and out, each
        fact with its support grade."""
        iri = self.resolve(label_or_iri)
        rows = self._run(self._internal.get("entity-facts"), {"entity": iri}, None)
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

        return group(self.query(QUERY, target=target))

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
            for row in self._run(self._internal.get("measure-statuses"), {}, None)
            if isinstance(row["measure"], IRI)
        }
        return reason(document(self._store), statuses, self.label)

    def coverage(self) -> Coverage:
        """Every sentence of every source with the facts, claims and entities that cite it,
        the sentences left out on purpose (`kg:omissionNote`), and the gaps: sentences nothing
        cites, stretches of a source's text no sentence covers.
        """
        from kgtool.coverage import coverage

        return coverage(self)

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
        return validate(self._store, sources, label=self.label)

    def export(self, format: str, path: PathLike | None = None) -> str | None:
        """The graph as one ontology document in `turtle`, `xml` (RDF/XML), `json-ld` or `nt`.

        Written to `path` if given (returns None), else returned as text.
        """
        from kgtool.export import export

        return export(self._store, format, path)

    def stats(self) -> Stats:
        """Triples per file and in total, inferred triples, and entities per class."""
        counts = self._run(self._internal.get("class-counts"), {}, None)
        classes = tuple(
            ClassCount(IRI(row["class"]), self.label(row["class"]), int(row.value("count")))
            for row in counts
        )
        files = {source.name: self._store.count([source.graph]) for source in self._store.sources}
        return Stats(
            triples=sum(files.values()),
            inferred=self._store.count([GRAPH.inferred]),
            files=files,
            classes=classes,
        )
