"""The query process: it loads the graph once, then answers jobs sent down a pipe, one at a time.

pyoxigraph cannot interrupt a query from Python, so every query runs in such a process, which
the server kills when it runs past its time limit (`kgtool.server.pool`). A job is a small
picklable object whose `run(state)` returns a `Reply`: status, media type, body. Everything a
user can get wrong becomes a 4xx reply here, with the library's or the parser's message.

Every request is checked here before the engine sees it, whatever the server process checked
already (it scans only short texts, to keep its event loop free): its nesting depth, its
SERVICE and LOAD targets, and, where "service" or "load" appears outside a keyword, a dry run
that makes no connection (`kgtool.server.guard.defused`). The engine evaluates queries
recursively, so jobs run on a thread with a large stack (`STACK`), which `guard.MAX_DEPTH`
is sized against.

Over 500 lines: one job class per kind of request, each beside the checks it makes before the
engine sees the request.
"""

from __future__ import annotations

import resource
import signal
import threading
import urllib.request
from collections import OrderedDict
from dataclasses import dataclass
from importlib.resources import files
from multiprocessing.connection import Connection
from typing import Any, Literal

import pyoxigraph as ox

from kgtool import catalog
from kgtool.errors import (
    AmbiguousEntity,
    KgtoolError,
    ParameterError,
    QueryError,
    ResultTooLarge,
    UnknownEntity,
    UnknownQuery,
)
from kgtool.graph import KnowledgeGraph
from kgtool.inference import derive_reach
from kgtool.resources import dataset_sources
from kgtool.results import QueryResult
from kgtool.server import guard, media
from kgtool.store import LocalStore

TEXT = "text/plain"
#: The stack a query process runs jobs on (reserved address space, used only as deep as a
#: query goes): `guard.MAX_DEPTH` levels need at most a quarter of it.
STACK = 256 << 20


@dataclass(frozen=True)
class Reply:
    """An HTTP answer as the worker computed it; `cacheable` is False for an answer that may
    differ on the next run (NOW(), RAND(), SERVICE...)."""

    status: int
    media: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()
    cacheable: bool = True

    @classmethod
    def text(cls, status: int, message: str) -> Reply:
        return cls(status, TEXT, (message.rstrip("\n") + "\n").encode("utf-8"))


class Refused(KgtoolError):
    """A request the endpoint will not answer, with the HTTP status that says why."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(message)


@dataclass(frozen=True)
class Settings:
    """What a query process needs to know; `updates` are replayed when it starts.

    With `shipped`, the shipped graph is served and the `data` files are added beside it,
    each in a named graph of its own, the default graph being the union of them all (as the
    library queries it). Without, only the `data` files (in the default graph) and the
    `named_data` files (each in the graph named with it) are served, and the default graph
    is the default graph. `base` is the service IRI, the base of relative IRIs.
    """

    data: tuple[str, ...]
    max_rows: int
    allow_service: frozenset[str]
    memory_limit: int
    base: str = "http://127.0.0.1:8083/sparql"
    shipped: bool = True
    named_data: tuple[tuple[str, str], ...] = ()
    read_only: bool = True
    updates: tuple[UpdateJob, ...] = ()


def load_graph(settings: Settings) -> KnowledgeGraph:
    """The graph the settings describe (a malformed file raises `DataError`)."""
    if settings.shipped:
        kg = KnowledgeGraph.load(extra=settings.data)
        kg.store.load(dataset_sources((), settings.named_data))
        derive_reach(kg.store)
        return kg
    store = LocalStore()
    store.load(dataset_sources(settings.data, settings.named_data))
    derive_reach(store)
    return KnowledgeGraph(store, catalog.shipped())


@dataclass
class State:
    """A query process's graph and settings."""

    settings: Settings
    kg: KnowledgeGraph

    @classmethod
    def load(cls, settings: Settings) -> State:
        """The graph loaded from the settings' files, with the updates logged so far."""
        state = cls(settings, load_graph(settings))
        for update in settings.updates:
            update.apply(state)
        state.refresh(updated=bool(settings.updates))
        return state

    def refresh(self, *, updated: bool) -> None:
        """A fresh KnowledgeGraph over the same store, so that labels are indexed anew (now,
        before the first request needs them) and, after an update, reach derived anew."""
        if updated:
            derive_reach(self.kg.store)
        self.kg = KnowledgeGraph(self.kg.store, catalog.shipped())
        _ = self.kg.labels

    @property
    def store(self) -> ox.Store:
        return self.kg.store.oxigraph


