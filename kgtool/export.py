"""Writing the whole graph out: Turtle, RDF/XML, JSON-LD or N-Triples, by one code path.

Every module and data file is merged into one ontology document, the core ontology
(`https://w3id.org/kgtool/ontology`): the other modules' `owl:Ontology` headers and the
`owl:imports` between loaded modules are dropped, since their content is now inside. Protégé
and owlready2 then open a single self-contained file. rdflib is imported only here, for its
readable serialisers (grouped subjects, prefixes, a compact JSON-LD context).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kgtool.namespaces import ONTOLOGY, OWL, PREFIXES, RDF
from kgtool.output import write_text
from kgtool.store import LocalStore

#: Export formats by the names users give them, mapped to rdflib's serialiser names.
FORMATS = {
    "turtle": "turtle",
    "ttl": "turtle",
    "xml": "xml",
    "rdfxml": "xml",
    "json-ld": "json-ld",
    "jsonld": "json-ld",
    "nt": "nt",
    "ntriples": "nt",
}


def merge(triples: list[ox.Triple], main: str = ONTOLOGY) -> list[ox.Triple]:
    """`triples` of several modules as one ontology document headed by `main`: the other
    modules' headers go, and so do the imports of modules that are now inside."""
    headers = {
        t.subject
        for t in triples
        if t.predicate.value == RDF.type and t.object == ox.NamedNode(OWL.Ontology)
    }
    head = ox.NamedNode(main)
    if head not in headers:
        return triples
    others = headers - {head}
    return [
        t
        for t in triples
        if t.subject not in others
        and not (t.predicate.value == OWL.imports and t.object in headers)
    ]


def merged(store: LocalStore) -> list[ox.Triple]:
    """The asserted triples as one ontology document headed by the core ontology."""
    return merge(store.triples(inferred=False))


def export(store: LocalStore, format: str, path: str | Path | None = None) -> str | None:
    """Serialise the merged graph in `format`; write it to `path`, or return it as text."""
    text = serialize(merged(store), format)
    if path is None:
        return text
    write_text(path, text)
    return None


def serialize(triples: list[ox.Triple], format: str) -> str:
    """`triples` as readable text in `format` (prefixes bound; JSON-LD with a compact context)."""
    from rdflib import Graph

    if format not in FORMATS:
        raise ValueError(f"unknown export format {format!r}: use one of {', '.join(FORMATS)}")
    graph = Graph()
    graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    rdflib_format = FORMATS[format]
    options: dict[str, Any] = {}
    if rdflib_format == "json-ld":
        used = {
            namespace
            for triple in graph
            for term in triple
            for namespace in PREFIXES.values()
            if str(term).startswith(namespace)
        }
        options = {"context": {p: ns for p, ns in PREFIXES.items() if ns in used}, "indent": 2}
    return str(graph.serialize(format=rdflib_format, **options))
