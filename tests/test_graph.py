"""The library on fixtures: query files and binding, results formats, names, inference,
validation, export; and a few checks on the shipped graph."""

from __future__ import annotations

import dataclasses
import datetime
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from kgtool import (
    IRI,
    AmbiguousEntity,
    BlankNode,
    DataError,
    KnowledgeGraph,
    Literal,
    NamedQuery,
    ParameterError,
    QueryError,
    QueryResult,
    UnknownEntity,
    UnknownQuery,
    catalog,
)
from kgtool.catalog import bind, parse
from kgtool.namespaces import GRAPH, XSD
from kgtool.tables import render, width
from kgtool.terms import from_json

FIXTURES = Path(__file__).resolve().parent / "fixtures"
KG = "https://w3id.org/kgtool/def#"
KGD = "https://w3id.org/kgtool/id/"
EX = "https://example.org/"


def iris(result: QueryResult, variable: str) -> list[str]:
    return [str(row[variable]) for row in result]


# ---------------------------------------------------------------------------------------------
# Query files: header and binding


def test_header_is_read(fixture_kg: KnowledgeGraph) -> None:
    query = fixture_kg.named_query("instances")
    assert query.title == "Instances of a class"
    assert query.question("en").startswith("Which entities belong to the class")
    assert query.question("zh-Hant") == "哪些實體屬於該類(包括子類)?各有幾個標籤?"
    assert [(p.name, p.kind, p.default) for p in query.params] == [
        ("class", "iri", "kg:Agent"),
        ("minLabels", "integer", "0"),
    ]
    assert query.params[1].doc == "Keep only entities with at least this many labels."
    assert query.row == "One row per entity."
    reaching = fixture_kg.named_query("measures-reaching")
    assert (
        reaching.description
        == "A simplified stand-in for the shipped query, with the same variables."
    )
    assert reaching.source.endswith("measures-reaching.rq")


def test_catalog_lists_every_query_file(fixture_kg: KnowledgeGraph) -> None:
    files = sorted(path.stem for path in (FIXTURES / "queries").glob("*.rq"))
    assert files, "no fixture queries found"
    assert [query.name for query in fixture_kg.queries()] == files


def test_defaults_run_unchanged(fixture_kg: KnowledgeGraph) -> None:
    assert iris(fixture_kg.query("instances"), "entity") == [
        KGD + "DeepSeek",
        KGD + "Moonshot",
        KGD + "SpectrumInstitute",
        KGD + "Zhipu",
    ]
    assert fixture_kg.query("is-chinese").boolean is True


def test_each_kind_of_parameter_is_bound(fixture_kg: KnowledgeGraph) -> None:
    companies = fixture_kg.query("instances", params={"class": "kg:Company", "minLabels": "3"})
    assert iris(companies, "entity") == [KGD + "Zhipu"]
    assert iris(fixture_kg.query("instances", params={"minLabels": 2}), "entity") == [
        KGD + "DeepSeek",
        KGD + "Moonshot",
        KGD + "Zhipu",
    ]
    rows = list(
        fixture_kg.query(
            "labelled", params={"text": "deepseek", "strict": "false", "since": "2025-01-27"}
        )
    )
    assert [row["label"] for row in rows] == [
        Literal("DeepSeek", lang="en"),
        Literal("DeepSeek", lang="zh-Hant"),
    ]
    assert rows[0].value("since") == datetime.date(2025, 1, 27)
    assert rows[0].value("strict") is False
    assert fixture_kg.query("labelled", params={"text": "deepseek", "strict": True}).rows == []
    assert fixture_kg.query("is-chinese", params={"target": "月之暗面"}).boolean is True


def test_binding_replaces_only_the_values_block_and_keeps_line_numbers() -> None:
    text = (
        "# param: target entity kgd:DeepSeek  The actor.\n"
        "# VALUES ?target { kgd:InAComment }\n"
        'SELECT * WHERE { ?s ?p "VALUES ?target { kgd:InAString }" .\n'
        "  VALUES ?target {\n    kgd:DeepSeek\n  }\n}\n"
    )
    query = parse(text, name="t", source="t.rq")
    bound = bind(query, {"target": IRI(KGD + "Zhipu")})
    assert bound.count("\n") == text.count("\n")
    assert "kgd:InAComment" in bound and "kgd:InAString" in bound
    assert f"VALUES ?target {{ <{KGD}Zhipu> " in bound
    assert "kgd:DeepSeek" not in bound.split("\n", 1)[1]