def _negotiated(kind: str, wanted: str | None, accept: str | None, hint: str | None) -> str:
    """`wanted` (chosen by the front before the run) if it suits the kind, else negotiate."""
    if wanted is not None and wanted in media.KINDS[kind]:
        return wanted
    return media.negotiate(kind, accept, hint)


def _check(text: str, found: guard.Scan, settings: Settings) -> None:
    """Refuse a request nested too deep, or with a SERVICE or LOAD that is not allowed; and
    where "service" or "load" appears anywhere but as a keyword, make sure pyoxigraph's own
    parser agrees that it is no keyword, with a dry run on an empty store that cannot open a
    connection (see `guard.defused`)."""
    guard.check_depth(found)
    guard.check_network(found, settings.allow_service)
    if not found.hidden_keywords:
        return
    refusal = _dry_runs.get(text, "") if len(text) <= guard.KEPT_TEXT else ""
    if refusal == "":
        refusal = _dry_run(text, found, settings)
        if len(text) <= guard.KEPT_TEXT:
            _dry_runs[text] = refusal
            if len(_dry_runs) > _DRY_RUNS_KEPT:
                _dry_runs.popitem(last=False)
    if refusal is not None:
        raise guard.ServiceRefused(refusal)


#: The dry runs' verdicts (None: passed, else why refused), kept for the texts clients send
#: again and again: a dry run costs as much as planning the query (13 ms for
#: measures-reaching, whose comments say "loaded").
_dry_runs: OrderedDict[str, str | None] = OrderedDict()
_DRY_RUNS_KEPT = 64


def _dry_run(text: str, found: guard.Scan, settings: Settings) -> str | None:
    try:
        if found.form == "update":
            ox.Store().update(guard.defused(text, found), base_iri=settings.base)
        else:
            result = ox.Store().query(guard.defused(text, found), base_iri=settings.base)
            if not isinstance(result, ox.QueryBoolean):
                next(iter(result), None)
    except SyntaxError as error:
        return (
            f"the request was refused: it has a syntax error, or a SERVICE or LOAD that "
            f"could not be checked ({error})"
        )
    except (OSError, RuntimeError, ValueError, TypeError):
        pass
    return None


@dataclass(frozen=True)
class SparqlJob:
    """A SPARQL Protocol query, with the dataset the request gave (None: the query's own)."""

    text: str
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    media: str | None
    accept: str | None = None
    hint: str | None = None

    def run(self, state: State) -> Reply:
        found = guard.scan(self.text)
        if found.form == "update":
            if state.settings.read_only:
                raise Refused(403, "SPARQL Update is refused: this endpoint is read-only")
            raise Refused(
                400, "this is an update: send it as update=… or application/sparql-update"
            )
        _check(self.text, found, state.settings)
        # As the library does, the default graph is the union of all the loaded files, unless
        # the request or the query's FROM chooses, or the server holds only a user's dataset.
        dataset: tuple[tuple[str, ...], tuple[str, ...]] | Literal["as written"] | None = None
        if self.default_graphs is not None or self.named_graphs is not None:
            dataset = (self.default_graphs or (), self.named_graphs or ())
            for iri in (*dataset[0], *dataset[1]):
                _graph(iri)
        elif found.has_dataset or not state.settings.shipped:
            dataset = "as written"
        media_type, body = _serialized(
            state, self.text, dataset, (self.media, self.accept, self.hint)
        )
        return Reply(200, media_type, body, cacheable=not found.volatile)


def _serialized(
    state: State,
    text: str,
    dataset: tuple[tuple[str, ...], tuple[str, ...]] | Literal["as written"] | None,
    wanted: tuple[str | None, str | None, str | None],
) -> tuple[str, bytes]:
    """Run a query in the query process's store and write its answer in the media type
    negotiated for its kind (`wanted`: the front's choice, Accept, format hint); each engine
    error becomes its status."""
    chosen = ""

    def choose(kind: str) -> ox.QueryResultsFormat | ox.RdfFormat:
        nonlocal chosen
        chosen = _negotiated(kind, *wanted)
        return media.rdf_format(chosen) if kind == "graph" else media.results_format(chosen)

    settings = state.settings
    try:
        _, body = state.kg.store.serialized(
            text,
            choose,
            inferred=state.kg.inferred,
            dataset=dataset,
            base_iri=settings.base,
            limit=settings.max_rows,
            max_bytes=settings.memory_limit // 4 or None,
        )
    except ResultTooLarge as error:
        rule = "a quarter of its memory" if error.unit == "bytes" else "--max-rows"
        raise Refused(422, f"{error} (the server's {rule}): add a LIMIT, or ask for less") from None
    except SyntaxError as error:
        raise Refused(400, f"malformed query: {error}") from None
    except OSError as error:
        # SERVICE calls are the only I/O a query on an in-memory store makes.
        raise Refused(502, f"a SERVICE call failed: {error}") from None
    except (RuntimeError, ValueError, TypeError) as error:
        raise Refused(400, f"the query failed: {error}") from None
    return chosen, body


