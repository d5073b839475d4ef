"""`kgtool release`: the versioned files load in rdflib, pyoxigraph and owlready2, and the
checksums, sizes and triple counts its VoID/DCAT description gives are the files' own. Also
the one licence story told by the package, the ontology, the VoID description and CITATION.cff.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tomllib
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml
from conftest import REPO, Run

import kgtool
from kgtool.catalog import NamedQuery

VERSION = kgtool.__version__
DCAT = "http://www.w3.org/ns/dcat#"
SPDX = "http://spdx.org/rdf/terms#"
VOID = "http://rdfs.org/ns/void#"
DCTERMS = "http://purl.org/dc/terms/"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".owl": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
}


@pytest.fixture(scope="module")
def released(kgtool: Run, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("release") / "kgtool-release"
    kgtool("release", "--out", str(out))
    return out


@pytest.fixture(scope="module")
def description(released: Path) -> ox.Store:
    store = ox.Store()
    path = released / f"kgtool-{VERSION}.void.ttl"
    store.load(path=path, format=ox.RdfFormat.TURTLE, base_iri=path.as_uri())
    return store


def _value(store: ox.Store, subject: ox.NamedNode | ox.BlankNode, predicate: str) -> str:
    found = list(store.quads_for_pattern(subject, ox.NamedNode(predicate), None))
    assert len(found) == 1, (subject, predicate, found)
    return str(found[0].object.value)


def _distributions(released: Path, description: ox.Store) -> dict[str, ox.NamedNode]:
    dataset = ox.NamedNode(f"https://w3id.org/kgtool/release/{VERSION}")
    found = {
        Path(quad.object.value).name: quad.object
        for quad in description.quads_for_pattern(
            dataset, ox.NamedNode(DCAT + "distribution"), None
        )
        if isinstance(quad.object, ox.NamedNode)
    }
    return found


def test_release_writes_the_versioned_set(released: Path, description: ox.Store) -> None:
    expected = {
        f"kgtool-ontology-{VERSION}.ttl",
        f"kgtool-ontology-{VERSION}.owl",
        f"kgtool-ontology-{VERSION}.jsonld",
        f"kgtool-data-{VERSION}.ttl",
        f"kgtool-data-{VERSION}.nt",
        f"kgtool-shapes-{VERSION}.ttl",
        f"kgtool-context-{VERSION}.jsonld",
    }
    assert set(_distributions(released, description)) == expected
    assert {p.name for p in released.iterdir()} == expected | {
        f"kgtool-{VERSION}.void.ttl",
        "SHA256SUMS",
    }


def test_checksums_and_sizes_match_the_files(released: Path, description: ox.Store) -> None:
    distributions = _distributions(released, description)
    assert len(distributions) == 7
    for name, node in distributions.items():
        body = (released / name).read_bytes()
        assert _value(description, node, DCAT + "byteSize") == str(len(body)), name
        assert Path(_value(description, node, DCAT + "downloadURL")).name == name
        checksum = next(
            description.quads_for_pattern(node, ox.NamedNode(SPDX + "checksum"), None)
        ).object
        assert isinstance(checksum, ox.BlankNode)
        assert _value(description, checksum, SPDX + "algorithm") == (
            SPDX + "checksumAlgorithm_sha256"
        )
        assert _value(description, checksum, SPDX + "checksumValue") == (
            hashlib.sha256(body).hexdigest()
        )
        assert _value(description, node, DCTERMS + "license") == CC_BY
    done = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=released, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count(": OK") == 7


def test_every_rdf_file_loads_in_pyoxigraph_and_rdflib(
    released: Path, description: ox.Store
) -> None:
    from rdflib import Graph

    counted = 0
    for name, node in _distributions(released, description).items():
        if "context" in name:
            continue
        path = released / name
        triples = list(ox.parse(path=path, format=FORMATS[path.suffix]))
        assert _value(description, node, VOID + "triples") == str(len(triples)), name
        graph = Graph().parse(
            path,
            format={".owl": "xml", ".jsonld": "json-ld"}.get(
                path.suffix, "turtle" if path.suffix == ".ttl" else "nt"
            ),
        )
        assert len(graph) == len(triples), name
        counted += 1
    assert counted == 6


def test_the_ontology_and_data_documents(released: Path) -> None:
    from rdflib import Graph
    from rdflib.compare import isomorphic

    ontology = Graph().parse(released / f"kgtool-ontology-{VERSION}.ttl")
    assert isomorphic(ontology, Graph().parse(released / f"kgtool-ontology-{VERSION}.owl"))
    headers = {
        str(s)
        for s, _, o in ontology.triples((None, None, None))
        if str(o) == "http://www.w3.org/2002/07/owl#Ontology"
    }
    assert headers == {"https://w3id.org/kgtool/ontology"}
    assert "白宫" not in ontology.serialize(format="nt")  # data labels stay with the data
    data = Graph().parse(released / f"kgtool-data-{VERSION}.nt", format="nt")
    data_headers = {
        str(s)
        for s, _, o in data.triples((None, None, None))
        if str(o) == "http://www.w3.org/2002/07/owl#Ontology"
    }
    assert data_headers == {"https://w3id.org/kgtool/data"}
    text = data.serialize(format="nt")
    assert f"<https://w3id.org/kgtool/data/{VERSION}>" in text
    assert '"白宫科技政策办公室"@zh-hans' in text.lower() or "白宫科技政策办公室" in text
    assert "<https://w3id.org/kgtool/id/DeepSeek>" in text


def test_owlready2_opens_the_ontology_then_the_data(released: Path) -> None:
    # owlready2 keeps one world per process: a child process keeps this test independent.
    # The data imports the ontology, already loaded: nothing may be fetched (no network).
    script = (
        "import socket, sys, owlready2\n"
        "def refuse(*args, **kwargs): raise RuntimeError('network access')\n"
        "socket.socket.connect = refuse\n"
        "world = owlready2.World()\n"
        "onto = world.get_ontology(sys.argv[1]).load()\n"
        "world.get_ontology(sys.argv[2]).load(format='ntriples')\n"
        "deepseek = world.search_one(iri='https://w3id.org/kgtool/id/DeepSeek')\n"
        "print(onto.base_iri, [c.name for c in deepseek.is_a],"
        " [c.name for c in deepseek.headquarteredIn])\n"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            script,
            (released / f"kgtool-ontology-{VERSION}.owl").as_uri(),
            (released / f"kgtool-data-{VERSION}.nt").as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "https://w3id.org/kgtool/ontology/ ['Company'] ['China']"


def test_the_context_reads_data_with_the_ontology_terms(released: Path) -> None:
    import json

    from rdflib import Graph, URIRef

    context = json.loads((released / f"kgtool-context-{VERSION}.jsonld").read_text("utf-8"))
    document = {
        "@context": context["@context"],
        "@id": "kgd:DeepSeek",
        "headquarteredIn": "kgd:China",
        "employeeCountMin": 100,
    }
    graph = Graph().parse(data=json.dumps(document), format="json-ld")
    kg = "https://w3id.org/kgtool/def#"
    deepseek = URIRef("https://w3id.org/kgtool/id/DeepSeek")
    assert (
        deepseek,
        URIRef(kg + "headquarteredIn"),
        URIRef("https://w3id.org/kgtool/id/China"),
    ) in graph
    count = graph.value(deepseek, URIRef(kg + "employeeCountMin"))
    assert count is not None and count.datatype is not None


# ---------------------------------------------------------------------------------------------
# One licence story


def test_one_licence_story_everywhere(shipped_kg: kgtool.KnowledgeGraph) -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT AND CC-BY-4.0"
    for name in project["license-files"]:
        assert (REPO / name).is_file(), name
    assert (REPO / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert "Attribution 4.0 International" in (REPO / "LICENSE-DATA").read_text(encoding="utf-8")
    notice = (REPO / "NOTICE").read_text(encoding="utf-8")
    assert "NetEase Hao (網易號)" in notice and "not named" in notice
    assert "research quotation" in notice
    header = shipped_kg.query(
        NamedQuery.text(
            "SELECT ?licence WHERE { <https://w3id.org/kgtool/ontology> "
            "<http://purl.org/dc/terms/license> ?licence }"
        )
    )
    assert [str(row["licence"]) for row in header] == [CC_BY]
    service = (REPO / "kgtool" / "server" / "description" / "shipped.ttl").read_text("utf-8")
    assert f"dcterms:license <{CC_BY}>" in service and "opensource.org" not in service
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in readme and "MIT" in readme and "NOTICE" in readme


def test_citation_file_names_this_version() -> None:
    citation = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["cff-version"] == "1.2.0"
    assert citation["version"] == VERSION
    assert citation["license"] == ["MIT", "CC-BY-4.0"]
    assert citation["title"] and citation["authors"] and citation["message"]
    article = citation["references"][0]
    assert article["publisher"]["name"].startswith("NetEase Hao")


def test_ontology_version_matches_the_package(shipped_kg: kgtool.KnowledgeGraph) -> None:
    info = shipped_kg.query(
        NamedQuery.text(
            "SELECT ?v WHERE { <https://w3id.org/kgtool/ontology> "
            "<http://www.w3.org/2002/07/owl#versionInfo> ?v }"
        )
    )
    assert [str(row["v"]) for row in info] == [VERSION]


def test_release_into_an_unwritable_place_names_it(kgtool: Run, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    done = kgtool("release", "--out", str(blocker / "release"), check=4)
    assert f"{blocker / 'release'}: cannot make the folder" in done.stderr