def test_an_iri_is_also_written_where_a_nested_group_uses_the_variable() -> None:
    text = (
        "# param: target entity kgd:DeepSeek  The actor.\n"
        "SELECT ?target ?m WHERE {\n  VALUES ?target { kgd:DeepSeek }\n"
        "  ?m kg:reaches ?target .\n"
        "  OPTIONAL { ?target rdfs:label ?l FILTER(?target != <http://e.org/q?target=1>) }\n"
        "} ORDER BY ?target\n"
    )
    query = parse(text, name="t", source="t.rq")
    bound = bind(query, {"target": IRI(KGD + "Zhipu")})
    zhipu = f"<{KGD}Zhipu>"
    assert "?m kg:reaches ?target .\n" in bound
    assert f"{{ {zhipu} rdfs:label ?l FILTER({zhipu} != <http://e.org/q?target=1>) }}" in bound
    assert bound.startswith("# param") and "SELECT ?target ?m WHERE" in bound
    assert bound.endswith("} ORDER BY ?target\n")


@pytest.mark.parametrize(
    "where",
    [
        "{ SELECT ?target WHERE { VALUES ?target { kgd:DeepSeek } ?target ?p ?o } }",
        "VALUES ?target { kgd:DeepSeek } ?s ?p ?o MINUS { ?target ?p ?o }",
        "?s ?p ?o . VALUES ?target { kgd:DeepSeek } OPTIONAL { ?s ?q ?target }",
        "VALUES ?target { kgd:DeepSeek } BIND(?s AS ?target)",
    ],
    ids=["sub-query", "minus", "values-not-first", "assigned"],
)
def test_a_variable_whose_scope_is_not_plain_stays_a_variable(where: str) -> None:
    query = parse(
        f"# param: target entity kgd:DeepSeek  The actor.\nSELECT * WHERE {{ {where} }}\n",
        name="t",
        source="t.rq",
    )
    assert query.spots["target"] == ()
    bound = bind(query, {"target": IRI(KGD + "Zhipu")})
    assert bound.count(f"<{KGD}Zhipu>") == 1


def _answer(result: QueryResult) -> tuple[object, ...]:
    rows = sorted(repr(tuple(row)) for row in result.rows)
    return result.variables, rows, result.boolean, sorted(map(repr, result.triples or []))


ENTITIES = ["DeepSeek", "Zhipu", "Nvidia", "JoshuaKushner", "MichaelKratsios", "HuggingFace"]


@pytest.mark.parametrize("reader", ["", "library", "pages"])
def test_writing_the_iri_in_place_changes_no_answer(
    shipped_kg: KnowledgeGraph, reader: str
) -> None:
    compared = 0
    for query in catalog.shipped(reader).all():
        for param in (
            p for p in query.params if p.kind in ("entity", "iri") and query.spots[p.name]
        ):
            as_values = dataclasses.replace(query, spots={})
            for entity in ENTITIES:
                values = {param.name: IRI(KGD + entity)}
                inlined = shipped_kg.query(NamedQuery.text(bind(query, values)))
                plain = shipped_kg.query(NamedQuery.text(bind(as_values, values)))
                assert _answer(inlined) == _answer(plain), (query.name, entity)
                compared += bool(inlined.rows or inlined.triples)
    assert compared >= {"": 12, "library": 4, "pages": 4}[reader]


def test_injection_is_bound_as_a_literal_or_rejected(fixture_kg: KnowledgeGraph) -> None:
    attack = "x> } ; DROP ALL #"
    before = fixture_kg.stats().triples
    assert fixture_kg.query("labelled", params={"text": attack}).rows == []
    query = fixture_kg.named_query("labelled")
    assert 'VALUES ?text   { "x> } ; DROP ALL #" }' in bind(query, {"text": Literal(attack)})
    assert 'VALUES ?text   { "a\\" } #" }' in bind(query, {"text": Literal('a" } #')})
    with pytest.raises(UnknownEntity):
        fixture_kg.query("is-chinese", params={"target": attack})
    with pytest.raises(ParameterError, match="'class'"):
        fixture_kg.query("instances", params={"class": attack})
    with pytest.raises(ParameterError, match="'class'"):
        fixture_kg.query("instances", params={"class": "<https://e.org/x> } ; DROP ALL #>"})
    assert fixture_kg.stats().triples == before


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"bogus": "1"},
            r"query instances: unknown parameter 'bogus' \(declared: class, minLabels\)",
        ),
        (
            {"minLabels": "many"},
            r"query instances: parameter 'minLabels' is integer: expected an integer, got 'many'",
        ),
        ({"minLabels": True}, r"parameter 'minLabels' is integer"),
        ({"class": 12}, r"parameter 'class' is iri"),
    ],
)
def test_bad_parameters_are_named(
    fixture_kg: KnowledgeGraph, params: dict[str, object], message: str
) -> None:
    with pytest.raises(ParameterError, match=message) as caught:
        fixture_kg.query("instances", params=params)
    assert caught.value.query == "instances"
    assert caught.value.parameter == next(iter(params))


