"""Remote SPARQL 1.1 stores: the `RemoteStore` a pushed graph lives in, and how it is filled.

`RemoteStore.replace` (what `kgtool.push.push` calls) replaces one named graph of a store
atomically. The triples go into a fresh temporary graph (through the Graph Store Protocol, or
SPARQL Update where a store has none), are counted there, and one SPARQL Update operation,
`MOVE <tmp> TO <graph>`, swaps them in: the store runs it as one transaction, so a failure at
any point leaves the previous graph as it was. `RemoteStore.execute` (the `kgtool.store.Store`
protocol, what `kgtool.graph.RemoteKnowledgeGraph` calls) runs queries through SPARQLWrapper,
naming the pushed graph as the default graph of each (`default-graph-uri`), and hands back the
same `kgtool.terms` values as the embedded store.

Over 500 lines: the HTTP details the stores differ on (layouts, authentication challenges,
retries, error bodies, batching that keeps blank nodes together) stay beside the one class that
needs them.
"""

from __future__ import annotations

import ast
import json
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from http.client import HTTPException, HTTPResponse
from typing import Final, NoReturn, TypeVar

import pyoxigraph as ox

from kgtool.errors import (
    AuthenticationFailed,
    EndpointUnavailable,
    NotAnEndpoint,
    PushFailed,
    RemoteError,
    RemoteRejected,
)
from kgtool.namespaces import GRAPH
from kgtool.results import QueryResult
from kgtool.terms import IRI, Term, from_json, from_oxigraph

T = TypeVar("T")

#: The named graph `push` fills and a remote graph queries, unless told otherwise.
DEFAULT_GRAPH: Final = GRAPH.all
#: Where the temporary graphs of pushes live (one per push, a UUID after this prefix).
TEMPORARY_GRAPHS: Final = GRAPH.NS + "push/"

#: Statuses that say the store did not handle the request and may a moment later.
_TRANSIENT = frozenset({429, 502, 503, 504})
_SPARQL_JSON = "application/sparql-results+json"
_UPLOAD_TYPE = "text/turtle; charset=utf-8"  # N-Triples is Turtle, and every store reads Turtle

# How stores lay out their services, recognised from the path of the query URL:
# (store, path pattern, update path, Graph Store Protocol path). `{base}` is the matched prefix;
# Virtuoso's `-auth` services are the ones that take credentials (HTTP Digest).
_LAYOUTS: tuple[tuple[str, str, str, str | None], ...] = (
    ("Oxigraph", r"(?P<base>)/query", "{base}/update", "{base}/store"),
    (
        "Virtuoso",
        r"(?P<base>)/sparql(?:-auth)?",
        "{base}/sparql{auth}",
        "{base}/sparql-graph-crud{auth}",
    ),
    ("Fuseki", r"(?P<base>/.+)/(?:sparql|query)", "{base}/update", "{base}/data"),
    ("RDF4J", r"(?P<base>.*/repositories/[^/]+)", "{base}/statements", "{base}/rdf-graphs/service"),
)


@dataclass(frozen=True)
class Endpoints:
    """A store's three services: SPARQL query, SPARQL update, and Graph Store Protocol (None
    where it has none: pushes then go through SPARQL Update)."""

    query: str
    update: str
    store: str | None
    #: Which layout they were recognised from (`Oxigraph`, `Virtuoso`, `Fuseki`, `RDF4J`), or
    #: `given` / `unknown`.
    layout: str = "given"

    @classmethod
    def discover(
        cls,
        query: str,
        *,
        update: str | None = None,
        store: str | None = None,
        authenticated: bool = False,
    ) -> Endpoints:
        """The services of the store whose query URL is `query`; `update` and `store` override
        what the common layouts (Oxigraph, Virtuoso, Fuseki, RDF4J/GraphDB) suggest."""
        parts = urllib.parse.urlsplit(query)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise RemoteError("not an http:// or https:// URL", url=query)
        path = parts.path.rstrip("/")
        layout, guessed_update, guessed_store = "unknown", query, None
        for name, pattern, update_path, store_path in _LAYOUTS:
            found = re.fullmatch(pattern, path)
            if found:
                names = {"base": found["base"], "auth": "-auth" if authenticated else ""}
                layout = name
                guessed_update = _at(parts, update_path.format(**names))
                guessed_store = _at(parts, store_path.format(**names)) if store_path else None
                break
        if update is not None and store is not None:
            layout = "given"
        return cls(query, update or guessed_update, store or guessed_store, layout)


