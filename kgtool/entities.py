"""Finding an entity by what a person would type, and describing it.

A name may be an IRI (`<https://…>` or bare), a prefixed name (`kgd:DeepSeek`), or any label
or alias in any language (`DeepSeek`, `深度求索`), compared case-insensitively after NFKC
normalisation. Traditional and simplified Chinese are folded together with a character map
learned from the graph itself: every entity labelled in both scripts teaches the pairs of
characters where the two labels differ.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from kgtool.catalog import expand
from kgtool.errors import AmbiguousEntity, UnknownEntity
from kgtool.namespaces import KGD, PREFIXES, RDF, RDFS, SKOS
from kgtool.terms import IRI, Literal, Term

#: Languages whose label is shown first, in this order.
PREFERRED_LANGUAGES = ("en", "zh-hant", "zh-hans", "zh", "")


@dataclass(frozen=True)
class Fact:
    """One triple about an entity, with a readable label for each part.

    `support` is the fact's grade (`stated`, `implied`, `background`, or `unsourced` when it has
    no annotation); None for a triple that is not a fact (a comment, a mention, a claim's wording).
    """

    subject: Term
    predicate: IRI
    object: Term
    subject_label: str
    predicate_label: str
    object_label: str
    support: str | None = None


@dataclass(frozen=True)
class Entity:
    """What the graph says about one IRI: its names, its classes, and the triples around it."""

    iri: IRI
    #: The label to show: English first, then Chinese, then any; else the prefixed name.
    label: str
    labels: Mapping[str, tuple[str, ...]]
    alt_labels: Mapping[str, tuple[str, ...]]
    types: tuple[tuple[IRI, str], ...]
    outgoing: tuple[Fact, ...]
    incoming: tuple[Fact, ...]


class LabelIndex:
    """Every label and alias in the graph, for resolving names and labelling results."""

    def __init__(self, rows: Iterable[tuple[IRI, IRI, Literal]]) -> None:
        self.labels: dict[IRI, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        self.alt_labels: dict[IRI, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for entity, prop, label in rows:
            table = self.alt_labels if prop == SKOS.altLabel else self.labels
            table[entity][label.lang or ""].append(label.lexical)
        self.fold = self._learn_fold()
        self._table = str.maketrans(self.fold)
        self._names: dict[str, set[IRI]] = defaultdict(set)
        self._shown: dict[str, str] = {}
        for table in (self.labels, self.alt_labels):
            for entity, by_lang in table.items():
                for names in by_lang.values():
                    for name in names:
                        key = self.key(name)
                        self._names[key].add(entity)
                        self._shown.setdefault(key, name)

    def _learn_fold(self) -> dict[str, str]:
        fold: dict[str, str] = {}
        for by_lang in self.labels.values():
            for traditional in by_lang.get("zh-hant", ()):
                for simplified in by_lang.get("zh-hans", ()):
                    if len(traditional) == len(simplified):
                        fold.update(
                            (t, s) for t, s in zip(traditional, simplified, strict=True) if t != s
                        )
        return fold

    def key(self, text: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", text).casefold().split()).translate(
            self._table
        )

    def label(self, term: Term | None) -> str:
        """A readable name for a term: its preferred label, a literal's text, or a prefixed name."""
        if term is None:
            return ""
        if isinstance(term, Literal):
            return term.lexical
        by_lang = self.labels.get(IRI(term)) if isinstance(term, IRI) else None
        if by_lang:
            for lang in (*PREFERRED_LANGUAGES, *by_lang):
                if by_lang.get(lang):
                    return by_lang[lang][0]
        return term.compact()

    def candidates(self, text: str) -> set[IRI]:
        return set(self._names.get(self.key(text), ()))

    def suggestions(self, text: str, n: int = 5) -> list[str]:
        """The labels closest to `text`, for an error message."""
        close = difflib.get_close_matches(self.key(text), list(self._shown), n=n, cutoff=0.5)
        return [self._shown[key] for key in close]


def resolve(
    text: str,
    index: LabelIndex,
    exists: Callable[[IRI], bool],
    *,
    prefixes: Mapping[str, str] = PREFIXES,
    context: str = "",
) -> IRI:
    """The IRI that `text` names: an IRI or prefixed name the graph uses, else a label or alias.

    Raises `UnknownEntity` (with the closest labels) or `AmbiguousEntity` (with the candidates).
    """
    if not text.strip():
        raise UnknownEntity(text, context=context)
    try:
        iri: IRI | None = expand(text, prefixes)
    except ValueError:
        iri = None
    if iri is not None and exists(iri):
        return iri
    found = index.candidates(text)
    if len(found) == 1:
        return found.pop()
    if not found and re.fullmatch(r"[\w.-]+", text) and exists(IRI(KGD + text)):
        return IRI(KGD + text)
    if found:
        ranked = sorted(found)
        raise AmbiguousEntity(text, [(iri, index.label(iri)) for iri in ranked], context=context)
    raise UnknownEntity(text, index.suggestions(text), context=context)


def describe(
    iri: IRI, index: LabelIndex, triples: Iterable[tuple[str, Term, IRI, Term, str | None]]
) -> Entity:
    """The `Entity` for `iri` from the triples around it, as (direction, s, p, o, support)."""
    named = {RDFS.label, SKOS.prefLabel, SKOS.altLabel}
    types: list[tuple[IRI, str]] = []
    facts: dict[str, list[Fact]] = {"out": [], "in": []}
    for direction, subject, predicate, obj, support in triples:
        if direction == "out" and predicate in named and isinstance(obj, Literal):
            continue
        if direction == "out" and predicate == RDF.type and isinstance(obj, IRI):
            types.append((obj, index.label(obj)))
            continue
        labels = (index.label(subject), index.label(predicate), index.label(obj))
        facts[direction].append(Fact(subject, predicate, obj, *labels, support=support))
    return Entity(
        iri=iri,
        label=index.label(iri),
        labels={lang: tuple(labels) for lang, labels in index.labels.get(iri, {}).items()},
        alt_labels={lang: tuple(labels) for lang, labels in index.alt_labels.get(iri, {}).items()},
        types=tuple(types),
        outgoing=tuple(facts["out"]),
        incoming=tuple(facts["in"]),
    )
