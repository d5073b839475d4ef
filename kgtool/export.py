"""Writing the whole graph out: Turtle, RDF/XML, JSON-LD or N-Triples, by one code path.

Every module and data file is merged into one ontology document, the core ontology
(`https://w3id.org/kgtool/ontology`): the other modules' `owl:Ontology` headers and the
`owl:imports` between loaded modules are dropped, since their content is now inside. Protégé
and owlready2 then open a single self-contained file. rdflib is imported only here, for its
readable serialisers (grouped subjects, prefixes, a compact JSON-LD context).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kgtool import scopes
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


def document(store: LocalStore) -> list[ox.Triple]:
    """The merged graph as an OWL reasoner should read it: with the scope classes of the loaded
    criteria and measures, and every individual declared `owl:NamedIndividual` (owlready2 lists
    only declared individuals, and Protégé shows undeclared ones as mere IRIs)."""
    return declare_individuals([*merged(store), *scopes.axioms(store)])


def declare_individuals(
    triples: list[ox.Triple], vocabulary: Sequence[ox.Triple] = ()
) -> list[ox.Triple]:
    """`triples` without duplicates, with `owl:NamedIndividual` declared for every IRI typed
    with a class (declared in `triples` or `vocabulary`) that is not declared so already."""
    triples = list(dict.fromkeys(triples))
    rdf_type, named = ox.NamedNode(RDF.type), ox.NamedNode(OWL.NamedIndividual)
    owl_class = ox.NamedNode(OWL.Class)
    classes = {
        t.subject
        for t in [*triples, *vocabulary]
        if t.predicate == rdf_type and t.object == owl_class
    }
    individuals = {
        t.subject
        for t in triples
        if t.predicate == rdf_type and isinstance(t.subject, ox.NamedNode) and t.object in classes
    }
    declared = {t.subject for t in triples if t.predicate == rdf_type and t.object == named}
    undeclared = sorted(individuals - declared, key=str)
    return triples + [ox.Triple(individual, rdf_type, named) for individual in undeclared]


def export(store: LocalStore, format: str, path: str | Path | None = None) -> str | None:
    """Serialise the graph as one document in `format`; write it to `path`, or return it."""
    text = serialize(document(store), format)
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
