"""The HTML pages: the query page, the entity search, and the page of each entity at its
dereferenced IRI.

Pages are written from templates in `kgtool/server/templates/` with every value escaped; their
style and script are the shipped files in `static/` (the query editor is YASGUI, bundled in
`static/yasgui/`), so they work with no internet. Names typed into the search box or after
`/id/` are found in either Chinese script (`kgtool.chinese`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from html import escape
from importlib.resources import files
from typing import TYPE_CHECKING

from kgtool import catalog
from kgtool.catalog import NamedQuery
from kgtool.entities import Fact
from kgtool.errors import AmbiguousEntity, UnknownEntity
from kgtool.graph import KnowledgeGraph
from kgtool.namespaces import KGD, PREFIXES
from kgtool.output import template
from kgtool.results import Row
from kgtool.terms import IRI, Literal, Term

if TYPE_CHECKING:
    import jinja2

#: Where the page's query resources live (read with importlib.resources: they are in the wheel).
_SERVER = files("kgtool.server")


def _template(name: str) -> jinja2.Template:
    return template(_SERVER.joinpath("templates", name).read_text(encoding="utf-8"))


def _query(name: str) -> NamedQuery:
    """One of the pages' queries (`queries/pages/NAME.rq`)."""
    return catalog.shipped("pages").get(name)


def page(title: str, body: str, *, head: str = "", scripts: str = "") -> str:
    """A whole HTML document around `body` (already HTML)."""
    return _template("page.html").render(title=escape(title), body=body, head=head, scripts=scripts)


def _json(value: object) -> str:
    """JSON to embed in a <script type="application/json"> element: nothing in it can end the
    element or open a comment."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def index_page() -> str:
    """The query page: YASGUI on /sparql with kgtool's prefixes, and the named queries (from
    /queries: their questions and parameters) to open in it as tabs."""
    start = _query("editor-start")
    prefixes = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in start.prefixes.items())
    lines = [line for line in start.body.splitlines() if not line.startswith("PREFIX ")]
    query = prefixes + "\n" + "\n".join(lines).strip() + "\n"
    body = _template("index.html").render(
        settings=_json({"prefixes": PREFIXES, "query": query}), query=escape(query)
    )
    return page(
        "kgtool — SPARQL query page",
        body,
        head='<link rel="stylesheet" href="/static/yasgui/yasgui.min.css">\n',
        scripts='<script src="/static/yasgui/yasgui.min.js"></script>\n'
        '<script src="/static/app.js"></script>\n',
    )


def missing_page(message: str, suggestions: Iterable[tuple[str, str, str]] = ()) -> str:
    """The page for a name that names nothing: the message, and the closest entities."""
    return page(
        "Not found — kgtool",
        _template("missing.html").render(
            message=escape(message), suggestions=_found(list(suggestions))
        ),
    )


def found(kg: KnowledgeGraph, text: str, limit: int = 20) -> list[tuple[str, str, str]]:
    """The entities with a page here whose names match `text` (either script), best first:
    (path, label, the name matched)."""
    hits = []
    for iri, matched in kg.search(text, limit=limit * 2):
        path = local(iri)
        if path is not None:
            hits.append((path, kg.label(iri), matched))
    return hits[:limit]


def _found(hits: list[tuple[str, str, str]]) -> str:
    if not hits:
        return ""
    items = "".join(
        f'<li><a href="{escape(path)}">{escape(label)}</a>'
        + (f' <span class="matched">{escape(matched)}</span>' if matched != label else "")
        + "</li>"
        for path, label, matched in hits
    )
    return f'<ul class="found">{items}</ul>'


def search_page(text: str, hits: list[tuple[str, str, str]]) -> str:
    """The answer to the search box: the matching entities, or a word that there are none."""
    heading = f"Entities named like “{text}”" if text.strip() else "Find an entity"
    content = _found(hits) or (
        _none(f"No entity is called anything like {text!r}.") if text.strip() else ""
    )
    form = _template("search.html").render(text=escape(text))
    return page(
        f"{text} — kgtool search" if text.strip() else "Search — kgtool",
        f'<article class="entity search"><h1>{escape(heading)}</h1>{form}{content}</article>',
    )


def search_json(hits: list[tuple[str, str, str]]) -> bytes:
    """The search answer for a script: [{"path", "label", "matched"}…]."""
    entries = [{"path": path, "label": label, "matched": matched} for path, label, matched in hits]
    return json.dumps(entries, ensure_ascii=False).encode("utf-8")


def named_path(kg: KnowledgeGraph, text: str) -> str | None:
    """The page of the one entity that `text` (a label in either script, an alias, a prefixed
    name) names, if exactly one does and it has a page here."""
    try:
        return local(kg.resolve(text))
    except (UnknownEntity, AmbiguousEntity):
        return None


def local(iri: str) -> str | None:
    """The path at which this server serves an IRI of the graph's namespace, if it is one."""
    return "/id/" + iri[len(KGD) :] if iri.startswith(KGD) and len(iri) > len(KGD) else None