def _at(parts: urllib.parse.SplitResult, path: str) -> str:
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


@dataclass(frozen=True)
class Credentials:
    """A user and password (HTTP Basic or Digest, as the store asks) or a bearer token."""

    user: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.token is not None and (self.user is not None or self.password is not None):
            raise RemoteError("give a user and password, or a token, not both")
        if (self.user is None) != (self.password is None):
            raise RemoteError("a user needs a password, and a password a user")

    def __bool__(self) -> bool:
        return self.user is not None or self.token is not None


@dataclass(frozen=True)
class _Answer:
    status: int
    content_type: str
    body: bytes


class _Transient(Exception):
    """A failure worth another try: the store did not take the request, or may not have."""

    def __init__(self, reason: str, *, sent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        #: Whether the request may have reached the store (a reset mid-answer, say).
        self.sent = sent


class RemoteStore:
    """A SPARQL 1.1 store over HTTP.

    Queries go through SPARQLWrapper, updates and Graph Store uploads through urllib; each has a
    timeout, and requests that fail in a way worth another try (connection refused during a
    restart, 502/503/504/429, a dropped connection) are retried with exponential back-off.
    """

    def __init__(
        self,
        endpoints: Endpoints,
        credentials: Credentials = Credentials(),
        *,
        timeout: float = 60.0,
        retries: int = 4,
        backoff: float = 0.5,
        graph: str | None = None,
    ) -> None:
        self.endpoints = endpoints
        #: The named graph `execute` queries as the default graph (None: the store's own).
        self.graph = graph
        self.credentials = credentials
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self._challenge: tuple[str, str] | None = None
        handlers: list[urllib.request.BaseHandler] = []
        if credentials.user is not None and credentials.password is not None:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in (endpoints.query, endpoints.update, endpoints.store):
                if url is not None:
                    passwords.add_password(None, url, credentials.user, credentials.password)
            handlers += [
                urllib.request.HTTPDigestAuthHandler(passwords),
                urllib.request.HTTPBasicAuthHandler(passwords),
            ]
        self._opener = urllib.request.build_opener(*handlers)

    # -- requests ------------------------------------------------------------------------------

    def _retrying(self, what: str, url: str, call: Callable[[], T], *, idempotent: bool) -> T:
        """`call()`, tried again after transient failures; `EndpointUnavailable` when they last.

        A request that may have reached the store is tried again only if it is `idempotent`.
        """
        delay = self.backoff
        for attempt in range(self.retries + 1):
            try:
                return call()
            except _Transient as failure:
                if attempt == self.retries or (failure.sent and not idempotent):
                    tries = f" after {attempt + 1} tries" if attempt else ""
                    raise EndpointUnavailable(f"{what}: {failure.reason}{tries}", url=url) from None
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    def _send(self, request: urllib.request.Request) -> _Answer:
        if self.credentials.token is not None:
            request.add_header("Authorization", f"Bearer {self.credentials.token}")
        try:
            response: HTTPResponse = self._opener.open(request, timeout=self.timeout)
            with response:
                return _Answer(
                    response.status, response.headers.get("Content-Type", ""), response.read()
                )
        except urllib.error.HTTPError as error:
            with error:
                return _Answer(error.code, error.headers.get("Content-Type", ""), error.read())
        except urllib.error.URLError as error:
            raise _connection_failure(error.reason, self.timeout, request.full_url) from None
        except (OSError, HTTPException) as error:
            raise _connection_failure(error, self.timeout, request.full_url) from None

    def _http(
        self,
        what: str,
        url: str,
        data: bytes,
        content_type: str,
        *,
        accept: str = "*/*",
        idempotent: bool = True,
    ) -> _Answer:
        """POST `data` to `url`; the answer when it is a success, else the matching RemoteError."""

        def once() -> _Answer:
            request = urllib.request.Request(url, data=data, method="POST")
            request.add_header("Content-Type", content_type)
            request.add_header("Accept", accept)
            answer = self._send(request)
            if answer.status in _TRANSIENT:
                raise _Transient(f"HTTP {answer.status}", sent=False)
            return answer

        answer = self._retrying(what, url, once, idempotent=idempotent)
        if answer.status >= 300:
            _refused(what, url, answer, bool(self.credentials))
        # A success is not read further: stores answer updates with anything from nothing to
        # an HTML page (Virtuoso's Graph Store), and `replace` counts what arrived anyway.
        return answer

    def update(self, sparql: str, *, what: str = "update", idempotent: bool = True) -> None:
        """Run a SPARQL Update request (form-encoded, which every store accepts)."""
        data = urllib.parse.urlencode({"update": sparql}).encode("ascii")
        self._http(
            what,
            self.endpoints.update,
            data,
            "application/x-www-form-urlencoded",
            idempotent=idempotent,
        )

    def upload(self, graph: str, ntriples: bytes) -> None:
        """Add N-Triples to a graph through the Graph Store Protocol (POST appends)."""
        assert self.endpoints.store is not None
        url = f"{self.endpoints.store}?{urllib.parse.urlencode({'graph': graph})}"
        self._http("upload", url, ntriples, _UPLOAD_TYPE)

    # -- queries -------------------------------------------------------------------------------

    def _auth_challenge(self) -> tuple[str, str]:
        """The scheme (`basic`, `digest` or `none`) and realm the query service asks for.

        Asked once, without credentials, so that a password is never sent in a scheme the
        store did not ask for (Basic would show it to a store that wanted Digest).
        """
        if self._challenge is None:
            url = self.endpoints.query
            data = urllib.parse.urlencode({"query": "ASK {}"}).encode("ascii")

            def once() -> tuple[str, str]:
                request = urllib.request.Request(url, data=data, method="POST")
                request.add_header("Content-Type", "application/x-www-form-urlencoded")
                try:
                    with urllib.request.urlopen(request, timeout=self.timeout):
                        return ("none", "")
                except urllib.error.HTTPError as error:
                    with error:
                        if error.code in _TRANSIENT:
                            raise _Transient(f"HTTP {error.code}", sent=False) from None
                        asked = error.headers.get("WWW-Authenticate", "")
                        scheme, _, rest = asked.partition(" ")
                        realm = re.search(r'realm="([^"]*)"', rest)
                        return (scheme.lower() or "none", realm[1] if realm else "")
                except urllib.error.URLError as error:
                    raise _connection_failure(error.reason, self.timeout, url) from None
                except (OSError, HTTPException) as error:
                    raise _connection_failure(error, self.timeout, url) from None

            self._challenge = self._retrying("query", url, once, idempotent=True)
        return self._challenge

    def query(self, sparql: str, *, source: str, default_graph: str | None = None) -> QueryResult:
        """Run a SPARQL query through SPARQLWrapper; the result as `kgtool.terms` values.

        `default_graph` is sent as `default-graph-uri`: the query then sees that graph alone as
        its default graph, whatever else the store holds. `source` names the query in errors.
        """
        from SPARQLWrapper import DIGEST, JSON, POST, TURTLE, SPARQLWrapper

        url = self.endpoints.query
        wrapper = SPARQLWrapper(url)
        wrapper.setQuery(sparql)
        if wrapper.isSparqlUpdateRequest():
            raise RemoteRejected(f"{source}: this is an update, not a query", url=url)
        graph_form = wrapper.queryType in ("CONSTRUCT", "DESCRIBE")
        wrapper.setReturnFormat(TURTLE if graph_form else JSON)
        wrapper.setMethod(POST)
        wrapper.setOnlyConneg(True)
        wrapper.setTimeout(max(1, round(self.timeout)))
        if default_graph is not None:
            wrapper.addDefaultGraph(default_graph)
        if self.credentials.token is not None:
            wrapper.addCustomHttpHeader("Authorization", f"Bearer {self.credentials.token}")
        elif self.credentials.user is not None and self.credentials.password is not None:
            scheme, realm = self._auth_challenge()
            if scheme in ("basic", "digest"):
                wrapper.setCredentials(
                    self.credentials.user, self.credentials.password, realm=realm or "SPARQL"
                )
                if scheme == "digest":
                    wrapper.setHTTPAuth(DIGEST)
        what = f"query {source}"
        answer = self._retrying(
            what, url, lambda: _run_wrapper(wrapper, self.timeout), idempotent=True
        )
        if answer.status >= 300:
            _refused(what, url, answer, bool(self.credentials))
        return _parse_result(answer, what, url, graph_form=graph_form)

    @property
    def locations(self) -> list[str]:
        """The query URL, and the graph queried if one is named."""
        where = f" <{self.graph}>" if self.graph else ""
        return [f"{self.endpoints.query}{where}"]

    def execute(self, sparql: str, *, source: str) -> QueryResult:
        """Run a SPARQL query over `graph` (the `kgtool.store.Store` protocol)."""
        return self.query(sparql, source=source, default_graph=self.graph)

    def count(self, graph: str) -> int:
        """How many triples the named graph holds (0 if it does not exist)."""
        result = self.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
            source="count",
        )
        rows = list(result)
        return int(rows[0].value("n")) if rows else 0

    # -- push ----------------------------------------------------------------------------------

    def replace(
        self,
        graph: str,
        triples: Sequence[ox.Triple],
        *,
        batch_size: int = 10_000,
        progress: Callable[[int, int], None] | None = None,
    ) -> PushReport:
        """Replace `graph` with `triples`, atomically (see the module's docstring).

        `progress(sent, total)` is called after each batch. Raises `PushFailed`, whose
        `previous_intact` says whether the old graph is known to be untouched.
        """
        if not triples:
            raise PushFailed("nothing to push: no triples", previous_intact=True)
        if batch_size < 1:
            raise RemoteError(f"the batch size must be at least 1, not {batch_size}")
        started = time.perf_counter()
        IRI.checked(graph)
        previous = self._before_push(graph)
        temporary = f"{TEMPORARY_GRAPHS}{uuid.uuid4()}"
        method = "graph store protocol" if self.endpoints.store else "sparql update"
        batches = 0
        try:
            sent = 0
            for batch in _batches(triples, batch_size):
                method = self._send_batch(temporary, batch, method)
                batches += 1
                sent += len(batch)
                if progress is not None:
                    progress(sent, len(triples))
            stored = self.count(temporary)
            if stored != len(triples):
                raise RemoteRejected(
                    f"the temporary graph <{temporary}> holds {stored} triples, not the "
                    f"{len(triples)} sent (a store that merges equal literals, or a batch "
                    "stored twice after a retry)",
                    url=self.endpoints.query,
                )
        except RemoteError as error:
            self._abandon(temporary, error, graph)
        try:
            # One operation, not DROP + MOVE: Virtuoso commits each operation of a request on
            # its own, and MOVE already empties the destination first.
            self.update(f"MOVE <{temporary}> TO <{graph}>", what="swap", idempotent=False)
        except RemoteError as error:
            if isinstance(error, EndpointUnavailable):
                raise PushFailed(
                    f"the swap of <{temporary}> into <{graph}> may or may not have happened "
                    f"({error.reason}); the store applies it whole or not at all, so <{graph}> "
                    "holds either the previous graph or the new one: count its triples to know",
                    url=error.url,
                    previous_intact=False,
                ) from error
            self._abandon(temporary, error, graph)
        return PushReport(
            endpoints=self.endpoints,
            graph=graph,
            triples=len(triples),
            previous=previous,
            batches=batches,
            method=method,
            seconds=time.perf_counter() - started,
        )

    def _before_push(self, graph: str) -> int:
        try:
            return self.count(graph)
        except RemoteError as error:
            raise PushFailed(
                f"{error.reason}; nothing was sent, <{graph}> is as it was",
                url=error.url,
                previous_intact=True,
            ) from error

    def _send_batch(self, temporary: str, batch: list[ox.Triple], method: str) -> str:
        """Send one batch; the method used, which falls back from the Graph Store Protocol to
        SPARQL Update when a guessed Graph Store URL turns out to be no such service."""
        ntriples = ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES) or b""
        if method == "graph store protocol":
            try:
                self.upload(temporary, ntriples)
                return method
            except NotAnEndpoint:
                if self.endpoints.layout == "given":
                    raise
        body = ntriples.decode("utf-8")
        # A template rather than INSERT DATA, which Virtuoso refuses for blank nodes.
        self.update(f"INSERT {{ GRAPH <{temporary}> {{\n{body}}} }} WHERE {{}}", what="upload")
        return "sparql update"

    def _abandon(self, temporary: str, error: RemoteError, graph: str) -> NoReturn:
        """Drop the temporary graph after a failure, and raise `PushFailed` saying what is left."""
        try:
            self.update(f"DROP SILENT GRAPH <{temporary}>", what="clean-up")
            left = "the temporary graph was removed"
        except RemoteError:
            left = (
                f"the temporary graph could not be removed: run `DROP SILENT GRAPH <{temporary}>` "
                "when the store is back"
            )
        raise PushFailed(
            f"{error.reason}; <{graph}> is as it was before the push ({left})",
            url=error.url,
            previous_intact=True,
        ) from error


