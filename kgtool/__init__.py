"""kgtool: the DeepSeek / US technology policy knowledge graph, as a Python library.

    >>> from kgtool import KnowledgeGraph
    >>> kg = KnowledgeGraph.load()
    >>> for reach in kg.measures_reaching("DeepSeek"):
    ...     print(reach.label, [m.criterion_label for m in reach.matches])

`KnowledgeGraph` is the one entry point; the other names are the types it hands back and the
errors it raises (all subclasses of `KgtoolError`).
"""

from __future__ import annotations

from typing import Any

from kgtool.catalog import NamedQuery, Param
from kgtool.coverage import Coverage, SegmentCoverage
from kgtool.entities import Entity, Fact
from kgtool.errors import (
    AmbiguousEntity,
    DataError,
    KgtoolError,
    ParameterError,
    QueryError,
    UnknownEntity,
    UnknownQuery,
    ValidationError,
)
from kgtool.graph import KnowledgeGraph, RemoteKnowledgeGraph
from kgtool.measures import MeasureReach, ScopeMatch
from kgtool.results import QueryResult, Row
from kgtool.stats import ClassCount, Stats
from kgtool.terms import IRI, BlankNode, Literal, Term
from kgtool.validation import ValidationReport, ValidationResult

__all__ = [
    "IRI",
    "AmbiguousEntity",
    "BlankNode",
    "ClassCount",
    "Coverage",
    "DataError",
    "Entity",
    "Fact",
    "KgtoolError",
    "KnowledgeGraph",
    "Literal",
    "MeasureReach",
    "NamedQuery",
    "Param",
    "ParameterError",
    "QueryError",
    "QueryResult",
    "RemoteKnowledgeGraph",
    "Row",
    "ScopeMatch",
    "SegmentCoverage",
    "Stats",
    "Term",
    "UnknownEntity",
    "UnknownQuery",
    "ValidationError",
    "ValidationReport",
    "ValidationResult",
]


def __getattr__(name: str) -> Any:
    # The version comes from the installed metadata, read only when asked: importlib.metadata
    # is slow to import and `kgtool query` should start fast.
    if name == "__version__":
        from importlib.metadata import version

        return version("kgtool")
    raise AttributeError(f"module 'kgtool' has no attribute {name!r}")
