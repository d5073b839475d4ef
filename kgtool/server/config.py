"""What `kgtool serve` is started with: address, data, limits, and what it allows.

The limits that bound memory are sized from the machine's memory, not its core count: the
server may use about half of it. Each query process is capped (`memory_limit`), and there are
at most as many processes as that half holds at their cap; the cache and the connections
(each holding at most a head and a body) take a bounded share of the rest.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the worker imports the engine: not at every `kgtool` command's start
    from kgtool.server.worker import Settings

#: The documented default port (Oxigraph's own server uses 7878; this one must not clash).
DEFAULT_PORT = 8083
DEFAULT_HOST = "127.0.0.1"
#: The largest request head (request line and headers) read: a longer query belongs in a POST.
MAX_HEAD = 64 << 10


def machine_memory() -> int:
    """The machine's memory in bytes (4 GiB if it cannot be read)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return 4 << 30


def default_memory_limit(memory: int | None = None) -> int:
    """A query process's cap: a sixteenth of the machine, between 1 and 4 GiB."""
    memory = machine_memory() if memory is None else memory
    return min(4 << 30, max(1 << 30, memory // 16))


def default_workers(memory: int | None = None) -> int:
    """As many query processes as half the machine holds at their cap, 2 to 8."""
    memory = machine_memory() if memory is None else memory
    return min(8, max(2, (memory // 2) // default_memory_limit(memory)))


def default_connections(max_body: int, memory: int | None = None) -> int:
    """Open connections at once: a thirty-second of the machine, each holding at most a head
    and a body (and their decoded copies: four times the body), 64 to 1,024."""
    memory = machine_memory() if memory is None else memory
    return min(1024, max(64, (memory // 32) // (MAX_HEAD + 4 * max_body)))


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine only (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ServerConfig:
    """Everything the endpoint needs to know; the defaults are the safe ones.

    `timeout` bounds one query's run (seconds), `max_rows` its result (rows or triples),
    `max_body` a request body (bytes). Updates need both `allow_update` and `update_token`;
    `SERVICE` may call, and `LOAD` fetch, only the IRIs in `allow_service`. `workers` is the
    most query processes, `per_client` how many of them one client address may hold at once
    (None: half of those open queries may use); `cache_bytes` bounds the cache of results (0
    turns it off). Without `shipped`, only the `data` and `named_data` files are served.
    `public_url` is the server's root URL as clients reach it (behind a proxy, say): the
    service IRI, the base of relative IRIs and the descriptions' IRIs derive from it, or from
    the bound address without it.
    """

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    data: tuple[str, ...] = ()
    named_data: tuple[tuple[str, str], ...] = ()
    shipped: bool = True
    timeout: float = 10.0
    max_rows: int = 50_000
    max_body: int = 1 << 20
    allow_update: bool = False
    update_token: str | None = None
    allow_service: frozenset[str] = field(default_factory=frozenset)
    workers: int = field(default_factory=default_workers)
    per_client: int | None = None
    cache_bytes: int = 64 << 20
    #: Address-space limit of each query process, so one query cannot exhaust the machine.
    memory_limit: int = field(default_factory=default_memory_limit)
    public_url: str | None = None

    @property
    def updates(self) -> bool:
        """Whether SPARQL Update is on: it takes the flag and a token."""
        return self.allow_update and bool(self.update_token)

    @property
    def root_url(self) -> str:
        """The server's root URL, ending with a slash."""
        if self.public_url:
            return self.public_url if self.public_url.endswith("/") else self.public_url + "/"
        # Every interface: the machine's name is the likeliest address a client uses.
        host = socket.gethostname() if self.host in ("0.0.0.0", "::", "") else self.host
        return f"http://{f'[{host}]' if ':' in host else host}:{self.port}/"

    @property
    def service_iri(self) -> str:
        """The SPARQL endpoint's IRI: the base IRI of the queries and updates it runs."""
        return self.root_url + "sparql"

    def settings(self) -> Settings:
        """What the query processes need to know of this configuration."""
        from kgtool.server.worker import Settings

        return Settings(
            data=self.data,
            max_rows=self.max_rows,
            allow_service=self.allow_service,
            memory_limit=self.memory_limit,
            base=self.service_iri,
            shipped=self.shipped,
            named_data=self.named_data,
            read_only=not self.updates,
        )