def _connection_failure(reason: object, timeout: float, url: str) -> Exception:
    """A `_Transient` for failures worth another try, else the `RemoteError` to report."""
    if isinstance(reason, ConnectionRefusedError):
        return _Transient("connection refused (is the store running?)", sent=False)
    if isinstance(reason, socket.gaierror):
        return EndpointUnavailable(f"cannot resolve the host name ({reason})", url=url)
    if isinstance(reason, TimeoutError | socket.timeout):
        return EndpointUnavailable(f"no answer within {timeout:g} s", url=url)
    if isinstance(reason, ConnectionError | HTTPException):
        return _Transient(f"connection lost ({type(reason).__name__})", sent=True)
    if isinstance(reason, OSError):
        return _Transient(f"network error ({reason.strerror or reason})", sent=False)
    return EndpointUnavailable(str(reason), url=url)


def _message(answer: _Answer) -> str:
    """The gist of an error answer: its text (without markup if HTML), on one line, cut short."""
    text = answer.body.decode("utf-8", "replace")
    if "html" in answer.content_type:
        text = re.sub(r"<[^>]+>", " ", text)
    text = " ".join(text.split())
    return text[:400] + ("…" if len(text) > 400 else "")


def _refused(what: str, url: str, answer: _Answer, authenticated: bool) -> NoReturn:
    status = answer.status
    detail = _message(answer)
    said = f": {detail}" if detail else ""
    if status in (401, 403):
        hint = (
            "the store refused the credentials"
            if authenticated
            else "the store wants credentials (--user and --password, or --token)"
        )
        raise AuthenticationFailed(f"{what}: {hint} (HTTP {status})", url=url, status=status)
    if status in (404, 405, 406, 415, 501):
        raise NotAnEndpoint(
            f"{what}: no SPARQL service here (HTTP {status}){said}", url=url, status=status
        )
    raise RemoteRejected(
        f"{what}: the store refused it (HTTP {status}){said}", url=url, status=status
    )


