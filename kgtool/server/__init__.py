"""`kgtool serve`: the knowledge graph as a SPARQL 1.1 endpoint, a query page, and
dereferenceable IRIs.

`create_app(ServerConfig(), KnowledgeGraph.load())` is the ASGI application; `kgtool serve`
(`kgtool.server.command`) runs it with uvicorn; `kgtool.bench.endpoint.measure_endpoint`
measures an endpoint with wrk. Nothing heavy is imported here: `kgtool.server.command` is
imported by every `kgtool` run to register the subcommand, and the web framework loads only
when the server starts.
"""

from __future__ import annotations

from typing import Any

from kgtool.server.config import DEFAULT_PORT, ServerConfig

__all__ = ["DEFAULT_PORT", "ServerConfig", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from kgtool.server.app import create_app

        return create_app
    raise AttributeError(f"module 'kgtool.server' has no attribute {name!r}")
