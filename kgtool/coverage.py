"""Coverage: which sentences of each source the graph cites, and which it leaves out.

Every segment of a source is cited by something (a fact whose owl:Axiom gives it as evidence, a
claim stated in it, an entity it mentions) or carries a `kg:omissionNote` saying why the graph
records nothing it says. A segment that is neither is *uncited*; a stretch of a source's text
(other than line breaks) that no segment covers is *unsegmented*. Both are gaps a researcher
should see, and `Coverage.complete` is false while there is one.

    >>> report = KnowledgeGraph.load().coverage()
    >>> report.complete, len(report.segments)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from kgtool import resources
from kgtool.results import QueryResult
from kgtool.terms import IRI, Literal, Term

#: The support grades a fact may show, in the order reports give them.
GRADES = ("stated", "implied", "background", "unsourced")


@dataclass(frozen=True)
class CitingFact:
    """A fact that cites a segment as its evidence, with its support grade."""

    subject: IRI
    property: IRI
    object: Term
    support: str
    text: str


@dataclass(frozen=True)
class Cited:
    """A claim or an entity that cites a segment."""

    iri: IRI
    label: str


@dataclass(frozen=True)
class SegmentCoverage:
    """One segment of a source and everything in the graph that cites it."""

    segment: IRI
    source: IRI
    paragraph: int | None
    start: int
    end: int
    quote: str
    omission: str | None
    facts: tuple[CitingFact, ...]
    claims: tuple[Cited, ...]
    entities: tuple[Cited, ...]

    @property
    def name(self) -> str:
        """The segment's name within its source's namespace (`p01-s1`), else its compact IRI."""
        prefix = self.source + "/"
        return (
            self.segment[len(prefix) :]
            if self.segment.startswith(prefix)
            else self.segment.compact()
        )

    @property
    def status(self) -> str:
        """`cited`, `left out` (nothing cites it, on purpose) or `uncited`."""
        if self.facts or self.claims or self.entities:
            return "cited"
        return "left out" if self.omission else "uncited"


@dataclass(frozen=True)
class Unsegmented:
    """A stretch of a source's text that no segment covers."""

    source: IRI
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Coverage:
    """Every segment of every source with what cites it, and the gaps."""

    sources: dict[IRI, str]
    segments: tuple[SegmentCoverage, ...]
    unsegmented: tuple[Unsegmented, ...]

    @property
    def uncited(self) -> tuple[SegmentCoverage, ...]:
        return tuple(s for s in self.segments if s.status == "uncited")

    @property
    def complete(self) -> bool:
        """True when every segment is cited or left out on purpose, and every text segmented."""
        return not self.uncited and not self.unsegmented

    def counts(self) -> dict[str, Any]:
        """How many segments have each status, and the citing facts by support grade."""
        statuses = Counter(segment.status for segment in self.segments)
        grades = Counter(fact.support for segment in self.segments for fact in segment.facts)
        return {
            "segments": len(self.segments),
            "cited": statuses["cited"],
            "leftOut": statuses["left out"],
            "uncited": statuses["uncited"],
            "unsegmented": len(self.unsegmented),
            "citations": {grade: grades[grade] for grade in GRADES},
        }

    def to_json(self) -> dict[str, Any]:
        """The report as plain JSON data: sources, their segments and gaps, and the counts."""
        return {
            "sources": [
                {
                    "source": source,
                    "label": label,
                    "segments": [_segment_json(s) for s in self.segments if s.source == source],
                    "unsegmented": [
                        {"start": u.start, "end": u.end, "text": u.text}
                        for u in self.unsegmented
                        if u.source == source
                    ],
                }
                for source, label in self.sources.items()
            ],
            "summary": self.counts(),
        }


def _segment_json(segment: SegmentCoverage) -> dict[str, Any]:
    return {
        "segment": segment.segment,
        "paragraph": segment.paragraph,
        "start": segment.start,
        "end": segment.end,
        "quote": segment.quote,
        "status": segment.status,
        "omission": segment.omission,
        "facts": [
            {
                "subject": f.subject,
                "property": f.property,
                "object": f.object.to_json(),
                "support": f.support,
                "text": f.text,
            }
            for f in segment.facts
        ],
        "claims": [{"claim": c.iri, "label": c.label} for c in segment.claims],
        "entities": [{"entity": e.iri, "label": e.label} for e in segment.entities],
    }


def coverage(
    segment_rows: QueryResult, source_rows: QueryResult, label: Callable[[Term | None], str]
) -> Coverage:
    """The coverage of every source that has segments, from the answers of the queries
    `queries/coverage/segments.rq` and `source-texts.rq` (`KnowledgeGraph.coverage` runs them)."""
    sources: dict[IRI, str] = {}
    grouped: dict[IRI, dict[str, Any]] = {}
    for row in segment_rows:
        segment, source = IRI(row["segment"]), IRI(row["source"])
        sources.setdefault(source, label(source))
        entry = grouped.setdefault(
            segment,
            {
                "source": source,
                "paragraph": row.value("paragraph") if row["paragraph"] is not None else None,
                "start": row.value("start"),
                "end": row.value("end"),
                "quote": str(row["quote"]),
                "omission": str(row["omission"]) if row["omission"] is not None else None,
                "facts": {},
                "claims": {},
                "entities": {},
            },
        )
        kind, item = row["kind"], row["item"]
        if kind is None or not isinstance(item, IRI):
            continue
        if str(kind) == "fact":
            prop, obj = IRI(row["property"]), row["object"]
            assert obj is not None
            text = " ".join(label(term) for term in (item, prop, obj))
            entry["facts"].setdefault(
                (item, prop, obj), CitingFact(item, prop, obj, str(row["support"]), text)
            )
        else:
            entry["claims" if str(kind) == "claim" else "entities"].setdefault(
                item, Cited(item, label(item))
            )
    segments = tuple(
        SegmentCoverage(
            segment=segment,
            source=entry["source"],
            paragraph=entry["paragraph"],
            start=entry["start"],
            end=entry["end"],
            quote=entry["quote"],
            omission=entry["omission"],
            facts=tuple(entry["facts"].values()),
            claims=tuple(entry["claims"].values()),
            entities=tuple(entry["entities"].values()),
        )
        for segment, entry in grouped.items()
    )
    gaps: list[Unsegmented] = []
    for row in source_rows:
        source = IRI(row["source"])
        if isinstance(row["label"], Literal):
            sources[source] = str(row["label"])
        text = resources.source_text(str(row["file"]))
        spans = sorted((s.start, s.end) for s in segments if s.source == source)
        gaps += (
            Unsegmented(source, start, end, text[start:end]) for start, end in _gaps(text, spans)
        )
    return Coverage(sources, segments, tuple(gaps))


def _gaps(text: str, spans: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """The stretches of `text` outside `spans` that hold more than whitespace."""
    position = 0
    for start, end in [*spans, (len(text), len(text))]:
        if start > position and text[position:start].strip():
            yield position, start
        position = max(position, end)
