"""Coverage: every sentence of every source is cited by a fact, a claim or an entity, or left out
on purpose with its reason; sentences cited by nothing and text in no sentence are reported."""

from __future__ import annotations

import json
from pathlib import Path

from kgtool import KnowledgeGraph
from tests.conftest import Run

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "coverage" / "second-source.ttl"
ARTICLE = "https://w3id.org/kgtool/id/us-reaction-to-deepseek"


def test_every_sentence_of_the_article_is_cited_or_left_out_on_purpose(
    shipped_kg: KnowledgeGraph,
) -> None:
    report = shipped_kg.coverage()
    assert report.complete
    assert list(report.sources) == [ARTICLE]
    assert len(report.segments) == 59
    assert report.uncited == () and report.unsegmented == ()
    left_out = [s for s in report.segments if s.status == "left out"]
    assert [(s.name, s.quote) for s in left_out] == [("p21-s2", "轉載請注明來源。")]
    assert "reprint" in (left_out[0].omission or "")


def test_what_cites_a_sentence(shipped_kg: KnowledgeGraph) -> None:
    by_name = {s.name: s for s in shipped_kg.coverage().segments}
    zhipu = by_name["p12-s4"]  # 拜登政府末期,智譜成為首家上了實體清單的中國大模型企業。
    assert (zhipu.start, zhipu.end, zhipu.paragraph) == (1725, 1753, 12)
    facts = {f.text: f.support for f in zhipu.facts}
    assert facts["Zhipu AI listed on Entity List"] == "stated"
    assert facts["Zhipu is added to the Entity List actor United States government"] == "implied"
    assert "Zhipu AI" in {e.label for e in zhipu.entities}
    notice = by_name["p22-s1"]
    assert {c.iri.rsplit("/", 1)[1] for c in notice.claims} == {"claim-netease-storage-only"}


def test_counts_add_up(shipped_kg: KnowledgeGraph) -> None:
    report = shipped_kg.coverage()
    counts = report.counts()
    assert counts["segments"] == counts["cited"] + counts["leftOut"] + counts["uncited"]
    assert counts["citations"]["unsourced"] == 0
    assert sum(counts["citations"].values()) == sum(len(s.facts) for s in report.segments)
    assert counts["citations"]["stated"] > 100 and counts["citations"]["implied"] > 100


def test_a_second_source_with_gaps_is_reported() -> None:
    report = KnowledgeGraph.load(extra=[FIXTURE]).coverage()
    assert not report.complete
    second = "https://w3id.org/kgtool/id/second-source"
    assert set(report.sources) == {ARTICLE, second}
    assert [s.segment for s in report.uncited] == [second + "/p01-s1"]
    cited = next(s for s in report.segments if s.segment == second + "/p02-s1")
    assert cited.status == "cited" and cited.name == "p02-s1"
    (gap,) = report.unsegmented
    assert (gap.source, gap.start) == (second, 143)
    assert gap.text.startswith("他這么說不奇怪") and gap.end == 3578


def test_cli_table_and_json(kgtool: Run) -> None:
    table = kgtool("coverage", columns=160)
    assert "p21-s2   left out" in table.stdout
    assert "59 segments: 58 cited, 1 left out on purpose, 0 cited by nothing" in table.stdout
    data = json.loads(kgtool("coverage", "--format", "json").stdout)
    (source,) = data["sources"]
    assert source["source"] == ARTICLE and len(source["segments"]) == 59
    assert data["summary"]["uncited"] == 0
    first = source["segments"][0]
    assert first["status"] == "cited" and first["facts"][0]["support"] in {"stated", "implied"}


def test_cli_exits_1_and_names_what_nothing_cites(kgtool: Run) -> None:
    done = kgtool("coverage", "--data", str(FIXTURE), check=1, columns=160)
    assert "cited by nothing: <https://w3id.org/kgtool/id/second-source/p01-s1>" in done.stdout
    assert "in no segment: kgd:second-source [143, 3578) «他這么說不奇怪" in done.stdout
