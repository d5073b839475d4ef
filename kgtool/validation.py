"""SHACL validation of the loaded graph with pySHACL.

pySHACL and rdflib are imported here, inside `validate`, so that commands which only query never
pay for them. The shapes are read with the same parser as the data (errors name file and line)
and handed over as N-Triples.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from kgtool.errors import ValidationError
from kgtool.namespaces import RDF, SH
from kgtool.resources import Source
from kgtool.store import LocalStore, parse
from kgtool.terms import IRI, BlankNode, Literal, Term


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result: which node broke which shape, along which path, and why."""

    focus_node: Term
    path: Term | None
    message: str
    severity: IRI
    shape: Term
    value: Term | None = None

    @property
    def severity_name(self) -> str:
        """`Violation`, `Warning` or `Info`."""
        return self.severity.removeprefix(SH.NS)


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of validation: `conforms`, the `results`, and `text` for people to read."""

    conforms: bool
    results: tuple[ValidationResult, ...]
    text: str

    def __str__(self) -> str:
        return self.text


def _term(node: Any) -> Term:
    from rdflib import BNode, URIRef

    if isinstance(node, URIRef):
        return IRI(node)
    if isinstance(node, BNode):
        return BlankNode(node)
    return Literal(str(node), str(node.datatype) if node.datatype else None, node.language)


def _graph(triples: Sequence[ox.Triple]) -> Any:
    from rdflib import Graph

    graph = Graph()
    graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph


def summary(
    conforms: bool, results: Sequence[ValidationResult], label: Callable[[Term], str]
) -> str:
    """The report as a person reads it: a count per severity, then one line per result."""
    if not results:
        return "Conforms: the data meets every shape."
    counts: dict[str, int] = {}
    for result in results:
        counts[result.severity_name] = counts.get(result.severity_name, 0) + 1
    summary = ", ".join(
        f"{count} {name.lower()}{'s' if count > 1 else ''}" for name, count in counts.items()
    )
    verdict = "Conforms, with" if conforms else "Does not conform:"
    lines = [f"{verdict} {summary}."]

    def shown(term: Term) -> str:
        name, readable = term.compact(), label(term)
        return name if readable == name else f"{name} ({readable})"

    for result in sorted(results, key=lambda r: (r.severity_name, str(r.focus_node), str(r.path))):
        path = f" {result.path.compact()}" if result.path is not None else ""
        value = f" {shown(result.value)}" if result.value is not None else ""
        lines.append(
            f"{result.severity_name}: {shown(result.focus_node)}{path}{value}: {result.message} "
            f"[{result.shape.compact()}]"
        )
    return "\n".join(lines)


def validate(
    store: LocalStore,
    shapes: Sequence[Source],
    *,
    label: Callable[[Term], str] = lambda term: term.compact(),
) -> ValidationReport:
    """Validate the asserted graphs (ontology and data together) against `shapes`.

    No inference is asked of pySHACL: SHACL's own class targeting already follows the
    ontology's rdfs:subClassOf triples, which are part of the data graph.
    """
    import pyshacl
    from rdflib import URIRef

    shapes_graph = _graph([triple for source in shapes for triple in parse(source)])
    try:
        conforms, report, _ = pyshacl.validate(
            _graph(store.triples(inferred=False)),
            shacl_graph=shapes_graph,
            inference="none",
            advanced=True,
            allow_warnings=True,
        )
    except Exception as error:  # pySHACL raises many types for a broken shapes graph
        raise ValidationError(f"SHACL validation could not run: {error}") from error

    def one(node: Any, predicate: str) -> Term | None:
        value = report.value(node, URIRef(predicate))
        return None if value is None else _term(value)

    results = [
        ValidationResult(
            focus_node=one(node, SH.focusNode) or BlankNode("unknown"),
            path=one(node, SH.resultPath),
            message=str(one(node, SH.resultMessage) or ""),
            severity=IRI(str(one(node, SH.resultSeverity))),
            shape=one(node, SH.sourceShape) or BlankNode("unknown"),
            value=one(node, SH.value),
        )
        for node in report.subjects(URIRef(RDF.type), URIRef(SH.ValidationResult))
    ]
    return ValidationReport(bool(conforms), tuple(results), summary(bool(conforms), results, label))
