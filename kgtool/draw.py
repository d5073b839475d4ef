"""Pictures of the graph: an entity's neighbourhood, the timeline, the ontology's main classes.

Each picture is Graphviz DOT text built from queries (the `.rq` files of `queries/docs/`) and laid
out by Graphviz's `dot` program, which must be installed (Debian: `graphviz`, and
`fonts-noto-cjk` for Chinese labels). Kinds of node take their shape and colour from
`kgtool/docs/styles.toml`, and the legend names them by their classes' labels. Labels are
shown in each language asked for (English and Chinese by default), one line per language.

Over 500 lines: the three pictures share the DOT writing, the legend and the handling of two
languages; each picture is one section after them.
"""

from __future__ import annotations

import html
import shutil
import subprocess
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

from kgtool.catalog import expand
from kgtool.docs.common import Names, languages, run, styles, words
from kgtool.errors import GraphvizUnavailable, KgtoolError
from kgtool.tables import wrap
from kgtool.terms import IRI, Literal, Term

if TYPE_CHECKING:
    from kgtool.graph import KnowledgeGraph

#: Output formats, by file name ending; `dot` writes the DOT text itself.
FORMATS = ("svg", "png", "pdf", "dot")


def available() -> bool:
    """Whether Graphviz's `dot` is installed, so that pictures can be rendered."""
    return shutil.which("dot") is not None


def render(dot: str, path: str | Path) -> Path:
    """Lay `dot` out and write it to `path`, in the format its ending names (.svg, .png, .pdf;
    .dot writes the DOT text). Raises `GraphvizUnavailable` when Graphviz is missing."""
    out = Path(path)
    fmt = out.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise KgtoolError(f"{out}: cannot draw to a .{fmt} file (use {', '.join(FORMATS)})")
    from kgtool import output

    output.folder(out.parent)
    if fmt == "dot":
        return output.write_text(out, dot)
    return output.write_bytes(out, _layout(dot, fmt, str(out)))


def svg(dot: str) -> str:
    """`dot` laid out as SVG text. Raises `GraphvizUnavailable` when Graphviz is missing."""
    return _layout(dot, "svg", "SVG").decode("utf-8")