def _run_wrapper(wrapper: object, timeout: float) -> _Answer:
    """Run a prepared SPARQLWrapper query; SPARQLWrapper's HTTP errors become statuses again."""
    from SPARQLWrapper import SPARQLExceptions as failures

    statuses = {
        failures.QueryBadFormed: 400,
        failures.Unauthorized: 401,
        failures.EndPointNotFound: 404,
        failures.URITooLong: 414,
        failures.EndPointInternalError: 500,
    }
    try:
        result = wrapper.query()  # type: ignore[attr-defined]
        response = result.response
        return _Answer(response.status, response.headers.get("Content-Type", ""), response.read())
    except failures.SPARQLWrapperException as error:
        # SPARQLWrapper keeps the body only inside its message, as the repr of the bytes.
        _, _, shown = str(error).partition("Response:\n")
        try:
            body = ast.literal_eval(shown) if shown else b""
        except (SyntaxError, ValueError):
            body = shown.encode("utf-8")
        return _Answer(statuses.get(type(error), 500), "text/plain", body)
    except urllib.error.HTTPError as error:
        with error:
            if error.code in _TRANSIENT:
                raise _Transient(f"HTTP {error.code}", sent=False) from None
            return _Answer(error.code, error.headers.get("Content-Type", ""), error.read())
    except urllib.error.URLError as error:
        raise _connection_failure(error.reason, timeout, wrapper.endpoint) from None  # type: ignore[attr-defined]
    except (OSError, HTTPException) as error:
        raise _connection_failure(error, timeout, wrapper.endpoint) from None  # type: ignore[attr-defined]


