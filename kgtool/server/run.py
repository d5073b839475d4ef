"""Running the endpoint: load the graph, take the port, serve until SIGTERM or Ctrl-C."""

from __future__ import annotations

import errno
import signal
import socket
import sys
from dataclasses import replace

from kgtool.errors import KgtoolError
from kgtool.server.config import ServerConfig, default_connections, is_loopback


class ServeError(KgtoolError):
    """The server cannot start: the port is taken, or the address cannot be used."""


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port; `ServeError` with a plain message if that fails."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as error:
        raise ServeError(f"cannot listen on {host!r}: {error.strerror}") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise ServeError(
                f"port {port} on {host} is already in use: stop the program using it, "
                "or choose another port with --port"
            ) from None
        raise ServeError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    sock.set_inheritable(True)
    return sock


def _announce(config: ServerConfig) -> str:
    """What the server says once it is ready: where to reach it from this machine."""
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(config.host, config.host)
    where = f"http://{f'[{host}]' if ':' in host else host}:{config.port}/"
    named = "" if where == config.root_url else f"; service IRI {config.service_iri}"
    return (
        f"kgtool serve: SPARQL endpoint {where}sparql, query page {where} "
        f"(up to {config.workers} query processes{named}; Ctrl-C stops)"
    )


def warnings(config: ServerConfig) -> list[str]:
    """What a user should know before serving beyond this machine."""
    if is_loopback(config.host):
        return []
    found = [
        f"kgtool serve: warning: listening on {config.host}, so other machines can reach this "
        "endpoint (plain HTTP, no authentication for queries); use --host 127.0.0.1 to keep "
        "it on this machine"
    ]
    if not config.public_url:
        found.append(
            f"kgtool serve: warning: the service IRI is {config.service_iri}; give "
            "--public-url with the address clients use"
        )
    if config.updates:
        found.append(
            "kgtool serve: warning: updates are open beyond this machine and the update token "
            "travels in clear text: put a TLS proxy in front"
        )
    return found


def serve(config: ServerConfig) -> None:
    """Serve until SIGTERM or SIGINT, then stop cleanly (the caller exits 0)."""
    import uvicorn

    from kgtool.server.app import create_app
    from kgtool.server.connections import IDLE_TIMEOUT, LimitedHttpToolsProtocol
    from kgtool.server.worker import load_graph

    kg = load_graph(config.settings())  # a malformed --data file fails here, plainly
    sock = bind(config.host, config.port)
    config = replace(config, port=sock.getsockname()[1])
    for warning in warnings(config):
        print(warning, file=sys.stderr, flush=True)
    app = create_app(config, kg, announce=_announce(config))
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            http=LimitedHttpToolsProtocol,
            log_level="warning",
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=3,
            timeout_keep_alive=round(IDLE_TIMEOUT),
            limit_concurrency=default_connections(config.max_body),
            proxy_headers=False,
        )
    )
    # uvicorn handles SIGINT and SIGTERM itself (a graceful stop), then raises the signal
    # again for the handler that was in place before it: these make that a normal return.
    previous = {sig: signal.signal(sig, _stopped) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.run(sockets=[sock])
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sock.close()


def _stopped(signum: int, frame: object) -> None:
    """The signal that stopped the server, raised again once it has stopped: nothing to do."""
