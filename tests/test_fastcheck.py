"""SHACL validation by SPARQL (`kgtool.fastcheck`) finds what pySHACL finds, on small graphs."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgtool import KnowledgeGraph, ValidationReport, fastcheck
from kgtool.bench.synthetic import generate
from kgtool.errors import ValidationError
from kgtool.terms import BlankNode

#: One or more breaches of every kind of constraint in ontology/shapes.ttl.
BROKEN = """\
@prefix kg:   <https://w3id.org/kgtool/def#> .
@prefix kgd:  <https://w3id.org/kgtool/id/> .
@prefix kgv:  <https://w3id.org/kgtool/vocab/> .
@prefix owl:  <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .

kgd:bad-company a kg:Company ; rdfs:label "Bad"@en , "Bad again"@en .

kgd:bad-claim
    a kg:Claim ;
    rdfs:label "bad claim"@en , "壞主張"@zh-Hant ;
    kg:statement "only in English"@en ;
    kg:claimant kgd:H100 ;
    kg:claimKind kgv:InForce ;
    kg:disputes kgd:DeepSeek ;
    kg:date "2025-01-01"^^xsd:date .

kgd:bad-measure
    a kg:PolicyMeasure ;
    rdfs:label "bad measure"@en , "壞措施"@zh-Hant ;
    kg:measureStatus kgv:InForce , kgv:Speculated ;
    kg:legalBasis kgd:DeepSeek .

kgd:bad-criterion
    a kg:ScopeCriterion ;
    rdfs:label "bad criterion"@en , "壞條件"@zh-Hant ;
    kg:criterionProperty kg:uses , kg:develops ;
    kg:criterionVia "operates" ;
    kg:criterionValue kgd:H100 ;
    kg:criterionClass kg:GPU .

kgd:empty-criterion a kg:ScopeCriterion ; rdfs:label "empty"@en , "空"@zh-Hant .

kgd:bad-segment
    a kg:TextSegment ;
    rdfs:label "bad segment"@en , "壞片段"@zh-Hant ;
    kg:exactQuote "" ;
    kg:startOffset -1 ;
    kg:endOffset "5" ;
    kg:segmentOf kgd:DeepSeek .

kgd:bad-event a kg:Event ; rdfs:label "e"@en , "事"@zh-Hant ;
    kg:date "2025-01-01T10:00:00"^^xsd:dateTime .

[] a owl:Axiom ; owl:annotatedSource kgd:DeepSeek ; owl:annotatedProperty kg:uses ;
    owl:annotatedTarget kgd:H100 .
kgd:bad-axiom a owl:Axiom ; owl:annotatedSource kgd:DeepSeek ; owl:annotatedProperty kg:uses ;
    owl:annotatedTarget kgd:H800 ; kg:evidence kgd:DeepSeek .
kgd:stated-from-a-record a owl:Axiom ; kg:support kgv:Stated ; kg:backgroundSource "a record" .
kgd:implied-without-reason a owl:Axiom ; kg:support kgv:Implied ; kg:evidence kgd:p1 ;
    kg:supportReason "只有中文"@zh-Hant .
kgd:implied-with-reason a owl:Axiom ; kg:support kgv:Implied ; kg:evidence kgd:p1 ;
    kg:supportReason "the sentence names the company"@en .
kgd:background-with-a-sentence a owl:Axiom ; kg:support kgv:Background ; kg:evidence kgd:p1 .
"""


def _found(report: ValidationReport) -> set[tuple[str, str, str, str]]:
    """What each result says, blank focus nodes aside (their names differ between engines)."""
    return {
        (
            "_:blank" if isinstance(r.focus_node, BlankNode) else str(r.focus_node),
            str(r.path),
            r.message,
            r.severity_name,
        )
        for r in report.results
    }


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeGraph:
    folder = tmp_path_factory.mktemp("fastcheck")
    (folder / "broken.ttl").write_text(BROKEN, encoding="utf-8")
    synthetic = generate(folder / "synthetic.nt", 3_000, seed=5).path
    return KnowledgeGraph.load(extra=[folder / "broken.ttl", synthetic])


@pytest.mark.slow
def test_same_violations_as_pyshacl(broken: KnowledgeGraph) -> None:
    expected = broken.validate()
    found = fastcheck.validate(broken)
    assert not expected.conforms and not found.conforms
    assert len(_found(expected)) >= 20  # the fixture breaks what it means to
    assert _found(found) == _found(expected)
    graded = {
        str(r.focus_node).rpartition("/")[2]
        for r in found.results
        if str(r.shape).endswith(("StatedFactShape", "ImpliedFactShape", "BackgroundFactShape"))
    }
    assert graded == {
        "stated-from-a-record",
        "implied-without-reason",
        "background-with-a-sentence",
    }


def test_the_shipped_graph_conforms_for_both(shipped_kg: KnowledgeGraph) -> None:
    assert fastcheck.validate(shipped_kg).conforms
    assert fastcheck.validate(shipped_kg.store.oxigraph).conforms


def test_focus_checks_only_the_nodes_given(broken: KnowledgeGraph) -> None:
    everything = fastcheck.validate(broken)
    chosen = {"https://w3id.org/kgtool/id/bad-claim", "https://w3id.org/kgtool/id/bad-segment"}
    focused = fastcheck.validate(broken, focus=sorted(chosen))
    assert focused.results
    assert _found(focused) == {found for found in _found(everything) if found[0] in chosen}


def test_unsupported_component_is_an_error(tmp_path: Path, shipped_kg: KnowledgeGraph) -> None:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix kg: <https://w3id.org/kgtool/def#> .\n"
        "kg:S a sh:NodeShape ; sh:targetClass kg:Claim ; sh:closed true .\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError, match="sh:closed"):
        fastcheck.validate(shipped_kg, shapes=shapes)