def _parse_result(answer: _Answer, what: str, url: str, *, graph_form: bool) -> QueryResult:
    media = answer.content_type.split(";")[0].strip().lower()
    if graph_form:
        format = ox.RdfFormat.from_media_type(media) if media else None
        if format is None:
            raise NotAnEndpoint(f"{what}: the answer is {media or 'untyped'}, not RDF", url=url)
        try:
            quads = ox.parse(answer.body, format=format)
            return QueryResult(
                triples=[
                    (from_oxigraph(q.subject), IRI(q.predicate.value), from_oxigraph(q.object))
                    for q in quads
                ]
            )
        except (SyntaxError, TypeError) as error:
            raise RemoteRejected(
                f"{what}: unreadable RDF in the answer ({error})", url=url
            ) from None
    if media not in (_SPARQL_JSON, "application/json"):
        raise NotAnEndpoint(
            f"{what}: the answer is {media or 'untyped'}, not SPARQL results "
            "(is this the store's SPARQL query URL?)",
            url=url,
        )
    try:
        document = json.loads(answer.body)
        if "boolean" in document:
            return QueryResult(boolean=bool(document["boolean"]))
        variables: list[str] = document["head"]["vars"]
        rows: list[list[Term | None]] = [
            [from_json(binding[name]) if name in binding else None for name in variables]
            for binding in document["results"]["bindings"]
        ]
    except (ValueError, KeyError, TypeError) as error:
        raise NotAnEndpoint(f"{what}: malformed SPARQL JSON results ({error})", url=url) from None
    return QueryResult(variables=variables, rows=rows)


