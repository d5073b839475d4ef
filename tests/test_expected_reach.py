"""`measures_reaching` against the reach the article itself states, actor by actor.

`tests/expected/reach.tsv` was written from the text of the article alone: for every actor the
article says a measure could reach, did reach or was considered for, which measures, with the
sentences that say so (see the file's header for the four kinds of row). The query must give
every `text` row, may give an `extra` row (defensible, with its reason), must give nothing else,
and does not yet give a `gap` row (reach the scope-criteria vocabulary cannot express).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from kgtool import KnowledgeGraph
from kgtool.catalog import NamedQuery

KGD = "https://w3id.org/kgtool/id/"
TABLE = Path(__file__).resolve().parent / "expected" / "reach.tsv"
KINDS = {"text", "extra", "gap", "none"}


@dataclass(frozen=True)
class Row:
    actor: str
    name: str
    measure: str
    kind: str
    segments: tuple[tuple[int, int], ...]
    reason: str


@cache
def table() -> tuple[Row, ...]:
    lines = [line for line in TABLE.read_text(encoding="utf-8").splitlines() if line[:1] != "#"]
    rows = []
    for record in csv.DictReader(lines, delimiter="\t"):
        spans = tuple(
            (int(start), int(end))
            for start, end in (span.split("-") for span in record["segments"].split())
        )
        rows.append(
            Row(
                record["actor"],
                record["name"],
                record["measure"],
                record["kind"],
                spans,
                record["reason"],
            )
        )
    return tuple(rows)


def actors() -> list[str]:
    return list(dict.fromkeys(row.actor for row in table()))


def reached(kg: KnowledgeGraph, actor: str) -> set[str]:
    return {str(reach.measure).removeprefix(KGD) for reach in kg.measures_reaching(KGD + actor)}


def test_the_table_is_well_formed(shipped_kg: KnowledgeGraph) -> None:
    rows = table()
    assert len(rows) >= 50 and len(actors()) >= 15
    assert {row.kind for row in rows} == KINDS
    for row in rows:
        assert row.segments and row.reason, row
        assert (row.measure == "-") == (row.kind == "none"), row
    pairs = [(row.actor, row.measure) for row in rows]
    assert len(pairs) == len(set(pairs)), "one row per actor and measure"
    measures = {
        str(r["m"]).removeprefix(KGD)
        for r in shipped_kg.query(
            NamedQuery.text("SELECT ?m WHERE { ?m a <https://w3id.org/kgtool/def#PolicyMeasure> }")
        )
    }
    assert {row.measure for row in rows} - {"-"} <= measures


def test_every_row_cites_whole_sentences_of_the_article(shipped_kg: KnowledgeGraph) -> None:
    spans = {
        (r.value("start"), r.value("end"))
        for r in shipped_kg.query(
            NamedQuery.text(
                "PREFIX kg: <https://w3id.org/kgtool/def#> SELECT ?start ?end WHERE {"
                " ?segment a kg:TextSegment ; kg:startOffset ?start ; kg:endOffset ?end }"
            )
        )
    }
    for row in table():
        for span in row.segments:
            assert span in spans, f"{row.actor} / {row.measure}: {span} is not a sentence"


@pytest.mark.parametrize("actor", actors())
def test_measures_reaching_gives_what_the_article_says(
    shipped_kg: KnowledgeGraph, actor: str
) -> None:
    rows = [row for row in table() if row.actor == actor]
    said = {row.measure for row in rows if row.kind == "text"}
    defensible = {row.measure for row in rows if row.kind == "extra"}
    got = reached(shipped_kg, actor)
    assert said - got == set(), f"{actor}: the article says these reach it"
    assert got - said - defensible == set(), f"{actor}: the article does not support these"


@pytest.mark.parametrize(
    ("actor", "measure"),
    [
        pytest.param(
            row.actor,
            row.measure,
            marks=pytest.mark.xfail(reason=row.reason, strict=True),
            id=f"{row.actor}-{row.measure}",
        )
        for row in table()
        if row.kind == "gap"
    ],
)
def test_reach_the_criteria_cannot_express_yet(
    shipped_kg: KnowledgeGraph, actor: str, measure: str
) -> None:
    # When a new kind of criterion lets the query give one of these, this test passes, strict
    # xfail fails it, and the row becomes `text`.
    assert measure in reached(shipped_kg, actor)
