"""The HTML reference: one page per language, made from the graph and its named queries.

Each page holds the ontology's classes and properties (labels, definitions, hierarchy, domain
and range, examples from the data), the controlled vocabularies, the research queries with
their current answers, and the sources with the way provenance is recorded. A page in one
language shows no text the graph gives in another: a term without a label in the page's
language is called by its prefixed name, and a definition the graph gives only in another
language is left out (the page says so once).

Over 500 lines: one writer per section of the reference page, in the order the page shows them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kgtool import output
from kgtool.docs.common import (
    Names,
    columns,
    languages,
    plain,
    run,
    separators,
    words,
    written_in,
)
from kgtool.terms import IRI, BlankNode, Literal, Term

if TYPE_CHECKING:
    from kgtool.catalog import NamedQuery
    from kgtool.graph import KnowledgeGraph
    from kgtool.results import QueryResult

#: An untagged one-word value such as a query's "article" or "background": a keyword.
_KEYWORD = re.compile(r"[a-z][a-z-]*")
#: A list a query joins: `(GROUP_CONCAT(... ; separator="S") AS ?name)`.
_JOINED = re.compile(
    r'GROUP_CONCAT\s*\([^;()]*;\s*separator\s*=\s*"((?:[^"\\]|\\.)*)"\s*\)\s*AS\s*[?$](\w+)',
    re.IGNORECASE,
)
#: How many instances of a class, and uses of a property, the reference shows.
SHOWN_INSTANCES = 8
SHOWN_USES = 3
#: How long a literal from the data may be in an example before it is cut.
EXAMPLE_LENGTH = 90
#: The kinds of term, in the order of the page's sections (keys of terms.rq's ?kind).
KINDS = ("class", "objectProperty", "datatypeProperty", "annotationProperty")
#: Words (strings.toml keys) of the relations between terms, in the order the page shows them.
RELATIONS = {
    "class": ("superClass", "subClass", "disjoint", "domainOf", "rangeOf"),
    "property": ("superProperty", "subProperty", "domain", "range", "inverse", "characteristic"),
}
_WORD = {
    "superClass": "super_classes",
    "subClass": "sub_classes",
    "disjoint": "disjoint",
    "domainOf": "domain_of",
    "rangeOf": "range_of",
    "superProperty": "super_properties",
    "subProperty": "sub_properties",
    "domain": "domain",
    "range": "range",
    "inverse": "inverse",
    "characteristic": "characteristics",
}


@dataclass(frozen=True)
class Text:
    """Text to show, and the language it is in when that is not the page's (for `lang=`)."""

    text: str
    lang: str | None = None
    #: Quoted from a source (shown as a quotation).
    quote: bool = False
    #: Where to read what cannot be shown in this page's language (a link).
    elsewhere: str | None = None
    #: A keyword a query computes ("article", "background"): code, not words of a language.
    code: bool = False


@dataclass(frozen=True)
class Ref:
    """A thing named on the page: its name, and its anchor when the page describes it."""

    name: str
    curie: str
    anchor: str | None = None


@dataclass
class TermEntry:
    """One class or property of the reference."""

    anchor: str
    curie: str
    iri: str
    name: str
    kind: str
    definitions: list[Text] = field(default_factory=list)
    examples: list[Text] = field(default_factory=list)
    notes: list[Text] = field(default_factory=list)
    relations: list[tuple[str, list[Ref]]] = field(default_factory=list)
    samples: list[list[Text | Ref]] = field(default_factory=list)
    more: int = 0
    depth: int = 0


@dataclass
class QueryEntry:
    """A research query: its header, its SPARQL and its current answer."""

    name: str
    heading: str
    question: str
    params: list[tuple[str, str, str, str]]
    row: str
    description: str
    sparql: str
    #: (variable, header in the page's language)
    columns: list[tuple[str, str]]
    rows: list[list[Text | Ref]]


