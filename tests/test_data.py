"""The data: every quote is in the article at its offsets, every fact has a source, and the
facts the article states are in the graph by name."""

from __future__ import annotations

import itertools
from importlib.resources import files

import pytest

from kgtool import KnowledgeGraph
from kgtool.catalog import NamedQuery

PREFIXES = """
PREFIX kg:   <https://w3id.org/kgtool/def#>
PREFIX kgd:  <https://w3id.org/kgtool/id/>
PREFIX kgv:  <https://w3id.org/kgtool/vocab/>
PREFIX owl:  <http://www.w3.org/2002/07/owl#>
PREFIX rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd:  <http://www.w3.org/2001/XMLSchema#>
"""

ARTICLE = (files("kgtool") / "data" / "article.txt").read_text(encoding="utf-8")


def texts(kg: KnowledgeGraph) -> dict[str, str]:
    """The text of every source that has one, by source IRI, from the file it names."""
    rows = kg.query(
        NamedQuery.text(PREFIXES + "SELECT ?source ?file WHERE { ?source kg:textFile ?file }")
    )
    return {
        str(row["source"]): (files("kgtool") / "data" / str(row["file"])).read_text(
            encoding="utf-8"
        )
        for row in rows
    }


def ask(kg: KnowledgeGraph, pattern: str) -> bool:
    result = kg.query(NamedQuery.text(PREFIXES + "ASK { " + pattern + " }"))
    return bool(result.boolean)


def test_article_is_the_documented_text() -> None:
    import hashlib

    assert len(ARTICLE) == 3578
    digest = hashlib.sha256(ARTICLE.encode("utf-8")).hexdigest()
    assert digest == "92b376536ae648e27769ec924198a2cc09b4f6f75648b178cf83ccb676a81b22"


def test_the_article_is_a_source_with_its_text(shipped_kg: KnowledgeGraph) -> None:
    assert list(texts(shipped_kg).values()) == [ARTICLE]


def test_every_quote_is_found_at_its_offsets(shipped_kg: KnowledgeGraph) -> None:
    text = texts(shipped_kg)
    rows = list(
        shipped_kg.query(
            NamedQuery.text(
                PREFIXES
                + "SELECT ?segment ?source ?quote ?start ?end WHERE { ?segment a kg:TextSegment ;"
                " kg:segmentOf ?source ; kg:exactQuote ?quote ;"
                " kg:startOffset ?start ; kg:endOffset ?end }"
            )
        )
    )
    assert len(rows) >= 59, "every sentence of the article is a segment"
    for row in rows:
        start, end, quote = row.value("start"), row.value("end"), row.value("quote")
        source = text[str(row["source"])]
        assert source[start:end] == quote, f"{row['segment']}: quote not at [{start}, {end})"


def test_sentences_cover_each_source_exactly(shipped_kg: KnowledgeGraph) -> None:
    for source, text in texts(shipped_kg).items():
        rows = shipped_kg.query(
            NamedQuery.text(
                PREFIXES
                + "SELECT ?start ?end WHERE { ?s kg:segmentOf ?source ; kg:startOffset ?start ;"
                f" kg:endOffset ?end VALUES ?source {{ <{source}> }} }} ORDER BY ?start"
            )
        )
        spans = [(row.value("start"), row.value("end")) for row in rows]
        covered = sum(end - start for start, end in spans)
        assert covered + text.count("\n") == len(text), source
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans)), "no overlap"


def test_segment_iris_live_under_their_source(shipped_kg: KnowledgeGraph) -> None:
    misplaced = shipped_kg.query(
        NamedQuery.text(
            PREFIXES + "SELECT ?segment WHERE { ?segment kg:segmentOf ?source"
            ' FILTER(!STRSTARTS(STR(?segment), CONCAT(STR(?source), "/"))) }'
        )
    )
    assert list(misplaced) == []


