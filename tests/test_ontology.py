"""The ontology's own style, and the SHACL shapes tested both ways: the shipped data conforms,
and deliberately broken data is reported with a message a person understands."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgtool import KnowledgeGraph, ValidationReport
from kgtool.catalog import NamedQuery

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REPO = FIXTURES.parent.parent

PREFIXES = """
PREFIX kg:   <https://w3id.org/kgtool/def#>
PREFIX owl:  <http://www.w3.org/2002/07/owl#>
PREFIX rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

TERMS = """
  { ?term a owl:Class } UNION { ?term a owl:ObjectProperty }
  UNION { ?term a owl:DatatypeProperty } UNION { ?term a owl:AnnotationProperty }
  FILTER(STRSTARTS(STR(?term), STR(kg:)))
"""


def rows(kg: KnowledgeGraph, where: str) -> list[str]:
    return [
        str(row["term"])
        for row in kg.query(
            NamedQuery.text(PREFIXES + f"SELECT DISTINCT ?term WHERE {{ {where} }}")
        )
    ]


def test_there_are_terms(shipped_kg: KnowledgeGraph) -> None:
    assert len(rows(shipped_kg, TERMS)) > 100


@pytest.mark.parametrize("language", ["en", "zh-Hant"])
def test_every_term_is_labelled(shipped_kg: KnowledgeGraph, language: str) -> None:
    missing = rows(
        shipped_kg,
        TERMS
        + " FILTER NOT EXISTS { ?term rdfs:label ?l"
        + f' FILTER(LANGMATCHES(LANG(?l), "{language}")) }}',
    )
    assert missing == []


def test_every_term_is_defined_and_attributed(shipped_kg: KnowledgeGraph) -> None:
    for language in ("en", "zh-Hant"):
        undefined = TERMS + (
            " FILTER NOT EXISTS { ?term skos:definition ?d"
            f' FILTER(LANGMATCHES(LANG(?d), "{language}")) }}'
        )
        assert rows(shipped_kg, undefined) == [], language
    assert (
        rows(
            shipped_kg,
            TERMS
            + " FILTER NOT EXISTS { ?term rdfs:isDefinedBy <https://w3id.org/kgtool/ontology> }",
        )
        == []
    )


def test_no_term_is_used_without_a_declaration(shipped_kg: KnowledgeGraph) -> None:
    used = """
      { ?s ?term ?o } UNION { ?s a ?term }
      FILTER(STRSTARTS(STR(?term), STR(kg:)))
      FILTER NOT EXISTS { ?term a ?kind
        FILTER(?kind IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty,
                         owl:AnnotationProperty)) }
    """
    assert rows(shipped_kg, used) == []


def test_names_follow_the_convention(shipped_kg: KnowledgeGraph) -> None:
    classes = rows(shipped_kg, "?term a owl:Class FILTER(STRSTARTS(STR(?term), STR(kg:)))")
    properties = rows(
        shipped_kg,
        "{ ?term a owl:ObjectProperty } UNION { ?term a owl:DatatypeProperty }"
        " FILTER(STRSTARTS(STR(?term), STR(kg:)))",
    )
    assert classes and properties
    assert all(term.split("#")[1][0].isupper() for term in classes)
    assert all(term.split("#")[1][0].islower() for term in properties)


@pytest.mark.slow
def test_shipped_data_conforms_to_the_shapes(shipped_report: ValidationReport) -> None:
    assert shipped_report.conforms, str(shipped_report)


BROKEN = {
    "claim-without-claimant.ttl": ["claimant", "Chinese label"],
    "measure-without-criterion.ttl": ["scope criterion", "legal basis"],
    "segment-bad-offsets.ttl": ["non-empty quote", "integer start offset"],
    "date-not-datetime.ttl": ["xsd:dateTime"],
    "fact-badly-graded.ttl": ["exactly one support grade", "one-line reason", "no kg:evidence"],
}


def test_broken_fixtures_are_all_listed() -> None:
    found = sorted(path.name for path in (FIXTURES / "bad" / "shapes").glob("*.ttl"))
    assert found == sorted(BROKEN)


@pytest.mark.parametrize(("name", "expected"), sorted(BROKEN.items()))
def test_broken_data_is_reported_readably(name: str, expected: list[str]) -> None:
    # beside the ontology alone, so the report holds this file's breaches and nothing else
    kg = KnowledgeGraph.load([REPO / "ontology", FIXTURES / "bad" / "shapes" / name])
    report = kg.validate()
    assert not report.conforms
    text = str(report)
    for phrase in expected:
        assert phrase in text, f"{name}: {phrase!r} not in the report:\n{text}"
