"""Finding an entity by what a person would type, and describing it.

A name may be an IRI (`<https://…>` or bare), a prefixed name (`kgd:DeepSeek`), or any label
or alias in any language (`DeepSeek`, `深度求索`), compared case-insensitively after NFKC
normalisation, with Traditional and Simplified Chinese folded together (`kgtool.chinese`):
`白宮科技政策辦公室` and `白宫科技政策办公室` name the same office.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from kgtool.catalog import expand
from kgtool.chinese import fold, fold_all
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
        self._names: dict[str, set[IRI]] = defaultdict(set)
        self._shown: dict[str, str] = {}
        self._named = [
            (entity, name)
            for table in (self.labels, self.alt_labels)
            for entity, by_lang in table.items()
            for names in by_lang.values()
            for name in names
        ]
        self._keys = fold_all([name for _, name in self._named])
        for (entity, name), key in zip(self._named, self._keys, strict=True):
            self._names[key].add(entity)
            self._shown.setdefault(key, name)
        self._written: dict[str, dict[IRI, list[str]]] | None = None

    def written(self) -> dict[str, dict[IRI, list[str]]]:
        """Every name of every thing under its key, as written (both scripts, every case);
        built for the first search, which alone needs it."""
        if self._written is None:
            self._written = defaultdict(lambda: defaultdict(list))
            for (entity, name), key in zip(self._named, self._keys, strict=True):
                self._written[key][entity].append(name)
        return self._written

    @staticmethod
    def key(text: str) -> str:
        """What a name is compared by: either script, any case, any spacing."""
        return fold(text)

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

    def search(self, text: str, limit: int = 20) -> list[tuple[IRI, str]]:
        """The things whose label or alias matches `text` in either script, best first: the
        whole name, then names that start with it, then names that contain it, then close
        spellings. Each comes once, with the name it matched by."""
        wanted = self.key(text)
        if not wanted:
            return []
        typed = text.strip().casefold()
        ranked: dict[IRI, tuple[int, str]] = {}
        close = set(difflib.get_close_matches(wanted, list(self._names), n=limit, cutoff=0.6))
        for key, written in self.written().items():
            if key == wanted:
                rank = 0
            elif key.startswith(wanted):
                rank = 1
            elif wanted in key:
                rank = 2
            elif key in close:
                rank = 3
            else:
                continue
            for entity, names in written.items():
                if entity not in ranked or rank < ranked[entity][0]:
                    # the name as the person typed it: in their script where there are two
                    name = next((n for n in names if typed in n.casefold()), names[0])
                    ranked[entity] = (rank, name)
        order = sorted(ranked, key=lambda iri: (ranked[iri][0], len(ranked[iri][1]), iri))
        return [(iri, ranked[iri][1]) for iri in order[:limit]]

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
