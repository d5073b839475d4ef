"""Result formats: which media types each kind of answer has, choosing one from a request's
`Accept` header (or a `format=` hint), and writing an answer in it.

Every answer is written by pyoxigraph's serializers (`kgtool.store.LocalStore.serialized`),
which write the SPARQL 1.1 results formats and the RDF formats as the protocol asks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

import pyoxigraph as ox

from kgtool.errors import KgtoolError
from kgtool.store import write_triples

JSON = "application/sparql-results+json"
XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
NTRIPLES = "application/n-triples"
RDFXML = "application/rdf+xml"
JSONLD = "application/ld+json"
HTML = "text/html"

#: The media types of each kind of answer, the server's preference first.
KINDS: dict[str, tuple[str, ...]] = {
    "select": (JSON, XML, CSV, TSV),
    "ask": (JSON, XML),
    "graph": (TURTLE, NTRIPLES, RDFXML, JSONLD),
}
#: Other names clients use for the same formats (Accept values and `format=` hints).
ALIASES: dict[str, dict[str, str]] = {
    "select": {"application/json": JSON, "application/xml": XML, "text/xml": XML},
    "ask": {"application/json": JSON, "application/xml": XML, "text/xml": XML},
    "graph": {
        "application/x-turtle": TURTLE,
        "text/plain": NTRIPLES,
        "application/xml": RDFXML,
        "text/xml": RDFXML,
        "application/json": JSONLD,
    },
}
#: Short names accepted in `format=`, `output=` and `results=` (as Virtuoso and SPARQLWrapper
#: send them), by kind of answer.
SHORT_NAMES: dict[str, dict[str, str]] = {
    "select": {"json": JSON, "xml": XML, "csv": CSV, "tsv": TSV},
    "ask": {"json": JSON, "xml": XML},
    "graph": {
        "turtle": TURTLE,
        "ttl": TURTLE,
        "n3": TURTLE,
        "nt": NTRIPLES,
        "ntriples": NTRIPLES,
        "n-triples": NTRIPLES,
        "rdfxml": RDFXML,
        "rdf+xml": RDFXML,
        "xml": RDFXML,
        "json-ld": JSONLD,
        "jsonld": JSONLD,
        "json": JSONLD,
    },
}
_RESULTS_FORMATS = {
    JSON: ox.QueryResultsFormat.JSON,
    XML: ox.QueryResultsFormat.XML,
    CSV: ox.QueryResultsFormat.CSV,
    TSV: ox.QueryResultsFormat.TSV,
}
_RDF_FORMATS = {
    TURTLE: ox.RdfFormat.TURTLE,
    NTRIPLES: ox.RdfFormat.N_TRIPLES,
    RDFXML: ox.RdfFormat.RDF_XML,
    JSONLD: ox.RdfFormat.JSON_LD,
}
_TEXT_TYPES = (CSV, TSV, TURTLE, NTRIPLES, HTML, "text/plain")


class NotAcceptable(KgtoolError):
    """None of the media types the client accepts can carry this kind of answer."""

    def __init__(self, kind: str, accepted: str) -> None:
        offered = ", ".join(KINDS.get(kind, ()))
        what = {"select": "a SELECT", "ask": "an ASK", "graph": "a graph"}.get(kind, "this")
        super().__init__(
            f"cannot write {what} answer as {accepted!r}: this endpoint offers {offered}"
        )


def content_type(media: str) -> str:
    """The Content-Type header value: text types and JSON carry `charset=utf-8`."""
    if media.startswith(_TEXT_TYPES) or media.endswith(("json", "+xml")):
        return f"{media}; charset=utf-8"
    return media


def _ranges(accept: str) -> list[tuple[str, float, int]]:
    """The media ranges of an Accept header as (range, q, position); malformed parts skipped."""
    ranges = []
    for position, part in enumerate(accept.split(",")):
        fields = [field.strip() for field in part.split(";")]
        media = fields[0].lower()
        if not re.fullmatch(r"[\w.+*-]+/[\w.+*-]+", media):
            continue
        quality = 1.0
        for parameter in fields[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        ranges.append((media, quality, position))
    return ranges


def _quality(ranges: Sequence[tuple[str, float, int]], media: str, aliases: Iterable[str]) -> float:
    """How much the client wants `media` (or one of its aliases): the most specific range wins."""
    kind = media.split("/")[0]
    best: tuple[int, float] | None = None
    for name in (media, *aliases):
        for candidate, quality, _ in ranges:
            if candidate == name:
                specificity = 3
            elif candidate == f"{kind}/*" and name == media:
                specificity = 2
            elif candidate == "*/*":
                specificity = 1
            else:
                continue
            if best is None or (specificity, quality) > best:
                best = (specificity, quality)
    return 0.0 if best is None else best[1]


@lru_cache(maxsize=1024)
def negotiate(kind: str, accept: str | None, hint: str | None = None) -> str:
    """The media type for an answer of `kind` (`select`, `ask`, `graph`).

    `hint` is a `format=` value (a short name or a media type) and wins over `Accept`; with
    neither, the first type of the kind is used. Raises `NotAcceptable`.
    """
    offered = KINDS[kind]
    if hint is not None:
        wanted = hint.strip().lower()
        chosen = SHORT_NAMES[kind].get(wanted) or ALIASES[kind].get(wanted)
        if chosen is None and wanted in offered:
            chosen = wanted
        if chosen is None:
            raise NotAcceptable(kind, hint)
        return chosen
    if not accept or not accept.strip():
        return offered[0]
    ranges = _ranges(accept)
    if not ranges:
        return offered[0]
    aliases = ALIASES[kind]
    scored = [
        (_quality(ranges, media, [a for a, m in aliases.items() if m == media]), -i, media)
        for i, media in enumerate(offered)
    ]
    quality, _, media = max(scored)
    if quality <= 0:
        raise NotAcceptable(kind, accept)
    return media


@lru_cache(maxsize=1024)
def wants_html(accept: str | None) -> bool:
    """Whether a client (a browser) asks for an HTML page at least as much as for RDF data."""
    ranges = _ranges(accept or "")
    named = any(media in (HTML, "application/xhtml+xml") for media, _, _ in ranges)
    html = _quality(ranges, HTML, ["application/xhtml+xml"])
    rdf = max(_quality(ranges, media, []) for media in KINDS["graph"])
    return named and html > 0 and html >= rdf


def results_format(media: str) -> ox.QueryResultsFormat:
    """The pyoxigraph format that writes SELECT and ASK answers as `media` asks."""
    found = _RESULTS_FORMATS.get(media)
    if found is None:
        raise NotAcceptable("select", media)
    return found


def rdf_format(media: str) -> ox.RdfFormat:
    """The pyoxigraph format that writes a graph as `media` asks."""
    found = _RDF_FORMATS.get(media)
    if found is None:
        raise NotAcceptable("graph", media)
    return found


def write_graph(triples: Iterable[ox.Triple], media: str) -> bytes:
    """A graph (CONSTRUCT, DESCRIBE, a description) in Turtle, N-Triples, RDF/XML or JSON-LD."""
    return write_triples(triples, rdf_format(media))
