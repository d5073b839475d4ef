"""The HTTP side: routes, the SPARQL 1.1 Protocol's request forms, limits, and status codes.

The event loop only parses requests, negotiates formats and keeps answers; every query runs in
a query process (`kgtool.server.pool`), but for lookups on a read-only server. The loop does
no Python work that grows with a request's size: it tokenizes a query only if it is short
(`guard.SHORT_TEXT`), a longer one being checked by the query process that runs it, and it
percent-decodes a long form or query string on a thread. The
base IRI of every query and update is the service IRI (`ServerConfig.service_iri`), never what
a request's Host header says. Parameters the protocol does not define (cache-busters such as
`_=…`, a `timeout=`) are ignored, as other SPARQL servers do. Routes:

    /                     the query page
    /sparql               SPARQL 1.1 Protocol (GET, POST form, POST direct); without a query,
                          the service description
    /queries              the named queries (JSON);  /queries/{name}?param=value  runs one;
                          /queries/{name}.rq?param=value  its SPARQL text with those values
    /id/{slug}            an entity: an HTML page for browsers, else its data (Turtle, JSON-LD…);
                          a name instead of the slug (a label in either Chinese script, an
                          alias) redirects to the entity, or lists the closest names
    /search?q=…           entities by name (HTML for browsers, JSON for scripts)
    /.well-known/void     the VoID description of the dataset
    /static/…             the page's style and script

Status codes. 200 an answer, 204 an update done. 400 a malformed query, update, parameter,
percent-escape or UTF-8, a refused SERVICE or LOAD, a request nested deeper than
`guard.MAX_DEPTH`, an unknown entity given to a named query. 401 an
update without credentials, 403 an update on a read-only server or with a wrong token. 404 an
unknown named query, entity or path. 405 a method the resource does not take (with Allow).
406 no acceptable result format. 413 a body over --max-body. 415 an unsupported Content-Type
or charset. 422 a query the server stopped: past --timeout, over --max-rows, or out of memory;
the request was well formed but cannot be completed within the server's limits, and the remedy
is the client's (a more selective query, a LIMIT), hence a 4xx: not 408 (a client slow to
send, which browsers retry), not 413 (the request's own size), not 500 or 503 (no fault of the
server, and the same query would fail again). 429 (with Retry-After) a client with more
queries running and waiting than its share (`kgtool.server.pool`). 502 an allowed SERVICE
endpoint failed. 503 no query process came free for the whole timeout (with Retry-After):
real overload. 408, 413, 414 and 431 for a connection too slow, or a request head too large,
come from `kgtool.server.connections`.

Over 500 lines: one handler per request form of the SPARQL 1.1 Protocol, each with its own
checks beside it, so the protocol reads top to bottom in one place.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import re
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import unquote_to_bytes

import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kgtool.errors import KgtoolError, UnknownQuery
from kgtool.graph import KnowledgeGraph
from kgtool.namespaces import KGD
from kgtool.server import guard, media, pages
from kgtool.server.cache import Cache
from kgtool.server.config import ServerConfig
from kgtool.server.pool import CHEAP, OPEN, Pool, PoolError
from kgtool.server.worker import (
    DescriptionJob,
    EntityJob,
    Job,
    NamedJob,
    Refused,
    Reply,
    SparqlJob,
    State,
    UpdateJob,
    answer,
)

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
#: Parameters naming a result format, as Virtuoso, SPARQLWrapper and others send them.
FORMAT_HINTS = ("format", "output", "results")
#: The cache-buster jQuery and YASGUI add to a URL: ignored by the named queries too.
CACHE_BUSTER = "_"
#: Where the shortcut puts a request's raw key in the ASGI scope, for the answer to be kept under.
RAW_KEY = "kgtool.raw_key"
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_SECURITY = {"X-Content-Type-Options": "nosniff"}
_PAGE_SECURITY = {
    **_SECURITY,
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
        # YASGUI's editor and tables set style attributes from their script
        "style-src 'self' 'unsafe-inline'"
    ),
    "Referrer-Policy": "same-origin",
}
_OPEN = {**_SECURITY, "Access-Control-Allow-Origin": "*", "Vary": "Accept"}


def _reply_headers(reply: Reply, *, length: bool) -> list[tuple[str, str]]:
    """The headers of a reply: its type, the security headers, and its own."""
    if reply.status == 204:
        headers = list(_OPEN.items())
    else:
        security = _PAGE_SECURITY if reply.media == media.HTML else _OPEN
        headers = [("Content-Type", media.content_type(reply.media)), *security.items()]
    if length:
        headers.append(("Content-Length", str(len(reply.body))))
    return headers + list(reply.headers)


def _text(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(
        message.rstrip("\n") + "\n",
        status_code=status,
        media_type="text/plain; charset=utf-8",
        headers={**_OPEN, **(headers or {})},
    )


def _pairs(raw: bytes, where: str) -> list[tuple[str, str]]:
    """`name=value&…` decoded strictly: a malformed escape or invalid UTF-8 is a 400."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Refused(400, f"the {where} is not valid UTF-8 (byte {error.start})") from None
    bad = _BAD_ESCAPE.search(text)
    if bad:
        shown = text[bad.start() : bad.start() + 3]
        raise Refused(400, f"the {where} has a malformed percent-escape {shown!r}")
    pairs = []
    for piece in text.split("&"):
        if not piece:
            continue
        name, _, value = piece.partition("=")
        decoded = []
        for part in (name, value):
            try:
                decoded.append(unquote_to_bytes(part.replace("+", " ")).decode("utf-8"))
            except UnicodeDecodeError:
                raise Refused(
                    400, f"the {where} has a percent-encoded value that is not UTF-8: {part!r}"
                ) from None
        pairs.append((decoded[0], decoded[1]))
    return pairs


