"""What the pages and the pictures share: their queries, their words, and names in one language.

The queries are the `.rq` files of `queries/docs/`, read by the catalogue and run through
`KnowledgeGraph.query` like any named query (so errors name the file and line). The words that
are not about terms (headings, legends) are in `strings.toml`, one table per language;
everything about a term comes from the graph.
"""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING, Any

from kgtool import catalog
from kgtool.errors import KgtoolError
from kgtool.terms import IRI, BlankNode, Literal, Term

if TYPE_CHECKING:
    from kgtool.graph import KnowledgeGraph
    from kgtool.results import QueryResult

#: Han characters, CJK punctuation and full-width forms: text written in Chinese.
CJK = re.compile(
    r"[\u2e80-\u2fff\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]"
)


def resource(*parts: str) -> Traversable:
    """A file shipped with `kgtool.docs` (templates, queries, words, styles)."""
    return files(__package__).joinpath(*parts)


def run(kg: KnowledgeGraph, name: str, **params: Any) -> QueryResult:
    """Run `queries/docs/NAME.rq` on `kg`, binding `params` like any named query's."""
    return kg.query(catalog.shipped("docs").get(name), params=params)


@cache
def _strings() -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = tomllib.loads(
        resource("strings.toml").read_text(encoding="utf-8")
    )
    return table


def languages() -> tuple[str, ...]:
    """The languages of pages and pictures (`en`, `zh-Hant`): the tables of strings.toml."""
    return tuple(_strings())


def _table(lang: str) -> dict[str, Any]:
    strings = _strings()
    if lang not in strings:
        known = ", ".join(strings)
        raise KgtoolError(f"no pages or pictures in language {lang!r} (languages: {known})")
    return strings[lang]


def words(lang: str) -> Mapping[str, str]:
    """The words of pages and pictures in `lang` (headings, captions, legends)."""
    return {key: value for key, value in _table(lang).items() if isinstance(value, str)}


def columns(lang: str) -> Mapping[str, str]:
    """The headers of query answers' columns in `lang`, by query variable."""
    found: dict[str, str] = _table(lang).get("columns", {})
    return found


def separators(lang: str) -> Mapping[str, str]:
    """How a page in `lang` joins the parts of a list a query joined with each separator."""
    found: dict[str, str] = _table(lang).get("separators", {})
    return found


@cache
def _translations() -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = tomllib.loads(
        resource("translations.toml").read_text(encoding="utf-8")
    )
    return table


def translations(lang: str) -> Mapping[str, str]:
    """Reviewed translations into `lang` of texts the graph gives in another language only
    (`translations.toml`), by the text as the graph gives it."""
    return _translations().get(lang, {})


@cache
def styles() -> dict[str, Any]:
    """The shapes and colours of the pictures (`styles.toml`)."""
    return tomllib.loads(resource("styles.toml").read_text(encoding="utf-8"))


def written_in(text: str) -> str | None:
    """`zh-Hant` for text with Chinese characters in it, else None (the page's own language)."""
    return "zh-Hant" if CJK.search(text) else None


def plain(term: Term | None) -> str:
    """A literal's text for people: dates at midnight lose their time, numbers stay as written;
    an IRI's prefixed name; nothing for nothing."""
    if term is None:
        return ""
    if isinstance(term, Literal):
        text = term.lexical
        return (
            text.removesuffix("T00:00:00")
            if re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00", text)
            else text
        )
    return term.compact()


class Names:
    """What things are called in one language, from the graph's labels.

    A thing without a label in the language is called by its prefixed name, never by its label
    in another language, so that a page or picture in one language shows no other.
    """

    def __init__(self, kg: KnowledgeGraph, lang: str) -> None:
        self.lang = lang
        self._kg = kg
        self._key = lang.lower()
        self._labels = kg.labels.labels
        self._reverse: dict[tuple[str, str], set[IRI]] | None = None
        self._parallel: dict[tuple[str, str], set[str]] | None = None

    def label(self, term: Term | None) -> str | None:
        """The term's label in this language, if it has one."""
        if not isinstance(term, IRI):
            return None
        found = self._labels.get(term, {}).get(self._key)
        return found[0] if found else None

    def __call__(self, term: Term | None) -> str:
        """The term's label in this language, else its prefixed name (a literal: its text)."""
        if term is None:
            return ""
        if isinstance(term, Literal | BlankNode):
            return plain(term)
        return self.label(term) or term.compact()

    def translate(self, literal: Literal) -> str | None:
        """The text of `literal` in this language: itself if untagged or in this language; if it
        is another language's label of exactly one thing, that thing's label here; if the
        graph states it of a thing beside exactly one text in this language (a statement, a
        title, a note given in both), that text; a reviewed translation; else None."""
        if not literal.lang or literal.lang == self._key:
            return plain(literal)
        if self._reverse is None:
            self._reverse = defaultdict(set)
            for iri, by_lang in self._labels.items():
                for lang, names in by_lang.items():
                    for name in names:
                        self._reverse[(lang, name)].add(iri)
        things = self._reverse.get((literal.lang, literal.lexical), set())
        label = self.label(next(iter(things))) if len(things) == 1 else None
        if label is not None:
            return label
        texts = self.parallel().get((literal.lang, literal.lexical), set())
        if len(texts) == 1:
            return next(iter(texts))
        return translations(self.lang).get(literal.lexical)

    def parallel(self) -> dict[tuple[str, str], set[str]]:
        """For each (language, text) of the graph, the texts in this language that the same
        thing and property carry."""
        if self._parallel is None:
            by_statement: dict[tuple[Term, Term], list[Literal]] = defaultdict(list)
            for row in run(self._kg, "parallel-texts"):
                text, thing, prop = row["text"], row["thing"], row["property"]
                if isinstance(text, Literal) and thing is not None and prop is not None:
                    by_statement[(thing, prop)].append(text)
            self._parallel = defaultdict(set)
            for texts in by_statement.values():
                here = {t.lexical for t in texts if t.lang == self._key}
                for text in texts:
                    if here and text.lang != self._key:
                        self._parallel[(text.lang or "", text.lexical)] |= here
        return self._parallel
