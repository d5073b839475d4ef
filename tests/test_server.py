"""The endpoint through real clients: a real `kgtool serve` process (the `server` fixture),
httpx, SPARQLWrapper, and raw sockets for requests no polite client would send.

The protocol checks are the W3C SPARQL 1.1 Protocol tests that apply to a read-only query
service, written out as concrete HTTP requests against this graph's own named graphs.
"""

from __future__ import annotations

import csv
import io
import os
import re
import signal
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pyoxigraph as ox
import pytest
from conftest import FIXTURES, Run, Server
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from SPARQLWrapper import JSON, POST, SPARQLWrapper

from kgtool import KnowledgeGraph
from kgtool.server import guard

pytestmark = pytest.mark.slow

KG = "https://w3id.org/kgtool/def#"
KGD = "https://w3id.org/kgtool/id/"
GRAPH = "https://w3id.org/kgtool/graph/"
ACTORS = GRAPH + "data/actors"
MEASURES = GRAPH + "data/measures"
SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
RESULTS_JSON = "application/sparql-results+json"
PREFIXES = f"PREFIX kg: <{KG}>\nPREFIX kgd: <{KGD}>\n"
DEEPSEEK_IS_A_COMPANY = PREFIXES + "ASK { kgd:DeepSeek a kg:Company }"
CHIP_CONTROLS = "Export controls on high-end chips to China"
TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
def http(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def guarded(server: Server) -> Iterator[Server]:
    """A second server with small limits, updates on (with a token), and one allowed SERVICE:
    the first server's endpoint."""
    running = Server(
        "--allow-update",
        "--update-token",
        TOKEN,
        "--allow-service",
        server.endpoint,
        "--timeout",
        "3",
        "--max-rows",
        "100",
        "--workers",
        "3",
    )
    yield running
    running.stop()


def _type(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


def _boolean(response: httpx.Response) -> bool:
    assert response.status_code == 200, response.text
    assert _type(response) == RESULTS_JSON
    value = response.json()["boolean"]
    assert isinstance(value, bool)
    return value


def _ask(client: httpx.Client, query: str, **params: Any) -> httpx.Response:
    return client.get("/sparql", params={"query": query, **params})


def _canonical(binding: dict[str, dict[str, str]]) -> tuple[tuple[str, str, str, str], ...]:
    """A row of SPARQL JSON results, comparable across clients (blank node labels dropped)."""
    return tuple(
        sorted(
            (
                name,
                term["type"].replace("typed-literal", "literal"),
                "" if term["type"] == "bnode" else term["value"],
                term.get("xml:lang", "").lower() + "|" + term.get("datatype", ""),
            )
            for name, term in binding.items()
        )
    )


def _library_rows(kg: KnowledgeGraph, name: str, **params: Any) -> Counter[Any]:
    return Counter(
        _canonical(row) for row in kg.query(name, params=params).to_json()["results"]["bindings"]
    )


# ----------------------------------------------------------------------------------------------
# W3C SPARQL 1.1 Protocol: queries


def test_query_via_get(http: httpx.Client) -> None:
    """query_get: ASK by GET, with a default-graph-uri."""
    assert _boolean(_ask(http, "ASK {}", **{"default-graph-uri": ACTORS})) is True


def test_the_endpoint_with_a_trailing_slash_answers_alike(http: httpx.Client) -> None:
    query = (
        "SELECT ?label WHERE { <https://w3id.org/kgtool/id/DeepSeek> "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?label"
    )
    accept = {"Accept": "text/csv"}
    plain = http.get("/sparql", params={"query": query}, headers=accept)
    slashed = http.get("/sparql/", params={"query": query}, headers=accept)
    assert slashed.status_code == plain.status_code == 200
    assert slashed.text == plain.text and "DeepSeek" in slashed.text


def test_query_via_url_encoded_post(http: httpx.Client) -> None:
    """query_post_form: the query in a form body, the dataset in the URL."""
    response = http.post(
        "/sparql",
        params={"default-graph-uri": ACTORS},
        content=b"query=ASK%20%7B%7D",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert _boolean(response) is True


def test_query_via_post_directly(http: httpx.Client) -> None:
    """query_post_direct: the query as an application/sparql-query body."""
    response = http.post(
        "/sparql",
        content=DEEPSEEK_IS_A_COMPANY,
        headers={"Content-Type": "application/sparql-query"},
    )
    assert _boolean(response) is True


def test_default_graph_uri_sets_the_default_graph(http: httpx.Client) -> None:
    """query_dataset_default_graphs_get/post: only the listed graphs make the default graph."""
    assert _boolean(_ask(http, DEEPSEEK_IS_A_COMPANY, **{"default-graph-uri": ACTORS})) is True
    assert _boolean(_ask(http, DEEPSEEK_IS_A_COMPANY, **{"default-graph-uri": MEASURES})) is False
    both = http.post(
        "/sparql",
        params=[("default-graph-uri", MEASURES), ("default-graph-uri", ACTORS)],
        content=DEEPSEEK_IS_A_COMPANY,
        headers={"Content-Type": "application/sparql-query"},
    )
    assert _boolean(both) is True


def test_named_graph_uri_sets_the_named_graphs(http: httpx.Client) -> None:
    """query_dataset_named_graphs_get/post: GRAPH ?g sees exactly the listed graphs, and the
    default graph is then empty."""
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    for response in (
        http.get(
            "/sparql",
            params=[("query", query), ("named-graph-uri", ACTORS), ("named-graph-uri", MEASURES)],
        ),
        http.post(
            "/sparql",
            params=[("named-graph-uri", ACTORS), ("named-graph-uri", MEASURES)],
            content=query,
            headers={"Content-Type": "application/sparql-query"},
        ),
    ):
        assert response.status_code == 200, response.text
        graphs = [row["g"]["value"] for row in response.json()["results"]["bindings"]]
        assert graphs == [ACTORS, MEASURES]
    assert _boolean(_ask(http, DEEPSEEK_IS_A_COMPANY, **{"named-graph-uri": ACTORS})) is False


def test_full_protocol_dataset(http: httpx.Client) -> None:
    """query_dataset_full: default and named graphs together."""
    query = PREFIXES + (
        "ASK { ?measure a kg:PolicyMeasure GRAPH ?g { kgd:DeepSeek a kg:Company } }"
    )
    response = http.post(
        "/sparql",
        params=[("default-graph-uri", MEASURES), ("named-graph-uri", ACTORS)],
        content=query,
        headers={"Content-Type": "application/sparql-query"},
    )
    assert _boolean(response) is True


def test_protocol_dataset_overrides_from(http: httpx.Client) -> None:
    """query_multiple_dataset: a dataset in the request wins over FROM in the query."""
    query = PREFIXES + f"ASK FROM <{MEASURES}> {{ kgd:DeepSeek a kg:Company }}"
    assert _boolean(_ask(http, query)) is False  # the query's own FROM holds no DeepSeek
    assert _boolean(_ask(http, query, **{"default-graph-uri": ACTORS})) is True


def test_without_a_dataset_the_default_graph_is_the_union(http: httpx.Client) -> None:
    query = PREFIXES + "ASK { kgd:DeepSeek a kg:Company . ?measure a kg:PolicyMeasure }"
    assert _boolean(_ask(http, query)) is True


@pytest.mark.parametrize(
    ("query", "allowed"),
    [
        (
            "SELECT (1 AS ?value) {}",
            {
                RESULTS_JSON,
                "application/sparql-results+xml",
                "text/csv",
                "text/tab-separated-values",
            },
        ),
        ("ASK {}", {RESULTS_JSON, "application/sparql-results+xml"}),
        (
            "DESCRIBE <http://example.org/>",
            {"text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json"},
        ),
        (
            "CONSTRUCT { <http://example.org/s> <http://example.org/p> 1 } WHERE {}",
            {"text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json"},
        ),
    ],
    ids=["select", "ask", "describe", "construct"],
)
def test_appropriate_content_type(http: httpx.Client, query: str, allowed: set[str]) -> None:
    """query_content_type_select/ask/describe/construct."""
    response = http.post(
        "/sparql", content=query, headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 200, response.text
    assert _type(response) in allowed


SELECT_TWO = PREFIXES + (
    "SELECT ?entity ?label WHERE { VALUES ?entity { kgd:DeepSeek kgd:Nvidia } "
    "?entity <http://www.w3.org/2000/01/rdf-schema#label> ?label "
    'FILTER(LANG(?label) = "zh-hant") } ORDER BY ?entity'
)


def test_select_in_every_results_format(http: httpx.Client) -> None:
    def get(accept: str) -> httpx.Response:
        response = http.get("/sparql", params={"query": SELECT_TWO}, headers={"Accept": accept})
        assert response.status_code == 200, response.text
        assert _type(response) == accept
        assert "charset=utf-8" in response.headers["content-type"]
        return response

    bindings = get(RESULTS_JSON).json()["results"]["bindings"]
    assert [b["label"] for b in bindings] == [
        {"type": "literal", "value": "DeepSeek", "xml:lang": "zh-hant"},
        {"type": "literal", "value": "英偉達", "xml:lang": "zh-hant"},
    ]
    xml = get("application/sparql-results+xml").text
    assert (
        '<variable name="entity"/>' in xml and '<literal xml:lang="zh-hant">英偉達</literal>' in xml
    )
    rows = list(csv.reader(io.StringIO(get("text/csv").text)))
    assert rows == [["entity", "label"], [KGD + "DeepSeek", "DeepSeek"], [KGD + "Nvidia", "英偉達"]]
    tsv = get("text/tab-separated-values").text.splitlines()
    assert tsv == [
        "?entity\t?label",
        f'<{KGD}DeepSeek>\t"DeepSeek"@zh-hant',
        f'<{KGD}Nvidia>\t"英偉達"@zh-hant',
    ]


@pytest.mark.parametrize(
    ("accept", "rdf_format"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
    ],
)
def test_construct_in_every_graph_format(
    http: httpx.Client, accept: str, rdf_format: ox.RdfFormat
) -> None:
    query = PREFIXES + "CONSTRUCT { kgd:DeepSeek ?p ?o } WHERE { kgd:DeepSeek ?p ?o }"
    response = http.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert _type(response) == accept
    triples = {quad.triple for quad in ox.parse(response.content, format=rdf_format)}
    label = ox.Triple(
        ox.NamedNode(KGD + "DeepSeek"),
        ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
        ox.Literal("DeepSeek", language="en"),
    )
    assert label in triples


def test_format_hints_as_sparqlwrapper_sends_them(http: httpx.Client) -> None:
    response = http.get("/sparql", params={"query": SELECT_TWO, "format": "csv"})
    assert _type(response) == "text/csv"
    response = http.get(
        "/sparql",
        params=[("query", SELECT_TWO), ("format", "tsv"), ("format", "text/tab-separated-values")],
    )
    assert _type(response) == "text/tab-separated-values"


def test_not_acceptable_is_406(http: httpx.Client) -> None:
    response = http.get("/sparql", params={"query": SELECT_TWO}, headers={"Accept": "text/turtle"})
    assert response.status_code == 406
    assert "text/csv" in response.text  # the message lists what is offered
    response = http.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "text/csv"})
    assert response.status_code == 406
    response = http.get("/sparql", params={"query": "ASK {}", "format": "turtle"})
    assert response.status_code == 406


def test_accept_quality_values(http: httpx.Client) -> None:
    accept = "text/csv;q=0.5, application/sparql-results+xml;q=0.9, */*;q=0.1"
    response = http.get("/sparql", params={"query": SELECT_TWO}, headers={"Accept": accept})
    assert _type(response) == "application/sparql-results+xml"
    response = http.get("/sparql", params={"query": SELECT_TWO}, headers={"Accept": "text/*"})
    assert _type(response) == "text/csv"


# ----------------------------------------------------------------------------------------------
# W3C SPARQL 1.1 Protocol: requests that must fail with a 4xx


def test_bad_query_method(http: httpx.Client) -> None:
    """bad_query_method: PUT is no protocol method."""
    response = http.put(
        "/sparql",
        params={"query": "ASK {}"},
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 405
    assert "GET" in response.headers["allow"] and "POST" in response.headers["allow"]


def test_bad_multiple_queries(http: httpx.Client) -> None:
    """bad_multiple_queries: two query parameters."""
    response = http.get("/sparql", params=[("query", "ASK {}"), ("query", "SELECT * {}")])
    assert response.status_code == 400
    assert "more than one" in response.text


def test_bad_query_wrong_media_type(http: httpx.Client) -> None:
    """bad_query_wrong_media_type: a text/plain POST."""
    response = http.post("/sparql", content="ASK {}", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert "application/sparql-query" in response.text


@pytest.mark.parametrize("body", [b"query=ASK%20%7B%7D", b"ASK {}"], ids=["form", "direct"])
def test_bad_query_missing_media_type(server: Server, body: bytes) -> None:
    """bad_query_missing_form_type, bad_query_missing_direct_type: a POST with no Content-Type."""
    request = (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s"
        % (len(body), body)
    )
    status, text = _raw(server, request)
    assert status == 415, text
    assert "Content-Type" in text


def test_bad_query_non_utf8(http: httpx.Client) -> None:
    """bad_query_non_utf8: a direct POST in UTF-16."""
    response = http.post(
        "/sparql",
        content="ASK {}".encode("utf-16"),
        headers={"Content-Type": "application/sparql-query; charset=UTF-16"},
    )
    assert response.status_code == 415
    assert "UTF-8" in response.text


def test_bad_query_syntax_gives_the_parsers_message(http: httpx.Client) -> None:
    """bad_query_syntax: 400, with pyoxigraph's message and position."""
    response = http.get("/sparql", params={"query": "ASK {"})
    assert response.status_code == 400
    assert response.text.startswith("malformed query: error at 1:6")


def test_bad_update_via_get(http: httpx.Client) -> None:
    """bad_update_get: updates only by POST."""
    response = http.get("/sparql", params={"update": "CLEAR ALL"})
    assert response.status_code == 400
    assert "POST" in response.text


def test_bad_multiple_updates(http: httpx.Client) -> None:
    """bad_multiple_updates."""
    response = http.post(
        "/sparql",
        content=b"update=CLEAR%20NAMED&update=CLEAR%20DEFAULT",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400


def test_bad_update_media_type_and_charset(http: httpx.Client) -> None:
    """bad_update_wrong_media_type, bad_update_non_utf8."""
    assert (
        http.post(
            "/sparql", content="CLEAR NAMED", headers={"Content-Type": "text/plain"}
        ).status_code
        == 415
    )
    response = http.post(
        "/sparql",
        content="CLEAR NAMED".encode("utf-16"),
        headers={"Content-Type": "application/sparql-update; charset=UTF-16"},
    )
    assert response.status_code == 415


def test_both_query_and_update_is_400(http: httpx.Client) -> None:
    response = http.post("/sparql", data={"query": "ASK {}", "update": "CLEAR ALL"})
    assert response.status_code == 400


# ----------------------------------------------------------------------------------------------
# Service description and VoID


def _graph(
    response: httpx.Response, rdf_format: ox.RdfFormat = ox.RdfFormat.TURTLE
) -> set[ox.Triple]:
    assert response.status_code == 200, response.text
    return {quad.triple for quad in ox.parse(response.content, format=rdf_format)}


def test_get_without_query_is_the_service_description(server: Server, http: httpx.Client) -> None:
    response = http.get("/sparql")
    assert _type(response) == "text/turtle"
    triples = _graph(response)
    endpoint = ox.NamedNode(server.endpoint)
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    assert ox.Triple(endpoint, rdf_type, ox.NamedNode(SD + "Service")) in triples
    assert ox.Triple(endpoint, ox.NamedNode(SD + "endpoint"), endpoint) in triples
    languages = {
        t.object
        for t in triples
        if t.subject == endpoint and t.predicate == ox.NamedNode(SD + "supportedLanguage")
    }
    assert languages == {ox.NamedNode(SD + "SPARQL11Query")}  # read-only: no SPARQL11Update
    as_json_ld = _graph(
        http.get("/sparql", headers={"Accept": "application/ld+json"}), ox.RdfFormat.JSON_LD
    )
    assert ox.Triple(endpoint, rdf_type, ox.NamedNode(SD + "Service")) in as_json_ld


def test_void_description(server: Server, http: httpx.Client, shipped_kg: KnowledgeGraph) -> None:
    triples = _graph(http.get("/.well-known/void"))
    dataset = ox.NamedNode(server.url + "/.well-known/void#dataset")
    counts = [
        t.object
        for t in triples
        if t.subject == dataset and t.predicate == ox.NamedNode(VOID + "triples")
    ]
    assert len(counts) == 1
    assert int(counts[0].value) >= shipped_kg.stats().triples // 2  # union of the files' graphs
    endpoints = {t.object for t in triples if t.predicate == ox.NamedNode(VOID + "sparqlEndpoint")}
    assert endpoints == {ox.NamedNode(server.endpoint)}
    graphs = {t.object for t in triples if t.predicate == ox.NamedNode(SD + "name")}
    assert ox.NamedNode(ACTORS) in graphs


# ----------------------------------------------------------------------------------------------
# Named queries, through SPARQLWrapper and through /queries


def test_catalog_lists_the_library_queries(http: httpx.Client, shipped_kg: KnowledgeGraph) -> None:
    catalog = http.get("/queries").json()
    assert [entry["name"] for entry in catalog] == [query.name for query in shipped_kg.queries()]
    reach = next(entry for entry in catalog if entry["name"] == "measures-reaching")
    assert reach["params"][0]["name"] == "target"
    assert reach["url"] == "/queries/measures-reaching"
    assert reach["questions"]["zh-hant"].startswith("哪些措施")


def _names(kg: KnowledgeGraph) -> list[str]:
    names = [query.name for query in kg.queries()]
    assert names, "no named queries found"
    return names


@pytest.mark.parametrize("method", ["GET", POST])
def test_sparqlwrapper_gets_the_library_answers(
    server: Server, shipped_kg: KnowledgeGraph, method: str
) -> None:
    for name in _names(shipped_kg):
        client = SPARQLWrapper(server.endpoint)
        client.setQuery(shipped_kg.named_query(name).sparql)
        client.setReturnFormat(JSON)
        client.setMethod(method)
        answer = client.queryAndConvert()
        assert isinstance(answer, dict)
        served = Counter(_canonical(binding) for binding in answer["results"]["bindings"])
        assert served == _library_rows(shipped_kg, name), name


def test_named_queries_over_http_match_the_library(
    http: httpx.Client, shipped_kg: KnowledgeGraph
) -> None:
    for name in _names(shipped_kg):
        response = http.get(f"/queries/{name}")
        assert response.status_code == 200, (name, response.text)
        served = Counter(_canonical(b) for b in response.json()["results"]["bindings"])
        assert served == _library_rows(shipped_kg, name), name


def test_measures_reaching_deepseek(http: httpx.Client, shipped_kg: KnowledgeGraph) -> None:
    response = http.get("/queries/measures-reaching", params={"target": "DeepSeek"})
    labels = {row["measureLabel"]["value"] for row in response.json()["results"]["bindings"]}
    assert CHIP_CONTROLS in labels
    assert Counter(_canonical(b) for b in response.json()["results"]["bindings"]) == _library_rows(
        shipped_kg, "measures-reaching", target="DeepSeek"
    )
    # the Chinese name finds the same company; CSV on request
    chinese = http.get("/queries/measures-reaching", params={"target": "深度求索", "format": "csv"})
    assert _type(chinese) == "text/csv"
    assert CHIP_CONTROLS in chinese.text


def test_named_query_errors(http: httpx.Client) -> None:
    unknown = http.get("/queries/measures-reach")
    assert unknown.status_code == 404
    assert "did you mean measures-reaching" in unknown.text
    entity = http.get("/queries/measures-reaching", params={"target": "DeepSeak"})
    assert entity.status_code == 400
    assert "no entity is called 'DeepSeak'" in entity.text and "'DeepSeek'" in entity.text
    parameter = http.get("/queries/measures-reaching", params={"targte": "DeepSeek"})
    assert parameter.status_code == 400
    assert "unknown parameter 'targte'" in parameter.text
    twice = http.get(
        "/queries/measures-reaching", params=[("target", "DeepSeek"), ("target", "Nvidia")]
    )
    assert twice.status_code == 400
    reserved = http.get("/queries/measures-reaching", params={"inferred": "true"})
    assert reserved.status_code == 400


# ----------------------------------------------------------------------------------------------
# Dereferenceable IRIs


def test_entity_page_for_browsers(http: httpx.Client) -> None:
    response = http.get(
        "/id/DeepSeek", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    )
    assert response.status_code == 200
    assert _type(response) == "text/html"
    page = response.text
    assert '<meta charset="utf-8">' in page
    for expected in (
        "<h1>DeepSeek</h1>",
        "深度求索",
        "company",
        "Liang Wenfeng",
        CHIP_CONTROLS,
        "based in China",
        "DeepSeek headquartered in China",
        "Wang: DeepSeek has 50,000 smuggled H100s",
        "這家專注于模型研發、對外低調的公司",  # a sentence that implies its headquarters
        "DeepSeek headquartered in China (implied)",
        '<span class="tag support-background">background</span>',  # publishes on GitHub
        "What the sources say",
    ):
        assert expected in page, expected
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing loaded from elsewhere


def test_entity_data_by_content_negotiation(http: httpx.Client) -> None:
    deepseek = ox.NamedNode(KGD + "DeepSeek")
    turtle = _graph(http.get("/id/DeepSeek", headers={"Accept": "text/turtle"}))
    assert (
        ox.Triple(deepseek, ox.NamedNode(KG + "headquarteredIn"), ox.NamedNode(KGD + "China"))
        in turtle
    )
    as_json = _graph(
        http.get("/id/DeepSeek", headers={"Accept": "application/ld+json"}), ox.RdfFormat.JSON_LD
    )
    assert as_json == turtle
    assert (
        _graph(http.get("/id/DeepSeek", params={"format": "nt"}), ox.RdfFormat.N_TRIPLES) == turtle
    )
    assert _type(http.get("/id/DeepSeek")) == "text/turtle"  # no preference: data


def test_unknown_entity_is_404(http: httpx.Client) -> None:
    page = http.get("/id/NoSuchThing", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert _type(page) == "text/html" and "Not in the graph" in page.text
    data = http.get("/id/NoSuchThing", headers={"Accept": "text/turtle"})
    assert data.status_code == 404
    assert http.get("/id/%3Cbad%3E").status_code == 404


# ----------------------------------------------------------------------------------------------
# Safe by default


@pytest.mark.parametrize(
    "request_",
    [
        {"data": {"update": "CLEAR ALL"}},
        {"content": "CLEAR ALL", "headers": {"Content-Type": "application/sparql-update"}},
        {"data": {"query": "INSERT DATA { <http://example.org/s> <http://example.org/p> 1 }"}},
    ],
    ids=["form", "direct", "as-query"],
)
def test_updates_are_refused_on_a_read_only_server(
    http: httpx.Client, request_: dict[str, Any]
) -> None:
    request_ = dict(request_)
    headers = {**request_.pop("headers", {}), "Authorization": f"Bearer {TOKEN}"}
    response = http.post("/sparql", **request_, headers=headers)
    assert response.status_code == 403
    assert "read-only" in response.text
    assert _boolean(_ask(http, DEEPSEEK_IS_A_COMPANY)) is True


SERVICE_EVASIONS = [
    "SELECT * WHERE { SERVICE <http://evil.example/sparql> { ?s ?p ?o } }",
    "select * where { service <http://evil.example/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SeRvIcE SILENT <http://evil.example/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { # a comment\nSERVICE\n\t<http://evil.example/sparql>\n{ ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE#comment\n<http://evil.example/sparql>{?s ?p ?o} }",
    'SELECT * WHERE { ?x ?y "service" . SERVICE <http://evil.example/sparql> { ?s ?p ?o } }',
    "PREFIX e: <http://evil.example/> SELECT * WHERE { SERVICE e:sparql { ?s ?p ?o } }",
    "SELECT * WHERE { VALUES ?e { <http://evil.example/sparql> } SERVICE ?e { ?s ?p ?o } }",
    "BASE <http://evil.example/> SELECT * WHERE { SERVICE <sparql> { ?s ?p ?o } }",
    "PREFIX e: <http://e/> SELECT * WHERE { ?s e:a\\'b ?o . SERVICE <http://evil.example/> {} }",
    "SELECT * WHERE { { SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } } } }",
]


@pytest.mark.parametrize("query", SERVICE_EVASIONS)
def test_service_is_refused(http: httpx.Client, query: str) -> None:
    response = http.post("/sparql", data={"query": query})
    assert response.status_code == 400, response.text
    assert "SERVICE" in response.text and "refused" in response.text


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ?service WHERE { BIND("SERVICE <http://evil.example/>" AS ?service) }',
        "SELECT * WHERE { ?s ?p <http://example.org/service> } # SERVICE <http://evil.example/>",
        "PREFIX service: <http://example.org/> SELECT * WHERE { ?s service:x ?o }",
    ],
)
def test_the_word_service_elsewhere_is_fine(http: httpx.Client, query: str) -> None:
    assert http.post("/sparql", data={"query": query}).status_code == 200


def test_an_allow_listed_service_is_called(guarded: Server) -> None:
    query = f"""PREFIX kgd: <{KGD}>
    SELECT ?label WHERE {{
      SERVICE <{_first_endpoint(guarded)}> {{
        kgd:DeepSeek <http://www.w3.org/2000/01/rdf-schema#label> ?label FILTER(LANG(?label) = "en")
      }}
    }}"""
    response = httpx.post(guarded.endpoint, data={"query": query}, timeout=30)
    assert response.status_code == 200, response.text
    assert [row["label"]["value"] for row in response.json()["results"]["bindings"]] == ["DeepSeek"]
    other = httpx.post(
        guarded.endpoint, data={"query": query.replace("/sparql>", "/other>")}, timeout=30
    )
    assert other.status_code == 400


def _first_endpoint(guarded: Server) -> str:
    """The endpoint `guarded` was allowed to call (the session server's)."""
    arguments = guarded.process.args
    assert isinstance(arguments, list)
    return str(arguments[arguments.index("--allow-service") + 1])


def test_updates_need_the_token_and_reach_every_process(guarded: Server) -> None:
    insert = f"INSERT DATA {{ <{KGD}TestThing> a <{KG}Company> }}"
    client = httpx.Client(base_url=guarded.url, timeout=30)
    missing = client.post("/sparql", data={"update": insert})
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    wrong = client.post(
        "/sparql", data={"update": insert}, headers={"Authorization": "Bearer nope"}
    )
    assert wrong.status_code == 403
    ask = f"ASK {{ <{KGD}TestThing> a <{KG}Company> }}"
    assert _boolean(client.get("/sparql", params={"query": ask})) is False  # (cached now)
    done = client.post(
        "/sparql",
        content=insert,
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )
    assert done.status_code == 204, done.text
    # the cache was emptied, and each query process sees the update (distinct texts: no cache)
    assert _boolean(client.get("/sparql", params={"query": ask})) is True
    for n in range(6):
        assert _boolean(client.get("/sparql", params={"query": f"{ask} # {n}"})) is True
    description = _graph(client.get("/sparql"))
    assert ox.NamedNode(SD + "SPARQL11Update") in {t.object for t in description}
    client.close()


PATHOLOGICAL = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def _from(address: str, **options: Any) -> httpx.Client:
    """A client that connects from another loopback address: another client to the server."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), **options)


def test_timeout_stops_a_pathological_query_and_others_keep_going(guarded: Server) -> None:
    """One client's query runs into the timeout and is stopped (422); meanwhile another
    client's queries are answered, before it ends."""
    finished: list[str] = []
    outcome: list[httpx.Response] = []

    def pathological() -> None:
        outcome.append(httpx.post(guarded.endpoint, data={"query": PATHOLOGICAL}, timeout=60))
        finished.append("pathological")

    thread = threading.Thread(target=pathological)
    thread.start()
    time.sleep(0.3)
    with _from("127.0.0.2", timeout=30) as other:
        for n in range(5):
            response = other.get(
                guarded.endpoint, params={"query": f"{DEEPSEEK_IS_A_COMPANY} # {n}"}
            )
            assert _boolean(response) is True
            finished.append("other")
    thread.join(30)
    assert finished == ["other"] * 5 + ["pathological"]
    assert outcome and outcome[0].status_code == 422, outcome and outcome[0].text
    assert "stopped after 3 s" in outcome[0].text
    # the killed process was replaced: the server still answers on every process
    for n in range(4):
        assert (
            _boolean(httpx.get(guarded.endpoint, params={"query": f"ASK {{}} # after {n}"})) is True
        )
    assert any("stopped (its query ran past 3 s)" in line for line in guarded.log)


def test_result_size_limit(guarded: Server) -> None:
    response = httpx.post(
        guarded.endpoint,
        data={"query": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"},
        timeout=30,
    )
    assert response.status_code == 422
    assert "more than 100 rows" in response.text
    limited = httpx.post(
        guarded.endpoint, data={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 100"}, timeout=30
    )
    assert limited.status_code == 200


def test_request_size_limit(http: httpx.Client) -> None:
    big = "ASK {} #" + "x" * (1 << 20)
    response = http.post(
        "/sparql", content=big, headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 413


def _raw(server: Server, request: bytes) -> tuple[int, str]:
    """Send bytes as they are; the status code and body of the answer (0 if none)."""
    address = urlsplit(server.url)
    with socket.create_connection((address.hostname, address.port), timeout=30) as connection:
        connection.sendall(request)
        received = b""
        while True:
            chunk = connection.recv(65536)
            if not chunk:
                break
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    parts = head.split(b" ", 2)
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    return status, body.decode("utf-8", "replace")


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("/sparql?query=%ZZ", "malformed percent-escape"),
        ("/sparql?query=ASK%20%7B%7D%", "malformed percent-escape"),
        ("/sparql?query=%FF%FE", "not UTF-8"),
        ("/queries/measures-reaching?target=%E4%B8", "not UTF-8"),
    ],
)
def test_malformed_requests_get_a_4xx_with_a_message(
    server: Server, target: str, message: str
) -> None:
    status, text = _raw(
        server, f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    )
    assert status == 400, text
    assert message in text


@pytest.mark.parametrize(
    "target",
    [
        "/sparql?query=ASK%20%7B%7D&_=1712345678",
        "/sparql?query=ASK%20%7B%7D&timeout=5&limit=5",
        "/id/DeepSeek?x=1",
        "/.well-known/void?_=1",
        "/queries/chips?_=1712345678",
    ],
)
def test_parameters_the_protocol_does_not_define_are_ignored(server: Server, target: str) -> None:
    """Cache-busters (`_=…`) and other servers' options (`timeout=`) change nothing, as in
    Oxigraph and Fuseki; a named query still refuses a parameter it does not declare."""
    status, text = _raw(
        server, f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    )
    assert status == 200, text


def test_relative_iris_resolve_against_the_service_iri(server: Server, http: httpx.Client) -> None:
    """The protocol's base IRI is the service IRI (the one failing W3C protocol test before)."""
    response = http.post(
        "/sparql",
        content="CONSTRUCT { <s> <p> 1 } WHERE {}",
        headers={"Content-Type": "application/sparql-query", "Accept": "application/n-triples"},
    )
    triples = _graph(response, ox.RdfFormat.N_TRIPLES)
    assert {t.subject for t in triples} == {ox.NamedNode(server.url + "/s")}
    answer = http.get("/sparql", params={"query": "SELECT (STR(<x>) AS ?x) {}", "format": "csv"})
    assert answer.text.splitlines()[1] == server.url + "/x"
    # also where the word "service" makes the guard dry-run the query first
    checked = 'SELECT (STR(<x>) AS ?x) { FILTER("a service" != "") }'
    answer = http.get("/sparql", params={"query": checked, "format": "csv"})
    assert answer.text.splitlines()[1] == server.url + "/x"


def test_the_description_never_echoes_the_host_header(server: Server) -> None:
    """The service description's IRIs come from the server's own address, whatever Host a
    client sends."""
    response = httpx.get(server.endpoint, headers={"Host": "evil.example:666"})
    assert response.status_code == 200
    assert b"evil.example" not in response.content
    endpoint = ox.NamedNode(server.endpoint)
    assert ox.Triple(endpoint, ox.NamedNode(SD + "endpoint"), endpoint) in _graph(response)


METHODS = ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "TRACE", "BREW"]
PATHS = [
    "/sparql",
    "/queries",
    "/queries/measures-reaching",
    "/queries/no-such",
    "/id/DeepSeek",
    "/id/%ZZ",
    "/",
    "/.well-known/void",
    "/static/app.js",
    "/static/../../etc/passwd",
    "/nothing",
]
FRAGMENTS = [
    "query=",
    "update=",
    "default-graph-uri=",
    "named-graph-uri=",
    "format=",
    "target=",
    "&",
    "=",
    "+",
    "%",
    "%2",
    "%ZZ",
    "%FF",
    "%C3%A9",
    "%E4%B8",
    "%7B",
    "%7D",
    "%20",
    "%00",
    "ASK",
    "SELECT",
    "*",
    "SERVICE",
    "%3Chttp%3A%2F%2Fx%3E",
    "?x",
    "json",
    "csv",
    "DeepSeek",
    "%23",
    "\\u0053",
]
CONTENT_TYPES = [
    None,
    "application/sparql-query",
    "application/x-www-form-urlencoded",
    "application/sparql-update",
    "text/plain",
    "application/sparql-query; charset=UTF-16",
    "application/sparql-query; charset",
    "multipart/form-data; boundary=x",
    ";;",
    "application/x-www-form-urlencoded; charset=latin1",
]
ACCEPTS = [
    None,
    "*/*",
    "text/csv",
    RESULTS_JSON,
    "text/turtle",
    "text/html",
    "garbage",
    "a/b;q=x, */*;q=-1",
    "text/*;q=0",
    ",,,",
    "application/sparql-results+xml;q=0.5, text/csv;q=0.5",
]
BODIES = st.one_of(
    st.binary(max_size=200),
    st.lists(
        st.sampled_from([*FRAGMENTS, "{", "}", "<", ">", " ", "\n", '"', "#", "é", "中"]),
        max_size=20,
    ).map(lambda parts: "".join(parts).encode()),
)


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(
    method=st.sampled_from(["GET", "POST"] * 4 + METHODS),  # mostly the protocol's methods
    path=st.sampled_from(["/sparql"] * 8 + PATHS),
    query=st.lists(st.sampled_from(FRAGMENTS), max_size=12).map("".join),
    content_type=st.sampled_from(CONTENT_TYPES),
    accept=st.sampled_from(ACCEPTS),
    body=BODIES,
    authorization=st.sampled_from([None, "Bearer x", "Basic Zm9v", "Bearer"]),
)
def test_fuzzed_requests_never_get_a_5xx(
    server: Server,
    method: str,
    path: str,
    query: str,
    content_type: str | None,
    accept: str | None,
    body: bytes,
    authorization: str | None,
) -> None:
    target = path + ("?" + query if query else "")
    headers = ["Host: 127.0.0.1", "Connection: close", f"Content-Length: {len(body)}"]
    headers += [f"Content-Type: {content_type}"] if content_type else []
    headers += [f"Accept: {accept}"] if accept else []
    headers += [f"Authorization: {authorization}"] if authorization else []
    request = (
        f"{method} {target} HTTP/1.1\r\n".encode()
        + "\r\n".join(headers).encode()
        + b"\r\n\r\n"
        + body
    )
    status, text = _raw(server, request)
    event(f"status {status}")  # --hypothesis-show-statistics shows what the fuzzing reached
    assert 200 <= status < 500, (status, text, request[:300])


def test_the_server_survived_the_fuzzing(server: Server, http: httpx.Client) -> None:
    assert server.process.poll() is None
    assert _boolean(_ask(http, DEEPSEEK_IS_A_COMPANY + " # still alive")) is True
    assert not [line for line in server.log if "Traceback" in line or "Exception" in line], "".join(
        server.log
    )


# ----------------------------------------------------------------------------------------------
# Starting and stopping


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_a_signal_stops_the_server_cleanly(stop: signal.Signals) -> None:
    running = Server("--workers", "2")
    children = _children(running.process.pid)
    assert len(children) >= 2
    assert _boolean(httpx.get(running.endpoint, params={"query": "ASK {}"})) is True
    running.process.send_signal(stop)
    # wait()'s timeout only guards against a hang; how fast it stops is the benchmark's business
    assert running.process.wait(15) == 0, "".join(running.log)
    time.sleep(0.5)
    assert not [pid for pid in children if _alive(pid)]
    assert not [line for line in running.log if "Traceback" in line], "".join(running.log)


def test_port_in_use_is_a_clear_error(server: Server, kgtool: Run) -> None:
    port = str(urlsplit(server.url).port)
    done = kgtool("serve", "--port", port, check=4)
    assert f"port {port} on 127.0.0.1 is already in use" in done.stderr


def test_a_malformed_data_file_stops_the_start(kgtool: Run) -> None:
    done = kgtool(
        "serve", "--port", "0", "--data", str(FIXTURES / "bad" / "missing-dot.ttl"), check=3
    )
    assert "missing-dot.ttl:" in done.stderr


def test_update_flag_needs_a_token(kgtool: Run) -> None:
    env_token = os.environ.pop("KGTOOL_UPDATE_TOKEN", None)
    try:
        done = kgtool("serve", "--allow-update", check=2)
    finally:
        if env_token is not None:
            os.environ["KGTOOL_UPDATE_TOKEN"] = env_token
    assert "--update-token" in done.stderr


def test_page_and_assets_are_served(http: httpx.Client) -> None:
    page = http.get("/")
    assert page.status_code == 200 and '<meta charset="utf-8">' in page.text
    assert "PREFIX kgd: &lt;https://w3id.org/kgtool/id/&gt;" in page.text
    assert "Noto Sans CJK TC" in http.get("/static/style.css").text
    assert http.get("/static/app.js").status_code == 200
    assert not re.search(r'(src|href)="(https?:)?//', page.text)  # no CDN: the page works offline


def test_large_answers_in_parallel(server: Server) -> None:
    """Regression: under uvloop the pipes to the query processes turned non-blocking, and an
    answer larger than a pipe's buffer (measures-reaching's is 65 kB) failed half-read."""
    names = [
        "DeepSeek",
        "深度求索",
        "kgd:DeepSeek",
        "DeepSeek AI",
        "deepseek",
        "<" + KGD + "DeepSeek>",
    ]
    answers: list[httpx.Response] = []

    def fetch(name: str) -> None:
        url = server.url + "/queries/measures-reaching"
        answers.append(httpx.get(url, params={"target": name}, timeout=60))

    threads = [threading.Thread(target=fetch, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [answer.status_code for answer in answers] == [200] * len(names)
    assert len({answer.content for answer in answers}) == 1
    assert len(answers[0].content) > 65536


def test_repeated_requests_come_back_identical(http: httpx.Client) -> None:
    """The cache answers a byte-identical request; a different Accept is another request."""
    first = http.post(
        "/sparql", content=SELECT_TWO, headers={"Content-Type": "application/sparql-query"}
    )
    again = http.post(
        "/sparql", content=SELECT_TWO, headers={"Content-Type": "application/sparql-query"}
    )
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.headers["content-length"] == str(len(first.content))
    as_csv = http.post(
        "/sparql",
        content=SELECT_TWO,
        headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
    )
    assert _type(as_csv) == "text/csv"
    volatile = [
        http.get("/sparql", params={"query": "SELECT (STRUUID() AS ?id) {}"}) for _ in range(2)
    ]
    assert volatile[0].json() != volatile[1].json()  # never cached


LOOKUP = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    f"SELECT ?label WHERE {{ <{KGD}DeepSeek> rdfs:label ?label }}"
)


@pytest.mark.parametrize(
    ("query", "lookup"),
    [
        (LOOKUP, True),
        ("SELECT * { <http://x/a> ?p ?o } LIMIT 10", True),
        ('SELECT DISTINCT ?p WHERE { <http://x/a> ?p "x"@en . } # note', True),
        ("SELECT ?s WHERE { ?s a <http://x/C> }", False),  # no fixed subject
        ("SELECT ?o WHERE { <http://x/a> <http://x/p>* ?o }", False),  # a path
        ("SELECT ?o WHERE { <http://x/a> ?p ?o . ?o ?q ?r }", False),  # a join
        ("SELECT ?o WHERE { <http://x/a> ?p ?o FILTER(?o) }", False),
        ("BASE <http://x/> SELECT ?o WHERE { <a> ?p ?o }", False),
        ("SELECT (COUNT(*) AS ?n) WHERE { <http://x/a> ?p ?o }", False),
        ("SELECT ?o WHERE { <http://x/a> ?p ?o } ORDER BY ?o", False),
        ("SELECT ?o WHERE { SERVICE <http://x/> { <http://x/a> ?p ?o } }", False),
        ("ASK { <http://x/a> ?p ?o }", False),
    ],
)
def test_which_queries_are_lookups(query: str, lookup: bool) -> None:
    assert guard.scan(query).lookup is lookup


def test_a_lookup_answers_while_every_query_process_is_busy() -> None:
    """Lookups are answered in the server process itself (no worker round trip): a lookup
    is answered while the only query process runs a pathological query, before it ends."""
    running = Server("--workers", "1", "--timeout", "3", "--cache", "0")
    finished: list[str] = []

    def busy() -> None:
        httpx.post(running.endpoint, data={"query": PATHOLOGICAL}, timeout=60)
        finished.append("busy")

    try:
        thread = threading.Thread(target=busy)
        thread.start()
        time.sleep(0.3)
        response = httpx.get(running.endpoint, params={"query": LOOKUP}, timeout=30)
        finished.append("lookup")
        labels = {b["label"]["value"] for b in response.json()["results"]["bindings"]}
        assert response.status_code == 200 and labels == {"DeepSeek"}
        # any other query waits for the query process: it is answered when the process is
        # free, or told the server is busy if the wait reaches the timeout first (a race)
        other = httpx.get(running.endpoint, params={"query": DEEPSEEK_IS_A_COMPANY}, timeout=30)
        finished.append("other")
        assert other.status_code in (200, 503), other.text
        thread.join(30)
        assert finished[0] == "lookup" and finished.index("busy") < finished.index("other")
    finally:
        running.stop()
