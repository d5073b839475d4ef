"""What `kgtool serve` is started with: address, data, limits, and what it allows."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

#: The documented default port (Oxigraph's own server uses 7878; this one must not clash).
DEFAULT_PORT = 8083
DEFAULT_HOST = "127.0.0.1"


@dataclass(frozen=True)
class ServerConfig:
    """Everything the endpoint needs to know; the defaults are the safe ones.

    `timeout` bounds one query's run (seconds), `max_rows` its result (rows or triples),
    `max_body` a request body (bytes). Updates need both `allow_update` and `update_token`;
    `SERVICE` may call only the IRIs in `allow_service`. `workers` is the number of query
    processes; `cache_bytes` bounds the cache of results (0 turns it off).
    """

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    data: tuple[str, ...] = ()
    timeout: float = 10.0
    max_rows: int = 50_000
    max_body: int = 1 << 20
    allow_update: bool = False
    update_token: str | None = None
    allow_service: frozenset[str] = field(default_factory=frozenset)
    workers: int = field(default_factory=lambda: 2 * (os.cpu_count() or 1))
    cache_bytes: int = 64 << 20
    #: Address-space limit of each query process, so one query cannot exhaust the machine.
    memory_limit: int = 4 << 30

    @property
    def updates(self) -> bool:
        """Whether SPARQL Update is on: it takes the flag and a token."""
        return self.allow_update and bool(self.update_token)