def test_bad_dates_and_booleans(fixture_kg: KnowledgeGraph) -> None:
    with pytest.raises(
        ParameterError, match="'since' is date: expected a date YYYY-MM-DD, got '27 Jan'"
    ):
        fixture_kg.query("labelled", params={"since": "27 Jan"})
    with pytest.raises(ParameterError, match="'strict' is boolean"):
        fixture_kg.query("labelled", params={"strict": "maybe"})


def test_missing_required_parameter(fixture_kg: KnowledgeGraph, tmp_path: Path) -> None:
    path = tmp_path / "required.rq"
    path.write_text(
        "# param: target entity -  The actor; no default.\n"
        "SELECT * WHERE { VALUES ?target { UNDEF } }\n",
        encoding="utf-8",
    )
    with pytest.raises(ParameterError, match="query required: missing parameter 'target'"):
        fixture_kg.query(NamedQuery.read(path))
    assert len(fixture_kg.query(NamedQuery.read(path), params={"target": "DeepSeek"})) == 1


def test_unknown_query_suggests_names(fixture_kg: KnowledgeGraph) -> None:
    with pytest.raises(UnknownQuery, match="did you mean measures-reaching") as caught:
        fixture_kg.query("measures-reach")
    assert caught.value.suggestions[0] == "measures-reaching"
    with pytest.raises(QueryError, match=r"^no/such/file\.rq: no such query file$"):
        fixture_kg.query(NamedQuery.read("no/such/file.rq"))


def test_sparql_text_and_files_run(fixture_kg: KnowledgeGraph) -> None:
    result = fixture_kg.query(
        NamedQuery.text(f"SELECT ?m WHERE {{ ?m a <{KG}PolicyMeasure> }} ORDER BY ?m")
    )
    assert result.variables == ("m",)
    assert iris(result, "m") == [KGD + "DataRule", KGD + "EntityList"]
    assert len(fixture_kg.query(NamedQuery.read(FIXTURES / "queries" / "instances.rq"))) == 4


# ---------------------------------------------------------------------------------------------
# Broken inputs: each file in fixtures/bad has its expected message beside it


BAD = sorted((FIXTURES / "bad").glob("*.ttl")) + sorted((FIXTURES / "bad").glob("*.rq"))


def test_broken_fixtures_are_found() -> None:
    assert len(BAD) >= 8
    assert all(path.with_suffix(".expected").exists() for path in BAD)


@pytest.mark.parametrize("path", BAD, ids=lambda path: path.name)
def test_broken_input_message(path: Path, fixture_kg: KnowledgeGraph) -> None:
    expected = path.with_suffix(".expected").read_text(encoding="utf-8").rstrip("\n")
    if path.suffix == ".ttl":
        with pytest.raises(DataError) as data_error:
            KnowledgeGraph.load([FIXTURES / "graph"], extra=[path])
        assert str(data_error.value) == f"{path}:{expected}"
        assert data_error.value.source == str(path)
        line, column = expected.split(":")[:2]
        assert (data_error.value.line, data_error.value.column) == (int(line), int(column))
    else:
        with pytest.raises(QueryError) as query_error:
            fixture_kg.query(NamedQuery.read(path))
        assert str(query_error.value) == f"{path}:{expected}"
        assert query_error.value.line == int(expected.split(":")[0])


def test_query_api_names_texts_and_files_explicitly(fixture_kg: KnowledgeGraph) -> None:
    by_name = fixture_kg.query("measures-reaching", params={"target": "DeepSeek"})
    assert by_name.rows
    instances = FIXTURES / "queries" / "instances.rq"
    assert len(fixture_kg.query(NamedQuery.read(instances))) == 4
    text = NamedQuery.text(f"SELECT ?m WHERE {{ ?m a <{KG}PolicyMeasure> }} ORDER BY ?m")
    assert len(fixture_kg.query(text)) == len({row["m"] for row in fixture_kg.query(text)}) > 0
    # A parameter may be called anything, `inferred` too: options are not parameters.
    odd = NamedQuery.text(
        "# param: inferred string x  A parameter whose name was once reserved.\n"
        'SELECT ?v WHERE { VALUES ?inferred { "x" } BIND(?inferred AS ?v) }'
    )
    assert str(fixture_kg.query(odd, params={"inferred": "yes"}).rows[0]["v"]) == "yes"
    with pytest.raises(TypeError, match=r"unexpected keyword arguments \(target\)"):
        fixture_kg.query("measures-reaching", params={}, target="DeepSeek")