def _layout(dot: str, fmt: str, target: str) -> bytes:
    program = shutil.which("dot")
    if program is None:
        raise GraphvizUnavailable()
    # Bitmaps at twice the usual resolution, so that Chinese characters stay legible.
    resolution = ["-Gdpi=144"] if fmt == "png" else []
    done = subprocess.run(
        [program, f"-T{fmt}", *resolution],
        input=dot.encode("utf-8"),
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise KgtoolError(f"{target}: Graphviz failed: {message}")
    return done.stdout


# ----------------------------------------------------------------------------------------------
# DOT text


class Html(str):
    """A Graphviz HTML-like label, written between < and > instead of quotes."""

    __slots__ = ()


def _value(value: str) -> str:
    if isinstance(value, Html):
        return f"<{value}>"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _attributes(attributes: dict[str, str]) -> str:
    shown = ", ".join(f"{key}={_value(value)}" for key, value in attributes.items() if value)
    return f" [{shown}]" if shown else ""


class Dot:
    """DOT text, written line by line: nodes, edges, and clusters opened and closed."""

    def __init__(self, **graph: str) -> None:
        font = str(styles()["font"])
        self.lines = [
            "digraph kgtool {",
            f"  graph{_attributes({'fontname': font, 'newrank': 'true', **graph})};",
            f"  node{_attributes({'fontname': font, 'fontsize': '12', 'margin': '0.12,0.06'})};",
            f"  edge{_attributes({'fontname': font, 'fontsize': '10', 'color': '#4b5563'})};",
        ]
        self._depth = 1

    def _add(self, line: str) -> None:
        self.lines.append("  " * self._depth + line)

    def node(self, name: str, **attributes: str) -> None:
        self._add(f'"{name}"{_attributes(attributes)};')

    def edge(self, tail: str, head: str, **attributes: str) -> None:
        self._add(f"{_end(tail)} -> {_end(head)}{_attributes(attributes)};")

    def open(self, name: str, **attributes: str) -> None:
        self._add(f'subgraph "{name}" {{')
        self._depth += 1
        for key, value in attributes.items():
            self._add(f"{key}={_value(value)};")

    def same_rank(self, names: Iterable[str]) -> None:
        listed = " ".join(f'"{name}"' for name in names)
        self._add(f"{{ rank=same; {listed} }}")

    def close(self) -> None:
        self._depth -= 1
        self._add("}")

    def text(self) -> str:
        return "\n".join([*self.lines, "}"]) + "\n"


def _end(name: str) -> str:
    """A node, or a node's port (`node:port` or `node:port:side`), as an edge end."""
    node, colon, port = name.partition(":")
    return f'"{node}":{port}' if colon else f'"{node}"'


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def _lines(
    texts: Sequence[str], columns: int, *, align: str = "center", hidden: bool = False
) -> Html:
    """Texts one under another, the first as it is and the others smaller and grey, each cut
    into lines of `columns` columns; a text equal to an earlier one is left out. `hidden`
    texts take their room but cannot be seen."""
    shown: list[str] = []
    for text in texts:
        if text and text not in shown:
            shown.append(text)
    parts = []
    first, other = ("#ffffff00", "#ffffff00") if hidden else ("", "#4b5563")
    for index, text in enumerate(shown):
        body = f'<br align="{align}"/>'.join(_escape(line) for line in wrap(text, columns))
        if index == 0:
            parts.append(f'<font color="{first}">{body}</font>' if first else body)
        else:
            parts.append(f'<font point-size="10" color="{other}">{body}</font>')
    return Html(
        f'<br align="{align}"/>'.join(parts)
        + (f'<br align="{align}"/>' if align != "center" else "")
    )


# ----------------------------------------------------------------------------------------------
# Kinds of node


@dataclass(frozen=True)
class Kind:
    """A kind of node: the class it stands for and how it is drawn."""

    cls: IRI
    shape: str
    style: str
    fill: str
    border: str

    def attributes(self) -> dict[str, str]:
        return {
            "shape": self.shape,
            "style": self.style,
            "fillcolor": self.fill,
            "color": self.border,
        }


@dataclass
class Kinds:
    """The kind of every named individual: the first kind of styles.toml it belongs to."""

    kinds: list[Kind]
    of: dict[IRI, Kind]
    used: list[Kind] = field(default_factory=list)

    @classmethod
    def load(cls, kg: KnowledgeGraph) -> Kinds:
        kinds = [
            Kind(
                expand(entry["class"]),
                entry["shape"],
                entry["style"],
                entry["fill"],
                entry["border"],
            )
            for entry in styles()["kind"]
        ]
        classes: dict[IRI, set[IRI]] = defaultdict(set)
        for row in run(kg, "kinds"):
            entity, found = row["entity"], row["class"]
            if isinstance(entity, IRI) and isinstance(found, IRI):
                classes[entity].add(found)
        of = {}
        for entity, types in classes.items():
            first = next((kind for kind in kinds if kind.cls in types), None)
            if first is not None:
                of[entity] = first
        return cls(kinds, of)

    def __call__(self, term: Term) -> dict[str, str]:
        """The drawing attributes of `term`'s kind (plain boxes for things of no kind)."""
        kind = self.of.get(IRI(term)) if isinstance(term, IRI) else None
        if kind is None:
            return {"shape": "box", "style": "filled", "fillcolor": "#ffffff", "color": "#6b7280"}
        if kind not in self.used:
            self.used.append(kind)
        return kind.attributes()


def _edge_style(category: str) -> dict[str, str]:
    style: dict[str, str] = dict(styles()["edge"][category])
    return style


@dataclass
class Picture:
    """A picture being drawn: its DOT text, the languages of its labels, and what its legend
    must explain."""

    kg: KnowledgeGraph
    names: list[Names]
    dot: Dot
    kinds: Kinds
    ids: dict[str, str] = field(default_factory=dict)
    #: What the legend explains about edges: its texts and style, by category or property.
    explained: dict[str, tuple[list[str], dict[str, str]]] = field(default_factory=dict)

    def words(self, key: str, **values: str) -> list[str]:
        return [words(names.lang)[key].format(**values) for names in self.names]

    def called(self, term: Term) -> list[str]:
        return [names(term) for names in self.names]

    def id(self, key: str) -> str:
        if key not in self.ids:
            self.ids[key] = f"n{len(self.ids)}"
        return self.ids[key]

    def thing(self, term: IRI, *, columns: int = 24, **attributes: str) -> str:
        """The node of `term`, added the first time it is asked for."""
        new = term not in self.ids
        name = self.id(term)
        if new:
            label = _lines(self.called(term), columns)
            self.dot.node(
                name,
                **{"label": label, "tooltip": term.compact(), **self.kinds(term), **attributes},
            )
        return name

    def edge(self, tail: str, head: str, category: str, **attributes: str) -> None:
        """An edge of a kind the legend explains: `category` is a key of styles.toml's [edge]."""
        style = _edge_style(category)
        self.explained.setdefault(category, (self.words(category), style))
        self.dot.edge(tail, head, **{**style, **attributes})

    def link(self, tail: str, head: str, link: IRI, **attributes: str) -> None:
        """An edge standing for the property `link`, styled by styles.toml's [link]."""
        links: dict[str, dict[str, str]] = styles()["link"]
        style = next((dict(s) for key, s in links.items() if expand(key) == link), {})
        self.explained.setdefault(link, (self.called(link), style))
        self.dot.edge(tail, head, **{**style, **attributes})

    def legend(self, before: str | None = None) -> None:
        """A cluster naming each kind of node and each kind of edge the picture shows, in one
        column; with `before`, a node the legend is placed in front of (on the picture's side
        that has room)."""
        self.dot.open(
            "cluster_legend",
            label=_lines(self.words("legend"), 40),
            style="rounded",
            color="#d1d5db",
            fontsize="12",
        )
        column = []
        for index, kind in enumerate(self.kinds.used):
            name = f"legend_kind{index}"
            self.dot.node(name, label=_lines(self.called(kind.cls), 22), **kind.attributes())
            column.append(name)
        heads = []
        for index, (texts, style) in enumerate(self.explained.values()):
            tail, head = f"legend_tail{index}", f"legend_head{index}"
            # the tail holds the name too, unseen, so that tails stack as their names do
            self.dot.node(tail, label=_lines(texts, 26, align="left", hidden=True), shape="plain")
            self.dot.node(head, label=_lines(texts, 26, align="left"), shape="plain")
            self.dot.edge(tail, head, **style)
            column.append(tail)
            heads.append(head)
        # one column, kinds over edges, in the order given, each edge's name beside it
        # (in a left-to-right picture, a rank's nodes stack upwards in the order of their edges)
        for group in (column, heads):
            if group:
                self.dot.same_rank(group)
            for upper, lower in pairwise(group):
                self.dot.edge(lower, upper, style="invis")
        self.dot.close()
        if before is not None and heads:
            self.dot.edge(heads[0], before, style="invis")


def _pictured(kg: KnowledgeGraph, langs: Sequence[str] | None, **graph: str) -> Picture:
    names = [Names(kg, lang) for lang in (langs or languages())]
    for lang in names:
        words(lang.lang)
    return Picture(kg, names, Dot(**graph), Kinds.load(kg))


# ----------------------------------------------------------------------------------------------
# An entity's neighbourhood


@dataclass
class _Claim:
    claimant: IRI
    asserted: tuple[IRI, IRI, IRI] | None
    links: set[tuple[IRI, IRI]] = field(default_factory=set)


def neighbourhood(
    kg: KnowledgeGraph,
    name: str,
    *,
    depth: int = 1,
    limit: int = 12,
    langs: Sequence[str] | None = None,
) -> str:
    """DOT text for the picture of an entity: the facts around it to `depth` hops (at most
    `limit` new neighbours of each node), the measures that could reach it grouped by status
    with the criteria through which they do, and the claims by and about it, by claimant."""
    if depth < 0:
        raise KgtoolError(f"--depth must be 0 or more, not {depth}")
    center = kg.resolve(name)
    picture = _pictured(kg, langs, rankdir="LR", ranksep="0.5", nodesep="0.18")
    aliases = [
        alias
        for names in picture.names
        for alias in picture.kg.labels.alt_labels.get(center, {}).get(names.lang.lower(), ())
    ]
    texts = [*picture.called(center), " · ".join(dict.fromkeys(aliases))]
    picture.thing(center, label=_lines(texts, 30), penwidth="3", fontsize="16")
    _facts(picture, center, depth, limit)
    _measures(picture, center)
    _claims(picture, center)
    picture.legend(before=picture.ids[center])
    return picture.dot.text()


def _facts(picture: Picture, center: IRI, depth: int, limit: int) -> None:
    drawn: set[tuple[Term, Term, Term]] = set()
    seen = {center}
    frontier = [center]
    for _ in range(depth):
        reached: list[IRI] = []
        for node in frontier:
            hidden = 0
            new = 0
            rows = run(picture.kg, "neighbours", entity=node).rows
            # a fact stated from the node outwards reads better than its inverse, drawn reversed
            for row in sorted(rows, key=lambda row: row["subject"] != node):
                subject, prop, obj = row["subject"], row["property"], row["object"]
                if not (
                    isinstance(subject, IRI) and isinstance(prop, IRI) and isinstance(obj, IRI)
                ):
                    continue
                inverse = row["inverse"]
                if (subject, prop, obj) in drawn or (obj, inverse, subject) in drawn:
                    continue
                other = obj if subject == node else subject
                if other not in seen:
                    if new >= limit:
                        hidden += 1
                        continue
                    new += 1
                    seen.add(other)
                    reached.append(other)
                drawn.add((subject, prop, obj))
                category = f"fact_{row['support'] or 'unsourced'}"
                label = _lines(picture.called(prop), 22)
                near, far = picture.thing(node), picture.thing(other)
                # Edges point away from the entity drawn first, so that layers follow distance;
                # an edge against its fact's direction is drawn reversed.
                extra = {} if subject == node else {"dir": "back"}
                picture.edge(near, far, category, label=label, **extra)
            if hidden:
                more = picture.id(f"{node} more")
                picture.dot.node(
                    more,
                    label=_lines(picture.words("more_neighbours", count=str(hidden)), 20),
                    shape="plain",
                    fontcolor="#6b7280",
                )
                picture.dot.edge(picture.thing(node), more, style="dotted", arrowhead="none")
        frontier = reached


def _measures(picture: Picture, center: IRI) -> None:
    reaches = picture.kg.measures_reaching(center)
    if not reaches:
        return
    by_status: dict[IRI | None, list[IRI]] = defaultdict(list)
    criteria: dict[IRI, set[IRI]] = defaultdict(set)
    for reach in reaches:
        by_status[reach.status].append(reach.measure)
        for match in reach.matches:
            if match.criterion is not None:
                criteria[match.criterion].add(reach.measure)
    entity = [names(center) for names in picture.names]
    title = [
        words(n.lang)["measures_reaching"].format(entity=e)
        for n, e in zip(picture.names, entity, strict=True)
    ]
    picture.dot.open(
        "cluster_measures", label=_lines(title, 60), style="rounded", color="#fca5a5", fontsize="13"
    )
    for index, (status, measures) in enumerate(by_status.items()):
        label = _lines(picture.called(status), 40) if status else Html("")
        picture.dot.open(
            f"cluster_status{index}",
            label=label,
            style="rounded,filled",
            fillcolor="#fff7f7",
            color="#fecaca",
        )
        for measure in measures:
            picture.thing(measure, columns=34)
        picture.dot.close()
    picture.dot.close()
    for criterion, reaching in criteria.items():
        node = picture.thing(criterion, columns=22)
        for measure in sorted(reaching):
            picture.dot.edge(picture.thing(measure), node, color="#d4a5a5", arrowhead="none")
        picture.edge(node, picture.thing(center), "reach_edge")


def _claims(picture: Picture, center: IRI) -> None:
    """Tables of claims, one per claimant, linked to the entity by a claim edge; the relations
    claims assert, and the claims they dispute or support, are claim edges from their rows."""
    claims: dict[IRI, _Claim] = {}
    for row in run(picture.kg, "claims", entity=center):
        claim, claimant = row["claim"], row["claimant"]
        if not (isinstance(claim, IRI) and isinstance(claimant, IRI)):
            continue
        subject, relation, obj = row["assertedSubject"], row["relation"], row["assertedObject"]
        asserted = (
            (subject, relation, obj)
            if isinstance(subject, IRI) and isinstance(relation, IRI) and isinstance(obj, IRI)
            else None
        )
        entry = claims.setdefault(claim, _Claim(claimant, asserted))
        link, other = row["link"], row["linked"]
        if isinstance(link, IRI) and isinstance(other, IRI):
            entry.links.add((link, other))
    if not claims:
        return
    by_claimant: dict[IRI, list[IRI]] = defaultdict(list)
    for claim, entry in claims.items():
        by_claimant[entry.claimant].append(claim)
    ports: dict[IRI, str] = {}
    heights = [0, 0]
    for index, (claimant, listed) in enumerate(by_claimant.items()):
        table = f"claims{index}"
        ports.update((claim, f"{table}:c{number}") for number, claim in enumerate(listed))
        picture.dot.node(table, label=_claim_table(picture, claimant, listed), shape="plain")
        # Tables go in two columns, each table to the shorter one, so the picture is not
        # one long column of claims.
        column = heights.index(min(heights))
        heights[column] += 1 + (len(listed) + 1) // (2 if len(listed) > 4 else 1)
        picture.edge(picture.thing(center), table, "claim_edge", dir="back", minlen=str(2 + column))
    for claim, entry in claims.items():
        here = ports[claim]
        if entry.asserted is not None:
            subject, relation, obj = entry.asserted
            # the row points at the things the claimed relation joins, its object by the
            # relation's name (the entity itself is joined already)
            for other, label in ((subject, Html("")), (obj, _lines(picture.called(relation), 22))):
                if other != center:
                    # a thing the facts already placed keeps its place
                    placed = "false" if other in picture.ids else "true"
                    picture.edge(
                        f"{here}:e",
                        picture.thing(other),
                        "claim_edge",
                        label=label,
                        constraint=placed,
                    )
        for link, other in sorted(entry.links):
            if other in ports:
                picture.link(f"{here}:e", f"{ports[other]}:e", link, constraint="false")


def _claim_table(picture: Picture, claimant: IRI, listed: list[IRI]) -> Html:
    """A claimant's claims as a table: the claimant's name over the claims, two to a row when
    there are many."""
    claim_kind = picture.kinds(listed[0])
    per_row = 2 if len(listed) > 4 else 1
    header = (
        f'<tr><td colspan="{per_row}" bgcolor="{picture.kinds(claimant)["fillcolor"]}">'
        f"<b>{_lines(picture.called(claimant), 40)}</b></td></tr>"
    )
    rows = []
    for start in range(0, len(listed), per_row):
        cells = [
            f'<td port="c{number}" align="left" balign="left" valign="top">'
            f"{_lines(picture.called(claim), 40, align='left')}</td>"
            for number, claim in enumerate(listed[start : start + per_row], start)
        ]
        if len(cells) < per_row:
            cells.append("<td></td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return Html(
        f'<table border="0" cellborder="1" cellspacing="0" cellpadding="4" '
        f'bgcolor="{claim_kind["fillcolor"]}" color="{claim_kind["color"]}">'
        + header
        + "".join(rows)
        + "</table>"
    )


# ----------------------------------------------------------------------------------------------
# The timeline


def timeline(kg: KnowledgeGraph, *, langs: Sequence[str] | None = None) -> str:
    """DOT text for the timeline: the answer of the named query `timeline`, one row of things
    per date from the earliest down, each thing with the kind of date it has; dates a source
    gives (stated or implied) are framed solid, dates from the public record dashed."""
    picture = _pictured(kg, langs, rankdir="TB", ranksep="0.25", nodesep="0.3")
    by_date: dict[str, list[tuple[IRI, Literal | None, str]]] = defaultdict(list)
    precision: dict[str, str] = {}
    for row in kg.query("timeline"):
        date, thing, kind, support = row["date"], row["thing"], row["dateKind"], row["support"]
        if not (isinstance(date, Literal) and isinstance(thing, IRI)):
            continue
        day = date.lexical[:10]
        precise = str(row["precision"] or "day")
        precision[day] = precise if precision.get(day, precise) == precise else "day"
        given = str(support) in ("stated", "implied")
        entry = (
            thing,
            kind if isinstance(kind, Literal) else None,
            "source" if given else "record",
        )
        if entry not in by_date[day]:
            by_date[day].append(entry)
    title = _lines(picture.words("timeline_title"), 80)
    picture.dot.lines.append(f"  graph{_attributes({'label': title, 'labelloc': 't'})};")
    previous = None
    for index, (day, things) in enumerate(sorted(by_date.items())):
        shown = day[:7] if precision[day] == "month" else day
        date_node, row_node = f"date{index}", f"things{index}"
        picture.dot.node(date_node, label=shown, shape="plain", fontsize="13")
        picture.dot.node(row_node, label=_timeline_row(picture, things), shape="plain")
        picture.dot.same_rank([date_node, row_node])
        picture.dot.edge(date_node, row_node, color="#d1d5db", arrowhead="none", minlen="1")
        if previous is not None:
            picture.dot.edge(previous, date_node, color="#9ca3af", penwidth="2", arrowhead="none")
        previous = date_node
    picture.dot.node("key", label=_timeline_key(picture), shape="plain")
    if previous is not None:
        picture.dot.edge("key", "date0", style="invis")
    return picture.dot.text()


def _date_kind(picture: Picture, kind: Literal | None) -> list[str]:
    if kind is None:
        return []
    return [text for names in picture.names if (text := names.translate(kind))]


def _timeline_row(
    picture: Picture, things: list[tuple[IRI, Literal | None, str]], per_row: int = 6
) -> Html:
    """The things of one date as a table of cells, `per_row` to a row."""
    cells = []
    for thing, kind, source in things:
        fill = picture.kinds(thing)["fillcolor"]
        frame = "solid" if source == "source" else "dashed"
        text = _lines(picture.called(thing), 26)
        which = " · ".join(_date_kind(picture, kind))
        cells.append(
            f'<td bgcolor="{fill}" style="{frame}" cellpadding="5">{text}'
            f'<br/><font point-size="9" color="#6b7280">{_escape(which)}</font></td>'
        )
    rows = [
        "<tr>" + "".join(cells[i : i + per_row]) + "</tr>" for i in range(0, len(cells), per_row)
    ]
    return Html(
        '<table border="0" cellborder="1" cellspacing="6" color="#374151">'
        + "".join(rows)
        + "</table>"
    )


def _timeline_key(picture: Picture) -> Html:
    """The timeline's legend: the kinds of thing by colour, the two frames of dates."""
    cells = [
        f'<td bgcolor="{kind.fill}" cellpadding="4">{_lines(picture.called(kind.cls), 20)}</td>'
        for kind in picture.kinds.used
    ]
    frames = [
        f'<td style="{frame}" cellpadding="4" colspan="2">{_lines(picture.words(key), 30)}</td>'
        for frame, key in (("solid", "source_date"), ("dashed", "background_date"))
    ]
    width = len(cells) or 1
    title = _lines(picture.words("legend"), 40)
    return Html(
        '<table border="0" cellborder="1" cellspacing="4" color="#374151">'
        f'<tr><td colspan="{width}" border="0"><b>{title}</b></td></tr>'
        f"<tr>{''.join(cells)}</tr>"
        f'<tr>{"".join(frames)}<td colspan="{max(width - 4, 1)}" border="0"></td></tr>'
        "</table>"
    )


# ----------------------------------------------------------------------------------------------
# The ontology


def ontology(kg: KnowledgeGraph, *, langs: Sequence[str] | None = None) -> str:
    """DOT text for the ontology's main classes: each top-level class a box listing its
    sub-classes (indented by depth), and an edge for each object property whose domain and
    range are both kgtool classes, from the domain's row to the range's row; properties with
    the same domain and range share one edge."""
    picture = _pictured(kg, langs, rankdir="LR", ranksep="1.1", nodesep="0.35")
    kinds: dict[IRI, str] = {}
    for row in run(kg, "terms"):
        term, kind = row["term"], row["kind"]
        if isinstance(term, IRI) and isinstance(kind, Literal):
            kinds[term] = kind.lexical
    parents: dict[IRI, list[IRI]] = defaultdict(list)
    domains: dict[IRI, IRI] = {}
    ranges: dict[IRI, IRI] = {}
    for row in run(kg, "term-relations"):
        term, relation, other = row["term"], str(row["relation"]), row["other"]
        if not (isinstance(term, IRI) and isinstance(other, IRI)) or other not in kinds:
            continue
        if relation == "superClass":
            parents[term].append(other)
        elif relation == "domain":
            domains[term] = other
        elif relation == "range":
            ranges[term] = other
    classes = sorted(term for term, kind in kinds.items() if kind == "class")
    children: dict[IRI, list[IRI]] = defaultdict(list)
    for cls in classes:
        for parent in parents.get(cls, []):
            children[parent].append(cls)
    tops = [cls for cls in classes if not parents.get(cls)]
    port: dict[IRI, str] = {}
    title = _lines(picture.words("ontology_title"), 80)
    picture.dot.lines.append(f"  graph{_attributes({'label': title, 'labelloc': 't'})};")
    trees = {top: _tree(top, children) for top in tops}
    for index, tree in enumerate(trees.values()):
        for _, cls in tree:
            port.setdefault(cls, f"class{index}:{cls.compact().partition(':')[2]}")
    inline = {
        port[cls].partition(":")[0]
        for cls in map(expand, styles()["ontology"]["inline"])
        if cls in port
    }
    joined: dict[tuple[str, str], list[IRI]] = defaultdict(list)
    inside: dict[str, list[tuple[IRI, IRI, IRI]]] = defaultdict(list)
    for prop in sorted(term for term, kind in kinds.items() if kind == "objectProperty"):
        domain, range_ = domains.get(prop), ranges.get(prop)
        if domain in port and range_ in port:
            node, head = port[domain].partition(":")[0], port[range_].partition(":")[0]
            # relations inside one box are written in it (loops would hide each other's
            # names), and so are those to the boxes styles.toml names
            if node == head or head in inline:
                inside[node].append((domain, prop, range_))
            else:
                joined[(port[domain], port[range_])].append(prop)
    for index, tree in enumerate(trees.values()):
        node = f"class{index}"
        rows = [_class_row(picture, cls, depth, port[cls].partition(":")[2]) for depth, cls in tree]
        rows += [_inner_relation(picture, relation) for relation in inside[node]]
        picture.dot.node(
            node,
            label=Html(
                '<table border="0" cellborder="1" cellspacing="0" cellpadding="3" '
                'color="#6b7280" bgcolor="#ffffff">' + "".join(rows) + "</table>"
            ),
            shape="plain",
        )
    for (tail, head), props in joined.items():
        label = "<br/>".join(
            _escape(" · ".join(dict.fromkeys(picture.called(prop)))) for prop in props
        )
        picture.dot.edge(tail, head, label=Html(label), color="#6b7280")
    return picture.dot.text()


def _tree(top: IRI, children: dict[IRI, list[IRI]]) -> list[tuple[int, IRI]]:
    """`top` and its sub-classes, depth first, each with its depth."""
    found = [(0, top)]
    for child in children.get(top, []):
        found += [(depth + 1, cls) for depth, cls in _tree(child, children)]
    return found


def _class_row(picture: Picture, cls: IRI, depth: int, port: str) -> str:
    """One class as a row of its top-level class's box: the top one bold on its kind's colour."""
    kind = next((k for k in picture.kinds.kinds if k.cls == cls), None)
    text = " · ".join(_escape(t) for t in dict.fromkeys(picture.called(cls)))
    if depth == 0:
        fill = kind.fill if kind is not None else "#f3f4f6"
        return f'<tr><td port="{port}" bgcolor="{fill}"><b>{text}</b></td></tr>'
    indent = "&#160;" * 4 * (depth - 1)
    return f'<tr><td port="{port}" align="left">{indent}{text}</td></tr>'


def _inner_relation(picture: Picture, relation: tuple[IRI, IRI, IRI]) -> str:
    """A relation between two classes of one box, as a row of it: domain —property→ range."""
    domain, prop, range_ = (" · ".join(dict.fromkeys(picture.called(term))) for term in relation)
    text = f"{domain} — {prop} → {range_}"
    return (
        f'<tr><td align="left" bgcolor="#f9fafb"><font point-size="10" color="#374151">'
        f"{_escape(text)}</font></td></tr>"
    )