#: Percent-decoding is a Python loop over the escapes: a text longer than this (up to 3,000
#: escapes, a millisecond or two) is decoded on a thread, so the event loop keeps serving.
_INLINE_DECODE = 8 << 10


async def _decoded(raw: bytes, where: str) -> list[tuple[str, str]]:
    """`_pairs`, off the event loop for a long text."""
    if len(raw) <= _INLINE_DECODE:
        return _pairs(raw, where)
    return await asyncio.to_thread(_pairs, raw, where)


def _group(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    return grouped


def _content_type(request: Request) -> tuple[str | None, str | None]:
    """The media type (lower case) and charset of the request body, if it has a type."""
    header = request.headers.get("content-type")
    if header is None or not header.strip():
        return None, None
    kind, *parameters = (part.strip() for part in header.split(";"))
    charset = None
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return kind.lower(), charset


def _utf8(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Refused(400, f"the {what} is not valid UTF-8 (byte {error.start})") from None


def _single(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise Refused(400, f"the parameter {name!r} is given {len(values)} times; give it once")
    return values[0] if values else None


def _hints(params: dict[str, list[str]]) -> tuple[str, ...]:
    return tuple(value for name in FORMAT_HINTS for value in params.get(name, []) if value)


def _choose(kind: str, accept: str | None, hints: tuple[str, ...]) -> str:
    """Negotiate with the `format=` hints first (the first one that fits), then `Accept`."""
    for hint in hints:
        try:
            return media.negotiate(kind, None, hint)
        except media.NotAcceptable:
            continue
    if hints:
        raise media.NotAcceptable(kind, ", ".join(hints))
    return media.negotiate(kind, accept)


class Endpoint:
    """The server's state (configuration, graph catalog, query processes, cache) and handlers."""

    def __init__(self, config: ServerConfig, kg: KnowledgeGraph, *, announce: str = "") -> None:
        self.config = config
        self.kg = kg
        self.announce = announce
        self.cache = Cache(config.cache_bytes)
        settings = config.settings()
        self.pool = Pool(settings, config.workers, config.timeout, per_client=config.per_client)
        # Lookups are answered here, on the server's own graph, without the round trip to a
        # query process (which is there to stop a query that runs too long: a lookup cannot).
        # Only while the graph cannot change: updates reach the query processes alone.
        self.lookups = None if config.updates else State(settings, kg)
        self.index = pages.index_page().encode("utf-8")
        self.catalog = json.dumps(self._catalog(), ensure_ascii=False, indent=2).encode("utf-8")

    def _catalog(self) -> list[dict[str, Any]]:
        return [
            {
                "name": query.name,
                "title": query.title,
                "questions": dict(query.questions),
                "params": [
                    {"name": p.name, "kind": p.kind, "default": p.default, "doc": p.doc}
                    for p in query.params
                ],
                "row": query.row,
                "description": query.description,
                "url": f"/queries/{query.name}",
                "sparql": query.sparql,
            }
            for query in self.kg.queries()
        ]

    @asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        await self.pool.start()
        if self.announce:
            print(self.announce, file=sys.stderr, flush=True)
        try:
            yield
        finally:
            await self.pool.close()

    # -- answering ------------------------------------------------------------------------

    async def _answer(
        self,
        request: Request,
        key: Hashable,
        job: Job,
        *,
        lane: str,
        shared: bool = True,
        here: bool = False,
    ) -> Reply:
        """The reply to a job: kept, or computed by a query process in `lane`, or by this
        process if `here` (a lookup); kept if the reply says it may be. A job that is not
        `shared` (a volatile query) is neither kept nor shared with an identical one."""

        async def compute() -> Reply:
            if here and self.lookups is not None:
                return answer(job, self.lookups)
            client = request.client.host if request.client else ""
            return await self.pool.run(job, client=client, lane=lane)

        if not shared or self.config.cache_bytes <= 0:
            return await compute()
        reply = await self.cache.get(key, compute)
        raw = request.scope.get(RAW_KEY)
        if raw is not None:
            self.cache.remember(raw, reply)
        return reply

    @staticmethod
    def _respond(reply: Reply) -> Response:
        return Response(
            reply.body, status_code=reply.status, headers=dict(_reply_headers(reply, length=False))
        )

    async def _handle(
        self, request: Request, handler: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """Run a handler, turning every refusal into its 4xx (or 5xx) answer with a message."""
        try:
            response: Response = await handler(request)
            return response
        except Refused as error:
            return _text(error.status, str(error))
        except PoolError as error:
            retry = {"Retry-After": str(error.retry_after)} if error.retry_after else {}
            return _text(error.status, str(error), retry)
        except media.NotAcceptable as error:
            return _text(406, str(error))
        except UnknownQuery as error:
            return _text(404, str(error))
        except KgtoolError as error:
            return _text(400, str(error))
        except ClientDisconnect:
            return _text(400, "the client went away before its request arrived")

    # -- routes ---------------------------------------------------------------------------

    async def index_page(self, request: Request) -> Response:
        return Response(self.index, media_type="text/html; charset=utf-8", headers=_PAGE_SECURITY)

    async def catalog_json(self, request: Request) -> Response:
        return Response(self.catalog, media_type="application/json; charset=utf-8", headers=_OPEN)

    async def sparql(self, request: Request) -> Response:
        return await self._handle(request, self._sparql)

    async def _sparql(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(
                status_code=204,
                headers={
                    **_OPEN,
                    "Allow": "GET, HEAD, POST, OPTIONS",
                    "Access-Control-Allow-Methods": "GET, POST",
                    "Access-Control-Allow-Headers": "Accept, Content-Type",
                },
            )
        if request.method not in ("GET", "HEAD", "POST"):
            return _text(
                405,
                f"{request.method} is not a SPARQL Protocol method: query with GET or POST, "
                "update with POST",
                {"Allow": "GET, HEAD, POST, OPTIONS"},
            )
        pairs = await _decoded(request.scope.get("query_string", b""), "query string")
        body_query = body_update = None
        if request.method == "POST":
            body_query, body_update, form = await self._body(request)
            pairs += form
        params = _group(pairs)
        if (body_query is not None and "query" in params) or (
            body_update is not None and "update" in params
        ):
            raise Refused(400, "the request carries its operation both in the body and the URL")
        queries = params.get("query", []) + ([body_query] if body_query is not None else [])
        updates = params.get("update", []) + ([body_update] if body_update is not None else [])
        if len(queries) > 1 or len(updates) > 1:
            raise Refused(400, "one operation per request: more than one query or update given")
        if queries and updates:
            raise Refused(400, "a request is either a query or an update, not both")
        if updates:
            if request.method != "POST":
                raise Refused(400, "an update must be sent with POST, never GET")
            return await self._update(request, updates[0], params)
        if "using-graph-uri" in params or "using-named-graph-uri" in params:
            raise Refused(400, "using-graph-uri and using-named-graph-uri belong to updates")
        if not queries:
            if (
                request.method == "POST"
                or "default-graph-uri" in params
                or "named-graph-uri" in params
            ):
                raise Refused(
                    400, "no query given: send query=… or an application/sparql-query body"
                )
            return await self._description(request, params)
        return await self._query(request, queries[0], params)

    async def _body(self, request: Request) -> tuple[str | None, str | None, list[tuple[str, str]]]:
        """The POST body as a direct query, a direct update, or form fields."""
        kind, charset = _content_type(request)
        if kind is None:
            raise Refused(
                415,
                f"a POST needs a Content-Type: {FORM}, {SPARQL_QUERY} or {SPARQL_UPDATE}",
            )
        if kind not in (FORM, SPARQL_QUERY, SPARQL_UPDATE):
            raise Refused(
                415,
                f"unsupported Content-Type {kind!r}: use {FORM}, {SPARQL_QUERY} or {SPARQL_UPDATE}",
            )
        if charset not in (None, "utf-8", "utf8"):
            raise Refused(415, f"unsupported charset {charset!r}: SPARQL requests are UTF-8")
        body = await self._read(request)
        if kind == FORM:
            return None, None, await _decoded(body, "form body")
        text = _utf8(body, "request body")
        return (text, None, []) if kind == SPARQL_QUERY else (None, text, [])

    async def _read(self, request: Request) -> bytes:
        limit = self.config.max_body
        declared = request.headers.get("content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                raise Refused(400, f"malformed Content-Length {declared!r}")
            if int(declared) > limit:
                raise Refused(413, f"the request body is larger than {limit} bytes")
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise Refused(413, f"the request body is larger than {limit} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    async def _query(self, request: Request, text: str, params: dict[str, list[str]]) -> Response:
        if not text.strip():
            raise Refused(400, "the query is empty")
        accept = request.headers.get("accept")
        hints = _hints(params)
        default = tuple(params["default-graph-uri"]) if "default-graph-uri" in params else None
        named = tuple(params["named-graph-uri"]) if "named-graph-uri" in params else None
        # A long text is checked by the query process that runs it (its form, depth, SERVICE
        # calls, format), so that tokenizing it never holds up this loop.
        found = guard.scan(text) if len(text) <= guard.SHORT_TEXT else None
        chosen = None
        if found is not None:
            if found.form == "update":
                if self.config.updates:
                    raise Refused(
                        400, "this is an update: send it as update=… or application/sparql-update"
                    )
                raise Refused(403, "SPARQL Update is refused: this endpoint is read-only")
            guard.check_depth(found)
            guard.check_network(found, self.config.allow_service)
            chosen = _choose(found.form, accept, hints) if found.form in media.KINDS else None
        job = SparqlJob(text, default, named, chosen, accept, hints[0] if hints else None)
        key = ("sparql", text, default, named, chosen or (accept, hints))
        lookup = found is not None and found.lookup and default is None and named is None
        reply = await self._answer(
            request,
            key,
            job,
            lane=CHEAP if lookup else OPEN,
            shared=found is None or not found.volatile,
            here=lookup,
        )
        return self._respond(reply)

    async def _update(self, request: Request, text: str, params: dict[str, list[str]]) -> Response:
        if not self.config.updates:
            raise Refused(
                403,
                "SPARQL Update is refused: this endpoint is read-only "
                "(start it with --allow-update and an --update-token to accept updates)",
            )
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if not header:
            return _text(
                401,
                "an update needs the header Authorization: Bearer <token>",
                {"WWW-Authenticate": 'Bearer realm="kgtool"'},
            )
        expected = (self.config.update_token or "").encode("utf-8")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            token.strip().encode("utf-8"), expected
        ):
            raise Refused(403, "the update token is wrong")
        if not text.strip():
            raise Refused(400, "the update is empty")
        if len(text) <= guard.SHORT_TEXT:
            found = guard.scan(text)
            guard.check_depth(found)
            guard.check_network(found, self.config.allow_service)
        job = UpdateJob(
            text,
            tuple(params.get("using-graph-uri", ())),
            tuple(params.get("using-named-graph-uri", ())),
        )
        reply = await self.pool.update(job, self.cache.clear)
        return self._respond(reply)

    async def _description(self, request: Request, params: dict[str, list[str]]) -> Response:
        chosen = _choose("graph", request.headers.get("accept"), _hints(params))
        base = self.config.root_url
        job = DescriptionJob(
            base, chosen, updates=self.config.updates, federation=bool(self.config.allow_service)
        )
        reply = await self._answer(request, ("description", base, chosen), job, lane=CHEAP)
        return self._respond(reply)

    async def void(self, request: Request) -> Response:
        async def handler(request: Request) -> Response:
            params = _group(await _decoded(request.scope.get("query_string", b""), "query string"))
            return await self._description(request, params)

        return await self._handle(request, handler)

    async def named(self, request: Request) -> Response:
        return await self._handle(request, self._named)

    async def _named(self, request: Request) -> Response:
        query = self.kg.named_query(request.path_params["name"])
        declared = {param.name for param in query.params}
        pairs = [
            (k, v)
            for k, v in await _decoded(request.scope.get("query_string", b""), "query string")
            if k != CACHE_BUSTER or k in declared
        ]
        hints = tuple(v for k, v in pairs if k in FORMAT_HINTS and k not in declared and v)
        grouped = _group([(k, v) for k, v in pairs if k in declared or k not in FORMAT_HINTS])
        params = tuple(sorted((name, _single(grouped, name) or "") for name in grouped))
        kind = guard.scan(query.sparql).form
        accept = request.headers.get("accept")
        chosen = _choose(kind, accept, hints) if kind in media.KINDS else None
        job = NamedJob(query.name, params, chosen, accept, hints[0] if hints else None)
        key = ("named", query.name, params, chosen or (accept, hints))
        reply = await self._answer(request, key, job, lane=CHEAP)
        return self._respond(reply)

    async def entity(self, request: Request) -> Response:
        return await self._handle(request, self._entity)

    async def _entity(self, request: Request) -> Response:
        iri = KGD + request.path_params["slug"]
        params = _group(await _decoded(request.scope.get("query_string", b""), "query string"))
        hints = _hints(params)
        accept = request.headers.get("accept")
        html = not hints and media.wants_html(accept)
        chosen = media.HTML if html else _choose("graph", accept, hints)
        try:
            ox.NamedNode(iri)
        except ValueError:
            reply = Reply.text(404, f"not an IRI of this graph: {iri!r}")
        else:
            reply = await self._answer(
                request, ("entity", iri, chosen), EntityJob(iri, chosen), lane=CHEAP
            )
        if reply.status == 404:
            return self._unknown_entity(request, reply, html)
        return self._respond(reply)

    def _unknown_entity(self, request: Request, reply: Reply, html: bool) -> Response:
        """/id/ with something that is not a slug: a name redirects to its entity (303);
        otherwise the 404 lists the closest names."""
        name = request.path_params["slug"]
        path = pages.named_path(self.kg, name)
        if path is not None:
            query = request.url.query
            return RedirectResponse(path + (f"?{query}" if query else ""), status_code=303)
        hits = pages.found(self.kg, name, limit=8)
        message = reply.body.decode("utf-8").strip()
        if html:
            missing = pages.missing_page(message, hits)
            return self._respond(Reply(404, media.HTML, missing.encode("utf-8")))
        closest = "".join(f"\n  {label}: {path}" for path, label, _ in hits)
        return _text(404, message + (f"\nclosest names:{closest}" if closest else ""))

    async def search(self, request: Request) -> Response:
        """Entities by name, for the search box: HTML, or JSON when asked (format=json)."""

        async def handler(request: Request) -> Response:
            # other parameters are ignored, as on /sparql (YASGUI and browsers add `_=`)
            params = _group(await _decoded(request.scope.get("query_string", b""), "query string"))
            text = _single(params, "q") or ""
            hits = pages.found(self.kg, text) if text.strip() else []
            if _single(params, "format") == "json" or not media.wants_html(
                request.headers.get("accept")
            ):
                return Response(
                    pages.search_json(hits), media_type="application/json", headers=_OPEN
                )
            path = pages.named_path(self.kg, text) if text.strip() else None
            if path is not None:
                return RedirectResponse(path, status_code=303)
            body = pages.search_page(text, hits).encode("utf-8")
            return Response(body, media_type="text/html; charset=utf-8", headers=_PAGE_SECURITY)

        return await self._handle(request, handler)

    async def named_text(self, request: Request) -> Response:
        """A named query's SPARQL with the parameters given bound, as the query page shows it."""

        async def handler(request: Request) -> Response:
            pairs = await _decoded(request.scope.get("query_string", b""), "query string")
            declared = {
                param.name for param in self.kg.named_query(request.path_params["name"]).params
            }
            params = {
                name: _single(_group(pairs), name) or "" for name, _ in pairs if name in declared
            }
            text = self.kg.sparql(request.path_params["name"], params=params)
            return Response(
                text, media_type="application/sparql-query; charset=utf-8", headers=_OPEN
            )

        return await self._handle(request, handler)

    async def http_error(self, request: Request, error: Exception) -> Response:
        """Starlette's own 404 and 405, with a message that says what to do instead."""
        assert isinstance(error, HTTPException)
        if error.status_code == 404:
            return _text(404, f"nothing is served at {request.url.path}; the query page is at /")
        if error.status_code == 405:
            allowed = (error.headers or {}).get("Allow", "GET, HEAD")
            return _text(
                405,
                f"{request.method} is not allowed at {request.url.path} (allowed: {allowed})",
                {"Allow": allowed},
            )
        return _text(error.status_code, str(error.detail))


class Shortcut:
    """Answers a request seen before, byte for byte, straight from the cache; and hands
    requests to /sparql, the endpoint's busiest path, straight to their handler, past
    Starlette's middleware and router (a fifth of the server process's time on a small query).

    The raw key is what an answer can depend on: method, path, query string, the Accept and
    Content-Type headers, and the body (not the Host header: the server's address is
    configured, never read from a request). A request with a known raw key costs a digest and
    a dict look-up; any other goes on to the application, which keeps a successful cacheable
    answer under the raw key too (`Endpoint._answer`). Updates empty the cache, raw keys
    included.
    """

    def __init__(self, app: ASGIApp, endpoint: Endpoint) -> None:
        self.app = app
        self.endpoint = endpoint
        self.state = getattr(app, "state", None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        cache = self.endpoint.cache
        if scope["type"] != "http" or scope["method"] not in ("GET", "POST") or cache.budget <= 0:
            await self._forward(scope, receive, send)
            return
        wanted = {b"accept": b"", b"content-type": b""}
        for name, value in scope["headers"]:
            if name in wanted:
                wanted[name] += value + b"\n"
        body, complete = b"", True
        if scope["method"] == "POST":
            read, complete = await self._body(receive)
            if read is None:
                return
            body = read
        key = (scope["method"], scope["path"], scope["query_string"], *wanted.values(), body)
        reply = cache.peek(key) if complete else None
        if reply is not None:
            await send(
                {
                    "type": "http.response.start",
                    "status": reply.status,
                    "headers": [
                        (name.lower().encode("latin-1"), value.encode("latin-1"))
                        for name, value in _reply_headers(reply, length=True)
                    ],
                }
            )
            await send({"type": "http.response.body", "body": reply.body})
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": not complete}
            return await receive()

        inner = {**scope, RAW_KEY: key} if complete else scope
        await self._forward(inner, replay if scope["method"] == "POST" else receive, send)

    async def _forward(self, scope: Scope, receive: Receive, send: Send) -> None:
        # "/sparql/" too: a client given the endpoint with a trailing slash is answered alike.
        if scope["type"] == "http" and scope["path"] in ("/sparql", "/sparql/"):
            response = await self.endpoint.sparql(Request(scope, receive))
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _body(self, receive: Receive) -> tuple[bytes | None, bool]:
        """The body, read up to the size limit (past it, the rest is left for the app);
        None if the client went away."""
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None, True
            chunk = message.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks), True
            if size > self.endpoint.config.max_body:
                return b"".join(chunks), False


def create_app(config: ServerConfig, kg: KnowledgeGraph, *, announce: str = "") -> Shortcut:
    """The ASGI application serving `kg` (loaded with `config.data`) as `config` says.

    The query processes start with the application's lifespan; `announce` is printed to
    standard error once they are ready.
    """
    endpoint = Endpoint(config, kg, announce=announce)
    routes = [
        Route("/", endpoint.index_page, methods=["GET"]),
        Route("/queries", endpoint.catalog_json, methods=["GET"]),
        Route("/queries/{name}.rq", endpoint.named_text, methods=["GET"]),
        Route("/queries/{name}", endpoint.named, methods=["GET"]),
        Route("/search", endpoint.search, methods=["GET"]),
        Route("/id/{slug:path}", endpoint.entity, methods=["GET"]),
        Route("/.well-known/void", endpoint.void, methods=["GET"]),
        Mount("/static", StaticFiles(packages=[("kgtool.server", "static")]), name="static"),
    ]
    app = Starlette(
        routes=routes,
        lifespan=endpoint.lifespan,
        exception_handlers={HTTPException: endpoint.http_error},
    )
    return Shortcut(app, endpoint)
