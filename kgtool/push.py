"""`push`: replace one named graph of a SPARQL 1.1 store with the triples of a graph or files.

The triples are what the embedded queries see (the files and the reach derived from them at
load), so a pushed graph answers the named queries as the embedded one does. The transfer itself
(atomic, batched, retried) is `kgtool.remote.RemoteStore.replace`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pyoxigraph as ox

from kgtool import resources
from kgtool.errors import RemoteError
from kgtool.graph import KnowledgeGraph, RemoteKnowledgeGraph
from kgtool.inference import derive_reach
from kgtool.remote import DEFAULT_GRAPH, Credentials, Endpoints, PushReport, RemoteStore
from kgtool.store import LocalStore

PathLike = str | Path


def _triples(source: KnowledgeGraph | PathLike | Sequence[PathLike] | None) -> list[ox.Triple]:
    if isinstance(source, RemoteKnowledgeGraph):
        raise RemoteError("this graph is remote already: push the files or an embedded graph")
    if isinstance(source, KnowledgeGraph):
        # As the embedded queries see them: the union of the files, and the reach derived from
        # them at load, which measures-reaching reads.
        return source.store.triples(inferred=False, derived=True)
    store = LocalStore()
    if source is None:
        store.load(resources.shipped_sources())
    else:
        paths = [source] if isinstance(source, str | Path) else list(source)
        store.load(resources.user_sources(paths))
    derive_reach(store)
    return store.triples(inferred=False, derived=True)


def push(
    source: KnowledgeGraph | PathLike | Sequence[PathLike] | None,
    endpoint: str,
    *,
    graph: str = DEFAULT_GRAPH,
    update_endpoint: str | None = None,
    store_endpoint: str | None = None,
    user: str | None = None,
    password: str | None = None,
    token: str | None = None,
    batch_size: int = 10_000,
    timeout: float = 60.0,
    retries: int = 4,
    backoff: float = 0.5,
    progress: Callable[[int, int], None] | None = None,
) -> PushReport:
    """Replace the named graph `graph` of the store at `endpoint` (its SPARQL query URL) with
    the triples of `source`: an embedded `KnowledgeGraph`, RDF files and folders, or None for
    the shipped ontology and data.

    The update and Graph Store URLs are found from the query URL for Oxigraph, Virtuoso,
    Fuseki and RDF4J, unless given. Atomic: on failure `PushFailed` says the old graph is
    intact. `progress(sent, total)` is called after each batch of `batch_size` triples.
    """
    triples = _triples(source)
    credentials = Credentials(user, password, token)
    endpoints = Endpoints.discover(
        endpoint,
        update=update_endpoint,
        store=store_endpoint,
        authenticated=bool(credentials),
    )
    remote = RemoteStore(endpoints, credentials, timeout=timeout, retries=retries, backoff=backoff)
    return remote.replace(graph, triples, batch_size=batch_size, progress=progress)