def test_every_claim_statement_in_chinese_is_its_sources_wording(
    shipped_kg: KnowledgeGraph,
) -> None:
    text = texts(shipped_kg)
    rows = list(
        shipped_kg.query(
            NamedQuery.text(
                PREFIXES + "SELECT ?claim ?text (GROUP_CONCAT(DISTINCT STR(?source); separator=' ')"
                " AS ?sources) WHERE { ?claim a kg:Claim ; kg:statement ?text ;"
                " kg:statedIn/kg:segmentOf ?source"
                ' FILTER(LANGMATCHES(LANG(?text), "zh-Hant")) } GROUP BY ?claim ?text'
            )
        )
    )
    assert len(rows) >= 30
    for row in rows:
        wording = row.value("text")
        assert any(wording in text[source] for source in row.value("sources").split()), (
            f"{row['claim']}: statement not in the text of a source that states it"
        )


# Facts are the object and datatype assertions about data individuals. A claim is sourced as a
# whole by kg:statedIn: of its properties only the topic and date, which queries read as facts,
# are graded. Segments (the text itself) and scope criteria (the measures' vocabulary) are not
# facts.
FACTS = """
  ?s ?p ?o .
  FILTER(STRSTARTS(STR(?s), STR(kgd:)))
  { ?p a owl:ObjectProperty } UNION { ?p a owl:DatatypeProperty }
  FILTER NOT EXISTS { ?p kg:derivedBy ?rule }
  FILTER NOT EXISTS { ?s a kg:Claim FILTER(?p NOT IN (kg:topic, kg:date)) }
  FILTER NOT EXISTS { ?s a kg:TextSegment }
  FILTER NOT EXISTS { ?s a kg:ScopeCriterion }
"""


def test_every_fact_carries_exactly_one_grade(shipped_kg: KnowledgeGraph) -> None:
    rows = list(
        shipped_kg.query(
            NamedQuery.text(
                PREFIXES
                + "SELECT ?s ?p ?o (COUNT(DISTINCT ?axiom) AS ?axioms) (COUNT(?grade) AS ?grades)"
                + " WHERE { "
                + FACTS
                + " OPTIONAL { ?axiom owl:annotatedSource ?s ; owl:annotatedProperty ?p ;"
                " owl:annotatedTarget ?o . OPTIONAL { ?axiom kg:support ?grade } } }"
                " GROUP BY ?s ?p ?o"
            )
        )
    )
    assert len(rows) > 400
    wrong = [
        (r["s"], r["p"], r["o"]) for r in rows if (r.value("axioms"), r.value("grades")) != (1, 1)
    ]
    assert wrong == [], f"facts without exactly one axiom and one grade: {wrong[:5]}"


