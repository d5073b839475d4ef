"""The floor under a SPARQL endpoint written in Python: the least any such server costs here.

A bare ASGI app on the HTTP stack `kgtool serve` runs on (uvicorn, httptools, uvloop), in one
server process per core sharing the socket, each answering a query in the process that
received it, through pyoxigraph over the same files as Oxigraph's in-memory server, in SPARQL
JSON (XML for a graph). It has no guard, limit, schedule, query process, cache or page: a query
that never ends holds a process for good, a SERVICE call goes out. It is a measuring stick,
not an endpoint to use.

Put beside kgtool and Oxigraph in `python -m kgtool.bench`, it splits the distance between them
in two: floor ÷ Oxigraph is what Python's HTTP and a pyoxigraph call cost against Oxigraph's
Rust server, kgtool ÷ floor is what kgtool's own work (its guards, its killable query processes,
its fair schedule) costs on top.

    python -m kgtool.bench.floor --port 8000 --file data/actors.ttl urn:graph:actors …
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

import pyoxigraph as ox

from kgtool.bench.measure import rdf_format

_FILES = "KGTOOL_FLOOR_FILES"
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]


def app_for(store: ox.Store) -> Callable[..., Awaitable[None]]:
    """The ASGI app answering `GET ?query=` and `POST application/sparql-query` over `store`,
    its default graph the union of the named graphs; a query the engine refuses gets 400."""

    async def app(
        scope: Scope,
        receive: Callable[[], Awaitable[Message]],
        send: Callable[[Message], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            return
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        if scope["method"] == "POST":
            text = body.decode("utf-8")
        else:
            text = parse_qs(scope["query_string"].decode("ascii")).get("query", [""])[0]
        try:
            result = store.query(text, use_default_graph_as_union=True)
        except SyntaxError as error:
            status, kind, answer = 400, b"text/plain; charset=utf-8", str(error).encode()
        else:
            status = 200
            if isinstance(result, ox.QueryTriples):
                kind = b"application/rdf+xml"
                answer = result.serialize(format=ox.RdfFormat.RDF_XML) or b""
            else:
                kind = b"application/sparql-results+json"
                answer = result.serialize(format=ox.QueryResultsFormat.JSON) or b""
        headers = [(b"content-type", kind), (b"content-length", str(len(answer)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": answer})

    return app


def create() -> Callable[..., Awaitable[None]]:
    """The app over the files `main` passed on in the environment (each worker loads its own)."""
    store = ox.Store()
    for path, graph in json.loads(os.environ[_FILES]):
        store.load(path=path, format=rdf_format(path), to_graph=ox.NamedNode(graph))
    return app_for(store)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m kgtool.bench.floor", description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="server processes sharing the socket (default: one per core)",
    )
    parser.add_argument(
        "--file",
        nargs=2,
        action="append",
        default=[],
        metavar=("PATH", "GRAPH"),
        help="a Turtle or N-Triples file and the named graph it goes into (repeatable)",
    )
    args = parser.parse_args(argv)
    os.environ[_FILES] = json.dumps(args.file)

    import uvicorn

    uvicorn.run(
        "kgtool.bench.floor:create",
        factory=True,
        workers=args.workers,
        host="127.0.0.1",
        port=args.port,
        http="httptools",
        loop="uvloop",
        log_level="warning",
        access_log=False,
        lifespan="off",
    )


if __name__ == "__main__":
    main()
