"""`kgtool serve`: the SPARQL endpoint and query page, registered as a `kgtool` subcommand.

Only argument parsing happens at import; the web framework loads when the command runs.
"""

from __future__ import annotations

import argparse
import os

from kgtool.commands import EXIT_OK, Command, UsageError, register
from kgtool.server.config import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    ServerConfig,
    default_memory_limit,
    default_workers,
    is_loopback,
)

#: Where the update token may be given instead of the command line (which `ps` shows).
TOKEN_VARIABLE = "KGTOOL_UPDATE_TOKEN"


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on ({DEFAULT_HOST}; any other is reachable from other machines)",
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port ({DEFAULT_PORT}; 0 picks a free one)"
    )
    parser.add_argument(
        "--data",
        action="append",
        default=[],
        metavar="FILE",
        help="serve an RDF file or folder of your own too (Turtle, N-Triples, RDF/XML, JSON-LD, "
        "TriG, N-Quads); repeatable. Beside the shipped graph each file is a named graph of "
        "its own; with --no-shipped-graph it goes into the default graph (TriG and N-Quads "
        "keep the graphs they name)",
    )
    parser.add_argument(
        "--named-graph",
        action="append",
        default=[],
        nargs=2,
        metavar=("IRI", "FILE"),
        help="serve an RDF file in the named graph IRI; repeatable",
    )
    parser.add_argument(
        "--no-shipped-graph",
        dest="shipped",
        action="store_false",
        help="serve only your --data and --named-graph files, not kgtool's own graph; the "
        "default graph is then the default graph, not the union of all graphs",
    )
    parser.add_argument(
        "--public-url",
        metavar="URL",
        help="the server's root URL as clients reach it (behind a proxy, say): the service "
        "IRI, base of relative IRIs, is URL + 'sparql' (default: the address listened on)",
    )
    parser.add_argument(
        "--timeout", type=float, default=10.0, metavar="S", help="stop a query after S seconds (10)"
    )
    parser.add_argument(
        "--max-rows",
        type=int,
        default=50_000,
        metavar="N",
        help="refuse results over N rows (50000)",
    )
    parser.add_argument(
        "--max-body",
        type=int,
        default=1 << 20,
        metavar="BYTES",
        help="refuse request bodies over BYTES (1 MiB)",
    )
    parser.add_argument(
        "--allow-update",
        action="store_true",
        help="accept SPARQL Update from clients that send the token (read-only otherwise)",
    )
    parser.add_argument(
        "--update-token",
        metavar="T",
        default=os.environ.get(TOKEN_VARIABLE),
        help=f"the Bearer token updates must carry (or set {TOKEN_VARIABLE})",
    )
    parser.add_argument(
        "--allow-remote-update",
        action="store_true",
        help="confirm --allow-update with a --host beyond this machine (the token then travels "
        "in clear text unless a TLS proxy is in front)",
    )
    parser.add_argument(
        "--allow-service",
        action="append",
        default=[],
        metavar="URL",
        help="let SERVICE call this endpoint IRI, and LOAD fetch this document; repeatable "
        "(neither otherwise)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="at most N query processes, each capped at "
        f"{default_memory_limit() >> 20} MiB (default {default_workers()}: half the "
        "machine's memory at that cap)",
    )
    parser.add_argument(
        "--per-client",
        type=int,
        default=None,
        metavar="N",
        help="queries one client address may run at once (default: half of the processes "
        "open queries may use, one process staying free for named queries and lookups)",
    )
    parser.add_argument(
        "--cache",
        type=int,
        default=64,
        metavar="MB",
        help="memory for answers to repeated requests (64; 0 turns the cache off)",
    )


def _iri(value: str, option: str) -> str:
    from kgtool.terms import IRI

    try:
        return str(IRI.checked(value))
    except ValueError:
        raise UsageError(f"{option} needs a full IRI, not {value!r}") from None


def config_from(args: argparse.Namespace) -> ServerConfig:
    """The server configuration the arguments ask for, checked."""
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, not {args.port}")
    if args.timeout <= 0 or args.max_rows < 1 or args.max_body < 1 or args.cache < 0:
        raise UsageError("--timeout, --max-rows and --max-body must be positive, --cache >= 0")
    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers must be at least 1")
    if args.per_client is not None and args.per_client < 1:
        raise UsageError("--per-client must be at least 1")
    if args.allow_update and not args.update_token:
        raise UsageError(f"--allow-update needs a token: --update-token T or {TOKEN_VARIABLE}")
    if args.allow_update and not is_loopback(args.host) and not args.allow_remote_update:
        raise UsageError(
            f"--allow-update with --host {args.host} opens updates to other machines, and the "
            "token would travel in clear text: put a TLS proxy in front and confirm with "
            "--allow-remote-update, or keep the default --host 127.0.0.1"
        )
    if not args.shipped and not args.data and not args.named_graph:
        raise UsageError("--no-shipped-graph needs files to serve: --data FILE or --named-graph")
    public = _iri(args.public_url, "--public-url") if args.public_url else None
    if public is not None and not public.startswith(("http://", "https://")):
        raise UsageError(f"--public-url needs an http:// or https:// URL, not {public!r}")
    extra = {} if args.workers is None else {"workers": args.workers}
    return ServerConfig(
        host=args.host,
        port=args.port,
        data=tuple(args.data),
        named_data=tuple((_iri(iri, "--named-graph"), path) for iri, path in args.named_graph),
        shipped=args.shipped,
        public_url=public,
        timeout=args.timeout,
        max_rows=args.max_rows,
        max_body=args.max_body,
        allow_update=args.allow_update,
        update_token=args.update_token if args.allow_update else None,
        allow_service=frozenset(_iri(url, "--allow-service") for url in args.allow_service),
        per_client=args.per_client,
        cache_bytes=args.cache << 20,
        **extra,
    )


def _serve(args: argparse.Namespace) -> int:
    from kgtool.server.run import serve

    serve(config_from(args))
    return EXIT_OK


register(
    Command(
        "serve",
        f"serve the SPARQL 1.1 endpoint and query page (http://{DEFAULT_HOST}:{DEFAULT_PORT}/)",
        "kgtool serve\n"
        "  kgtool serve --port 9000 --data my-facts.ttl --timeout 30\n"
        "  kgtool serve --no-shipped-graph --data people.ttl --named-graph http://ex.org/g g.ttl\n"
        "  curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * { ?s ?p ?o } LIMIT 5' \\\n"
        f"       http://{DEFAULT_HOST}:{DEFAULT_PORT}/sparql",
        _arguments,
        _serve,
    )
)