def test_the_old_query_calls_still_work_with_a_deprecation_warning(
    fixture_kg: KnowledgeGraph,
) -> None:
    new = fixture_kg.query("measures-reaching", params={"target": "DeepSeek"})
    with pytest.warns(DeprecationWarning, match=r"params=\{'NAME': value\}"):
        old = fixture_kg.query("measures-reaching", target="DeepSeek")
    assert old.rows == new.rows and old.rows
    sparql = f"SELECT ?m WHERE {{ ?m a <{KG}PolicyMeasure> }} ORDER BY ?m"
    with pytest.warns(DeprecationWarning, match=r"NamedQuery.text\(sparql\)"):
        assert fixture_kg.query(sparql).rows == fixture_kg.query(NamedQuery.text(sparql)).rows
    path = FIXTURES / "queries" / "instances.rq"
    with pytest.warns(DeprecationWarning, match=r"NamedQuery.read\(path\)"):
        assert len(fixture_kg.query(str(path))) == len(fixture_kg.query(NamedQuery.read(path)))
    with pytest.warns(DeprecationWarning):
        old_text = fixture_kg.sparql("measures-reaching", target="DeepSeek")
    assert old_text == fixture_kg.sparql("measures-reaching", params={"target": "DeepSeek"})


def test_missing_file_is_a_data_error() -> None:
    with pytest.raises(DataError, match=r"no-such\.ttl: no such file or folder"):
        KnowledgeGraph.load(extra=["no-such.ttl"])


def test_syntax_error_in_sparql_text_has_a_position(fixture_kg: KnowledgeGraph) -> None:
    with pytest.raises(QueryError) as caught:
        fixture_kg.query(NamedQuery.text("SELECT * WHERE {\n  ?s ?p ?o .\n  ?s ?p ?o ?o\n}\n"))
    assert (caught.value.line, caught.value.column) == (3, 12)
    assert str(caught.value).startswith("SPARQL text:3:12: syntax error near '?o'")


# ---------------------------------------------------------------------------------------------
# Results formats (SPARQL 1.1 JSON, CSV, TSV), golden files beside the query


@pytest.fixture(scope="module")
def terms_result() -> QueryResult:
    kg = KnowledgeGraph.load([FIXTURES / "results" / "terms.ttl"])
    return kg.query(NamedQuery.read(FIXTURES / "results" / "terms.rq"))


def test_results_json(terms_result: QueryResult) -> None:
    expected = json.loads((FIXTURES / "results" / "terms.srj").read_text(encoding="utf-8"))
    assert terms_result.to_json() == expected


def test_results_csv(terms_result: QueryResult) -> None:
    expected = (FIXTURES / "results" / "terms.csv").read_bytes().decode("utf-8")
    assert terms_result.to_csv() == expected
    assert expected.count("\r\n") == 11


def test_results_tsv(terms_result: QueryResult) -> None:
    expected = (FIXTURES / "results" / "terms.tsv").read_bytes().decode("utf-8")
    assert terms_result.to_tsv() == expected


def test_results_short_forms_and_blank_nodes() -> None:
    result = QueryResult(
        variables=["x", "y"],
        rows=[
            [Literal("1.0E6", XSD.double), BlankNode("b0")],
            [Literal("5", XSD.decimal), Literal("-3", XSD.integer)],
        ],
    )
    assert result.to_tsv() == (f'?x\t?y\n1.0E6\t_:b0\n"5"^^<{XSD.decimal}>\t-3\n')
    assert result.to_csv() == "x,y\r\n1.0E6,_:b0\r\n5,-3\r\n"
    assert result.to_json()["results"]["bindings"][0]["y"] == {"type": "bnode", "value": "b0"}


def test_ask_and_construct_results(fixture_kg: KnowledgeGraph) -> None:
    assert fixture_kg.query("is-chinese").to_json() == {"head": {}, "boolean": True}
    graph = fixture_kg.query("measure-graph")
    assert graph.kind == "graph" and len(graph) == 2
    expected = {(KGD + "DataRule", KGD + "IEEPA"), (KGD + "EntityList", KGD + "ECRA")}
    for format, rdf_format in (("turtle", ox.RdfFormat.TURTLE), ("nt", ox.RdfFormat.N_TRIPLES)):
        parsed = ox.parse(graph.serialize(format), format=rdf_format)
        assert {(q.subject.value, q.object.value) for q in parsed} == expected
    assert "kgd:EntityList kg:legalBasis kgd:ECRA" in graph.serialize("turtle")
    with pytest.raises(TypeError):
        graph.to_csv()


