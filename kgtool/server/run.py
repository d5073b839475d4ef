"""Running the endpoint: load the graph, take the port, serve until SIGTERM or Ctrl-C."""

from __future__ import annotations

import errno
import signal
import socket

from kgtool.errors import KgtoolError
from kgtool.server.config import ServerConfig


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


def serve(config: ServerConfig) -> None:
    """Serve until SIGTERM or SIGINT, then stop cleanly (the caller exits 0)."""
    import uvicorn

    from kgtool.graph import KnowledgeGraph
    from kgtool.server.app import create_app

    kg = KnowledgeGraph.load(extra=config.data)  # a malformed --data file fails here, plainly
    sock = bind(config.host, config.port)
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    announce = (
        f"kgtool serve: SPARQL endpoint http://{shown}:{port}/sparql, query page "
        f"http://{shown}:{port}/ ({config.workers} query processes; Ctrl-C stops)"
    )
    app = create_app(config, kg, announce=announce)
    # uvicorn takes httptools and uvloop when they are installed (four times h11's throughput
    # here); with h11 instead, a request's head is capped at 64 KiB.
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=3,
            proxy_headers=False,
            h11_max_incomplete_event_size=64 * 1024,
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
