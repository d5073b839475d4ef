"""The synthetic graph generator: deterministic, the size asked for, conforming to the shapes,
skewed like attention, and meaningful to the named queries. Small sizes only."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from conftest import Run
from definitions import reach_by_definition

from kgtool import KnowledgeGraph, fastcheck, resources
from kgtool.bench.synthetic import Summary, generate
from kgtool.namespaces import KG, KGD

CLAIMANT = ox.NamedNode(KG.NS + "claimant")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Summary:
    return generate(tmp_path_factory.mktemp("synthetic") / "small.nt", 10_000, seed=7)


@pytest.fixture(scope="module")
def small_kg(small: Summary) -> KnowledgeGraph:
    return KnowledgeGraph.load(extra=[small.path])


def test_same_seed_same_bytes_other_seed_other_graph(tmp_path: Path, small: Summary) -> None:
    again = generate(tmp_path / "again.nt", 10_000, seed=7)
    other = generate(tmp_path / "other.nt", 10_000, seed=8)
    assert again.path.read_bytes() == small.path.read_bytes()
    assert again.examples == small.examples
    assert other.path.read_bytes() != small.path.read_bytes()


@pytest.mark.parametrize("size", [5_000, 10_000, 50_000])
def test_size_within_ten_percent(tmp_path: Path, size: int) -> None:
    summary = generate(tmp_path / "graph.nt", size, seed=1)
    parsed = sum(1 for _ in ox.parse(path=summary.path, format=ox.RdfFormat.N_TRIPLES))
    assert parsed == summary.triples
    assert abs(parsed - size) <= size // 10


def test_turtle_holds_the_same_graph(tmp_path: Path) -> None:
    nt = generate(tmp_path / "graph.nt", 5_000, seed=3)
    ttl = generate(tmp_path / "graph.ttl", 5_000, seed=3)

    def triples(path: Path) -> set[ox.Triple]:
        # blank nodes (the owl:Axiom annotations) are named differently in each syntax
        parsed = [quad.triple for quad in ox.parse(path=path)]
        return {t for t in parsed if not isinstance(t.subject, ox.BlankNode)}

    assert ttl.path.read_text(encoding="utf-8").startswith("@prefix")
    assert nt.triples == ttl.triples
    assert triples(nt.path) == triples(ttl.path)


def test_conforms_to_the_shapes(small_kg: KnowledgeGraph) -> None:
    # fastcheck, the validator for graphs this size (pySHACL took 108 s here); that the two
    # find the same on a synthetic graph is tests/test_fastcheck.py's own test
    report = fastcheck.validate(small_kg)
    assert report.conforms, report.text
    assert not report.results, report.text


def test_claims_are_skewed(small: Summary) -> None:
    """A few actors make most claims: the top 5% of claimants make more than half."""
    claimants = Counter(
        quad.object.value
        for quad in ox.parse(path=small.path, format=ox.RdfFormat.N_TRIPLES)
        if quad.predicate == CLAIMANT
    )
    actors = small.counts["company"] + small.counts["person"] + small.counts["group"]
    top = sorted(claimants.values(), reverse=True)[: max(1, actors // 20)]
    assert sum(top) > sum(claimants.values()) / 2
    assert max(claimants, key=claimants.__getitem__) == small.examples["claimant"]


def test_chinese_company_is_reached_by_several_measures(
    small_kg: KnowledgeGraph, small: Summary
) -> None:
    reaches = small_kg.measures_reaching(small.examples["company"])
    assert len(reaches) >= 5
    labels = {reach.label for reach in reaches}
    assert "Export controls on high-end chips to China" in labels  # a shipped measure
    assert any(label.startswith("Synthetic measure") for label in labels)
    assert all(match.quote for reach in reaches for match in reach.matches)


@pytest.mark.parametrize(
    ("query", "param", "example"),
    [
        ("claims-about", "subject", "hub"),
        ("claims-by", "claimant", "claimant"),
        ("affiliations", "subject", "person"),
        ("sources-of", "entity", "company"),
    ],
)
def test_parameterised_queries_answer(
    small_kg: KnowledgeGraph, small: Summary, query: str, param: str, example: str
) -> None:
    assert len(small_kg.query(query, params={param: small.examples[example]}).rows) > 0


@pytest.mark.parametrize(
    "query", ["chips", "disputed-claims", "jurisdiction", "legal-limits", "measures", "timeline"]
)
def test_global_queries_see_the_synthetic_entities(small_kg: KnowledgeGraph, query: str) -> None:
    shipped = KnowledgeGraph.load().query(query)
    assert len(small_kg.query(query).rows) > len(shipped.rows)


def test_kgtool_synth_writes_a_graph_the_other_commands_read(kgtool: Run, tmp_path: Path) -> None:
    out = tmp_path / "synthetic.ttl"
    done = kgtool("synth", str(out), "--triples", "3000", "--seed", "2")
    assert out.exists() and "kgtool query measures-reaching --data" in done.stdout
    target = done.stdout.split("target=")[1].split()[0]
    reach = kgtool(
        "query", "measures-reaching", "--data", str(out), "-p", f"target={target}", "-f", "csv"
    )
    assert "Export controls on high-end chips to China" in reach.stdout
    refused = kgtool("synth", str(out), "--triples", "5", check=2)
    assert "triples must be from" in refused.stderr


@pytest.mark.slow
def test_measures_reaching_answers_as_the_definition_for_every_company(
    small_kg: KnowledgeGraph, small: Summary
) -> None:
    graph = rdflib.Graph()
    for file in [*(str(source.file) for source in resources.shipped_sources()), str(small.path)]:
        graph.parse(file, format="nt" if file.endswith(".nt") else "turtle")
    expected = reach_by_definition(graph)
    companies = [*sorted(e for e in expected if "syn-company-" in e), KGD + "DeepSeek"]
    assert len(companies) > 20
    reached = 0
    for company in companies:
        found = {str(reach.measure) for reach in small_kg.measures_reaching(company)}
        assert found == expected[company], company
        reached += bool(found)
    assert reached > len(companies) // 2