def _graph(iri: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(iri)
    except ValueError:
        raise Refused(400, f"not a valid graph IRI: {iri!r}") from None


#: What LOAD asks a server for, the formats pyoxigraph reads.
_LOAD_ACCEPT = (
    "text/turtle, application/n-triples, application/rdf+xml, application/ld+json;q=0.9, "
    "application/trig;q=0.8, application/n-quads;q=0.8"
)
_LOAD_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/json": ox.RdfFormat.JSON_LD,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect could lead anywhere: LOAD reads only the document the allow-list names."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _fetch(document: str, limit: int) -> list[ox.Triple]:
    """The triples of an (allow-listed) document; `Refused` 502 if it cannot be read."""
    opener = urllib.request.build_opener(_NoRedirects)
    request = urllib.request.Request(document, headers={"Accept": _LOAD_ACCEPT})
    try:
        with opener.open(request, timeout=30) as answer:
            kind = answer.headers.get_content_type()
            data = answer.read(limit + 1)
    except (OSError, ValueError) as error:
        raise Refused(502, f"LOAD <{document}> failed: {error}") from None
    if len(data) > limit:
        raise Refused(502, f"LOAD <{document}> failed: the document is over {limit} bytes")
    if kind not in _LOAD_FORMATS:
        raise Refused(502, f"LOAD <{document}> failed: {kind} is not an RDF format")
    try:
        return [
            quad.triple for quad in ox.parse(data, format=_LOAD_FORMATS[kind], base_iri=document)
        ]
    except SyntaxError as error:
        raise Refused(502, f"LOAD <{document}> failed: {error}") from None


@dataclass(frozen=True)
class FetchJob:
    """An update whose LOADs are fetched here, once, and written into it as INSERT DATA.

    Every query process runs each update on its own store, and a process started later
    replays them all: a LOAD run in each would fetch its document again and again (and the
    processes could disagree if it changed, or fail to start if it went away). The reply's
    body is the update with each LOAD replaced by the data it read (or by nothing, for a
    LOAD SILENT that failed), which the pool then runs everywhere (`kgtool.server.pool`).
    """

    update: UpdateJob

    def run(self, state: State) -> Reply:
        text = self.update.text
        found = guard.scan(text)
        _check(text, found, state.settings)
        limit = state.settings.memory_limit // 4 or 1 << 30
        for load in reversed(guard.load_operations(text)):
            try:
                triples = _fetch(load.document, limit)
            except Refused:
                if not load.silent:
                    raise
                triples = []
            data = " ".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples)
            if load.graph is not None:
                data = f"GRAPH <{load.graph}> {{ {data} }}"
            text = f"{text[: load.start]}INSERT DATA {{ {data} }}{text[load.end :]}"
        return Reply(200, TEXT, text.encode("utf-8"))


@dataclass(frozen=True)
class UpdateJob:
    """A SPARQL Update (only ever sent when the server allows updates), with the protocol's
    using-graph-uri and using-named-graph-uri if given."""

    text: str
    using: tuple[str, ...] = ()
    using_named: tuple[str, ...] = ()

    def run(self, state: State) -> Reply:
        found = guard.scan(self.text)
        _check(self.text, found, state.settings)
        self.apply(state)
        state.refresh(updated=True)
        return Reply(204, TEXT, b"")

    def apply(self, state: State) -> None:
        """Run the update on the store (also when a new process replays the log)."""
        text = self.text
        if self.using or self.using_named:
            for iri in (*self.using, *self.using_named):
                _graph(iri)
            text = guard.with_dataset(text, self.using, self.using_named)
        try:
            state.store.update(text, base_iri=state.settings.base)
        except SyntaxError as error:
            raise Refused(400, f"malformed update: {error}") from None
        except OSError as error:
            raise Refused(502, f"the update failed: {error}") from None
        except (RuntimeError, ValueError) as error:
            raise Refused(400, f"the update failed: {error}") from None