def test_each_grade_carries_what_it_promises(shipped_kg: KnowledgeGraph) -> None:
    def count(where: str) -> int:
        rows = shipped_kg.query(
            NamedQuery.text(PREFIXES + f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
        )
        return int(next(iter(rows)).value("n"))

    axiom = "?a a owl:Axiom ; kg:support "
    assert count(axiom + "kgv:Stated . FILTER NOT EXISTS { ?a kg:evidence ?s }") == 0
    assert count(axiom + "kgv:Stated ; kg:backgroundSource ?r .") == 0
    assert count(axiom + "kgv:Implied . FILTER NOT EXISTS { ?a kg:evidence ?s }") == 0
    assert (
        count(
            axiom + "kgv:Implied . FILTER NOT EXISTS { ?a kg:supportReason ?why"
            ' FILTER(LANGMATCHES(LANG(?why), "en") && STRLEN(?why) > 20) }'
        )
        == 0
    ), "every implied fact says why, in a line"
    assert count(axiom + "kgv:Background ; kg:evidence ?s .") == 0
    assert count(axiom + "kgv:Background . FILTER NOT EXISTS { ?a kg:backgroundSource ?r }") == 0
    for grade in ("Stated", "Implied", "Background"):
        assert count(axiom + f"kgv:{grade} .") > 20, grade


def test_the_grades_are_a_vocabulary(shipped_kg: KnowledgeGraph) -> None:
    rows = shipped_kg.query(
        NamedQuery.text(
            PREFIXES + "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>"
            " SELECT ?notation WHERE { ?g skos:inScheme|skos:topConceptOf kgv:SupportGrades ;"
            " a kg:SupportGrade ; skos:notation ?notation ;"
            " skos:prefLabel ?en , ?zh"
            ' FILTER(LANG(?en) = "en" && LANGMATCHES(LANG(?zh), "zh-Hant")) }'
        )
    )
    assert sorted(str(r["notation"]) for r in rows) == ["background", "implied", "stated"]


def test_article_and_record_dates_are_both_kept(shipped_kg: KnowledgeGraph) -> None:
    # the article's date for the Justice Department rule and the record's are both kept
    assert ask(
        shipped_kg,
        'kgd:DOJDataRule kg:effectiveDate "2025-03-27T00:00:00"^^xsd:dateTime',
    )
    assert ask(
        shipped_kg,
        'kgd:DOJDataRule kg:effectiveDate "2025-04-08T00:00:00"^^xsd:dateTime',
    )
    assert ask(
        shipped_kg,
        "?a owl:annotatedSource kgd:DOJDataRule ; owl:annotatedProperty kg:effectiveDate ;"
        ' owl:annotatedTarget "2025-04-08T00:00:00"^^xsd:dateTime ;'
        " kg:backgroundSource ?record . FILTER NOT EXISTS { ?a kg:evidence ?segment }",
    )


@pytest.mark.parametrize(
    ("fact", "why"),
    [
        (
            "kgd:role-kratsios-scaleai-executive kg:roleHolder kgd:MichaelKratsios ;"
            " kg:roleIn kgd:ScaleAI ; kg:roleStatus kgv:FormerRole .",
            "Kratsios is a former Scale AI executive (前高管)",
        ),
        (
            "kgd:role-kratsios-ostp-director kg:roleHolder kgd:MichaelKratsios ;"
            " kg:roleIn kgd:OSTP ; kg:roleStatus kgv:CurrentRole ."
            " kgd:OSTP kg:subOrganizationOf kgd:WhiteHouse .",
            "Kratsios directs the White House science and technology office",
        ),
        (
            "kgd:Zhipu kg:listedOn kgd:EntityList ; kg:headquarteredIn kgd:China .",
            "Zhipu is on the Entity List",
        ),
        ("kgd:H20 kg:exportControlStatus kgv:NotControlled .", "the H20 was not export-controlled"),
        ("kgd:H100 kg:exportControlStatus kgv:Controlled .", "the H100 was export-controlled"),
        (
            "kgd:HuggingFace kg:subjectToJurisdiction kgd:UnitedStates ."
            " kgd:GitHub kg:subjectToJurisdiction kgd:UnitedStates .",
            "Hugging Face and GitHub are under US jurisdiction",
        ),
        (
            "kgd:LiangWenfeng kg:founded kgd:DeepSeek . kgd:DeepSeek kg:employeeCountMin 100 .",
            "Liang founded DeepSeek, a company of 100-odd people",
        ),
        (
            "kgd:JoshuaKushner kg:investorIn kgd:OpenAI ; kg:holdsRole ?role ."
            " ?role kg:roleIn kgd:ThriveCapital .",
            "Kushner: OpenAI investor, Thrive Capital partner",
        ),
        (
            "kgd:event-nvidia-share-fall kg:percentChange -17 ; kg:involves kgd:Nvidia .",
            "Nvidia's share price fell 17%",
        ),
        (
            "kgd:BermanAmendment kg:partOfInstrument kgd:IEEPA ."
            " kgd:m-ieepa-app-ban kg:limitedBy kgd:BermanAmendment ;"
            " kg:measureStatus kgv:AttemptedStruckDown .",
            "the IEEPA app ban failed in court because of the Berman Amendment",
        ),
        (
            "kgd:m-open-model-export-controls kg:limitedBy kgd:FirstAmendment ;"
            " kg:measureStatus kgv:ConsideredAbandoned ; kg:actingBody kgd:BidenAdministration .",
            "Biden considered and dropped export controls on open-source models",
        ),
        (
            "kgd:event-github-iran-restrictions kg:actor kgd:GitHubInc ;"
            ' kg:date "2019-07-01T00:00:00"^^xsd:dateTime .'
            " kgd:TreasuryExportLicence kg:grantedTo kgd:GitHubInc ;"
            " kg:issuedBy kgd:TreasuryDepartment .",
            "GitHub restricted Iranian users in July 2019 and got a Treasury licence",
        ),
        (
            "kgd:AIInfrastructurePlan kg:amountUSD ?amount . FILTER(?amount = 500000000000)",
            "the 500-billion-dollar AI infrastructure plan",
        ),
        # relations the audit found stated and missing
        (
            "kgd:XiaohongshuApp kg:servesUsersIn kgd:UnitedStates ;"
            " kg:subjectToJurisdiction kgd:UnitedStates ; kg:operatedBy kgd:Xiaohongshu ."
            " kgd:DeepSeekApp kg:subjectToJurisdiction kgd:UnitedStates .",
            "like Xiaohongshu, DeepSeek's apps serve US users under US laws (和小紅書一樣)",
        ),
        ("kgd:Nvidia kg:memberOf kgd:USChipIndustry .", "英偉達等美國芯片企業"),
        (
            "kgd:ChineseOpenSourceDevelopers kg:locatedIn kgd:China ;"
            " kg:develops ?models ; kg:publishesOn kgd:GitHub , kgd:HuggingFace ."
            " kgd:OpenSourceModelDevelopers kg:publishesOn kgd:GitHub , kgd:HuggingFace .",
            "open-source model developers, China's among them, host their models on GitHub and"
            " Hugging Face",
        ),
        (
            "kgd:IranianDevelopers kg:publishesOn kgd:GitHub ."
            " kgd:GitHub kg:servesUsersIn kgd:Iran ."
            " kgd:event-github-iran-restrictions kg:causedBy kgd:IranSanctions .",
            "GitHub cut off its Iranian users and developers to comply with the sanctions on Iran",
        ),
        (
            "kgd:event-ieepa-app-ban-attempt kg:resultedIn kgd:event-app-ban-court-defeat .",
            "the first Trump administration's app ban ended in a court defeat",
        ),
        (
            "kgd:LlamaOriginProponents kg:locatedIn kgd:UnitedStates ."
            " kgd:TechNationalists kg:locatedIn kgd:UnitedStates .",
            "美國還是有一些人; 美國國內相當一批科技民族主義者",
        ),
    ],
)
def test_fact_of_the_article(shipped_kg: KnowledgeGraph, fact: str, why: str) -> None:
    assert ask(shipped_kg, fact), why


def test_wang_claim_is_a_claim_not_a_fact(shipped_kg: KnowledgeGraph) -> None:
    assert not ask(shipped_kg, "kgd:DeepSeek kg:uses kgd:H100 ."), "a claim must not become a fact"
    assert ask(
        shipped_kg,
        "kgd:claim-wang-h100 kg:claimant kgd:AlexandrWang ; kg:assertsSubject kgd:DeepSeek ;"
        " kg:assertsRelation kg:uses ; kg:assertsObject kgd:H100 ;"
        " kg:evidenceStatus kgv:NoEvidenceOffered , kgv:DeniedBySubject .",
    ), "Wang gave no evidence and Nvidia denied it"
    assert ask(
        shipped_kg,
        "?denial kg:claimant kgd:Nvidia ; kg:claimKind kgv:Denial ."
        " { ?denial kg:disputes kgd:claim-wang-h100 }"
        " UNION { kgd:claim-wang-h100 kg:disputedBy ?denial }",
    )


def test_h800_use_is_only_claimed(shipped_kg: KnowledgeGraph) -> None:
    assert not ask(shipped_kg, "kgd:DeepSeek kg:uses kgd:H800 .")
    assert ask(
        shipped_kg,
        "?claim kg:assertsSubject kgd:DeepSeek ; kg:assertsRelation kg:uses ;"
        " kg:assertsObject kgd:H800 ; kg:claimant ?who . ?who a kg:Group .",
    ), "some voices say DeepSeek trained on H800s"


def test_the_authors_analysis_is_kept_as_claims(shipped_kg: KnowledgeGraph) -> None:
    rows = shipped_kg.query(
        NamedQuery.text(
            PREFIXES + "SELECT (COUNT(?c) AS ?n) WHERE { ?source kg:author ?author ."
            " ?c kg:claimant ?author ; kg:evidenceStatus kgv:AuthorJudgement }"
        )
    )
    assert next(iter(rows)).value("n") >= 15


# ---------------------------------------------------------------------------------------------
# The ten findings of the sentence-by-sentence audit (issue 11): each test failed on the data
# before it. Offsets in the comments are code points into article.txt.


def axiom_of(fact: str) -> str:
    """The pattern binding ?a to the owl:Axiom of `fact` ("subject property object")."""
    subject, prop, obj = fact.split(" ", 2)
    return (
        f"?a owl:annotatedSource {subject} ; owl:annotatedProperty {prop} ;"
        f" owl:annotatedTarget {obj} ."
    )


def test_finding_1_the_platform_operator_is_not_the_publisher(shipped_kg: KnowledgeGraph) -> None:
    # 3324-3379, 3380-3578: a NetEase Hao user uploaded and posted the text; the platform only
    # stores it. NetEase operates the platform, it publishes nothing.
    assert not ask(shipped_kg, "?source kg:publisher kgd:NetEase .")
    assert ask(
        shipped_kg,
        "?source kg:publisher ?user ; kg:medium kgd:NetEaseHao ."
        " ?user kg:publishesOn kgd:NetEaseHao ."
        " ?claim kg:claimant kgd:NetEase ; kg:about ?source ; kg:statedIn ?notice ."
        " ?notice kg:startOffset 3324 .",
    )


def test_finding_2_deepseeks_models_are_open_source_only_by_the_record(
    shipped_kg: KnowledgeGraph,
) -> None:
    # 474-511 and 2407-2497 do not say DeepSeek's models are open source: background.
    fact = axiom_of("kgd:DeepSeekModels kg:openSource true")
    assert ask(shipped_kg, fact + " ?a kg:support kgv:Background ; kg:backgroundSource ?record .")
    assert not ask(shipped_kg, fact + " ?a kg:evidence ?segment .")
    assert not ask(shipped_kg, "kgd:DeepSeekModels a kg:OpenSourceModel .")
    # "limiting China's participation" is not decided by an open-source fact
    assert not ask(
        shipped_kg,
        "kgd:m-limit-open-source-participation"
        " kg:scopeCriterion/kg:criterionClass kg:OpenSourceModel .",
    )


def test_finding_3_deepseeks_headquarters_are_implied(shipped_kg: KnowledgeGraph) -> None:
    # Neither the Llama sentence (2046-2185) nor the data charge (2681-2772) says it; the article
    # never says it in so many words.
    fact = axiom_of("kgd:DeepSeek kg:headquarteredIn kgd:China")
    assert ask(shipped_kg, fact + " ?a kg:support kgv:Implied ; kg:supportReason ?why .")
    assert not ask(shipped_kg, fact + " ?a kg:evidence/kg:startOffset 2046 .")


def test_finding_4_the_share_fall_is_not_caused_by_deepseek_as_a_fact(
    shipped_kg: KnowledgeGraph,
) -> None:
    # 1100-1149 gives the author's analysis (內在邏輯): a claim, not a kg:causedBy fact.
    assert not ask(shipped_kg, "kgd:event-nvidia-share-fall kg:causedBy ?cause .")
    assert ask(
        shipped_kg,
        "?source kg:author ?author ."
        " ?claim kg:about kgd:event-nvidia-share-fall ; kg:claimant ?author ;"
        " kg:statedIn/kg:startOffset 1100 .",
    )


def test_finding_5_open_model_limits_keep_to_their_own_measure(shipped_kg: KnowledgeGraph) -> None:
    # 1899-1984 is about the Biden administration's abandoned controls, a different measure; the
    # legal basis of "limiting China's participation" is the modeller's reading, and says so.
    assert not ask(shipped_kg, "kgd:m-limit-open-source-participation kg:limitedBy ?limit .")
    assert ask(
        shipped_kg,
        axiom_of("kgd:m-limit-open-source-participation kg:legalBasis kgd:ExportControlLaw")
        + " ?a kg:support kgv:Implied ; kg:supportReason ?why .",
    )
    assert ask(shipped_kg, "kgd:m-open-model-export-controls kg:limitedBy kgd:FirstAmendment .")


def test_finding_6_the_investigation_names_no_investigator(shipped_kg: KnowledgeGraph) -> None:
    # 977-1045 names no investigator.
    assert not ask(
        shipped_kg, "kgd:m-investigate-chip-violation kg:actingBody kgd:TrumpAdministration ."
    )
    assert ask(
        shipped_kg,
        "kgd:m-investigate-chip-violation kg:actingBody ?body ."
        + axiom_of("kgd:m-investigate-chip-violation kg:actingBody ?body")
        + " ?a kg:support kgv:Implied .",
    )


@pytest.mark.parametrize("instrument", ["kgd:ChipExportControls", "kgd:AIDiffusionFramework"])
def test_finding_7_issued_under_export_control_law_is_background(
    shipped_kg: KnowledgeGraph, instrument: str
) -> None:
    # Neither 2005-2045 nor 1305-1432 says so.
    fact = axiom_of(f"{instrument} kg:issuedUnder kgd:ExportControlLaw")
    assert ask(shipped_kg, fact + " ?a kg:support kgv:Background ; kg:backgroundSource ?record .")
    assert not ask(shipped_kg, fact + " ?a kg:evidence ?segment .")


def test_finding_8_the_zhipu_listing_is_dated_not_done_by_biden(shipped_kg: KnowledgeGraph) -> None:
    # 1725-1753: 拜登政府末期 dates the listing; the next sentence says who lists (美國政府).
    assert not ask(shipped_kg, "kgd:event-zhipu-listed kg:actor kgd:BidenAdministration .")
    assert ask(
        shipped_kg,
        axiom_of("kgd:event-zhipu-listed kg:actor kgd:USGovernment")
        + " ?a kg:support kgv:Implied ; kg:evidence/kg:startOffset 1753 .",
    )


def test_finding_9_the_closing_notices_are_data(shipped_kg: KnowledgeGraph) -> None:
    # 3269-3579: every closing sentence is cited by a claim or a fact, or left out with a reason;
    # the language and script are data, not a comment.
    uncited = shipped_kg.query(
        NamedQuery.text(
            PREFIXES + "SELECT ?segment WHERE { ?segment a kg:TextSegment ; kg:startOffset ?start ."
            " FILTER(?start >= 3269)"
            " FILTER NOT EXISTS { ?claim kg:statedIn ?segment }"
            " FILTER NOT EXISTS { ?axiom kg:evidence ?segment }"
            " FILTER NOT EXISTS { ?segment kg:omissionNote ?why } }"
        )
    )
    assert list(uncited) == []
    assert ask(
        shipped_kg,
        '?source kg:language "zh-Hant"^^xsd:language , "en"^^xsd:language ; kg:textFile ?file .',
    )
    assert ask(
        shipped_kg,
        "?source kg:author ?author ."
        " ?claim kg:claimant ?author ; kg:statedIn/kg:startOffset 3269 .",
    )


def test_finding_10_mechanisms_and_topics_of_measures_carry_provenance(
    shipped_kg: KnowledgeGraph,
) -> None:
    bare = list(
        shipped_kg.query(
            NamedQuery.text(
                PREFIXES + "SELECT ?m ?p ?v WHERE { ?m a kg:PolicyMeasure ;"
                " ?p ?v . VALUES ?p { kg:mechanism kg:topic kg:scopeCriterion }"
                " FILTER NOT EXISTS { ?a owl:annotatedSource ?m ; owl:annotatedProperty ?p ;"
                " owl:annotatedTarget ?v ; kg:support kgv:Implied ; kg:evidence ?s ;"
                " kg:supportReason ?why } }"
            )
        )
    )
    assert bare == [], f"classifications without provenance: {bare[:5]}"
