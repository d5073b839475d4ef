"""Result formats: which media types each kind of answer has, choosing one from a request's
`Accept` header (or a `format=` hint), and writing an answer in it.

SELECT and ASK answers are written from a `kgtool.results.QueryResult` (its JSON, CSV and TSV
writers, and the XML one here); graphs go through pyoxigraph's serializers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from kgtool.errors import KgtoolError
from kgtool.namespaces import PREFIXES, XSD
from kgtool.results import QueryResult
from kgtool.terms import IRI, BlankNode, Literal, Term

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
_RDF_FORMATS = {
    TURTLE: ox.RdfFormat.TURTLE,
    NTRIPLES: ox.RdfFormat.N_TRIPLES,
    RDFXML: ox.RdfFormat.RDF_XML,
    JSONLD: ox.RdfFormat.JSON_LD,
}
_TEXT_TYPES = (CSV, TSV, TURTLE, NTRIPLES, HTML, "text/plain")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"


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


def write_result(result: QueryResult, media: str) -> bytes:
    """A SELECT or ASK answer in one of the SPARQL 1.1 results formats."""
    if media == JSON:
        return json.dumps(result.to_json(), ensure_ascii=False).encode("utf-8")
    if media == XML:
        return _to_xml(result).encode("utf-8")
    if media == CSV:
        return result.to_csv().encode("utf-8")
    if media == TSV:
        return result.to_tsv().encode("utf-8")
    raise NotAcceptable(result.kind, media)


def write_graph(triples: Iterable[ox.Triple], media: str) -> bytes:
    """A graph (CONSTRUCT, DESCRIBE, a description) in Turtle, N-Triples, RDF/XML or JSON-LD."""
    rdf_format = _RDF_FORMATS.get(media)
    if rdf_format is None:
        raise NotAcceptable("graph", media)
    prefixes = PREFIXES if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    return bytes(ox.serialize(triples, format=rdf_format, prefixes=prefixes) or b"")


def _xml_text(text: str) -> str:
    return escape(_XML_INVALID.sub("\ufffd", text))


def _xml_term(term: Term) -> str:
    if isinstance(term, IRI):
        return f"<uri>{_xml_text(term)}</uri>"
    if isinstance(term, BlankNode):
        return f"<bnode>{_xml_text(term)}</bnode>"
    assert isinstance(term, Literal)
    if term.lang:
        attribute = f" xml:lang={quoteattr(term.lang)}"
    elif term.datatype != XSD.string:
        attribute = f" datatype={quoteattr(term.datatype)}"
    else:
        attribute = ""
    return f"<literal{attribute}>{_xml_text(term.lexical)}</literal>"


def _to_xml(result: QueryResult) -> str:
    """The SPARQL Query Results XML Format (the one writer `QueryResult` does not have)."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>', f'<sparql xmlns="{_RESULTS_NS}">']
    if result.kind == "ask":
        lines += ["<head/>", f"<boolean>{'true' if result.boolean else 'false'}</boolean>"]
    else:
        lines.append("<head>")
        lines += [f"<variable name={quoteattr(name)}/>" for name in result.variables]
        lines += ["</head>", "<results>"]
        for row in result:
            lines.append("<result>")
            lines += [
                f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>"
                for name, term in row.items()
                if term is not None
            ]
            lines.append("</result>")
        lines.append("</results>")
    lines.append("</sparql>")
    return "\n".join(lines) + "\n"
