"""Counts that say how big the graph is: triples per file, entities per class."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kgtool.namespaces import KG
from kgtool.terms import IRI


@dataclass(frozen=True)
class ClassCount:
    """How many entities are instances of a class, sub-classes included."""

    iri: IRI
    label: str
    count: int


@dataclass(frozen=True)
class Stats:
    """Size of the graph: triples (asserted, inferred), triples per file, entities per class."""

    triples: int
    inferred: int
    files: Mapping[str, int]
    classes: tuple[ClassCount, ...]

    def count(self, cls: str) -> int:
        """Instances of the class `cls` (an IRI), sub-classes included."""
        return next((entry.count for entry in self.classes if entry.iri == cls), 0)

    @property
    def claims(self) -> int:
        return self.count(KG.Claim)

    @property
    def measures(self) -> int:
        return self.count(KG.PolicyMeasure)

    @property
    def segments(self) -> int:
        return self.count(KG.TextSegment)