@dataclass
class Page:
    """Everything one page shows, in its language."""

    lang: str
    words: dict[str, str]
    others: list[tuple[str, str, str]]
    header: dict[str, list[Text | Ref]]
    picture: str | None
    sections: list[tuple[str, str, list[TermEntry]]]
    vocabularies: list[tuple[TermEntry, list[TermEntry]]]
    queries: list[QueryEntry]
    sources: dict[str, Any]
    missing_definitions: bool


def _anchor(iri: IRI) -> str:
    prefix, _, local = iri.compact().partition(":")
    return local if prefix == "kg" else f"{prefix}-{local}"


class _Graph:
    """What the pages need from the graph, queried once for all languages."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg
        self.kinds = {
            IRI(row["term"]): str(row["kind"])
            for row in run(kg, "terms")
            if isinstance(row["term"], IRI)
        }
        self.relations: dict[IRI, dict[str, list[IRI]]] = defaultdict(lambda: defaultdict(list))
        for row in run(kg, "term-relations"):
            term, other = row["term"], row["other"]
            if isinstance(term, IRI) and isinstance(other, IRI):
                self.relations[term][str(row["relation"])].append(other)
        for term, by_relation in list(self.relations.items()):
            for upper in by_relation.get("superClass", []):
                self.relations[upper]["subClass"].append(term)
            for upper in by_relation.get("superProperty", []):
                self.relations[upper]["subProperty"].append(term)
            for cls in by_relation.get("domain", []):
                self.relations[cls]["domainOf"].append(term)
            for cls in by_relation.get("range", []):
                self.relations[cls]["rangeOf"].append(term)
        self.notes: dict[IRI, dict[str, list[Literal]]] = defaultdict(lambda: defaultdict(list))
        for row in run(kg, "term-notes"):
            noted, text = row["term"], row["text"]
            if isinstance(noted, IRI) and isinstance(text, Literal):
                self.notes[noted][str(row["note"])].append(text)
        self.instances: dict[IRI, list[IRI]] = defaultdict(list)
        for row in run(kg, "class-instances"):
            typed, instance = row["class"], row["instance"]
            if isinstance(typed, IRI) and isinstance(instance, IRI):
                self.instances[typed].append(instance)
        self.uses: dict[IRI, list[tuple[Term, Term, tuple[Term, Term, Term] | None]]] = defaultdict(
            list
        )
        for row in run(kg, "property-uses"):
            prop, subject, obj = row["property"], row["subject"], row["object"]
            if isinstance(prop, IRI) and subject is not None and obj is not None:
                s, p, o = row["factSubject"], row["factProperty"], row["factObject"]
                fact = (s, p, o) if s is not None and p is not None and o is not None else None
                self.uses[prop].append((subject, obj, fact))
        self.vocabularies: dict[IRI, list[IRI]] = defaultdict(list)
        for row in run(kg, "vocabularies"):
            scheme, concept = row["scheme"], row["concept"]
            if isinstance(scheme, IRI) and isinstance(concept, IRI):
                self.vocabularies[scheme].append(concept)
        self.header = list(run(kg, "ontology"))
        self.sources = list(run(kg, "sources"))
        self.records = list(run(kg, "background-records"))
        self.provenance_terms = [row["term"] for row in run(kg, "provenance-terms")]
        self.counts = next(iter(run(kg, "provenance-counts")))
        self.examples = list(run(kg, "provenance-examples"))
        self.queries = [(query, kg.query(query.name)) for query in kg.queries()]


class _Writer:
    """Builds one page's content in one language."""

    def __init__(self, graph: _Graph, lang: str, others: Sequence[str]) -> None:
        self.graph = graph
        self.lang = lang
        self.others = others
        self.names = Names(graph.kg, lang)
        self.words = dict(words(lang))
        self.columns = columns(lang)
        self.separators = separators(lang)

    # -- small pieces

    def ref(self, term: Term | None) -> Ref:
        if not isinstance(term, IRI):
            return Ref(plain(term), "")
        on_page = term in self.graph.kinds or any(
            term in concepts for concepts in self.graph.vocabularies.values()
        )
        return Ref(self.names(term), term.compact(), _anchor(term) if on_page else None)

    def literal(self, literal: Literal, *, cut: int | None = None) -> Text | None:
        """A literal as text of this page, or None when it is in another language only."""
        text = self.names.translate(literal)
        if text is None:
            return None
        if cut is not None and len(text) > cut:
            text = text[: cut - 1] + "…"
        return Text(text, None if literal.lang else written_in(text))

    def joined(self, literal: Literal, separator: str) -> Text | None:
        """A list the query joined with `separator`, each part in this page's language, joined
        as this page joins lists; None unless every part can be."""
        parts = [
            self.names.translate(Literal(part, lang=literal.lang))
            for part in literal.lexical.split(separator)
        ]
        if any(part is None for part in parts):
            return None
        text = self.separators.get(separator, separator).join(str(part) for part in parts)
        return Text(text, written_in(text))

    def in_language(self, literals: Iterable[Literal]) -> list[Text]:
        """The literals in this page's language (untagged ones count as every language's)."""
        return [
            Text(literal.lexical, None if literal.lang else written_in(literal.lexical))
            for literal in literals
            if literal.lang in (None, self.lang.lower())
        ]

    def cell(
        self, term: Term | None, elsewhere: str | None = None, joined: str | None = None
    ) -> Text | Ref:
        """A value from a query answer; text in another language only is replaced by a note
        linking to `elsewhere` (the page in that language). `joined` is the separator of a
        list the query joined: each part is then translated on its own."""
        if isinstance(term, Literal):
            shown = self.literal(term)
            if shown is None and joined:
                shown = self.joined(term, joined)
            if shown is None:
                page = f"index.{_language(term.lang, self.others)}.html"
                return Text(self.words["untranslated"], elsewhere=page + (elsewhere or ""))
            keyword = not term.lang and _KEYWORD.fullmatch(shown.text) is not None
            return Text(shown.text, shown.lang, quote=shown.lang is not None, code=keyword)
        if isinstance(term, BlankNode) or term is None:
            return Text("")
        return self.ref(term)

    # -- the sections

    def term(self, term: IRI, kind: str, depth: int = 0) -> TermEntry:
        notes = self.graph.notes.get(term, {})
        entry = TermEntry(
            anchor=_anchor(term),
            curie=term.compact(),
            iri=str(term),
            name=self.names(term),
            kind=kind,
            definitions=self.in_language(notes.get("definition", [])),
            examples=self.in_language(notes.get("example", [])),
            notes=self.in_language([*notes.get("scopeNote", []), *notes.get("comment", [])]),
            depth=depth,
        )
        relations = self.graph.relations.get(term, {})
        for key in RELATIONS["class" if kind == "class" else "property"]:
            others = sorted(set(relations.get(key, [])), key=lambda iri: self.names(iri).lower())
            if others:
                entry.relations.append((self.words[_WORD[key]], [self.ref(o) for o in others]))
        if kind == "class":
            instances = sorted(self.graph.instances.get(term, []), key=lambda i: self.names(i))
            entry.samples = [[self.ref(i)] for i in instances[:SHOWN_INSTANCES]]
            entry.more = max(0, len(instances) - SHOWN_INSTANCES)
        else:
            entry.samples, entry.more = self.uses(term)
        return entry

    def uses(self, prop: IRI) -> tuple[list[list[Text | Ref]], int]:
        """Up to SHOWN_USES statements that use `prop`, as subject → object; a statement about
        a fact (an owl:Axiom) shows the fact in brackets."""
        shown: list[list[Text | Ref]] = []
        usable = 0
        for subject, obj, fact in self.graph.uses.get(prop, []):
            if isinstance(obj, Literal):
                value = self.literal(obj, cut=EXAMPLE_LENGTH)
                if value is None:
                    continue
                target: Text | Ref = Text(value.text, value.lang, quote=value.lang is not None)
            else:
                target = self.ref(obj)
            usable += 1
            if len(shown) == SHOWN_USES:
                continue
            if fact is not None:
                inner = [self.cell(part) for part in fact]
                shown.append([Text("("), *inner, Text(")"), Text("→"), target])
            else:
                shown.append([self.ref(subject), Text("→"), target])
        return shown, usable - len(shown)

    def sections(self) -> list[tuple[str, str, list[TermEntry]]]:
        titles = {
            "class": "classes",
            "objectProperty": "object_properties",
            "datatypeProperty": "datatype_properties",
            "annotationProperty": "annotation_properties",
        }
        found = []
        for kind in KINDS:
            terms = [term for term, k in self.graph.kinds.items() if k == kind]
            if kind == "class":
                entries = [self.term(t, kind, depth) for depth, t in self.hierarchy(terms)]
            else:
                entries = [self.term(t, kind) for t in sorted(terms, key=self.sort_key)]
            found.append((titles[kind], self.words[titles[kind]], entries))
        return found

    def sort_key(self, term: IRI) -> str:
        return self.names(term).lower()

    def hierarchy(self, classes: list[IRI]) -> list[tuple[int, IRI]]:
        """The classes depth first from the top ones, each under its first super-class."""
        inside = set(classes)
        children: dict[IRI, list[IRI]] = defaultdict(list)
        tops = []
        for cls in sorted(classes, key=self.sort_key):
            uppers = [
                u for u in self.graph.relations.get(cls, {}).get("superClass", []) if u in inside
            ]
            if uppers:
                children[min(uppers, key=self.sort_key)].append(cls)
            else:
                tops.append(cls)
        ordered: list[tuple[int, IRI]] = []

        def visit(cls: IRI, depth: int) -> None:
            ordered.append((depth, cls))
            for child in children.get(cls, []):
                visit(child, depth + 1)

        for top in tops:
            visit(top, 0)
        return ordered

    def vocabularies(self) -> list[tuple[TermEntry, list[TermEntry]]]:
        return [
            (
                self.term(scheme, "scheme"),
                [self.term(c, "concept") for c in sorted(set(concepts), key=self.sort_key)],
            )
            for scheme, concepts in sorted(
                self.graph.vocabularies.items(), key=lambda s: self.sort_key(s[0])
            )
        ]

    def query(self, query: NamedQuery, result: QueryResult) -> QueryEntry:
        variables = list(result.variables)
        # a `fooLabel` column names the things of `foo`: names come from the graph instead
        columns = [
            v for v in variables if not (v.endswith("Label") and v[: -len("Label")] in variables)
        ]
        english = self.lang.lower() == "en"
        question = query.question(self.lang) if self.lang.lower() in query.questions else ""
        joined = {name: separator for separator, name in _JOINED.findall(query.sparql)}
        return QueryEntry(
            name=query.name,
            heading=query.title if english else question or query.name,
            question=question if english else "",
            params=[
                (p.name, p.kind, p.default or "", p.doc if english else "") for p in query.params
            ],
            row=query.row if english else "",
            description=query.description if english else "",
            sparql=_body(query.sparql),
            columns=[(column, self.columns.get(column, column)) for column in columns],
            rows=[
                [
                    self.cell(row[column], f"#query-{query.name}", joined.get(column))
                    for column in columns
                ]
                for row in result
            ],
        )

    def sources(self) -> dict[str, Any]:
        graph = self.graph
        listed = [
            {
                "source": self.ref(row["source"]),
                "kind": self.ref(row["class"]),
                "by": [self.ref(row[key]) for key in ("author", "publisher", "medium") if row[key]],
                "issued": plain(row["issued"]),
                "segments": plain(row["segments"]) or "0",
                "facts": plain(row["facts"]) or "0",
                "claims": plain(row["claims"]) or "0",
            }
            for row in graph.sources
        ]
        examples = {}
        for row in graph.examples:
            fact = [self.cell(row[key]) for key in ("subject", "property", "object")]
            note, reason = row["note"], row["reason"]
            examples[str(row["provenance"])] = {
                "fact": fact,
                "segment": self.ref(row["segment"]) if row["segment"] else None,
                "quote": self.cell(row["quote"]) if row["quote"] else None,
                "offsets": (
                    self.words["offsets"].format(start=plain(row["start"]), end=plain(row["end"]))
                    if row["start"] is not None and row["end"] is not None
                    else ""
                ),
                "reason": self.literal(reason) if isinstance(reason, Literal) else None,
                "record": plain(row["record"]),
                "note": self.literal(note) if isinstance(note, Literal) else None,
            }
        counts = graph.counts
        return {
            "list": listed,
            "records": [
                (plain(r["record"]), plain(r["facts"])) for r in graph.records if r["record"]
            ],
            "terms": [
                self.term(term, graph.kinds.get(term, "class"))
                for term in graph.provenance_terms
                if isinstance(term, IRI)
            ],
            "counts": [
                (self.words["segments"], plain(counts["segments"])),
                (self.words["stated_facts"], plain(counts["statedFacts"])),
                (self.words["implied_facts"], plain(counts["impliedFacts"])),
                (self.words["background_facts"], plain(counts["backgroundFacts"])),
            ],
            "examples": examples,
        }

    def header(self) -> dict[str, list[Text | Ref]]:
        found: dict[str, list[Text | Ref]] = defaultdict(list)
        for row in self.graph.header:
            value = row["value"]
            if isinstance(value, Literal):
                shown = self.literal(value)
                if shown is not None and (not value.lang or value.lang == self.lang.lower()):
                    found[str(row["key"])].append(shown)
            elif isinstance(value, IRI):
                found[str(row["key"])].append(Ref(str(value), str(value)))
        return found


