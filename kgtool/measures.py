"""`measures_reaching`: the named query `measures-reaching`, grouped one record per measure.

The query does the work; this only folds its rows (one per measure, criterion and fact that
meets it) into frozen records a program can use directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kgtool.results import QueryResult, Row
from kgtool.terms import IRI

#: The named query this convenience runs.
QUERY = "measures-reaching"


@dataclass(frozen=True)
class ScopeMatch:
    """One scope criterion of a measure that the target meets, and how it reaches it."""

    criterion: IRI | None
    criterion_label: str | None
    mechanism: IRI | None
    mechanism_label: str | None
    explanation: str | None
    quote: str | None
    #: How well the source supports the fact: stated, implied, background or unsourced.
    support: str | None = None
    #: The record a background fact comes from.
    background: str | None = None
    #: For a criterion met through a via-property: the support of the fact that links the
    #: target to what holds the fact (the app it operates, the platform it publishes on).
    hop_support: str | None = None
    hop_background: str | None = None


@dataclass(frozen=True)
class MeasureReach:
    """A policy measure that could reach the target, with every criterion through which it does."""

    measure: IRI
    label: str | None
    status: IRI | None
    status_label: str | None
    basis: IRI | None
    basis_label: str | None
    start: Any
    end: Any
    matches: tuple[ScopeMatch, ...]

    @property
    def mechanisms(self) -> tuple[IRI, ...]:
        """The distinct mechanisms, in the order the criteria give them."""
        return tuple(dict.fromkeys(m.mechanism for m in self.matches if m.mechanism is not None))


def _text(row: Row, variable: str) -> str | None:
    term = row.get(variable)
    return None if term is None else str(term)


def _iri(row: Row, variable: str) -> IRI | None:
    term = row.get(variable)
    return term if isinstance(term, IRI) else None


def group(result: QueryResult) -> list[MeasureReach]:
    """One `MeasureReach` per distinct ?measure, in the order the query returned them."""
    measures: dict[IRI, list[Row]] = {}
    for row in result:
        measure = _iri(row, "measure")
        if measure is not None:
            measures.setdefault(measure, []).append(row)
    reaches = []
    for measure, rows in measures.items():
        first = rows[0]
        matches = dict.fromkeys(
            ScopeMatch(
                criterion=_iri(row, "criterion"),
                criterion_label=_text(row, "criterionLabel"),
                mechanism=_iri(row, "mechanism"),
                mechanism_label=_text(row, "mechanismLabel"),
                explanation=_text(row, "explanation"),
                quote=_text(row, "quote"),
                support=_text(row, "support"),
                background=_text(row, "background"),
                hop_support=_text(row, "hopSupport"),
                hop_background=_text(row, "hopBackground"),
            )
            for row in rows
        )
        reaches.append(
            MeasureReach(
                measure=measure,
                label=_text(first, "measureLabel"),
                status=_iri(first, "status"),
                status_label=_text(first, "statusLabel"),
                basis=_iri(first, "basis"),
                basis_label=_text(first, "basisLabel"),
                start=first.value("start") if "start" in first else None,
                end=first.value("end") if "end" in first else None,
                matches=tuple(matches),
            )
        )
    return reaches