def test_terms_convert_to_python_values() -> None:
    assert Literal("42", XSD.integer).value == 42
    assert Literal("5.50", XSD.decimal).value == Decimal("5.50")
    assert Literal("2025-03-27", XSD.date).value == datetime.date(2025, 3, 27)
    assert Literal("true", XSD.boolean).value is True
    assert Literal("深度求索", lang="zh-Hant").value == "深度求索"
    assert Literal("not a number", XSD.integer).value == "not a number"
    assert Literal.of(datetime.date(2025, 1, 27)) == Literal("2025-01-27", XSD.date)
    for term in (
        IRI(KGD + "DeepSeek"),
        BlankNode("b1"),
        Literal("x", lang="en"),
        Literal("7", XSD.integer),
    ):
        assert from_json(term.to_json()) == term
    assert Literal('say "hi"\n').n3() == '"say \\"hi\\"\\n"'
    with pytest.raises(ValueError):
        IRI.checked("https://w3id.org/has space")


# ---------------------------------------------------------------------------------------------
# Names: resolution and description


@pytest.mark.parametrize(
    "name",
    [
        "DeepSeek",
        "deepseek ai",
        "深度求索",
        "ＤｅｅｐＳｅｅｋ",
        "kgd:DeepSeek",
        f"{KGD}DeepSeek",
        f"<{KGD}DeepSeek>",
    ],
)
def test_names_resolve(fixture_kg: KnowledgeGraph, name: str) -> None:
    assert fixture_kg.resolve(name) == KGD + "DeepSeek"


def test_simplified_spelling_finds_traditional_label(fixture_kg: KnowledgeGraph) -> None:
    assert fixture_kg.resolve("谱系中国研究所") == KGD + "SpectrumInstitute"
    assert fixture_kg.resolve("智谱") == fixture_kg.resolve("智譜") == KGD + "Zhipu"


def test_local_name_resolves(fixture_kg: KnowledgeGraph) -> None:
    assert fixture_kg.resolve("claim-wang-h100") == KGD + "claim-wang-h100"


def test_ambiguous_name_lists_candidates(fixture_kg: KnowledgeGraph) -> None:
    with pytest.raises(AmbiguousEntity) as caught:
        fixture_kg.resolve("AI lab")
    assert caught.value.candidates == (
        (KGD + "Moonshot", "Moonshot AI"),
        (KGD + "Zhipu", "Zhipu AI"),
    )


def test_unknown_name_suggests_labels(fixture_kg: KnowledgeGraph) -> None:
    with pytest.raises(UnknownEntity, match="no entity is called 'Deepsek'") as caught:
        fixture_kg.resolve("Deepsek")
    assert caught.value.suggestions[0] == "DeepSeek"
    with pytest.raises(UnknownEntity):
        fixture_kg.resolve("kgd:NoSuchThing")


def test_entity_description(fixture_kg: KnowledgeGraph) -> None:
    entity = fixture_kg.entity("深度求索")
    assert entity.iri == KGD + "DeepSeek"
    assert entity.label == "DeepSeek"
    assert entity.labels == {"en": ("DeepSeek",), "zh-hant": ("DeepSeek",)}
    assert entity.alt_labels == {"en": ("DeepSeek AI",), "zh-hant": ("深度求索",)}
    assert entity.types == ((KG + "Company", "company"),)
    assert [(f.predicate_label, f.object_label) for f in entity.outgoing] == [
        ("headquartered in", "China")
    ]
    china = fixture_kg.entity("中国")
    assert {f.subject_label for f in china.incoming} == {
        "DeepSeek",
        "Zhipu AI",
        "Moonshot AI",
        "headquartered in China",
        "Chinese company handling US data",
    }


def test_measures_reaching_groups_by_measure(fixture_kg: KnowledgeGraph) -> None:
    reaches = fixture_kg.measures_reaching("DeepSeek")
    assert [reach.label for reach in reaches] == ["Entity List", "Sensitive data rule"]
    entity_list, data_rule = reaches
    assert entity_list.status_label == "in force"
    assert entity_list.basis_label == "Export Control Reform Act"
    assert entity_list.start == datetime.date(2019, 5, 16)
    assert [m.criterion_label for m in data_rule.matches] == [
        "Chinese company handling US data",
        "headquartered in China",
    ]
    assert data_rule.mechanisms == ("https://w3id.org/kgtool/vocab/data-rule",)
    with pytest.raises(dataclasses.FrozenInstanceError):
        entity_list.label = "changed"  # type: ignore[misc]
    assert fixture_kg.measures_reaching("月之暗面")[0].measure == KGD + "EntityList"


# ---------------------------------------------------------------------------------------------
# Inference