@dataclass(frozen=True)
class NamedJob:
    """A named query from the catalog, its parameters bound by the library."""

    name: str
    params: tuple[tuple[str, str], ...]
    media: str | None
    accept: str | None = None
    hint: str | None = None

    def run(self, state: State) -> Reply:
        text = state.kg.sparql(self.name, params=dict(self.params))
        media_type, body = _serialized(state, text, None, (self.media, self.accept, self.hint))
        return Reply(200, media_type, body)


def _triples(result: QueryResult) -> list[ox.Triple]:
    """A graph result's triples as pyoxigraph's, for its serializers."""
    return [quad.triple for quad in ox.parse(result.serialize("nt"), format=ox.RdfFormat.N_TRIPLES)]


def resource_text(name: str) -> str:
    """A file shipped in `kgtool/server/` (a query, a template, a description)."""
    return files("kgtool.server").joinpath(*name.split("/")).read_text(encoding="utf-8")


@dataclass(frozen=True)
class EntityJob:
    """The page (HTML) or the data (a DESCRIBE) of one of the graph's IRIs."""

    iri: str
    media: str

    def run(self, state: State) -> Reply:
        try:
            iri = state.kg.resolve(f"<{self.iri}>")
        except (UnknownEntity, AmbiguousEntity):
            raise Refused(404, f"the graph says nothing about <{self.iri}>") from None
        if self.media == media.HTML:
            from kgtool.server import pages

            return Reply(200, media.HTML, pages.entity_page(state.kg, iri).encode("utf-8"))
        result = state.kg.query(catalog.shipped("pages").get("entity-data"), params={"entity": iri})
        return Reply(200, self.media, media.write_graph(_triples(result), self.media))


@dataclass(frozen=True)
class DescriptionJob:
    """The service description and VoID description, with IRIs relative to `base` (the
    server's root URL, as configured: never what a request's Host header says)."""

    base: str
    media: str
    updates: bool
    federation: bool

    def run(self, state: State) -> Reply:
        union = state.settings.shipped
        files_ = ["description/service.ttl"]
        files_ += ["description/shipped.ttl"] if state.settings.shipped else []
        files_ += ["description/union.ttl"] if union else []
        files_ += ["description/update.ttl"] if self.updates else []
        files_ += ["description/federation.ttl"] if self.federation else []
        triples = [
            quad.triple
            for name in files_
            for quad in ox.parse(
                resource_text(name), format=ox.RdfFormat.TURTLE, base_iri=self.base
            )
        ]
        counted = state.store.query(
            catalog.shipped("service").get("dataset").sparql,
            base_iri=self.base,
            use_default_graph_as_union=union,
        )
        assert isinstance(counted, ox.QueryTriples)
        triples += list(counted)
        return Reply(200, self.media, media.write_graph(triples, self.media))


Job = SparqlJob | UpdateJob | FetchJob | NamedJob | EntityJob | DescriptionJob

#: How each library error becomes a status: an unknown name is 404, any other mistake 400.
_STATUS: tuple[tuple[type[KgtoolError], int], ...] = (
    (UnknownQuery, 404),
    (ParameterError, 400),
    (UnknownEntity, 400),
    (AmbiguousEntity, 400),
    (QueryError, 400),
    (guard.ServiceRefused, 400),
    (guard.TooDeep, 400),
    (guard.DatasetConflict, 400),
    (media.NotAcceptable, 406),
)


def answer(job: Job, state: State) -> Reply:
    """Run a job; every error becomes a reply with a status and a message."""
    try:
        return job.run(state)
    except Refused as error:
        return Reply.text(error.status, str(error))
    except KgtoolError as error:
        status = next((code for kind, code in _STATUS if isinstance(error, kind)), 400)
        return Reply.text(status, str(error))
    except MemoryError:
        return Reply.text(422, "the query needs more memory than the server allows it")


def main(conn: Connection, settings: Settings) -> None:
    """The query process: load, say ready, then answer jobs until the pipe closes, on a
    thread with a stack of `STACK` bytes."""
    # Ctrl-C reaches the whole process group; the server stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if settings.memory_limit > 0:
        resource.setrlimit(resource.RLIMIT_AS, (settings.memory_limit, settings.memory_limit))
    threading.stack_size(STACK)
    serving = threading.Thread(target=_serve, args=(conn, settings), name="kgtool-query")
    serving.start()
    serving.join()


def _serve(conn: Connection, settings: Settings) -> None:
    try:
        state = State.load(settings)
    except KgtoolError as error:
        conn.send(Reply.text(500, f"the query process could not load the graph: {error}"))
        return
    conn.send(Reply(200, TEXT, b"ready"))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(answer(job, state))
