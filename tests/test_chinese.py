"""Both Chinese scripts: every label resolves in Traditional and Simplified characters, and the
generated zh-Hans labels are complete and equal to what the generator writes now."""

from __future__ import annotations

import pytest
from conftest import REPO, Run

from kgtool import AmbiguousEntity, KgtoolError, KnowledgeGraph, UnknownEntity
from kgtool.catalog import NamedQuery
from kgtool.chinese import fold, to_simplified
from kgtool.namespaces import KGD
from kgtool.simplified import convert, generate, overrides, stale, traditional_labels
from kgtool.terms import IRI

PREFIXES = """
PREFIX kg:   <https://w3id.org/kgtool/def#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


def test_folding_joins_the_two_scripts() -> None:
    assert to_simplified("白宮科技政策辦公室") == "白宫科技政策办公室"
    assert fold("智譜AI") == fold("智谱ai") == "智谱ai"
    # one Simplified character for several Traditional ones: hair and to issue
    assert fold("頭髮") == "头发" and fold("發布") == "发布"
    assert to_simplified("DeepSeek") == "DeepSeek"


@pytest.mark.parametrize(
    ("simplified", "traditional", "iri"),
    [
        ("白宫科技政策办公室", "白宮科技政策辦公室", "OSTP"),
        ("智谱AI", "智譜AI", "Zhipu"),
        ("英伟达", "英偉達", "Nvidia"),
        ("实体清单", "實體清單", "EntityList"),
    ],
)
def test_the_issue_names_resolve_in_both_scripts(
    shipped_kg: KnowledgeGraph, simplified: str, traditional: str, iri: str
) -> None:
    assert shipped_kg.resolve(simplified) == shipped_kg.resolve(traditional) == KGD + iri


def _outcome(kg: KnowledgeGraph, name: str) -> object:
    try:
        return kg.resolve(name)
    except AmbiguousEntity as error:
        return ("ambiguous", error.candidates)
    except UnknownEntity:
        return "unknown"


def test_every_chinese_label_resolves_in_both_scripts(shipped_kg: KnowledgeGraph) -> None:
    """Generated over the graph: each Chinese label or alias, as written and in the other
    script, names its entity (or, when several entities share it, the same candidates)."""
    rows = shipped_kg.query(
        NamedQuery.text(
            PREFIXES
            + """SELECT ?entity ?label WHERE {
          ?entity rdfs:label|skos:prefLabel|skos:altLabel ?label
          FILTER(LANGMATCHES(LANG(?label), "zh") && isIRI(?entity)) }"""
        )
    )
    pairs = {(IRI(row["entity"]), str(row["label"])) for row in rows}
    entities = {entity for entity, _ in pairs}
    assert len(entities) > 300 and any(e.startswith(KGD) for e in entities)
    wrong = []
    for entity, label in sorted(pairs):
        written = _outcome(shipped_kg, label)
        for other in (to_simplified(label), _traditional(label)):
            if _outcome(shipped_kg, other) != written:
                wrong.append((entity, label, other))
        if written != entity and not (isinstance(written, tuple) and entity in dict(written[1])):
            wrong.append((entity, label, written))
    assert wrong == []


def _traditional(text: str) -> str:
    from kgtool.chinese import _converter

    return _converter("s2t")(text)


def test_named_query_parameters_fold_the_scripts(
    shipped_kg: KnowledgeGraph, fixture_kg: KnowledgeGraph
) -> None:
    # the fixture graph has no generated labels: 譜系中國研究所 is written in one script only
    for name in ("譜系中國研究所", "谱系中国研究所", "谱系中國研究所"):
        assert fixture_kg.query("is-chinese", params={"target": name}).boolean is False
    assert fixture_kg.query("is-chinese", params={"target": "智谱"}).boolean is True
    traditional = shipped_kg.query("claims-about", params={"subject": "梁文鋒"})
    mixed = shipped_kg.query("claims-about", params={"subject": "梁文锋"})
    assert len(traditional) > 0
    assert list(mixed) == list(traditional)
    reaching = shipped_kg.measures_reaching("白宫")
    assert [r.measure for r in reaching] == [
        r.measure for r in shipped_kg.measures_reaching("白宮")
    ]


def test_cli_resolves_simplified_names(kgtool: Run) -> None:
    for name, iri in (("白宫科技政策办公室", "OSTP"), ("智谱AI", "Zhipu")):
        done = kgtool("entity", name)
        assert f"<{KGD}{iri}>" in done.stdout.splitlines()[0]


# ---------------------------------------------------------------------------------------------
# The generated zh-Hans labels


def test_generated_files_are_up_to_date() -> None:
    assert stale(REPO) == [], "run: python -m kgtool.simplified"


def test_every_traditional_label_has_its_simplified_twin(shipped_kg: KnowledgeGraph) -> None:
    rows = shipped_kg.query(
        NamedQuery.text(
            PREFIXES
            + """SELECT ?entity ?property ?label WHERE {
          VALUES ?property { rdfs:label skos:prefLabel skos:altLabel }
          ?entity ?property ?label FILTER(LANGMATCHES(LANG(?label), "zh-Hant")) }"""
        )
    )
    simplified = {
        (row["entity"], row["property"], str(row["label"]))
        for row in shipped_kg.query(
            NamedQuery.text(
                PREFIXES
                + """SELECT ?entity ?property ?label WHERE {
              ?entity ?property ?label FILTER(LANGMATCHES(LANG(?label), "zh-Hans")) }"""
            )
        )
    }
    corrections = overrides()
    assert len(rows) > 400
    missing = [
        (row["entity"], row["property"], str(row["label"]))
        for row in rows
        if (row["entity"], row["property"], convert(str(row["label"]), corrections))
        not in simplified
    ]
    assert missing == []


def test_the_article_wording_stays_traditional(shipped_kg: KnowledgeGraph) -> None:
    converted = shipped_kg.query(
        NamedQuery.text(
            PREFIXES
            + """SELECT ?s ?p WHERE { VALUES ?p { kg:exactQuote kg:statement }
          ?s ?p ?text FILTER(LANGMATCHES(LANG(?text), "zh-Hans")) }"""
        )
    )
    assert len(converted) == 0
    labels = (REPO / "data" / "labels-zh-hans.ttl").read_text(encoding="utf-8")
    assert 'kgd:OSTP\n    rdfs:label "白宫科技政策办公室"@zh-Hans' in labels
    assert "kg:exactQuote" not in labels and "kg:statement" not in labels


def test_a_reviewer_correction_replaces_the_conversion() -> None:
    assert convert("輝達", {}) == "辉达"
    assert convert("輝達", {"輝達": "英伟达"}) == "英伟达"


def test_every_correction_is_a_label_of_the_graph() -> None:
    from kgtool.simplified import hand_written

    labels = {label.text for label in traditional_labels(hand_written())[0]}
    assert set(overrides()) <= labels


def test_generated_files_split_terms_from_entities() -> None:
    files = generate()
    assert set(files) == {"ontology/labels-zh-hans.ttl", "data/labels-zh-hans.ttl"}
    assert 'kg:Claim\n    rdfs:label "主张"@zh-Hans' in files["ontology/labels-zh-hans.ttl"]
    assert "kgd:" not in files["ontology/labels-zh-hans.ttl"]
    zhipu = 'kgd:Zhipu\n    rdfs:label "智谱"@zh-Hans ;\n    skos:altLabel "智谱AI"@zh-Hans .'
    assert zhipu in files["data/labels-zh-hans.ttl"]


def test_a_broken_overrides_file_names_itself(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    import kgtool.simplified as simplified

    folder = tmp_path / "ontology"
    folder.mkdir()
    (folder / "labels-zh-hans-overrides.toml").write_text("[overrides\n", encoding="utf-8")
    monkeypatch.setattr(simplified.resources, "package", lambda: tmp_path)
    with pytest.raises(KgtoolError, match=r"ontology/labels-zh-hans-overrides\.toml"):
        simplified.overrides()