def _link(iri: str, text: str) -> str:
    """`text` linked to the page of `iri` when this server serves it; a compact IRI in code."""
    path = local(iri)
    if path is not None:
        return f'<a href="{escape(path)}" title="{escape(iri)}">{escape(text)}</a>'
    kind = "iri" if text == IRI(iri).compact() else "term"
    return f'<span class="{kind}" title="{escape(iri)}">{escape(text)}</span>'


def _value(kg: KnowledgeGraph, term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, Literal):
        lang = f' lang="{escape(term.lang)}"' if term.lang else ""
        return f"<span{lang}>{escape(term.lexical)}</span>"
    return _link(term, kg.label(term))


def _section(title: str, zh: str, content: str, *, count: int | None = None) -> str:
    shown = f' <span class="count">{count}</span>' if count is not None else ""
    return (
        f'<section class="part"><h2>{escape(title)} <span lang="zh-Hant">{escape(zh)}</span>'
        f"{shown}</h2>\n{content}\n</section>\n"
    )


def _none(text: str) -> str:
    return f'<p class="empty">{escape(text)}</p>'


def _table(headers: Iterable[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "\n".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<table class="facts"><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>'


def _names(labels: dict[str, tuple[str, ...]]) -> str:
    """The names, each once: a name written alike in both Chinese scripts is shown once."""
    shown: dict[str, str] = {}
    for lang, names in sorted(labels.items()):
        for name in names:
            if lang and name not in shown:
                shown[name] = lang
    return " · ".join(
        f'<span lang="{escape(lang)}">{escape(name)}</span>' for name, lang in shown.items()
    )


def entity_page(kg: KnowledgeGraph, iri: IRI) -> str:
    """What the graph says about `iri`: names, types, facts, claims, reach, source sentences."""
    entity = kg.entity(iri)
    labels = dict(entity.labels)
    chinese = labels.get("zh-hant") or labels.get("zh-hans") or labels.get("zh") or ()
    parts = [
        '<article class="entity">',
        f"<h1>{escape(entity.label)}</h1>",
        f'<p class="zh" lang="zh-Hant">{escape(chinese[0])}</p>' if chinese else "",
        f'<p class="iri-line"><code>{escape(iri)}</code> · data as '
        f'<a href="?format=turtle">Turtle</a> · <a href="?format=json-ld">JSON-LD</a> · '
        f'<a href="?format=nt">N-Triples</a></p>',
    ]
    if entity.types:
        chips = "".join(f"<li>{_link(t, label)}</li>" for t, label in entity.types)
        parts.append(f'<ul class="types">{chips}</ul>')
    if entity.alt_labels:
        parts.append(f'<p class="aka">Also known as: {_names(dict(entity.alt_labels))}</p>')
    parts.append(_facts(kg, entity.outgoing))
    parts.append(_reach(kg, iri))
    parts.append(_claims_about(kg, iri))
    parts.append(_claims_by(kg, iri))
    parts.append(_quotes(kg, iri))
    parts.append(_referrers(kg, entity.incoming))
    parts.append("</article>")
    head = (
        '<link rel="alternate" type="text/turtle" href="?format=turtle">\n'
        '<link rel="alternate" type="application/ld+json" href="?format=json-ld">\n'
    )
    return page(f"{entity.label} — kgtool", "\n".join(parts), head=head)


def _support(fact: Fact) -> str:
    """The fact's support grade as a tag (nothing for a triple that is not a fact)."""
    if not fact.support:
        return ""
    return f'<span class="tag support-{escape(fact.support)}">{escape(fact.support)}</span>'


def _facts(kg: KnowledgeGraph, facts: Iterable[Fact]) -> str:
    rows = [
        [_link(f.predicate, f.predicate_label), _value(kg, f.object), _support(f)] for f in facts
    ]
    content = (
        _table(["property", "value", "support"], rows) if rows else _none("No facts of its own.")
    )
    return _section("Facts", "事實", content, count=len(rows))


def _referrers(kg: KnowledgeGraph, facts: Iterable[Fact]) -> str:
    rows = [
        [_value(kg, f.subject), _link(f.predicate, f.predicate_label), _support(f)] for f in facts
    ]
    content = (
        _table(["subject", "property", "support"], rows) if rows else _none("Nothing refers to it.")
    )
    return _section("Referred to by", "被引用", content, count=len(rows))


def _claims_by(kg: KnowledgeGraph, iri: IRI) -> str:
    rows = kg.query(_query("claims-with-quotes"), params={"claimant": iri})
    claims: dict[str, list[str]] = {}
    first: dict[str, Row] = {}
    for row in rows:
        claim = str(row["claim"])
        first.setdefault(claim, row)
        quote = row["quote"]
        if quote is not None and str(quote) not in claims.setdefault(claim, []):
            claims[claim].append(str(quote))
    items = []
    for claim, quotes in claims.items():
        row = first[claim]
        kind = row.get("kindLabel")
        statement = row.get("statement")
        quoted = "".join(f'<blockquote lang="zh-Hant">{escape(q)}</blockquote>' for q in quotes)
        items.append(
            f"<li>{_link(claim, str(row.get('claimLabel') or kg.label(IRI(claim))))}"
            + (f' <span class="tag">{escape(str(kind))}</span>' if kind else "")
            + (f"<p>{escape(str(statement))}</p>" if statement else "")
            + f"{quoted}</li>"
        )
    content = f'<ul class="claims">{"".join(items)}</ul>' if items else _none("No claims by it.")
    return _section("Claims it makes", "其主張", content, count=len(items))


def _claims_about(kg: KnowledgeGraph, iri: IRI) -> str:
    rows = kg.query("claims-about", params={"subject": iri})
    items = []
    for row in rows:
        claimant = row["claimant"]
        disputed = row["disputedBy"]
        status = row["evidenceStatus"]
        items.append(
            f"<li>{_link(str(row['claim']), str(row['claimLabel'] or kg.label(row['claim'])))}"
            + (
                f' <span class="tag">{escape(str(row["kindLabel"]))}</span>'
                if row["kindLabel"]
                else ""
            )
            + (f' <span class="by">by {_value(kg, claimant)}</span>' if claimant else "")
            + (f"<p>{escape(str(row['statement']))}</p>" if row["statement"] else "")
            + (
                f'<p class="meta">Evidence: {escape(str(status))}</p>'
                if status and str(status)
                else ""
            )
            + (
                f'<p class="meta">Disputed by: {escape(str(disputed))}</p>'
                if disputed and str(disputed)
                else ""
            )
            + "</li>"
        )
    content = f'<ul class="claims">{"".join(items)}</ul>' if items else _none("No claims about it.")
    return _section("Claims about it", "關於它的主張", content, count=len(items))


def _reach(kg: KnowledgeGraph, iri: IRI) -> str:
    items = []
    for reach in kg.measures_reaching(iri):
        # One entry per criterion and explanation, with every sentence that supports it.
        grounds: dict[tuple[str, str, str], list[str]] = {}
        for match in reach.matches:
            key = (
                match.criterion_label or "",
                match.mechanism_label or "",
                match.explanation or "",
            )
            quotes = grounds.setdefault(key, [])
            if match.quote and match.quote not in quotes:
                quotes.append(match.quote)
        matches = "".join(
            f'<li><span class="criterion">{escape(criterion)}</span>'
            + (f' <span class="tag">{escape(mechanism)}</span>' if mechanism else "")
            + (f'<p class="explanation">{escape(explanation)}</p>' if explanation else "")
            + "".join(f'<blockquote lang="zh-Hant">{escape(q)}</blockquote>' for q in quotes)
            + "</li>"
            for (criterion, mechanism, explanation), quotes in grounds.items()
        )
        label = reach.label or kg.label(reach.measure)
        status = reach.status_label
        basis = reach.basis_label or kg.label(reach.basis)
        items.append(
            f'<li class="measure"><h3>{_link(reach.measure, label)}'
            + (f' <span class="status-tag">{escape(status)}</span>' if status else "")
            + "</h3>"
            + (
                f'<p class="meta">Legal basis: {_link(reach.basis, basis)}</p>'
                if reach.basis
                else ""
            )
            + f'<ul class="matches">{matches}</ul></li>'
        )
    content = (
        f'<ol class="measures">{"".join(items)}</ol>'
        if items
        else _none("No policy measure in the graph could reach it.")
    )
    return _section("Measures that could reach it", "可能觸及它的措施", content, count=len(items))


def _quotes(kg: KnowledgeGraph, iri: IRI) -> str:
    rows = kg.query(_query("entity-quotes"), params={"entity": iri})
    segments: dict[str, tuple[str, list[str]]] = {}
    for row in rows:
        segment = str(row["segment"])
        facts = segments.setdefault(segment, (str(row["quote"]), []))[1]
        if row["property"] is not None:
            fact = " ".join(
                kg.label(term) for term in (row["subject"], row["property"], row["object"])
            )
            fact += f" ({row['support']})"
            if fact not in facts:
                facts.append(fact)
    items = [
        f'<li><blockquote lang="zh-Hant">{escape(quote)}</blockquote>'
        + (f'<p class="meta">Supports: {escape("; ".join(facts))}</p>' if facts else "")
        + f'<p class="meta">{_link(segment, kg.label(IRI(segment)))}</p></li>'
        for segment, (quote, facts) in segments.items()
    ]
    content = (
        f'<ul class="quotes">{"".join(items)}</ul>'
        if items
        else _none("No sentence of any source is cited for it.")
    )
    return _section("What the sources say", "來源原文", content, count=len(items))