def _language(tag: str | None, known: Sequence[str]) -> str:
    """The page language of a literal's tag (tags are kept lower-case: `zh-hant`)."""
    return next((lang for lang in known if lang.lower() == (tag or "").lower()), tag or "")


def _body(sparql: str) -> str:
    """A query without its header comment, which the page shows apart."""
    lines = sparql.splitlines()
    start = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    return "\n".join(lines[start:]).strip() + "\n"


def write_site(
    kg: KnowledgeGraph,
    out: str | Path,
    *,
    langs: Sequence[str] | None = None,
    pictures: bool | None = None,
) -> list[Path]:
    """Write the reference into the folder `out`: `index.<lang>.html` for each language (English
    and Chinese by default) and, when Graphviz is there (or `pictures` is True), each page's
    ontology picture `ontology.<lang>.svg`. Returns the files written.

    Raises `GraphvizUnavailable` only when `pictures` is True and Graphviz is missing.
    """
    import jinja2

    from kgtool import draw

    folder = output.folder(out)
    wanted = tuple(langs or languages())
    draw_pictures = draw.available() if pictures is None else pictures
    graph = _Graph(kg)
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("kgtool.docs", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = environment.get_template("reference.html")
    written = []
    for lang in wanted:
        writer = _Writer(graph, lang, [other for other in languages() if other != lang])
        picture = None
        if draw_pictures:
            picture = f"ontology.{lang}.svg"
            written.append(draw.render(draw.ontology(kg, langs=[lang]), folder / picture))
        sections = writer.sections()
        page = Page(
            lang=lang,
            words=writer.words,
            others=[
                (other, f"index.{other}.html", words(other)["language_name"])
                for other in wanted
                if other != lang
            ],
            header=writer.header(),
            picture=picture,
            sections=sections,
            vocabularies=writer.vocabularies(),
            queries=[writer.query(query, result) for query, result in graph.queries],
            sources=writer.sources(),
            missing_definitions=any(
                not entry.definitions for _, _, entries in sections for entry in entries
            ),
        )
        path = folder / f"index.{lang}.html"
        written.append(output.write_text(path, template.render(page=page, w=page.words)))
    return written
