"""Where the shipped ontology, data and queries are, read through `importlib.resources`.

Everything is found relative to the installed package (the wheel carries `kgtool/ontology`,
`kgtool/data` and `kgtool/queries`), never relative to a checkout, so an installed kgtool and
a development tree behave the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from kgtool.errors import DataError
from kgtool.namespaces import GRAPH

#: The SHACL shapes file: used by validation, never loaded into the query store.
SHAPES_FILE = "shapes.ttl"
#: The scope classes generated for Protégé (`kgtool.scopes`): never loaded into the query store,
#: where they could go stale against the criteria actually loaded; an export or a reasoner
#: gets them made afresh from those criteria.
SCOPES_FILE = "scopes.ttl"
#: Files of the ontology folder that a load leaves out.
NOT_LOADED = frozenset({SHAPES_FILE, SCOPES_FILE})
#: File name endings of RDF datasets: files that name their graphs themselves.
QUAD_SUFFIXES = (".trig", ".nq")
#: File name endings read as RDF when a folder is loaded.
RDF_SUFFIXES = (".ttl", ".nt", ".rdf", ".owl", ".jsonld", ".trig", ".nq")


@dataclass(frozen=True)
class Source:
    """One RDF file to load: `name` is what messages show, `graph` the named graph it fills
    ("": the default graph; a TriG or N-Quads file also fills the graphs it names), `base`
    the IRI its relative IRIs are resolved against (the graph's, unless given)."""

    name: str
    graph: str
    file: Traversable
    base: str | None = None

    @property
    def base_iri(self) -> str | None:
        return self.base or self.graph or None

    def read(self) -> bytes:
        try:
            return self.file.read_bytes()
        except OSError as error:
            message = f"cannot read the file: {error.strerror or error}"
            raise DataError(message, source=self.name) from None


def package() -> Traversable:
    return files("kgtool")


def _shipped(folder: str, suffix: str) -> list[Traversable]:
    directory = package().joinpath(*folder.split("/"))
    if not directory.is_dir():
        return []
    return sorted(
        (entry for entry in directory.iterdir() if entry.is_file() and entry.name.endswith(suffix)),
        key=lambda entry: entry.name,
    )


def _shipped_source(folder: str, entry: Traversable) -> Source:
    stem = entry.name.rsplit(".", 1)[0]
    return Source(f"{folder}/{entry.name}", f"{GRAPH.NS}{folder}/{stem}", entry)


def shipped_sources() -> list[Source]:
    """The shipped ontology modules (without the shapes) and data files, in load order."""
    return [
        _shipped_source(folder, entry)
        for folder in ("ontology", "data")
        for entry in _shipped(folder, ".ttl")
        if entry.name not in NOT_LOADED
    ]


def shipped_shapes() -> Source:
    return _shipped_source("ontology", package() / "ontology" / SHAPES_FILE)


def _user_files(given: str | Path) -> list[Path]:
    """A file, or a folder's RDF files (shapes and generated scope classes aside)."""
    path = Path(given)
    if path.is_dir():
        return sorted(
            entry
            for entry in path.rglob("*")
            if entry.suffix in RDF_SUFFIXES and entry.name not in NOT_LOADED and entry.is_file()
        )
    if path.exists():
        return [path]
    raise DataError("no such file or folder", source=str(given))


def user_sources(paths: Iterable[str | Path]) -> list[Source]:
    """Sources for files and folders a user names, each file in a named graph of its own (its
    file: IRI), as they are added beside the shipped graph."""
    return [
        Source(str(entry), entry.resolve().as_uri(), entry)
        for given in paths
        for entry in _user_files(given)
    ]


def dataset_sources(
    default: Iterable[str | Path], named: Iterable[tuple[str, str | Path]] = ()
) -> list[Source]:
    """Sources for a dataset of a user's own: the `default` files and folders into the
    default graph (a TriG or N-Quads file keeping the graphs it names), each (IRI, file) of
    `named` into that named graph."""
    sources = [
        Source(str(entry), "", entry, base=entry.resolve().as_uri())
        for given in default
        for entry in _user_files(given)
    ]
    for graph, given in named:
        for entry in _user_files(given):
            if entry.suffix in QUAD_SUFFIXES:
                raise DataError(
                    f"a {entry.suffix} file names its own graphs: give it with --data, "
                    f"not in the named graph <{graph}>",
                    source=str(entry),
                )
            sources.append(Source(str(entry), graph, entry, base=entry.resolve().as_uri()))
    return sources


def query_files(reader: str = "") -> dict[str, Traversable]:
    """The `.rq` files of `queries/<reader>/` ("": the research questions at the top), by name
    (`measures-reaching` for `measures-reaching.rq`)."""
    folder = "/".join(part for part in ("queries", reader) if part)
    return {entry.name[: -len(".rq")]: entry for entry in _shipped(folder, ".rq")}


def query_folder(folder: str | Path) -> dict[str, Traversable]:
    """The `.rq` files of a user's folder of named queries, by name."""
    path = Path(folder)
    if not path.is_dir():
        raise DataError("no such folder of queries", source=str(folder))
    return {entry.stem: entry for entry in sorted(path.glob("*.rq"))}


def source_text(file_name: str) -> str:
    """The text of a source, from the file of the data folder its `kg:textFile` names."""
    if not file_name or "/" in file_name or "\\" in file_name or file_name.startswith("."):
        raise DataError(f"not a file name of the data folder: {file_name!r}", source="kg:textFile")
    entry = package() / "data" / file_name
    if not entry.is_file():
        raise DataError("no such text file in the data folder", source=f"data/{file_name}")
    return entry.read_text(encoding="utf-8")