def _batches(triples: Sequence[ox.Triple], size: int) -> Iterator[list[ox.Triple]]:
    """Batches of about `size` triples, in which the triples that share blank nodes stay
    together: a blank node label names the same node only within one request."""
    parent: dict[ox.BlankNode, ox.BlankNode] = {}

    def root(node: ox.BlankNode) -> ox.BlankNode:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def blank(triple: ox.Triple) -> list[ox.BlankNode]:
        return [n for n in (triple.subject, triple.object) if isinstance(n, ox.BlankNode)]

    for triple in triples:
        nodes = blank(triple)
        for other in nodes[1:]:
            parent[root(other)] = root(nodes[0])
        if nodes:
            root(nodes[0])
    groups: dict[ox.BlankNode, list[ox.Triple]] = {}
    units: list[list[ox.Triple]] = []
    for triple in triples:
        nodes = blank(triple)
        if not nodes:
            units.append([triple])
            continue
        key = root(nodes[0])
        if key not in groups:
            groups[key] = []
            units.append(groups[key])
        groups[key].append(triple)
    batch: list[ox.Triple] = []
    for unit in units:
        if batch and len(batch) + len(unit) > size:
            yield batch
            batch = []
        batch.extend(unit)
    if batch:
        yield batch


@dataclass(frozen=True)
class PushReport:
    """What a push did: where, how many triples (and how many the graph held before), how."""

    endpoints: Endpoints
    graph: str
    triples: int
    previous: int
    batches: int
    #: `graph store protocol` or `sparql update`.
    method: str
    seconds: float