INFERRED = {
    (EX + "DeepSeek", "a", EX + "Company"),  # equivalent class
    (EX + "DeepSeek", "a", EX + "Organization"),  # sub-class, and domain of ex:operates
    (EX + "DeepSeek", "a", EX + "Agent"),  # sub-class chain
    (EX + "DeepSeekApp", "a", EX + "Application"),  # range of ex:operates
    (EX + "DeepSeek", EX + "operates", EX + "DeepSeekApp"),  # inverse of ex:operatedBy
    (EX + "OpenAI", EX + "rivalOf", EX + "DeepSeek"),  # symmetric
    (EX + "Team", EX + "partOf", EX + "DeepSeek"),  # transitive
    (EX + "LiangWenfeng", EX + "leads", EX + "DeepSeek"),  # sub-property
    (EX + "LiangWenfeng", EX + "worksFor", EX + "DeepSeek"),  # sub-property chain
    (EX + "Fund", EX + "majorityOwnerOf", EX + "DeepSeek"),  # equivalent property
}
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _facts(kg: KnowledgeGraph, *, inferred: bool) -> set[tuple[str, str, str]]:
    rows = kg.query(NamedQuery.text("SELECT ?s ?p ?o WHERE { ?s ?p ?o }"), inferred=inferred)
    return {(str(r["s"]), "a" if r["p"] == TYPE else str(r["p"]), str(r["o"])) for r in rows}


def test_inference_rules_reach_a_fixpoint() -> None:
    kg = KnowledgeGraph.load([FIXTURES / "inference"])
    asserted = _facts(kg, inferred=False)
    assert not INFERRED & asserted
    count = kg.infer()
    assert _facts(kg, inferred=True) >= INFERRED
    assert _facts(kg, inferred=False) == asserted
    assert kg.stats().inferred == count
    assert kg.infer() == count  # starts afresh, same result
    graph = kg.query(
        NamedQuery.text(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH.inferred}> {{ ?s ?p ?o }} }}"
        )
    )
    assert next(iter(graph)).value("n") == count
    literal_types = kg.query(
        NamedQuery.text("ASK { ?x a ?c FILTER(isLiteral(?x)) }"), inferred=True
    )
    assert literal_types.boolean is False


def test_inferring_at_load_queries_inferences_by_default() -> None:
    kg = KnowledgeGraph.load([FIXTURES / "inference"], infer=True)
    agent = NamedQuery.text(f"ASK {{ <{EX}DeepSeek> a <{EX}Agent> }}")
    assert kg.query(agent).boolean is True
    assert kg.query(agent, inferred=False).boolean is False


def test_load_reasoning_keyword_still_infers_with_a_deprecation_warning() -> None:
    with pytest.warns(DeprecationWarning, match=r"load\(infer=\.\.\.\)"):
        kg = KnowledgeGraph.load([FIXTURES / "inference"], reasoning=True)
    assert kg.inferred is True
    assert kg.query(NamedQuery.text(f"ASK {{ <{EX}DeepSeek> a <{EX}Agent> }}")).boolean is True


def test_rule_files_are_shipped() -> None:
    from kgtool.catalog import shipped

    rules = shipped("rules/owl-rl").all()
    assert len(rules) >= 10
    for rule in rules:
        assert rule.title and "CONSTRUCT" in rule.sparql, rule.source
        assert rule.source == f"queries/rules/owl-rl/{rule.name}.rq"


# ---------------------------------------------------------------------------------------------
# Validation, export, statistics


def test_validation_conforms() -> None:
    kg = KnowledgeGraph.load([FIXTURES / "graph"])
    report = kg.validate(shapes=FIXTURES / "shapes" / "shapes.ttl")
    assert report.conforms and report.results == ()
    assert report.text == "Conforms: the data meets every shape."


def test_validation_reports_each_result() -> None:
    kg = KnowledgeGraph.load(
        [FIXTURES / "graph"], extra=[FIXTURES / "shapes" / "nonconforming.ttl"]
    )
    report = kg.validate(shapes=[FIXTURES / "shapes" / "shapes.ttl"])
    assert not report.conforms
    found = {(r.focus_node, r.path, r.severity_name, r.message) for r in report.results}
    assert found == {
        (
            KGD + "MysteryMeasure",
            KG + "legalBasis",
            "Violation",
            "A policy measure needs a legal basis.",
        ),
        (
            KGD + "NamelessCo",
            "http://www.w3.org/2000/01/rdf-schema#label",
            "Violation",
            "An agent needs a label.",
        ),
    }
    assert report.text.splitlines()[0] == "Does not conform: 2 violations."
    assert (
        "kgd:MysteryMeasure (Mystery measure) kg:legalBasis: A policy measure needs a legal basis."
        in report.text
    )


def test_malformed_shapes_are_a_data_error() -> None:
    kg = KnowledgeGraph.load([FIXTURES / "graph"])
    with pytest.raises(DataError, match=r"missing-dot\.ttl:5:1"):
        kg.validate(shapes=FIXTURES / "bad" / "missing-dot.ttl")


