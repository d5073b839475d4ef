"""The data: every quote is in the article at its offsets, every fact has a source, and the
facts the article states are in the graph by name."""

from __future__ import annotations

from importlib.resources import files

import pytest

from kgtool import KnowledgeGraph

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


def ask(kg: KnowledgeGraph, pattern: str) -> bool:
    result = kg.query(PREFIXES + "ASK { " + pattern + " }")
    return bool(result.boolean)


def test_article_is_the_documented_text() -> None:
    import hashlib

    assert len(ARTICLE) == 3578
    digest = hashlib.sha256(ARTICLE.encode("utf-8")).hexdigest()
    assert digest == "92b376536ae648e27769ec924198a2cc09b4f6f75648b178cf83ccb676a81b22"


def test_every_quote_is_found_at_its_offsets(shipped_kg: KnowledgeGraph) -> None:
    rows = list(
        shipped_kg.query(
            PREFIXES + "SELECT ?segment ?quote ?start ?end WHERE { ?segment a kg:TextSegment ;"
            " kg:exactQuote ?quote ; kg:startOffset ?start ; kg:endOffset ?end }"
        )
    )
    assert len(rows) >= 59, "every sentence of the article is a segment"
    for row in rows:
        start, end, quote = row.value("start"), row.value("end"), row.value("quote")
        assert ARTICLE[start:end] == quote, f"{row['segment']}: quote not at [{start}, {end})"


def test_sentences_cover_the_whole_article(shipped_kg: KnowledgeGraph) -> None:
    rows = shipped_kg.query(
        PREFIXES + "SELECT ?start ?end WHERE { ?s a kg:TextSegment ; kg:startOffset ?start ;"
        " kg:endOffset ?end FILTER(STRSTARTS(STR(?s), STR(kgd:seg-p))) } ORDER BY ?start"
    )
    covered = sum(row.value("end") - row.value("start") for row in rows)
    line_breaks = ARTICLE.count("\n")
    assert covered + line_breaks == len(ARTICLE)


def test_every_claim_statement_in_chinese_is_the_articles_wording(
    shipped_kg: KnowledgeGraph,
) -> None:
    rows = list(
        shipped_kg.query(
            PREFIXES + "SELECT ?claim ?text WHERE { ?claim a kg:Claim ; kg:statement ?text"
            ' FILTER(LANGMATCHES(LANG(?text), "zh-Hant")) }'
        )
    )
    assert len(rows) >= 30
    for row in rows:
        assert row.value("text") in ARTICLE, f"{row['claim']}: statement not in the article"


def test_every_fact_between_entities_has_a_source(shipped_kg: KnowledgeGraph) -> None:
    # Facts are object and datatype assertions on data individuals. Claims (sourced by
    # kg:statedIn), segments, scope criteria, role titles (named like labels, sourced by the
    # role's kg:evidence) and the modeller's classifications are not.
    unsourced = list(
        shipped_kg.query(
            PREFIXES
            + """
            SELECT ?s ?p ?o WHERE {
              ?s ?p ?o .
              FILTER(STRSTARTS(STR(?s), STR(kgd:)))
              { ?p a owl:ObjectProperty } UNION { ?p a owl:DatatypeProperty }
              FILTER(?p NOT IN (kg:mechanism, kg:scopeCriterion, kg:topic, kg:roleTitle,
                                kg:withinReachOf, kg:meetsCriterion))
              FILTER NOT EXISTS { ?s a kg:Claim }
              FILTER NOT EXISTS { ?s a kg:TextSegment }
              FILTER NOT EXISTS { ?s a kg:ScopeCriterion }
              FILTER NOT EXISTS {
                ?axiom owl:annotatedSource ?s ; owl:annotatedProperty ?p ; owl:annotatedTarget ?o .
                { ?axiom kg:evidence ?segment } UNION { ?axiom kg:backgroundSource ?record }
              }
            }"""
        )
    )
    assert unsourced == [], f"facts without a source: {unsourced[:5]}"


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
        PREFIXES + "SELECT (COUNT(?c) AS ?n) WHERE { ?c kg:claimant kgd:ArticleAuthor ;"
        " kg:evidenceStatus kgv:AuthorJudgement }"
    )
    assert next(iter(rows)).value("n") >= 15
