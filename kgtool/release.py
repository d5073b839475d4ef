"""A release a paper can cite: `kgtool release --out DIR` writes the versioned files.

    kgtool-ontology-V.ttl / .owl / .jsonld   the ontology modules merged into one document
                                             (Turtle; RDF/XML for Protégé and owlready2; JSON-LD)
    kgtool-data-V.ttl / .nt                  the data modules merged into one document that
                                             imports the ontology (Turtle, N-Triples)
    kgtool-shapes-V.ttl                      the SHACL shapes, as shipped
    kgtool-context-V.jsonld                  a JSON-LD context: the prefixes, and each property
                                             of the ontology by its local name
    kgtool-V.void.ttl                        VoID and DCAT: the dataset and each file with its
                                             size, triples and SHA-256 checksum
    SHA256SUMS                               the same checksums, for `sha256sum -c`

V is the version of the installed kgtool, which the ontology's `owl:versionInfo` must match.
The headers and descriptions are Turtle templates in `kgtool/release-templates/`.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kgtool import catalog, output, resources, scopes
from kgtool.errors import DataError
from kgtool.export import declare_individuals, merge, serialize
from kgtool.namespaces import ONTOLOGY, PREFIXES, XSD
from kgtool.output import template
from kgtool.store import LocalStore
from kgtool.terms import IRI

if TYPE_CHECKING:
    import jinja2

DATA = "https://w3id.org/kgtool/data"
DATA_LICENCE = "https://creativecommons.org/licenses/by/4.0/"
#: Media types by file ending, as IANA registers them.
MEDIA = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".owl": "application/rdf+xml",
    ".jsonld": "application/ld+json",
}


@dataclass(frozen=True)
class Distribution:
    """One file of the release: its name, what it holds, its size and checksum."""

    file: str
    title: str
    #: How many triples it holds (0 for the JSON-LD context, which is not RDF).
    triples: int
    size: int
    sha256: str


@dataclass(frozen=True)
class Release:
    """What `release()` wrote: the folder, the version, the files and the description."""

    folder: Path
    version: str
    distributions: tuple[Distribution, ...]
    description: Path
    checksums: Path


def _template(name: str) -> jinja2.Template:
    entry = resources.package() / "release-templates" / name
    return template(entry.read_text(encoding="utf-8"))


def _version() -> str:
    import kgtool

    version: str = kgtool.__version__
    return version


def _graphs(store: LocalStore, folder: str) -> list[ox.Triple]:
    """The triples of the shipped files of `folder` (`ontology`, `data`)."""
    return list(
        dict.fromkeys(
            quad.triple
            for source in store.sources
            if source.name.startswith(folder + "/")
            for quad in store.oxigraph.quads_for_pattern(
                None, None, None, ox.NamedNode(source.graph)
            )
        )
    )


def ontology_triples(store: LocalStore) -> list[ox.Triple]:
    """The ontology modules as one document headed by the core ontology, with the scope
    classes of the shipped measures (`kgtool.scopes`)."""
    return merge(declare_individuals([*_graphs(store, "ontology"), *scopes.axioms(store)]))


def data_triples(store: LocalStore, version: str) -> list[ox.Triple]:
    """The data modules as one document headed by `https://w3id.org/kgtool/data`, every
    individual declared `owl:NamedIndividual` for OWL tools."""
    header = _template("data-header.ttl").render(version=version)
    head = [quad.triple for quad in ox.parse(header, format=ox.RdfFormat.TURTLE)]
    data = merge(head + _graphs(store, "data"), DATA)
    return declare_individuals(data, _graphs(store, "ontology"))


def context(store: LocalStore) -> dict[str, object]:
    """The JSON-LD context: the prefixes, and each kg: property by its local name (object
    properties take IRIs, datatype properties their range's datatype)."""
    query = catalog.shipped("library").get("context-terms")
    terms: dict[str, object] = dict(PREFIXES)
    for row in store.execute(query.sparql, source=query.source, inferred=False):
        prop, kind, range_ = IRI(row["property"]), str(row["kind"]), row["range"]
        local = prop.compact().partition(":")[2]
        if kind == "object" or (kind == "annotation" and range_ and not _datatype(range_)):
            terms[local] = {"@id": prop.compact(), "@type": "@id"}
        elif range_ is not None and _datatype(range_):
            terms[local] = {"@id": prop.compact(), "@type": IRI(range_).compact()}
        else:
            terms[local] = {"@id": prop.compact()}
    return {"@context": terms}


def _datatype(term: object) -> bool:
    return str(term).startswith(XSD.NS)


def _check_version(store: LocalStore, version: str) -> None:
    found = [
        quad.object.value
        for quad in store.oxigraph.quads_for_pattern(
            ox.NamedNode(ONTOLOGY), ox.NamedNode("http://www.w3.org/2002/07/owl#versionInfo"), None
        )
        if isinstance(quad.object, ox.Literal)
    ]
    if found != [version]:
        raise DataError(
            f"the ontology's owl:versionInfo is {found or 'missing'}, the package is {version}: "
            "make them the same before a release",
            source="ontology/kgtool.ttl",
        )


def release(
    store: LocalStore,
    out: str | Path,
    *,
    version: str | None = None,
    issued: datetime.date | None = None,
) -> Release:
    """Write the release of the shipped ontology and data held in `store` into the folder
    `out` (made if need be); see the module's docstring for the files."""
    version = version or _version()
    _check_version(store, version)
    folder = output.folder(out)
    ontology = ontology_triples(store)
    data = data_triples(store, version)
    shapes = resources.shipped_shapes()
    files: list[tuple[str, str, bytes, int]] = [
        (
            f"kgtool-ontology-{version}.ttl",
            "The ontology (Turtle)",
            serialize(ontology, "turtle").encode(),
            len(ontology),
        ),
        (
            f"kgtool-ontology-{version}.owl",
            "The ontology (RDF/XML, for Protégé and owlready2)",
            serialize(ontology, "xml").encode(),
            len(ontology),
        ),
        (
            f"kgtool-ontology-{version}.jsonld",
            "The ontology (JSON-LD)",
            serialize(ontology, "json-ld").encode(),
            len(ontology),
        ),
        (
            f"kgtool-data-{version}.ttl",
            "The data (Turtle)",
            serialize(data, "turtle").encode(),
            len(data),
        ),
        (
            f"kgtool-data-{version}.nt",
            "The data (N-Triples)",
            ox.serialize(data, format=ox.RdfFormat.N_TRIPLES) or b"",
            len(data),
        ),
        (
            f"kgtool-shapes-{version}.ttl",
            "The SHACL shapes the data conforms to (Turtle)",
            shapes.read(),
            len(list(ox.parse(shapes.read(), format=ox.RdfFormat.TURTLE))),
        ),
        (
            f"kgtool-context-{version}.jsonld",
            "A JSON-LD context for the ontology's terms",
            (json.dumps(context(store), indent=2, ensure_ascii=False) + "\n").encode(),
            0,
        ),
    ]
    distributions = []
    for name, title, body, triples in files:
        output.write_bytes(folder / name, body)
        distributions.append(
            Distribution(name, title, triples, len(body), hashlib.sha256(body).hexdigest())
        )
    description = folder / f"kgtool-{version}.void.ttl"
    output.write_text(description, _description(distributions, version, issued))
    checksums = folder / "SHA256SUMS"
    output.write_text(checksums, "".join(f"{d.sha256}  {d.file}\n" for d in distributions))
    return Release(folder, version, tuple(distributions), description, checksums)


def _description(
    distributions: Sequence[Distribution], version: str, issued: datetime.date | None
) -> str:
    described = "".join(
        _template("distribution.ttl").render(
            file=d.file,
            title=d.title.replace('"', '\\"'),
            media=MEDIA[Path(d.file).suffix],
            size=d.size,
            sha256=d.sha256,
            licence=DATA_LICENCE,
            # an RDF file is a VoID dataset with its triples; the JSON-LD context is not RDF
            rdf=" , void:Dataset" if d.triples else "",
            triples=f" ;\n    void:triples {d.triples}" if d.triples else "",
        )
        for d in distributions
    )
    return _template("description.ttl").render(
        version=version,
        issued=(issued or datetime.date.today()).isoformat(),
        triples=sum(d.triples for d in distributions if d.file.endswith((".owl", ".nt"))),
        distributions=" , ".join(f"<{d.file}>" for d in distributions),
        described=described,
    )