@pytest.mark.parametrize(
    ("format", "rdf_format"),
    [
        ("turtle", ox.RdfFormat.TURTLE),
        ("xml", ox.RdfFormat.RDF_XML),
        ("json-ld", ox.RdfFormat.JSON_LD),
        ("nt", ox.RdfFormat.N_TRIPLES),
    ],
)
def test_export_is_one_ontology_document(
    format: str, rdf_format: ox.RdfFormat, tmp_path: Path
) -> None:
    kg = KnowledgeGraph.load([FIXTURES / "graph"])
    text = kg.export(format)
    assert text is not None
    triples = {quad.triple for quad in ox.parse(text, format=rdf_format)}
    ontologies = {
        t.subject.value
        for t in triples
        if t.object == ox.NamedNode("http://www.w3.org/2002/07/owl#Ontology")
    }
    assert ontologies == {"https://w3id.org/kgtool/ontology"}
    assert not any(t.predicate.value.endswith("#imports") for t in triples)
    # everything else survives (the vocab module's header is the only thing dropped); what is
    # added declares each individual for OWL tools, and gives each measure its scope class
    named = ox.NamedNode("http://www.w3.org/2002/07/owl#NamedIndividual")
    declarations = {t for t in triples if t.object == named}
    scope_classes = {
        t for t in triples if t.subject.value.startswith("https://w3id.org/kgtool/scope/")
    }
    assert {t.subject.value for t in declarations} >= {KGD + "DeepSeek", KGD + "EntityList"}
    assert len(triples - declarations) - len(scope_classes) <= kg.stats().triples - 3
    assert kg.export(format, tmp_path / f"out.{format}") is None
    assert (tmp_path / f"out.{format}").read_text(encoding="utf-8") == text


def test_rdfxml_export_opens_in_owlready2(tmp_path: Path) -> None:
    path = tmp_path / "kgtool.owl"
    KnowledgeGraph.load([FIXTURES / "graph"]).export("xml", path)
    # owlready2 keeps one world per process: a child process keeps this test independent
    script = (
        "import owlready2, sys\n"
        "onto = owlready2.get_ontology(sys.argv[1]).load()\n"
        "kg = onto.get_namespace('https://w3id.org/kgtool/def#')\n"
        "print(onto.base_iri, sorted(i.name for i in kg.Company.instances()))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, path.as_uri()], capture_output=True, text=True, check=True
    )
    assert (
        done.stdout.strip() == "https://w3id.org/kgtool/ontology# ['DeepSeek', 'Moonshot', 'Zhipu']"
    )


def test_stats_count_by_class(fixture_kg: KnowledgeGraph) -> None:
    stats = fixture_kg.stats()
    assert (stats.claims, stats.measures, stats.segments) == (1, 2, 1)
    assert stats.count(KG + "Agent") == 4
    assert stats.triples == sum(stats.files.values())
    assert set(stats.files) == {
        str(FIXTURES / "graph" / name) for name in ("data.ttl", "ontology.ttl", "vocab.ttl")
    }


def test_extra_files_in_every_format(tmp_path: Path) -> None:
    triple = [
        ox.Triple(
            ox.NamedNode(KGD + "Extra"),
            ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
            ox.Literal("Extra Co", language="en"),
        )
    ]
    paths = []
    for suffix, rdf_format in (
        (".nt", ox.RdfFormat.N_TRIPLES),
        (".rdf", ox.RdfFormat.RDF_XML),
        (".jsonld", ox.RdfFormat.JSON_LD),
    ):
        path = tmp_path / f"extra{suffix}"
        ox.serialize(triple, str(path), rdf_format)
        paths.append(path)
        kg = KnowledgeGraph.load([FIXTURES / "graph"], extra=[path])
        assert kg.resolve("extra co") == KGD + "Extra"
    with pytest.raises(DataError, match="cannot tell the RDF format"):
        (tmp_path / "extra.txt").write_text("x", encoding="utf-8")
        KnowledgeGraph.load([FIXTURES / "graph"], extra=[tmp_path / "extra.txt"])


# ---------------------------------------------------------------------------------------------
# Terminal tables


def test_display_width_counts_wide_characters() -> None:
    assert width("DeepSeek") == 8
    assert width("深度求索") == 8
    assert width("ＡＩ") == 4
    assert width("e\u0301") == 1


