"""`kgtool serve`: the SPARQL endpoint and query page, registered as a `kgtool` subcommand.

Only argument parsing happens at import; the web framework loads when the command runs.
"""

from __future__ import annotations

import argparse
import os

from kgtool.cli import EXIT_OK, Command, UsageError, _add_data, register
from kgtool.server.config import DEFAULT_HOST, DEFAULT_PORT, ServerConfig

#: Where the update token may be given instead of the command line (which `ps` shows).
TOKEN_VARIABLE = "KGTOOL_UPDATE_TOKEN"


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to listen on ({DEFAULT_HOST})"
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port ({DEFAULT_PORT}; 0 picks a free one)"
    )
    _add_data(parser)
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
        "--allow-service",
        action="append",
        default=[],
        metavar="URL",
        help="let SERVICE call this endpoint IRI; repeatable (no SERVICE otherwise)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="query processes running queries side by side (default: twice the CPUs)",
    )
    parser.add_argument(
        "--cache",
        type=int,
        default=64,
        metavar="MB",
        help="memory for answers to repeated requests (64; 0 turns the cache off)",
    )


def config_from(args: argparse.Namespace) -> ServerConfig:
    """The server configuration the arguments ask for, checked."""
    from kgtool.terms import IRI

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, not {args.port}")
    if args.timeout <= 0 or args.max_rows < 1 or args.max_body < 1 or args.cache < 0:
        raise UsageError("--timeout, --max-rows and --max-body must be positive, --cache >= 0")
    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers must be at least 1")
    if args.allow_update and not args.update_token:
        raise UsageError(f"--allow-update needs a token: --update-token T or {TOKEN_VARIABLE}")
    services = set()
    for url in args.allow_service:
        try:
            services.add(str(IRI.checked(url)))
        except ValueError:
            raise UsageError(f"--allow-service needs a full IRI, not {url!r}") from None
    extra = {} if args.workers is None else {"workers": args.workers}
    return ServerConfig(
        host=args.host,
        port=args.port,
        data=tuple(args.data),
        timeout=args.timeout,
        max_rows=args.max_rows,
        max_body=args.max_body,
        allow_update=args.allow_update,
        update_token=args.update_token if args.allow_update else None,
        allow_service=frozenset(services),
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
        "  curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * { ?s ?p ?o } LIMIT 5' \\\n"
        f"       http://{DEFAULT_HOST}:{DEFAULT_PORT}/sparql",
        _arguments,
        _serve,
    )
)
