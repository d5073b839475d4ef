"""Simplified Chinese labels generated from the Traditional ones: `python -m kgtool.simplified`.

Every `rdfs:label`, `skos:prefLabel` and `skos:altLabel` tagged `zh-Hant` in the hand-written
files gets a `zh-Hans` twin, converted by OpenCC (`kgtool.chinese`) unless a reviewer's
correction in `ontology/labels-zh-hans-overrides.toml` says otherwise. The labels of ontology
terms go to `ontology/labels-zh-hans.ttl`, those of data individuals to
`data/labels-zh-hans.ttl`; `ontology/kgtool-all.ttl` imports both. The article's own wording
(quotes, statements) stays in Traditional characters: only labels are converted.

The two files are generated, never edited by hand: `python -m kgtool.simplified` writes them,
`--check` says whether they are up to date (a test runs the same check).
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from kgtool import catalog, resources
from kgtool.chinese import to_simplified
from kgtool.errors import DataError, KgtoolError
from kgtool.namespaces import PREFIXES, RDFS, SKOS
from kgtool.store import LocalStore
from kgtool.terms import IRI, Literal

#: The generated file of each folder, with its ontology IRI and its titles.
OUTPUTS = {
    "ontology": (
        "ontology/labels-zh-hans.ttl",
        "https://w3id.org/kgtool/labels-zh-hans",
        "kgtool: Simplified Chinese labels of the ontology's terms",
        "kgtool:本體術語的簡體中文標籤",
    ),
    "data": (
        "data/labels-zh-hans.ttl",
        "https://w3id.org/kgtool/data/labels-zh-hans",
        "kgtool data: Simplified Chinese labels of the entities",
        "kgtool 數據:實體的簡體中文標籤",
    ),
}
#: The reviewer's corrections to the conversion: zh-Hant label → zh-Hans label.
OVERRIDES = "ontology/labels-zh-hans-overrides.toml"
#: The label properties, in the order the files list them.
PROPERTIES = (IRI(RDFS.label), IRI(SKOS.prefLabel), IRI(SKOS.altLabel))


@dataclass(frozen=True)
class Label:
    """One zh-Hant label of the hand-written files, and the folder (ontology, data) it is in."""

    subject: IRI
    property: IRI
    text: str
    folder: str


def generated_names() -> set[str]:
    """The files this module writes, as `Source.name`s (`data/labels-zh-hans.ttl`)."""
    return {path for path, *_ in OUTPUTS.values()}


def hand_written() -> list[resources.Source]:
    """The shipped ontology and data files, without the generated label files."""
    generated = generated_names()
    return [source for source in resources.shipped_sources() if source.name not in generated]


def overrides() -> dict[str, str]:
    """The reviewer's corrections (`ontology/labels-zh-hans-overrides.toml`)."""
    entry = resources.package() / OVERRIDES
    try:
        table = tomllib.loads(entry.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise DataError(str(error), source=OVERRIDES) from None
    found = table.get("overrides", {})
    if not all(isinstance(value, str) for value in found.values()):
        raise DataError('every override is a string: "繁體" = "简体"', source=OVERRIDES)
    return dict(found)


def traditional_labels(
    sources: Iterable[resources.Source],
) -> tuple[list[Label], set[tuple[IRI, IRI, str]]]:
    """The zh-Hant labels of `sources`, and every (subject, property, zh-Hans text) they
    already state by hand (which the generated files need not repeat)."""
    store = LocalStore()
    store.load(sources)
    folders = {source.graph: source.name.partition("/")[0] for source in store.sources}
    query = catalog.shipped("library").get("chinese-labels")
    rows = store.execute(query.sparql, source=query.source, inferred=False)
    labels: list[Label] = []
    stated: set[tuple[IRI, IRI, str]] = set()
    for row in rows:
        subject, prop, label = row["entity"], row["property"], row["label"]
        if not isinstance(subject, IRI) or not isinstance(label, Literal):
            continue
        if label.lang == "zh-hans":
            stated.add((subject, IRI(prop), label.lexical))
        else:
            folder = folders[str(row["graph"])]
            labels.append(Label(subject, IRI(prop), label.lexical, folder))
    return labels, stated


def convert(text: str, corrections: Mapping[str, str]) -> str:
    """The zh-Hans form of a zh-Hant label: the reviewer's, else OpenCC's."""
    return corrections.get(text) or to_simplified(text)


def generate(sources: Sequence[resources.Source] | None = None) -> dict[str, str]:
    """The Turtle text of each generated file, by its path (`data/labels-zh-hans.ttl`)."""
    labels, stated = traditional_labels(hand_written() if sources is None else sources)
    corrections = overrides()
    by_folder: dict[str, dict[IRI, dict[IRI, set[str]]]] = {
        folder: defaultdict(lambda: defaultdict(set)) for folder in OUTPUTS
    }
    for label in labels:
        simplified = convert(label.text, corrections)
        if (label.subject, label.property, simplified) not in stated:
            by_folder[label.folder][label.subject][label.property].add(simplified)
    return {OUTPUTS[folder][0]: _turtle(folder, subjects) for folder, subjects in by_folder.items()}


def _turtle(folder: str, subjects: Mapping[IRI, Mapping[IRI, set[str]]]) -> str:
    ontology, title_en, title_zh = OUTPUTS[folder][1:]
    used = {"owl", "dcterms", "rdfs", "skos"} | {
        _name(subject).partition(":")[0] for subject in subjects
    }
    lines = [
        f"# Generated by `python -m kgtool.simplified` from the zh-Hant labels of {folder}/*.ttl:",
        "# do not edit. To correct a conversion, add it to",
        f"# {OVERRIDES} and run the command again.",
    ]
    lines += [f"@prefix {p}: <{ns}> ." for p, ns in PREFIXES.items() if p in used]
    lines += [
        "",
        f"<{ontology}>",
        "    a owl:Ontology ;",
        "    owl:imports <https://w3id.org/kgtool/vocab> , <https://w3id.org/kgtool/alignments> ;",
        f"    dcterms:title {_literal(title_en, 'en')} , {_literal(title_zh, 'zh-Hant')} .",
    ]
    for subject in sorted(subjects, key=lambda iri: (_name(iri), iri)):
        statements = [
            f"{IRI(prop).compact()} "
            + " , ".join(_literal(text, "zh-Hans") for text in sorted(subjects[subject][prop]))
            for prop in PROPERTIES
            if prop in subjects[subject]
        ]
        lines += ["", _name(subject)]
        lines += [
            f"    {statement} {';' if n < len(statements) else '.'}"
            for n, statement in enumerate(statements, 1)
        ]
    return "\n".join(lines) + "\n"


def _name(iri: IRI) -> str:
    """A prefixed name where Turtle allows one (a local name may not end with a dot)."""
    shown = IRI(iri).compact()
    return iri.n3() if shown.endswith(".") else shown


def _literal(text: str, lang: str) -> str:
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    return f'"{escaped}"@{lang}'


def stale(root: Path) -> list[str]:
    """The generated files under `root` that differ from what `generate()` writes now."""
    return [
        path
        for path, text in generate().items()
        if not (root / path).is_file() or (root / path).read_text(encoding="utf-8") != text
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kgtool.simplified",
        description="Write the zh-Hans labels generated from the zh-Hant ones "
        "(ontology/labels-zh-hans.ttl, data/labels-zh-hans.ttl).",
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=Path(str(resources.package())),
        help="the folder holding ontology/ and data/ (default: the package's, i.e. the checkout)",
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a file is out of date"
    )
    args = parser.parse_args(argv)
    try:
        if args.check:
            outdated = stale(args.root)
            for path in outdated:
                print(f"{path}: out of date: run python -m kgtool.simplified", file=sys.stderr)
            return 1 if outdated else 0
        for path, text in generate().items():
            (args.root / path).write_text(text, encoding="utf-8")
            print(path)
    except (KgtoolError, OSError) as error:
        print(f"kgtool.simplified: error: {error}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