def test_table_aligns_chinese_and_fits_the_width() -> None:
    rows = [
        ["DeepSeek", "深度求索"],
        ["實體清單", "Entity List, the list of the Bureau of Industry and Security"],
    ]
    text = render(["name", "label"], rows, 40)
    lines = text.splitlines()
    assert all(width(line) <= 40 for line in lines)
    first, second = lines[2], next(line for line in lines[3:] if line.startswith("實體清單"))
    starts = {width(first[: first.index("深度求索")]), width(second[: second.index("Entity")])}
    assert len(starts) == 1  # the second column starts at the same display column on every row
    # the long cell wraps in its column, whole: nothing is cut
    at = lines.index(second)
    label = " ".join(line.strip() for line in [second[second.index("Entity") :], *lines[at + 1 :]])
    assert label == "Entity List, the list of the Bureau of Industry and Security"
    assert "…" not in text


def test_table_wraps_chinese_between_characters_and_keeps_words_whole() -> None:
    quote = "他這么說不奇怪,Scale AI一直努力融入美國“國防科技”的圈子"
    text = render(["who", "quote"], [["Wang", quote], ["Kratsios", "director"]], 30)
    lines = text.splitlines()
    assert all(width(line) <= 30 for line in lines)
    pieces = [line[10:] for line in lines[2:] if line[10:].strip()]
    assert "".join(pieces).replace(" ", "") == quote.replace(" ", "") + "director"
    assert any("Scale" in piece for piece in pieces)  # a Latin word is never broken
    assert "" in lines  # rows that wrap are set apart by a blank line


def test_table_too_narrow_becomes_records() -> None:
    headers = [f"column{i}" for i in range(8)]
    text = render(headers, [["值" * 12] * 8], 40)
    assert text.startswith("-- 1 ")
    assert all(width(line) <= 40 for line in text.splitlines())


# ---------------------------------------------------------------------------------------------
# Start-up cost and the shipped graph


def test_query_path_never_imports_rdflib_or_pyshacl() -> None:
    data = str(FIXTURES / "graph" / "data.ttl")
    heavy = ("rdflib", "pyshacl", "owlready2", "importlib.metadata")
    script = (
        "import sys\n"
        "from kgtool.cli import main\n"
        f"main(['query', '--data', {data!r}, '--sparql', 'ASK {{}}'])\n"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines() == ["true", "[]"]


def test_shipped_graph_loads(shipped_kg: KnowledgeGraph) -> None:
    from kgtool.resources import shipped_sources

    names = [source.name for source in shipped_sources()]
    assert "ontology/kgtool.ttl" in names and "ontology/shapes.ttl" not in names
    assert shipped_kg.sources == names
    assert shipped_kg.stats().measures > 0


def test_shipped_names_from_the_article(shipped_kg: KnowledgeGraph) -> None:
    # 深度求索 is DeepSeek's Chinese name; the article calls its founder 梁文鋒.
    assert shipped_kg.resolve("深度求索") == KGD + "DeepSeek"
    assert shipped_kg.entity("DeepSeek").label == "DeepSeek"


def test_shipped_measures_reaching_deepseek(shipped_kg: KnowledgeGraph) -> None:
    # The article: Trump's first term tried to force US app stores to drop Chinese apps under
    # IEEPA (《國際緊急經濟權力法》), and lost in court; DeepSeek, a Chinese app, is in that scope.
    reaches = shipped_kg.measures_reaching("深度求索")
    assert reaches, "no measure reaches DeepSeek"
    ieepa = [r for r in reaches if r.basis == KGD + "IEEPA"]
    assert ieepa and ieepa[0].status_label == "attempted and struck down"
    assert all(r.matches for r in reaches)
    assert len({r.measure for r in reaches}) == len(reaches)


def test_asking_for_inferences_materialises_them() -> None:
    kg = KnowledgeGraph.load([FIXTURES / "inference"])
    ask = NamedQuery.text(f"ASK {{ <{EX}DeepSeek> a <{EX}Agent> }}")
    assert kg.query(ask, inferred=True).boolean is True
    assert kg.query(ask).boolean is False  # the default stays asserted-only


def test_entity_facts_carry_their_support(shipped_kg: KnowledgeGraph) -> None:
    deepseek = shipped_kg.entity("深度求索")
    support = {(f.predicate_label, f.object_label): f.support for f in deepseek.outgoing}
    assert support[("headquartered in", "China")] == "implied"
    assert support[("founded by", "Liang Wenfeng")] == "stated"
    assert support[("publishes on", "GitHub")] == "background"
    assert all(
        f.support is None
        for f in deepseek.outgoing
        if f.predicate_label in ("evidence", "rdfs:comment")
    )
    incoming = {(f.subject_label, f.predicate_label): f.support for f in deepseek.incoming}
    assert incoming[("DeepSeek app", "operated by")] == "implied"
    claim = shipped_kg.entity("kgd:claim-wang-h100")
    graded = {f.predicate_label: f.support for f in claim.outgoing if f.support}
    assert graded == {"topic": "implied"}, "a claim's wording is not graded fact by fact"
